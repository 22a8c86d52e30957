"""The register as at a date: which URNs are open, and which URNs continue which.

See the package docstring for the rules (who is open on a date, lineage).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from convenor.intelligence.asat.reading import fetchall, to_date_or_none
from convenor.schools.models import Establishment, EstablishmentLink
from convenor.sources.links import PREDECESSOR_TYPES, SUCCESSOR_TYPES

#: The November 2019 register lists every establishment open on or after this
#: date, so a predecessor URN missing from it closed before then.
REGISTER_COMPLETE_FROM = date(2017, 9, 1)
#: GIAS gives academies and free schools URNs from this number up; LA-maintained
#: schools have lower ones. Used only for predecessors missing from the register.
ACADEMY_URN_FLOOR = 135000
_PLACEHOLDER_DATE = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class School:
    """One URN as the register describes it, with its dates worked out (see module doc)."""

    urn: int
    la_code: int | None
    type_name: str
    phase: str
    opened: date | None  # None: open since before any date analysed
    closed: date | None  # the last day open; None: still open
    state_funded: bool
    academy: bool
    rebuilt_from: int | None = None  # the successor a missing predecessor was rebuilt from

    def open_on(self, day: date) -> bool:
        return (self.opened is None or self.opened <= day) and (
            self.closed is None or day <= self.closed
        )


@dataclass(frozen=True)
class Register:
    """Every URN's dates and the succession links between URNs."""

    schools: dict[int, School]
    predecessors: dict[int, dict[int, date | None]]  # newer -> {older: first day of newer}
    successors: dict[int, dict[int, date | None]]  # older -> {newer: first day of newer}

    def open_on(self, day: date, *, state_funded: bool = True) -> list[School]:
        """The schools open on ``day`` (state-funded ones only by default), by URN."""
        return sorted(
            (
                s
                for s in self.schools.values()
                if s.open_on(day) and (s.state_funded or not state_funded)
            ),
            key=lambda s: s.urn,
        )

    def ancestors(self, urn: int, as_at: date) -> list[int]:
        """The URNs ``urn`` continues, nearest first, as the links stood on ``as_at``.

        A link dated after ``as_at`` is not followed (a school merged into this one
        later was a school of its own then), nor is a predecessor still open on
        ``as_at`` (the same, when the merger's date is not known).
        """
        found: list[int] = []
        seen = {urn}
        frontier = [urn]
        while frontier:
            nxt: list[int] = []
            for current in frontier:
                for older, switched in sorted(self.predecessors.get(current, {}).items()):
                    if older in seen or (switched is not None and switched > as_at):
                        continue
                    earlier = self.schools.get(older)
                    if earlier is not None and earlier.open_on(as_at):
                        continue
                    seen.add(older)
                    found.append(older)
                    nxt.append(older)
            frontier = nxt
        return found

    def descendants(self, urn: int) -> list[tuple[int, date]]:
        """Every URN that continued ``urn``, nearest first, with the day it took over.

        The day is the latest switch on the way (or the successor's open date
        when the link has none); a successor whose day is not known is left out,
        since its inspections cannot be placed before or after the takeover.
        """
        found: list[tuple[int, date]] = []
        seen = {urn}
        frontier: list[tuple[int, date]] = [(urn, date.min)]
        while frontier:
            nxt: list[tuple[int, date]] = []
            for current, since in frontier:
                for newer, switched in sorted(self.successors.get(current, {}).items()):
                    if newer in seen:
                        continue
                    later = self.schools.get(newer)
                    day = switched or (later.opened if later is not None else None)
                    if day is None:
                        continue
                    seen.add(newer)
                    found.append((newer, max(since, day)))
                    nxt.append((newer, max(since, day)))
            frontier = nxt
        return found


def _switch_date(link_type: str, established: date | None) -> date | None:
    """The first day of the newer URN, from one side of a link."""
    if established is None:
        return None
    # GIAS writes a conversion as "Successor, 31-10-2017" on the old URN and
    # "Predecessor, 01-11-2017" on the new one.
    return established + timedelta(days=1) if link_type in SUCCESSOR_TYPES else established


def _earliest(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def load_register() -> Register:
    """Read the register and the succession links (two queries)."""
    predecessors: defaultdict[int, dict[int, date | None]] = defaultdict(dict)
    successors: defaultdict[int, dict[int, date | None]] = defaultdict(dict)
    # Only plain conversions start a new URN for the same school; a merger's
    # successor may have been open long before.
    new_urn_from: dict[int, date] = {}
    links = fetchall(
        EstablishmentLink.objects.filter(
            link_type__in=sorted(PREDECESSOR_TYPES | SUCCESSOR_TYPES)
        ).values_list("urn", "link_urn", "link_type", "established")
    )
    for urn, link_urn, link_type, raw_established in links:
        established = to_date_or_none(raw_established)
        older, newer = (link_urn, urn) if link_type in PREDECESSOR_TYPES else (urn, link_urn)
        if older == newer:
            continue
        switched = _switch_date(link_type, established)
        kept = _earliest(predecessors[newer].get(older), switched)
        predecessors[newer][older] = kept
        successors[older][newer] = kept
        if switched is not None and link_type in ("Predecessor", "Successor"):
            new_urn_from[newer] = min(new_urn_from.get(newer, switched), switched)

    rows = fetchall(
        Establishment.objects.order_by().values_list(
            "urn",
            "la_code",
            "type_name",
            "phase",
            "open_date",
            "close_date",
            "is_state_funded",
            "is_academy",
        )
    )
    schools: dict[int, School] = {}
    for urn, la_code, type_name, phase, raw_opened, raw_closed, state_funded, academy in rows:
        opened, closed = to_date_or_none(raw_opened), to_date_or_none(raw_closed)
        if opened is not None and opened <= _PLACEHOLDER_DATE:
            opened = None
        if opened is None:
            opened = new_urn_from.get(urn)
        if closed is None:
            handed_over = [d for d in successors.get(urn, {}).values() if d is not None]
            if handed_over:
                closed = min(handed_over) - timedelta(days=1)
        schools[urn] = School(
            urn=urn,
            la_code=la_code,
            type_name=type_name or "",
            phase=phase or "",
            opened=opened,
            closed=closed,
            state_funded=bool(state_funded),
            academy=bool(academy),
        )
    for older, newer_urns in successors.items():
        if older in schools:
            continue
        dated = sorted(
            (d, newer) for newer, d in newer_urns.items() if d is not None and newer in schools
        )
        if not dated or dated[0][0] > REGISTER_COMPLETE_FROM:
            continue  # no date to place it in time, or it should have been in the register
        switched, newer = dated[0]
        heir = schools[newer]
        schools[older] = School(
            urn=older,
            la_code=heir.la_code,
            type_name=heir.type_name,
            phase=heir.phase,
            opened=None,
            closed=switched - timedelta(days=1),
            state_funded=heir.state_funded,
            academy=older >= ACADEMY_URN_FLOOR,
            rebuilt_from=newer,
        )
    return Register(schools, dict(predecessors), dict(successors))
