"""Partnership structures: the list by tier, a structure's page, and the forms for
structures, memberships and meetings (ADR 0011: who reads and who records)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convenor.brokerage.models import (
    MeetingAttendance,
    MemberRole,
    Partnership,
    PartnershipKind,
    PartnershipMeeting,
    PartnershipMembership,
    Strength,
)
from convenor.brokerage.services import record_meeting
from convenor.brokerage.tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    hampshire_school,
)
from convenor.core.models import AuditEvent, Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import sign_in_with_role
from convenor.intelligence.tests.factories_interventions import page_text
from convenor.schools.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(page_client: PageCheckingClient) -> PageCheckingClient:
    LocalAuthorityFactory.create(code=850)
    sign_in_with_role(page_client, Role.LA_OFFICER, la_code=850)
    return page_client


def tiers() -> dict[str, Partnership]:
    """Hampshire's strategic partnership, the Winchester board under it, a cluster under
    that, and a trust outside the tiers."""
    strategic = PartnershipFactory.create(
        kind=PartnershipKind.STRATEGIC, name="Hampshire Schools Partnership", area=""
    )
    board = PartnershipFactory.create(
        kind=PartnershipKind.AREA_BOARD, name="Winchester Board", parent=strategic
    )
    cluster = PartnershipFactory.create(name="Itchen Valley Cluster", parent=board, synthetic=True)
    trust = PartnershipFactory.create(kind=PartnershipKind.TRUST, name="Test Valley Trust")
    return {"strategic": strategic, "board": board, "cluster": cluster, "trust": trust}


def test_it_lists_the_structures_by_tier(officer: PageCheckingClient) -> None:
    made = tiers()
    MembershipFactory.create(partnership=made["cluster"])
    MembershipFactory.create(partnership=made["cluster"], ends=date(2019, 1, 1))
    response = officer.get("/partnerships/")
    assert response.status_code == 200
    page = page_text(response)
    assert "4 structures running on" in page
    strategic, boards, clusters, others = (
        page.index("Strategic partnership Name"),
        page.index("Area boards and alliances"),
        page.index("School clusters"),
        page.index("Hubs, trusts"),
    )
    assert strategic < page.index("Hampshire Schools Partnership") < boards
    assert (
        boards < page.index("Winchester Board Winchester Hampshire Schools Partnership") < clusters
    )
    # The ended membership does not count: one member today.
    assert (
        clusters
        < page.index("Itchen Valley Cluster Synthetic Winchester Winchester Board 1")
        < others
    )
    assert others < page.index("Test Valley Trust Trust")
    assert "Create a structure" in page


def test_it_shows_the_structures_running_on_an_earlier_date(officer: PageCheckingClient) -> None:
    PartnershipFactory.create(name="Old Cluster", starts=date(2015, 9, 1), ends=date(2017, 8, 31))
    assert "Old Cluster" not in page_text(officer.get("/partnerships/"))
    page = page_text(officer.get("/partnerships/?as_at=2016-09-01"))
    assert "Old Cluster" in page and "1 structure running on 1 Sep 2016" in page
    response = officer.get(f"/partnerships/?as_at={timezone.localdate() + timedelta(days=1)}")
    assert "The date cannot be in the future" in page_text(response)


def test_a_school_leader_reads_the_structures_but_cannot_create_one(
    page_client: PageCheckingClient,
) -> None:
    school = hampshire_school()
    tiers()
    sign_in_with_role(page_client, Role.SCHOOL_LEADER, school_urn=school.urn)
    page = page_text(page_client.get("/partnerships/"))
    assert "Winchester Board" in page and "Create a structure" not in page
    assert page_client.get("/partnerships/new/").status_code == 403


def test_an_elected_member_cannot_see_the_structures(page_client: PageCheckingClient) -> None:
    LocalAuthorityFactory.create(code=850)
    sign_in_with_role(page_client, Role.ELECTED_MEMBER, la_code=850)
    assert page_client.get("/partnerships/").status_code == 403


def _meeting_world() -> tuple[Partnership, list[Any]]:
    cluster = tiers()["cluster"]
    chair = hampshire_school(name="Alder Primary")
    lead = hampshire_school(name="Birch Primary")
    member = hampshire_school(name="Cedar Infant")
    for school, role in ((chair, MemberRole.CHAIR), (lead, MemberRole.LEAD_HEAD)):
        MembershipFactory.create(partnership=cluster, urn=school.urn, role=role)
    MembershipFactory.create(partnership=cluster, urn=member.urn, strength=Strength.WEAK)
    record_meeting(
        cluster,
        actor="test",
        held_on=date(2019, 10, 3),
        title="Autumn meeting",
        attendance={chair.urn: True, lead.urn: True, member.urn: False},
    )
    return cluster, [chair, lead, member]


def test_a_structure_shows_its_leads_members_and_meetings(officer: PageCheckingClient) -> None:
    cluster, _ = _meeting_world()
    response = officer.get(f"/partnerships/{cluster.pk}/")
    page = page_text(response)
    assert "Chair Alder Primary" in page
    assert "Lead head teacher Birch Primary" in page
    assert "Part of Winchester Board" in page
    assert "Cedar Infant" in page and "Weak" in page
    # Officers record meetings, so they see who was absent.
    assert "3 Oct 2019 Autumn meeting 2 of 3 Cedar Infant" in page
    assert "Add a member" in page and "Record a meeting" in page and "End membership" in page


def test_a_reader_who_records_no_meetings_sees_how_many_came_not_who(
    page_client: PageCheckingClient,
) -> None:
    cluster, _ = _meeting_world()
    sign_in_with_role(page_client, Role.SYSTEM_LEADER)
    page = page_text(page_client.get(f"/partnerships/{cluster.pk}/"))
    assert "Autumn meeting 2 of 3" in page
    assert "Absent" not in page and "Record a meeting" not in page and "Add a member" not in page


def test_an_unknown_structure_is_not_found(officer: PageCheckingClient) -> None:
    assert officer.get("/partnerships/990501/").status_code == 404


def test_an_officer_creates_a_structure_under_its_parent(officer: PageCheckingClient) -> None:
    board = tiers()["board"]
    hampshire_school()  # a Winchester school, so Winchester is an area to choose
    response = officer.get(f"/partnerships/new/?parent={board.pk}")
    assert f'<option value="{board.pk}" selected>' in response.content.decode()
    response = officer.post(
        "/partnerships/new/",
        {
            "la_code": "850",
            "kind": "cluster",
            "name": "Meon Cluster",
            "area": "Winchester",
            "parent": str(board.pk),
            "starts": "2019-09-01",
            "ends": "",
        },
    )
    made = Partnership.objects.get(name="Meon Cluster")
    assert response.status_code == 302
    assert response["Location"] == f"/partnerships/{made.pk}/"
    assert (made.parent, made.area, made.starts) == (board, "Winchester", date(2019, 9, 1))
    assert AuditEvent.objects.filter(action="partnership.created", object_id=made.pk).exists()
    assert "Meon Cluster recorded." in page_text(officer.get(response["Location"]))


def test_the_create_form_shows_what_is_wrong(officer: PageCheckingClient) -> None:
    cluster = tiers()["cluster"]
    response = officer.post(
        "/partnerships/new/",
        {"la_code": "850", "kind": "area_board", "name": "", "parent": str(cluster.pk)},
    )
    page = page_text(response)
    assert response.status_code == 200
    assert "Enter the structure's name" in page and "Enter start date" in page
    response = officer.post(
        "/partnerships/new/",
        {
            "la_code": "850",
            "kind": "area_board",
            "name": "Board",
            "parent": str(cluster.pk),
            "starts": "2019-09-01",
        },
    )
    # The service's rule, beside the field it is about.
    assert "sits under a structure of a higher tier" in page_text(response)
    assert not Partnership.objects.filter(name="Board").exists()


def test_an_officer_of_another_la_cannot_manage_the_structure(
    page_client: PageCheckingClient,
) -> None:
    cluster = tiers()["cluster"]
    LocalAuthorityFactory.create(code=851)
    sign_in_with_role(page_client, Role.LA_OFFICER, la_code=851)
    assert page_client.get(f"/partnerships/{cluster.pk}/members/new/").status_code == 403
    assert page_client.get(f"/partnerships/{cluster.pk}/meetings/new/").status_code == 403


def test_an_officer_adds_a_member_once(officer: PageCheckingClient) -> None:
    cluster = tiers()["cluster"]
    school = hampshire_school()
    form = {"urn": str(school.urn), "role": "member", "strength": "formal", "starts": "2019-09-01"}
    response = officer.post(f"/partnerships/{cluster.pk}/members/new/", form)
    assert response.status_code == 302
    membership = PartnershipMembership.objects.get(partnership=cluster, urn=school.urn)
    assert membership.starts == date(2019, 9, 1)
    again = officer.post(f"/partnerships/{cluster.pk}/members/new/", form)
    assert "is already a member for some of these dates" in page_text(again)
    bad = officer.post(f"/partnerships/{cluster.pk}/members/new/", form | {"urn": "12x"})
    assert "Enter the URN as digits" in page_text(bad)


def test_an_officer_ends_a_membership(officer: PageCheckingClient) -> None:
    cluster = tiers()["cluster"]
    membership = MembershipFactory.create(partnership=cluster)
    url = f"/partnerships/{cluster.pk}/members/{membership.pk}/end/"
    assert officer.post(url, {"ends": "2018-01-01"}).status_code == 200  # before it began
    assert officer.post(url, {"ends": "2019-12-31"}).status_code == 302
    membership.refresh_from_db()
    assert membership.ends == date(2019, 12, 31)
    other = PartnershipFactory.create()
    assert officer.get(f"/partnerships/{other.pk}/members/{membership.pk}/end/").status_code == 404


def test_a_board_member_records_a_meeting_of_their_area(page_client: PageCheckingClient) -> None:
    cluster, (chair, lead, member) = _meeting_world()
    sign_in_with_role(page_client, Role.BOARD_MEMBER, la_code=850, area="Winchester")
    url = f"/partnerships/{cluster.pk}/meetings/new/"
    assert "Alder Primary" in page_text(page_client.get(url))
    response = page_client.post(
        url,
        {"title": "Spring meeting", "held_on": "2020-02-04", "attendance": [str(lead.urn)]},
    )
    assert response.status_code == 302
    meeting = PartnershipMeeting.objects.get(title="Spring meeting")
    answers = dict(MeetingAttendance.objects.filter(meeting=meeting).values_list("urn", "attended"))
    assert answers == {chair.urn: False, lead.urn: True, member.urn: False}


def test_the_meeting_form_shows_what_is_wrong(page_client: PageCheckingClient) -> None:
    cluster, (chair, *_) = _meeting_world()
    sign_in_with_role(page_client, Role.BOARD_MEMBER, la_code=850, area="Winchester")
    url = f"/partnerships/{cluster.pk}/meetings/new/"
    future = timezone.localdate() + timedelta(days=3)
    page = page_text(page_client.post(url, {"title": "", "held_on": future.isoformat()}))
    assert "Enter the meeting's title" in page
    page = page_text(page_client.post(url, {"title": "Soon", "held_on": future.isoformat()}))
    assert "The date of the meeting cannot be in the future" in page
    # A school that joined after the meeting cannot have attended it as a member.
    late = MembershipFactory.create(partnership=cluster, starts=date(2019, 6, 1))
    early = {"title": "Early", "held_on": "2019-01-10", "attendance": [chair.urn, late.urn]}
    page = page_text(page_client.post(url, early))
    assert f"Not members on 10 January 2019: {late.urn}." in page
    assert not PartnershipMeeting.objects.filter(title__in=["Soon", "Early"]).exists()


def test_a_board_member_of_another_area_cannot_record_its_meetings(
    page_client: PageCheckingClient,
) -> None:
    cluster, _ = _meeting_world()
    sign_in_with_role(page_client, Role.BOARD_MEMBER, la_code=850, area="Gosport")
    assert page_client.get(f"/partnerships/{cluster.pk}/meetings/new/").status_code == 403
    assert page_client.get(f"/partnerships/{cluster.pk}/members/new/").status_code == 403


def _queries(client: PageCheckingClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_and_a_structure_page_take_the_same_queries_however_many_rows(
    officer: PageCheckingClient,
) -> None:
    made = tiers()
    cluster = made["cluster"]
    MembershipFactory.create(partnership=cluster)
    record_meeting(cluster, actor="test", held_on=date(2019, 10, 1), title="One")
    few = (_queries(officer, "/partnerships/"), _queries(officer, f"/partnerships/{cluster.pk}/"))
    for n in range(5):
        PartnershipFactory.create(name=f"More {n}", parent=made["board"])
        member = MembershipFactory.create(partnership=cluster)
        record_meeting(
            cluster,
            actor="test",
            held_on=date(2019, 11, n + 1),
            title=f"Meeting {n}",
            attendance={member.urn: True},
        )
    many = (_queries(officer, "/partnerships/"), _queries(officer, f"/partnerships/{cluster.pk}/"))
    assert many == few
