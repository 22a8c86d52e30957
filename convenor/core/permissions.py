"""Who may see what: the roles in force, the schools in a user's scope, and view guards.

Published data about any school is for every signed-in user with a role.
Restricted detail (soft intelligence, casework, forecasts before release) is
for the schools in a user's *full scope* (:func:`schools_in_full_scope`).
Views load schools through :func:`get_establishment_for_user` and are guarded
by :func:`role_required` or marked :func:`public_view`; a structural test
(``tests/test_routes.py``) fails any route that is neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from convenor.core.models import Role, RoleAssignment
from convenor.schools.models import Establishment
from convenor.schools.querysets import EstablishmentQuerySet, lineage_of

UserLike = AbstractBaseUser | AnonymousUser
View = TypeVar("View", bound=Callable[..., HttpResponseBase])

ANY_ROLE: tuple[Role, ...] = tuple(Role)
"""Every role: ``role_required(*ANY_ROLE)`` admits any signed-in user who holds a role."""

# Roles whose full scope is every school of their LA. Elected members are not
# among them: they scrutinise through aggregate reports only (DESIGN.md).
LA_WIDE_ROLES = frozenset({Role.LA_OFFICER, Role.PLACE_PLANNER, Role.INCLUSION_OFFICER})

ACCESS_ATTRIBUTE = "access"


@dataclass(frozen=True)
class Access:
    """How a view is guarded: public, or the roles any one of which admits a user."""

    public: bool
    roles: frozenset[str]


def view_access(view: Callable[..., object]) -> Access | None:
    """The guard recorded on a view by :func:`role_required` or :func:`public_view`, if any."""
    access = getattr(view, ACCESS_ATTRIBUTE, None)
    return access if isinstance(access, Access) else None


def active_roles(user: UserLike, on: date | None = None) -> list[RoleAssignment]:
    """The user's role assignments in force on ``on`` (default today).

    A superuser counts as an administrator even without an assignment: an
    unsaved ``RoleAssignment`` stands for that, so callers need no special case.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    day = on or timezone.localdate()
    assignments = list(
        RoleAssignment.objects.filter(user_id=user.pk)
        .filter(Q(starts__isnull=True) | Q(starts__lte=day))
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
    )
    is_administrator = any(a.role == Role.ADMINISTRATOR for a in assignments)
    if getattr(user, "is_superuser", False) and not is_administrator:
        assignments.insert(0, RoleAssignment(user_id=user.pk, role=Role.ADMINISTRATOR))
    return assignments


def has_role(user: UserLike, *roles: str) -> bool:
    """Whether the user holds at least one of ``roles`` today."""
    wanted = set(roles)
    return any(assignment.role in wanted for assignment in active_roles(user))


REQUEST_ROLES_ATTRIBUTE = "_convenor_active_roles"


def request_roles(request: HttpRequest) -> list[RoleAssignment]:
    """The roles in force today for the request's user, read once per request.

    :func:`role_required` reads them to guard a view and the layout reads them again
    to choose its navigation links, so a page pays for one query, not two.
    """
    user = request.user
    # Kept with the user's key, so a request whose user changes (signing in) reads afresh.
    cached: tuple[object, list[RoleAssignment]] | None = getattr(
        request, REQUEST_ROLES_ATTRIBUTE, None
    )
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    roles = active_roles(user)
    setattr(request, REQUEST_ROLES_ATTRIBUTE, (user.pk, roles))
    return roles


def request_has_role(request: HttpRequest, *roles: str) -> bool:
    """Whether the request's user holds at least one of ``roles`` today."""
    return any(assignment.role in roles for assignment in request_roles(request))


def _scope_of(assignment: RoleAssignment) -> Q | None:
    """The establishments one assignment opens in full: None for all, ``Q(pk__in=[])`` for none."""
    role = assignment.role
    if role == Role.ADMINISTRATOR:
        return None
    if role in LA_WIDE_ROLES:
        return Q(la_code=assignment.la_code)
    if role == Role.BOARD_MEMBER:
        return Q(la_code=assignment.la_code, district=assignment.area)
    if role == Role.SCHOOL_LEADER and assignment.school_urn is not None:
        # The school's earlier and later URNs are the same school to its leader.
        return Q(urn__in=lineage_of(assignment.school_urn))
    # A system leader's reach is their own offers and assignments, not schools.
    return Q(pk__in=[])


def schools_in_full_scope(user: UserLike) -> EstablishmentQuerySet:
    """The establishments whose restricted detail the user may see.

    Administrators: all. LA officers, place planners, inclusion officers and
    elected members: their LA. Board members: their LA's schools in their
    area (the register's district). School leaders: their school under every
    URN it has had. System leaders and users without a role: none.
    """
    condition = Q(pk__in=[])
    for assignment in active_roles(user):
        scope = _scope_of(assignment)
        if scope is None:
            return Establishment.objects.all()
        condition |= scope
    return Establishment.objects.filter(condition)


def can_see_school_detail(user: UserLike, establishment: Establishment) -> bool:
    """Whether the user may see the establishment's restricted detail."""
    return schools_in_full_scope(user).filter(pk=establishment.pk).exists()


def get_establishment_for_user(
    user: UserLike, urn: int, *, restricted: bool = False
) -> Establishment:
    """The establishment with ``urn``, as the user may see it.

    Raises ``Http404`` when there is none, and ``PermissionDenied`` when the
    user is not signed in, or when ``restricted`` and the school is outside
    the user's full scope. Published data about any school needs no scope.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    try:
        establishment = Establishment.objects.get(urn=urn)
    except Establishment.DoesNotExist:
        raise Http404(f"No establishment with URN {urn}") from None
    if restricted and not can_see_school_detail(user, establishment):
        raise PermissionDenied
    return establishment


def _mark(view: Callable[..., object], access: Access) -> None:
    setattr(view, ACCESS_ATTRIBUTE, access)


def role_required(*roles: str) -> Callable[[View], View]:
    """Guard a view: anonymous visitors go to sign in; users with none of ``roles`` get 403.

    Use ``role_required(*ANY_ROLE)`` for pages every role may see. For a
    class-based view, wrap the result of ``as_view()`` in ``urls.py``.
    """
    unknown = set(roles) - set(Role.values)
    if not roles or unknown:
        raise ValueError(f"role_required needs roles from Role; got {sorted(roles)!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request_has_role(request, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        _mark(guarded, Access(public=False, roles=frozenset(roles)))
        return cast(View, guarded)

    return decorate


def public_view(view: View) -> View:
    """Mark a view that anyone may see, signed in or not (sign-in page, health check)."""
    _mark(view, Access(public=True, roles=frozenset()))
    return view
