"""Indicators "as at" a date: each open school's latest known facts, with nothing from later.

:func:`school_features` gives, for every school open and state-funded on a date,
the early-warning features (:data:`FEATURES`) computed only from figures whose
publication date (:mod:`convenor.intelligence.publication`) is on or before that
date. :func:`feature_sources` runs the same computation and says, for every
feature of every school, which stored rows it came from and when each became
public, so a test can prove no feature looks past the date.
:func:`graded_outcomes` gives what happened next: each school's next graded
inspection in a window. :class:`Assembler` puts them together as training sets
and backtest folds for :mod:`convenor.analytics.early_warning`.

Each table is read once per date (measures pulled out of the JSON by the
database), and everything else is dictionaries in Python: no query per school.

**The features.** Each is the latest public figure, or ``None``:

- ``last_grade``, ``previous_grade`` (1 outstanding to 4 inadequate; the two
  latest graded inspections whose report was public, across the school's
  URNs), ``grade_change`` (last minus previous: positive is worse),
  ``days_since_inspection``, ``last_framework`` (the framework era of the last
  inspection, numbered from 0 for section 5 (2005) as in
  :data:`convenor.sources.inspections.FRAMEWORKS`);
- ``ks2_rwm_exp`` (% meeting the expected standard in reading, writing and
  maths), ``ks2_read_progress``, ``ks2_writ_progress``, ``ks2_mat_progress``,
  ``ks4_a8``, ``ks4_p8``; ``*_vs_england`` and ``*_vs_la``: the school's figure
  minus England's or its LA's for the same year (see :class:`References`);
  ``*_trend``: the least-squares slope, in points a year, of the gap to England
  over the latest three years with figures (two at least);
- ``absence_overall`` (% of sessions missed), ``absence_persistent`` (% of
  pupils persistently absent, 10% threshold only), ``exclusion_fixed_rate`` and
  ``exclusion_perm_rate`` (per 100 pupils, from the counts);
- ``pupils``, ``fsm_pct``, ``sen_pct`` (EHC plan plus SEN support), ``eal_pct``
  from the January census; ``pupils_change``: % change a year between the two
  latest censuses, or, for a school without two, between its enrolments in the
  two latest years of the absence returns;
- ``first_preference_ratio``: first preferences over places offered at entry;
  ``first_preference_trend``: its slope a year over the latest three entries;
- ``is_academy``, ``in_trust`` (a member of a multi-academy trust, by the date it
  joined), ``trust_schools`` (the trust's members by then), ``is_primary``,
  ``is_secondary`` (both for all-through), ``is_special``.

**Who is open on a date.** A URN is open from its open date to its close date
(inclusive). The register holds snapshots from 2019 and 2022, so its status
column describes those days, not the date asked about, and is not used:

- no open date (or GIAS's 1900-01-01 placeholder): open since before any date
  analysed, except that a URN continuing another one under a plain
  ``Predecessor``/``Successor`` link opened on the day of the switch;
- no close date: open, unless a successor took over on a known date;
- a predecessor URN missing from the register (it closed before the November
  2019 register's coverage starts, 1 September 2017) is rebuilt from its
  successor's link: open until the switch, with the successor's LA, phase and
  type, and maintained unless its URN is in the academy range.

**Lineage.** A school's history follows its predecessor URNs (academy
conversion, re-brokering, amalgamation, merger) as the links stood on the date:
the latest grade may be the predecessor's, and a year's results come from the
school's own URN or, failing that, the nearest predecessor's.

**Outcomes.** :func:`graded_outcomes` keys each outcome by the URN open on the
as-at date the window follows (the day before it starts), as the features are.
The first graded inspection in the window of that URN, or of a URN that
succeeded it once it had taken over, counts: a school that converts mid-window
(or on its first day) and is then inspected as an academy is the same school,
but a school merged into another after the window is not judged by the other's
inspection. When two schools merge into a new one, its inspection counts for
both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, FloatField, Func, Model, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.sql.compiler import SQLCompiler

from convenor.analytics.early_warning import Fold, SchoolFeatures, TrainingSet
from convenor.intelligence import publication
from convenor.intelligence.models import (
    AbsenceRecord,
    CensusRecord,
    ExclusionRecord,
    Inspection,
    KS2Result,
    KS4Result,
    PreferenceRecord,
)
from convenor.schools.models import Establishment, EstablishmentLink, GroupMembership
from convenor.sources.inspections import FRAMEWORKS
from convenor.sources.links import PREDECESSOR_TYPES, SUCCESSOR_TYPES
from convenor.sources.years import AcademicYear

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType

#: Every feature :func:`school_features` may give, in a fixed order. A school's
#: ``values`` has every name; ``None`` where the figure is unknown or does not apply.
FEATURES: tuple[str, ...] = (
    # Inspections (the school's own URN and its predecessors).
    "last_grade",
    "previous_grade",
    "grade_change",
    "days_since_inspection",
    "last_framework",
    # KS2.
    "ks2_rwm_exp",
    "ks2_rwm_exp_vs_england",
    "ks2_rwm_exp_vs_la",
    "ks2_rwm_exp_trend",
    "ks2_read_progress",
    "ks2_writ_progress",
    "ks2_mat_progress",
    # KS4.
    "ks4_p8",
    "ks4_a8",
    "ks4_a8_vs_england",
    "ks4_a8_vs_la",
    "ks4_a8_trend",
    # Attendance and behaviour.
    "absence_overall",
    "absence_persistent",
    "exclusion_fixed_rate",
    "exclusion_perm_rate",
    # Pupils.
    "pupils",
    "pupils_change",
    "fsm_pct",
    "sen_pct",
    "eal_pct",
    "first_preference_ratio",
    "first_preference_trend",
    # The school.
    "is_academy",
    "in_trust",
    "trust_schools",
    "is_primary",
    "is_secondary",
    "is_special",
)

#: Results from the current assessment frameworks only: KS2 expected standard
#: (2015/16 on) and Attainment/Progress 8 (2015/16 on). The 2012/13 levels are
#: another scale and are not mixed in.
FIRST_RESULTS_YEAR = "2015/16"
#: How many of the latest years a trend is fitted over.
TREND_YEARS = 3
#: Persistent absence counts only under the 10% threshold used from 2015/16;
#: the earlier 15% threshold measures something else.
PERSISTENT_THRESHOLD = 10.0
#: The November 2019 register lists every establishment open on or after this
#: date, so a predecessor URN missing from it closed before then.
REGISTER_COMPLETE_FROM = date(2017, 9, 1)
#: GIAS gives academies and free schools URNs from this number up; LA-maintained
#: schools have lower ones. Used only for predecessors missing from the register.
ACADEMY_URN_FLOOR = 135000
#: Denominators smaller than this make a percentage change meaningless.
MIN_PUPILS_FOR_CHANGE = 10.0
#: An England comparison figure needs at least this share of the schools of the
#: best-covered year (see :class:`References`).
NATIONAL_COVERAGE = 0.5
#: GIAS group type of a multi-academy trust.
MAT = "Multi-academy trust"

_FRAMEWORK_INDEX = {framework.name: i for i, framework in enumerate(FRAMEWORKS)}
_PLACEHOLDER_DATE = date(1900, 1, 1)
_ALWAYS = date.min  # the publication date of a fact known for as long as the school was open


# --- Provenance -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One fact a feature was computed from, and the day it became public.

    ``kind`` is the dataset (``"ks2_final"``, ``"census"``...), ``"inspections"``,
    ``"register"``, ``"trust"``, or ``"england"``/``"la"`` for a comparison figure
    worked out from every school's rows of that year; ``period`` is the academic
    year, or the ISO date of a dated fact; ``urn`` the URN the row is stored
    under (``None`` for a comparison figure).
    """

    kind: str
    period: str
    urn: int | None
    published: date


