"""Did the support work? Completed plans and stored results in, impact estimates out.

The glue between brokerage rows and :mod:`convenor.analytics.impact` (difference in
differences against the nearest unsupported schools):

- each **completed** plan is one :class:`~convenor.analytics.impact.SupportedSchool`:
  *before* is the academic years that ended before the plan started (the last
  ``years_before`` of them), *after* the years that began after it ended (the first
  ``years_after``). A plan ends on the review that completed it, else on its planned
  end. Results are published per academic year (1 September to 31 August), so a plan
  from October 2017 to July 2018 has 2015/16 and 2016/17 before and 2018/19 and
  2019/20 after; a year with no published value (2019/20 and 2020/21 had no
  national tests) is skipped by the analysis.
- every stored result for those years is one
  :class:`~convenor.analytics.impact.SchoolData` row: the value of one canonical
  measure (:data:`INDICATORS`, names from :mod:`convenor.sources`), taking the final
  publication before a provisional one, for segment ``all``.
- a plan is evaluated on an indicator only when its school's phase fits (KS2 for
  primaries, KS4 for secondaries, absence for every school); an all-through school
  fits both.
- schools supported under any plan, of any status, are never comparisons.

Nothing here writes; pages call :func:`impact_report`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Count, QuerySet

from convenor.analytics.impact import (
    ImpactResult,
    Indicator,
    MatchSettings,
    SchoolData,
    SupportedSchool,
    evaluate_each,
)
from convenor.brokerage.models import (
    PlanReview,
    PlanStatus,
    ReviewDecision,
    SupportPhase,
    SupportPlan,
    SupportProvider,
    SupportRating,
    phase_of,
)
from convenor.intelligence.models import AbsenceRecord, KS2Result, KS4Result, SchoolIndicator
from convenor.schools.models import Establishment

YEARS_BEFORE = 2
YEARS_AFTER = 2


@dataclass(frozen=True)
class IndicatorSource:
    """Where one indicator's values are stored and which schools it is for.

    ``datasets`` are in order of preference (final before provisional); ``phase`` is the
    support phase the indicator measures (None: every phase); ``first_period`` leaves out
    earlier years that are not comparable (Attainment 8 changed scale in 2016/17).
    """

    key: str
    model: type[SchoolIndicator]
    measure: str
    datasets: tuple[str, ...]
    phase: str | None
    indicator: Indicator
    first_period: str = ""

    @property
    def label(self) -> str:
        return self.indicator.label


KS2 = ("ks2_final", "ks2_final_full")
KS4 = ("ks4_final", "ks4_provisional")
PRIMARY, SECONDARY = str(SupportPhase.PRIMARY), str(SupportPhase.SECONDARY)
PP = "percentage points"


def _ks2(
    key: str, measure: str, label: str, unit: str = "points", decimals: int = 1
) -> IndicatorSource:
    indicator = Indicator(measure, label, unit=unit, decimals=decimals)
    return IndicatorSource(key, KS2Result, measure, KS2, PRIMARY, indicator)


INDICATORS: dict[str, IndicatorSource] = {
    s.key: s
    for s in (
        _ks2(
            "ks2_rwm",
            "rwm_expected_pct",
            "KS2 % at the expected standard in reading, writing and maths",
            unit=PP,
            decimals=0,
        ),
        _ks2("ks2_reading", "reading_progress", "KS2 reading progress"),
        _ks2("ks2_writing", "writing_progress", "KS2 writing progress"),
        _ks2("ks2_maths", "maths_progress", "KS2 maths progress"),
        IndicatorSource(
            "ks4_p8",
            KS4Result,
            "progress8",
            KS4,
            SECONDARY,
            Indicator("progress8", "KS4 Progress 8", decimals=2),
        ),
        IndicatorSource(
            "ks4_a8",
            KS4Result,
            "attainment8",
            KS4,
            SECONDARY,
            Indicator("attainment8", "KS4 Attainment 8"),
            first_period="2016/17",
        ),
        IndicatorSource(
            "absence",
            AbsenceRecord,
            "overall_absence_pct",
            ("absence",),
            None,
            Indicator("overall_absence_pct", "Overall absence", unit=PP, higher_is_better=False),
        ),
    )
}
DEFAULT_INDICATORS = ("ks2_rwm", "ks4_p8")


# --- Academic years ---------------------------------------------------------------------


def academic_year(day: date) -> str:
    """The academic year holding ``day`` as results label it: 1 September 2017 to 31
    August 2018 is ``"2017/18"``."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def shift_year(label: str, years: int) -> str:
    """The academic year ``years`` after (or before, if negative) ``label``."""
    first = int(label[:4]) + years
    return f"{first}/{(first + 1) % 100:02d}"


