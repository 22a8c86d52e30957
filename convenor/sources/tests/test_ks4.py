"""Tests for the KS4 results readers."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from convenor.sources import ks4
from convenor.sources.base import AreaRow, FileFormatError
from convenor.sources.ks4 import (
    KS4_MEASURES,
    ks4_year_from_path,
    read_ks4_dfe_final,
    read_ks4_final_2019,
    read_ks4_perf,
    read_ks4_provisional,
)
from convenor.sources.measures import SchoolMeasures
from convenor.sources.years import AcademicYear

PERF = Path("perf_england_waiky8")
PROV_2017 = Path("perf_tables_2017_avisionh") / "england_ks4provisional.csv"
PROV_2019 = Path("perf_tables_2019_kspdev") / "england_ks4provisional.csv"
NORTH_YORKS = Path("perf_tables_la815_north_yorkshire")
FINAL_2019 = Path("perf_england_2019_waiky8") / "england_ks4final.csv"


def _by_urn(records: list[SchoolMeasures]) -> dict[int, SchoolMeasures]:
    return {r.urn: r for r in records}


def _area(aggregates: list[AreaRow], level: str, code: str, segment: str) -> AreaRow:
    (row,) = [a for a in aggregates if (a.level, a.area_code, a.segment) == (level, code, segment)]
    return row


def _rectypes(path: Path) -> Counter[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return Counter(row["RECTYPE"] for row in csv.DictReader(f))


def test_it_documents_every_measure_it_reads() -> None:
    names = {n for eras in ks4._PERF_COLUMNS.values() for _start, n in eras}
    names |= set(ks4._DFE_COLUMNS.values()) | set(ks4._FINAL_2019_COLUMNS.values())
    assert names <= set(KS4_MEASURES)
    doc = ks4.__doc__ or ""
    assert {n for n in names if n not in doc and not n.endswith(("_boys", "_girls"))} == set()


# --- waiky8 2016-2018 (fixtures) -------------------------------------------------


def test_it_reads_the_2015_16_grade_5_columns_as_a_star_to_c(fixtures_dir: Path) -> None:
    result = read_ks4_perf(fixtures_dir / PERF / "ks4_perf_2016.csv")
    result.check_accounting()
    assert (result.rows_read, len(result.records)) == (23, 23)
    for record in result.records:
        assert record.period == "2015/16"
        assert "basics_ac_pct" in record.values and "basics_95_pct" not in record.values
        assert "ebacc_ac_pct" in record.values and "ebacc_95_pct" not in record.values
        assert "ebacc_aps" not in record.values and "progress8_banding" not in record.values


def test_it_reads_grade_5_columns_as_9_to_5_from_2016_17(fixtures_dir: Path) -> None:
    records = _by_urn(read_ks4_perf(fixtures_dir / PERF / "ks4_perf_2017.csv").records)
    assert {r.period for r in records.values()} == {"2016/17"}
    assert all("basics_95_pct" in r.values for r in records.values())
    # Independent schools publish no Progress 8; the author left it blank.
    independent = records[100003]
    assert independent.values["progress8"] is None
    assert independent.missing["progress8"] == "blank"
    assert independent.values["attainment8"] == 36.5


def test_it_reads_ebacc_points_and_banding_from_2017_18(fixtures_dir: Path) -> None:
    records = _by_urn(read_ks4_perf(fixtures_dir / PERF / "ks4_perf_2018.csv").records)
    school = records[100049]
    assert school.period == "2017/18"
    assert school.values["progress8"] == -0.1
    assert school.values["progress8_girls"] == 0.12
    assert school.values["ebacc_aps"] == 3.82
    assert school.values["progress8_banding"] == 3
    assert school.values["basics_95_pct"] == 41


# --- DfE provisional and full layouts (fixtures) ---------------------------------


def test_it_reads_the_2016_17_provisional_file_with_area_rows(fixtures_dir: Path) -> None:
    result = read_ks4_provisional(fixtures_dir / PROV_2017)
    result.check_accounting()
    assert (result.rows_read, len(result.records), len(result.aggregates)) == (27, 21, 6)
    assert {(r.period, r.dataset) for r in result.records} == {("2016/17", "ks4_provisional")}
    hants = _area(result.aggregates, "la", "850", "state-funded")
    assert (hants.values["attainment8"], hants.values["progress8"]) == (46.7, -0.14)
    state_funded = _area(result.aggregates, "national", "ENG", "state-funded")
    assert state_funded.values["pupils"] == 528_959
    assert state_funded.values["progress8"] == -0.03
    everyone = _area(result.aggregates, "national", "ENG", "all-schools")
    assert everyone.values["progress8"] is None and everyone.missing["progress8"] == "blank"
    # City of London's LA row is all blank: kept, every value missing.
    city = _area(result.aggregates, "la", "201", "state-funded")
    assert all(v is None for v in city.values.values())


def test_it_keeps_na_ne_and_supp_as_missing_never_zero(fixtures_dir: Path) -> None:
    records = _by_urn(read_ks4_provisional(fixtures_dir / PROV_2017).records)
    independent = records[100003]
    assert independent.laestab == 2016007
    assert set(independent.missing.values()) == {"NA"}
    assert all(v is None for v in independent.values.values())
    no_entries = records[100378]
    assert no_entries.missing["attainment8"] == "NE"
    assert no_entries.missing["progress8"] == "SUPP"


def test_it_reads_hampshire_schools_from_the_provisional_files(fixtures_dir: Path) -> None:
    r2017 = read_ks4_provisional(fixtures_dir / PROV_2017).records
    hants = {r.urn: r for r in r2017 if r.laestab is not None and r.laestab // 10_000 == 850}
    assert len(hants) == 12
    assert hants[116426].values["progress8"] == -0.49
    r2019 = _by_urn(read_ks4_provisional(fixtures_dir / PROV_2019).records)
    assert r2019[116427].period == "2018/19"
    assert r2019[116427].values["progress8"] == -0.46


def test_it_reads_adjusted_and_unadjusted_progress_8_in_2018_19(fixtures_dir: Path) -> None:
    school = _by_urn(read_ks4_provisional(fixtures_dir / PROV_2019).records)[100053]
    assert school.values["progress8"] == -0.08
    assert school.values["progress8_unadjusted"] == -0.09
    assert school.values["progress8_adjusted_pupils"] == 1
    assert school.values["progress8_banding"] == 3


@pytest.mark.parametrize(
    ("name", "period", "rows", "schools"),
    [
        ("815_2017_ks4.csv", "2016/17", 72, 69),
        ("815_2018_ks4.csv", "2017/18", 73, 70),
        ("815_2019_ks4.csv", "2018/19", 75, 72),
    ],
)
def test_it_reads_the_north_yorkshire_provisional_files(
    fixtures_dir: Path, name: str, period: str, rows: int, schools: int
) -> None:
    result = read_ks4_provisional(fixtures_dir / NORTH_YORKS / name)
    result.check_accounting()
    assert (result.rows_read, len(result.records), len(result.rejections)) == (rows, schools, 0)
    assert {r.period for r in result.records} == {period}
    assert _area(result.aggregates, "la", "815", "state-funded").period == period


def test_it_reads_the_7_field_rows_of_schools_without_results(fixtures_dir: Path) -> None:
    result = read_ks4_provisional(fixtures_dir / NORTH_YORKS / "815_2019_ks4.csv")
    with (fixtures_dir / NORTH_YORKS / "815_2019_ks4.csv").open(encoding="utf-8-sig") as f:
        short = [line for line, row in enumerate(csv.reader(f), start=1) if len(row) == 7]
    assert len(short) == 3
    by_line = dict(zip(result.lines, result.records, strict=True))
    for line in short:
        record = by_line[line]
        assert all(v is None for v in record.values.values())
        assert set(record.missing.values()) == {"blank"}


@pytest.mark.parametrize(
    ("name", "period", "schools"),
    [("815_2017_ks4_fullcolumns.csv", "2016/17", 10), ("815_2018_ks4final.csv", "2017/18", 11)],
)
def test_it_reads_the_full_final_files(
    fixtures_dir: Path, name: str, period: str, schools: int
) -> None:
    result = read_ks4_dfe_final(fixtures_dir / NORTH_YORKS / name)
    result.check_accounting()
    assert (len(result.records), len(result.aggregates), len(result.rejections)) == (schools, 3, 0)
    assert {(r.period, r.dataset) for r in result.records} == {(period, "ks4_final")}


def test_it_tells_the_year_from_the_file_or_folder_name(tmp_path: Path) -> None:
    assert ks4_year_from_path(Path("x") / PROV_2017) == AcademicYear(2016)
    assert ks4_year_from_path(Path("x") / PROV_2019) == AcademicYear(2018)
    assert ks4_year_from_path(NORTH_YORKS / "815_2018_ks4final.csv") == AcademicYear(2017)
    assert ks4_year_from_path(tmp_path / "england_ks4provisional.csv") is None


def test_it_needs_a_year_when_the_path_gives_none(fixtures_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "england_ks4provisional.csv"
    shutil.copy(fixtures_dir / PROV_2019, copy)
    with pytest.raises(FileFormatError, match="pass year="):
        read_ks4_provisional(copy)
    assert {r.period for r in read_ks4_provisional(copy, year="2018/19").records} == {"2018/19"}


def test_it_checks_the_provisional_columns_against_the_dfe_metadata(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "perf_tables_2017_avisionh"
    (folder / "meta").mkdir(parents=True)
    shutil.copy(fixtures_dir / PROV_2019, folder / "england_ks4provisional.csv")
    shutil.copy(
        fixtures_dir / PROV_2017.parent / "meta" / "ks4provisional_meta.csv",
        folder / "meta" / "ks4provisional_meta.csv",
    )
    with pytest.raises(FileFormatError, match=r"unexpected .*EBACCAPS"):
        read_ks4_provisional(folder / "england_ks4provisional.csv")


def test_it_reads_the_2018_19_final_file(fixtures_dir: Path) -> None:
    result = read_ks4_final_2019(fixtures_dir / FINAL_2019)
    result.check_accounting()
    assert (result.rows_read, len(result.records)) == (28, 28)
    girls = _by_urn(result.records)[100001]
    assert (girls.period, girls.dataset) == ("2018/19", "ks4_final")
    assert girls.missing["progress8"] == "NP"
    assert girls.values["attainment8"] == 57.9


# --- bad rows ----------------------------------------------------------------------


def test_it_rejects_bad_rows_naming_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "815_2019_ks4.csv"
    header = "RECTYPE,LEA,ESTAB,URN,SCHNAME,TPUP,ATT8SCR,P8MEA,P8CILOW,P8CIUPP,"
    header += "PTL2BASICS_94,PTL2BASICS_95,PTEBACC_E_PTQ_EE,PTEBACC_94,PTEBACC_95"
    lines = [
        header,
        "1,815,4000,121733,A,100,50.1,0.5,0.2,0.8,70%,50%,40%,30%,20%",
        "1,815,4001,121734,B,100,50.1,12.5,0.2,0.8,70%,50%,40%,30%,20%",  # P8 out of range
        "3,815,,,,100,50.1,0.5,0.2,0.8,70%,50%,40%,30%,20%",  # no RECTYPE 3 in KS4
        "4,,,,,100,50.1,0.5,0.2,0.8,70%,50%,40%,30%,20%",  # LA row without a code
        "1,815,4002,121735,C,99.5,50.1,0.5,0.2,0.8,70%,50%,40%,30%,20%",  # half a pupil
        "1,815,4000,121733,A again,100,50.1,0.5,0.2,0.8,70%,50%,40%,30%,20%",
        "",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_ks4_provisional(path)
    result.check_accounting()
    assert [(r.line, r.field) for r in result.rejections] == [
        (3, "P8MEA"),
        (4, "RECTYPE"),
        (5, "LEA"),
        (6, "TPUP"),
        (7, None),
        (8, None),
    ]
    assert result.rejections[4].reason.startswith("duplicate of line 2")
    assert result.rejections[5].reason == "blank row"


def test_it_fails_a_file_missing_a_required_column(tmp_path: Path) -> None:
    path = tmp_path / "815_2019_ks4.csv"
    path.write_text("RECTYPE,LEA,ESTAB,URN,TPUP\n1,815,4000,121733,100\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="ATT8SCR"):
        read_ks4_provisional(path)


# --- full files ---------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize(("year", "rows"), [(2016, 5_335), (2017, 5_399), (2018, 5_519)])
def test_it_reads_every_row_of_the_waiky8_files(shared_data: Path, year: int, rows: int) -> None:
    result = read_ks4_perf(shared_data / PERF / f"ks4_perf_{year}.csv")
    result.check_accounting()
    assert (result.rows_read, len(result.records), len(result.rejections)) == (rows, rows, 0)
    assert {r.period for r in result.records} == {f"{year - 1}/{year % 100:02d}"}


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("path", "period", "mainstream", "special", "las", "a8", "p8"),
    [
        (PROV_2017, "2016/17", 4_254, 1_139, 152, 46.0, -0.03),
        (PROV_2019, "2018/19", 4_296, 1_199, 155, 46.5, -0.03),
    ],
)
def test_it_reads_every_row_of_the_provisional_files(
    shared_data: Path,
    path: Path,
    period: str,
    mainstream: int,
    special: int,
    las: int,
    a8: float,
    p8: float,
) -> None:
    rectypes = _rectypes(shared_data / path)
    assert (rectypes["1"], rectypes["2"], rectypes["4"]) == (mainstream, special, las)
    result = read_ks4_provisional(shared_data / path)
    result.check_accounting()
    assert len(result.records) == mainstream + special
    assert len(result.rejections) == 0
    assert len([a for a in result.aggregates if a.level == "la"]) == las
    assert len([a for a in result.aggregates if a.level == "national"]) == 2
    assert {r.period for r in result.records} == {period}
    state_funded = _area(result.aggregates, "national", "ENG", "state-funded")
    assert (state_funded.values["attainment8"], state_funded.values["progress8"]) == (a8, p8)


@pytest.mark.shared_data
def test_it_reads_the_whole_2018_19_final_file(shared_data: Path) -> None:
    result = read_ks4_final_2019(shared_data / FINAL_2019)
    result.check_accounting()
    assert (len(result.records), len(result.rejections)) == (5_516, 0)
    # Progress 8 is not published (NP) for independent and many special schools: never 0.
    codes = Counter(r.missing.get("progress8") for r in result.records)
    assert (codes["NP"], codes["NE"], codes["SUPP"], codes["LOWCOV"], codes["blank"]) == (
        1_308,
        285,
        164,
        10,
        192,
    )


@pytest.mark.shared_data
def test_it_agrees_with_waiky8_on_north_yorkshire_final_results(shared_data: Path) -> None:
    for name, year in (("815_2017_ks4_fullcolumns.csv", 2017), ("815_2018_ks4final.csv", 2018)):
        full = read_ks4_dfe_final(shared_data / NORTH_YORKS / name)
        waiky8 = _by_urn(read_ks4_perf(shared_data / PERF / f"ks4_perf_{year}.csv").records)
        compared = 0
        for school in full.records:
            other = waiky8.get(school.urn)
            for measure in ("attainment8", "basics_95_pct", "ebacc_95_pct", "progress8"):
                mine = school.values.get(measure)
                theirs = other.values.get(measure) if other else None
                if mine is not None and theirs is not None:
                    assert mine == theirs, (name, school.urn, measure)
                    compared += 1
        assert compared > 150
