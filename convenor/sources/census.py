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

This module also holds what the readers of its family (absence, exclusions,
admissions, scorecards) share: :func:`read_table`, a column-wise version of
:func:`~convenor.sources.base.read_rows` for files of 100,000+ rows, and the
helpers for performance-tables ``NAT``/``LA`` rows and EES geographic levels.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl

from convenor.sources.base import (
    AreaRow,
    FileFormatError,
    Missing,
    RawRow,
    ReadResult,
    RowError,
    decode,
    iter_csv,
    optional_int,
    parse_int,
    parse_laestab,
    parse_number,
    parse_urn,
    read_text,
    require_columns,
    required_int,
)
from convenor.sources.measures import SchoolMeasures
from convenor.sources.years import AcademicYear, six_digit_year

__all__ = [
    "CENSUS_COLUMNS",
    "EES_SEGMENTS",
    "PERF_AREA_SEGMENTS",
    "YEAR_GROUPS",
    "Row",
    "census_year_from_path",
    "read_census",
    "read_table",
    "read_year_groups",
]

R = TypeVar("R")

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

# ESTAB of the NAT/LA rows of performance-tables files -> segment.
PERF_AREA_SEGMENTS: dict[str, str] = {"PRI": "primary", "SEC": "secondary", "SPE": "special"}

_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


