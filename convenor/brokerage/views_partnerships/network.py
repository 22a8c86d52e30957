"""The partnership graph of an LA as at a date: brokerage rows into
:mod:`convenor.analytics.network` (networkx) and the report back.

- **Schools**: the LA's state-funded schools open on the date by the register's open
  and close dates, each in its area (the register's district, as board members' areas
  are).
- **Concern**: each school's category decision in force on the date (its latest with
  evidence dated by then), scaled to a concern level from 0 (its framework's least
  concern) to 3 (its most), so a maintained school in "Support and challenge+" and an
  academy in "Cause for concern" both come first on the list to act on.
- **Structures, memberships, meetings**: the LA's, with their dates. A meeting with
  attendance recorded expects the schools recorded; one without expects the members on
  the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Q

from convenor.analytics import network
from convenor.brokerage.models import Partnership, PartnershipMeeting, PartnershipMembership
from convenor.intelligence.categorisation import current_decisions
from convenor.intelligence.models import Category
from convenor.schools.models import Establishment

NO_AREA = "No district recorded"
TOP_CONCERN = 3


def schools_on(la_code: int, on: date) -> list[Establishment]:
    """The LA's state-funded schools open on ``on`` by the register's dates."""
    return list(
        Establishment.objects.filter(la_code=la_code, is_state_funded=True)
        .filter(Q(open_date__isnull=True) | Q(open_date__lte=on))
        .filter(Q(close_date__isnull=True) | Q(close_date__gt=on))
        .order_by("urn")
    )


def concern_levels(urns: Iterable[int], on: date) -> dict[int, tuple[int, str]]:
    """(concern level, category label) of each school with a decision in force on ``on``."""
    decisions = current_decisions(urns, on)
    frameworks = {d.decided_category.framework_id for d in decisions.values()}
    sizes = dict(
        Category.objects.filter(framework_id__in=frameworks)
        .order_by()
        .values("framework_id")
        .annotate(n=Count("pk"))
        .values_list("framework_id", "n")
    )
    found = {}
    for urn, decision in decisions.items():
        category = decision.decided_category
        steps = max(sizes.get(category.framework_id, 1) - 1, 1)
        level = round((category.order - 1) * TOP_CONCERN / steps)
        found[urn] = (level, category.label)
    return found


def network_report(
    la_code: int, on: date, settings: network.NetworkSettings | None = None
) -> tuple[network.NetworkReport, dict[int, Establishment]]:
    """The LA's connectedness as at ``on``, and its schools by URN. A fixed number of
    queries, whatever the number of schools."""
    schools = {s.urn: s for s in schools_on(la_code, on)}
    concern = concern_levels(list(schools), on)
    nodes = [
        network.School(
            s.urn,
            s.name,
            s.district or NO_AREA,
            *concern.get(s.urn, (0, "")),
        )
        for s in schools.values()
    ]
    partnerships = list(Partnership.objects.filter(la_code=la_code))
    structures = [
        network.Structure(
            str(p.pk),
            p.name,
            network.StructureKind(p.kind),
            str(p.parent_id) if p.parent_id else None,
            p.starts,
            p.ends,
        )
        for p in partnerships
    ]
    memberships = [
        network.Membership(
            m.urn, str(m.partnership_id), network.Strength(m.strength), m.starts, m.ends, m.role
        )
        for m in PartnershipMembership.objects.filter(
            partnership__la_code=la_code, urn__in=list(schools)
        )
    ]
    answers: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    meetings = list(PartnershipMeeting.objects.filter(partnership__la_code=la_code))
    rows = PartnershipMeeting.objects.filter(partnership__la_code=la_code).values_list(
        "pk", "attendance__urn", "attendance__attended"
    )
    for pk, urn, attended in rows:
        if urn is not None:
            answers[pk].append((urn, bool(attended)))
    held = [
        network.Meeting(
            str(m.partnership_id),
            m.held_on,
            frozenset(u for u, came in answers[m.pk] if came),
            frozenset(u for u, _ in answers[m.pk]) if answers[m.pk] else None,
        )
        for m in meetings
    ]
    report = network.connectedness(nodes, structures, memberships, held, on=on, settings=settings)
    return report, schools
