"""The shared contract of every reader in :mod:`convenor.sources`.

A reader takes a path and returns a :class:`ReadResult`: typed records, the
rows it rejected (file, line, field, reason) and the number of data rows it
read. Every data row of the file ends up in exactly one place, so
``rows_read == len(records) + len(aggregates) + len(rejections)`` always holds
(:meth:`ReadResult.check_accounting`).

Readers are pure Python: no Django, no convenor app. Parsing helpers here turn
the many spellings of missing values in DfE and Ofsted files into a
:class:`Missing` reason instead of a number, so a suppressed value is never
read as zero.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

R = TypeVar("R")

# Codes DfE, Ofsted and EES files use instead of a value, and what they mean.
MISSING_CODES: dict[str, str] = {
    "": "blank",
    "SUPP": "suppressed",
    "NP": "not published",
    "NE": "no entries",
    "NA": "not applicable",
    "N/A": "not applicable",
    "LOWCOV": "low coverage",
    "NEW": "new school",
    "SP": "suppressed",
    "x": "not available or suppressed",
    "z": "not applicable",
    "c": "confidential",
    ":": "not available",
    ".": "not calculable",
    "NULL": "not applicable",
    "-": "not available",
    "nan": "blank",
    "NOT AVAIL": "not available",
    "DNS": "did not sit",
}


class RowError(ValueError):
    """A field of a row could not be read. Raised by parsers, caught by readers."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row a reader could not accept, with where it is and why."""

    file: str
    line: int
    field: str | None
    reason: str
    raw: Mapping[str, str] | None = None

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class AreaRow:
    """An aggregate row (England, region or LA) found among school rows.

    ``values`` holds each measure as a number, or ``None`` with the reason in
    ``missing``.
    """

    line: int
    level: str  # "national", "regional" or "la"
    area_code: str  # DfE LA code, ONS code or "E92000001"/"ENG" for England
    period: str  # academic year "2016/17", census "2017-01", ...
    segment: str  # the breakdown the row stands for: "all", "primary", "state-funded", ...
    values: Mapping[str, float | None]
    missing: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ReadResult(Generic[R]):
    """What a reader returns: records, aggregate rows, rejections and the row count."""

    source: str
    records: list[R] = field(default_factory=list)
    aggregates: list[AreaRow] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rows_read: int = 0
    # When a record came from line N, ``lines[i]`` is N for ``records[i]``.
    lines: list[int] = field(default_factory=list)

    def add(self, line: int, record: R) -> None:
        self.records.append(record)
        self.lines.append(line)

    def reject(
        self, line: int, field_name: str | None, reason: str, raw: Mapping[str, str] | None = None
    ) -> None:
        self.rejections.append(Rejection(self.source, line, field_name, reason, raw))

    def check_accounting(self) -> None:
        """Raise if any row read is not a record, an aggregate or a rejection."""
        accounted = len(self.records) + len(self.aggregates) + len(self.rejections)
        if accounted != self.rows_read:
            raise AssertionError(
                f"{self.source}: read {self.rows_read} rows but accounted for {accounted}"
            )


# --- Reading raw rows -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as text, keyed by header, with its physical line number."""

    line: int
    values: dict[str, str]
    extra: tuple[str, ...] = ()  # fields beyond the header (GIAS linked establishments)
    short: bool = False  # fewer fields than the header; missing ones read as ""


