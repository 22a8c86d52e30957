"""Tests for the census and SPC year-group readers (and the shared table reader)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from convenor.sources import census, tables
from convenor.sources.base import FileFormatError
from convenor.sources.census import (
    CENSUS_COLUMNS,
    YEAR_GROUPS,
    census_year_from_path,
    read_census,
    read_year_groups,
)
from convenor.sources.measures import SchoolMeasures
from convenor.sources.tables import load_table
from convenor.sources.years import AcademicYear

C2017 = Path("perf_tables_2017_avisionh") / "england_census.csv"
C2019 = Path("perf_tables_2019_kspdev") / "england_census.csv"
C2023 = Path("census_2023_dfe_academies_api") / "2022-2023_england_census.csv"
NY = Path("perf_tables_la815_north_yorkshire")
SPC = Path("spc_helios") / "spc_school_level_underlying_data_23112023.csv"


def _by_urn(records: list[SchoolMeasures]) -> dict[int, SchoolMeasures]:
    return {r.urn: r for r in records}


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _write(rows: list[list[str]], target: Path) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def _edit(source: Path, target: Path, line: int, column: str, value: str) -> Path:
    """Copy a CSV, setting one cell of one physical line (the header is line 1)."""
    rows = _rows(source)
    rows[line - 1][rows[0].index(column)] = value
    return _write(rows, target)


# --- census: the fixtures ---------------------------------------------------------


def test_it_documents_one_canonical_name_per_census_column() -> None:
    assert len(set(CENSUS_COLUMNS.values())) == len(CENSUS_COLUMNS)
    for name in CENSUS_COLUMNS.values():
        assert name in (census.__doc__ or ""), name


def test_it_reads_the_january_2017_census_with_the_year_from_the_folder(
    fixtures_dir: Path,
) -> None:
    result = read_census(fixtures_dir / C2017)
    result.check_accounting()
    assert result.rejections == []
    assert {r.period for r in result.records} == {"2016/17"}
    assert {r.dataset for r in result.records} == {"census"}
    alton = _by_urn(result.records)[115850]
    assert alton.laestab == 8502000
    assert alton.values["pupils"] == 163
    assert (alton.values["girls"], alton.values["boys"]) == (71, 92)
    assert (alton.values["ehc_plan"], alton.values["sen_support"]) == (1, 18)
    assert (alton.values["eal_pct"], alton.values["fsm_pct"]) == (6.7, 12.3)
    assert (alton.values["fsm_ever6"], alton.values["fsm_ever6_pct"]) == (28, 17.2)
    # January 2017 has no count of pupils eligible for FSM: absent, not missing.
    assert "fsm" not in alton.values and "fsm" not in alton.missing


def test_it_keeps_np_as_missing_never_zero(fixtures_dir: Path) -> None:
    schools = _by_urn(read_census(fixtures_dir / C2017).records)
    assert schools[100001].values["fsm_ever6"] is None
    assert schools[100001].missing == {"fsm_ever6": "NP", "fsm_ever6_pct": "NP"}
    withheld = schools[115812]
    assert set(withheld.missing) == set(withheld.values)
    assert set(withheld.missing.values()) == {"NP"}


def test_it_reads_national_rows_as_aggregates_not_schools(fixtures_dir: Path) -> None:
    result = read_census(fixtures_dir / C2017)
    assert [(a.level, a.area_code, a.segment) for a in result.aggregates] == [
        ("national", "ENG", "primary"),
        ("national", "ENG", "secondary"),
    ]
    primary = result.aggregates[0]
    assert primary.period == "2016/17"
    assert primary.values["pupils"] == 4998768
    secondary = result.aggregates[1]
    # National FSM-ever-6 counts are averages of several returns, so fractional.
    assert secondary.values["fsm_ever6"] == pytest.approx(833033.66667)
    assert not any(r.urn == 0 for r in result.records)


def test_it_reads_percent_strings_of_the_2023_census(fixtures_dir: Path) -> None:
    result = read_census(fixtures_dir / C2023)
    assert result.rejections == []
    aldgate = _by_urn(result.records)[100000]
    assert aldgate.period == "2022/23"
    assert (aldgate.values["girls_pct"], aldgate.values["ehc_plan_pct"]) == (46.9, 3.0)
    assert (aldgate.values["fsm"], aldgate.values["fsm_ever6"]) == (49, 50)
    assert (aldgate.values["fsm_ever6_base"], aldgate.values["fsm_ever6_pct"]) == (228, 21.9)
    assert "fsm_pct" not in aldgate.values
    assert [a.segment for a in result.aggregates] == ["primary", "secondary", "special"]


def test_it_keeps_na_for_what_independent_schools_do_not_report(fixtures_dir: Path) -> None:
    schools = _by_urn(read_census(fixtures_dir / C2019).records)
    independent = schools[100001]
    assert independent.period == "2018/19"
    assert independent.values["pupils"] == 752
    assert independent.values["fsm"] is None
    assert independent.missing["fsm"] == "NA"
    assert independent.missing["eal_pct"] == "NA"


@pytest.mark.parametrize(
    ("year", "period", "la_rows"),
    [(2017, "2016/17", 2), (2018, "2017/18", 2), (2019, "2018/19", 3)],
)
def test_it_reads_north_yorkshire_la_rows_as_la_aggregates(
    fixtures_dir: Path, year: int, period: str, la_rows: int
) -> None:
    result = read_census(fixtures_dir / NY / f"815_{year}_census.csv")
    result.check_accounting()
    assert result.rejections == []
    la = [a for a in result.aggregates if a.level == "la"]
    assert len(la) == la_rows
    assert {a.area_code for a in la} == {"815"}
    assert {a.period for a in result.aggregates} == {period}
    assert len([a for a in result.aggregates if a.level == "national"]) == la_rows
    assert all(r.laestab is not None and r.laestab // 10000 == 815 for r in result.records)


def test_it_takes_the_census_year_from_the_path() -> None:
    assert census_year_from_path(Path("perf_tables_2017_avisionh/england_census.csv")).start == 2016
    assert census_year_from_path(Path("x/2022-2023_england_census.csv")) == AcademicYear(2022)
    assert census_year_from_path(Path("data/815_2018_census.csv")).label == "2017/18"


def test_it_fails_when_the_path_names_no_year_or_two(fixtures_dir: Path, tmp_path: Path) -> None:
    plain = tmp_path / "census" / "england_census.csv"
    plain.parent.mkdir()
    shutil.copy(fixtures_dir / C2017, plain)
    with pytest.raises(FileFormatError, match="no year"):
        read_census(plain)
    ambiguous = tmp_path / "census" / "2017_and_2019_census.csv"
    shutil.copy(fixtures_dir / C2017, ambiguous)
    with pytest.raises(FileFormatError, match="ambiguous"):
        read_census(ambiguous)


def test_it_takes_the_year_from_the_argument(fixtures_dir: Path, tmp_path: Path) -> None:
    plain = tmp_path / "census" / "england_census.csv"
    plain.parent.mkdir()
    shutil.copy(fixtures_dir / C2017, plain)
    assert {r.period for r in read_census(plain, "2016/17").records} == {"2016/17"}
    assert {r.period for r in read_census(plain, AcademicYear(2016)).records} == {"2016/17"}
    with pytest.raises(FileFormatError):
        read_census(plain, "2016/18")


def test_it_rejects_junk_numbers_naming_the_line_and_field(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    path = _edit(fixtures_dir / C2017, tmp_path / "2017" / "census.csv", 3, "NOR", "7x7")
    result = read_census(path)
    result.check_accounting()
    (rejection,) = result.rejections
    assert (rejection.line, rejection.field) == (3, "NOR")
    assert "not a number" in rejection.reason
    assert rejection.raw is not None and rejection.raw["URN"] == "100001"
    assert 100001 not in _by_urn(result.records)


def test_it_rejects_impossible_percentages(fixtures_dir: Path, tmp_path: Path) -> None:
    path = _edit(fixtures_dir / C2023, tmp_path / "2023" / "census.csv", 2, "PNORG", "146.90%")
    (rejection,) = read_census(path).rejections
    assert (rejection.line, rejection.field) == (2, "PNORG")
    assert "outside 0 to 100" in rejection.reason


def test_it_rejects_a_repeated_urn_naming_the_first_line(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    path = _edit(fixtures_dir / C2017, tmp_path / "2017" / "census.csv", 4, "URN", "100000")
    result = read_census(path)
    (rejection,) = result.rejections
    assert rejection.line == 4
    assert "duplicate of line 2" in rejection.reason
    assert _by_urn(result.records)[100000].values["pupils"] == 276


def test_it_rejects_an_unknown_aggregate_phase(fixtures_dir: Path, tmp_path: Path) -> None:
    rows = _rows(fixtures_dir / C2017)
    last = len(rows)
    path = _edit(fixtures_dir / C2017, tmp_path / "2017" / "census.csv", last, "ESTAB", "ALL")
    (rejection,) = read_census(path).rejections
    assert (rejection.line, rejection.field) == (last, "ESTAB")


def test_it_accounts_for_blank_and_short_rows(fixtures_dir: Path, tmp_path: Path) -> None:
    text = (fixtures_dir / C2017).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines.insert(3, "")
    lines.insert(5, "100999,201,3999,12")
    path = tmp_path / "2017" / "census.csv"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_census(path)
    result.check_accounting()
    (blank,) = result.rejections
    assert (blank.line, blank.reason) == (4, "blank row")
    short = _by_urn(result.records)[100999]
    assert short.values["pupils"] == 12
    # Fields the row does not have are blank, so missing: never zero.
    assert short.values["girls"] is None and short.missing["girls"] == "blank"


def test_it_fails_on_a_file_that_is_not_a_census(fixtures_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "2017" / "england_abs.csv"
    path.parent.mkdir()
    shutil.copy(fixtures_dir / "perf_tables_2017_avisionh" / "england_abs.csv", path)
    with pytest.raises(FileFormatError, match="missing column"):
        read_census(path)
    empty = tmp_path / "2017" / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(FileFormatError, match="empty"):
        read_census(empty)


def test_it_counts_lines_of_quoted_line_breaks_and_cp1252_text(tmp_path: Path) -> None:
    data = (
        "URN,LA,ESTAB,SCHOOLTYPE,NOR,TSENELSE,TSENELK\r\n"
        '100000,201,3614,"State-funded\r\nprimary",271,8,59\r\n'
        "100001,201,6005,Caf\xe9 school,x9,0,22\r\n"
    ).encode("cp1252")
    path = tmp_path / "2023" / "census.csv"
    path.parent.mkdir()
    path.write_bytes(data)
    result = read_census(path)
    result.check_accounting()
    assert result.lines == [2]
    (rejection,) = result.rejections
    assert (rejection.line, rejection.field) == (4, "NOR")
    assert rejection.raw is not None and rejection.raw["SCHOOLTYPE"] == "Caf\u00e9 school"


def test_it_splits_tables_the_same_way_with_polars_and_the_csv_module() -> None:
    text = 'a,b,c\n1,"x,y",3\n4,"say ""hi""",\n,,\n7,8,9\n'
    fast = tables._polars_table(text)
    slow = tables._csv_table(text)
    assert fast is not None
    assert fast.header == slow.header
    assert fast.lines == slow.lines == [2, 3, 4, 5]
    assert fast.blank == slow.blank == [False, False, True, False]
    assert [fast.column(i) for i in range(3)] == [slow.column(i) for i in range(3)]
    # A quoted line break shifts later lines: only the csv module counts them.
    assert tables._polars_table('a,b\n"1\n2",3\n4,5\n') is None
    assert load_table('a,b\n"1\n2",3\n4,5\n').lines == [2, 4]


