"""The indicator tables as at a date: every family's figures public by then, by URN.

Each table is read once per date (measures pulled out of the JSON by the
database, :mod:`.reading`), and everything else is dictionaries in Python: no
query per school.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Model, Q

from convenor.intelligence import publication
from convenor.intelligence.asat.reading import JsonNumber, fetchall, to_date
from convenor.intelligence.models import (
    AbsenceRecord,
    CensusRecord,
    ExclusionRecord,
    Inspection,
    KS2Result,
    KS4Result,
    PreferenceRecord,
)
from convenor.schools.models import GroupMembership

#: Results from the current assessment frameworks only: KS2 expected standard
#: (2015/16 on) and Attainment/Progress 8 (2015/16 on). The 2012/13 levels are
#: another scale and are not mixed in.
FIRST_RESULTS_YEAR = "2015/16"
#: How many of the latest years a trend is fitted over.
TREND_YEARS = 3
#: Persistent absence counts only under the 10% threshold used from 2015/16;
#: the earlier 15% threshold measures something else.
PERSISTENT_THRESHOLD = 10.0
#: GIAS group type of a multi-academy trust.
MAT = "Multi-academy trust"

#: A figure: (period, value, dataset, urn).
Figure = tuple[str, float, str, int]
# A row as kept: (period, rank of its dataset, dataset, measure values...).
_Row = tuple[Any, ...]


@dataclass(frozen=True)
class Family:
    """How to read one family of indicator rows.

    ``datasets`` are in order of preference (a final figure before a
    provisional one; the England-wide extract before one LA's full file, so
    every school reads the same). ``periods`` is how many of the latest public
    years are read. ``superseded`` names datasets whose figures for a year are
    replaced entirely once the named dataset's are public (provisional by
    final). ``derive`` turns the stored measures into the ones used, named
    ``names``; ``add_segments`` adds a school's rows for one year (primary,
    secondary, special) before deriving.
    """

    model: type[Model]
    datasets: tuple[str, ...]
    measures: tuple[str, ...]
    periods: int
    names: tuple[str, ...] = ()
    derive: Callable[[tuple[float | None, ...]], tuple[float | None, ...]] | None = None
    add_segments: bool = False
    superseded: Mapping[str, str] = field(default_factory=dict)
    first_period: str = ""

    def public_periods(self, as_at: date) -> dict[str, list[str]]:
        """For each dataset, the years to read: public by ``as_at``, among the family's
        latest :attr:`periods` public years, and not superseded."""
        pairs = (
            self.model._default_manager.filter(dataset__in=self.datasets)
            .order_by()
            .values_list("dataset", "period")
            .distinct()
        )
        public = {
            (dataset, period)
            for dataset, period in pairs
            if period >= self.first_period and publication.is_public(dataset, period, as_at)
        }
        latest = sorted({period for _dataset, period in public}, reverse=True)[: self.periods]
        return {
            dataset: [
                p
                for p in latest
                if (dataset, p) in public
                and (dataset not in self.superseded or (self.superseded[dataset], p) not in public)
            ]
            for dataset in self.datasets
        }

    def read(self, as_at: date, urns: Iterable[int] | None = None) -> Measures:
        """The family's public figures as at ``as_at`` (one query, plus one for the years),
        of every URN or only of ``urns``."""
        periods = self.public_periods(as_at)
        condition = Q()
        for dataset, allowed in periods.items():
            if allowed:
                condition |= Q(dataset=dataset, period__in=allowed)
        names = self.names or self.measures
        if not condition:
            return Measures(names, {})
        queryset = self.model._default_manager.filter(condition, urn__isnull=False)
        if urns is not None:
            queryset = queryset.filter(urn__in=sorted(set(urns)))
        queryset = queryset.order_by().values_list(
            "urn", "dataset", "period", *(JsonNumber("values", m) for m in self.measures)
        )
        rows = fetchall(queryset)
        if self.add_segments:
            rows = _add_segments(rows)
        rank = {dataset: -i for i, dataset in enumerate(self.datasets)}
        derive = self.derive
        by_urn: defaultdict[int, list[_Row]] = defaultdict(list)
        if derive is None:
            for row in rows:
                by_urn[row[0]].append((row[2], rank[row[1]], row[1], *row[3:]))
        else:
            for row in rows:
                by_urn[row[0]].append((row[2], rank[row[1]], row[1], *derive(row[3:])))
        for found in by_urn.values():
            if len(found) > 1:
                # Newest year first; within a year, the preferred dataset first.
                found.sort(reverse=True)
        return Measures(names, dict(by_urn))


def _add_segments(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One row per URN, dataset and year, its segments' measures added up (a measure
    withheld in any segment is withheld in the sum)."""
    summed: dict[tuple[int, str, str], tuple[Any, ...]] = {}
    for row in rows:
        key = (row[0], row[1], row[2])
        total = summed.get(key)
        if total is None:
            summed[key] = row
        else:
            summed[key] = (
                *key,
                *(
                    None if a is None or b is None else a + b
                    for a, b in zip(total[3:], row[3:], strict=True)
                ),
            )
    return list(summed.values())


