"""Property tests: malformed census, absence and EES files never crash the readers.

Each generated file mixes good rows with junk numbers, repeated URNs, blank
lines, short and long rows, and is written as UTF-8 or Windows-1252. Every
row must end up a record, an aggregate or a rejection naming its line, and
the rejections must be exactly the rows that were made bad.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convenor.sources import tables
from convenor.sources.absence import read_absence
from convenor.sources.base import ReadResult
from convenor.sources.census import read_census
from convenor.sources.exclusions import read_exclusions
from convenor.sources.measures import SchoolMeasures

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CENSUS_HEADER = ["URN", "LA", "ESTAB", "NOR", "TSENELSE", "PSENELSE", "TSENELK", "PNUMFSM"]
ABSENCE_HEADER = ["LA", "ESTAB", "URN", "PERCTOT", "PPERSABS10"]
JUNK = ["abc", "1.2.3", "12x", "\u00e95", "1e5e", "inf", "0x10", "4 5"]
CODES = ["NP", "SUPP", "NA", "", "x"]


@dataclass(frozen=True)
class Plan:
    """A generated file: its lines, and what the reader must make of each data line."""

    lines: list[str]
    expected: dict[int, str | None]  # line -> field of its rejection (None: blank/duplicate)
    records: int
    encoding: str


def _cell(draw: st.DrawFn, pct: bool) -> str:
    kind = draw(st.sampled_from(["int", "decimal", "code"]))
    if kind == "code":
        return draw(st.sampled_from(CODES))
    if kind == "decimal" or pct:
        return f"{draw(st.floats(0, 100, allow_nan=False)):.1f}"
    return str(draw(st.integers(0, 5000)))


@st.composite
def perf_files(draw: st.DrawFn, header: list[str], key: str, measures: list[str]) -> Plan:
    """A performance-tables file (census or absence layout) with bad rows mixed in."""
    encoding = draw(st.sampled_from(["utf-8", "cp1252"]))
    lines = [",".join(header)]
    expected: dict[int, str | None] = {}
    accepted: list[str] = []
    records = 0
    n_rows = draw(st.integers(0, 14))
    for n in range(n_rows):
        line = n + 2
        kind = draw(st.sampled_from(["good", "good", "junk", "dup", "blank", "short", "long"]))
        urn = str(100000 + n)
        cells = {
            "URN": urn,
            "LA": str(draw(st.integers(100, 999))),
            "ESTAB": str(draw(st.integers(1000, 9999))),
        }
        for m in measures:
            cells[m] = _cell(draw, m.startswith("P"))
        if kind == "dup" and accepted:
            cells[key] = draw(st.sampled_from(accepted))
        elif kind == "dup":
            kind = "good"
        row = [cells[h] for h in header]
        if kind == "junk":
            column = draw(st.sampled_from(measures))
            row[header.index(column)] = draw(st.sampled_from(JUNK))
            expected[line] = column
        elif kind == "dup":
            expected[line] = None
        elif kind == "blank":
            row = [""] * draw(st.sampled_from([1, len(header)]))
            expected[line] = None
        else:
            if kind == "short":
                row = row[: draw(st.integers(header.index(key) + 1, len(header)))]
            elif kind == "long":
                row = [*row, "extra", "\u00e9t\u00e9"]
            accepted.append(cells[key])
            records += 1
        lines.append(",".join(row))
    return Plan(lines, expected, records, encoding)


def _write(plan: Plan, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    # cp1252 cannot carry every junk cell the strategy draws; those files stay UTF-8.
    text = "\n".join(plan.lines) + "\n"
    try:
        data = text.encode(plan.encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path.write_bytes(data)
    return path


def _check(result: ReadResult[SchoolMeasures], plan: Plan) -> None:
    result.check_accounting()
    assert result.rows_read == len(plan.lines) - 1
    got = {r.line: r.field for r in result.rejections}
    assert got == plan.expected
    for rejection in result.rejections:
        assert rejection.reason
        assert rejection.file
    assert len(result.records) == plan.records
    urns = [r.urn for r in result.records]
    assert len(urns) == len(set(urns))
    for record in result.records:
        for name, value in record.values.items():
            # A code never becomes a number, and every gap says why.
            assert (value is None) == (name in record.missing)


@SETTINGS
@given(perf_files(CENSUS_HEADER, "URN", ["NOR", "TSENELSE", "PSENELSE", "TSENELK", "PNUMFSM"]))
def test_it_accounts_for_every_row_of_a_malformed_census(plan: Plan) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(plan, Path(tmp) / "perf_tables_2017", "england_census.csv")
        _check(read_census(path), plan)


@SETTINGS
@given(perf_files(ABSENCE_HEADER, "URN", ["PERCTOT", "PPERSABS10"]))
def test_it_accounts_for_every_row_of_a_malformed_absence_file(plan: Plan) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(plan, Path(tmp) / "perf_tables_2019", "england_abs.csv")
        _check(read_absence(path), plan)


EES_HEADER = [
    "time_identifier",
    "time_period",
    "geographic_level",
    "region_code",
    "old_la_code",
    "laestab",
    "academy_type",
    "academy_open_date",
    "school_type",
    "num_schools",
    "headcount",
    "perm_excl",
    "perm_excl_rate",
    "fixed_excl",
    "fixed_excl_rate",
    "one_plus_fixed",
    "one_plus_fixed_rate",
]


@st.composite
def exclusion_files(draw: st.DrawFn) -> tuple[list[str], dict[int, str | None], int, int]:
    """An EES exclusions file of school and LA rows with bad rows mixed in."""
    lines = [",".join(EES_HEADER)]
    expected: dict[int, str | None] = {}
    schools = areas = 0
    seen: list[str] = []
    for n in range(draw(st.integers(0, 12))):
        line = n + 2
        kind = draw(st.sampled_from(["school", "school", "la", "junk", "dup", "blank", "quoted"]))
        laestab = str(8502000 + n)
        if kind == "dup" and seen:
            laestab = draw(st.sampled_from(seen))
        elif kind == "dup":
            kind = "school"
        numbers = [draw(st.sampled_from(["0", "12", "x", ".", "3.5"])) for _ in range(8)]
        level = "Local authority" if kind == "la" else "School"
        row = ["Academic year", "201617", level, "E12000008", "850", laestab]
        row += ["Total", "Total", "State-funded primary", *numbers]
        if kind == "la":
            row[5] = ""
            areas += 1
        elif kind == "junk":
            column = draw(st.sampled_from(EES_HEADER[9:]))
            row[EES_HEADER.index(column)] = draw(st.sampled_from(JUNK))
            expected[line] = column
        elif kind == "dup":
            expected[line] = None
        elif kind == "blank":
            row = [""]
            expected[line] = None
        else:
            if kind == "quoted":
                row[6] = '"Converter, academy"'
                row[7] = "01/09/2012"
            seen.append(laestab)
            schools += 1
        lines.append(",".join(row))
    return lines, expected, schools, areas


@SETTINGS
@given(exclusion_files(), st.sampled_from(["\n", "\r\n"]))
def test_it_accounts_for_every_row_of_a_malformed_exclusions_file(
    plan: tuple[list[str], dict[int, str | None], int, int], newline: str
) -> None:
    lines, expected, schools, areas = plan
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exclusions.csv"
        path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
        result = read_exclusions(path)
    result.check_accounting()
    assert {r.line: r.field for r in result.rejections} == expected
    assert (len(result.records), len(result.aggregates)) == (schools, areas)
    for record in result.records:
        assert record.line not in expected
        assert (record.academy_type is None) == (record.academy_open_date is None)


# --- the table reader: polars and the csv module agree ------------------------------

_FIELD = st.text(
    alphabet=st.sampled_from(list('ab1 ,"\n\r\t\x00\u00e9x.-')),
    max_size=6,
)


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """CSV text with quoting (good and bad), embedded line breaks, ragged and blank rows."""
    width = draw(st.integers(1, 4))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    rows = [[f"h{i}" for i in range(width)]]
    for _ in range(draw(st.integers(0, 8))):
        n = draw(st.integers(0, width + 1))
        rows.append([draw(_FIELD) for _ in range(n)])

    def quote(field: str) -> str:
        # "raw" leaves quotes and separators bare: malformed quoting on purpose.
        mode = draw(st.sampled_from(["raw", "quote", "auto"]))
        if mode == "quote" or (mode == "auto" and any(c in field for c in ',"\n\r')):
            return '"' + field.replace('"', '""') + '"'
        return field

    text = newline.join(",".join(quote(f) for f in row) for row in rows)
    return text + (newline if draw(st.booleans()) else "")


@settings(max_examples=50, deadline=None)
@given(csv_texts())
def test_it_splits_any_csv_as_the_csv_module_does(text: str) -> None:
    slow = tables._csv_table(text)
    fast = tables.load_table(text)
    assert fast.header == slow.header
    assert fast.lines == slow.lines
    assert fast.blank == slow.blank
    for i in range(len(slow.header)):
        assert fast.column(i) == slow.column(i)
