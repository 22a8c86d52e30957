"""The trend sections of a school's profile: results, pupils and absence (exclusions and admissions
are in :mod:`convenor.schools.profile_admissions`).

Each section is built from :class:`~convenor.schools.profile_data.ProfileData` without
queries. Figures are taken across the school's URNs (a year published under another URN
says so) and compared with the school's LA and England where those rows were imported;
each section says which years and which files its figures come from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from convenor.core.components import Cell, Table
from convenor.intelligence.trends import (
    ENGLAND,
    NO_DATA,
    SCHOOL,
    AreaIndex,
    Figure,
    Series,
    Trend,
    YearRecord,
    by_year,
    make_trend,
)
from convenor.schools.profile_data import ENGLAND_CODES, ProfileData
from convenor.schools.profile_sections import phase_segment, span
from convenor.sources.census import YEAR_GROUPS


@dataclass(frozen=True)
class Section:
    """A titled part of the profile: what it shows, for which years, from which files."""

    ident: str
    heading: str
    source: str
    period: str = ""
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    trends: tuple[Trend, ...] = ()
    tables: tuple[Table, ...] = ()
    empty: str = ""

    @property
    def has_data(self) -> bool:
        return bool(self.trends or self.tables)


@dataclass(frozen=True)
class Comparison:
    """Where a trend's LA and England figures come from."""

    family: str
    datasets: tuple[str, ...]
    la_segment: str | None
    england_segment: str | None
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class TrendBuilder:
    """Builds a section's trends from its year records, comparing with LA and England."""

    data: ProfileData
    records: dict[str, YearRecord]
    areas: AreaIndex
    files: set[str] = field(default_factory=set)

    def measure(
        self,
        measure: str,
        title: str,
        unit: str,
        *,
        compare: Comparison | None = None,
        segment_of: Callable[[YearRecord], str | None] | None = None,
        note: str = "",
        keep: Callable[[YearRecord], bool] | None = None,
        ident: str = "",
    ) -> Trend | None:
        """The school's ``measure`` by year, with the LA and England beside it.

        ``segment_of`` picks a year's breakdown for the comparison (default the
        comparison's own); ``keep`` leaves years out.
        """
        years = [r for r in self.records.values() if r.has(measure) and (keep is None or keep(r))]
        periods = [r.period for r in years]
        series = [Series(SCHOOL, tuple(r.figure(measure) for r in years), style=0)]
        if compare is not None:
            la_code = self.data.school.la_code
            if la_code is not None and compare.la_segment is not None:
                name = self.data.la.name if self.data.la else f"LA {la_code}"
                series.append(
                    self._area(name, "la", (str(la_code),), compare, years, measure, segment_of, 1)
                )
            if compare.england_segment is not None:
                series.append(
                    self._area(
                        ENGLAND, "national", ENGLAND_CODES, compare, years, measure, segment_of, 2
                    )
                )
        for record in years:
            self.files.update(record.source_files)
        return make_trend(
            ident=ident or measure,
            title=title,
            unit=unit,
            periods=periods,
            series=series,
            note=note,
            urns=self._urns(years, [measure]),
        )

    def measures(
        self, ident: str, title: str, unit: str, measures: Sequence[tuple[str, str]]
    ) -> Trend | None:
        """Several measures of one unit on one chart (name, measure), school only."""
        years = [r for r in self.records.values() if any(r.has(m) for _, m in measures)]
        series = [
            Series(name, tuple(r.figure(m) if r.has(m) else NO_DATA for r in years))
            for name, m in measures
        ]
        for record in years:
            self.files.update(record.source_files)
        return make_trend(
            ident=ident,
            title=title,
            unit=unit,
            periods=[r.period for r in years],
            series=series,
            urns=self._urns(years, [m for _, m in measures]),
        )

    def _area(
        self,
        name: str,
        level: str,
        codes: Sequence[str],
        compare: Comparison,
        years: Sequence[YearRecord],
        measure: str,
        segment_of: Callable[[YearRecord], str | None] | None,
        style: int,
    ) -> Series:
        default = compare.la_segment if level == "la" else compare.england_segment
        figures = []
        for record in years:
            segment = segment_of(record) if segment_of else default
            found: Figure | None = None
            if segment is not None:
                for code in codes:
                    found = self.areas.figure(
                        family=compare.family,
                        level=level,
                        area_code=code,
                        period=record.period,
                        segment=segment,
                        measure=measure,
                        datasets=compare.datasets,
                        notes=compare.notes,
                    )
                    if found is not None:
                        self.files.update(self.areas.source_files(compare.family, level, code))
                        break
            figures.append(found or NO_DATA)
        return Series(name, tuple(figures), style=style)

    def _urns(self, years: Sequence[YearRecord], measures: Sequence[str]) -> dict[str, int]:
        """The years whose figures were published under another URN, and that URN."""
        urns = {}
        for record in years:
            urn = next((u for u in (record.urn_of(m) for m in measures) if u is not None), None)
            if urn is not None and urn != self.data.school.urn:
                urns[record.period] = urn
        return urns


