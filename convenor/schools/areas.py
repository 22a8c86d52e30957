"""Which local authority (LA) a register page is about.

Published register data about every school is open to every user with a role, so
anyone may choose an LA with ``?la=``; without one a page shows the user's own LA:
the LA of an LA-scoped role, or the LA of a school leader's school. Users whose
roles name no place (administrators, system leaders) see the demo LA, Hampshire
(850), when it is loaded, else the LA with the most establishments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count

from convenor.core.permissions import UserLike, active_roles
from convenor.schools.models import Establishment, LocalAuthority

DEFAULT_LA_CODE = 850


@dataclass(frozen=True)
class LocalAuthorityOption:
    """An LA a page can show: its code, its name and how many establishments it has."""

    code: int
    name: str
    establishments: int = 0

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


def local_authority_options() -> list[LocalAuthorityOption]:
    """Every LA with an establishment in the register, by name, in two queries.

    ``COUNT(*)`` is answered from the ``la_code`` index alone; counting URNs, or
    looking up each LA's name in a subquery, makes the database read every row of
    the register (a 5x slower home page for all England).
    """
    names = dict(LocalAuthority.objects.values_list("code", "name"))
    rows = (
        Establishment.objects.exclude(la_code=None)
        .values("la_code")
        .annotate(establishments=Count("*"))
        .order_by()
        .values_list("la_code", "establishments")
    )
    options = [
        LocalAuthorityOption(code, names.get(code) or f"LA {code}", count)
        for code, count in rows
        if code is not None  # excluded above; says so to the type checker
    ]
    return sorted(options, key=lambda option: (option.name, option.code))


def users_la_code(user: UserLike) -> int | None:
    """The LA of the user's scope: an LA-scoped role's, else a school leader's school's."""
    assignments = active_roles(user)
    for assignment in assignments:
        if assignment.la_code is not None:
            return assignment.la_code
    urns = [a.school_urn for a in assignments if a.school_urn is not None]
    if urns:
        la_codes = Establishment.objects.filter(urn__in=urns).exclude(la_code=None)
        return la_codes.values_list("la_code", flat=True).order_by("urn").first()
    return None


def default_la_code(user: UserLike, options: Sequence[LocalAuthorityOption]) -> int | None:
    """The LA a page shows the user when they have not chosen one (see the module)."""
    own = users_la_code(user)
    if own is not None:
        return own
    codes = {option.code for option in options}
    if DEFAULT_LA_CODE in codes:
        return DEFAULT_LA_CODE
    if options:
        return max(options, key=lambda option: option.establishments).code
    return None
