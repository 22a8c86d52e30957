"""Who may read and manage which schools' cases (docs/adr/0007-interventions-access.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import HttpRequest

from convenor.core.models import Role, RoleAssignment
from convenor.core.permissions import get_establishment_for_user, request_roles
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of

READ_ROLES = (Role.LA_OFFICER, Role.SCHOOL_LEADER)
MANAGE_ROLES = (Role.LA_OFFICER,)
NOWHERE = Q(pk__in=[])


@dataclass(frozen=True)
class CaseScope:
    """Which schools' cases one user may read, and manage, today (conditions on
    :class:`~convenor.schools.models.Establishment`). Nobody manages a school they lead."""

    read: Q
    manage: Q
    own: frozenset[int]

    def readable_urns(self) -> models.QuerySet[Establishment, Any]:
        return Establishment.objects.filter(self.read).values("urn")

    def can_read(self, school: Establishment) -> bool:
        return Establishment.objects.filter(self.read, pk=school.pk).exists()

    def can_manage(self, school: Establishment) -> bool:
        if school.urn in self.own:
            return False
        return Establishment.objects.filter(self.manage, pk=school.pk).exists()


def case_scope(assignments: Iterable[RoleAssignment]) -> CaseScope:
    """The interventions scope the role assignments in force give one user: LA officers
    read and manage their LA's schools; school leaders read their school under every
    URN it has had. Other roles, administrators included, get nothing."""
    read = manage = NOWHERE
    own: set[int] = set()
    for assignment in assignments:
        if assignment.role == Role.LA_OFFICER:
            read |= Q(la_code=assignment.la_code)
            manage |= Q(la_code=assignment.la_code)
        elif assignment.role == Role.SCHOOL_LEADER and assignment.school_urn is not None:
            lineage = lineage_of(assignment.school_urn)
            own.update(lineage)
            read |= Q(urn__in=lineage)
    return CaseScope(read, manage, frozenset(own))


def scope_of(request: HttpRequest) -> CaseScope:
    return case_scope(request_roles(request))


def readable_school(request: HttpRequest, urn: int) -> Establishment:
    school = get_establishment_for_user(request.user, urn)
    if not scope_of(request).can_read(school):
        raise PermissionDenied
    return school


def managed_school(request: HttpRequest, urn: int) -> Establishment:
    school = get_establishment_for_user(request.user, urn)
    if not scope_of(request).can_manage(school):
        raise PermissionDenied
    return school