def trend_section(
    ident: str,
    heading: str,
    source: str,
    files: set[str],
    trends: Sequence[Trend | None],
    *,
    notes: Sequence[str] = (),
    tables: Sequence[Table] = (),
    empty: str = "",
) -> Section:
    kept = tuple(t for t in trends if t is not None)
    periods = {p for t in kept for p in t.periods}
    return Section(
        ident=ident,
        heading=heading,
        source=source,
        period=span(list(periods)),
        files=tuple(sorted(files)),
        notes=tuple(notes) if kept or tables else (),
        trends=kept,
        tables=tuple(tables),
        empty=empty,
    )


def trend_builder(
    data: ProfileData, rows: Sequence[Any], datasets: Sequence[str], **kw: Any
) -> TrendBuilder:
    records = by_year(rows, urn_order=data.urn_order, datasets=datasets, **kw)
    return TrendBuilder(data, records, AreaIndex(data.areas))


KS2_DATASETS = ("ks2_final_full", "ks2_final")
KS4_DATASETS = ("ks4_final", "ks4_provisional")
PROVISIONAL = {"ks4_provisional": "provisional"}


def ks2_section(data: ProfileData) -> Section:
    """Key stage 2 headline measures by year, 2015/16 on (the tests changed in 2016)."""
    b = trend_builder(data, data.ks2, KS2_DATASETS)
    compare = Comparison("ks2", KS2_DATASETS, "state-funded", "state-funded")
    trends = [
        b.measure(
            "rwm_expected_pct",
            "Reading, writing and maths: pupils meeting the expected standard",
            "%",
            compare=compare,
        ),
        *(
            b.measure(
                f"{subject}_progress", f"{subject.title()} progress score", "score", compare=compare
            )
            for subject in ("reading", "writing", "maths")
        ),
    ]
    return trend_section(
        "key-stage-2",
        "Key stage 2 results",
        "Department for Education, key stage 2 performance tables (final results), "
        "state-funded schools for the LA and England.",
        b.files,
        trends,
        notes=(
            "Progress scores compare pupils with others nationally who had similar results "
            "at the end of key stage 1: 0 is the national average, so England has none.",
            "Results before 2015/16 were in levels and are not comparable, so are not shown.",
        ),
    )


def ks4_section(data: ProfileData) -> Section:
    """Key stage 4 headline measures by year: final results, provisional where that is all."""
    b = trend_builder(data, data.ks4, KS4_DATASETS, notes=PROVISIONAL)
    compare = Comparison("ks4", KS4_DATASETS, "state-funded", "state-funded", PROVISIONAL)
    trends = [
        b.measure("progress8", "Progress 8 score", "score", compare=compare),
        b.measure("attainment8", "Attainment 8 score", "score", compare=compare),
        b.measure("basics_94_pct", "English and maths: grade 4 or above", "%", compare=compare),
        b.measure("basics_95_pct", "English and maths: grade 5 or above", "%", compare=compare),
    ]
    return trend_section(
        "key-stage-4",
        "Key stage 4 results",
        "Department for Education, key stage 4 performance tables, state-funded schools "
        "for the LA and England. Figures marked provisional are from the October release.",
        b.files,
        trends,
        notes=(
            "Attainment 8 in 2015/16 was on the old points scale and is not comparable "
            "with later years. GCSEs were graded 9 to 1 from 2016/17 (English and maths).",
        ),
    )