# --- Reading a table column-wise --------------------------------------------


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file held column by column: text cells, padded to the header.

    The cells stay in a polars frame; a column becomes a Python list only
    when a reader first looks at it, as most readers use a few of many.
    """

    header: list[str]
    frame: pl.DataFrame  # every column as text, "" for an empty cell
    lines: list[int]  # physical line of each row, the header being line 1
    blank: list[bool]  # the row has nothing but whitespace
    _lists: dict[int, list[str]] = field(default_factory=dict)

    @property
    def index(self) -> dict[str, int]:
        # A repeated heading reads as its last column, as in base.iter_csv.
        return {h: i for i, h in enumerate(self.header)}

    def column(self, i: int) -> list[str]:
        """The ``i``-th column's cells."""
        cells = self._lists.get(i)
        if cells is None:
            cells = self._lists[i] = self.frame.to_series(i).to_list()
        return cells


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of a :class:`Table`, read a cell at a time."""

    line: int
    number: int  # position among the data rows
    table: Table
    index: Mapping[str, int]

    def __getitem__(self, column: str) -> str:
        return self.table.column(self.index[column])[self.number]

    def get(self, column: str, default: str = "") -> str:
        """The text of ``column``, or ``default`` when the file has no such column."""
        i = self.index.get(column)
        return default if i is None else self.table.column(i)[self.number]

    def as_dict(self) -> dict[str, str]:
        """The row keyed by header, as :class:`~convenor.sources.base.RawRow` holds it."""
        return {h: self.table.column(i)[self.number] for i, h in enumerate(self.table.header)}


def load_table(text: str) -> Table:
    """Split CSV text into columns, with each row's physical line number.

    Parsed with polars when every row is one physical line (what the checks
    below make sure of), which is many times quicker than the csv module on
    large files; otherwise (quoted line breaks, blank lines polars skips,
    ragged or oddly quoted rows, repeated headings) with the csv module,
    exactly as :func:`~convenor.sources.base.iter_csv` does.
    """
    return _polars_table(text) or _csv_table(text)


def _csv_table(text: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    blank: list[bool] = []
    start = reader.line_num + 1
    for fields in reader:
        lines.append(start)
        start = reader.line_num + 1
        blank.append(not "".join(fields).strip())
        n = len(fields)
        if n != width:
            # Extra fields only matter to the blank test above; no reader here uses them.
            fields = fields[:width] if n > width else fields + [""] * (width - n)
        rows.append(fields)
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    # Positional names: headings may repeat or be blank, which a frame does not allow.
    frame = pl.DataFrame(
        [pl.Series(f"c{i}", list(col), dtype=pl.String) for i, col in enumerate(by_column)]
    )
    return Table(header, frame, lines, blank)


def _polars_table(text: str) -> Table | None:
    # Lone carriage returns end lines for the csv module but not for the count
    # below; an odd number of quotes leaves a field open, which the two
    # parsers close differently.
    if not text or text.count("\r") != text.count("\r\n") or text.count('"') % 2:
        return None
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0], newline="")), [])
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)
    except (pl.exceptions.PolarsError, OSError):
        return None
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    if frame.columns != first or frame.height + 1 != physical:
        return None
    frame = frame.fill_null("")
    blank = frame.select(
        pl.all_horizontal(pl.all().str.strip_chars() == "").alias("blank")
    ).get_column("blank")
    header = [h.strip() for h in first]
    return Table(header, frame, list(range(2, frame.height + 2)), blank.to_list())


# Parsed cells by their exact text. Files repeat the same few thousand
# spellings ("x", "4.5%", "1,234"), so each is parsed once. Junk is never
# cached: it raises every time.
_PARSED: dict[str, float | Missing] = {}
_PARSED_LIMIT = 200_000


def cached_number(
    raw: str, field_name: str, codes: Mapping[str, Missing] | None = None
) -> float | Missing:
    """:func:`~convenor.sources.base.parse_number`, remembering what it has seen.

    ``codes`` adds missing-value codes a file family uses beyond the shared
    ones, keyed by their upper-case spelling (see :func:`extra_codes`).
    """
    if codes:
        extra = codes.get(raw.strip().upper())
        if extra is not None:
            return extra
    hit = _PARSED.get(raw)
    if hit is None:
        hit = parse_number(raw, field_name)
        if len(_PARSED) < _PARSED_LIMIT:
            _PARSED[raw] = hit
    return hit


def extra_codes(codes: Mapping[str, str]) -> dict[str, Missing]:
    """Codes (code -> reason) matched whatever their case and stored as written here."""
    return {code.upper(): Missing(code, reason) for code, reason in codes.items()}


# A plain decimal number: the only text the vectorised pass turns into a
# value. Anything else ("4.5%", "1,234", "x", junk) goes through cached_number.
_PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"


def _plain_numbers(
    table: Table,
    present: list[tuple[int, str]],
    bounds: Mapping[str, tuple[float, float]],
) -> list[tuple[float | None, ...]]:
    """Per row, each measure column as a float when it is a plain in-bounds number, else None."""
    exprs = []
    for i, name in present:
        text = pl.col(table.frame.columns[i])
        number = text.cast(pl.Float64, strict=False)
        ok = text.str.contains(_PLAIN_NUMBER)
        if name in bounds:
            low, high = bounds[name]
            ok = ok & number.is_between(low, high)
        exprs.append(pl.when(ok).then(number).otherwise(None).alias(f"m{i}"))
    out = table.frame.select(exprs)
    # Column lists zipped in Python are several times quicker than DataFrame.rows().
    return list(zip(*(out.to_series(j).to_list() for j in range(len(present))), strict=True))


def read_table(
    path: Path | str,
    parse: Callable[[Row, dict[str, float | None], dict[str, str]], R | AreaRow],
    *,
    columns: Mapping[str, str],
    bounds: Mapping[str, tuple[float, float]] | None = None,
    codes: Mapping[str, str] | None = None,
    needed: Sequence[str] = (),
    key: Callable[[R], Hashable] | None = None,
    source: str | None = None,
    member: str | None = None,
    table: Table | None = None,
) -> ReadResult[R]:
    """Read a CSV whose rows are mostly numbers, accounting for every row.

    Does what :func:`~convenor.sources.base.read_rows` does (rows split as
    the csv module splits them, physical line numbers, short rows padded
    with "", blank rows rejected, :class:`RowError` turned into a rejection,
    a repeated ``key`` rejected naming the first line) but splits the file
    with polars where that gives the same rows (:func:`load_table`) and
    parses the measure ``columns`` (file column -> canonical name) a column
    at a time, which is what makes files of 100,000+ rows quick. ``parse``
    gets the row and the parsed ``values`` and ``missing`` codes and returns
    a record or an :class:`AreaRow`. ``codes`` (code -> reason) adds
    missing-value codes to the shared ones. A column of ``columns`` the file
    lacks is skipped (the measure is absent); a value outside ``bounds`` of
    its canonical name is a :class:`RowError`. A caller that has already
    loaded the file passes its ``table``.
    """
    name = source or Path(path).name
    more_codes = extra_codes(codes) if codes else None
    if table is None:
        table = load_table(read_text(path, member))
    header = table.header
    if not header:
        raise FileFormatError(name, "the file is empty (no header row)")
    require_columns(header, list(needed), name)
    index = table.index

    present = [(index[c], n) for c, n in columns.items() if c in index]
    names = [n for _, n in present]
    bounds = bounds or {}
    if table.lines and present:
        numbers = _plain_numbers(table, present, bounds)
    else:
        numbers = [()] * len(table.lines)

    result: ReadResult[R] = ReadResult(source=name)
    seen: dict[Hashable, int] = {}
    for number, (line, is_blank, parsed_numbers) in enumerate(
        zip(table.lines, table.blank, numbers, strict=True)
    ):
        result.rows_read += 1
        if is_blank:
            result.reject(line, None, "blank row")
            continue
        row = Row(line, number, table, index)
        values: dict[str, float | None] = dict(zip(names, parsed_numbers, strict=True))
        missing: dict[str, str] = {}
        try:
            if None in parsed_numbers:
                _finish_cells(row, header, present, values, missing, bounds, more_codes)
            parsed = parse(row, values, missing)
        except RowError as exc:
            result.reject(line, exc.field, exc.reason, row.as_dict())
            continue
        if isinstance(parsed, AreaRow):
            result.aggregates.append(parsed)
            continue
        if key is not None:
            k = key(parsed)
            if k in seen:
                reason = f"duplicate of line {seen[k]} (same {k!r})"
                result.reject(line, None, reason, row.as_dict())
                continue
            seen[k] = line
        result.add(line, parsed)
    result.check_accounting()
    return result


def _finish_cells(
    row: Row,
    header: Sequence[str],
    present: list[tuple[int, str]],
    values: dict[str, float | None],
    missing: dict[str, str],
    bounds: Mapping[str, tuple[float, float]],
    codes: Mapping[str, Missing] | None,
) -> None:
    """Parse the cells the vectorised pass left as None: codes, "4.5%", "1,234", junk."""
    for i, name in present:
        if values[name] is not None:
            continue
        raw = row.table.column(i)[row.number]
        parsed = cached_number(raw, header[i], codes)
        if isinstance(parsed, Missing):
            missing[name] = parsed.code or "blank"
            continue
        if name in bounds:
            low, high = bounds[name]
            if not low <= parsed <= high:
                raise RowError(header[i], f"{raw.strip()[:40]!r} is outside {low:g} to {high:g}")
        values[name] = parsed


def read_header(path: Path | str) -> list[str]:
    """The header row of a CSV file (or of the data member of a zip), stripped."""
    p = Path(path)
    if p.suffix.lower() == ".zip":
        text = read_text(p)
    else:
        with p.open("rb") as fh:
            text = decode(fh.readline())
    header, _ = iter_csv(text)
    return header


def whole_of(raw: str, field_name: str) -> int:
    """:func:`~convenor.sources.base.required_int`, with a quick path for plain digits."""
    if raw.isdigit() and raw.isascii():
        return int(raw)
    return required_int(raw, field_name)


def urn_of(raw: str, field_name: str = "URN") -> int:
    """:func:`~convenor.sources.base.parse_urn`, with a quick path for plain digits."""
    if raw.isdigit() and raw.isascii() and 100000 <= (urn := int(raw)) <= 9999999:
        return urn
    return parse_urn(raw, field_name)


def laestab_of(raw: str, field_name: str = "laestab") -> int:
    """:func:`~convenor.sources.base.parse_laestab`, with a quick path for plain digits."""
    if raw.isdigit() and raw.isascii() and 1000000 <= (laestab := int(raw)) <= 9999999:
        return laestab
    return parse_laestab(raw, field_name)


def text_cell(raw: str, absent: tuple[str, ...] = ()) -> str | None:
    """Stripped text, or None when blank or one of the ``absent`` placeholders."""
    text = raw.strip()
    return None if not text or text in absent else text


_PERIODS: dict[str, str] = {}


def period_of(raw: str, field_name: str = "time_period") -> str:
    """The academic-year label of an EES six-digit ``time_period``, remembered per spelling."""
    label = _PERIODS.get(raw)
    if label is None:
        label = six_digit_year(raw, field_name).label
        if len(_PERIODS) < 1000:
            _PERIODS[raw] = label
    return label


# --- Years from file and folder names ---------------------------------------


def years_in_name(name: str) -> list[int]:
    """Four-digit years (1900-2099) written in a file or folder name, in order."""
    return [int(y) for y in _YEAR_IN_NAME.findall(name)]


def second_year_from_path(path: Path | str, what: str) -> int:
    """The second calendar year of the academic year a performance-tables file covers.

    Performance-tables downloads and the North Yorkshire files write the
    second year (``perf_tables_2017_…``, ``815_2018_census.csv``), the 2023
    census writes both (``2022-2023_england_census.csv``). The file name is
    tried first, then its folder; one year, or two consecutive years, must be
    found, or :class:`FileFormatError` is raised.
    """
    p = Path(path)
    for part in (p.name, p.parent.name):
        years = sorted(set(years_in_name(part)))
        if len(years) == 1:
            return years[0]
        if len(years) == 2 and years[1] == years[0] + 1:
            return years[1]
        if years:
            raise FileFormatError(p.name, f"ambiguous years {years} in {part!r}; pass the {what}")
    raise FileFormatError(p.name, f"no year in the file or folder name; pass the {what}")


def year_argument(year: AcademicYear | str, source: str) -> AcademicYear:
    """An academic year given to a reader as an :class:`AcademicYear` or a label."""
    if isinstance(year, AcademicYear):
        return year
    try:
        return AcademicYear.from_label(year)
    except ValueError as exc:
        raise FileFormatError(source, str(exc)) from None


# --- Performance-tables rows ------------------------------------------------


def perf_laestab(
    la: str, estab: str, la_field: str = "LA", estab_field: str = "ESTAB"
) -> int | None:
    """LAESTAB from separate LA and ESTAB cells, or None when either is blank."""
    la_code = optional_int(la, la_field)
    number = optional_int(estab, estab_field)
    if la_code is None or number is None:
        return None
    if not 100 <= la_code <= 999:
        raise RowError(la_field, f"not a three-digit LA code: {la.strip()[:20]!r}")
    if not 0 <= number <= 9999:
        raise RowError(estab_field, f"not an establishment number: {estab.strip()[:20]!r}")
    return la_code * 10000 + number


def perf_area_segment(estab: str, estab_field: str = "ESTAB") -> str:
    """The phase a ``NAT``/``LA`` row of a performance-tables file stands for."""
    code = estab.strip().upper()
    if code not in PERF_AREA_SEGMENTS:
        raise RowError(estab_field, f"unknown aggregate phase {code[:20]!r} (not PRI, SEC or SPE)")
    return PERF_AREA_SEGMENTS[code]


def perf_la_code(la: str, la_field: str = "LA") -> str:
    """The three-digit LA code of an LA aggregate row, as text."""
    code = optional_int(la, la_field)
    if code is None or not 100 <= code <= 999:
        raise RowError(la_field, f"LA row without a three-digit LA code: {la.strip()[:20]!r}")
    return str(code)


# --- EES geographic levels and school types ---------------------------------

EES_LEVELS: dict[str, str] = {
    "National": "national",
    "Regional": "regional",
    "Local authority": "la",
}

# EES school_type -> segment.
EES_SEGMENTS: dict[str, str] = {
    "Total": "all",
    "State-funded primary": "primary",
    "State-funded secondary": "secondary",
    "Special": "special",
}


def ees_segment(school_type: str) -> str:
    """The segment an EES ``school_type`` stands for."""
    text = school_type.strip()
    if text not in EES_SEGMENTS:
        raise RowError("school_type", f"unknown school type {text[:40]!r}")
    return EES_SEGMENTS[text]


def ees_area(
    row: Row | RawRow,
    level: str,
    period: str,
    segment: str,
    values: dict[str, float | None],
    missing: dict[str, str],
) -> AreaRow:
    """An EES National/Regional/Local authority row as an :class:`AreaRow`.

    National rows are ``ENG``, regional rows their ONS region code and LA rows
    their three-digit DfE code (``old_la_code``).
    """
    if level not in EES_LEVELS:
        raise RowError("geographic_level", f"unknown geographic level {level[:40]!r}")
    kind = EES_LEVELS[level]
    cells = row.values if isinstance(row, RawRow) else row
    if kind == "national":
        code = "ENG"
    elif kind == "regional":
        code = cells.get("region_code", "").strip()
        if not code:
            raise RowError("region_code", "regional row without a region code")
    else:
        la = optional_int(cells.get("old_la_code", ""), "old_la_code")
        if la is None or not 100 <= la <= 999:
            raise RowError("old_la_code", "LA row without a three-digit LA code")
        code = str(la)
    return AreaRow(row.line, kind, code, period, segment, values, missing)


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


def school_key(record: SchoolMeasures) -> tuple[int, str, str]:
    """What makes a school record unique in one file: URN, period and segment."""
    return (record.urn, record.period, record.segment)


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
