"""School census characteristics and pupils by year group.

Two readers:

* :func:`read_census` reads the DfE performance-tables *census* files (one row
  per school, national ``NAT`` rows at the end, LA rows in the North Yorkshire
  downloads): January 2017, January 2019 and January 2023 for England, and
  January 2017 to 2019 for North Yorkshire (815).
* :func:`read_year_groups` reads the SPC school-level underlying data of
  January 2023 and gives each school's headcount per national curriculum year
  group.

A census taken in January belongs to the academic year it falls in: January
2017 is ``"2016/17"``.

Canonical measure names of :func:`read_census` (a measure is absent from
``values`` when the file has no such column that year, e.g. ``fsm`` before
2019; it is ``None`` with a code in ``missing`` when the column is there but
the cell holds ``NP``, ``NA``, ``SUPP``...):

=================================  ==============  =====================================
name                               column          meaning
=================================  ==============  =====================================
pupils                             NOR             headcount on roll
girls / boys                       NORG / NORB     headcount of girls / boys
girls_pct / boys_pct               PNORG / PNORB   % girls / boys
ehc_plan                           TSENELSE        pupils with an EHC plan (or statement)
ehc_plan_pct                       PSENELSE        % with an EHC plan
sen_support                        TSENELK         pupils on SEN support
sen_support_pct                    PSENELK         % on SEN support
eal                                NUMEAL          first language other than English
eal_pct                            PNUMEAL         % first language other than English
english_first_language             NUMENGFL        first language English
english_first_language_pct         PNUMENGFL       % first language English
first_language_unclassified        NUMUNCFL        first language unclassified
first_language_unclassified_pct    PNUMUNCFL       % unclassified
fsm                                NUMFSM          eligible for free school meals (2019+)
fsm_pct                            PNUMFSM         % eligible for FSM (2017, 2018 only)
fsm_ever6                          NUMFSMEVER      eligible for FSM in the last six years
fsm_ever6_base                     NORFSMEVER      pupils the FSM-ever-6 % is taken of (2023)
fsm_ever6_pct                      PNUMFSMEVER     % FSM in the last six years
=================================  ==============  =====================================

Percentages are on a 0-100 scale in every year (the 2023 file writes
``46.90%``). ``SCHOOLTYPE`` is register information and is not a measure.

Canonical names of :func:`read_year_groups`: ``early1``, ``early2``,
``nursery1``, ``nursery2``, ``reception``, ``year1`` ... ``year14``,
``not_followed`` (pupils not following the national curriculum), each the sum
of part-time and full-time girls and boys, and ``headcount`` (``headcount of
pupils``). A year group the school does not have is ``None`` with ``missing``
code ``z``.

Both read through :func:`~convenor.sources.tables.read_table`, which
:mod:`convenor.sources.tables` holds with the other helpers the readers of the
census family (absence, exclusions, admissions, scorecards) share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from convenor.sources.base import (
    AreaRow,
    FileFormatError,
    Missing,
    ReadResult,
    RowError,
    parse_int,
    read_text,
    require_columns,
)
from convenor.sources.measures import SchoolMeasures
from convenor.sources.tables import (
    Row,
    Table,
    ees_area,
    laestab_of,
    load_table,
    perf_area_segment,
    perf_la_code,
    perf_laestab,
    period_of,
    read_table,
    school_key,
    urn_of,
)
from convenor.sources.years import AcademicYear, second_year_from_path, year_argument

__all__ = [
    "CENSUS_COLUMNS",
    "YEAR_GROUPS",
    "census_year_from_path",
    "read_census",
    "read_year_groups",
]

CENSUS_DATASET = "census"
YEAR_GROUP_DATASET = "year_groups"

# File column -> canonical measure name, in the files' column order.
CENSUS_COLUMNS: dict[str, str] = {
    "NOR": "pupils",
    "NORG": "girls",
    "NORB": "boys",
    "PNORG": "girls_pct",
    "PNORB": "boys_pct",
    "TSENELSE": "ehc_plan",
    "PSENELSE": "ehc_plan_pct",
    "TSENELK": "sen_support",
    "PSENELK": "sen_support_pct",
    "NUMEAL": "eal",
    "NUMENGFL": "english_first_language",
    "NUMUNCFL": "first_language_unclassified",
    "PNUMEAL": "eal_pct",
    "PNUMENGFL": "english_first_language_pct",
    "PNUMUNCFL": "first_language_unclassified_pct",
    "NUMFSM": "fsm",
    "PNUMFSM": "fsm_pct",
    "NUMFSMEVER": "fsm_ever6",
    "NORFSMEVER": "fsm_ever6_base",
    "PNUMFSMEVER": "fsm_ever6_pct",
}

# Counts and percentages outside these ranges are typing or shifting errors.
CENSUS_BOUNDS: dict[str, tuple[float, float]] = {
    name: (0.0, 100.0) if name.endswith("_pct") else (0.0, 1e8) for name in CENSUS_COLUMNS.values()
}

# Columns without which a file is not a census file at all.
_CENSUS_NEEDED = ("URN", "LA", "ESTAB", "NOR", "TSENELSE", "TSENELK")


# --- Census -----------------------------------------------------------------


def census_year_from_path(path: Path | str) -> AcademicYear:
    """The academic year of the January census a census file holds, from its path.

    ``perf_tables_2017_avisionh/england_census.csv`` and ``815_2017_census.csv``
    are January 2017 (2016/17); ``2022-2023_england_census.csv`` is January
    2023 (2022/23). Raises :class:`FileFormatError` when the path does not say.
    """
    return AcademicYear.of_census(second_year_from_path(path, "census year"))


def read_census(
    path: Path | str, year: AcademicYear | str | None = None
) -> ReadResult[SchoolMeasures]:
    """Read a performance-tables census file into one record per school.

    ``year`` is the academic year of the January census (``"2016/17"`` for
    January 2017); when omitted it is taken from the path, and a path that
    does not name a year raises :class:`FileFormatError`. ``NAT`` rows become
    national :class:`AreaRow` s and the North Yorkshire ``LA`` rows LA ones
    (segment ``primary``, ``secondary`` or ``special``); they are never
    counted as schools. A second row for the same URN is rejected.
    """
    source = Path(path).name
    period = (census_year_from_path(path) if year is None else year_argument(year, source)).label

    def parse(
        row: Row, values: dict[str, float | None], missing: dict[str, str]
    ) -> SchoolMeasures | AreaRow:
        urn_text = row["URN"].strip().upper()
        if urn_text == "NAT":
            segment = perf_area_segment(row["ESTAB"])
            return AreaRow(row.line, "national", "ENG", period, segment, values, missing)
        if urn_text == "LA":
            segment = perf_area_segment(row["ESTAB"])
            code = perf_la_code(row["LA"])
            return AreaRow(row.line, "la", code, period, segment, values, missing)
        urn = urn_of(row["URN"])
        laestab = perf_laestab(row["LA"], row["ESTAB"])
        return SchoolMeasures(urn, period, CENSUS_DATASET, values, missing, laestab)

    return read_table(
        path,
        parse,
        columns=CENSUS_COLUMNS,
        bounds=CENSUS_BOUNDS,
        needed=_CENSUS_NEEDED,
        key=school_key,
        source=source,
    )


# --- Pupils by year group (SPC 2023) ----------------------------------------

# Label in the SPC column names -> canonical name, in curriculum order.
YEAR_GROUPS: dict[str, str] = {
    "Early 1": "early1",
    "Early 2": "early2",
    "Nursery 1": "nursery1",
    "Nursery 2": "nursery2",
    "Reception": "reception",
    **{f"Year group {n}": f"year{n}" for n in range(1, 15)},
    "Year group Not followed": "not_followed",
}

_YEAR_GROUP_COLUMN = re.compile(r"^(Part|Full) time (girls|boys) (.+)$")
_SPC_NEEDED = ("time_period", "geographic_level", "urn", "laestab", "headcount of pupils")


def _year_group_columns(header: list[str], source: str) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {name: [] for name in YEAR_GROUPS.values()}
    for column in header:
        m = _YEAR_GROUP_COLUMN.match(column)
        if m and m.group(3) in YEAR_GROUPS:
            groups[YEAR_GROUPS[m.group(3)]].append(column)
    incomplete = [name for name, cols in groups.items() if len(cols) != 4]
    if incomplete:
        raise FileFormatError(
            source,
            "expected part-time and full-time girls and boys columns for year group(s) "
            + ", ".join(incomplete),
        )
    return {name: tuple(cols) for name, cols in groups.items()}


def read_year_groups(path: Path | str) -> ReadResult[SchoolMeasures]:
    """Read the SPC school-level file into each school's headcount per year group.

    One :class:`SchoolMeasures` per school (dataset ``"year_groups"``, period
    from ``time_period``: ``202223`` = January 2023 census = ``"2022/23"``)
    with each year group's headcount (part-time plus full-time, girls plus
    boys) and ``headcount``. Year groups marked ``z`` are ``None`` with
    ``missing`` ``"z"``; a year group with some cells missing and some not is
    ``None`` with the first missing code, so a partial count is never shown as
    the whole. Non-school rows (if any) become :class:`AreaRow` s.

    The four cells of each group are added up in polars for the whole file
    at once; only groups that are not four plain counts or four ``z`` (none,
    in the 2023 file) are parsed cell by cell.
    """
    source = Path(path).name
    table = load_table(read_text(path))
    if not table.header:
        raise FileFormatError(source, "the file is empty (no header row)")
    require_columns(table.header, _SPC_NEEDED, source)
    index = table.index
    groups = {
        name: tuple(index[c] for c in cols)
        for name, cols in _year_group_columns(table.header, source).items()
    }
    totals, all_z = _group_totals(table, groups)
    names = list(groups)

    def parse(
        row: Row, values: dict[str, float | None], missing: dict[str, str]
    ) -> SchoolMeasures | AreaRow:
        period = period_of(row["time_period"])
        n = row.number
        for name, total, z in zip(names, totals, all_z, strict=True):
            if total[n] is not None:
                values[name] = total[n]
            elif z[n]:
                values[name] = None
                missing[name] = "z"
            else:
                cells = [row.table.column(i)[n] for i in groups[name]]
                _year_group(name, cells, groups[name], table.header, values, missing)
        headcount = values["headcount"]
        if headcount is not None and headcount != int(headcount):
            raise RowError("headcount of pupils", f"not a whole number: {headcount:g}")
        level = row["geographic_level"].strip()
        if level != "School":
            return ees_area(row, level, period, "all", values, missing)
        urn = urn_of(row["urn"], "urn")
        laestab = laestab_of(row["laestab"], "laestab")
        return SchoolMeasures(urn, period, YEAR_GROUP_DATASET, values, missing, laestab)

    return read_table(
        path,
        parse,
        columns={"headcount of pupils": "headcount"},
        bounds={"headcount": (0.0, 1e6)},
        needed=_SPC_NEEDED,
        key=school_key,
        source=source,
        table=table,
    )


def _group_totals(
    table: Table, groups: Mapping[str, tuple[int, ...]]
) -> tuple[list[list[float | None]], list[list[bool]]]:
    """Per group and row: the total when all cells are plain counts, and whether all are z."""
    frame = table.frame
    sums = []
    zs = []
    for name, indexes in groups.items():
        cells = [pl.col(frame.columns[i]) for i in indexes]
        # Up to nine digits: a longer count would overflow the cast and be summed as 0.
        plain = pl.all_horizontal([c.str.contains(r"^[0-9]{1,9}$") for c in cells])
        total = pl.sum_horizontal([c.cast(pl.Int64, strict=False) for c in cells])
        sums.append(pl.when(plain).then(total.cast(pl.Float64)).otherwise(None).alias(name))
        zs.append(pl.all_horizontal([c == "z" for c in cells]).alias(f"{name}_z"))
    out = frame.select(sums + zs)
    totals = [out.get_column(name).to_list() for name in groups]
    all_z = [out.get_column(f"{name}_z").to_list() for name in groups]
    return totals, all_z


def _year_group(
    name: str,
    cells: list[str],
    indexes: tuple[int, ...],
    header: list[str],
    values: dict[str, float | None],
    missing: dict[str, str],
) -> None:
    total = 0
    absent: str | None = None
    for cell, i in zip(cells, indexes, strict=True):
        count = parse_int(cell, header[i])
        if isinstance(count, Missing):
            absent = absent or count.code or "blank"
        elif count < 0:
            raise RowError(header[i], f"negative count: {cell.strip()[:20]!r}")
        else:
            total += count
    if absent is None:
        values[name] = float(total)
    else:
        values[name] = None
        missing[name] = absent
