"""Did support work? Difference in differences against similar schools not supported.

For each supported school (a school in a completed support plan) the question is
how one indicator (KS2 % at the expected standard, KS4 Progress 8, absence %)
changed from before the support to after it, compared with how it changed at
schools that started in the same place and were not supported.

The method, step by step:

1. **Before and after values.** A school's value before support is the mean of
   its values in the plan's ``before`` years, and after support the mean of its
   values in the ``after`` years. Missing years and suppressed values (``None``)
   are skipped, so one published year is enough; a school with no value on a
   side is left out, with the reason.
2. **Comparison schools.** For each supported school, the ``neighbours``
   unsupported schools of the same phase (optionally also the same LA and the
   same FSM band) whose before value is nearest its own, measured over the same
   years; ties go to the lower URN. ``caliper`` caps how far a starting value
   may be. Schools in any plan being evaluated, and any in ``exclude``, are
   never comparisons. A comparison school may serve several supported schools.
   A supported school with fewer than ``min_neighbours`` comparisons is left
   out rather than compared with too few.
3. **Estimate.** For each kept supported school, its change minus the mean
   change of its comparisons; the estimate is the mean over kept schools. A
   provider's estimate pools the schools of all its plans, each compared over
   its own plan's years.
4. **Uncertainty: a standard error, not a bootstrap.** The noise in one
   school's change is estimated from how much the comparison schools' changes
   vary within each matched set (pooled over distinct sets). The standard error
   treats a supported school's own change as just as noisy, so even one
   supported school gets an honest interval, which a bootstrap over supported
   schools cannot give. The interval is the estimate plus or minus t times the
   standard error, t from Student's t on the pooled within-set degrees of
   freedom.
5. **Too few.** With fewer than ``min_comparisons`` distinct comparison schools
   in all, nothing is estimated and the summary says so.

Everything here is plain dataclasses; :mod:`convenor.brokerage` turns plans and
stored results into :class:`SupportedSchool` and :class:`SchoolData` rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from convenor.analytics.numbers import MINUS as MINUS
from convenor.analytics.numbers import format_value as format_value
from convenor.analytics.numbers import t_quantile as t_quantile


class Status(StrEnum):
    """Whether an estimate was made."""

    ESTIMATED = "estimated"
    TOO_FEW_COMPARISONS = "too_few_comparisons"
    NO_DATA = "no_data"


class Verdict(StrEnum):
    """What the interval says, read with the indicator's good direction."""

    BETTER = "better"
    WORSE = "worse"
    UNCLEAR = "unclear"


@dataclass(frozen=True, slots=True)
class Indicator:
    """The measure being evaluated and how to word it.

    ``key`` names the stored measure (``"rwm_expected_pct"``, ``"p8"``,
    ``"overall_absence_pct"``); ``label`` is how a sentence starts ("KS2
    expected standard"); ``unit`` follows a number ("points"). Absence is
    better when lower, so it sets ``higher_is_better=False``.
    """

    key: str
    label: str
    unit: str = "points"
    higher_is_better: bool = True
    decimals: int = 1


@dataclass(frozen=True, slots=True)
class SchoolData:
    """One school's values of the indicator being evaluated, and what matching needs.

    ``values`` maps an academic year label (``"2016/17"``) to the value that
    year; ``None`` is a suppressed or missing value and an absent year was not
    published. ``phase`` must use the same words for every school (e.g.
    ``"primary"``). ``la_code`` and ``fsm_band`` (any label, such as an FSM
    quintile) matter only when matching asks for them.
    """

    urn: int
    phase: str
    values: Mapping[str, float | None]
    la_code: str = ""
    fsm_band: str = ""