Sources = dict[str, tuple[Source, ...]]


def _source(fact: Figure | Source) -> Source:
    """The :class:`Source` of a fact behind a feature.

    The feature code passes stored figures around as they are, (period, value,
    dataset, urn), to stay cheap when not tracing; the calendar dates them here.
    An inspection is a figure of the dataset "inspections" whose period is its
    date. Facts with a date of their own are Sources already.
    """
    if isinstance(fact, Source):
        return fact
    period, _value, dataset, urn = fact
    if dataset == publication.INSPECTIONS:
        published = publication.inspection_published(date.fromisoformat(period))
    else:
        found = publication.published_on(dataset, period)
        if found is None:  # a dataset the calendar does not know is never read
            raise ValueError(f"no publication date for {dataset} {period}")
        published = found
    return Source(dataset, period, urn, published)


@dataclass(frozen=True)
class AsAt:
    """What :func:`build` works out for one date: features, and where asked, their sources."""

    as_at: date
    features: list[SchoolFeatures]
    sources: dict[int, Sources] = field(default_factory=dict)


# --- The register as at a date ----------------------------------------------


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


def _day(value: date | str) -> date:
    """A date column as read by :func:`_fetchall` (SQLite gives ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _day_or_none(value: date | str | None) -> date | None:
    return None if value is None else _day(value)


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
    links = _fetchall(
        EstablishmentLink.objects.filter(
            link_type__in=sorted(PREDECESSOR_TYPES | SUCCESSOR_TYPES)
        ).values_list("urn", "link_urn", "link_type", "established")
    )
    for urn, link_urn, link_type, raw_established in links:
        established = _day_or_none(raw_established)
        older, newer = (link_urn, urn) if link_type in PREDECESSOR_TYPES else (urn, link_urn)
        if older == newer:
            continue
        switched = _switch_date(link_type, established)
        kept = _earliest(predecessors[newer].get(older), switched)
        predecessors[newer][older] = kept
        successors[older][newer] = kept
        if switched is not None and link_type in ("Predecessor", "Successor"):
            new_urn_from[newer] = min(new_urn_from.get(newer, switched), switched)

    rows = _fetchall(
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
        opened, closed = _day_or_none(raw_opened), _day_or_none(raw_closed)
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


# --- Reading the indicator tables -------------------------------------------


class JsonNumber(Func):
    """The number stored under ``key`` in a JSON column, as a float (NULL when absent).

    ``KT()`` compiles on SQLite to a ``JSON_TYPE``/``JSON_EXTRACT`` pair, parsing
    the document twice for every measure; this reads each with one
    ``json_extract`` (SQLite) or ``->>`` (PostgreSQL), which the database's JSON
    cache then shares between the measures of a row. Other databases get
    ``Cast(KT(...))``.
    """

    output_field = FloatField()

    def __init__(self, column: str, key: str) -> None:
        if not key.replace("_", "").isalnum():
            raise ValueError(f"not a measure name: {key!r}")
        super().__init__(F(column))
        self.column = column
        self.key = key

    def _json(self, compiler: SQLCompiler) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return sql, list(params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        sql, params = self._json(compiler)
        return f"CAST(json_extract({sql}, %s) AS REAL)", [*params, f"$.{self.key}"]

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        sql, params = self._json(compiler)
        return f"(({sql} ->> %s)::double precision)", [*params, self.key]

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> _AsSqlType:
        expression = Cast(KT(f"{self.column}__{self.key}"), FloatField())
        return compiler.compile(expression.resolve_expression(compiler.query))


def _fetchall(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list``, as the database driver gives them.

    Skips Django's per-value conversion, about a fifth of the time for the few
    hundred thousand rows read here; the SQL is still Django's. Dates come back
    as the driver gives them (ISO text on SQLite): see :func:`_day`.
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# A figure: (period, value, dataset, urn).
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
        rows = _fetchall(queryset)
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


def _slope(points: Sequence[tuple[float, float]]) -> float | None:
    """The least-squares slope of (x, y) points; None with fewer than two distinct x."""
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in points) / sxx


@lru_cache(maxsize=256)
def _year(period: str) -> int:
    return AcademicYear.from_label(period).start


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
    rows = _fetchall(
        Inspection.objects.filter(inspection_date__lte=publication.latest_public_inspection(as_at))
        .order_by("urn", "-inspection_date")
        .values_list("urn", "inspection_date", "grade", "framework")
    )
    for urn, day, grade, framework in rows:
        inspections[urn].append((_day(day), grade, framework))

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


# --- Comparison figures -----------------------------------------------------


@dataclass(frozen=True)
class References:
    """England's and each LA's figure for one measure, by year.

    Worked out from the same public school rows as the schools' own figures:
    the pupil-weighted mean over state-funded schools (the register's
    independent schools are left out of KS4). Computing them, rather than
    reading the national rows some files carry, gives every year on the same
    footing whichever files were imported. A year whose figures cover fewer
    than :data:`NATIONAL_COVERAGE` of the schools of the best-covered year (a
    year published only in one LA's full file) has LA figures but no England
    figure. ``published`` is the latest publication date among the rows each
    year's figure used.
    """

    england: Mapping[str, float]
    la: Mapping[tuple[int, str], float]
    published: Mapping[str, date]

    def facts(self, f: _Features, level: str, period: str) -> tuple[Source, ...]:
        """The comparison figure as a fact, when ``f`` is being traced."""
        return (Source(level, period, None, self.published[period]),) if f.trace else ()

    @classmethod
    def of(cls, measures: Measures, measure: str, register: Register) -> References:
        national: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        local: defaultdict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        published: dict[str, date] = {}
        for urn in measures.urns():
            school = register.schools.get(urn)
            # A URN missing from the register closed before 2017 with published
            # results: a state-funded school.
            if school is not None and not school.state_funded:
                continue
            pupils = {figure[0]: figure[1] for figure in measures.series("pupils", [urn])}
            for period, value, dataset, _urn in measures.series(measure, [urn]):
                weight = pupils.get(period)
                if not weight or weight <= 0:
                    continue
                total = national[period]
                total[0] += value * weight
                total[1] += weight
                total[2] += 1
                if school is not None and school.la_code is not None:
                    area = local[(school.la_code, period)]
                    area[0] += value * weight
                    area[1] += weight
                day = publication.published_on(dataset, period)
                if day is not None and day > published.get(period, date.min):
                    published[period] = day
        most = max((n for _s, _w, n in national.values()), default=0.0)
        return cls(
            {
                p: s / w
                for p, (s, w, n) in national.items()
                if w > 0 and n >= NATIONAL_COVERAGE * most
            },
            {k: s / w for k, (s, w) in local.items() if w > 0},
            published,
        )


# --- Features ---------------------------------------------------------------


class _Features:
    """One school's values and, when tracing, the facts behind each."""

    __slots__ = ("facts", "trace", "values")

    def __init__(self, trace: bool) -> None:
        self.values: dict[str, float | None] = dict.fromkeys(FEATURES)
        self.facts: dict[str, tuple[Figure | Source, ...]] = {}
        self.trace = trace

    def put(self, name: str, value: float | None, *facts: Figure | Source) -> None:
        self.values[name] = value
        if self.trace and value is not None:
            self.facts[name] = facts

    def sources(self) -> Sources:
        return {name: tuple(_source(f) for f in facts) for name, facts in self.facts.items()}


def _compared(
    f: _Features,
    name: str,
    measures: Measures,
    measure: str,
    refs: References,
    chain: Sequence[int],
    la_code: int | None,
) -> None:
    """``name`` (the latest figure), its gap to England and to the LA, and ``name_trend``:
    the slope a year of the gap to England over the latest :data:`TREND_YEARS` years."""
    series = measures.series(measure, chain)
    if not series:
        return
    latest = series[0]
    period, value = latest[0], latest[1]
    f.put(name, value, latest)
    england = refs.england.get(period)
    if england is not None:
        f.put(f"{name}_vs_england", value - england, latest, *refs.facts(f, "england", period))
    if la_code is not None:
        local = refs.la.get((la_code, period))
        if local is not None:
            f.put(f"{name}_vs_la", value - local, latest, *refs.facts(f, "la", period))
    gaps: list[tuple[float, float]] = []
    facts: list[Figure | Source] = []
    for figure in series[:TREND_YEARS]:
        p = figure[0]
        national = refs.england.get(p)
        if national is not None:
            gaps.append((float(_year(p)), figure[1] - national))
            facts += [figure, *refs.facts(f, "england", p)]
    if len(gaps) > 1:
        f.put(f"{name}_trend", _slope(gaps), *facts)


def _latest(
    f: _Features, name: str, measures: Measures, measure: str, chain: Sequence[int]
) -> None:
    found = measures.latest(measure, chain)
    if found is not None:
        f.put(name, found[1], found)


def _change(series: Sequence[Figure]) -> tuple[float, Figure, Figure] | None:
    """Percentage change a year between the two latest figures."""
    if len(series) < 2:
        return None
    new, old = series[0], series[1]
    years = _year(new[0]) - _year(old[0])
    if years <= 0 or old[1] < MIN_PUPILS_FOR_CHANGE:
        return None
    return (new[1] - old[1]) / old[1] * 100.0 / years, new, old


def _school_features(
    school: School,
    chain: Sequence[int],
    as_at: date,
    tables: Tables,
    refs: Mapping[str, References],
    trace: bool,
) -> _Features:
    """One school's features; ``chain`` is its URN and then its predecessors'."""
    f = _Features(trace)

    # Inspections: the two latest public graded inspections across the lineage.
    if len(chain) == 1:
        history = [(*i, school.urn) for i in tables.inspections.get(school.urn, ())[:2]]
    else:
        history = sorted(
            ((*i, urn) for urn in chain for i in tables.inspections.get(urn, ())),
            reverse=True,
        )[:2]
    if history:
        day, grade, framework, urn = history[0]
        last: Figure = (day.isoformat(), float(grade), publication.INSPECTIONS, urn)
        f.put("last_grade", float(grade), last)
        f.put("days_since_inspection", float((as_at - day).days), last)
        index = _FRAMEWORK_INDEX.get(framework)
        f.put("last_framework", None if index is None else float(index), last)
        if len(history) > 1:
            before, previous_grade, _framework, before_urn = history[1]
            previous: Figure = (
                before.isoformat(),
                float(previous_grade),
                publication.INSPECTIONS,
                before_urn,
            )
            f.put("previous_grade", float(previous_grade), previous)
            f.put("grade_change", float(grade - previous_grade), last, previous)

    la_code = school.la_code
    _compared(f, "ks2_rwm_exp", tables.ks2, "rwm_expected_pct", refs["ks2"], chain, la_code)
    _latest(f, "ks2_read_progress", tables.ks2, "reading_progress", chain)
    _latest(f, "ks2_writ_progress", tables.ks2, "writing_progress", chain)
    _latest(f, "ks2_mat_progress", tables.ks2, "maths_progress", chain)
    _latest(f, "ks4_p8", tables.ks4, "progress8", chain)
    _compared(f, "ks4_a8", tables.ks4, "attainment8", refs["ks4"], chain, la_code)

    _latest(f, "absence_overall", tables.absence, "overall", chain)
    _latest(f, "absence_persistent", tables.absence, "persistent", chain)
    _latest(f, "exclusion_fixed_rate", tables.exclusions, "fixed_rate", chain)
    _latest(f, "exclusion_perm_rate", tables.exclusions, "perm_rate", chain)

    pupils = tables.census.series("pupils", chain)
    if pupils:
        f.put("pupils", pupils[0][1], pupils[0])
    growth = _change(pupils)
    if growth is not None:
        f.put("pupils_change", *growth)
    _latest(f, "fsm_pct", tables.census, "fsm_pct", chain)
    _latest(f, "sen_pct", tables.census, "sen_pct", chain)
    _latest(f, "eal_pct", tables.census, "eal_pct", chain)

    ratios = tables.preferences.series("ratio", chain)
    if ratios:
        f.put("first_preference_ratio", ratios[0][1], ratios[0])
        recent = ratios[:TREND_YEARS]
        if len(recent) > 1:
            points = [(float(_year(r[0])), r[1]) for r in recent]
            f.put("first_preference_trend", _slope(points), *recent)

    # The school itself: facts of its URN, known from the day it opened (a
    # predecessor rebuilt from its successor's link: for as long as it was open).
    phase = school.phase.lower()
    all_through = phase == "all-through"
    values = f.values
    values["is_academy"] = float(school.academy)
    values["is_primary"] = float("primary" in phase or all_through)
    values["is_secondary"] = float("secondary" in phase or all_through or phase == "16 plus")
    values["is_special"] = float("special" in school.type_name.lower())
    trust = tables.trusts.get(school.urn)
    values["in_trust"] = 0.0 if trust is None else 1.0
    if trust is not None:
        values["trust_schools"] = float(tables.trust_sizes.get(trust[0], 1))
    if trace:
        opened = school.opened or _ALWAYS
        since = Source("register", opened.isoformat(), school.urn, opened)
        for name in ("is_academy", "is_primary", "is_secondary", "is_special", "in_trust"):
            f.facts[name] = (since,)
        if trust is not None:
            joined = Source("trust", trust[1].isoformat(), school.urn, trust[1])
            f.facts["in_trust"] = f.facts["trust_schools"] = (joined,)
    return f


def build(
    as_at: date,
    urns: Iterable[int] | None = None,
    *,
    trace: bool = False,
    register: Register | None = None,
) -> AsAt:
    """Features of every school open and state-funded on ``as_at`` (or of ``urns`` among them).

    With ``trace`` the result also says where every feature came from
    (:attr:`AsAt.sources`). Comparison figures (England, LA) are worked out
    from every school's public rows, whichever schools are asked for.
    """
    register = register or load_register()
    tables = load_tables(as_at)
    refs = {
        "ks2": References.of(tables.ks2, "rwm_expected_pct", register),
        "ks4": References.of(tables.ks4, "attainment8", register),
    }
    wanted = None if urns is None else set(urns)
    built: list[tuple[School, list[int], _Features]] = []
    for school in register.open_on(as_at):
        if wanted is not None and school.urn not in wanted:
            continue
        chain = [school.urn, *register.ancestors(school.urn, as_at)]
        built.append((school, chain, _school_features(school, chain, as_at, tables, refs, trace)))
    _growth_from_enrolments(built, as_at)
    features = [SchoolFeatures(school.urn, f.values) for school, _chain, f in built]
    sources = {school.urn: f.sources() for school, _chain, f in built} if trace else {}
    return AsAt(as_at, features, sources)


#: Above this many URNs, reading every enrolment row beats listing the URNs.
_URN_LIST_LIMIT = 2000


def _growth_from_enrolments(
    built: Sequence[tuple[School, list[int], _Features]], as_at: date
) -> None:
    """``pupils_change`` for schools without two public censuses: from their
    enrolments over the two latest years of the absence returns, read only for them."""
    needed = [(chain, f) for _school, chain, f in built if f.values["pupils_change"] is None]
    if not needed:
        return
    urns = {urn for chain, _f in needed for urn in chain}
    enrolments = ENROLMENTS.read(as_at, None if len(urns) > _URN_LIST_LIMIT else urns)
    for chain, f in needed:
        growth = _change(enrolments.series("enrolments", chain))
        if growth is not None:
            f.put("pupils_change", growth[0], growth[1], growth[2])


def school_features(as_at: date, urns: Iterable[int] | None = None) -> list[SchoolFeatures]:
    """Every open state-funded school's :data:`FEATURES` as at ``as_at``, by URN.

    Each feature uses only figures published on or before ``as_at``; see the
    module docstring for who counts as open and how URNs are followed.
    """
    return build(as_at, urns).features


def feature_sources(as_at: date, urns: Iterable[int] | None = None) -> dict[int, Sources]:
    """For each school of :func:`school_features`, the :class:`Source` facts behind each
    feature that has a value (the same computation, traced)."""
    return build(as_at, urns, trace=True).sources


# --- Outcomes ---------------------------------------------------------------


def graded_outcomes(
    start: date,
    end: date,
    *,
    known_by: date | None = None,
    register: Register | None = None,
) -> dict[int, bool]:
    """Whether each school's next graded inspection in ``start``..``end`` was below good.

    Keyed by the URNs open (and state-funded) on the day before ``start``, the
    as-at date the window follows, so the outcomes line up with that date's
    features: a school that converts on the window's first day is its old URN
    here, judged by the new URN's inspection. Schools with no graded inspection
    in the window are left out. The inspection may be of that URN or of a URN
    that succeeded it, once it had taken over (see the module docstring). With
    ``known_by``, a school whose first inspection in the window was not yet
    public by then is left out (a window ending on the day a model is fitted
    must not use later reports).
    """
    register = register or load_register()
    inspections: defaultdict[int, list[tuple[date, int]]] = defaultdict(list)
    rows = (
        Inspection.objects.filter(inspection_date__gte=start, inspection_date__lte=end)
        .order_by("urn", "inspection_date")
        .values_list("urn", "inspection_date", "grade")
    )
    for urn, day, grade in rows:
        inspections[urn].append((day, grade))
    outcomes: dict[int, bool] = {}
    for school in register.open_on(start - timedelta(days=1)):
        found = list(inspections.get(school.urn, ()))
        for later, since in register.descendants(school.urn):
            # Only once the successor has taken over is its inspection this school's.
            found += [i for i in inspections.get(later, ()) if i[0] >= since]
        if not found:
            continue
        day, grade = min(found)
        if known_by is not None and publication.inspection_published(day) > known_by:
            continue
        outcomes[school.urn] = grade >= 3
    return outcomes


# --- Training windows and backtest folds ------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """Features as at ``as_at``; outcomes from the next day to ``end``."""

    as_at: date
    end: date

    @property
    def start(self) -> date:
        return self.as_at + timedelta(days=1)


#: The first training origin (outcomes September 2015 to August 2016). As at 2015
#: and 2016 no KS2 or KS4 results of the current frameworks were public yet (the
#: first came out in December 2016 and January 2017), nor a census held here: those
#: windows teach the model from inspections, absence, exclusions, enrolments,
#: admissions and the register only.
FIRST_TRAINING_AS_AT = date(2015, 8, 31)

#: The backtest the issue asks for: as at 31 August 2017, outcomes to August 2018;
#: as at 31 August 2018, outcomes to March 2020 (when routine inspection stopped).
BACKTEST_FOLDS: tuple[Window, ...] = (
    Window(date(2017, 8, 31), date(2018, 8, 31)),
    Window(date(2018, 8, 31), date(2020, 3, 31)),
)


def training_windows(as_at: date, *, first: date = FIRST_TRAINING_AS_AT) -> list[Window]:
    """The yearly windows (31 August to 31 August) from ``first`` that end by ``as_at``."""
    windows = []
    year = first.year if (first.month, first.day) >= (8, 31) else first.year - 1
    while date(year + 1, 8, 31) <= as_at:
        if date(year, 8, 31) >= first:
            windows.append(Window(date(year, 8, 31), date(year + 1, 8, 31)))
        year += 1
    return windows


class Assembler:
    """Builds training sets and folds, reading the register once and each date's
    features once however many folds use them."""

    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        self.register = load_register()
        self._features: dict[date, list[SchoolFeatures]] = {}
        self._say = progress or (lambda message: None)

    def features(self, as_at: date) -> list[SchoolFeatures]:
        """Every open school's features as at ``as_at`` (built once)."""
        if as_at not in self._features:
            self._say(f"features as at {as_at}")
            self._features[as_at] = build(as_at, register=self.register).features
        return self._features[as_at]

    def training(self, as_at: date) -> list[TrainingSet]:
        """A training set for every window ending by ``as_at``, outcomes as known then.

        A window with no outcome (after inspections stopped in March 2020, say)
        teaches nothing and is left out.
        """
        sets = []
        for window in training_windows(as_at):
            outcomes = graded_outcomes(
                window.start, window.end, known_by=as_at, register=self.register
            )
            if outcomes:
                sets.append(TrainingSet(window.as_at, self.features(window.as_at), outcomes))
        return sets

    def fold(self, window: Window) -> Fold:
        """Train on windows ending by ``window.as_at``; test on ``window``'s outcomes."""
        training = self.training(window.as_at)
        outcomes = graded_outcomes(window.start, window.end, register=self.register)
        return Fold(window.as_at, training, self.features(window.as_at), outcomes)
