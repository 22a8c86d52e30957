"""What the readers of the census family share: a column-wise table reader and row helpers.

The census and year-group readers (:mod:`convenor.sources.census`), absence,
exclusions, admissions and scorecards all read through :func:`read_table`, a
column-wise version of :func:`~convenor.sources.base.read_rows` for files of
100,000+ rows. With it are quick cell parsers and the helpers for
performance-tables ``NAT``/``LA`` rows and EES geographic levels.
"""

from __future__ import annotations

import csv
import io
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
    parse_laestab,
    parse_number,
    parse_urn,
    read_text,
    require_columns,
    required_int,
)
from convenor.sources.measures import SchoolMeasures
from convenor.sources.years import six_digit_year

__all__ = [
    "EES_SEGMENTS",
    "PERF_AREA_SEGMENTS",
    "Row",
    "read_table",
]


R = TypeVar("R")

# ESTAB of the NAT/LA rows of performance-tables files -> segment.
PERF_AREA_SEGMENTS: dict[str, str] = {"PRI": "primary", "SEC": "secondary", "SPE": "special"}


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


def school_key(record: SchoolMeasures) -> tuple[int, str, str]:
    """What makes a school record unique in one file: URN, period and segment."""
    return (record.urn, record.period, record.segment)


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
