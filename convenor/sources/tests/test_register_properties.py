"""Property tests: malformed register and links files never crash a reader.

Each test builds a file from rows it knows to be good or bad (junk numbers,
impossible dates such as 31-02-2020 or the year 3020, ragged and blank lines,
Windows-1252 text, repeated keys), runs the reader, and checks that every bad
row is rejected at its line naming the field it expected, every repeat of an
accepted key is rejected naming the first line, every good row is read, and
the accounting holds. A header missing a needed column is the one failure
allowed, as :class:`~convenor.sources.base.FileFormatError`.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convenor.sources import gias, spine
from convenor.sources import links as lk
from convenor.sources import register as reg
from convenor.sources.base import FileFormatError, ReadResult

SETTINGS = settings(max_examples=50, deadline=None)
AS_AT = date(2022, 4, 19)

NAMES = [
    "Alton Infant School",
    "St Thomas \u00e0 Becket Church of England Aided Primary School",
    "St Aelred\u2019s Catholic Primary School \u2013 a Catholic Voluntary Academy",
    "Caf\u00e9 Acad\u00e9mie",
    '"Quoted", with commas',
]
# Not "x", "z", "c" or "-": those are missing-value codes, read as blank.
JUNK_NUMBERS = ["12abc", "1.2.3", "--4", "lots", "4 5", "inf", "1e999", "#REF!", "7\u2019", "-3"]
BAD_DMY = [
    "31-02-2020",
    "01-01-3020",
    "29-02-2019",
    "00-01-2020",
    "2020-13-01",
    "soon",
    "1e5",
    "43405",
    "2019",
]
BAD_YMD = ["20200231", "30200101", "20191301", "2019", "soon", "-1"]
URN_POOL = list(range(100001, 100041))


@dataclass(frozen=True)
class Row:
    """A generated row: cells (None: blank line), the field a rejection names, and its key.

    ``field`` is None for a good row, ``"blank"`` for a blank line and
    otherwise the field the reader must name.
    """

    cells: list[str] | None
    field: str | None = None
    key: Any = None


def _csv_bytes(header: list[str], rows: list[Row], encoding: str, newline: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row.cells or [])
    return out.getvalue().encode(encoding)


def _expected(rows: list[Row], first_line: int = 2) -> tuple[dict[int, str | None], list[int]]:
    """Line -> expected rejection field (None for a duplicate or blank), and lines read."""
    rejected: dict[int, str | None] = {}
    read: list[int] = []
    seen: dict[Any, int] = {}
    for line, row in enumerate(rows, start=first_line):
        if row.field is not None:
            rejected[line] = None if row.field == "blank" else row.field
        elif row.key in seen:
            rejected[line] = None
        else:
            seen[row.key] = line
            read.append(line)
    return rejected, read


def _check(result: ReadResult[Any], rows: list[Row], first_line: int = 2) -> None:
    result.check_accounting()
    assert result.rows_read == len(rows)
    rejected, read = _expected(rows, first_line)
    assert result.lines == read
    got = {r.line: r for r in result.rejections}
    assert set(got) == set(rejected)
    for line, field in rejected.items():
        rejection = got[line]
        assert rejection.reason
        assert rejection.file == result.source
        assert rejection.field == field, (line, rejection)
        if field is None and rows[line - first_line].cells is not None:
            assert rejection.reason.startswith("duplicate of line ")


def _in_tmp(name: str, data: bytes, read: Callable[[Path], ReadResult[Any]]) -> ReadResult[Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return read(path)


encodings = st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])
newlines = st.sampled_from(["\n", "\r\n"])
days = st.dates(date(1990, 1, 1), date(2022, 4, 1))


def _pick(draw: st.DrawFn, kinds: list[str]) -> str:
    return draw(st.sampled_from(["good"] * len(kinds) + kinds))


# --- GIAS download --------------------------------------------------------------

GIAS_HEADER = [
    "URN",
    "LA (code)",
    "EstablishmentNumber",
    "EstablishmentName",
    "EstablishmentStatus (name)",
    "OpenDate",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "SchoolCapacity",
    "PercentageFSM",
    "Linked establishments",
]


@st.composite
def gias_rows(draw: st.DrawFn) -> Row:
    urn = draw(st.sampled_from(URN_POOL))
    links = draw(st.lists(st.sampled_from(URN_POOL), max_size=3))
    link_cells = [f"{u} {draw(st.sampled_from(['Predecessor', 'Successor']))}" for u in links]
    cells = [
        str(urn),
        "850",
        str(draw(st.integers(1000, 9999))),
        draw(st.sampled_from(NAMES)),
        draw(st.sampled_from(reg.STATUSES)),
        draw(st.one_of(st.just(""), days.map(lambda d: d.strftime("%d-%m-%Y")))),
        "4",
        "11",
        draw(st.sampled_from(["", "210", "1,050"])),
        draw(st.sampled_from(["", "21.7", "0", "100"])),
        *(link_cells or ["Does not have links"]),
    ]
    kind = _pick(draw, ["urn", "number", "date", "status", "link", "name", "age", "fsm", "blank"])
    if kind == "urn":
        cells[0] = draw(st.sampled_from(["", "12", "abc", "10000000000", "1e3"]))
        return Row(cells, "URN")
    if kind == "number":
        cells[8] = draw(st.sampled_from(JUNK_NUMBERS))
        return Row(cells, "SchoolCapacity")
    if kind == "date":
        cells[5] = draw(st.sampled_from(BAD_DMY))
        return Row(cells, "OpenDate")
    if kind == "status":
        cells[4] = draw(st.sampled_from(["", "Shut", "1", "open"]))
        return Row(cells, "EstablishmentStatus (name)")
    if kind == "link":
        cells.append(draw(st.sampled_from(["123456", "abc Predecessor", "12 Successor"])))
        return Row(cells, "Linked establishments")
    if kind == "name":
        cells[3] = ""
        return Row(cells, "EstablishmentName")
    if kind == "age":
        cells[6], cells[7] = "11", "4"
        return Row(cells, "StatutoryHighAge")
    if kind == "fsm":
        cells[9] = draw(st.sampled_from(["100.5", "-1", "half"]))
        return Row(cells, "PercentageFSM")
    if kind == "blank":
        return Row(None, "blank")
    return Row(cells, None, urn)


@SETTINGS
@given(st.lists(gias_rows(), max_size=25), encodings, newlines)
def test_it_reports_every_bad_gias_row(rows: list[Row], encoding: str, newline: str) -> None:
    data = _csv_bytes(GIAS_HEADER, rows, encoding, newline)
    result = _in_tmp("20220419-gias.csv", data, gias.read_gias_establishments)
    _check(result, rows)
    assert {r.as_at for r in result.records} <= {AS_AT}
    for record, line in zip(result.records, result.lines, strict=True):
        row = rows[line - 2]
        assert row.cells is not None
        assert record.name == row.cells[3]
        assert len(record.links) == sum(1 for c in row.cells[10:] if c[:1].isdigit())


# --- school_details ---------------------------------------------------------------

DETAILS_HEADER = [
    "URN",
    "Name",
    "Street",
    "City",
    "Postcode",
    "Status",
    "Rating",
    "Inspect Date",
    "Date Opened",
    "Date Closed",
    "Type",
    "Primary",
    "Secondary",
    "Post 16",
    "Age From",
    "Age To",
    "Gender",
    "Gender Post 16",
    "Religion",
    "Other URN",
    "Local Authority",
]


@st.composite
def details_rows(draw: st.DrawFn) -> Row:
    urn = draw(st.sampled_from(URN_POOL))
    status = draw(st.sampled_from(["1", "2", "3"]))
    opened = draw(st.one_of(st.just(""), days.map(lambda d: d.strftime("%Y%m%d"))))
    cells = [
        str(urn),
        draw(st.sampled_from(NAMES)),
        "1 High Street",
        "Alton",
        "GU34 1DH",
        status,
        "Good",
        "20190101",
        opened,
        "20190831" if status == "2" else "",
        draw(st.sampled_from(["Maintained School", "Academy", "Special School", "nan"])),
        "1",
        "0",
        "0",
        "4",
        "11",
        "Mixed",
        "Mixed",
        "None",
        draw(st.sampled_from(["", "145210.0", "999999.0"])),
        "850",
    ]
    kind = _pick(draw, ["urn", "status", "date", "flag", "age", "other", "la", "extra", "blank"])
    if kind == "urn":
        cells[0] = draw(st.sampled_from(["", "nan", "x1", "99"]))
        return Row(cells, "URN")
    if kind == "status":
        cells[5] = draw(st.sampled_from(["", "4", "Open", "1.5"]))
        return Row(cells, "Status")
    if kind == "date":
        cells[8] = draw(st.sampled_from(BAD_YMD))
        return Row(cells, "Date Opened")
    if kind == "flag":
        cells[12] = draw(st.sampled_from(["2", "yes", "-1"]))
        return Row(cells, "Secondary")
    if kind == "age":
        cells[14] = draw(st.sampled_from(JUNK_NUMBERS))
        return Row(cells, "Age From")
    if kind == "other":
        cells[19] = draw(st.sampled_from(["145210.5", "abc", "12"]))
        return Row(cells, "Other URN")
    if kind == "la":
        cells[20] = draw(st.sampled_from(["8500", "85", "Hampshire"]))
        return Row(cells, "Local Authority")
    if kind == "extra":
        return Row([*cells, "surplus"], "(row)")
    if kind == "blank":
        return Row(None, "blank")
    return Row(cells, None, urn)


@SETTINGS
@given(st.lists(details_rows(), max_size=25), encodings, newlines)
def test_it_reports_every_bad_school_details_row(
    rows: list[Row], encoding: str, newline: str
) -> None:
    data = _csv_bytes(DETAILS_HEADER, rows, encoding, newline)
    result = _in_tmp(
        "school_details_2018.csv", data, lambda p: spine.read_school_details(p, as_at=AS_AT)
    )
    _check(result, rows)
    for record in result.records:
        assert record.other_urn in (None, 145210)
        assert record.status in reg.STATUSES


# --- Spine, as CSV and as a workbook ------------------------------------------------

SPINE_HEADER = [*spine.SPINE_NEEDED, "GENDER", "OTHERURN"]


@st.composite
def spine_rows(draw: st.DrawFn) -> Row:
    urn = draw(st.sampled_from(URN_POOL))
    estab = draw(st.integers(2000, 2999))
    iclose = draw(st.sampled_from(["1", "2", "3"]))
    cells = [
        str(urn),
        "850",
        str(estab),
        str(8500000 + estab),
        draw(st.sampled_from(NAMES)),
        iclose,
        draw(st.one_of(st.just(""), days.map(lambda d: d.strftime("%Y%m%d")))),
        "20190831" if iclose == "2" else "",
        draw(st.sampled_from(["Academy", "Maintained School", "n/a"])),
        draw(st.sampled_from([*sorted(spine.SPINE_TYPES), "Something new"])),
        "1",
        "0",
        "0",
        "4",
        "11",
        "Mixed",
        draw(st.sampled_from(["", "145210"])),
    ]
    kind = _pick(draw, ["laestab", "iclose", "date", "ages", "urn", "extra", "blank"])
    if kind == "laestab":
        cells[3] = str(8510000 + estab)
        return Row(cells, "LAESTAB")
    if kind == "iclose":
        cells[5] = draw(st.sampled_from(["", "0", "9", "Open"]))
        return Row(cells, "ICLOSE")
    if kind == "date":
        cells[6] = draw(st.sampled_from(BAD_YMD))
        return Row(cells, "OPENDATE")
    if kind == "ages":
        cells[13], cells[14] = "16", draw(st.sampled_from(["11", "xx", "100"]))
        return Row(cells, "AGEH")
    if kind == "urn":
        cells[0] = draw(st.sampled_from(["", "abc", "100001.5"]))
        return Row(cells, "URN")
    if kind == "extra":
        return Row([*cells, "surplus"], "(row)")
    if kind == "blank":
        return Row(None, "blank")
    return Row(cells, None, urn)


@SETTINGS
@given(st.lists(spine_rows(), max_size=25), encodings, newlines)
def test_it_reports_every_bad_spine_csv_row(rows: list[Row], encoding: str, newline: str) -> None:
    data = _csv_bytes(SPINE_HEADER, rows, encoding, newline)
    result = _in_tmp("815_spine.csv", data, lambda p: spine.read_spine(p, as_at=AS_AT))
    _check(result, rows)
    for record, line in zip(result.records, result.lines, strict=True):
        cells = rows[line - 2].cells
        assert cells is not None
        assert (record.type_name is None) == (cells[9] == "Something new")
        assert record.laestab == 8500000 + int(cells[2])


def _workbook_cell(name: str, value: str) -> object:
    """The cell as Excel would hold it: dates as dates, whole numbers as numbers."""
    if name in ("OPENDATE", "CLOSEDATE"):
        try:
            return datetime.strptime(value, "%Y%m%d")
        except ValueError:
            return value or None
    if value.isdigit() and len(value) < 10:
        return int(value)
    return value or None


@settings(max_examples=25, deadline=None)
@given(st.lists(spine_rows().filter(lambda r: r.cells is not None), max_size=15))
def test_it_reports_every_bad_spine_workbook_row(rows: list[Row]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "england"
    ws.append(SPINE_HEADER)
    for row in rows:
        assert row.cells is not None
        names = SPINE_HEADER + ["extra"] * (len(row.cells) - len(SPINE_HEADER))
        ws.append([_workbook_cell(n, v) for n, v in zip(names, row.cells, strict=True)])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spine.xlsx"
        wb.save(path)
        result = spine.read_spine(path, as_at=AS_AT)
    _check(result, rows)


# --- dim_school and fct_school --------------------------------------------------------

DIM_HEADER = list(gias.DIM_SCHOOL_NEEDED)
FCT_HEADER = list(gias.FCT_SCHOOL_NEEDED)


@st.composite
def star_schema(draw: st.DrawFn) -> tuple[list[Row], list[Row], dict[int, str]]:
    """dim rows, fct rows, and what each school_key's figures should come to."""
    keys = draw(st.lists(st.integers(0, 30), max_size=15))
    dim: list[Row] = []
    for key in keys:
        cells = [
            str(key),
            str(100000 + key),
            "2000",
            draw(st.sampled_from(NAMES)),
            "Community school",
            "Local authority maintained schools",
            draw(st.sampled_from(["Open", "Open, but proposed to close"])),
            draw(st.one_of(st.just(""), days.map(date.isoformat))),
            "",
            "Primary",
            "4",
            "11",
        ]
        kind = _pick(draw, ["date", "status", "blank"])
        if key == 0:
            dim.append(Row(cells, "school_key"))
        elif kind == "date":
            cells[7] = draw(st.sampled_from(["2020-02-31", "3020-01-01", "2020-1-1x"]))
            dim.append(Row(cells, "open_date"))
        elif kind == "status":
            cells[6] = "Gone"
            dim.append(Row(cells, "establishment_status"))
        elif kind == "blank":
            dim.append(Row(None, "blank"))
        else:
            dim.append(Row(cells, None, 100000 + key))
    fct: list[Row] = []
    for key in draw(st.lists(st.integers(1, 30), max_size=20)):
        capacity = draw(st.sampled_from(["210", "420", "", "lots"]))
        fct.append(Row([str(key), "97", capacity, "200", "12.5"], None, key))
    return dim, fct, {}


