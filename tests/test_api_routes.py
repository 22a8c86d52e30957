"""Structural tests over the JSON API, the counterpart of ``tests/test_routes.py``.

Every route under ``/api/v1/`` must (a) be an operation that declares the
token scheme in the OpenAPI schema, or a guarded view (the schema itself), or
ninja's root, which is never a page; (b) have an entry in ``tests/api_access.py``;
and (c) return that status to each principal calling it with a token of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from convenor.config.api import api
from convenor.core.permissions import view_access
from convenor.core.tests.api_helpers import bearer, token_for
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory
from tests.access import (
    ANONYMOUS,
    LA_CODE,
    PRINCIPALS,
    SCHOOL_DISTRICT,
    SCHOOL_URN,
    principal_user,
)
from tests.api_access import API_ACCESS, API_NAMESPACE, NOT_OPERATIONS


@dataclass(frozen=True)
class ApiRoute:
    name: str
    path: str  # as the OpenAPI schema writes it: /api/v1/schools/{urn}


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[ApiRoute]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == API_NAMESPACE:
                for inner in entry.url_patterns:
                    assert isinstance(inner, URLPattern) and inner.name, inner
                    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern + str(inner.pattern))
                    yield ApiRoute(f"{API_NAMESPACE}:{inner.name}", path)
            else:
                yield from _walk(entry, pattern)


ROUTES = list(_walk(get_resolver()))
SCHEMA = api.get_openapi_schema()


def test_it_finds_the_api_routes() -> None:
    assert {r.name for r in ROUTES} >= {"api:schools", "api:school-indicators"}


def test_it_has_an_access_entry_for_every_api_route_and_no_other() -> None:
    names = {r.name for r in ROUTES}
    assert sorted(names - API_ACCESS.keys()) == [], "add these routes to tests/api_access.py"
    assert sorted(API_ACCESS.keys() - names) == [], "these entries match no route"


def test_every_operation_requires_a_token() -> None:
    security = {"ApiTokenAuth": {"type": "http", "scheme": "bearer"}}
    assert SCHEMA["components"]["securitySchemes"] == security
    operations = [r for r in ROUTES if r.name not in NOT_OPERATIONS]
    assert operations
    for route in operations:
        for method, operation in SCHEMA["paths"][route.path].items():
            assert operation.get("security") == [{"ApiTokenAuth": []}], (method, route.path)


def test_it_guards_the_schema_view() -> None:
    callback = get_resolver().resolve("/api/v1/openapi.json").func
    access = view_access(callback)
    assert access is not None and not access.public


@pytest.mark.parametrize("name", sorted(API_ACCESS))
def test_it_states_every_principals_status(name: str) -> None:
    assert sorted(API_ACCESS[name].expect) == sorted(PRINCIPALS)


def _headers_for(principal: str) -> dict[str, str]:
    if principal == ANONYMOUS:
        return {}
    user = principal_user(principal)
    return bearer(token_for(user))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "principal"),
    [(name, principal) for name in sorted(API_ACCESS) for principal in PRINCIPALS],
)
def test_it_gives_each_principal_the_expected_status(
    client: Client, name: str, principal: str
) -> None:
    LocalAuthorityFactory.create(code=LA_CODE)
    EstablishmentFactory.create(urn=SCHOOL_URN, la_code=LA_CODE, district=SCHOOL_DISTRICT)
    entry = API_ACCESS[name]
    url = reverse(name, kwargs=dict(entry.kwargs))
    response = client.get(f"{url}?{entry.query}", headers=_headers_for(principal))
    assert response.status_code == entry.expect[principal]
    if response.status_code == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
