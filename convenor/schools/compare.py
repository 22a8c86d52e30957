"""The LA comparison page: one LA against England on the published headline measures.

The figures are the LA and England rows the school-level files carry
(:class:`~convenor.intelligence.models.AreaStatistic`), read in one query. Each measure
is a :class:`~convenor.intelligence.trends.Trend`: a table with the LA and England by
year, and a chart where some line has two years or more. A year one of them has no row
for says "not published"; a withheld figure says why ("suppressed (SUPP)"), never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from convenor.core.components import Link
from convenor.core.permissions import ANY_ROLE, role_required
from convenor.intelligence.models import AreaStatistic
from convenor.intelligence.trends import (
    ENGLAND,
    NOT_PUBLISHED,
    AreaIndex,
    Figure,
    Series,
    Trend,
    make_trend,
)
from convenor.schools.areas import default_la_code, local_authority_options
from convenor.schools.forms import LocalAuthorityForm
from convenor.schools.profile_data import ENGLAND_CODES
from convenor.schools.profile_sections import span
from convenor.schools.profile_trends import KS2_DATASETS, KS4_DATASETS, PROVISIONAL, Section

# What each publication is called on the page.
DATASET_LABELS = {
    "ks2_final_full": "final results",
    "ks2_final": "final results",
    "ks4_final": "final results",
    "ks4_provisional": "provisional results (October release)",
}
PHASES = ("primary", "secondary")

Row = AreaStatistic
Keep = Callable[[Row], bool]


def _threshold(percent: float) -> Keep:
    return lambda row: row.values.get("persistent_threshold_pct") == percent


@dataclass(frozen=True)
class Measure:
    """One measure of one family of area rows, for the LA and for England."""

    family: str
    datasets: tuple[str, ...]
    segment: str
    measure: str
    title: str
    unit: str
    ident: str
    notes: dict[str, str] = field(default_factory=dict)  # dataset -> "provisional"
    keep: Keep | None = None  # which rows (years) belong to this measure


@dataclass
class Comparison:
    """Builds trends for one LA from the area rows already read."""

    la_code: int
    la_name: str
    rows: Sequence[Row]
    index: AreaIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = AreaIndex(self.rows)

    def _is_area(self, row: Row) -> bool:
        if row.level == "la":
            return row.area_code == str(self.la_code)
        return row.level == "national" and row.area_code in ENGLAND_CODES

    def used_rows(self, m: Measure) -> list[Row]:
        """The LA and England rows that carry the measure, in the measure's years."""
        return [
            row
            for row in self.rows
            if row.family == m.family
            and row.dataset in m.datasets
            and row.segment == m.segment
            and self._is_area(row)
            and (m.measure in row.values or m.measure in row.missing)
            and (m.keep is None or m.keep(row))
        ]

    def _figure(self, m: Measure, level: str, codes: Iterable[str], period: str) -> Figure:
        for code in codes:
            found = self.index.figure(
                family=m.family,
                level=level,
                area_code=code,
                period=period,
                segment=m.segment,
                measure=m.measure,
                datasets=m.datasets,
                notes=m.notes,
            )
            if found is not None:
                return found
        return NOT_PUBLISHED

    def trend(self, m: Measure) -> Trend | None:
        """The LA and England by year; ``None`` when neither has a row for the measure."""
        periods = sorted({row.period for row in self.used_rows(m)})
        if not periods:
            return None
        series = [
            Series(
                self.la_name,
                tuple(self._figure(m, "la", (str(self.la_code),), p) for p in periods),
                style=1,
            ),
            Series(
                ENGLAND,
                tuple(self._figure(m, "national", ENGLAND_CODES, p) for p in periods),
                style=2,
            ),
        ]
        # Only lines with a number are drawn; the table keeps both columns.
        drawn = [s for s in series if any(f.value is not None for f in s.figures)]
        charted = make_trend(
            ident=m.ident, title=m.title, unit=m.unit, periods=periods, series=drawn
        )
        chart = charted.chart if charted is not None else ""
        return Trend(m.ident, m.title, m.unit, tuple(periods), tuple(series), chart)

    def section(
        self,
        ident: str,
        heading: str,
        source: str,
        measures: Sequence[Measure],
        *,
        notes: Sequence[str] = (),
        say_dataset: bool = False,
    ) -> Section:
        trends = [t for t in (self.trend(m) for m in measures) if t is not None]
        used = [row for m in measures for row in self.used_rows(m)]
        extra = list(notes)
        if say_dataset and used:
            extra.insert(0, published_as(used))
        la_numbers = any(f.value is not None for t in trends for f in t.series[0].figures)
        if trends and not la_numbers:
            extra.append(
                f"No {heading.lower()} figures for {self.la_name} are in the imported data, "
                "so its column says not published."
            )
        return Section(
            ident=ident,
            heading=heading,
            source=source,
            period=span(sorted({p for t in trends for p in t.periods})),
            files=tuple(sorted({row.source_file for row in used})),
            notes=tuple(extra) if trends else (),
            trends=tuple(trends),
            empty=f"No {heading.lower()} figures for {self.la_name} or England are imported.",
        )


