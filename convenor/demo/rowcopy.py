"""Selecting rows from CSV, zip and workbook files while keeping each kept row's exact bytes."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell

from convenor.demo.manifest import SPINE_SHEET, UTF8, _UrnFile

# --- Reading CSV records with their exact text -------------------------------


class _Row:
    """Field access by column name on the current record; missing fields read as ""."""

    __slots__ = ("cols", "fields")

    def __init__(self, cols: dict[str, int]) -> None:
        self.cols = cols
        self.fields: list[str] = []

    def __getitem__(self, name: str) -> str:
        i = self.cols.get(name)
        if i is None or i >= len(self.fields):
            return ""
        return self.fields[i].strip()


@dataclass
class _Csv:
    header_text: str
    cols: dict[str, int]
    records: Iterator[tuple[list[str], str]]


def _decode(data: bytes, encoding: str) -> str:
    # surrogateescape makes decode/encode an exact round trip for any byte, so a
    # kept record is written back byte for byte even if the file has a stray byte.
    return data.decode(encoding, "surrogateescape")


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "surrogateescape")


def _records(text: str) -> Iterator[tuple[list[str], str]]:
    """Yield each CSV record's fields together with its exact source text.

    The csv reader pulls physical lines only as far as the end of the record it
    is parsing, so the lines it has consumed when it yields a record are
    exactly that record (several lines when a quoted field spans lines).
    """
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        # newline="" keeps "\r\n" and "\n" untranslated, as the csv module expects.
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    for fields in csv.reader(lines()):
        raw = "".join(consumed)
        consumed.clear()
        yield fields, raw


def _open_csv(data: bytes, encoding: str) -> _Csv:
    records = _records(_decode(data, encoding))
    header, header_text = next(records, ([], ""))
    cols: dict[str, int] = {}
    for i, name in enumerate(header):
        cols.setdefault(name.lstrip("\ufeff").strip(), i)
    return _Csv(header_text, cols, records)


def _select(data: bytes, encoding: str, keep: Callable[[_Row], bool]) -> tuple[bytes, int, int]:
    """Keep the header and the records ``keep`` accepts; return (bytes, rows_in, rows_out)."""
    table = _open_csv(data, encoding)
    row = _Row(table.cols)
    out = [table.header_text]
    rows_in = 0
    for fields, raw in table.records:
        rows_in += 1
        if not fields:
            continue  # a blank line carries no data
        row.fields = fields
        if keep(row):
            out.append(raw)
    return _encode("".join(out), encoding), rows_in, len(out) - 1


def _scan(data: bytes, encoding: str) -> Iterator[_Row]:
    """Iterate over the data rows of a CSV file (one reused row object)."""
    table = _open_csv(data, encoding)
    row = _Row(table.cols)
    for fields, _raw in table.records:
        if fields:
            row.fields = fields
            yield row


def _count_records(data: bytes, encoding: str) -> int:
    """The number of data records (the header is not one)."""
    return sum(1 for _ in _open_csv(data, encoding).records)


def _urn(value: str) -> str:
    """A URN as digits, from ``145210`` or ``145210.0``; "" when it is not one."""
    value = value.strip()
    if value.endswith(".0"):
        value = value[:-2]
    return value if value.isdigit() and value != "0" else ""


# --- Zip and workbook --------------------------------------------------------


def _select_zip(data: bytes, keep: Callable[[_Row], bool]) -> tuple[bytes, int, int]:
    """Filter the data CSV of an EES zip; other members (``.meta.csv``) are copied unchanged."""
    out = io.BytesIO()
    rows_in = rows_out = 0
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            name = info.filename.lower()
            if name.endswith(".csv") and not name.endswith(".meta.csv"):
                body, rows_in, rows_out = _select(body, UTF8, keep)
            target.writestr(_zip_info(info.filename, info.date_time, info), body, compresslevel=9)
    return out.getvalue(), rows_in, rows_out


def _zip_info(
    name: str, date_time: tuple[int, int, int, int, int, int], like: zipfile.ZipInfo | None = None
) -> zipfile.ZipInfo:
    """A member header with a fixed date, so the same input gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    if like is not None:
        info.external_attr = like.external_attr
        info.create_system = like.create_system
    else:
        info.external_attr = 0o644 << 16
        info.create_system = 3
    return info