# --- year groups: the fixture -----------------------------------------------------


def test_it_documents_every_year_group() -> None:
    for name in YEAR_GROUPS.values():
        assert f"``{name}``" in (census.__doc__ or "") or name.startswith("year"), name


def test_it_sums_year_groups_over_sex_and_attendance(fixtures_dir: Path) -> None:
    result = read_year_groups(fixtures_dir / SPC)
    result.check_accounting()
    assert result.rejections == []
    aldgate = _by_urn(result.records)[100000]
    assert (aldgate.period, aldgate.dataset, aldgate.laestab) == ("2022/23", "year_groups", 2013614)
    assert aldgate.values["nursery1"] == 9
    assert aldgate.values["nursery2"] == 34
    assert aldgate.values["reception"] == 30
    assert aldgate.values["year6"] == 59
    assert aldgate.values["year7"] == 0
    assert aldgate.values["headcount"] == 271
    groups = [v for k, v in aldgate.values.items() if k != "headcount"]
    assert sum(v for v in groups if v is not None) == 271


def test_it_marks_year_groups_a_school_does_not_report_as_z(fixtures_dir: Path) -> None:
    schools = _by_urn(read_year_groups(fixtures_dir / SPC).records)
    independent = schools[100544]
    assert independent.values["headcount"] == 365
    assert independent.values["year10"] is None
    assert set(independent.missing) == set(YEAR_GROUPS.values())
    assert set(independent.missing.values()) == {"z"}


