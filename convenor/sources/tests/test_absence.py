"""Tests for the absence readers."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from convenor.sources import absence
from convenor.sources.absence import (
    REASON_COLUMNS,
    absence_year_from_path,
    laestab_urn_map,
    read_absence,
    read_absence_by_reason,
)
from convenor.sources.base import AreaRow, FileFormatError, ReadResult
from convenor.sources.measures import SchoolMeasures
from convenor.sources.years import AcademicYear

A2013 = Path("perf_tables_ralpan") / "england_abs.csv"
A2017 = Path("perf_tables_2017_avisionh") / "england_abs.csv"
A2019 = Path("perf_tables_2019_kspdev") / "england_abs.csv"
REASONS = Path("ees_test_data_dfe") / "absence_number_missing_at_least_one_session_by_reason.zip"
MEMBER = "absence_number_missing_at_least_one_session_by_reason.csv"


def _by_urn(records: list[SchoolMeasures]) -> dict[int, SchoolMeasures]:
    return {r.urn: r for r in records}


def _national(aggregates: list[AreaRow], segment: str, period: str | None = None) -> AreaRow:
    (row,) = [
        a
        for a in aggregates
        if a.level == "national" and a.segment == segment and period in (None, a.period)
    ]
    return row


def _copy_with(source: Path, target: Path, edit: dict[int, dict[str, str]]) -> Path:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    for line, cells in edit.items():
        for column, value in cells.items():
            rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def _reason_csv(fixtures_dir: Path, target: Path, edit: dict[int, dict[str, str]]) -> Path:
    """The absence-by-reason fixture's CSV member, edited, as a plain CSV."""
    with zipfile.ZipFile(fixtures_dir / REASONS) as zf:
        text = zf.read(MEMBER).decode("utf-8")
    source = target.with_suffix(".orig.csv")
    source.write_text(text, encoding="utf-8")
    return _copy_with(source, target, edit)


# --- performance-tables rates -----------------------------------------------------


def test_it_documents_every_measure_name() -> None:
    doc = absence.__doc__ or ""
    for name in ("overall_absence_pct", "persistent_absence_pct", "persistent_threshold_pct"):
        assert name in doc
    assert all(c in doc or c.startswith("enrol_") for c in REASON_COLUMNS)


@pytest.mark.parametrize(
    ("path", "period", "threshold"),
    [(A2013, "2012/13", 15.0), (A2017, "2016/17", 10.0), (A2019, "2018/19", 10.0)],
)
def test_it_reads_each_absence_year_with_its_persistent_threshold(
    fixtures_dir: Path, path: Path, period: str, threshold: float
) -> None:
    result = read_absence(fixtures_dir / path)
    result.check_accounting()
    assert result.rejections == []
    assert {r.period for r in result.records} == {period}
    assert {r.dataset for r in result.records} == {"absence"}
    # Every record and aggregate carries the threshold, so 10% and 15% rates never mix unseen.
    for values in [r.values for r in result.records] + [a.values for a in result.aggregates]:
        assert values["persistent_threshold_pct"] == threshold
    assert all(a.level == "national" and a.area_code == "ENG" for a in result.aggregates)


def test_it_reads_hampshire_schools_of_2016_17(fixtures_dir: Path) -> None:
    result = read_absence(fixtures_dir / A2017)
    alton = _by_urn(result.records)[115850]
    assert alton.laestab == 8502000
    assert alton.values["overall_absence_pct"] == 3.5
    assert alton.values["persistent_absence_pct"] == 6.3
    assert alton.missing == {}
    assert _national(result.aggregates, "primary").values["overall_absence_pct"] == 4.0


def test_it_keeps_supp_as_missing_never_zero(fixtures_dir: Path) -> None:
    schools = _by_urn(read_absence(fixtures_dir / A2013).records)
    assert schools[136807].values["persistent_absence_pct"] is None
    assert schools[136807].missing == {"persistent_absence_pct": "SUPP"}
    assert schools[136807].values["overall_absence_pct"] == 5.4
    assert schools[100000].values["persistent_absence_pct"] == 0