def plan_windows(
    starts: date, ended: date, years_before: int = YEARS_BEFORE, years_after: int = YEARS_AFTER
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The years before a plan that started on ``starts`` (those that ended before it)
    and after one that ended on ``ended`` (those that began after it), oldest first."""
    first, last = academic_year(starts), academic_year(ended)
    before = tuple(shift_year(first, -n) for n in range(years_before, 0, -1))
    after = tuple(shift_year(last, n) for n in range(1, years_after + 1))
    return before, after


def ended_on(plans: Iterable[SupportPlan]) -> dict[int, date]:
    """When each plan ended: the review that completed or stopped it, else its planned end.
    One query."""
    found = {plan.pk: plan.ends for plan in plans}
    closing = PlanReview.objects.filter(
        plan_id__in=list(found), decision__in=[ReviewDecision.COMPLETE, ReviewDecision.STOP]
    ).values_list("plan_id", "reviewed_on")
    for plan_id, day in closing:
        found[plan_id] = day
    return found


def supported_schools(
    plans: Sequence[SupportPlan],
    years_before: int = YEARS_BEFORE,
    years_after: int = YEARS_AFTER,
) -> list[SupportedSchool]:
    """One row a plan: its school, its windows, and its plan and provider as keys."""
    ends = ended_on(plans)
    rows = []
    for plan in plans:
        before, after = plan_windows(plan.starts, ends[plan.pk], years_before, years_after)
        rows.append(
            SupportedSchool(
                plan.urn, before, after, plan=str(plan.pk), provider=str(plan.provider_id)
            )
        )
    return rows


# --- Stored results ----------------------------------------------------------------------


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def values_by_school(source: IndicatorSource, years: Iterable[str]) -> dict[int, dict[str, float]]:
    """Each school's value of the indicator per year among ``years``, from the first of
    the source's datasets that has one. One query."""
    wanted = sorted(y for y in set(years) if y >= source.first_period)
    rows = (
        source.model._default_manager.filter(
            period__in=wanted, segment="all", dataset__in=source.datasets, urn__isnull=False
        )
        .order_by()
        .values_list("urn", "period", "dataset", f"values__{source.measure}")
    )
    rank = {name: n for n, name in enumerate(source.datasets)}
    best: dict[tuple[int, str], tuple[int, float]] = {}
    for urn, period, dataset, raw in rows:
        value = _number(raw)
        if value is None:
            continue
        key = (urn, period)
        if key not in best or rank[dataset] < best[key][0]:
            best[key] = (rank[dataset], value)
    found: dict[int, dict[str, float]] = defaultdict(dict)
    for (urn, period), (_, value) in best.items():
        found[urn][period] = value
    return dict(found)


@dataclass(frozen=True)
class RegisterFacts:
    phase: str
    la_code: str


def register_facts(urns: Iterable[int] | QuerySet[Any]) -> dict[int, RegisterFacts]:
    """The support phase and LA of each school the register holds among ``urns`` (a list,
    or a query of URNs, so a national pool is not sent as a list). One query."""
    wanted = urns if isinstance(urns, QuerySet) else list(urns)
    rows = Establishment.objects.filter(urn__in=wanted).values_list(
        "urn", "phase", "type_group", "type_name", "la_code"
    )
    return {
        urn: RegisterFacts(phase_of(phase, group, name) or "", "" if la is None else str(la))
        for urn, phase, group, name, la in rows
    }


def school_data(
    source: IndicatorSource,
    values: Mapping[int, Mapping[str, float]],
    facts: Mapping[int, RegisterFacts],
) -> list[SchoolData]:
    """The analysis's rows. A KS2 or KS4 indicator compares its own phase's schools, so a
    school the register does not hold still counts; absence compares by register phase."""
    rows = []
    for urn, by_year in sorted(values.items()):
        known = facts.get(urn)
        phase = source.phase or (known.phase if known else "") or "unknown"
        rows.append(SchoolData(urn, phase, dict(by_year), la_code=known.la_code if known else ""))
    return rows


def fits(source: IndicatorSource, phase: str) -> bool:
    """Whether a school of support phase ``phase`` is measured by the indicator."""
    return source.phase is None or phase in (source.phase, SupportPhase.ALL_THROUGH)


# --- The report --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanImpact:
    plan: SupportPlan
    school: str
    result: ImpactResult
    rating: SupportRating | None


@dataclass(frozen=True)
class ProviderImpact:
    provider: SupportProvider
    plans: int
    result: ImpactResult
    rating_mean: float | None
    rating_count: int


@dataclass(frozen=True)
class IndicatorReport:
    source: IndicatorSource
    plans: tuple[PlanImpact, ...]
    providers: tuple[ProviderImpact, ...]


def completed_plans(plans: QuerySet[SupportPlan]) -> list[SupportPlan]:
    """The completed plans among ``plans``, oldest first, with their providers."""
    return list(
        plans.filter(status=PlanStatus.COMPLETED)
        .select_related("provider")
        .order_by("starts", "pk")
    )


def _school_data(
    source: IndicatorSource, rows: Sequence[SupportedSchool], facts: Mapping[int, RegisterFacts]
) -> list[SchoolData]:
    years = {y for row in rows for y in (*row.before, *row.after)}
    values = values_by_school(source, years)
    if source.phase is None:
        # Comparisons are by register phase: read it for every school with a value.
        held = source.model._default_manager.filter(period__in=sorted(years)).values("urn")
        facts = {**register_facts(held), **facts}
    return school_data(source, values, facts)


def impact_report(
    plans: QuerySet[SupportPlan],
    keys: Sequence[str],
    *,
    exclude: Iterable[int] | None = None,
    settings: MatchSettings | None = None,
    years_before: int = YEARS_BEFORE,
    years_after: int = YEARS_AFTER,
) -> list[IndicatorReport]:
    """For each indicator in ``keys``, the estimate per completed plan among ``plans`` and
    per provider (pooling its plans there), with the ratings beside them.

    ``exclude`` defaults to every school any plan supported, so none is a comparison.
    """
    completed = completed_plans(plans)
    barred = (
        set(exclude)
        if exclude is not None
        else set(SupportPlan.objects.values_list("urn", flat=True))
    )
    facts = register_facts({p.urn for p in completed})
    names = dict(
        Establishment.objects.filter(urn__in=[p.urn for p in completed]).values_list("urn", "name")
    )
    ratings = {r.plan_id: r for r in SupportRating.objects.filter(plan__in=completed)}
    providers = {
        p.pk: p
        for p in SupportProvider.objects.filter(pk__in={p.provider_id for p in completed}).annotate(
            rating_count=Count("ratings"), rating_mean=Avg("ratings__score")
        )
    }
    reports = []
    for key in keys:
        source = INDICATORS[key]
        chosen = [
            p for p in completed if fits(source, facts.get(p.urn, RegisterFacts("", "")).phase)
        ]
        rows = supported_schools(chosen, years_before, years_after)
        if not rows:
            reports.append(IndicatorReport(source, (), ()))
            continue
        data = _school_data(source, rows, facts)
        indicator = source.indicator
        by_plan = evaluate_each(indicator, rows, data, by="plan", exclude=barred, settings=settings)
        by_provider = evaluate_each(
            indicator, rows, data, by="provider", exclude=barred, settings=settings
        )
        counts: dict[int, int] = defaultdict(int)
        for plan in chosen:
            counts[plan.provider_id] += 1
        reports.append(
            IndicatorReport(
                source,
                tuple(
                    PlanImpact(
                        p, names.get(p.urn, f"URN {p.urn}"), by_plan[str(p.pk)], ratings.get(p.pk)
                    )
                    for p in chosen
                ),
                tuple(
                    ProviderImpact(
                        providers[pid],
                        counts[pid],
                        by_provider[str(pid)],
                        providers[pid].rating_mean,  # type: ignore[attr-defined]
                        providers[pid].rating_count,  # type: ignore[attr-defined]
                    )
                    for pid in sorted(counts, key=lambda pid: providers[pid].name)
                ),
            )
        )
    return reports