def _extract_spine(path: Path, la: int) -> tuple[bytes, int, int, set[str]]:
    """This LA's rows of the register workbook as a workbook, rows in, rows kept and URNs.

    Cell values are written as openpyxl reads them, with their number formats
    (dates as ``yyyymmdd``, telephone numbers as text), so the extract reads
    back to the same values.
    """
    with zipfile.ZipFile(path) as archive:
        stamp = archive.infolist()[0].date_time
    source = openpyxl.load_workbook(path, read_only=True)
    try:
        sheet = source[SPINE_SHEET]
        rows = sheet.iter_rows()
        header = [cell.value for cell in next(rows)]
        la_index = header.index("LA")
        urn_index = header.index("URN")
        kept: list[list[tuple[Any, str | None]]] = []
        urns: set[str] = set()
        rows_in = 0
        for cells in rows:
            rows_in += 1
            if _code(cells[la_index].value) != str(la):
                continue
            values: list[tuple[Any, str | None]] = [
                (cell.value, getattr(cell, "number_format", None)) for cell in cells
            ]
            kept.append(values)
            urns.add(str(cells[urn_index].value))
    finally:
        source.close()

    book = openpyxl.Workbook(write_only=True)
    target = book.create_sheet(SPINE_SHEET)
    target.append(header)
    for values in kept:
        out: list[object] = []
        for value, number_format in values:
            if value is not None and number_format is not None and number_format != "General":
                cell = WriteOnlyCell(target, value=value)
                cell.number_format = number_format
                out.append(cell)
            else:
                out.append(value)
        target.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return _fix_xlsx_dates(buffer.getvalue(), stamp), rows_in, len(kept), urns


def _code(value: object) -> str:
    """A workbook cell holding a code (``850``, ``850.0`` or ``"850"``) as text."""
    return str(value).strip().removesuffix(".0")


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _fix_xlsx_dates(data: bytes, stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """Replace the save time openpyxl puts in the workbook with the source's date."""
    iso = datetime(*stamp).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATES.sub(lambda m: m.group(1) + iso + m.group(3), body)
            target.writestr(_zip_info(info.filename, stamp), body, compresslevel=9)
    return out.getvalue()


class _UrnFilter:
    """Keep school rows of the LA's URNs (or LA column) and England and LA aggregate rows."""

    def __init__(self, spec: _UrnFile, la: str, urns: set[str]) -> None:
        self.spec = spec
        self.la = la
        self.urns = urns
        # Schools seen since the last LA row, for files whose LA rows name no LA.
        self.block_seen = 0
        self.block_kept = 0

    def __call__(self, row: _Row) -> bool:
        spec = self.spec
        rectype = row["RECTYPE"]
        if rectype and rectype in spec.rectype_national:
            return True
        if rectype and rectype in spec.rectype_la:
            if spec.la:
                return row[spec.la] == self.la
            # DfE lists each LA's schools and then its LA row, so the LA row that
            # closes a block of mostly this LA's schools is this LA's.
            keep = self.block_kept * 2 > self.block_seen
            self.block_seen = self.block_kept = 0
            return keep
        urn = _urn(row[spec.urn])
        la = row[spec.la] if spec.la else ""
        if urn:
            keep = urn in self.urns or la == self.la
            self.block_seen += 1
            self.block_kept += keep
            return keep
        # Aggregate rows without a RECTYPE: URN or LA "NAT" is England.
        if "NAT" in (row[spec.urn], la) or row["geographic_level"] == "National":
            return True
        return bool(spec.la) and la == self.la
