"""What every category page shares: who may open it, the user's scope, dates in links."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone

from convenor.core.models import Role
from convenor.core.permissions import request_roles
from convenor.intelligence import categorisation as service

#: Who reviews categories: LA officers for their LA, board members for their area.
REVIEWER_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.BOARD_MEMBER)
#: Who opens a school's page: reviewers, and school leaders for their own school.
SCHOOL_ROLES: tuple[Role, ...] = (*REVIEWER_ROLES, Role.SCHOOL_LEADER)
#: Who reads the frameworks, and who sets them.
FRAMEWORK_READER_ROLES: tuple[Role, ...] = (*REVIEWER_ROLES, Role.ADMINISTRATOR)
FRAMEWORK_SETTER_ROLES: tuple[Role, ...] = (Role.ADMINISTRATOR,)


def scope_of(request: HttpRequest) -> service.CategoryScope:
    return service.category_scope(request_roles(request))


def is_administrator(request: HttpRequest) -> bool:
    return any(a.role == Role.ADMINISTRATOR for a in request_roles(request))


def today() -> date:
    return timezone.localdate()


def with_as_at(href: str, as_at: date) -> str:
    return href if as_at == today() else f"{href}?as_at={as_at.isoformat()}"