def _fct_fate(dim: list[Row], fct: list[Row]) -> tuple[set[int], dict[int, int | None]]:
    """fct lines expected to be rejected, and the capacity each dim key should get."""
    read_keys = {row.key - 100000 for row in dim if row.field is None}
    rejected: set[int] = set()
    first: dict[int, tuple[int, list[str]]] = {}
    conflicted: set[int] = set()
    for line, row in enumerate(fct, start=2):
        assert row.cells is not None
        if row.cells[2] == "lots":
            rejected.add(line)
            continue
        key = int(row.cells[0])
        if key not in first:
            first[key] = (line, row.cells)
            continue
        rejected.add(line)
        if row.cells != first[key][1]:
            conflicted.add(key)
            rejected.add(first[key][0])
    # Counts are claimed by the first dim row of their key; the rest are orphans.
    claimed = {k for k in first if k in read_keys and k not in conflicted}
    rejected |= {line for k, (line, _) in first.items() if k not in conflicted and k not in claimed}
    capacity = {
        k: (int(first[k][1][2]) if first[k][1][2] else None) if k in claimed else None
        for k in read_keys
    }
    return rejected, capacity


@SETTINGS
@given(star_schema(), encodings)
def test_it_accounts_for_every_dim_and_fct_row(
    schema: tuple[list[Row], list[Row], dict[int, str]], encoding: str
) -> None:
    dim, fct, _ = schema
    with tempfile.TemporaryDirectory() as tmp:
        dim_path = Path(tmp) / "dim_school.csv"
        fct_path = Path(tmp) / "fct_school.csv"
        dim_path.write_bytes(_csv_bytes(DIM_HEADER, dim, encoding, "\n"))
        fct_path.write_bytes(_csv_bytes(FCT_HEADER, fct, "utf-8", "\n"))
        result = gias.read_school_dimension(dim_path, fct_path)
    result.check_accounting()
    dim_result: ReadResult[Any] = ReadResult(source="dim_school.csv")
    dim_result.records, dim_result.lines = result.records, result.lines
    dim_result.rejections = [r for r in result.rejections if r.file == "dim_school.csv"]
    dim_result.rows_read = len(dim)
    _check(dim_result, dim)
    rejected, capacity = _fct_fate(dim, fct)
    assert {r.line for r in result.rejections if r.file == "fct_school.csv"} == rejected
    assert {r.urn - 100000: r.capacity for r in result.records} == capacity
    assert result.rows_read == len(dim) + len(rejected)