def test_it_reads_hampshire_secondary_year_groups(fixtures_dir: Path) -> None:
    schools = _by_urn(read_year_groups(fixtures_dir / SPC).records)
    hants = [s for s in schools.values() if s.laestab and s.laestab // 10000 == 850]
    assert len(hants) >= 12
    secondary = schools[116405]
    assert all(secondary.values[f"year{n}"] == 0 for n in range(1, 7))
    assert all((secondary.values[f"year{n}"] or 0) > 100 for n in range(7, 12))


def test_it_rejects_negative_and_junk_year_group_counts(fixtures_dir: Path, tmp_path: Path) -> None:
    column = "Full time girls Year group 3"
    path = _edit(fixtures_dir / SPC, tmp_path / "spc.csv", 2, column, "-4")
    path = _edit(path, tmp_path / "spc2.csv", 3, "headcount of pupils", "365.5")
    path = _edit(path, tmp_path / "spc3.csv", 4, "urn", "1000")
    result = read_year_groups(path)
    result.check_accounting()
    assert [(r.line, r.field) for r in result.rejections] == [
        (2, column),
        (3, "headcount of pupils"),
        (4, "urn"),
    ]
    assert "negative" in result.rejections[0].reason


def test_it_rejects_a_repeated_school_and_blank_rows(fixtures_dir: Path, tmp_path: Path) -> None:
    rows = _rows(fixtures_dir / SPC)
    rows.insert(3, rows[1])
    rows.insert(4, [])
    result = read_year_groups(_write(rows, tmp_path / "spc.csv"))
    result.check_accounting()
    assert [(r.line, r.reason) for r in result.rejections] == [
        (4, "duplicate of line 2 (same (100000, '2022/23', 'all'))"),
        (5, "blank row"),
    ]


def test_it_fails_when_a_year_group_column_is_missing(fixtures_dir: Path, tmp_path: Path) -> None:
    rows = _rows(fixtures_dir / SPC)
    drop = rows[0].index("Part time boys Reception")
    path = _write([r[:drop] + r[drop + 1 :] for r in rows], tmp_path / "spc.csv")
    with pytest.raises(FileFormatError, match="reception"):
        read_year_groups(path)


# --- the full files ---------------------------------------------------------------


@pytest.mark.shared_data
def test_it_reads_every_school_of_the_2023_census(shared_data: Path) -> None:
    result = read_census(shared_data / C2023)
    result.check_accounting()
    assert len(result.records) == 24_433
    assert [(a.level, a.segment) for a in result.aggregates] == [
        ("national", "primary"),
        ("national", "secondary"),
        ("national", "special"),
    ]
    assert result.rejections == []


@pytest.mark.shared_data
@pytest.mark.parametrize(("path", "schools"), [(C2017, 577), (C2019, 579), (C2023, 589)])
def test_it_counts_hampshire_schools_in_each_census(
    shared_data: Path, path: Path, schools: int
) -> None:
    result = read_census(shared_data / path)
    assert result.rejections == []
    hants = [r for r in result.records if r.laestab is not None and r.laestab // 10000 == 850]
    assert len(hants) == schools


@pytest.mark.shared_data
@pytest.mark.parametrize(("year", "england"), [(2017, C2017), (2019, C2019)])
def test_it_reads_north_yorkshire_as_the_england_file_does(
    shared_data: Path, year: int, england: Path
) -> None:
    local = read_census(shared_data / NY / f"815_{year}_census.csv")
    national = _by_urn(read_census(shared_data / england).records)
    assert local.rejections == []
    for record in local.records:
        assert record == national[record.urn]


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_gives_spc_headcounts_equal_to_census_pupils(shared_data: Path) -> None:
    spc = read_year_groups(shared_data / SPC)
    spc.check_accounting()
    assert (len(spc.records), spc.rejections, spc.aggregates) == (24_442, [], [])
    assert len([r for r in spc.records if r.laestab and r.laestab // 10000 == 850]) == 589
    pupils = {r.urn: r.values["pupils"] for r in read_census(shared_data / C2023).records}
    shared = [r for r in spc.records if r.urn in pupils]
    assert len(shared) == 24_433
    assert all(r.values["headcount"] == pupils[r.urn] for r in shared)
