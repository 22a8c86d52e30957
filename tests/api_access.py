"""Who gets what from every route of the JSON API: the table ``tests/test_api_routes.py`` checks.

The API answers tokens, not sessions, so it has its own table beside
``tests/access.py``, with the same principals and scope (one Hampshire
school, URN 116336). For an anonymous caller (no token) the API answers 401
rather than sending anyone to sign in; a token whose user holds no role gets
403. Everything in the API so far is published data, open to every role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from convenor.core.models import Role
from tests.access import ANONYMOUS, NO_ROLE, PRINCIPALS, SCHOOL_URN

API_NAMESPACE = "api"


@dataclass(frozen=True)
class ApiRouteAccess:
    """Expected status per principal, with the URL kwargs and query string to call it with."""

    expect: Mapping[str, int]
    kwargs: Mapping[str, object] = field(default_factory=dict)
    query: str = ""


def api_for_roles(*roles: Role, ok: int = 200) -> dict[str, int]:
    """``ok`` for ``roles``, 403 for other users' tokens, 401 without a token."""
    return {
        ANONYMOUS: 401,
        NO_ROLE: 403,
        **{role.value: ok if role in roles else 403 for role in Role},
    }


SCHOOL = {"urn": SCHOOL_URN}

API_ACCESS: dict[str, ApiRouteAccess] = {
    # ninja's root: only there so ninja can reverse its own URLs; it is never a page.
    "api:api-root": ApiRouteAccess(expect=dict.fromkeys(PRINCIPALS, 404)),
    "api:openapi-json": ApiRouteAccess(expect=api_for_roles(*Role)),
    "api:schools": ApiRouteAccess(expect=api_for_roles(*Role)),
    "api:school": ApiRouteAccess(expect=api_for_roles(*Role), kwargs=SCHOOL),
    "api:school-inspections": ApiRouteAccess(expect=api_for_roles(*Role), kwargs=SCHOOL),
    "api:school-indicators": ApiRouteAccess(
        expect=api_for_roles(*Role), kwargs=SCHOOL, query="family=ks2"
    ),
}

# Routes of the API that are not operations and need no token.
NOT_OPERATIONS = frozenset({"api:api-root", "api:openapi-json"})