# --- Links, groups and the lookup ------------------------------------------------------

LINK_TYPES = ["Successor", "Predecessor", "Successor - merged", "Sixth Form Centre Link"]


@st.composite
def link_rows(draw: st.DrawFn) -> Row:
    urn, other = draw(st.lists(st.sampled_from(URN_POOL[:6]), min_size=2, max_size=2, unique=True))
    kind_of_link = draw(st.sampled_from(LINK_TYPES))
    cells = [
        str(urn),
        str(other),
        draw(st.sampled_from(NAMES)),
        kind_of_link,
        draw(st.one_of(st.just(""), days.map(lambda d: d.strftime("%d-%m-%Y")))),
    ]
    kind = _pick(draw, ["self", "urn", "date", "type", "extra", "blank"])
    if kind == "self":
        cells[1] = cells[0]
        return Row(cells, "LinkURN")
    if kind == "urn":
        cells[0] = draw(st.sampled_from(["", "abc", "123"]))
        return Row(cells, "URN")
    if kind == "date":
        cells[4] = draw(st.sampled_from(BAD_DMY))
        return Row(cells, "LinkEstablishedDate")
    if kind == "type":
        cells[3] = " "
        return Row(cells, "LinkType")
    if kind == "extra":
        return Row([*cells, "surplus"], "(row)")
    if kind == "blank":
        return Row(None, "blank")
    return Row(cells, None, (urn, other, kind_of_link))