def decode(data: bytes, encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")) -> str:
    """Decode file bytes, trying UTF-8 (with or without BOM) then Windows-1252."""
    last: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            last = exc
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so nothing is lost.
    if last is not None and "latin-1" not in encodings:
        return data.decode("latin-1")
    raise last or UnicodeDecodeError("unknown", b"", 0, 0, "undecodable")


def read_text(path: Path | str, member: str | None = None) -> str:
    """Read a text file, or a member of a zip file, decoding it robustly."""
    p = Path(path)
    if p.suffix.lower() == ".zip":
        with zipfile.ZipFile(p) as zf:
            name = member or _data_member(zf)
            return decode(zf.read(name))
    return decode(p.read_bytes())


def _data_member(zf: zipfile.ZipFile) -> str:
    names = [n for n in zf.namelist() if n.lower().endswith(".csv") and not n.endswith(".meta.csv")]
    if len(names) != 1:
        raise ValueError(f"{zf.filename}: expected one data CSV in the zip, found {names}")
    return names[0]


def iter_csv(text: str) -> tuple[list[str], Iterator[RawRow]]:
    """Split CSV text into its header and data rows.

    Short rows are padded with "" (DfE files omit trailing empty fields) and
    extra fields kept in ``RawRow.extra``. Line numbers are physical lines in
    the file, counting the header as line 1, so a quoted field spanning lines
    does not throw later numbers off.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], iter(())
    width = len(header)

    def rows() -> Iterator[RawRow]:
        start = reader.line_num + 1
        for fields in reader:
            line = start
            start = reader.line_num + 1
            if not fields or all(not f.strip() for f in fields):
                yield RawRow(line, dict.fromkeys(header, ""), short=True)
                continue
            short = len(fields) < width
            padded = fields + [""] * (width - len(fields)) if short else fields
            yield RawRow(
                line, dict(zip(header, padded, strict=False)), tuple(fields[width:]), short
            )

    return header, rows()


def iter_xlsx(path: Path | str, sheet: str) -> tuple[list[str], Iterator[RawRow]]:
    """Split one sheet of a workbook into its header (row 1) and data rows, like :func:`iter_csv`.

    ``line`` is the sheet row number. Cells come back as text: whole numbers
    without a decimal point (``100000``, not ``100000.0``), dates as ISO
    ``YYYY-MM-DD``; cells beyond the header go to ``RawRow.extra``.
    """
    import openpyxl  # only workbook readers need it

    p = Path(path)
    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise FileFormatError(p.name, f"not a readable Excel workbook ({exc})") from None
    if sheet not in book.sheetnames:
        book.close()
        raise FileFormatError(p.name, f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    cells = book[sheet].iter_rows(values_only=True)
    first = next(cells, None)
    if first is None:
        book.close()
        return [], iter(())
    header = [_cell_text(c).strip() for c in first]
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def rows() -> Iterator[RawRow]:
        try:
            for number, values in enumerate(cells, start=2):
                texts = [_cell_text(c) for c in values]
                if not any(t.strip() for t in texts):
                    continue  # Excel keeps formatted but empty rows; they are not data
                padded = texts[:width] + [""] * (width - len(texts))
                extra = tuple(texts[width:])
                while extra and not extra[-1]:
                    extra = extra[:-1]
                yield RawRow(number, dict(zip(header, padded, strict=True)), extra)
        finally:
            book.close()

    return header, rows()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def require_columns(header: list[str], needed: tuple[str, ...] | list[str], source: str) -> None:
    """Fail the whole file, naming it, when a column the reader needs is absent."""
    missing = [c for c in needed if c not in header]
    if missing:
        raise FileFormatError(source, f"missing column(s) {', '.join(missing)}")


class FileFormatError(ValueError):
    """The file is not in the layout the reader expects (wrong file, not bad rows)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


def is_blank_row(row: RawRow) -> bool:
    return all(not v.strip() for v in row.values.values()) and not any(e.strip() for e in row.extra)


# --- Parsing values ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Missing:
    """A value that is absent, and why (``"suppressed"``, ``"no entries"`` ...)."""

    code: str
    reason: str


def missing_reason(raw: str) -> Missing | None:
    """The :class:`Missing` a raw cell stands for, or None if it holds a value."""
    text = raw.strip()
    if text in MISSING_CODES:
        return Missing(text, MISSING_CODES[text])
    if text.upper() in ("SUPP", "LOWCOV", "NULL", "NE", "NP", "NA", "N/A"):
        return Missing(text.upper(), MISSING_CODES[text.upper()])
    return None


def parse_number(raw: str, field_name: str) -> float | Missing:
    """Read a number as DfE writes it: ``72%``, ``43,187``, ``£46,053``, ``1e3``, ``301.0``.

    A missing-value code gives :class:`Missing`; anything else that is not a
    number raises :class:`RowError` naming the field.
    """
    m = missing_reason(raw)
    if m is not None:
        return m
    text = raw.strip().replace(",", "").replace("£", "").replace("\u00a3", "")
    if text.endswith("%"):
        text = text[:-1].strip()
    try:
        value = float(text)
    except ValueError:
        raise RowError(field_name, f"not a number: {raw.strip()[:40]!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowError(field_name, f"not a finite number: {raw.strip()[:40]!r}")
    return value


def parse_int(raw: str, field_name: str) -> int | Missing:
    """Read a whole number, accepting ``145210.0``; a fraction raises :class:`RowError`."""
    value = parse_number(raw, field_name)
    if isinstance(value, Missing):
        return value
    if value != int(value):
        raise RowError(field_name, f"not a whole number: {raw.strip()[:40]!r}")
    return int(value)


def measure(
    raw: str, field_name: str, name: str, values: dict[str, float | None], missing: dict[str, str]
) -> None:
    """Parse one measure into ``values[name]``, recording why it is missing in ``missing``."""
    value = parse_number(raw, field_name)
    if isinstance(value, Missing):
        values[name] = None
        missing[name] = value.code or "blank"
    else:
        values[name] = value


def optional_int(raw: str, field_name: str) -> int | None:
    """A whole number, or None for any missing-value code."""
    value = parse_int(raw, field_name)
    return None if isinstance(value, Missing) else value


def required_int(raw: str, field_name: str) -> int:
    """A whole number that must be present (a key such as URN)."""
    value = parse_int(raw, field_name)
    if isinstance(value, Missing):
        raise RowError(field_name, "is blank" if not raw.strip() else f"is {raw.strip()!r}")
    return value


def parse_urn(raw: str, field_name: str = "URN") -> int:
    """A URN: a positive whole number of up to seven digits (floats like ``145210.0`` accepted)."""
    urn = required_int(raw, field_name)
    if not 100000 <= urn <= 9999999:
        raise RowError(field_name, f"not a URN: {raw.strip()[:20]!r}")
    return urn


def parse_laestab(raw: str, field_name: str = "LAESTAB") -> int:
    """A seven-digit LAESTAB (three-digit LA code and four-digit establishment number)."""
    value = required_int(raw, field_name)
    if not 1000000 <= value <= 9999999:
        raise RowError(field_name, f"not a seven-digit LAESTAB: {raw.strip()[:20]!r}")
    return value


# Dates outside this window are typing errors, not school history.
EARLIEST_DATE = date(1800, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def _check_date(d: date, raw: str, field_name: str) -> date:
    if not EARLIEST_DATE <= d <= LATEST_DATE:
        raise RowError(field_name, f"date out of range: {raw.strip()!r}")
    return d


def parse_date(raw: str, field_name: str, *, placeholder_1900: bool = False) -> date | None:
    """Read any date spelling the files use, or None when blank.

    Accepts ``YYYYMMDD``, ``DD-MM-YYYY``, ``DD/MM/YYYY``, ISO ``YYYY-MM-DD``
    (with an optional time) and Excel serial numbers. With
    ``placeholder_1900``, GIAS's ``1900-01-01`` placeholder reads as None.
    """
    text = raw.strip()
    if missing_reason(text) is not None:
        return None
    if " " in text:
        text = text.split(" ", 1)[0]
    if "T" in text and len(text) > 10:
        text = text.split("T", 1)[0]
    formats = ("%Y%m%d", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%Y/%m/%d")
    for fmt in formats:
        try:
            d = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if placeholder_1900 and d == date(1900, 1, 1):
            return None
        return _check_date(d, raw, field_name)
    try:
        serial = float(text)
    except ValueError:
        raise RowError(field_name, f"not a date: {raw.strip()[:40]!r}") from None
    if serial.is_integer() and 1 <= serial < 80000:
        # Excel's day zero is 30 December 1899 (it counts a 29 February 1900 that never was).
        return _check_date(date(1899, 12, 30) + timedelta(days=int(serial)), raw, field_name)
    raise RowError(field_name, f"not a date: {raw.strip()[:40]!r}")


def as_date(value: Any, field_name: str) -> date | None:
    """A date from a spreadsheet cell: a datetime, a date, a serial number or text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _check_date(value.date(), str(value), field_name)
    if isinstance(value, date):
        return _check_date(value, str(value), field_name)
    return parse_date(str(value), field_name)


def text_or_none(raw: str) -> str | None:
    """Stripped text, or None where the file says there is nothing there."""
    text = raw.strip()
    if text in ("", "nan", "NULL", "Not applicable", "Does not apply", "NA", "z", "x"):
        return None
    return text


# --- Reader scaffolding -----------------------------------------------------


def read_rows(
    path: Path | str,
    parse: Callable[[RawRow], R | AreaRow | None],
    *,
    needed: tuple[str, ...] = (),
    key: Callable[[R], Any] | None = None,
    source: str | None = None,
    member: str | None = None,
    keep_blank: bool = False,
) -> ReadResult[R]:
    """Run ``parse`` over every data row of a CSV file, accounting for each one.

    ``parse`` returns a record, an :class:`AreaRow` for an aggregate row, or
    raises :class:`RowError`. Returning None means the row is blank and is
    rejected as such. With ``key``, a second record with the same key is
    rejected as a duplicate naming the line of the first.
    """
    name = source or Path(path).name
    header, rows = iter_csv(read_text(path, member))
    if not header:
        raise FileFormatError(name, "the file is empty (no header row)")
    require_columns(header, needed, name)
    result: ReadResult[R] = ReadResult(source=name)
    seen: dict[Any, int] = {}
    for row in rows:
        result.rows_read += 1
        if not keep_blank and is_blank_row(row):
            result.reject(row.line, None, "blank row")
            continue
        try:
            parsed = parse(row)
        except RowError as exc:
            result.reject(row.line, exc.field, exc.reason, row.values)
            continue
        if parsed is None:
            result.reject(row.line, None, "blank row")
        elif isinstance(parsed, AreaRow):
            result.aggregates.append(parsed)
        else:
            if key is not None:
                k = key(parsed)
                if k in seen:
                    result.reject(
                        row.line, None, f"duplicate of line {seen[k]} (same {k!r})", row.values
                    )
                    continue
                seen[k] = row.line
            result.add(row.line, parsed)
    result.check_accounting()
    return result
