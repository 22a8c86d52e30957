"""Key stage 2 results of the levels era, from the 2012/13 performance tables.

:func:`read_ks2_levels` reads
``perf_tables_ralpan/england_ks2final_primary_relevent_columns.csv`` into
:class:`~convenor.sources.measures.SchoolMeasures` with ``dataset="ks2_final"``
and the ``levels_*`` canonical names (and ``disadvantaged_pct``) of
:data:`~convenor.sources.ks2.KS2_MEASURES`; the table of measures and columns
is in :mod:`convenor.sources.ks2`. England and LA rows become
:class:`~convenor.sources.base.AreaRow`. Average levels (``4B``) become KS2
points through :func:`average_level_points`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from convenor.sources.base import (
    AreaRow,
    RawRow,
    ReadResult,
    RowError,
    missing_reason,
    parse_urn,
    read_rows,
)
from convenor.sources.ks2 import (
    _NATIONAL_SEGMENTS,
    _SCHOOL_RECTYPES,
    DATASET,
    KS2_MEASURES,
    RECTYPES,
    _area,
    _key,
    _year,
)
from convenor.sources.measures import (
    SchoolMeasures,
    collect_measures,
    parse_rectype,
    reject_extra_fields,
)
from convenor.sources.years import AcademicYear

# --- levels era (2012/13) ---------------------------------------------------

_LEVELS_COLUMNS: Mapping[str, str] = {
    "PT2READ12": "levels_read_progress_pct",
    "PT2WRITTA12": "levels_writing_progress_pct",
    "PT2MATH12": "levels_maths_progress_pct",
    "PTREADX": "levels_reading_l4_pct",
    "TAPS": "levels_aps",
    "PTFSMCLA": "disadvantaged_pct",
}
_SUBLEVEL = re.compile(r"^([1-6])([ABC]?)$")
# A bare level (the file writes "2" for schools averaging level 2 or below) reads as its B.
_SUBLEVEL_STEP = {"C": -2, "B": 0, "": 0, "A": 2}


def average_level_points(raw: str, field_name: str = "AVGLEVEL") -> float | None:
    """Convert a sub-level such as ``4B`` to KS2 points (4B = 27, 6 points a level, 2 a sub-level).

    A bare level (``2``, written for schools averaging level 2 or below) reads as
    its middle sub-level (2 = 2B = 15).

    Returns None for a missing-value code; raises :class:`RowError` for anything else.
    """
    if missing_reason(raw) is not None:
        return None
    m = _SUBLEVEL.match(raw.strip().upper())
    if not m:
        raise RowError(field_name, f"not a sub-level like 4B: {raw.strip()[:20]!r}")
    return float(6 * int(m.group(1)) + 3 + _SUBLEVEL_STEP[m.group(2)])


def read_ks2_levels(
    path: Path | str,
    year: AcademicYear | str = "2012/13",
    la_of_urn: Mapping[int, str] | None = None,
) -> ReadResult[SchoolMeasures]:
    """Read the levels-era KS2 extract (``england_ks2final_primary_relevent_columns.csv``).

    The file states no year; its national rows match 2012/13, the default.
    Its LA rows (RECTYPE 3) carry no LA code: each follows its LA's schools,
    so the LA row's ``area_code`` is ``la_of_urn[urn]`` for the last school
    before it when ``la_of_urn`` (URN -> DfE LA code, from the register) is
    given and knows that school, and otherwise ``"la-of-urn-<urn>"`` for the
    importer to resolve.
    """
    period = _year(year)
    last_school: list[int] = []

    def parse(row: RawRow) -> SchoolMeasures | AreaRow:
        v = row.values
        reject_extra_fields(row)
        rectype = parse_rectype(v["RECTYPE"], RECTYPES)
        urn = 0
        if rectype in _SCHOOL_RECTYPES:
            urn = parse_urn(v["URN"])
            # Remember the school even if its values are junk: the next LA row is still its LA's.
            last_school[:] = [urn]
        values, missing = collect_measures(v, _LEVELS_COLUMNS, KS2_MEASURES)
        gap = missing_reason(v["AVGLEVEL"])
        values["levels_average_level"] = average_level_points(v["AVGLEVEL"])
        if gap is not None:
            missing["levels_average_level"] = gap.code or "blank"
        if rectype == 3:
            if not last_school:
                raise RowError("RECTYPE", "LA row before any school: cannot tell which LA")
            code = (la_of_urn or {}).get(last_school[0]) or f"la-of-urn-{last_school[0]}"
            return _area(rectype, code, row.line, period, values, missing)
        if rectype in _NATIONAL_SEGMENTS:
            return _area(rectype, "", row.line, period, values, missing)
        return SchoolMeasures(urn, str(period), DATASET, values, missing)

    needed = ("RECTYPE", "URN", "AVGLEVEL", *_LEVELS_COLUMNS)
    return read_rows(path, parse, needed=needed, key=_key)
