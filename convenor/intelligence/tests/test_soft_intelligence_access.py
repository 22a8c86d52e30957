"""Who may read and write soft intelligence (docs/adr/0006), and that every read is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from convenor.core.models import AuditEvent, Role
from convenor.core.services import assign_role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import UserFactory
from convenor.intelligence.models import Sensitivity, SoftIntelligenceEntry, SoftIntelligenceKind
from convenor.intelligence.tests.factories import SoftIntelligenceEntryFactory
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    EstablishmentLinkFactory,
    LocalAuthorityFactory,
)

pytestmark = pytest.mark.django_db

URN = 116336
PAGE = f"/schools/{URN}/intelligence/"
REGISTER = "/intelligence/concerns/?as_at=2020-03-31"
CSV = "/intelligence/concerns.csv?as_at=2020-03-31"


@pytest.fixture(autouse=True)
def register() -> None:
    LocalAuthorityFactory.create(code=850)
    LocalAuthorityFactory.create(code=851)
    EstablishmentFactory.create(urn=URN, district="Gosport", name="Newtown Primary")
    EstablishmentFactory.create(urn=URN + 1, district="Winchester", name="Neighbour Primary")
    EstablishmentFactory.create(urn=URN + 2, la_code=851, district="Elsewhere", name="Far School")


DEFAULT_SCOPE: dict[str, dict[str, Any]] = {
    Role.LA_OFFICER: {"la_code": 850},
    Role.INCLUSION_OFFICER: {"la_code": 850},
    Role.PLACE_PLANNER: {"la_code": 850},
    Role.ELECTED_MEMBER: {"la_code": 850},
    Role.BOARD_MEMBER: {"la_code": 850, "area": "Gosport"},
    Role.SCHOOL_LEADER: {"school_urn": URN},
}


def _user(role: Role | None = None, *, username: str = "", **scope: Any) -> User:
    user = UserFactory.create(**({"username": username} if username else {}))
    if role is not None:
        assign_role(user, role, actor="setup", **{**DEFAULT_SCOPE.get(role, {}), **scope})
    return user


def _signed_in(client: PageCheckingClient, user: User) -> PageCheckingClient:
    client.force_login(user)
    return client


@pytest.fixture
def entries() -> tuple[SoftIntelligenceEntry, SoftIntelligenceEntry]:
    standard = SoftIntelligenceEntryFactory.create(urn=URN, summary="Standard: complaint")
    restricted = SoftIntelligenceEntryFactory.create(
        urn=URN,
        kind=SoftIntelligenceKind.SAFEGUARDING,
        sensitivity=Sensitivity.RESTRICTED,
        summary="Restricted: referral to the LADO",
    )
    return standard, restricted


# Reading a school's log, role by role


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LA_OFFICER, 200),
        (Role.INCLUSION_OFFICER, 200),
        (Role.BOARD_MEMBER, 200),
        (Role.SCHOOL_LEADER, 403),
        (Role.SYSTEM_LEADER, 403),
        (Role.PLACE_PLANNER, 403),
        (Role.ELECTED_MEMBER, 403),
        (Role.ADMINISTRATOR, 403),
        (None, 403),
    ],
)
def test_it_lets_only_the_roles_with_a_need_read_a_schools_log(
    page_client: PageCheckingClient, role: Role | None, status: int
) -> None:
    response = _signed_in(page_client, _user(role)).get(PAGE)
    assert response.status_code == status


def test_it_sends_anonymous_visitors_to_sign_in(page_client: PageCheckingClient) -> None:
    response = page_client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))


def test_a_superuser_does_not_read_soft_intelligence(page_client: PageCheckingClient) -> None:
    admin = UserFactory.create(is_superuser=True, is_staff=True)
    assert _signed_in(page_client, admin).get(PAGE).status_code == 403


def test_a_school_leader_cannot_read_their_own_school_even_as_a_board_member(
    page_client: PageCheckingClient,
) -> None:
    head = _user(Role.SCHOOL_LEADER)
    assign_role(head, Role.BOARD_MEMBER, actor="setup", la_code=850, area="Gosport")
    neighbour = EstablishmentFactory.create(district="Gosport")
    _signed_in(page_client, head)
    assert page_client.get(PAGE).status_code == 403
    assert page_client.get(f"/schools/{neighbour.urn}/intelligence/").status_code == 200


def test_a_school_leader_cannot_read_their_school_under_an_earlier_urn(
    page_client: PageCheckingClient,
) -> None:
    EstablishmentFactory.create(urn=100001, district="Gosport", status="Closed")
    EstablishmentLinkFactory.create(urn=URN, link_urn=100001, link_type="Predecessor")
    head = _user(Role.SCHOOL_LEADER)
    assign_role(head, Role.LA_OFFICER, actor="setup", la_code=850)
    _signed_in(page_client, head)
    assert page_client.get("/schools/100001/intelligence/").status_code == 403


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.LA_OFFICER, {"la_code": 851}),
        (Role.INCLUSION_OFFICER, {"la_code": 851}),
        (Role.BOARD_MEMBER, {"la_code": 850, "area": "Winchester"}),
    ],
)
def test_it_refuses_a_school_outside_the_users_scope(
    page_client: PageCheckingClient, role: Role, scope: dict[str, Any]
) -> None:
    _signed_in(page_client, _user(role, **scope))
    assert page_client.get(PAGE).status_code == 403
    assert not AuditEvent.objects.filter(action="soft_intelligence.viewed").exists()


def test_it_answers_404_for_a_school_not_in_the_register(page_client: PageCheckingClient) -> None:
    _signed_in(page_client, _user(Role.LA_OFFICER))
    assert page_client.get("/schools/999999/intelligence/").status_code == 404


# Restricted entries


@pytest.mark.parametrize(
    ("role", "sees_restricted"),
    [(Role.LA_OFFICER, True), (Role.INCLUSION_OFFICER, True), (Role.BOARD_MEMBER, False)],
)
def test_it_shows_restricted_entries_only_to_the_las_officers(
    page_client: PageCheckingClient, entries, role: Role, sees_restricted: bool
) -> None:
    page = _signed_in(page_client, _user(role)).get(PAGE).content.decode()
    assert "Standard: complaint" in page
    assert ("Restricted: referral to the LADO" in page) is sees_restricted
    register = page_client.get(REGISTER).content.decode()
    assert "Safeguarding" in register if sees_restricted else "Safeguarding" not in register


def test_a_board_member_finds_no_restricted_entry_to_act_on(
    page_client: PageCheckingClient, entries
) -> None:
    _, restricted = entries
    inclusion = _user(Role.INCLUSION_OFFICER, username="inclusion")
    board = _user(Role.BOARD_MEMBER)
    assign_role(board, Role.INCLUSION_OFFICER, actor="setup", la_code=851)
    url = f"/schools/{URN}/intelligence/{restricted.pk}/withdraw/"
    # A board member who may withdraw in another LA reads no restricted entry here.
    assert _signed_in(page_client, board).get(url).status_code == 404
    page_client.force_login(inclusion)
    assert page_client.get(url).status_code == 403  # not the author, not an LA officer


# Writing


def test_a_board_member_cannot_add_an_entry(page_client: PageCheckingClient) -> None:
    _signed_in(page_client, _user(Role.BOARD_MEMBER))
    page = page_client.get(PAGE).content.decode()
    assert "Add an entry" not in page
    response = page_client.post(
        PAGE,
        {
            "kind": "governance",
            "observed_on": "2020-02-03",
            "source": "Clerk",
            "summary": "Not quorate",
            "sensitivity": "standard",
        },
    )
    assert response.status_code == 403
    assert not SoftIntelligenceEntry.objects.exists()


def test_an_inclusion_officer_withdraws_their_own_entries_only(
    page_client: PageCheckingClient,
) -> None:
    inclusion = _user(Role.INCLUSION_OFFICER)
    own = SoftIntelligenceEntryFactory.create(urn=URN, author=inclusion)
    other = SoftIntelligenceEntryFactory.create(urn=URN)
    _signed_in(page_client, inclusion)
    refused = page_client.post(
        f"/schools/{URN}/intelligence/{other.pk}/withdraw/", {"reason": "Not mine"}
    )
    assert refused.status_code == 403
    done = page_client.post(f"/schools/{URN}/intelligence/{own.pk}/withdraw/", {"reason": "Dup"})
    assert done.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.is_withdrawn and not other.is_withdrawn


def test_an_la_officer_withdraws_anyones_entry(page_client: PageCheckingClient) -> None:
    entry = SoftIntelligenceEntryFactory.create(urn=URN)
    _signed_in(page_client, _user(Role.LA_OFFICER))
    response = page_client.post(
        f"/schools/{URN}/intelligence/{entry.pk}/withdraw/", {"reason": "Wrong school"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_withdrawn


def test_it_answers_404_for_an_entry_about_another_school(page_client: PageCheckingClient) -> None:
    elsewhere = SoftIntelligenceEntryFactory.create(urn=URN + 1, follow_up="Visit")
    _signed_in(page_client, _user(Role.LA_OFFICER))
    for action in ("withdraw", "follow-up"):
        url = f"/schools/{URN}/intelligence/{elsewhere.pk}/{action}/"
        assert page_client.get(url).status_code == 404


def test_an_officer_of_another_la_cannot_complete_a_follow_up(
    page_client: PageCheckingClient,
) -> None:
    entry = SoftIntelligenceEntryFactory.create(urn=URN, follow_up="Visit")
    _signed_in(page_client, _user(Role.LA_OFFICER, la_code=851))
    response = page_client.post(f"/schools/{URN}/intelligence/{entry.pk}/follow-up/")
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.follow_up_done_at is None


# The register: who may read it, and that its scope holds


@pytest.mark.parametrize(
    "role", [Role.SCHOOL_LEADER, Role.ELECTED_MEMBER, Role.ADMINISTRATOR, Role.PLACE_PLANNER]
)
def test_it_keeps_the_register_and_its_export_from_roles_without_a_need(
    page_client: PageCheckingClient, role: Role
) -> None:
    _signed_in(page_client, _user(role))
    assert page_client.get(REGISTER).status_code == 403
    assert page_client.get(CSV).status_code == 403


def test_the_register_lists_only_schools_in_scope(page_client: PageCheckingClient) -> None:
    for urn in (URN, URN + 1, URN + 2):
        SoftIntelligenceEntryFactory.create(urn=urn)
    _signed_in(page_client, _user(Role.BOARD_MEMBER))
    page = page_client.get(REGISTER).content.decode()
    assert "Newtown Primary" in page
    assert "Neighbour Primary" not in page and "Far School" not in page


# Every read is audited


def _viewed() -> list[tuple[str, dict[str, object]]]:
    return [
        (event.object_id, event.detail)
        for event in AuditEvent.objects.filter(action="soft_intelligence.viewed").order_by("pk")
    ]


def test_every_view_of_a_schools_log_is_audited(page_client: PageCheckingClient, entries) -> None:
    board = _user(Role.BOARD_MEMBER)
    _signed_in(page_client, board)
    page_client.get(PAGE)
    page_client.get(PAGE)
    assert _viewed() == [
        (str(URN), {"urn": URN, "entries": 1, "via": "school page"}),
        (str(URN), {"urn": URN, "entries": 1, "via": "school page"}),
    ]
    assert set(AuditEvent.objects.values_list("actor", flat=True).distinct()) >= {board.pk}


def test_a_view_of_an_empty_log_is_audited_too(page_client: PageCheckingClient) -> None:
    _signed_in(page_client, _user(Role.LA_OFFICER))
    page_client.get(PAGE)
    assert _viewed() == [(str(URN), {"urn": URN, "entries": 0, "via": "school page"})]


def test_every_view_and_export_of_the_register_is_audited(
    page_client: PageCheckingClient, entries
) -> None:
    _signed_in(page_client, _user(Role.LA_OFFICER))
    page_client.get(REGISTER)
    page_client.get(CSV)
    detail = {"urn": URN, "entries": 2, "as_at": "2020-03-31"}
    assert _viewed() == [
        (str(URN), {**detail, "via": "register"}),
        (str(URN), {**detail, "via": "register export"}),
    ]


def test_a_confirmation_page_showing_an_entry_is_audited(
    page_client: PageCheckingClient, entries
) -> None:
    standard, _ = entries
    _signed_in(page_client, _user(Role.LA_OFFICER))
    page_client.get(f"/schools/{URN}/intelligence/{standard.pk}/withdraw/")
    assert _viewed() == [
        (str(URN), {"urn": URN, "entries": 1, "via": "withdraw", "entry": standard.pk})
    ]


def test_the_rules_page_reads_no_entries_and_is_not_audited(
    page_client: PageCheckingClient, entries
) -> None:
    _signed_in(page_client, _user(Role.ADMINISTRATOR))
    assert page_client.get("/intelligence/rules/").status_code == 200
    assert _viewed() == []


def test_a_refused_read_writes_no_audit_event(page_client: PageCheckingClient, entries) -> None:
    _signed_in(page_client, _user(Role.ELECTED_MEMBER))
    page_client.get(PAGE)
    assert _viewed() == []
    assert {e.observed_on for e in SoftIntelligenceEntry.objects.all()} == {date(2020, 3, 2)}
