"""Property tests: malformed results and inspection files never crash a reader.

Each test builds a CSV from rows it knows to be good or bad (junk numbers,
impossible dates, ragged and blank lines, values beyond the header, Windows-1252
text, repeated keys), runs the reader, and checks that every bad row is
rejected with its line and a reason, every good row is read, and the
accounting holds.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from convenor.sources import ks2, ks4
from convenor.sources.base import ReadResult
from convenor.sources.inspections import rating_for, read_inspections
from convenor.sources.ks2 import read_ks2_perf
from convenor.sources.ks4 import read_ks4_provisional
from convenor.sources.measures import MeasureSpec
from convenor.sources.years import AcademicYear

SETTINGS = settings(max_examples=50, deadline=None)

JUNK_NUMBERS = [
    "12abc",
    "1.2.3",
    "--4",
    "one",
    "4 5",
    "inf",
    "1e999",
    "#REF!",
    "12\u00e9",
    "7\u2019",
]
CODES = ["", " ", "SUPP", "NE", "NA", "LOWCOV", "x", "NP"]
URNS = [100000, 100001, 100002, 100003]


def _impossible(spec: MeasureSpec) -> list[str]:
    """Numbers a measure cannot take: outside its range, or a fraction of a count."""
    values = [str(spec.low - 1), str(spec.high + 1)]
    if spec.whole:
        values.append(str(spec.low + 0.5))
    return values


@dataclass(frozen=True)
class Row:
    """A generated row: its cells (None for a blank line), whether it is bad, and its key."""

    cells: list[str] | None
    bad: bool
    key: Any = None


def _write(rows: list[Row], header: list[str], directory: Path, name: str) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row.cells or [])
    text = out.getvalue()
    path = directory / name
    # Any non-ASCII text makes the whole file Windows-1252, as older DfE files are.
    path.write_bytes(text.encode("cp1252"))
    return path


def _check(result: ReadResult[Any], rows: list[Row]) -> None:
    """Every bad row and every repeat of an accepted key rejected; everything else read."""
    result.check_accounting()
    assert result.rows_read == len(rows)
    expected_rejected: dict[int, int | None] = {}  # line -> first line it repeats
    expected_read: list[int] = []
    seen: dict[Any, int] = {}
    for line, row in enumerate(rows, start=2):
        if row.bad:
            expected_rejected[line] = None
        elif row.key is not None and row.key in seen:
            expected_rejected[line] = seen[row.key]
        else:
            if row.key is not None:
                seen[row.key] = line
            expected_read.append(line)
    assert {r.line for r in result.rejections} == set(expected_rejected)
    assert result.lines == [line for line in expected_read if row_is_record(rows, line)]
    for rejection in result.rejections:
        assert rejection.reason
        assert rejection.file == result.source
        first = expected_rejected[rejection.line]
        if first is not None:
            assert rejection.reason.startswith(f"duplicate of line {first} ")


def row_is_record(rows: list[Row], line: int) -> bool:
    """Aggregate rows (key None in readers with keys) are read but are not records."""
    return rows[line - 2].key is not None


def _run(
    reader: Callable[[Path], ReadResult[Any]], rows: list[Row], header: list[str], name: str
) -> ReadResult[Any]:
    with tempfile.TemporaryDirectory() as tmp:
        return reader(_write(rows, header, Path(tmp), name))


# --- inspections -------------------------------------------------------------------

DATES = [
    date(2005, 9, 12),
    date(2009, 3, 10),
    date(2012, 8, 31),
    date(2012, 9, 1),
    date(2015, 5, 19),
    date(2019, 11, 19),
    date(2024, 9, 1),
]
BAD_DATES = ["20201340", "30200101", "20040101", "", "2020-13-01", "junk", "20990101", "0"]


@st.composite
def inspection_rows(draw: st.DrawFn) -> Row:
    urn = draw(st.sampled_from(URNS))
    day = draw(st.sampled_from(DATES))
    grade = draw(st.integers(1, 4))
    word = rating_for(grade, day) or ""
    word = draw(st.sampled_from([word, word.upper(), word.title(), str(grade)]))
    good = [str(urn), word, day.strftime("%Y%m%d")]
    kind = draw(
        st.sampled_from(
            ["good", "good", "good", "date", "rating", "urn", "short", "blank", "extra", "cp1252"]
        )
    )
    if kind == "good":
        return Row(good, False, (urn, day))
    if kind == "date":
        return Row([good[0], good[1], draw(st.sampled_from(BAD_DATES))], True)
    if kind == "rating":
        wrong = "Satisfactory" if day >= date(2012, 9, 1) else "Requires Improvement"
        return Row([good[0], draw(st.sampled_from([wrong, "Very good", "", "7"])), good[2]], True)
    if kind == "urn":
        return Row([draw(st.sampled_from(["", "12", "abc", "10000000000"])), *good[1:]], True)
    if kind == "short":
        return Row(good[:2], True)
    if kind == "blank":
        return Row(None, True)
    if kind == "extra":
        return Row([*good, "surplus"], True)
    return Row([good[0], "Bi\u00e9n \u2019fait\u2019", good[2]], True)


@SETTINGS
@given(st.lists(inspection_rows(), max_size=25))
def test_it_rejects_every_bad_inspection_row_with_its_line(rows: list[Row]) -> None:
    result = _run(read_inspections, rows, ["URN", "Rating", "Inspection Date"], "ofsted.csv")
    _check(result, rows)
    for record in result.records:
        assert record.rating == rating_for(record.grade, record.inspection_date)


# --- KS2 waiky8 layout --------------------------------------------------------------

_KS2_COLUMNS = list(ks2._PERF_COLUMNS)
_KS2_HEADER = ["URN", *_KS2_COLUMNS, "Academic Year"]


def _ks2_cell(column: str) -> st.SearchStrategy[str]:
    name = ks2._PERF_COLUMNS[column][0]
    spec = ks2.KS2_MEASURES[name]
    if spec.whole:
        numbers = st.integers(int(spec.low), min(int(spec.high), 500)).map(str)
    else:
        numbers = st.decimals(spec.low, spec.high, places=1).map(str)
    if name.endswith("_pct"):
        numbers = numbers.map(lambda n: f"{n}%")
    return st.one_of(numbers, st.sampled_from(CODES))


@st.composite
def ks2_rows(draw: st.DrawFn) -> Row:
    urn = draw(st.sampled_from(URNS))
    year = draw(st.sampled_from([2016, 2017, 2018]))
    cells = [str(urn), *(draw(_ks2_cell(c)) for c in _KS2_COLUMNS), str(year)]
    key = (urn, str(AcademicYear.from_second_year(year)))
    kind = draw(
        st.sampled_from(["good", "good", "good", "junk", "year", "short", "blank", "extra"])
    )
    if kind == "good":
        return Row(cells, False, key)
    if kind == "junk":
        # Band columns of years before bands existed are not read, so junk goes elsewhere.
        readable = [i for i, c in enumerate(_KS2_COLUMNS, start=1) if "Band" not in c]
        index = draw(st.sampled_from(readable))
        spec = ks2.KS2_MEASURES[ks2._PERF_COLUMNS[_KS2_COLUMNS[index - 1]][0]]
        cells[index] = draw(st.sampled_from([*JUNK_NUMBERS, *_impossible(spec)]))
        return Row(cells, True)
    if kind == "year":
        cells[-1] = draw(st.sampled_from(["", "17", "20x7", "1800", "2017.5"]))
        return Row(cells, True)
    if kind == "short":
        return Row(cells[: draw(st.integers(1, len(cells) - 1))], True)
    if kind == "blank":
        return Row(None, True)
    return Row([*cells, "3"], True)


@SETTINGS
@given(st.lists(ks2_rows(), max_size=25))
def test_it_rejects_every_bad_ks2_row_and_keeps_codes_as_missing(rows: list[Row]) -> None:
    result = _run(read_ks2_perf, rows, _KS2_HEADER, "ks2_perf.csv")
    _check(result, rows)
    for line, record in zip(result.lines, result.records, strict=True):
        cells = dict(zip(_KS2_HEADER, rows[line - 2].cells or [], strict=True))
        for column, name in ks2._perf_columns(AcademicYear.from_label(record.period)).items():
            raw = cells[column].strip()
            if raw in CODES or not raw:
                assert record.values[name] is None
                assert record.missing[name] == (raw or "blank")
            else:
                assert record.values[name] == float(raw.rstrip("%"))


# --- KS4 DfE provisional layout -------------------------------------------------------

_KS4_HEADER = [
    "RECTYPE",
    "LEA",
    "ESTAB",
    "URN",
    "SCHNAME",
    "ICLOSE",
    "NFTYPE",
    *ks4._DFE_COLUMNS,
]
_KS4_MEASURE_COLUMNS = list(ks4._DFE_COLUMNS)


def _ks4_cell(column: str) -> st.SearchStrategy[str]:
    spec = ks4.KS4_MEASURES[ks4._DFE_COLUMNS[column]]
    if spec.whole:
        numbers = st.integers(int(spec.low), min(int(spec.high), 5)).map(str)
    else:
        numbers = st.decimals(spec.low, spec.high, places=2).map(str)
    if column.startswith("PT"):
        numbers = numbers.map(lambda n: f"{n}%")
    return st.one_of(numbers, st.sampled_from(CODES))


@st.composite
def ks4_rows(draw: st.DrawFn) -> Row:
    rectype = draw(st.sampled_from(["1", "1", "2", "4", "5", "7"]))
    urn = draw(st.sampled_from(URNS))
    name = draw(st.sampled_from(["Hightown School", "Caf\u00e9 \u2019Academy\u2019", "A, B and C"]))
    measures = [draw(_ks4_cell(c)) for c in _KS4_MEASURE_COLUMNS]
    if rectype in ("1", "2"):
        cells = [rectype, "850", "4001", str(urn), name, "0", "CY", *measures]
        key: Any = (urn, "2018/19")
    elif rectype == "4":
        cells = [rectype, draw(st.sampled_from(["850", "815"])), "", "", "", "", "", *measures]
        key = None
    else:
        cells = [rectype, "", "", "", "", "", "", *measures]
        key = None
    kind = draw(st.sampled_from(["good", "good", "good", "junk", "rectype", "blank", "extra"]))
    if kind == "good":
        return Row(cells, False, key)
    if kind == "junk":
        index = draw(st.integers(7, len(cells) - 1))
        spec = ks4.KS4_MEASURES[ks4._DFE_COLUMNS[_KS4_HEADER[index]]]
        cells[index] = draw(st.sampled_from([*JUNK_NUMBERS, *_impossible(spec)]))
        return Row(cells, True)
    if kind == "rectype":
        cells[0] = draw(st.sampled_from(["3", "9", "x", "", "1.5"]))
        return Row(cells, True)
    if kind == "blank":
        return Row(None, True)
    return Row([*cells, "surplus"], True)


def _ks4_reader(path: Path) -> ReadResult[Any]:
    return read_ks4_provisional(path, year="2018/19")


@SETTINGS
@given(st.lists(ks4_rows(), max_size=25))
def test_it_rejects_every_bad_ks4_row_and_keeps_area_rows(rows: list[Row]) -> None:
    result = _run(_ks4_reader, rows, _KS4_HEADER, "england_ks4provisional.csv")
    _check(result, rows)
    good_aggregates = [r for r in rows if not r.bad and r.key is None]
    assert len(result.aggregates) == len(good_aggregates)
    assert all(a.period == "2018/19" for a in result.aggregates)
