"""Tests for the exclusions reader and the LAESTAB -> URN resolution."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from convenor.sources import exclusions
from convenor.sources.absence import laestab_urn_map, read_absence_by_reason
from convenor.sources.base import FileFormatError
from convenor.sources.exclusions import (
    EXCLUSION_COLUMNS,
    ExclusionRecord,
    read_exclusions,
    resolve_urns,
)

EXCL = Path("ees_test_data_dfe") / "exclusions_by_geographic_level.zip"
MEMBER = "exclusions_by_geographic_level.csv"
REASONS = Path("ees_test_data_dfe") / "absence_number_missing_at_least_one_session_by_reason.zip"


def _records(result_records: list[ExclusionRecord]) -> dict[tuple[int, str, str], ExclusionRecord]:
    return {(r.laestab, r.period, r.segment): r for r in result_records}


def _edited(fixtures_dir: Path, target: Path, edit: dict[int, dict[str, str]]) -> Path:
    """The exclusions fixture's CSV member with some cells changed, as a plain CSV."""
    with zipfile.ZipFile(fixtures_dir / EXCL) as zf:
        text = zf.read(MEMBER).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for line, cells in edit.items():
        for column, value in cells.items():
            rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def _record(laestab: int, period: str, segment: str = "primary", line: int = 2) -> ExclusionRecord:
    return ExclusionRecord(laestab, period, {"headcount": 100.0}, {}, segment, line=line)


# --- reading ----------------------------------------------------------------------


def test_it_documents_every_measure_name() -> None:
    for name in EXCLUSION_COLUMNS.values():
        assert name in (exclusions.__doc__ or ""), name


def test_it_reads_school_rows_keyed_by_laestab(fixtures_dir: Path) -> None:
    result = read_exclusions(fixtures_dir / EXCL)
    result.check_accounting()
    assert result.rejections == []
    schools = _records(result.records)
    alton = schools[(8502000, "2016/17", "primary")]
    assert alton.values == {
        "headcount": 163,
        "permanent": 0,
        "permanent_rate": 0,
        "fixed_period": 0,
        "fixed_period_rate": 0,
        "one_plus_fixed": 0,
        "one_plus_fixed_rate": 0,
    }
    assert (alton.academy_type, alton.academy_open_date) == (None, None)
    assert (alton.line, alton.source) == (17, "exclusions_by_geographic_level.zip")
    academy = schools[(9354604, "2016/17", "secondary")]
    assert academy.academy_type == "16-19 converter academy"
    assert academy.academy_open_date == date(2015, 9, 1)


def test_it_keeps_x_and_dot_codes(fixtures_dir: Path) -> None:
    schools = _records(read_exclusions(fixtures_dir / EXCL).records)
    small = schools[(8502077, "2012/13", "primary")]
    assert small.values["fixed_period"] is None
    assert small.missing["fixed_period"] == "x"
    hidden = schools[(9257003, "2011/12", "special")]
    assert hidden.values["headcount"] is None
    assert set(hidden.missing.values()) == {"x"}
    no_pupils = schools[(8234006, "2012/13", "primary")]
    assert no_pupils.values["headcount"] == 0
    assert no_pupils.missing["fixed_period_rate"] == "."
    assert no_pupils.values["fixed_period"] == 20


def test_it_keeps_a_school_reported_under_two_school_types(fixtures_dir: Path) -> None:
    schools = _records(read_exclusions(fixtures_dir / EXCL).records)
    assert schools[(8234006, "2012/13", "primary")].values["headcount"] == 0
    assert schools[(8234006, "2012/13", "secondary")].values["headcount"] == 507


def test_it_reads_national_regional_and_la_rows_as_aggregates(fixtures_dir: Path) -> None:
    result = read_exclusions(fixtures_dir / EXCL)
    levels = Counter((a.level, a.area_code, a.segment) for a in result.aggregates)
    assert levels[("national", "ENG", "all")] == 1
    assert levels[("regional", "E12000008", "all")] == 1
    assert {s for lvl, code, s in levels if code == "850"} == {
        "all",
        "primary",
        "secondary",
        "special",
    }
    (england,) = [a for a in result.aggregates if a.level == "national" and a.segment == "all"]
    assert england.values["headcount"] == 8_025_075
    assert england.values["permanent"] == 7_720
    assert england.values["fixed_period"] == 381_865
    assert england.values["schools"] == 21_319
    (hants,) = [a for a in result.aggregates if a.area_code == "850" and a.segment == "all"]
    assert (hants.values["schools"], hants.values["permanent"]) == (522, 57)


def test_it_rejects_bad_rows_naming_line_and_field(fixtures_dir: Path, tmp_path: Path) -> None:
    edits = {
        2: {"perm_excl": "7.5.1"},
        3: {"laestab": ""},
        6: {"academy_open_date": "31/02/2014"},
        7: {"time_period": "2016"},
        8: {"old_la_code": ""},
        17: {"academy_type": "Total", "academy_open_date": "01/09/2012"},
        18: {"fixed_excl": "-1"},
    }
    result = read_exclusions(_edited(fixtures_dir, tmp_path / "excl.csv", edits))
    result.check_accounting()
    got = [(r.line, r.field) for r in result.rejections]
    assert got == [
        (2, "perm_excl"),
        (3, "laestab"),
        (6, "academy_open_date"),
        (7, "time_period"),
        (17, "academy_type"),
        (18, "fixed_excl"),
    ]
    # Line 8 is England, which needs no LA code.
    assert len(result.aggregates) == 9


