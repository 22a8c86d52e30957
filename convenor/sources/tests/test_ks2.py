"""Tests for the KS2 results readers."""

from __future__ import annotations

import csv
import io
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from convenor.sources import ks2, ks2_levels
from convenor.sources.base import AreaRow, FileFormatError
from convenor.sources.ks2 import KS2_MEASURES, read_ks2_dfe, read_ks2_final_2019, read_ks2_perf
from convenor.sources.ks2_levels import average_level_points, read_ks2_levels
from convenor.sources.measures import SchoolMeasures

PERF = Path("perf_england_waiky8")
HANTS = Path("ks2_hants_surrey")
FINAL_2019 = Path("perf_england_2019_waiky8") / "england_ks2final.csv"
LEVELS = Path("perf_tables_ralpan") / "england_ks2final_primary_relevent_columns.csv"


def _by_urn(records: list[SchoolMeasures]) -> dict[int, SchoolMeasures]:
    return {r.urn: r for r in records}


def _edit(source: Path, target: Path, line: int, column: str, value: str) -> Path:
    """Copy a CSV, setting one cell of one physical line (the header is line 1)."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def _national(aggregates: list[AreaRow], segment: str) -> AreaRow:
    (row,) = [a for a in aggregates if a.level == "national" and a.segment == segment]
    return row


# --- the measure table ----------------------------------------------------------


def test_it_documents_every_measure_it_reads() -> None:
    maps = [
        {name for name, _first in ks2._PERF_COLUMNS.values()},
        set(ks2._DFE_COLUMNS.values()),
        set(ks2._FINAL_2019_COLUMNS.values()),
        set(ks2_levels._LEVELS_COLUMNS.values()) | {"levels_average_level"},
    ]
    names = set().union(*maps)
    assert names <= set(KS2_MEASURES)
    doc = ks2.__doc__ or ""
    undocumented = {
        n for n in names if n not in doc and not n.startswith(("reading_", "writing_", "maths_"))
    }
    assert undocumented == set()


def test_it_refuses_a_measure_missing_without_a_reason() -> None:
    with pytest.raises(ValueError, match="without a missing code"):
        SchoolMeasures(100000, "2016/17", "ks2_final", {"pupils": None}, {})
    with pytest.raises(ValueError, match="both a value and a missing code"):
        SchoolMeasures(100000, "2016/17", "ks2_final", {"pupils": 3.0}, {"pupils": "SUPP"})


# --- waiky8 2016-2018 (fixtures) -------------------------------------------------


@pytest.mark.parametrize(
    ("year", "period"), [(2016, "2015/16"), (2017, "2016/17"), (2018, "2017/18")]
)
def test_it_reads_the_waiky8_files_with_the_year_from_academic_year(
    fixtures_dir: Path, year: int, period: str
) -> None:
    result = read_ks2_perf(fixtures_dir / PERF / f"ks2_perf_{year}.csv")
    result.check_accounting()
    assert result.rows_read == 26
    assert len(result.records) == 26
    assert {r.period for r in result.records} == {period}
    assert {r.dataset for r in result.records} == {"ks2_final"}


def test_it_reads_percent_strings_as_numbers(fixtures_dir: Path) -> None:
    result = read_ks2_perf(fixtures_dir / PERF / "ks2_perf_2017.csv")
    first = _by_urn(result.records)[110705]
    assert first.values["pupils"] == 24
    assert first.values["reading_progress"] == -4.8
    assert first.values["reading_expected_pct"] == 54
    assert first.values["rwm_expected_pct"] == 50
    assert first.values["rwm_high_pct"] == 4


def test_it_reads_the_waiky8_writing_columns_as_grammar_punctuation_and_spelling(
    fixtures_dir: Path,
) -> None:
    waiky8 = _by_urn(read_ks2_perf(fixtures_dir / PERF / "ks2_perf_2017.csv").records)[115976]
    dfe = _by_urn(read_ks2_dfe(fixtures_dir / HANTS / "2016-850-ks2.csv").records)[115976]
    for name in ("gps_score", "gps_expected_pct", "gps_high_pct", "rwm_expected_pct", "pupils"):
        assert waiky8.values[name] == dfe.values[name], name
    assert "writing_expected_pct" not in waiky8.values


def test_it_keeps_lowcov_and_blanks_as_missing_never_zero(fixtures_dir: Path) -> None:
    records = _by_urn(read_ks2_perf(fixtures_dir / PERF / "ks2_perf_2016.csv").records)
    lowcov = records[139319]
    assert lowcov.values["reading_progress"] is None
    assert lowcov.missing["reading_progress"] == "LOWCOV"
    no_results = records[139837]
    assert all(v is None for v in no_results.values.values())
    assert set(no_results.missing.values()) == {"blank"}


def test_it_reads_progress_bands_only_from_2017_18(fixtures_dir: Path) -> None:
    old = read_ks2_perf(fixtures_dir / PERF / "ks2_perf_2017.csv").records
    assert all("reading_progress_band" not in r.values for r in old)
    new = _by_urn(read_ks2_perf(fixtures_dir / PERF / "ks2_perf_2018.csv").records)
    assert new[138305].values["reading_progress_band"] == 1
    assert new[143648].missing["maths_progress_band"] == "LOWCOV"


# --- DfE full files (fixtures) ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "period", "la", "national"),
    [
        ("2016-850-ks2.csv", "2016/17", 66, 61),
        ("2017-850-ks2.csv", "2017/18", 68, 64),
        ("2018-850-ks2.csv", "2018/19", 68, 65),
    ],
)
def test_it_turns_la_and_england_rows_of_a_dfe_file_into_area_rows(
    fixtures_dir: Path, name: str, period: str, la: int, national: int
) -> None:
    result = read_ks2_dfe(fixtures_dir / HANTS / name)
    result.check_accounting()
    assert (result.rows_read, len(result.records), len(result.aggregates)) == (14, 11, 3)
    assert {r.period for r in result.records} == {period}
    (la_row,) = [a for a in result.aggregates if a.level == "la"]
    assert (la_row.area_code, la_row.segment, la_row.period) == ("850", "state-funded", period)
    assert la_row.values["rwm_expected_pct"] == la
    for segment in ("all-schools", "state-funded"):
        row = _national(result.aggregates, segment)
        assert (row.area_code, row.values["rwm_expected_pct"]) == ("ENG", national)
        # England's progress is 0 by definition and left blank, not written as 0.
        assert row.values["reading_progress"] is None
        assert row.missing["reading_progress"] == "blank"


def test_it_reads_a_hampshire_school_with_its_laestab(fixtures_dir: Path) -> None:
    records = _by_urn(read_ks2_dfe(fixtures_dir / HANTS / "2016-850-ks2.csv").records)
    newtown = records[116336]
    assert newtown.laestab == 8503192
    assert newtown.values["rwm_expected_pct"] == 58
    assert newtown.values["writing_high_pct"] == 20
    assert newtown.missing == {}


def test_it_reads_short_rows_as_schools_without_results(fixtures_dir: Path) -> None:
    result = read_ks2_dfe(fixtures_dir / HANTS / "2016-850-ks2.csv")
    short = _by_urn(result.records)[116407]
    assert all(v is None for v in short.values.values())
    assert short.missing["rwm_expected_pct"] == "blank"
    suppressed = _by_urn(result.records)[116268]
    assert suppressed.missing["rwm_expected_pct"] == "SUPP"


def test_it_returns_converter_academies_as_links(fixtures_dir: Path) -> None:
    result = read_ks2_dfe(fixtures_dir / HANTS / "2016-850-ks2.csv")
    (link,) = result.converters
    assert (link.urn, link.academy_urn, link.academy_name) == (
        116181,
        144093,
        "Gomer Junior School",
    )
    assert (link.academy_opened, link.period, link.line) == (date(2017, 4, 1), "2016/17", 11)
    # The results stay with the URN that entered the pupils.
    assert 116181 in _by_urn(result.records)


def test_it_fails_a_dfe_file_whose_year_does_not_match_its_columns(fixtures_dir: Path) -> None:
    with pytest.raises(FileFormatError, match="not the 2017/18 file"):
        read_ks2_dfe(fixtures_dir / HANTS / "2016-850-ks2.csv", year="2017/18")


def test_it_fails_a_dfe_file_whose_columns_differ_from_the_dictionary(fixtures_dir: Path) -> None:
    meta = fixtures_dir / HANTS / "meta_2018-2019" / "ks2_meta.csv"
    with pytest.raises(FileFormatError, match="do not match the metadata"):
        read_ks2_dfe(fixtures_dir / HANTS / "2016-850-ks2.csv", meta=meta)


def test_it_reads_a_dfe_file_without_its_dictionary_and_needs_a_year_without_its_name(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    renamed = tmp_path / "hampshire.csv"
    shutil.copy(fixtures_dir / HANTS / "2017-850-ks2.csv", renamed)
    with pytest.raises(FileFormatError, match="cannot tell the year"):
        read_ks2_dfe(renamed)
    result = read_ks2_dfe(renamed, year="2017/18")
    assert len(result.records) == 11


# --- 2018/19 and levels era (fixtures) ------------------------------------------


def test_it_reads_2019_progress_scores_and_bands(fixtures_dir: Path) -> None:
    result = read_ks2_final_2019(fixtures_dir / FINAL_2019)
    result.check_accounting()
    assert (result.rows_read, len(result.records)) == (30, 30)
    first = _by_urn(result.records)[141279]
    assert first.period == "2018/19"
    assert first.values == {
        "reading_progress": 2.6,
        "reading_progress_band": 2,
        "writing_progress": 2.3,
        "writing_progress_band": 3,
        "maths_progress": 2,
        "maths_progress_band": 3,
    }
    assert _by_urn(result.records)[141108].missing["reading_progress"] == "LOWCOV"
    assert _by_urn(result.records)[120149].missing["reading_progress_band"] == "SUPP"


@pytest.mark.parametrize(
    ("raw", "points"),
    [("4B", 27), ("4A", 29), ("4C", 25), ("5C", 31), ("3A", 23), ("2", 15), ("SUPP", None)],
)
def test_it_converts_sub_levels_to_points(raw: str, points: float | None) -> None:
    assert average_level_points(raw) == points


def test_it_reads_the_levels_file_placing_la_rows_after_their_schools(fixtures_dir: Path) -> None:
    result = read_ks2_levels(fixtures_dir / LEVELS)
    result.check_accounting()
    assert (result.rows_read, len(result.records), len(result.aggregates)) == (29, 24, 5)
    assert {r.period for r in result.records} == {"2012/13"}
    las = [a for a in result.aggregates if a.level == "la"]
    # Each LA row follows its LA's schools; without a register the code names the last one.
    assert [a.area_code for a in las] == [
        "la-of-urn-100000",
        "la-of-urn-133554",
        "la-of-urn-116635",
    ]
    named = read_ks2_levels(fixtures_dir / LEVELS, la_of_urn={116635: "850", 133554: "420"})
    codes = [a.area_code for a in named.aggregates if a.level == "la"]
    assert codes == ["la-of-urn-100000", "420", "850"]
    state_funded = _national(result.aggregates, "state-funded")
    assert state_funded.values["levels_read_progress_pct"] == 88
    assert state_funded.values["levels_maths_progress_pct"] == 88
    assert state_funded.values["levels_writing_progress_pct"] == 92
    assert state_funded.values["levels_average_level"] == 29  # 4A


def test_it_reads_a_bare_level_2_as_level_2b(fixtures_dir: Path) -> None:
    records = _by_urn(read_ks2_levels(fixtures_dir / LEVELS).records)
    assert records[100096].values["levels_average_level"] == 15


# --- bad rows and bad files ------------------------------------------------------


def test_it_rejects_junk_in_a_numeric_field_naming_the_field(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    path = _edit(
        fixtures_dir / PERF / "ks2_perf_2017.csv", tmp_path / "ks2.csv", 3, "Reading Score", "1O4"
    )
    result = read_ks2_perf(path)
    result.check_accounting()
    (rejection,) = result.rejections
    assert (rejection.line, rejection.field) == (3, "Reading Score")
    assert "not a number" in rejection.reason
    assert len(result.records) == 25


def test_it_rejects_a_percentage_over_100(fixtures_dir: Path, tmp_path: Path) -> None:
    path = _edit(
        fixtures_dir / HANTS / "2018-850-ks2.csv",
        tmp_path / "2018-850-ks2.csv",
        3,
        "PTRWM_EXP",
        "159%",
    )
    result = read_ks2_dfe(path)
    (rejection,) = result.rejections
    assert (rejection.line, rejection.field) == (3, "PTRWM_EXP")
    assert "outside 0 to 100" in rejection.reason


def test_it_rejects_a_second_row_for_the_same_school_and_year(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    path = _edit(
        fixtures_dir / PERF / "ks2_perf_2018.csv", tmp_path / "ks2.csv", 5, "URN", "138305"
    )
    result = read_ks2_perf(path)
    (rejection,) = result.rejections
    assert rejection.line == 5
    assert rejection.reason.startswith("duplicate of line 2")


def test_it_rejects_an_unknown_record_type_and_an_la_row_without_a_code(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    source = fixtures_dir / HANTS / "2016-850-ks2.csv"
    path = _edit(source, tmp_path / "a" / "2016-850-ks2.csv", 2, "RECTYPE", "6")
    path = _edit(path, tmp_path / "b" / "2016-850-ks2.csv", 13, "LEA", " ")
    result = read_ks2_dfe(path)
    assert [(r.line, r.field) for r in result.rejections] == [(2, "RECTYPE"), (13, "LEA")]
    result.check_accounting()


def test_it_rejects_a_row_with_values_beyond_the_header(tmp_path: Path) -> None:
    path = tmp_path / "ks2_perf_2017.csv"
    header = ",".join(["URN", *ks2._PERF_COLUMNS, "Academic Year"])
    cells = ["100000"] + [""] * len(ks2._PERF_COLUMNS) + ["2017", "oops"]
    path.write_text(header + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    result = read_ks2_perf(path)
    (rejection,) = result.rejections
    assert rejection.field == "(extra fields)"


def test_it_fails_a_file_missing_a_required_column(tmp_path: Path) -> None:
    path = tmp_path / "england_ks2final.csv"
    path.write_text("RECTYPE,URN,READPROG\n1,100000,1.0\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="WRITPROG"):
        read_ks2_final_2019(path)


# --- full files ------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("year", "rows", "period"),
    [(2016, 16_162, "2015/16"), (2017, 16_313, "2016/17"), (2018, 16_364, "2017/18")],
)
def test_it_reads_every_row_of_the_waiky8_files(
    shared_data: Path, year: int, rows: int, period: str
) -> None:
    started = time.perf_counter()
    result = read_ks2_perf(shared_data / PERF / f"ks2_perf_{year}.csv")
    assert time.perf_counter() - started < 5
    result.check_accounting()
    assert (result.rows_read, len(result.records), len(result.rejections)) == (rows, rows, 0)
    assert {r.period for r in result.records} == {period}


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "rows", "la", "la_rwm", "national_rwm", "national_pupils"),
    [
        ("2016-850-ks2.csv", 331, "850", 66, 61, 599_728),
        ("2017-850-ks2.csv", 331, "850", 68, 64, 619_703),
        ("2018-850-ks2.csv", 334, "850", 68, 65, 644_967),
        ("2016-936-ks2.csv", 235, "936", 67, 61, 599_728),
        ("2017-936-ks2.csv", 238, "936", 70, 64, 619_703),
        ("2018-936-ks2.csv", 242, "936", 70, 65, 644_967),
    ],
)
def test_it_reads_the_national_rwm_figures_of_the_hampshire_and_surrey_files(
    shared_data: Path,
    name: str,
    rows: int,
    la: str,
    la_rwm: int,
    national_rwm: int,
    national_pupils: int,
) -> None:
    result = read_ks2_dfe(shared_data / HANTS / name)
    result.check_accounting()
    assert result.rows_read == rows
    assert (len(result.records), len(result.aggregates), len(result.rejections)) == (rows - 3, 3, 0)
    (la_row,) = [a for a in result.aggregates if a.level == "la"]
    assert (la_row.area_code, la_row.values["rwm_expected_pct"]) == (la, la_rwm)
    for segment in ("all-schools", "state-funded"):
        assert _national(result.aggregates, segment).values["rwm_expected_pct"] == national_rwm
    assert _national(result.aggregates, "state-funded").values["pupils"] == national_pupils


@pytest.mark.shared_data
def test_it_agrees_with_the_dfe_file_on_every_hampshire_school(shared_data: Path) -> None:
    dfe = _by_urn(read_ks2_dfe(shared_data / HANTS / "2016-850-ks2.csv").records)
    waiky8 = _by_urn(read_ks2_perf(shared_data / PERF / "ks2_perf_2017.csv").records)
    compared = 0
    for urn, school in dfe.items():
        other = waiky8[urn]
        for name in ("rwm_expected_pct", "gps_expected_pct", "reading_score", "maths_high_pct"):
            if school.values[name] is not None and other.values[name] is not None:
                assert school.values[name] == other.values[name], (urn, name)
                compared += 1
    assert len(dfe) == 328
    assert compared == 1_261


@pytest.mark.shared_data
def test_it_reads_the_2019_final_file(shared_data: Path) -> None:
    result = read_ks2_final_2019(shared_data / FINAL_2019)
    result.check_accounting()
    assert (len(result.records), len(result.rejections)) == (16_355, 0)
    hants = _by_urn(read_ks2_dfe(shared_data / HANTS / "2018-850-ks2.csv").records)
    final = _by_urn(result.records)
    same = [
        u
        for u, s in hants.items()
        if s.values["reading_progress"] is not None
        and s.values["reading_progress"] == final[u].values["reading_progress"]
    ]
    assert len(same) > 300


@pytest.mark.shared_data
def test_it_reads_the_levels_era_file(shared_data: Path) -> None:
    hampshire = {
        u: "850" for u in _by_urn(read_ks2_dfe(shared_data / HANTS / "2016-850-ks2.csv").records)
    }
    result = read_ks2_levels(shared_data / LEVELS, la_of_urn=hampshire)
    result.check_accounting()
    assert (result.rows_read, len(result.records), len(result.rejections)) == (16_190, 16_036, 0)
    assert len([a for a in result.aggregates if a.level == "la"]) == 152
    assert len([a for a in result.aggregates if a.level == "national"]) == 2
    (hants,) = [a for a in result.aggregates if a.area_code == "850"]
    assert hants.values["levels_aps"] == 28.7
    national = _national(result.aggregates, "state-funded")
    assert (national.values["levels_read_progress_pct"], national.values["levels_aps"]) == (
        88,
        28.4,
    )
