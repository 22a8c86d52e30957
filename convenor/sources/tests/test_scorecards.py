"""Tests for the school places scorecard reader."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from convenor.sources.base import FileFormatError
from convenor.sources.scorecards import ScorecardRecord, read_scorecards, scorecard_year
from convenor.sources.years import AcademicYear

S2019 = Path("school_places_scorecards_2021_dfe") / "scorecards_data.csv"
DFE = Path("school_places_scorecards_dfe")
S2022 = DFE / "scorecards_data_2022.csv"
S2023 = DFE / "scorecards_data_2023.csv"
S2024 = DFE / "scorecards_data_2024.csv"
SERIES = DFE / "scorecard_data_2025_2023.csv"


def _by_la(records: list[ScorecardRecord]) -> dict[tuple[int, str], ScorecardRecord]:
    return {(r.la_code, r.year): r for r in records}


def _edit(source: Path, target: Path, edit: dict[int, dict[str, str]]) -> Path:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    for line, cells in edit.items():
        for column, value in cells.items():
            rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("path", "year", "rows"),
    [(S2019, "2018/19", 9), (S2022, "2021/22", 9), (S2023, "2022/23", 8), (S2024, "2023/24", 8)],
)
def test_it_reads_each_single_year_file_for_its_scorecard_year(
    fixtures_dir: Path, path: Path, year: str, rows: int
) -> None:
    result = read_scorecards(fixtures_dir / path)
    result.check_accounting()
    assert result.rejections == []
    assert result.aggregates == []
    assert len(result.records) == rows
    assert {r.year for r in result.records} == {year}
    england = _by_la(result.records)[(0, year)]
    assert england.la_name == "England"


def test_it_keeps_every_numeric_column_under_its_dfe_code(fixtures_dir: Path) -> None:
    hants = _by_la(read_scorecards(fixtures_dir / S2024).records)[(850, "2023/24")]
    assert (hants.la_name, hants.new_la_code) == ("Hampshire", "E10000014")
    assert hants.values["PriNOR"] == 103452
    assert hants.values["PriForecast1"] == 104003
    assert hants.values["For_1_P"] == pytest.approx(0.005326142)
    assert hants.values["SecFutureCap"] == pytest.approx(78368.3904)
    assert not {"LA_name", "Region", "geographic_level", "LANumber"} & set(hants.values)
    header = (fixtures_dir / S2024).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert len(hants.values) == len(header) - 8


def test_it_keeps_low_z_and_blank_as_missing(fixtures_dir: Path) -> None:
    scilly = _by_la(read_scorecards(fixtures_dir / S2022).records)[(420, "2021/22")]
    assert scilly.values["For_1_P"] is None
    assert scilly.missing["For_1_P"] == "LOW"
    assert scilly.missing["Pref_P_1_CY"] == "z"
    city = _by_la(read_scorecards(fixtures_dir / S2024).records)[(201, "2023/24")]
    assert city.missing["For_1_P"] == "LOW"
    assert city.values["PriNOR"] is not None
    hants_2019 = _by_la(read_scorecards(fixtures_dir / S2019).records)[(850, "2018/19")]
    assert set(hants_2019.missing.values()) == {"blank"}


def test_it_reads_the_time_series_with_each_rows_year(fixtures_dir: Path) -> None:
    result = read_scorecards(fixtures_dir / SERIES)
    result.check_accounting()
    assert result.rejections == []
    records = _by_la(result.records)
    assert {r.year for r in result.records} == {"2022/23", "2023/24", "2024/25"}
    assert records[(850, "2024/25")].values["PriNOR"] == 101464
    assert "NA" in records[(850, "2022/23")].missing.values()
    # 0/0 growth rates of the City of London are NaN in the file: missing, not junk.
    city = records[(201, "2022/23")]
    assert city.missing["NoR_15_to_current_S_percent"] == "NaN"
    assert "Year" not in city.values


def test_it_agrees_with_the_single_year_file_for_2023_24(fixtures_dir: Path) -> None:
    series = _by_la(read_scorecards(fixtures_dir / SERIES).records)
    single = read_scorecards(fixtures_dir / S2024).records
    for record in single:
        other = series[(record.la_code, "2023/24")]
        shared = set(record.values) & set(other.values)
        assert len(shared) > 100
        assert {k: record.values[k] for k in shared} == {k: other.values[k] for k in shared}


def test_it_recomputes_forecast_accuracy_from_its_inputs(fixtures_dir: Path) -> None:
    for record in read_scorecards(fixtures_dir / S2024).records:
        v = record.values
        if v["For_1_P"] is None:
            continue
        assert v["PriNOR"] is not None and v["PriForecast1"] is not None
        assert v["For_1_P"] == pytest.approx((v["PriForecast1"] - v["PriNOR"]) / v["PriNOR"])


def test_it_takes_the_year_from_the_file_name() -> None:
    assert scorecard_year(Path("x/scorecards_data_2024.csv")) == "2023/24"
    assert scorecard_year(Path("school_places_scorecards_2021_dfe/scorecards_data.csv")) == (
        "2018/19"
    )
    with pytest.raises(FileFormatError, match="scorecard year"):
        scorecard_year(Path("elsewhere/scorecards_data.csv"))


def test_it_takes_a_year_argument_only_without_a_year_column(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    plain = tmp_path / "scorecards_data.csv"
    shutil.copy(fixtures_dir / S2019, plain)
    with pytest.raises(FileFormatError):
        read_scorecards(plain)
    assert {r.year for r in read_scorecards(plain, AcademicYear(2018)).records} == {"2018/19"}
    with pytest.raises(FileFormatError, match="Year column"):
        read_scorecards(fixtures_dir / SERIES, "2023/24")


def test_it_rejects_bad_rows_naming_line_and_field(fixtures_dir: Path, tmp_path: Path) -> None:
    edits = {
        2: {"For_1_P": "0.0o5"},
        3: {"LANumber": "38"},
        4: {"geographic_level": "National"},
        5: {"Year": "2023-24"},
        6: {"LANumber": "201"},
        7: {"PriNOR": "inf"},
    }
    path = _edit(fixtures_dir / SERIES, tmp_path / "scorecard_data_x.csv", edits)
    result = read_scorecards(path)
    result.check_accounting()
    assert [(r.line, r.field) for r in result.rejections] == [
        (2, "For_1_P"),
        (3, "LANumber"),
        (4, "geographic_level"),
        (5, "Year"),
        (7, "PriNOR"),
    ]
    # Line 6 is now a second City of London row for 2024/25; line 7, the first, was rejected.
    assert _by_la(result.records)[(201, "2024/25")].values["PriNOR"] is not None


def test_it_rejects_a_second_row_for_the_same_la_and_year(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    path = _edit(
        fixtures_dir / S2022, tmp_path / "scorecards_data_2022.csv", {4: {"LANumber": "201"}}
    )
    (rejection,) = read_scorecards(path).rejections
    assert rejection.line == 4
    assert rejection.reason == "duplicate of line 3 (same (201, '2021/22'))"


# --- the full files ---------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize(("prefix", "column"), [("Pri", "P"), ("Sec", "S")])
def test_it_finds_forecast_accuracy_equal_to_its_definition_for_every_la(
    shared_data: Path, prefix: str, column: str
) -> None:
    result = read_scorecards(shared_data / S2024)
    assert result.rejections == []
    checked = 0
    for record in result.records:
        v = record.values
        for ahead in (1, 3):
            accuracy = v[f"For_{ahead}_{column}"]
            if accuracy is None:
                assert record.missing[f"For_{ahead}_{column}"] in ("LOW", "z")
                continue
            nor, forecast = v[f"{prefix}NOR"], v[f"{prefix}Forecast{ahead}"]
            assert nor is not None and forecast is not None
            # Written to nine decimals, or three significant figures in e-notation.
            assert accuracy == pytest.approx((forecast - nor) / nor, rel=1e-3, abs=1e-7)
            checked += 1
    assert checked >= 2 * 150


@pytest.mark.shared_data
def test_it_reads_every_scorecard_file(shared_data: Path) -> None:
    expected = {
        S2019: {"2018/19": 150},
        S2022: {"2021/22": 153},
        S2023: {"2022/23": 154},
        S2024: {"2023/24": 154},
        DFE / "scorecard_data_2024_2023.csv": {"2022/23": 154, "2023/24": 154},
        SERIES: {"2022/23": 154, "2023/24": 154, "2024/25": 154},
    }
    for path, years in expected.items():
        result = read_scorecards(shared_data / path)
        result.check_accounting()
        assert result.rejections == [], path
        counts: dict[str, int] = {}
        for r in result.records:
            counts[r.year] = counts.get(r.year, 0) + 1
        assert counts == years, path
    # The 2019 scorecard has no rows for Dorset and BCP, created in April 2019.
    las = {r.la_code for r in read_scorecards(shared_data / S2019).records}
    assert not {838, 839} & las and 0 in las and 850 in las


@pytest.mark.shared_data
def test_it_reads_the_2023_24_rows_of_the_series_as_the_single_year_file(
    shared_data: Path,
) -> None:
    single = read_scorecards(shared_data / S2024).records
    series = _by_la(read_scorecards(shared_data / SERIES).records)
    for record in single:
        other = series[(record.la_code, "2023/24")]
        for code in set(record.values) & set(other.values):
            assert record.values[code] == other.values[code], (record.la_code, code)