@SETTINGS
@given(st.lists(link_rows(), max_size=30), encodings, newlines)
def test_it_reports_every_bad_link_and_lineage_terminates(
    rows: list[Row], encoding: str, newline: str
) -> None:
    header = ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"]
    result = _in_tmp("links.csv", _csv_bytes(header, rows, encoding, newline), lk.read_links)
    _check(result, rows)
    graph = lk.LinkGraph(result.records)
    for urn in URN_POOL[:6]:
        chain = graph.lineage(urn)
        assert urn in chain
        assert len(chain) == len(set(chain))
        assert graph.latest(urn) in chain


@st.composite
def group_rows(draw: st.DrawFn) -> Row:
    uid = draw(st.integers(1000, 1010))
    cells = [
        str(uid),
        draw(st.sampled_from(["", "TR01234", "SP00003"])),
        draw(st.sampled_from([*NAMES, "Ascent Academies\x92 Trust"])),
        draw(st.sampled_from(["", "6893415.0", "SC123456", "06893415"])),
        "Multi-academy trust",
        "",
        draw(st.sampled_from(["", "1900-01-01", "2012-04-01"])),
        draw(st.sampled_from(["Open", "Closed"])),
        draw(st.sampled_from(["", "10060695.0"])),
    ]
    kind = _pick(draw, ["uid", "date", "company", "ukprn", "name", "blank"])
    if kind == "uid":
        cells[0] = draw(st.sampled_from(["", "x", "0", "-4"]))
        return Row(cells, "Group UID")
    if kind == "date":
        cells[5] = draw(st.sampled_from(["2020-02-30", "3020-01-01", "01/13/2020"]))
        return Row(cells, "Closed Date")
    if kind == "company":
        cells[3] = draw(st.sampled_from(["ABC", "123456789", "6893415.5"]))
        return Row(cells, "Companies House Number")
    if kind == "ukprn":
        cells[8] = draw(st.sampled_from(["12", "xx", "100606950"]))
        return Row(cells, "UKPRN")
    if kind == "name":
        cells[2] = ""
        return Row(cells, "Group Name")
    if kind == "blank":
        return Row(None, "blank")
    return Row(cells, None, uid)


