"""Which roles are in force, and which schools each role sees in full."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from convenor.core.models import Role
from convenor.core.permissions import (
    ANY_ROLE,
    active_roles,
    can_see_school_detail,
    get_establishment_for_user,
    has_role,
    public_view,
    role_required,
    schools_in_full_scope,
    view_access,
)
from convenor.core.services import assign_role, revoke_role
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    EstablishmentLinkFactory,
    LocalAuthorityFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools():
    """Two Hampshire schools in different districts, one converted, and one Dorset school."""
    LocalAuthorityFactory.create(code=850)
    LocalAuthorityFactory.create(code=838, name="Dorset")
    return {
        "winchester": EstablishmentFactory.create(urn=116000, district="Winchester"),
        "gosport": EstablishmentFactory.create(urn=116336, district="Gosport"),
        "academy": EstablishmentFactory.create(urn=145000, district="Gosport", is_academy=True),
        "dorset": EstablishmentFactory.create(urn=113000, la_code=838, district="Dorset"),
    }


def _urns(user) -> set[int]:
    return set(schools_in_full_scope(user).values_list("urn", flat=True))


@pytest.mark.parametrize("role", [Role.LA_OFFICER, Role.PLACE_PLANNER, Role.INCLUSION_OFFICER])
def test_it_scopes_la_wide_roles_to_their_la(schools, role) -> None:
    user = UserFactory.create()
    assign_role(user, role, actor="steward", la_code=850)
    assert _urns(user) == {116000, 116336, 145000}


def test_it_keeps_elected_members_to_aggregate_reports(schools) -> None:
    councillor = UserFactory.create()
    assign_role(councillor, Role.ELECTED_MEMBER, actor="steward", la_code=850)
    assert _urns(councillor) == set()


def test_it_scopes_a_board_member_to_their_area(schools) -> None:
    user = UserFactory.create()
    assign_role(user, Role.BOARD_MEMBER, actor="steward", la_code=850, area="Gosport")
    assert _urns(user) == {116336, 145000}


def test_it_lets_a_school_leader_see_their_school_under_its_earlier_urn(schools) -> None:
    # The academy (145000) is the successor of the community school (116336).
    EstablishmentLinkFactory.create(urn=145000, link_urn=116336, link_type="Predecessor")
    EstablishmentLinkFactory.create(urn=116336, link_urn=145000, link_type="Successor")
    head = UserFactory.create()
    assign_role(head, Role.SCHOOL_LEADER, actor="steward", school_urn=145000)
    assert _urns(head) == {116336, 145000}
    assert can_see_school_detail(head, schools["gosport"])
    assert not can_see_school_detail(head, schools["winchester"])


def test_it_gives_a_system_leader_no_school_in_full(schools) -> None:
    user = RoleAssignmentFactory.create(role=Role.SYSTEM_LEADER).user
    assert _urns(user) == set()


def test_it_gives_an_administrator_and_a_superuser_every_school(schools) -> None:
    admin = RoleAssignmentFactory.create(role=Role.ADMINISTRATOR).user
    superuser = UserFactory.create(is_superuser=True, is_staff=True)
    assert _urns(admin) == _urns(superuser) == {116000, 116336, 145000, 113000}
    assert [a.role for a in active_roles(superuser)] == [Role.ADMINISTRATOR]


def test_it_gives_nobody_without_a_role_any_school(schools) -> None:
    assert _urns(UserFactory.create()) == set()
    assert _urns(AnonymousUser()) == set()
    assert not has_role(UserFactory.create(is_staff=True), *ANY_ROLE)


def test_it_adds_up_the_scopes_of_several_roles(schools) -> None:
    user = UserFactory.create()
    assign_role(user, Role.BOARD_MEMBER, actor="steward", la_code=850, area="Winchester")
    assign_role(user, Role.LA_OFFICER, actor="steward", la_code=838)
    assert _urns(user) == {116000, 113000}


def test_it_counts_only_roles_in_force_on_the_day(schools) -> None:
    user = UserFactory.create()
    today = timezone.localdate()
    assign_role(user, Role.LA_OFFICER, actor="steward", la_code=850, ends=today)
    assign_role(
        user, Role.PLACE_PLANNER, actor="steward", la_code=850, starts=today + timedelta(days=1)
    )
    assert [a.role for a in active_roles(user)] == [Role.LA_OFFICER]
    assert [a.role for a in active_roles(user, on=today + timedelta(days=1))] == [
        Role.PLACE_PLANNER
    ]
    assert active_roles(user, on=date(2000, 1, 1))[0].role == Role.LA_OFFICER
    assert has_role(user, Role.LA_OFFICER) and not has_role(user, Role.PLACE_PLANNER)


def test_it_forgets_a_revoked_role(schools) -> None:
    assignment = RoleAssignmentFactory.create(role=Role.LA_OFFICER)
    revoke_role(assignment, actor="steward")
    assert not has_role(assignment.user, Role.LA_OFFICER)
    assert _urns(assignment.user) == set()


def test_it_ignores_the_roles_of_a_deactivated_user(schools) -> None:
    user = RoleAssignmentFactory.create(role=Role.LA_OFFICER).user
    user.is_active = False
    assert active_roles(user) == []


def test_it_shows_published_data_of_any_school_but_detail_only_in_scope(schools) -> None:
    head = UserFactory.create()
    assign_role(head, Role.SCHOOL_LEADER, actor="steward", school_urn=116000)
    assert get_establishment_for_user(head, 116336) == schools["gosport"]
    assert get_establishment_for_user(head, 116000, restricted=True) == schools["winchester"]
    with pytest.raises(PermissionDenied):
        get_establishment_for_user(head, 116336, restricted=True)
    with pytest.raises(Http404):
        get_establishment_for_user(head, 999999)
    with pytest.raises(PermissionDenied):
        get_establishment_for_user(AnonymousUser(), 116336)


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def test_it_guards_a_view_by_role(schools) -> None:
    view = role_required(Role.LA_OFFICER, Role.BOARD_MEMBER)(_page)
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = AnonymousUser()
    response = view(request)
    assert response.status_code == 302 and "next=/somewhere/%3Fx%3D1" in response["Location"]
    request.user = RoleAssignmentFactory.create(role=Role.SYSTEM_LEADER).user
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = RoleAssignmentFactory.create(role=Role.BOARD_MEMBER).user
    assert view(request).status_code == 200


def test_it_records_how_a_view_is_guarded() -> None:
    guarded = role_required(Role.LA_OFFICER)(_page)
    assert view_access(guarded) is not None
    assert view_access(guarded).roles == {Role.LA_OFFICER}  # type: ignore[union-attr]

    def sign_in(request: HttpRequest) -> HttpResponse:
        return HttpResponse("sign in")

    assert view_access(public_view(sign_in)).public  # type: ignore[union-attr]
    assert view_access(lambda request: HttpResponse()) is None


def test_it_refuses_a_guard_without_known_roles() -> None:
    with pytest.raises(ValueError, match="role_required needs roles"):
        role_required()
    with pytest.raises(ValueError, match="role_required needs roles"):
        role_required("headteacher")
