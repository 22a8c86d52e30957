"""What the brokerage page and glue tests share: users with roles, category decisions,
and reading a page's text."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User

from convenor.brokerage.services import add_provider_manager
from convenor.core.models import Role
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.intelligence.categorisation import install_default_frameworks
from convenor.intelligence.models import (
    Category,
    CategoryDecision,
    CategoryFramework,
    CategoryTrack,
    DecidedAs,
)
from convenor.schools.tests.factories import LocalAuthorityFactory


def text(response: Any) -> str:
    """The page's words, tags removed and spaces collapsed."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


def user_with(role: Role, **scope: Any) -> User:
    """A new user holding ``role`` in ``scope`` (the LA made if need be)."""
    if scope.get("la_code") is not None:
        LocalAuthorityFactory.create(code=scope["la_code"])
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=role, **scope)
    return user


def officer(la_code: int = 850) -> User:
    return user_with(Role.LA_OFFICER, la_code=la_code)


def board_member(area: str = "Winchester", la_code: int = 850) -> User:
    return user_with(Role.BOARD_MEMBER, la_code=la_code, area=area)


def leader(urn: int) -> User:
    return user_with(Role.SCHOOL_LEADER, school_urn=urn)


def system_leader(*providers: Any) -> User:
    user = user_with(Role.SYSTEM_LEADER)
    for provider in providers:
        add_provider_manager(provider, actor="test", user=user, starts=date(2018, 1, 1))
    return user


def category(order: int, track: str = CategoryTrack.MAINTAINED, la_code: int = 850) -> Category:
    """A category of the LA's default framework (made if need be)."""
    if not CategoryFramework.objects.filter(la_code=la_code).exists():
        install_default_frameworks(actor="test", la_code=la_code, effective_from=date(2015, 9, 1))
    return Category.objects.get(framework__la_code=la_code, framework__track=track, order=order)


def decide(urn: int, order: int, *, as_at: date = date(2019, 7, 1), **values: Any) -> Any:
    """A category decision for ``urn`` on the default framework, as an officer."""
    chosen = category(order, **values)
    return CategoryDecision.objects.create(
        urn=urn,
        framework=chosen.framework,
        as_at=as_at,
        proposed_category=chosen,
        decided_category=chosen,
        decided_as=DecidedAs.OFFICER,
        decided_by=UserFactory.create(),
        review_due=as_at + timedelta(days=365),
    )