@SETTINGS
@given(st.lists(group_rows(), max_size=25), encodings)
def test_it_reports_every_bad_group_row(rows: list[Row], encoding: str) -> None:
    header = [
        "Group UID",
        "Group ID",
        "Group Name",
        "Companies House Number",
        "Group Type",
        "Closed Date",
        "Open date",
        "Group Status",
        "UKPRN",
    ]
    if encoding == "cp1252":
        # \x92 stands for the Latin-1 misreading the real file carries; it has no
        # cp1252 byte of its own, so write the file as the real one is, in UTF-8.
        encoding = "utf-8"
    result = _in_tmp("groups.csv", _csv_bytes(header, rows, encoding, "\n"), lk.read_groups)
    _check(result, rows)
    for group in result.records:
        assert group.open_date != date(1900, 1, 1)
        assert group.companies_house in (None, "06893415", "SC123456")
        assert "\x92" not in group.name


@st.composite
def lookup_rows(draw: st.DrawFn) -> Row:
    old = draw(st.sampled_from(URN_POOL))
    cells = [str(old), f"{draw(st.sampled_from(URN_POOL))}.0"]
    kind = _pick(draw, ["old", "new", "blank"])
    if kind == "old":
        cells[0] = draw(st.sampled_from(["", "x", "100001.5"]))
        return Row(cells, "OLD_URN")
    if kind == "new":
        cells[1] = draw(st.sampled_from(["", "nan", "1e99"]))
        return Row(cells, "LATEST_URN")
    if kind == "blank":
        return Row(None, "blank")
    return Row(cells, None, old)