def published_as(rows: Iterable[Row]) -> str:
    """Which publication the figures are from, year by year: "Figures are final results
    for 2016/17 and 2017/18; provisional results (October release) for 2018/19."
    """
    years: dict[str, set[str]] = {}
    for row in rows:
        years.setdefault(DATASET_LABELS.get(row.dataset, row.dataset), set()).add(row.period)
    parts = [f"{label} for {_and(sorted(periods))}" for label, periods in years.items()]
    return "Figures are " + "; ".join(sorted(parts)) + "."


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def comparison_sections(la_code: int, la_name: str) -> list[Section]:
    """The page's sections for one LA, from one query of area rows."""
    areas = Q(level="national", area_code__in=ENGLAND_CODES) | Q(level="la", area_code=str(la_code))
    rows = list(
        AreaStatistic.objects.filter(
            areas,
            family__in=("ks2", "ks4", "absence", "exclusions"),
        ).order_by("period", "pk")
    )
    c = Comparison(la_code, la_name, rows)
    ks2 = c.section(
        "key-stage-2",
        "Key stage 2 results",
        "Department for Education, key stage 2 performance tables, state-funded schools.",
        [
            Measure(
                "ks2",
                KS2_DATASETS,
                "state-funded",
                "rwm_expected_pct",
                "Reading, writing and maths: pupils meeting the expected standard",
                "%",
                "rwm_expected_pct",
            )
        ],
        notes=("Results before 2015/16 were in levels and are not comparable, so are not shown.",),
        say_dataset=True,
    )
    ks4 = c.section(
        "key-stage-4",
        "Key stage 4 results",
        "Department for Education, key stage 4 performance tables, state-funded schools. "
        "Figures marked provisional are from the October release.",
        [
            Measure("ks4", KS4_DATASETS, "state-funded", name, title, "score", name, PROVISIONAL)
            for name, title in (
                ("progress8", "Progress 8 score"),
                ("attainment8", "Attainment 8 score"),
            )
        ],
        notes=(
            "Progress 8 compares pupils with others nationally who had similar results at "
            "the end of key stage 2: 0 is the national average, so England's figure is "
            "close to 0.",
            "Attainment 8 in 2015/16 was on the old points scale and is not comparable "
            "with later years.",
        ),
        say_dataset=True,
    )
    absence_measures = []
    for phase in PHASES:
        absence_measures += [
            Measure(
                "absence",
                ("absence",),
                phase,
                "overall_absence_pct",
                f"Overall absence, {phase} schools",
                "% of sessions missed",
                f"overall-absence-{phase}",
            ),
            *(
                Measure(
                    "absence",
                    ("absence",),
                    phase,
                    "persistent_absence_pct",
                    f"Persistent absence (missing {threshold}% or more of sessions), "
                    f"{phase} schools",
                    "% of pupils",
                    f"persistent-absence-{threshold}-{phase}",
                    keep=_threshold(float(threshold)),
                )
                for threshold in (10, 15)
            ),
        ]
    absence = c.section(
        "absence",
        "Absence",
        "Department for Education, school performance tables (absence), by phase.",
        absence_measures,
        notes=(
            "A pupil was persistently absent if they missed 15% or more of sessions until "
            "2014/15, and 10% or more from 2015/16, so the two are shown apart.",
        ),
    )
    exclusions = c.section(
        "exclusions",
        "Exclusions",
        "Department for Education, exclusions (explore education statistics), "
        "all school types together.",
        [
            Measure(
                "exclusions",
                ("exclusions",),
                "all",
                "fixed_period_rate",
                "Suspensions (fixed-period exclusions)",
                "per 100 pupils",
                "fixed-period-rate",
            ),
            Measure(
                "exclusions",
                ("exclusions",),
                "all",
                "permanent_rate",
                "Permanent exclusions",
                "per 100 pupils",
                "permanent-rate",
            ),
        ],
        notes=("The exclusions data ends in 2016/17.",),
    )
    return [ks2, ks4, absence, exclusions]


@role_required(*ANY_ROLE)
def compare(request: HttpRequest) -> HttpResponse:
    """One LA against England, measure by measure and year by year."""
    options = local_authority_options()
    form = LocalAuthorityForm(
        request.GET, local_authorities=options, default_la=default_la_code(request.user, options)
    )
    form.is_valid()
    la_code = form.la_code
    sections = comparison_sections(la_code, form.la_name) if la_code is not None else []
    context: dict[str, Any] = {
        "form": form,
        "la_code": la_code,
        "la_name": form.la_name,
        "sections": sections,
        "contents": [Link(s.heading, f"#{s.ident}") for s in sections],
        "choose_la": len(form.la_names) > 1,
        "breadcrumbs": [Link("Home", reverse("schools:home"))],
    }
    return render(request, "schools/compare.html", context)