@dataclass(frozen=True, slots=True)
class SupportedSchool:
    """A school in a support plan, and the years on each side of the support.

    One row per school per plan: a plan covering three schools gives three rows.
    ``before`` holds the years that end before support started (usually the
    last one or two), ``after`` the years after it ended or was reviewed.
    """

    urn: int
    before: tuple[str, ...]
    after: tuple[str, ...]
    plan: str = ""
    provider: str = ""

    def __post_init__(self) -> None:
        if not self.before or not self.after:
            raise ValueError(f"school {self.urn}: give at least one year before and after")
        if set(self.before) & set(self.after):
            raise ValueError(f"school {self.urn}: a year cannot be both before and after")


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """How comparisons are chosen and how many are enough."""

    neighbours: int = 10
    min_neighbours: int = 3
    min_comparisons: int = 5
    caliper: float | None = None
    same_la: bool = False
    same_fsm_band: bool = False
    level: float = 0.95

    def __post_init__(self) -> None:
        # Within-set spread needs two comparisons per set to exist at all.
        if not 2 <= self.min_neighbours <= self.neighbours:
            raise ValueError("need 2 <= min_neighbours <= neighbours")
        if self.min_comparisons < 2:
            raise ValueError("min_comparisons must be at least 2")
        if not 0 < self.level < 1:
            raise ValueError("level must be between 0 and 1")
        if self.caliper is not None and self.caliper < 0:
            raise ValueError("caliper cannot be negative")


