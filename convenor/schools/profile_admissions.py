"""The exclusions and admissions sections of a school's profile.

Built like the other trend sections (:mod:`convenor.schools.profile_trends`): from
:class:`~convenor.schools.profile_data.ProfileData`, without queries.
"""

from __future__ import annotations

from convenor.core.components import Cell, Table
from convenor.intelligence.trends import YearRecord
from convenor.schools.profile_data import ProfileData
from convenor.schools.profile_trends import (
    Comparison,
    Section,
    TrendBuilder,
    largest_segment,
    trend_builder,
    trend_section,
)


def exclusions_section(data: ProfileData) -> Section:
    """Suspension and permanent exclusion rates by year, 2006/07 to 2016/17."""
    b = trend_builder(data, data.exclusions, ("exclusions",), choose=largest_segment)
    compare = Comparison("exclusions", ("exclusions",), "all", "all")

    def segment_of(record: YearRecord) -> str:
        return record.segment

    trends = [
        b.measure(
            "fixed_period_rate",
            "Suspensions (fixed-period exclusions)",
            "per 100 pupils",
            compare=compare,
            segment_of=segment_of,
        ),
        b.measure(
            "permanent_rate",
            "Permanent exclusions",
            "per 100 pupils",
            compare=compare,
            segment_of=segment_of,
        ),
    ]
    counts = exclusion_counts_table(b)
    return trend_section(
        "exclusions",
        "Exclusions",
        "Department for Education, exclusions by school (explore education statistics); "
        "LA and England figures are for schools of the same type.",
        b.files,
        trends,
        notes=(
            "The school-level exclusions data ends in 2016/17.",
            "The file identifies schools by LAESTAB; each year's figures are matched to the "
            "URN that LAESTAB had that year.",
        ),
        tables=[counts] if counts else [],
        empty="No exclusions figures are published for this school.",
    )


EXCLUSION_COUNTS = (
    ("headcount", "Pupils"),
    ("permanent", "Permanent exclusions"),
    ("fixed_period", "Suspensions"),
    ("one_plus_fixed", "Pupils suspended at least once"),
)


def exclusion_counts_table(builder: TrendBuilder) -> Table | None:
    records = sorted(builder.records.values(), key=lambda r: r.period)
    if not records:
        return None
    rows = [
        (
            Cell(
                r.period,
                header=True,
                tag=f"URN {r.urn}" if r.urn != builder.data.school.urn else "",
            ),
            *(Cell(r.figure(m).text, numeric=True) for m, _ in EXCLUSION_COUNTS),
        )
        for r in records
    ]
    return Table(
        caption="Exclusions by year (numbers)",
        head=(Cell("Year"), *(Cell(label, numeric=True) for _, label in EXCLUSION_COUNTS)),
        rows=rows,
        caption_size="s",
    )


ADMISSIONS_SERIES = (
    ("Places offered", "places_offered"),
    ("First preferences", "first_prefs"),
    ("Any preference", "times_any_pref"),
    ("Offers to first preferences", "first_pref_offers"),
)
ENTRY = {"primary": "Reception", "secondary": "Year 7"}


def admissions_section(data: ProfileData) -> Section:
    """Applications and offers by year of entry, for each point of entry the school has."""
    files: set[str] = set()
    trends = []
    averaged: list[str] = []
    for segment in sorted({row.segment for row in data.preferences}):
        rows = [row for row in data.preferences if row.segment == segment]
        b = trend_builder(data, rows, ("admissions",))
        entry = ENTRY.get(segment, segment)
        trend = b.measures(
            f"admissions-{segment}",
            f"Applications and offers: {entry} entry",
            "applicants or offers",
            ADMISSIONS_SERIES,
        )
        trends.append(trend)
        files |= b.files
        averaged += [
            r.period for r in b.records.values() if (r.figure("averaged_from").value or 1) > 1
        ]
    notes = [
        "The year is the one pupils start in: 2019/20 is entry in September 2019. "
        "Preferences count applicants who named the school; offers are national offer day.",
    ]
    if averaged:
        notes.append(
            "Figures for " + ", ".join(sorted(set(averaged))) + " are the mean of more than "
            "one row in the source file, so may not be whole numbers."
        )
    return trend_section(
        "admissions",
        "Admissions",
        "Department for Education, school-level applications and offers (secondary and "
        "primary school applications and offers).",
        files,
        trends,
        notes=notes,
        empty="No admissions figures are published for this school.",
    )
