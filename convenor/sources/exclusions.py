"""Permanent and fixed-period exclusions by school, 2006/07 to 2016/17 (EES).

:func:`read_exclusions` reads ``exclusions_by_geographic_level`` (the zip or
its CSV). Its school rows are keyed by LAESTAB and have **no URN**, so they
are read as :class:`ExclusionRecord` s, and :func:`resolve_urns` turns them
into :class:`~convenor.sources.measures.SchoolMeasures` with a
(period, LAESTAB) -> URN map such as
:func:`convenor.sources.absence.laestab_urn_map` builds from the
absence-by-reason file. National, regional and LA rows become
:class:`~convenor.sources.base.AreaRow` s (``ENG``, ONS region code, DfE LA
code).

=====================  =====================  ===========================================
name                   column                 meaning
=====================  =====================  ===========================================
headcount              headcount              pupils on roll
permanent              perm_excl              permanent exclusions
permanent_rate         perm_excl_rate         permanent exclusions per 100 pupils
fixed_period           fixed_excl             fixed-period exclusions (suspensions)
fixed_period_rate      fixed_excl_rate        fixed-period exclusions per 100 pupils
one_plus_fixed         one_plus_fixed         pupils with one or more fixed-period exclusions
one_plus_fixed_rate    one_plus_fixed_rate    % of pupils with one or more
schools                num_schools            schools counted (aggregate rows only)
=====================  =====================  ===========================================

``x`` (a small number, suppressed) and ``.`` (a rate with no pupils to take
it of) stay missing with those codes. Each row stands for one school and
school type, so ``segment`` is the school type (``primary``, ``secondary``,
``special``), matching the LA and national breakdown rows; ``Total`` rows are
``all``. Four LAESTABs have two rows in one year, one per school type (for
example 8234006 in 2012/13: a primary row with headcount 0 and a secondary
row), which the segment keeps apart.

Rates are per 100 pupils on the January roll while exclusions count the
whole year, so a small school's rate can pass 100 (33 school rows have
``one_plus_fixed_rate`` above 100); they are kept, not rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from convenor.sources.base import AreaRow, ReadResult, RowError, parse_date
from convenor.sources.measures import SchoolMeasures
from convenor.sources.tables import (
    Row,
    ees_area,
    ees_segment,
    laestab_of,
    period_of,
    read_table,
    text_cell,
)
from convenor.sources.years import AcademicYear

__all__ = [
    "EXCLUSION_COLUMNS",
    "ExclusionRecord",
    "UnresolvedExclusion",
    "read_exclusions",
    "resolve_urns",
]

EXCLUSIONS_DATASET = "exclusions"

EXCLUSION_COLUMNS: dict[str, str] = {
    "num_schools": "schools",
    "headcount": "headcount",
    "perm_excl": "permanent",
    "perm_excl_rate": "permanent_rate",
    "fixed_excl": "fixed_period",
    "fixed_excl_rate": "fixed_period_rate",
    "one_plus_fixed": "one_plus_fixed",
    "one_plus_fixed_rate": "one_plus_fixed_rate",
}

_BOUNDS: dict[str, tuple[float, float]] = {
    "schools": (0.0, 1e6),
    "headcount": (0.0, 1e8),
    "permanent": (0.0, 1e8),
    "fixed_period": (0.0, 1e8),
    "one_plus_fixed": (0.0, 1e8),
    # Rates are per 100 pupils on the January roll, while exclusions count
    # everyone excluded during the year, so a small school's rate can pass
    # 100 (33 school rows have one_plus_fixed_rate above 100, up to 1,062.5).
    "permanent_rate": (0.0, 1e5),
    "fixed_period_rate": (0.0, 1e5),
    "one_plus_fixed_rate": (0.0, 1e5),
}

_NEEDED = (
    "time_period",
    "geographic_level",
    "region_code",
    "old_la_code",
    "laestab",
    "academy_type",
    "academy_open_date",
    "school_type",
    *EXCLUSION_COLUMNS,
)

# The years before the absence-by-reason file starts, and the map year to use for them.
FALLBACK_PERIOD = "2012/13"


@dataclass(frozen=True, slots=True)
class ExclusionRecord:
    """One school's exclusions for one year and school type, keyed by LAESTAB.

    ``academy_type`` and ``academy_open_date`` are None for schools that were
    not academies that year (the file writes ``Total``).
    """

    laestab: int
    period: str
    values: Mapping[str, float | None]
    missing: Mapping[str, str]
    segment: str = "all"
    academy_type: str | None = None
    academy_open_date: date | None = None
    line: int = 0
    source: str = ""


@dataclass(frozen=True, slots=True)
class UnresolvedExclusion:
    """An exclusion record no URN could be found for, and why."""

    record: ExclusionRecord
    reason: str

    def __str__(self) -> str:
        r = self.record
        return f"{r.source}, line {r.line}: LAESTAB {r.laestab} in {r.period}: {self.reason}"


def read_exclusions(path: Path | str) -> ReadResult[ExclusionRecord]:
    """Read the EES school-level exclusions file (zip or CSV).

    School rows become :class:`ExclusionRecord` s, unique by (LAESTAB,
    period, segment); a repeat is rejected naming the first line. Other
    geographic levels become :class:`AreaRow` s.
    """
    source = Path(path).name

    def parse(
        row: Row, values: dict[str, float | None], missing: dict[str, str]
    ) -> ExclusionRecord | AreaRow:
        period = period_of(row["time_period"])
        segment = ees_segment(row["school_type"])
        level = row["geographic_level"].strip()
        if level != "School":
            return ees_area(row, level, period, segment, values, missing)
        # "schools" is always 1 on a school row; it only means something in aggregates.
        values.pop("schools", None)
        missing.pop("schools", None)
        laestab = laestab_of(row["laestab"])
        academy_type = text_cell(row["academy_type"], absent=("Total",))
        opened = text_cell(row["academy_open_date"], absent=("Total",))
        open_date = _open_date(opened) if opened else None
        if academy_type is None and open_date is not None:
            raise RowError("academy_type", "academy open date without an academy type")
        return ExclusionRecord(
            laestab,
            period,
            values,
            missing,
            segment,
            academy_type,
            open_date,
            row.line,
            source,
        )

    return read_table(
        path,
        parse,
        columns=EXCLUSION_COLUMNS,
        bounds=_BOUNDS,
        needed=_NEEDED,
        key=_key,
        source=source,
    )


_DATES: dict[str, date | None] = {}


def _open_date(text: str) -> date | None:
    # A few hundred distinct dates over 23,000 academy rows: parse each once.
    if text not in _DATES:
        _DATES[text] = parse_date(text, "academy_open_date")
    return _DATES[text]


def _key(record: ExclusionRecord) -> tuple[int, str, str]:
    return (record.laestab, record.period, record.segment)


def resolve_urns(
    records: Iterable[ExclusionRecord],
    laestab_map: Mapping[tuple[str, int], int],
    *,
    fallback_period: str = FALLBACK_PERIOD,
) -> tuple[list[SchoolMeasures], list[UnresolvedExclusion]]:
    """Give exclusion records their URN, through a (period, LAESTAB) -> URN map.

    A LAESTAB is looked up in its own year, because the same LAESTAB can
    belong to another URN in another year (academy conversion). Years before
    ``fallback_period`` (2006/07 to 2011/12, which the absence-by-reason map
    does not cover) use the map of ``fallback_period``, the nearest year
    there is; a school that closed or changed URN before then is not found.
    Records without a URN, and any that would give a second record for the
    same (URN, period, segment), come back as :class:`UnresolvedExclusion` s
    with the reason, so every record ends up in exactly one list.
    """
    fallback_start = AcademicYear.from_label(fallback_period)
    lookups: dict[str, str] = {}
    resolved: list[SchoolMeasures] = []
    unresolved: list[UnresolvedExclusion] = []
    first: dict[tuple[int, str, str], ExclusionRecord] = {}
    for record in records:
        lookup = lookups.get(record.period)
        if lookup is None:
            year = AcademicYear.from_label(record.period)
            lookup = lookups[record.period] = (
                fallback_period if year < fallback_start else record.period
            )
        urn = laestab_map.get((lookup, record.laestab))
        if urn is None:
            where = "its own year" if lookup == record.period else f"{lookup} (nearest map)"
            unresolved.append(UnresolvedExclusion(record, f"no URN for this LAESTAB in {where}"))
            continue
        key = (urn, record.period, record.segment)
        if key in first:
            other = first[key]
            reason = f"URN {urn} already given to LAESTAB {other.laestab} (line {other.line})"
            unresolved.append(UnresolvedExclusion(record, reason))
            continue
        first[key] = record
        resolved.append(
            SchoolMeasures(
                urn,
                record.period,
                EXCLUSIONS_DATASET,
                record.values,
                record.missing,
                record.laestab,
                record.segment,
            )
        )
    return resolved, unresolved
