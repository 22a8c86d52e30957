"""Structural tests over the whole URL map (STYLE.md habit 6).

Every route outside ``admin/``, the JSON API (checked by
``tests/test_api_routes.py``) and static files must (a) carry a guard from
``convenor.core.permissions`` (``role_required`` or ``public_view``), (b) have
an entry in ``tests/access.py`` naming the status each principal gets, and (c)
return that status when each principal asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from convenor.core.permissions import view_access
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalAuthorityFactory,
)
from tests.access import (
    ACCESS,
    ANONYMOUS,
    GROUP_UID,
    LA_CODE,
    PRINCIPALS,
    SCHOOL_DISTRICT,
    SCHOOL_URN,
    SUBJECT_USER_PK,
    SUBJECT_USERNAME,
    principal_user,
)
from tests.api_access import API_NAMESPACE


@dataclass(frozen=True)
class Route:
    name: str | None
    pattern: str
    callback: Callable[..., object]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if pattern.startswith("admin/"):
                continue  # Django's admin guards itself (staff only)
            if entry.namespace == API_NAMESPACE:
                continue  # the JSON API answers tokens, not sessions: tests/test_api_routes.py
            inner = entry.namespace or ""
            yield from _walk(entry, pattern, f"{namespace}:{inner}".strip(":"))
        elif isinstance(entry, URLPattern):
            if entry.callback is serve or pattern.startswith(settings.STATIC_URL.lstrip("/")):
                continue
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else None
            yield Route(name, pattern, entry.callback)


ROUTES = list(_walk(get_resolver()))


def test_it_finds_routes_to_check() -> None:
    assert any(route.name == "schools:list" for route in ROUTES)


def test_it_guards_every_route() -> None:
    unguarded = [f"{r.pattern} ({r.name})" for r in ROUTES if view_access(r.callback) is None]
    assert unguarded == [], "wrap these views in role_required(...) or public_view"


def test_it_names_every_route() -> None:
    # The access table is keyed by name, so a nameless route could not be checked.
    assert [r.pattern for r in ROUTES if r.name is None] == []


def test_it_has_an_access_entry_for_every_route_and_no_other() -> None:
    names = {r.name for r in ROUTES if r.name}
    assert sorted(names - ACCESS.keys()) == [], "add these routes to tests/access.py"
    assert sorted(ACCESS.keys() - names) == [], "these tests/access.py entries match no route"


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_it_states_every_principals_status(name: str) -> None:
    assert sorted(ACCESS[name].expect) == sorted(PRINCIPALS)


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_it_admits_the_public_to_public_routes_only(name: str) -> None:
    # Only a route marked public_view may answer an anonymous visitor with a page.
    route = next(r for r in ROUTES if r.name == name)
    access = view_access(route.callback)
    assert access is not None
    if not access.public:
        assert ACCESS[name].expect[ANONYMOUS] == 302


def _sign_in(client: Client, principal: str) -> None:
    if principal == ANONYMOUS:
        return
    user = principal_user(principal)
    client.force_login(user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "principal"),
    [(name, principal) for name in sorted(ACCESS) for principal in PRINCIPALS],
)
def test_it_gives_each_principal_the_expected_status(
    client: Client, name: str, principal: str
) -> None:
    LocalAuthorityFactory.create(code=LA_CODE)
    EstablishmentFactory.create(urn=SCHOOL_URN, la_code=LA_CODE, district=SCHOOL_DISTRICT)
    GroupFactory.create(uid=GROUP_UID)
    GroupMembershipFactory.create(urn=SCHOOL_URN, group_uid=GROUP_UID)
    get_user_model().objects.create_user(SUBJECT_USERNAME, pk=SUBJECT_USER_PK)
    _sign_in(client, principal)
    entry = ACCESS[name]
    response = client.get(reverse(name, kwargs=dict(entry.kwargs)))
    assert response.status_code == entry.expect[principal]
    route = next(r for r in ROUTES if r.name == name)
    access = view_access(route.callback)
    if principal == ANONYMOUS and response.status_code == 302 and not (access and access.public):
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
