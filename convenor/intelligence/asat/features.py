"""Each open school's early-warning features as at a date, and the facts behind them.

:func:`build` reads the register and the tables for the date and works out
:data:`FEATURES` for every school open on it; with ``trace`` it also records,
for every value, the stored rows it came from and when each became public
(:class:`Source`), which is what the leakage tests check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from convenor.analytics.early_warning.features import SchoolFeatures
from convenor.intelligence import publication
from convenor.intelligence.asat.register import Register, School, load_register
from convenor.intelligence.asat.tables import (
    ENROLMENTS,
    TREND_YEARS,
    Figure,
    Measures,
    Tables,
    load_tables,
)
from convenor.sources.inspections import FRAMEWORKS
from convenor.sources.years import AcademicYear

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
#: Denominators smaller than this make a percentage change meaningless.
MIN_PUPILS_FOR_CHANGE = 10.0
#: An England comparison figure needs at least this share of the schools of the
#: best-covered year (see :class:`References`).
NATIONAL_COVERAGE = 0.5

_FRAMEWORK_INDEX = {framework.name: i for i, framework in enumerate(FRAMEWORKS)}
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
