"""The users pages: listing, creating, roles, deactivating."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convenor.core.models import AuditEvent, Role, RoleAssignment
from convenor.core.services import assign_role, deactivate_user
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db
STRONG = "granite otter lantern 42"


@pytest.fixture
def hampshire() -> None:
    LocalAuthorityFactory.create(code=850)
    EstablishmentFactory.create(urn=116336, la_code=850, district="Gosport")


@pytest.fixture
def steward() -> User:
    user = UserFactory.create(username="steward")
    assign_role(user, Role.ADMINISTRATOR, actor="setup")
    return user


@pytest.fixture
def administrator(page_client: PageCheckingClient, steward: User) -> PageCheckingClient:
    page_client.force_login(steward)
    return page_client


@pytest.fixture
def officer(hampshire: None) -> User:
    user = UserFactory.create(username="officer", first_name="Ada", last_name="Lovelace")
    assign_role(user, Role.LA_OFFICER, actor="setup", la_code=850)
    return user


def _page(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def _new_user(**values: object) -> dict[str, object]:
    form: dict[str, object] = {
        "username": "newhead",
        "full_name": "Grace  Brewster Hopper",
        "email": "grace@example.org",
        "password": STRONG,
        "role": Role.SCHOOL_LEADER,
        "school_urn": "116336",
    }
    blank = dict.fromkeys(("la_code", "area", "remit", "starts", "ends"), "")
    return {**blank, **form, **values}


def _role(**values: object) -> dict[str, object]:
    blank = dict.fromkeys(("la_code", "area", "school_urn", "remit", "starts", "ends"), "")
    return {**blank, **values}


def _events_since(count: int) -> list[str]:
    return [e.action for e in AuditEvent.objects.order_by("pk")[count:]]


# The list


def test_it_lists_users_with_the_roles_they_hold_today(
    administrator: PageCheckingClient, officer: User
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    assign_role(officer, Role.PLACE_PLANNER, actor="setup", la_code=850, ends=yesterday)
    page = _page(administrator.get("/users/"))
    assert '<h1 class="govuk-heading-l">Users</h1>' in page
    assert f'href="/users/{officer.pk}/">officer</a>' in page and "Ada Lovelace" in page
    assert "LA school improvement officer or adviser: LA 850" in page
    assert "Place planning officer" not in page  # ended yesterday


def test_it_searches_by_username_full_name_or_email(
    administrator: PageCheckingClient, officer: User
) -> None:
    UserFactory.create(username="planner", first_name="Alan", last_name="Turing")
    page = _page(administrator.get("/users/?q=ada+love"))
    assert "officer" in page and "planner" not in page
    page = _page(administrator.get("/users/?q=PLANNER@example"))
    assert "Alan Turing" in page and "Ada Lovelace" not in page


def test_it_lists_users_in_a_fixed_number_of_queries(administrator: PageCheckingClient) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert administrator.get("/users/").status_code == 200
        return len(captured)

    RoleAssignmentFactory.create(role=Role.SYSTEM_LEADER)
    few = queries()
    for _ in range(30):
        RoleAssignmentFactory.create(role=Role.LA_OFFICER)
    assert queries() == few


# Creating a user


def test_it_creates_a_user_who_can_sign_in(
    administrator: PageCheckingClient, hampshire: None
) -> None:
    before = AuditEvent.objects.count()
    response = administrator.post("/users/new/", _new_user())
    user = User.objects.get(username="newhead")
    assert response.status_code == 302 and response["Location"] == f"/users/{user.pk}/"
    assert user.get_full_name() == "Grace Brewster Hopper" and user.email == "grace@example.org"
    assert _events_since(before) == ["user.created", "role.assigned"]
    created = AuditEvent.objects.get(action="user.created")
    assert created.actor_label == "steward" and STRONG not in str(created.detail)
    page = _page(administrator.get(response["Location"]))
    assert "Account newhead created. They can sign in now." in page
    assert "School leader" in page and "URN 116336" in page

    newcomer = PageCheckingClient()
    signed_in = newcomer.post("/sign-in/", {"username": "newhead", "password": STRONG})
    assert signed_in.status_code == 302 and "_auth_user_id" in newcomer.session


def test_it_shows_every_problem_with_a_new_user_and_saves_nothing(
    administrator: PageCheckingClient, officer: User
) -> None:
    before = (User.objects.count(), AuditEvent.objects.count())
    response = administrator.post(
        "/users/new/",
        _new_user(
            username="Officer",
            password="password",
            role=Role.LA_OFFICER,
            la_code="936",
            school_urn="",
        ),
    )
    assert response.status_code == 200
    page = _page(response)
    assert "<title>Error: Add a user" in page
    assert "already exists" in page  # the username, in another case
    assert "This password is too common." in page
    assert '<a href="#id_la_code">There is no local authority 936 in the register.</a>' in page
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_it_asks_for_the_fields_it_needs(administrator: PageCheckingClient) -> None:
    page = _page(administrator.post("/users/new/", _role()))
    for message in ("Enter a username", "Enter their full name", "Enter an email address"):
        assert message in page
    assert "Enter an initial password" in page and "Choose a role" in page
    assert not User.objects.exclude(username="steward").exists()


# Roles


def test_it_adds_a_role(administrator: PageCheckingClient, officer: User) -> None:
    response = administrator.post(
        f"/users/{officer.pk}/",
        _role(role=Role.BOARD_MEMBER, la_code="850", area="Gosport", starts="2025-09-01"),
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=officer, role=Role.BOARD_MEMBER)
    assert assignment.area == "Gosport" and assignment.starts == date(2025, 9, 1)
    event = AuditEvent.objects.filter(action="role.assigned").latest("pk")
    assert event.object_id == str(assignment.pk) and event.actor_label == "steward"
    page = _page(administrator.get(response["Location"]))
    assert "officer is now Partnership board member (LA 850, Gosport)." in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"role": Role.SCHOOL_LEADER}, '<a href="#id_school_urn">School URN is needed'),
        (
            {"role": Role.PLACE_PLANNER, "la_code": "936"},
            '<a href="#id_la_code">There is no local authority 936 in the register.</a>',
        ),
        (
            {"role": Role.BOARD_MEMBER, "la_code": "850", "area": "Winchestr"},
            "<a href=\"#id_area\">No establishment in LA 850 is in the district 'Winchestr'",
        ),
        (
            {"role": Role.ADMINISTRATOR, "starts": "2025-09-01", "ends": "2025-08-01"},
            '<a href="#id_ends">The last day cannot come before the first.</a>',
        ),
        (
            {"role": Role.LA_OFFICER, "la_code": "850"},
            '<a href="#id_role">officer already holds this role in this scope',
        ),
        ({"role": Role.LA_OFFICER, "la_code": "Hants"}, "Enter the LA code as 3 digits"),
    ],
)
def test_it_shows_a_bad_scope_and_writes_nothing(
    administrator: PageCheckingClient, officer: User, form: dict[str, str], message: str
) -> None:
    before = (RoleAssignment.objects.count(), AuditEvent.objects.count())
    response = administrator.post(f"/users/{officer.pk}/", _role(**form))
    assert response.status_code == 200
    page = _page(response)
    assert "<title>Error: officer" in page and message in page
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_it_revokes_a_role_by_post(administrator: PageCheckingClient, officer: User) -> None:
    assignment = officer.role_assignments.get()
    response = administrator.post(
        f"/users/{officer.pk}/roles/revoke/", {"assignment": assignment.pk}
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    event = AuditEvent.objects.get(action="role.revoked")
    assert event.object_id == str(assignment.pk) and event.actor_label == "steward"
    page = _page(administrator.get(response["Location"]))
    assert "officer is no longer LA school improvement officer or adviser (LA 850)." in page


def test_it_revokes_only_the_roles_of_the_user_in_the_address(
    administrator: PageCheckingClient, officer: User, steward: User
) -> None:
    theirs = officer.role_assignments.get()
    url = f"/users/{steward.pk}/roles/revoke/"
    assert administrator.post(url, {"assignment": theirs.pk}).status_code == 404
    assert administrator.post(url, {"assignment": "one"}).status_code == 404
    assert RoleAssignment.objects.filter(pk=theirs.pk).exists()


def test_it_changes_nothing_by_get(administrator: PageCheckingClient, officer: User) -> None:
    before = AuditEvent.objects.count()
    assignment = officer.role_assignments.get()
    for action in ("roles/revoke", "deactivate", "reactivate"):
        url = f"/users/{officer.pk}/{action}/?assignment={assignment.pk}"
        assert administrator.get(url).status_code == 405
    officer.refresh_from_db()
    assert officer.is_active and RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_change_without_the_csrf_token(steward: User, officer: User) -> None:
    client = PageCheckingClient(enforce_csrf_checks=True)
    client.force_login(steward)
    assignment = officer.role_assignments.get()
    url = f"/users/{officer.pk}/roles/revoke/"
    # Django's own CSRF failure page is not a GOV.UK page, so it is not checked as one.
    with client.unchecked():
        assert client.post(url, {"assignment": assignment.pk}).status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


# Deactivating


def test_it_deactivates_and_reactivates_a_user(
    administrator: PageCheckingClient, officer: User
) -> None:
    theirs = PageCheckingClient()
    theirs.force_login(officer)
    assert theirs.get("/").status_code == 200

    response = administrator.post(f"/users/{officer.pk}/deactivate/")
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    assert AuditEvent.objects.filter(action="user.deactivated", object_id=officer.pk).exists()
    page = _page(administrator.get(response["Location"]))
    assert "officer can no longer sign in." in page and "Reactivate account" in page
    # Their open session ends at once.
    assert theirs.get("/")["Location"].startswith("/sign-in/")

    response = administrator.post(f"/users/{officer.pk}/reactivate/")
    officer.refresh_from_db()
    assert officer.is_active and officer.role_assignments.exists()
    assert AuditEvent.objects.filter(action="user.reactivated", object_id=officer.pk).exists()


def test_it_will_not_let_administrators_deactivate_themselves(
    administrator: PageCheckingClient, steward: User
) -> None:
    page = _page(administrator.get(f"/users/{steward.pk}/"))
    assert "Deactivate account" not in page and "This is your own account." in page
    response = administrator.post(f"/users/{steward.pk}/deactivate/")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in _page(response)
    steward.refresh_from_db()
    assert steward.is_active


def test_it_explains_reactivating_an_active_user(
    administrator: PageCheckingClient, officer: User
) -> None:
    response = administrator.post(f"/users/{officer.pk}/reactivate/")
    assert response.status_code == 400
    assert "officer is already active." in _page(response)


def test_it_shows_a_deactivated_users_page(
    administrator: PageCheckingClient, officer: User, steward: User
) -> None:
    deactivate_user(officer, actor=steward)
    page = _page(administrator.get(f"/users/{officer.pk}/"))
    assert "Deactivated" in page and "none of its roles is in force" in page
    assert "Deactivated" in _page(administrator.get("/users/"))


# Who may


ADMIN_PAGES = ("/users/", "/users/new/", "/users/{pk}/")
ADMIN_POSTS = ("/users/new/", "/users/{pk}/", "/users/{pk}/deactivate/")


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_it_refuses_everyone_but_administrators(
    page_client: PageCheckingClient, officer: User, role: Role
) -> None:
    page_client.force_login(RoleAssignmentFactory.create(role=role).user)
    before = (User.objects.count(), AuditEvent.objects.count())
    for url in ADMIN_PAGES:
        assert page_client.get(url.format(pk=officer.pk)).status_code == 403
    for url in ADMIN_POSTS:
        response = page_client.post(url.format(pk=officer.pk), _new_user(role=Role.ADMINISTRATOR))
        assert response.status_code == 403
    officer.refresh_from_db()
    assert officer.is_active
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_it_sends_anonymous_visitors_to_sign_in(
    page_client: PageCheckingClient, officer: User
) -> None:
    for url in (*ADMIN_PAGES, "/users/{pk}/deactivate/"):
        response = page_client.post(url.format(pk=officer.pk))
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
    officer.refresh_from_db()
    assert officer.is_active


def test_it_shows_the_audit_and_users_links_to_administrators_only(
    page_client: PageCheckingClient, administrator: PageCheckingClient, officer: User
) -> None:
    page = _page(administrator.get("/users/"))
    assert 'href="/audit/">Audit</a>' in page
    assert (
        'aria-current="true"><strong class="govuk-service-navigation__active-fallback">Users'
        in (page)
    )
    other = PageCheckingClient()
    other.force_login(officer)
    page = _page(other.get("/"))
    assert 'href="/audit/"' not in page and 'href="/users/"' not in page