@dataclass(frozen=True, slots=True)
class SchoolEstimate:
    """One supported school's before, after and change, against its comparisons."""

    urn: int
    plan: str
    before: float
    after: float
    comparisons: tuple[int, ...]
    comparison_change: float

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def difference(self) -> float:
        """Change here minus the mean change at its comparisons."""
        return self.change - self.comparison_change


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A supported school the estimate could not use, and why."""

    urn: int
    plan: str
    reason: str


METHOD = (
    "difference in differences against the nearest unsupported schools by starting value; "
    "interval from a standard error (Student's t)"
)


@dataclass(frozen=True)
class ImpactResult:
    """The answer for one plan or one provider.

    The estimate fields stay ``None`` unless ``status`` is ``ESTIMATED``.
    ``supported_count`` counts the supported schools used (``schools``),
    ``comparison_count`` the distinct comparison schools and
    ``comparisons_needed`` the fewest that allow an estimate.
    """

    indicator: Indicator
    status: Status
    level: float
    supported_count: int
    comparison_count: int
    comparisons_needed: int
    schools: tuple[SchoolEstimate, ...] = ()
    left_out: tuple[LeftOut, ...] = ()
    estimate: float | None = None
    interval: tuple[float, float] | None = None
    standard_error: float | None = None
    degrees_of_freedom: int = 0
    supported_change: float | None = None
    comparison_change: float | None = None
    verdict: Verdict | None = None
    method: str = METHOD

    @property
    def summary(self) -> str:
        """One plain-English sentence: the estimate, its interval and what it means."""
        label, d = self.indicator.label, self.indicator.decimals
        if self.status is Status.NO_DATA:
            return f"Not estimated: no supported school has {label} both before and after support"
        if self.estimate is None or self.interval is None or self.verdict is None:
            return (
                "Not estimated: too few similar schools not supported to compare with "
                f"({self.comparison_count} found with {label} for the same years; at least "
                f"{self.comparisons_needed} needed)"
            )
        n = self.supported_count
        subject = label if n == 1 else f"{label} at {n} supported schools"
        size = format_value(abs(self.estimate), d)
        if float(size) == 0:
            change = f"{subject} changed by about the same as"
        else:
            direction = "rose" if self.estimate > 0 else "fell"
            unit = self.indicator.unit
            if float(size) == 1 and unit.endswith("s"):
                unit = unit[:-1]  # "1 percentage point", "1 point"
            change = f"{subject} {direction} {size} {unit} more than"
        low, high = (format_value(x, d) for x in self.interval)
        text = (
            f"{change} at {self.comparison_count} similar schools not supported "
            f"({self.level:.0%} interval {low} to {high}): {_VERDICT_WORDS[self.verdict]}"
        )
        if k := len(self.left_out):
            text += f" ({k} supported {'school' if k == 1 else 'schools'} left out)"
        return text


def window_mean(values: Mapping[str, float | None], years: Iterable[str]) -> float | None:
    """The mean of the values published for ``years``, skipping missing ones; None if none."""
    found = [v for y in years if (v := values.get(y)) is not None]
    return math.fsum(found) / len(found) if found else None


_Arrays = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]


@dataclass(frozen=True, slots=True)
class _Candidate:
    urn: int
    before: float
    after: float


class _Pool:
    """Unsupported schools with values for a pair of windows, as arrays worked out once
    per (phase, LA, FSM band, years), so pooled providers do not rescan every school."""

    def __init__(self, schools: Iterable[SchoolData], settings: MatchSettings) -> None:
        self.schools = list(schools)
        self.settings = settings
        self.cache: dict[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], _Arrays] = {}

    def _arrays(self, school: SchoolData, target: SupportedSchool) -> _Arrays:
        la = school.la_code if self.settings.same_la else None
        band = school.fsm_band if self.settings.same_fsm_band else None
        key = (school.phase, la or "", band or "", target.before, target.after)
        found = self.cache.get(key)
        if found is None:
            rows = [
                (other.urn, before, after)
                for other in self.schools
                if other.phase == school.phase
                and (la is None or other.la_code == la)
                and (band is None or other.fsm_band == band)
                and (before := window_mean(other.values, target.before)) is not None
                and (after := window_mean(other.values, target.after)) is not None
            ]
            found = self.cache[key] = (
                np.array([r[0] for r in rows], dtype=np.int64),
                np.array([r[1] for r in rows], dtype=np.float64),
                np.array([r[2] for r in rows], dtype=np.float64),
            )
        return found

    def nearest(
        self, school: SchoolData, target: SupportedSchool, start: float
    ) -> list[_Candidate]:
        """The comparisons nearest ``start``: by distance, then lower URN, within the caliper."""
        urns, before, after = self._arrays(school, target)
        distance = np.abs(before - start)
        order = np.lexsort((urns, distance))  # the last key sorts first
        if self.settings.caliper is not None:
            order = order[distance[order] <= self.settings.caliper]
        return [
            _Candidate(int(urns[i]), float(before[i]), float(after[i]))
            for i in order[: self.settings.neighbours]
        ]


def _years(years: Sequence[str]) -> str:
    return years[0] if len(years) == 1 else ", ".join(years[:-1]) + " or " + years[-1]


def _match(
    target: SupportedSchool,
    schools: Mapping[int, SchoolData],
    pool: _Pool,
    indicator: Indicator,
    settings: MatchSettings,
) -> tuple[SchoolEstimate | None, list[_Candidate] | None, str]:
    """One supported school against its comparisons, or the reason it is left out
    (with the comparisons found when there were too few, None when it has no data)."""
    school = schools.get(target.urn)
    if school is None:
        return None, None, "no data held for this school"
    before = window_mean(school.values, target.before)
    after = window_mean(school.values, target.after)
    if before is None or after is None:
        side, years = ("before", target.before) if before is None else ("after", target.after)
        return None, None, f"no {indicator.label} value for {_years(years)} ({side} support)"
    chosen = pool.nearest(school, target, before)
    if len(chosen) < settings.min_neighbours:
        return (
            None,
            chosen,
            f"only {len(chosen)} similar unsupported schools have {indicator.label} for the "
            f"same years (at least {settings.min_neighbours} needed)",
        )
    mean_change = math.fsum(c.after - c.before for c in chosen) / len(chosen)
    estimate = SchoolEstimate(
        target.urn, target.plan, before, after, tuple(c.urn for c in chosen), mean_change
    )
    return estimate, chosen, ""


def _standard_error(
    kept: Sequence[tuple[SupportedSchool, list[_Candidate]]],
) -> tuple[float, int]:
    """The standard error of the estimate and its degrees of freedom (see the module doc)."""
    n = len(kept)
    weights: dict[tuple[int, tuple[str, ...], tuple[str, ...]], float] = {}
    seen: set[tuple[tuple[str, ...], tuple[str, ...], frozenset[int]]] = set()
    squares, df = 0.0, 0
    for target, chosen in kept:
        for c in chosen:
            unit = (c.urn, target.before, target.after)
            weights[unit] = weights.get(unit, 0.0) + 1.0 / (n * len(chosen))
        # A set reused by another supported school adds no new information.
        key = (target.before, target.after, frozenset(c.urn for c in chosen))
        if key in seen:
            continue
        seen.add(key)
        changes = [c.after - c.before for c in chosen]
        mean = math.fsum(changes) / len(changes)
        squares += math.fsum((x - mean) ** 2 for x in changes)
        df += len(changes) - 1
    variance = squares / df
    return math.sqrt(variance * (1.0 / n + math.fsum(w * w for w in weights.values()))), df


def _verdict(indicator: Indicator, low: float, high: float) -> Verdict:
    if low <= 0 <= high:
        return Verdict.UNCLEAR
    up = low > 0
    return Verdict.BETTER if up == indicator.higher_is_better else Verdict.WORSE


_VERDICT_WORDS = {
    Verdict.BETTER: "clearly better than at similar schools",
    Verdict.WORSE: "clearly worse than at similar schools",
    Verdict.UNCLEAR: "not clearly different from no effect",
}


def evaluate(
    indicator: Indicator,
    supported: Sequence[SupportedSchool],
    schools: Iterable[SchoolData],
    *,
    exclude: Iterable[int] = (),
    settings: MatchSettings | None = None,
) -> ImpactResult:
    """Difference in differences for ``supported`` against similar unsupported schools.

    ``schools`` holds every school that might be compared (supported ones may
    be among them; they are never comparisons). ``exclude`` names other
    schools that had support and so are not fair comparisons.
    """
    settings = settings or MatchSettings()
    by_urn = _by_urn(schools)
    barred = {s.urn for s in supported} | set(exclude)
    pool = _Pool((s for s in by_urn.values() if s.urn not in barred), settings)
    return _evaluate(indicator, supported, by_urn, pool, settings)


def _by_urn(schools: Iterable[SchoolData]) -> dict[int, SchoolData]:
    by_urn: dict[int, SchoolData] = {}
    for s in schools:
        if s.urn in by_urn:
            raise ValueError(f"school {s.urn} given twice")
        by_urn[s.urn] = s
    return by_urn


def _evaluate(
    indicator: Indicator,
    supported: Sequence[SupportedSchool],
    by_urn: Mapping[int, SchoolData],
    pool: _Pool,
    settings: MatchSettings,
) -> ImpactResult:
    estimates: list[SchoolEstimate] = []
    kept: list[tuple[SupportedSchool, list[_Candidate]]] = []
    left_out: list[LeftOut] = []
    short_of_comparisons = False
    for target in dict.fromkeys(supported):  # the same row twice counts once
        one, chosen, reason = _match(target, by_urn, pool, indicator, settings)
        if one is None:
            short_of_comparisons |= chosen is not None
            left_out.append(LeftOut(target.urn, target.plan, reason))
        else:
            estimates.append(one)
            kept.append((target, chosen or []))

    distinct = len({urn for e in estimates for urn in e.comparisons})
    found = (settings.level, len(estimates), distinct, settings.min_comparisons)
    if not estimates or distinct < settings.min_comparisons:
        enough_data = bool(estimates) or short_of_comparisons
        status = Status.TOO_FEW_COMPARISONS if enough_data else Status.NO_DATA
        return ImpactResult(indicator, status, *found, tuple(estimates), tuple(left_out))

    n = len(estimates)
    estimate = math.fsum(e.difference for e in estimates) / n
    se, df = _standard_error(kept)
    half = t_quantile(0.5 + settings.level / 2, df) * se
    return ImpactResult(
        indicator,
        Status.ESTIMATED,
        *found,
        tuple(estimates),
        tuple(left_out),
        estimate=estimate,
        interval=(estimate - half, estimate + half),
        standard_error=se,
        degrees_of_freedom=df,
        supported_change=math.fsum(e.change for e in estimates) / n,
        comparison_change=math.fsum(e.comparison_change for e in estimates) / n,
        verdict=_verdict(indicator, estimate - half, estimate + half),
    )


def evaluate_each(
    indicator: Indicator,
    plans: Sequence[SupportedSchool],
    schools: Iterable[SchoolData],
    *,
    by: Literal["plan", "provider"],
    exclude: Iterable[int] = (),
    settings: MatchSettings | None = None,
) -> dict[str, ImpactResult]:
    """One result per plan, or per provider pooling its plans (rows grouped by ``by``).

    A school supported under any of ``plans`` is never a comparison for any of
    them; each supported school is compared over its own plan's years.
    """
    settings = settings or MatchSettings()
    by_urn = _by_urn(schools)
    barred = {p.urn for p in plans} | set(exclude)
    # Every group bars the same schools, so one pool (and its cache) serves them all.
    pool = _Pool((s for s in by_urn.values() if s.urn not in barred), settings)
    groups: dict[str, list[SupportedSchool]] = {}
    for p in plans:
        groups.setdefault(p.plan if by == "plan" else p.provider, []).append(p)
    return {
        name: _evaluate(indicator, rows, by_urn, pool, settings)
        for name, rows in sorted(groups.items())
    }