def test_it_rejects_a_repeated_school_year_and_type(fixtures_dir: Path, tmp_path: Path) -> None:
    edits = {5: {"school_type": "State-funded primary"}}
    result = read_exclusions(_edited(fixtures_dir, tmp_path / "excl.csv", edits))
    (rejection,) = result.rejections
    assert rejection.line == 5
    assert rejection.reason.startswith("duplicate of line 4")


def test_it_accepts_rates_above_100_which_the_file_has(fixtures_dir: Path, tmp_path: Path) -> None:
    edits = {18: {"one_plus_fixed_rate": "113.64"}}
    result = read_exclusions(_edited(fixtures_dir, tmp_path / "excl.csv", edits))
    assert result.rejections == []


def test_it_fails_without_the_exclusion_columns(tmp_path: Path) -> None:
    path = tmp_path / "excl.csv"
    path.write_text("time_period,geographic_level,laestab\n201617,School,8502000\n", "utf-8")
    with pytest.raises(FileFormatError, match="perm_excl"):
        read_exclusions(path)


# --- resolving URNs ---------------------------------------------------------------


def test_it_resolves_urns_within_the_same_year(fixtures_dir: Path) -> None:
    records = read_exclusions(fixtures_dir / EXCL).records
    mapping = laestab_urn_map(read_absence_by_reason(fixtures_dir / REASONS))
    resolved, unresolved = resolve_urns(records, mapping)
    assert len(resolved) + len(unresolved) == len(records)
    by_key = {(m.laestab, m.period): m for m in resolved}
    converted_2017 = by_key[(8502077, "2016/17")]
    assert (converted_2017.urn, converted_2017.dataset) == (141473, "exclusions")
    assert converted_2017.segment == "primary"
    assert by_key[(8502077, "2012/13")].urn == 115894
    assert by_key[(8502000, "2016/17")].values["headcount"] == 163


def test_it_falls_back_to_the_2012_13_map_for_earlier_years(fixtures_dir: Path) -> None:
    records = read_exclusions(fixtures_dir / EXCL).records
    mapping = laestab_urn_map(read_absence_by_reason(fixtures_dir / REASONS))
    resolved, unresolved = resolve_urns(records, mapping)
    by_key = {(m.laestab, m.period): m.urn for m in resolved}
    assert by_key[(8502077, "2006/07")] == 115894
    assert by_key[(8504308, "2006/07")] == 116467
    reasons = {(u.record.laestab, u.record.period): u.reason for u in unresolved}
    assert reasons[(8502096, "2006/07")] == "no URN for this LAESTAB in 2012/13 (nearest map)"
    assert reasons[(2054003, "2016/17")] == "no URN for this LAESTAB in its own year"
    assert "line" in str(unresolved[0])


def test_it_will_not_give_one_urn_two_records() -> None:
    records = [_record(8502000, "2016/17", line=2), _record(8502999, "2016/17", line=3)]
    mapping = {("2016/17", 8502000): 115850, ("2016/17", 8502999): 115850}
    resolved, unresolved = resolve_urns(records, mapping)
    assert [m.laestab for m in resolved] == [8502000]
    (clash,) = unresolved
    assert clash.record.laestab == 8502999
    assert "already given to LAESTAB 8502000 (line 2)" in clash.reason


def test_it_resolves_a_school_with_two_types_to_two_segments() -> None:
    records = [_record(8234006, "2012/13", "primary"), _record(8234006, "2012/13", "secondary")]
    resolved, unresolved = resolve_urns(records, {("2012/13", 8234006): 137411})
    assert unresolved == []
    assert sorted(m.segment for m in resolved) == ["primary", "secondary"]


# --- the full files ---------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_reads_every_row_of_the_exclusions_file(shared_data: Path) -> None:
    result = read_exclusions(shared_data / EXCL)
    result.check_accounting()
    assert result.rows_read == 242_170
    assert result.rejections == []
    assert len(result.records) == 235_050
    assert len({r.laestab for r in result.records}) == 25_174
    (england,) = [
        a
        for a in result.aggregates
        if a.level == "national" and a.period == "2016/17" and a.segment == "all"
    ]
    assert england.values["headcount"] == 8_025_075
    assert england.values["permanent"] == 7_720
    assert england.values["fixed_period"] == 381_865
    hants = Counter(r.period for r in result.records if r.laestab // 10000 == 850)
    assert len(hants) == 11
    assert all(522 <= n <= 528 for n in hants.values())
    assert hants["2016/17"] == 522

    mapping = laestab_urn_map(read_absence_by_reason(shared_data / REASONS))
    resolved, unresolved = resolve_urns(result.records, mapping)
    assert len(resolved) + len(unresolved) == len(result.records)
    mapped_years = {"2012/13", "2013/14", "2014/15", "2015/16", "2016/17"}
    total = sum(1 for r in result.records if r.period in mapped_years)
    missed = sum(1 for u in unresolved if u.record.period in mapped_years)
    # The guide: the same-year map matches 99.6% of the school rows of 2012/13 to 2016/17.
    assert round(100 * (total - missed) / total, 1) == 99.6
