"""Giving and taking away roles."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from convenor.core.models import AuditEvent, Role, RoleAssignment
from convenor.core.services import assign_role, revoke_role
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