def pupils_section(data: ProfileData) -> Section:
    """Census characteristics by year, with England by phase; pupils by year group."""
    b = trend_builder(data, data.census, ("census",))
    segment = phase_segment(data.school)
    compare = Comparison("census", ("census",), segment, segment)
    trends = [
        b.measure("pupils", "Pupils on roll", "pupils"),
        b.measure("fsm_pct", "Pupils eligible for free school meals", "%", compare=compare),
        b.measure(
            "fsm_ever6_pct",
            "Pupils eligible for free school meals in the last six years",
            "%",
            compare=compare,
        ),
        b.measure("ehc_plan_pct", "Pupils with an EHC plan", "%", compare=compare),
        b.measure("sen_support_pct", "Pupils on SEN support", "%", compare=compare),
        b.measure("eal_pct", "Pupils whose first language is not English", "%", compare=compare),
    ]
    tables = []
    year_groups = year_group_table(data, b)
    if year_groups is not None:
        tables.append(year_groups)
    return trend_section(
        "pupils",
        "Pupils",
        "Department for Education, school census (January of each academic year: 2016/17 "
        "is January 2017); England figures are for schools of the same phase.",
        b.files,
        trends,
        notes=(
            "The census files give free school meals as a percentage for January 2017 only; "
            "later files give the number of pupils eligible, which is not shown as a rate.",
        ),
        tables=tables,
        empty="No census figures are published for this school.",
    )


YEAR_GROUP_LABELS = {
    measure: label.replace("Year group ", "Year ") for label, measure in YEAR_GROUPS.items()
}
YEAR_GROUP_LABELS["not_followed"] = "Not following the national curriculum"


def year_group_table(data: ProfileData, builder: TrendBuilder) -> Table | None:
    """Pupils by national curriculum year group in the latest census that gives them."""
    records = by_year(data.year_groups, urn_order=data.urn_order, datasets=("year_groups",))
    if not records:
        return None
    record = records[max(records)]
    builder.files.update(record.source_files)
    rows = []
    for measure, label in YEAR_GROUP_LABELS.items():
        figure = record.figure(measure)
        if figure.value == 0 or (figure.value is None and not record.has(measure)):
            continue  # a year group the school does not teach
        if figure.value is None and figure.text.endswith("(z)"):
            continue
        rows.append((Cell(label, header=True), Cell(figure.text, numeric=True)))
    rows.append(
        (Cell("All pupils", header=True), Cell(record.figure("headcount").text, numeric=True))
    )
    under = f" (URN {record.urn})" if record.urn != data.school.urn else ""
    return Table(
        caption=f"Pupils by year group, census of {record.period}{under}",
        head=(Cell("Year group"), Cell("Pupils", numeric=True)),
        rows=rows,
        caption_size="s",
    )


def absence_section(data: ProfileData) -> Section:
    """Overall and persistent absence, with England by phase; persistent absence split
    by the threshold of the day (15% of sessions until 2014/15, 10% since)."""
    b = trend_builder(data, data.absence, ("absence",))
    segment = phase_segment(data.school)
    compare = Comparison("absence", ("absence",), None, segment)

    def threshold(percent: float) -> Callable[[YearRecord], bool]:
        return lambda r: r.figure("persistent_threshold_pct").value == percent

    trends = [
        b.measure(
            "overall_absence_pct", "Overall absence", "% of sessions missed", compare=compare
        ),
        b.measure(
            "persistent_absence_pct",
            "Persistent absence: missing 10% or more of sessions",
            "% of pupils",
            compare=compare,
            keep=threshold(10.0),
        ),
        b.measure(
            "persistent_absence_pct",
            "Persistent absence: missing 15% or more of sessions",
            "% of pupils",
            compare=compare,
            keep=threshold(15.0),
            ident="persistent_absence_15",
        ),
    ]
    return trend_section(
        "absence",
        "Absence",
        "Department for Education, school performance tables (absence); England figures are "
        "for schools of the same phase.",
        b.files,
        trends,
        notes=(
            "A pupil was persistently absent if they missed 15% or more of sessions until "
            "2014/15, and 10% or more from 2015/16, so the two are shown apart.",
        ),
        empty="No absence figures are published for this school.",
    )


def largest_segment(rows: list[Any]) -> list[Any]:
    """Of one year's rows for different school types, the one with the most pupils."""
    return [max(rows, key=lambda r: r.values.get("headcount") or 0)]