class Measures:
    """One family's public figures by URN, each URN's rows newest year first."""

    def __init__(self, names: Sequence[str], rows: dict[int, list[_Row]]) -> None:
        self._column = {name: i + 3 for i, name in enumerate(names)}
        self._rows = rows

    def urns(self) -> Iterable[int]:
        return self._rows.keys()

    def series(self, measure: str, chain: Sequence[int]) -> list[Figure]:
        """The measure for each public year, newest first, each year from the first URN
        of ``chain`` (the school, then its predecessors) with a number for it."""
        column = self._column[measure]
        found: dict[str, Figure] = {}
        for urn in chain:
            # Rows are newest first, the preferred dataset first within a year.
            for row in self._rows.get(urn, ()):
                period = row[0]
                value = row[column]
                if value is not None and period not in found:
                    found[period] = (period, value, row[2], urn)
        if len(found) < 2:
            return list(found.values())
        return sorted(found.values(), reverse=True)

    def latest(self, measure: str, chain: Sequence[int]) -> Figure | None:
        """The measure's newest figure along ``chain`` (the nearest URN's in a tie)."""
        column = self._column[measure]
        best: Figure | None = None
        for urn in chain:
            for row in self._rows.get(urn, ()):
                if row[column] is not None:
                    if best is None or row[0] > best[0]:
                        best = (row[0], row[column], row[2], urn)
                    break  # rows are newest first: this URN has nothing newer
        return best


def _ratio(
    numerator: float | None, denominator: float | None, scale: float = 100.0
) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator * scale


def _census(v: tuple[float | None, ...]) -> tuple[float | None, ...]:
    pupils, fsm_pct, fsm, ehc_pct, support_pct, eal_pct = v
    # January 2019 gives the number eligible for free meals, January 2017 the percentage.
    if fsm_pct is None:
        fsm_pct = _ratio(fsm, pupils)
    sen = None if ehc_pct is None or support_pct is None else ehc_pct + support_pct
    return (pupils, fsm_pct, sen, eal_pct)


def _absence(v: tuple[float | None, ...]) -> tuple[float | None, ...]:
    overall, persistent, threshold = v
    return (overall, persistent if threshold == PERSISTENT_THRESHOLD else None)


def _exclusions(v: tuple[float | None, ...]) -> tuple[float | None, ...]:
    headcount, fixed, permanent = v
    return (_ratio(fixed, headcount), _ratio(permanent, headcount))


def _preferences(v: tuple[float | None, ...]) -> tuple[float | None, ...]:
    first_prefs, places = v
    return (_ratio(first_prefs, places, 1.0),)


KS2 = Family(
    KS2Result,
    ("ks2_final", "ks2_final_full"),
    ("rwm_expected_pct", "reading_progress", "writing_progress", "maths_progress", "pupils"),
    periods=TREND_YEARS,
    first_period=FIRST_RESULTS_YEAR,
)
KS4 = Family(
    KS4Result,
    ("ks4_final", "ks4_final_full", "ks4_provisional"),
    ("progress8", "attainment8", "pupils"),
    periods=TREND_YEARS,
    superseded={"ks4_provisional": "ks4_final"},
    first_period=FIRST_RESULTS_YEAR,
)
# Three years: January 2018 is North Yorkshire only, and growth needs two censuses.
CENSUS = Family(
    CensusRecord,
    ("census",),
    ("pupils", "fsm_pct", "fsm", "ehc_plan_pct", "sen_support_pct", "eal_pct"),
    periods=3,
    names=("pupils", "fsm_pct", "sen_pct", "eal_pct"),
    derive=_census,
)
ABSENCE = Family(
    AbsenceRecord,
    ("absence",),
    ("overall_absence_pct", "persistent_absence_pct", "persistent_threshold_pct"),
    periods=1,
    names=("overall", "persistent"),
    derive=_absence,
)
ENROLMENTS = Family(
    AbsenceRecord, ("absence_by_reason",), ("enrolments",), periods=2, add_segments=True
)
EXCLUSIONS = Family(
    ExclusionRecord,
    ("exclusions",),
    ("headcount", "fixed_period", "permanent"),
    periods=1,
    names=("fixed_rate", "perm_rate"),
    derive=_exclusions,
    add_segments=True,
)
PREFERENCES = Family(
    PreferenceRecord,
    ("admissions",),
    ("first_prefs", "places_offered"),
    periods=TREND_YEARS,
    names=("ratio",),
    derive=_preferences,
    add_segments=True,
)


@dataclass
class Tables:
    """Every family's figures public as at one date."""

    inspections: dict[int, list[tuple[date, int, str]]]  # urn -> newest first
    ks2: Measures
    ks4: Measures
    census: Measures
    absence: Measures
    exclusions: Measures
    preferences: Measures
    trusts: dict[int, tuple[int, date]]  # urn -> (trust uid, joined)
    trust_sizes: dict[int, int]


def load_tables(as_at: date) -> Tables:
    """Read every indicator table once, keeping only what was public by ``as_at``."""
    inspections: defaultdict[int, list[tuple[date, int, str]]] = defaultdict(list)
    rows = fetchall(
        Inspection.objects.filter(inspection_date__lte=publication.latest_public_inspection(as_at))
        .order_by("urn", "-inspection_date")
        .values_list("urn", "inspection_date", "grade", "framework")
    )
    for urn, day, grade, framework in rows:
        inspections[urn].append((to_date(day), grade, framework))

    trusts: dict[int, tuple[int, date]] = {}
    members = GroupMembership.objects.filter(
        group_type=MAT, joined_date__isnull=False, joined_date__lte=as_at
    ).values_list("urn", "group_uid", "joined_date")
    for urn, uid, joined in members:
        current = trusts.get(urn)
        if joined is None:  # excluded by the query; for the type checker
            continue
        if current is None or joined > current[1]:
            trusts[urn] = (uid, joined)
    sizes: defaultdict[int, int] = defaultdict(int)
    for uid, _joined in trusts.values():
        sizes[uid] += 1

    return Tables(
        inspections=dict(inspections),
        ks2=KS2.read(as_at),
        ks4=KS4.read(as_at),
        census=CENSUS.read(as_at),
        absence=ABSENCE.read(as_at),
        exclusions=EXCLUSIONS.read(as_at),
        preferences=PREFERENCES.read(as_at),
        trusts=trusts,
        trust_sizes=dict(sizes),
    )
