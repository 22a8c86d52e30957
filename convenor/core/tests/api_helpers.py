"""Helpers for tests of the JSON API: a token for a user in a role, and its header."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from convenor.core.models import Role
from convenor.core.services import create_api_token
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory


def bearer(secret: str) -> dict[str, str]:
    """The headers that present ``secret`` to the API."""
    return {"Authorization": f"Bearer {secret}"}


def token_for(user: User | None = None, **kwargs: Any) -> str:
    """A working token's secret for ``user`` (default: a new user)."""
    _, secret = create_api_token(user or UserFactory.create(), actor="test", name="test", **kwargs)
    return secret


def role_headers(role: Role = Role.SYSTEM_LEADER) -> dict[str, str]:
    """Headers for a new user holding ``role`` (default one with no school scope)."""
    assignment = RoleAssignmentFactory.create(role=role)
    return bearer(token_for(assignment.user))
