"""Giving and taking away roles; creating, deactivating and reactivating users."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from convenor.core.models import AuditEvent, Role, RoleAssignment
from convenor.core.permissions import has_role
from convenor.core.services import (
    assign_role,
    create_user,
    deactivate_user,
    reactivate_user,
    revoke_role,
)
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hampshire():
    LocalAuthorityFactory.create(code=850)
    return EstablishmentFactory.create(urn=116336, la_code=850, district="Gosport")


def test_it_assigns_a_role_and_audits_it(hampshire) -> None:
    admin, user = UserFactory.create(username="steward"), UserFactory.create(username="officer")
    assignment = assign_role(user, Role.LA_OFFICER, actor=admin, la_code=850)
    assert assignment.created_by == admin
    event = AuditEvent.objects.get(action="role.assigned")
    assert event.actor == admin and event.object_id == str(assignment.pk)
    assert event.detail["user"] == "officer" and event.detail["la_code"] == 850


def test_it_revokes_a_role_and_keeps_what_it_was_in_the_audit_trail(hampshire) -> None:
    assignment = assign_role(
        UserFactory.create(username="head"), Role.SCHOOL_LEADER, actor="steward", school_urn=116336
    )
    pk = assignment.pk
    revoke_role(assignment, actor="steward")
    assert not RoleAssignment.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="role.revoked")
    assert event.object_id == str(pk) and event.actor_label == "steward"
    assert event.detail["role"] == "school_leader" and event.detail["school_urn"] == 116336


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        (Role.SCHOOL_LEADER, {}, "school_urn"),
        (Role.LA_OFFICER, {}, "la_code"),
        (Role.PLACE_PLANNER, {}, "la_code"),
        (Role.INCLUSION_OFFICER, {}, "la_code"),
        (Role.ELECTED_MEMBER, {}, "la_code"),
        (Role.BOARD_MEMBER, {"la_code": 850}, "area"),
        (Role.ADMINISTRATOR, {"la_code": 850}, "la_code"),
        (Role.LA_OFFICER, {"la_code": 850, "school_urn": 116336}, "school_urn"),
        (Role.LA_OFFICER, {"la_code": 8500}, "la_code"),
    ],
)
def test_it_rejects_a_scope_that_does_not_fit_the_role(hampshire, role, scope, field) -> None:
    with pytest.raises(ValidationError) as raised:
        assign_role(UserFactory.create(), role, actor="steward", **scope)
    assert field in raised.value.message_dict
    assert not RoleAssignment.objects.exists() and not AuditEvent.objects.exists()


def test_it_names_the_field_and_the_role_in_the_message(hampshire) -> None:
    with pytest.raises(ValidationError) as raised:
        assign_role(UserFactory.create(), Role.SCHOOL_LEADER, actor="steward")
    assert raised.value.message_dict == {
        "school_urn": ["School URN is needed for the role “School leader”."]
    }


def test_it_rejects_an_la_a_school_or_an_area_not_in_the_register(hampshire) -> None:
    user = UserFactory.create()
    with pytest.raises(ValidationError, match="no local authority 936"):
        assign_role(user, Role.LA_OFFICER, actor="steward", la_code=936)
    with pytest.raises(ValidationError, match="no establishment with URN 999999"):
        assign_role(user, Role.SCHOOL_LEADER, actor="steward", school_urn=999999)
    with pytest.raises(ValidationError, match="district 'Winchestr'"):
        assign_role(user, Role.BOARD_MEMBER, actor="steward", la_code=850, area="Winchestr")


def test_it_rejects_a_last_day_before_the_first(hampshire) -> None:
    with pytest.raises(ValidationError) as raised:
        assign_role(
            UserFactory.create(),
            Role.ADMINISTRATOR,
            actor="steward",
            starts=date(2025, 9, 1),
            ends=date(2025, 8, 31),
        )
    assert "ends" in raised.value.message_dict


def test_it_rejects_the_same_role_twice_for_overlapping_dates(hampshire) -> None:
    user = UserFactory.create()
    assign_role(user, Role.LA_OFFICER, actor="steward", la_code=850, ends=date(2025, 8, 31))
    with pytest.raises(ValidationError, match="already holds this role"):
        assign_role(user, Role.LA_OFFICER, actor="steward", la_code=850)
    later = assign_role(
        user, Role.LA_OFFICER, actor="steward", la_code=850, starts=date(2025, 9, 1)
    )
    assert later.pk is not None


def test_it_gives_every_role_through_the_factory_in_the_scope_it_needs() -> None:
    for role in Role:
        assert RoleAssignmentFactory.create(role=role).role == role


def test_it_backs_the_scope_rule_with_a_database_constraint(hampshire) -> None:
    # Anything that bypasses the service still cannot store a school leader without a school.
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=UserFactory.create(), role=Role.SCHOOL_LEADER)


# Users

STRONG = "granite otter lantern 42"


def _create(**values):
    arguments = {
        "full_name": "Grace Hopper",
        "email": "grace@example.org",
        "password": STRONG,
        "role": Role.LA_OFFICER,
        "la_code": 850,
        "actor": "steward",
        **values,
    }
    return create_user(arguments.pop("username", "grace"), **arguments)


def test_it_creates_a_user_with_a_role_and_audits_both(hampshire) -> None:
    user = _create(full_name="  Grace   Brewster Hopper ", email="grace@EXAMPLE.org")
    assert user.check_password(STRONG) and user.is_active
    assert user.get_full_name() == "Grace Brewster Hopper"
    assert user.email == "grace@example.org"
    assert user.role_assignments.get().la_code == 850
    created, assigned = AuditEvent.objects.order_by("pk")
    assert (created.action, assigned.action) == ("user.created", "role.assigned")
    assert created.object_id == str(user.pk) and created.actor_label == "steward"
    assert created.detail == {
        "username": "grace",
        "full_name": "Grace Brewster Hopper",
        "email": "grace@example.org",
    }


def test_it_names_every_problem_with_a_new_user_and_saves_nothing(hampshire) -> None:
    UserFactory.create(username="Grace")
    with pytest.raises(ValidationError) as raised:
        _create(
            username="grace", full_name=" ", email="not-an-email", password="grace123", la_code=936
        )
    problems = raised.value.message_dict
    assert sorted(problems) == ["email", "full_name", "la_code", "password", "username"]
    assert "no local authority 936" in problems["la_code"][0]
    assert list(User.objects.values_list("username", flat=True)) == ["Grace"]
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_scope_that_does_not_fit_the_first_role(hampshire) -> None:
    with pytest.raises(ValidationError) as raised:
        _create(role=Role.SCHOOL_LEADER, la_code=None)
    assert list(raised.value.message_dict) == ["school_urn"]
    assert not User.objects.exists() and not AuditEvent.objects.exists()


def test_it_deactivates_and_reactivates_a_user_keeping_their_roles(hampshire) -> None:
    steward = UserFactory.create(username="steward")
    officer = RoleAssignmentFactory.create(role=Role.LA_OFFICER).user
    deactivate_user(officer, actor=steward)
    officer.refresh_from_db()
    assert not officer.is_active and not has_role(officer, Role.LA_OFFICER)
    reactivate_user(officer, actor=steward)
    officer.refresh_from_db()
    assert officer.is_active and has_role(officer, Role.LA_OFFICER)
    events = AuditEvent.objects.filter(object_type="user").order_by("pk")
    assert [(e.action, e.actor_label, e.object_id) for e in events] == [
        ("user.deactivated", "steward", str(officer.pk)),
        ("user.reactivated", "steward", str(officer.pk)),
    ]


def test_it_refuses_to_deactivate_the_actor_or_to_repeat_a_change() -> None:
    steward, officer = UserFactory.create(), UserFactory.create()
    with pytest.raises(ValidationError, match="your own account"):
        deactivate_user(steward, actor=steward)
    with pytest.raises(ValidationError, match="already active"):
        reactivate_user(officer, actor=steward)
    deactivate_user(officer, actor=steward)
    with pytest.raises(ValidationError, match="already deactivated"):
        deactivate_user(officer, actor=steward)
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1