def test_it_dates_the_files_from_their_folders() -> None:
    assert absence_year_from_path(Path("perf_tables_ralpan/england_abs.csv")).label == "2012/13"
    assert absence_year_from_path(Path("perf_tables_2019_kspdev/england_abs.csv")).start == 2018
    with pytest.raises(FileFormatError, match="no year"):
        absence_year_from_path(Path("downloads/england_abs.csv"))


def test_it_needs_a_year_for_a_file_whose_path_has_none(fixtures_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "abs" / "england_abs.csv"
    path.parent.mkdir()
    shutil.copy(fixtures_dir / A2013, path)
    with pytest.raises(FileFormatError):
        read_absence(path)
    result = read_absence(path, AcademicYear(2012))
    assert {r.period for r in result.records} == {"2012/13"}


def test_it_fails_without_exactly_one_persistent_absence_column(tmp_path: Path) -> None:
    path = tmp_path / "abs" / "england_abs.csv"
    path.parent.mkdir()
    path.write_text("LA,ESTAB,URN,PERCTOT\n201,3614,100000,3.5\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="PPERSABS"):
        read_absence(path, "2016/17")
    path.write_text(
        "LA,ESTAB,URN,PERCTOT,PPERSABS10,PPERSABS15\n201,3614,100000,3.5,1,1\n", encoding="utf-8"
    )
    with pytest.raises(FileFormatError, match="PPERSABS"):
        read_absence(path, "2016/17")


def test_it_rejects_bad_rows_naming_line_and_field(fixtures_dir: Path, tmp_path: Path) -> None:
    edits = {
        2: {"PERCTOT": "2,5x"},
        3: {"PPERSABS10": "101"},
        4: {"URN": "100000"},
        5: {"URN": ""},
        6: {"LA": "85"},
    }
    path = _copy_with(fixtures_dir / A2017, tmp_path / "perf_tables_2017" / "abs.csv", edits)
    result = read_absence(path)
    result.check_accounting()
    got = [(r.line, r.field) for r in result.rejections]
    assert got == [(2, "PERCTOT"), (3, "PPERSABS10"), (5, "URN"), (6, "LA")]
    assert "outside 0 to 100" in result.rejections[1].reason
    # Line 4 now repeats URN 100000, whose first row (line 2) was rejected: it stays.
    assert _by_urn(result.records)[100000].laestab == 2022001


# --- EES absence by reason --------------------------------------------------------


def test_it_reads_the_reason_file_from_its_zip(fixtures_dir: Path) -> None:
    result = read_absence_by_reason(fixtures_dir / REASONS)
    result.check_accounting()
    assert result.rejections == []
    assert {r.dataset for r in result.records} == {"absence_by_reason"}
    schools = {(r.urn, r.period): r for r in result.records}
    alton = schools[(115850, "2016/17")]
    assert (alton.laestab, alton.segment) == (8502000, "primary")
    assert alton.values["enrolments"] == 111
    assert alton.values["enrol_overall"] == 97
    assert set(alton.values) == set(REASON_COLUMNS)
    assert schools[(140069, "2016/17")].segment == "secondary"


def test_it_keeps_ees_x_and_dot_codes(fixtures_dir: Path) -> None:
    result = read_absence_by_reason(fixtures_dir / REASONS)
    (school,) = [r for r in result.records if r.urn == 115852 and r.period == "2016/17"]
    assert school.missing == {"enrol_auth_ext_holiday": ".", "enrol_unauth_noyet": "x"}
    assert school.values["enrol_unauth_noyet"] is None
    codes = Counter(code for r in result.records for code in r.missing.values())
    assert set(codes) <= {"x", "."}
    assert codes["x"] > 0
    england = _national(result.aggregates, "all", "2016/17")
    assert england.values["enrolments"] == 6_899_770
    assert england.missing == {"enrol_auth_ext_holiday": "."}


def test_it_reads_regional_and_la_rows_as_aggregates(fixtures_dir: Path) -> None:
    result = read_absence_by_reason(fixtures_dir / REASONS)
    levels = Counter((a.level, a.area_code) for a in result.aggregates)
    assert levels[("regional", "E12000008")] == 4
    assert levels[("la", "850")] == 4
    assert levels[("national", "ENG")] == 8
    segments = {a.segment for a in result.aggregates}
    assert segments == {"all", "primary", "secondary", "special"}


def test_it_maps_laestab_to_urn_within_each_year(fixtures_dir: Path) -> None:
    mapping = laestab_urn_map(read_absence_by_reason(fixtures_dir / REASONS))
    # 8502077 converted to an academy between 2012/13 and 2016/17: a new URN.
    assert mapping[("2012/13", 8502077)] == 115894
    assert mapping[("2016/17", 8502077)] == 141473
    assert mapping[("2016/17", 8502000)] == 115850
    assert ("2006/07", 8502000) not in mapping


def test_it_leaves_an_ambiguous_laestab_out_of_the_map() -> None:
    result: ReadResult[SchoolMeasures] = ReadResult(source="test")
    for urn in (100001, 100002):
        result.add(2, SchoolMeasures(urn, "2016/17", "absence_by_reason", {}, {}, 2013614))
    result.add(3, SchoolMeasures(100003, "2016/17", "absence_by_reason", {}, {}, 2013615))
    assert laestab_urn_map(result) == {("2016/17", 2013615): 100003}


def test_it_rejects_reason_rows_without_urn_or_laestab(fixtures_dir: Path, tmp_path: Path) -> None:
    edits = {
        14: {"urn": ""},
        15: {"laestab": "850200"},
        16: {"school_type": "Nursery"},
        17: {"enrol_overall": "-3"},
    }
    result = read_absence_by_reason(_reason_csv(fixtures_dir, tmp_path / "reasons.csv", edits))
    result.check_accounting()
    assert [(r.line, r.field) for r in result.rejections] == [
        (14, "urn"),
        (15, "laestab"),
        (16, "school_type"),
        (17, "enrol_overall"),
    ]


def test_it_fails_on_a_reason_file_without_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "reasons.csv"
    path.write_text("time_period,geographic_level,urn\n201617,School,100000\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="missing column"):
        read_absence_by_reason(path)


# --- the full files ---------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("path", "schools", "national"),
    [
        (A2013, 20_057, {"primary": (4.8, 3.6), "secondary": (5.8, 6.5)}),
        (A2017, 21_247, {"primary": (4.0, 8.3), "secondary": (5.4, 13.5), "special": (9.7, 28.5)}),
        (A2019, 21_214, {"primary": (4.0, 8.2), "secondary": (5.5, 13.7), "special": (10.1, 28.8)}),
    ],
)
def test_it_reads_every_school_and_the_national_rates(
    shared_data: Path, path: Path, schools: int, national: dict[str, tuple[float, float]]
) -> None:
    result = read_absence(shared_data / path)
    result.check_accounting()
    assert result.rejections == []
    assert len(result.records) == schools
    got = {
        a.segment: (a.values["overall_absence_pct"], a.values["persistent_absence_pct"])
        for a in result.aggregates
    }
    assert got == national


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_reads_every_school_row_of_the_reason_file(shared_data: Path) -> None:
    result = read_absence_by_reason(shared_data / REASONS)
    result.check_accounting()
    assert result.rejections == []
    assert len(result.records) == 105_869
    per_year = Counter(r.period for r in result.records)
    assert sorted(per_year) == ["2012/13", "2013/14", "2014/15", "2015/16", "2016/17"]
    assert min(per_year.values()) == 21_130 and max(per_year.values()) == 21_247
    assert len({r.laestab for r in result.records}) == 22_702
    urns_of: dict[int | None, set[int]] = defaultdict(set)
    for r in result.records:
        urns_of[r.laestab].add(r.urn)
    assert sum(1 for urns in urns_of.values() if len(urns) > 1) == 2_139
    assert len(laestab_urn_map(result)) == 105_869
    hants = Counter(r.period for r in result.records if r.laestab and r.laestab // 10000 == 850)
    assert all(520 <= n <= 528 for n in hants.values())
