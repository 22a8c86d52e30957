"""``convenor demo users``: one user per role, scoped to Hampshire."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from convenor.core.models import AuditEvent, Role, RoleAssignment
from convenor.core.permissions import has_role
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_hashing(settings) -> None:
    # The command sets eight passwords a run; scrypt would make that seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hampshire() -> None:
    LocalAuthorityFactory.create(code=850)
    EstablishmentFactory.create(urn=116336, district="Gosport")
    EstablishmentFactory.create(district="Winchester")


def _users() -> str:
    out = StringIO()
    call_command("demo", "users", stdout=out)
    return out.getvalue()


def test_it_creates_one_user_per_role_and_prints_them(hampshire) -> None:
    out = _users()
    assert sorted(RoleAssignment.objects.values_list("role", flat=True)) == sorted(Role.values)
    head = RoleAssignment.objects.get(role=Role.SCHOOL_LEADER)
    assert head.user.username == "head" and head.school_urn == 116336
    board = RoleAssignment.objects.get(role=Role.BOARD_MEMBER)
    assert (board.user.username, board.la_code, board.area) == ("board", 850, "Winchester")
    admin = RoleAssignment.objects.get(role=Role.ADMINISTRATOR).user
    assert admin.is_superuser and admin.check_password("convenor-demo")
    assert "board       Partnership board member / LA 850, Winchester" in out
    assert "head        School leader / URN 116336" in out


def test_it_changes_nothing_on_a_second_run(hampshire) -> None:
    _users()
    events = AuditEvent.objects.count()
    _users()
    assert RoleAssignment.objects.count() == len(Role)
    assert AuditEvent.objects.count() == events
    assert has_role(RoleAssignment.objects.get(role=Role.LA_OFFICER).user, Role.LA_OFFICER)


def test_it_asks_for_the_register_before_giving_roles() -> None:
    with pytest.raises(CommandError, match="load the Hampshire register first"):
        _users()
    assert not RoleAssignment.objects.exists()


@override_settings(PRODUCTION=True)
def test_it_refuses_in_production(hampshire) -> None:
    with pytest.raises(CommandError, match="not created in production"):
        _users()