@SETTINGS
@given(st.lists(lookup_rows(), max_size=25))
def test_it_reports_every_bad_lookup_row(rows: list[Row]) -> None:
    data = _csv_bytes(["OLD_URN", "LATEST_URN"], rows, "utf-8", "\n")
    result = _in_tmp("lookup.csv", data, lk.read_urn_lookup)
    _check(result, rows)


@st.composite
def group_link_rows(draw: st.DrawFn) -> Row:
    urn = draw(st.sampled_from([20003, *URN_POOL[:5]]))
    uid = draw(st.integers(1000, 1003))
    cells = [
        str(draw(st.integers(0, 99))),
        str(urn),
        str(uid),
        "Multi-academy trust",
        draw(st.sampled_from(["", "1900-01-01", "2019-09-01"])),
    ]
    kind = _pick(draw, ["urn", "date", "blank"])
    if kind == "urn":
        cells[1] = draw(st.sampled_from(["", "999", "x"]))
        return Row(cells, "URN")
    if kind == "date":
        cells[4] = draw(st.sampled_from(["2019-02-29", "3019-01-01", "never"]))
        return Row(cells, "Joined date")
    if kind == "blank":
        return Row(None, "blank")
    return Row(cells, None, (urn, uid))


@SETTINGS
@given(st.lists(group_link_rows(), max_size=25))
def test_it_reports_every_bad_group_link_row(rows: list[Row]) -> None:
    header = ["", "URN", "Group UID", "Group Type", "Joined date"]
    data = _csv_bytes(header, rows, "utf-8", "\n")
    result = _in_tmp("group_links.csv", data, lk.read_group_links)
    _check(result, rows)
    assert all(r.joined_date != date(1900, 1, 1) for r in result.records)


# --- Missing columns -----------------------------------------------------------------

READERS: list[tuple[str, list[str], Callable[[Path], ReadResult[Any]]]] = [
    ("20220419-gias.csv", GIAS_HEADER, gias.read_gias_establishments),
    ("school_details_2018.csv", DETAILS_HEADER, spine.read_school_details),
    ("815_spine.csv", SPINE_HEADER, spine.read_spine),
    ("links.csv", ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"], lk.read_links),
    ("lookup.csv", ["OLD_URN", "LATEST_URN"], lk.read_urn_lookup),
    ("types.csv", list(gias.TYPES_NEEDED), gias.read_establishment_types),
    ("dim_la.csv", list(reg.DIM_LA_NEEDED), reg.read_local_authorities),
    ("regions.csv", list(reg.LA_REGION_NEEDED), reg.read_la_region_codes),
]


@pytest.mark.parametrize(("name", "header", "reader"), READERS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_it_refuses_a_header_without_a_needed_column(
    name: str,
    header: list[str],
    reader: Callable[[Path], ReadResult[Any]],
    data: st.DataObject,
) -> None:
    needed = {
        "20220419-gias.csv": gias.GIAS_NEEDED,
        "school_details_2018.csv": spine.SCHOOL_DETAILS_NEEDED,
        "815_spine.csv": spine.SPINE_NEEDED,
        "links.csv": lk.LINKS_NEEDED,
        "lookup.csv": lk.LOOKUP_NEEDED,
    }.get(name, tuple(header))
    dropped = data.draw(st.sampled_from(list(needed)))
    kept = [h for h in header if h != dropped]
    body = "\n".join([",".join(kept), ",".join("1" for _ in kept), ""])
    with pytest.raises(FileFormatError, match=re.escape(dropped)):
        _in_tmp(name, body.encode("utf-8"), reader)


def test_it_refuses_an_empty_file() -> None:
    for name, _, reader in READERS:
        with pytest.raises(FileFormatError, match="empty"):
            _in_tmp(name, b"", reader)
    with pytest.raises(FileFormatError, match="empty"):
        _in_tmp("g.csv", b"", lk.read_groups)
