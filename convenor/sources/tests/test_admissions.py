"""Tests for the school-level admissions preferences reader."""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from convenor.sources import admissions
from convenor.sources.admissions import (
    PREFERENCE_COLUMNS,
    read_la_codes,
    read_school_keys,
    read_school_preferences,
)
from convenor.sources.base import FileFormatError
from convenor.sources.measures import SchoolMeasures

DIR = Path("admissions_school_level_clarelgibson")
FACT = DIR / "fct_school_year.csv"
SCHOOLS = DIR / "dim_school.csv"
LAS = DIR / "dim_la.csv"


def _by_key(records: list[SchoolMeasures]) -> dict[tuple[int, str, str], SchoolMeasures]:
    return {(r.urn, r.period, r.segment): r for r in records}


def _edit(source: Path, target: Path, edit: dict[int, dict[str, str]]) -> Path:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    for line, cells in edit.items():
        for column, value in cells.items():
            rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def test_it_documents_every_measure_name() -> None:
    for name in PREFERENCE_COLUMNS.values():
        assert name in (admissions.__doc__ or ""), name
    # Results belong to the KS2/KS4 readers, not here.
    assert not {"progress_8", "attainment_8", "reading_progress"} & set(PREFERENCE_COLUMNS)


def test_it_reads_one_record_per_school_entry_year_and_phase(fixtures_dir: Path) -> None:
    result = read_school_preferences(fixtures_dir / FACT, fixtures_dir / SCHOOLS)
    result.check_accounting()
    assert result.rejections == []
    assert len(result.records) == result.rows_read == 30
    records = _by_key(result.records)
    alton = records[(115850, "2014/15", "primary")]
    assert alton.dataset == "admissions"
    assert alton.values == {
        "places_offered": 60,
        "preferred_offers": 60,
        "first_pref_offers": 51,
        "second_pref_offers": 8,
        "third_pref_offers": 1,
        "times_any_pref": 113,
        "first_prefs": 57,
        "second_prefs": 41,
        "third_prefs": 15,
        "applications_other_la": 0,
        "offers_other_la": 0,
        "number_of_preferences": 3,
        "averaged_from": 1,
    }
    assert alton.laestab is None
    hanson = records[(116405, "2022/23", "secondary")]
    assert (hanson.values["first_pref_offers"], hanson.values["first_prefs"]) == (185, 221)


def test_it_dates_records_by_the_year_of_entry(fixtures_dir: Path) -> None:
    result = read_school_preferences(fixtures_dir / FACT, fixtures_dir / SCHOOLS)
    periods = sorted({r.period for r in result.records if r.urn == 115850})
    assert periods[0] == "2014/15" and periods[-1] == "2022/23"
    assert len(periods) == 9


def test_it_keeps_averaged_rows_and_says_so(fixtures_dir: Path) -> None:
    records = _by_key(read_school_preferences(fixtures_dir / FACT, fixtures_dir / SCHOOLS).records)
    averaged = records[(116432, "2014/15", "secondary")]
    assert averaged.values["averaged_from"] == 2
    assert averaged.values["places_offered"] == 125.5
    assert records[(116432, "2018/19", "secondary")].values["averaged_from"] == 1
    assert records[(100021, "2014/15", "primary")].values["second_prefs"] == 11.5


def test_it_keeps_a_blank_count_as_missing(fixtures_dir: Path) -> None:
    records = _by_key(read_school_preferences(fixtures_dir / FACT, fixtures_dir / SCHOOLS).records)
    madron = records[(111996, "2014/15", "primary")]
    assert madron.values["offers_other_la"] is None
    assert madron.missing == {"offers_other_la": "blank"}
    assert madron.values["places_offered"] == 0


def test_it_fills_the_laestab_given_the_la_dimension(fixtures_dir: Path) -> None:
    result = read_school_preferences(
        fixtures_dir / FACT, fixtures_dir / SCHOOLS, fixtures_dir / LAS
    )
    laestabs = {r.urn: r.laestab for r in result.records}
    assert laestabs[115850] == 8502000
    assert laestabs[116405] == 8504001
    assert read_la_codes(fixtures_dir / LAS)[97] == 850
    assert 0 not in read_la_codes(fixtures_dir / LAS)


def test_it_leaves_the_not_reported_school_out_of_the_keys(fixtures_dir: Path) -> None:
    keys = read_school_keys(fixtures_dir / SCHOOLS)
    assert 0 not in keys
    assert keys[5808] == (115850, 2000)


def test_it_rejects_rows_it_cannot_attribute(fixtures_dir: Path, tmp_path: Path) -> None:
    edits = {
        2: {"school_key": "0"},
        3: {"school_key": "99999"},
        4: {"phase_key": "3"},
        5: {"year_key": "14"},
        6: {"fact_flg": "Estimate"},
        7: {"fact_count": "2"},
        8: {"fact_flg": "Average"},
        9: {"times_put_as_1st_preference": "4O"},
        10: {"number_of_preferences": "0"},
        12: {"year_key": "2017"},
    }
    path = _edit(fixtures_dir / FACT, tmp_path / "fct.csv", edits)
    result = read_school_preferences(path, fixtures_dir / SCHOOLS)
    result.check_accounting()
    got = [(r.line, r.field) for r in result.rejections]
    assert got == [
        (2, "school_key"),
        (3, "school_key"),
        (4, "phase_key"),
        (5, "year_key"),
        (6, "fact_flg"),
        (7, "fact_count"),
        (8, "fact_count"),
        (9, "times_put_as_1st_preference"),
        (10, "number_of_preferences"),
        (12, None),
    ]
    assert result.rejections[0].reason == "school not reported (school_key 0)"
    assert "not in dim_school" in result.rejections[1].reason
    assert result.rejections[-1].reason.startswith("duplicate of line 11")


def test_it_fails_on_a_broken_school_dimension(fixtures_dir: Path, tmp_path: Path) -> None:
    broken = _edit(fixtures_dir / SCHOOLS, tmp_path / "dim_school.csv", {3: {"urn": "12"}})
    with pytest.raises(FileFormatError, match="not a URN"):
        read_school_preferences(fixtures_dir / FACT, broken)
    twice = tmp_path / "twice.csv"
    shutil.copy(fixtures_dir / SCHOOLS, twice)
    with twice.open("a", encoding="utf-8") as fh:
        fh.write((fixtures_dir / SCHOOLS).read_text(encoding="utf-8").splitlines()[2] + "\n")
    with pytest.raises(FileFormatError, match="appears twice"):
        read_school_keys(twice)


# --- the full files ---------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_reads_every_row_of_the_star_schema(shared_data: Path) -> None:
    result = read_school_preferences(shared_data / FACT, shared_data / SCHOOLS, shared_data / LAS)
    result.check_accounting()
    assert result.rejections == []
    assert len(result.records) == 170_139
    per_year = Counter(r.period for r in result.records)
    assert (per_year["2014/15"], per_year["2022/23"]) == (18_535, 19_129)
    assert sum(1 for r in result.records if r.values["averaged_from"] != 1) == 976
    assert Counter(r.segment for r in result.records) == {"primary": 142_023, "secondary": 28_116}


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_agrees_with_hampshire_first_preference_offers(shared_data: Path) -> None:
    result = read_school_preferences(shared_data / FACT, shared_data / SCHOOLS, shared_data / LAS)
    hants = [r for r in result.records if r.laestab is not None and r.laestab // 10000 == 850]
    first: dict[str, float] = defaultdict(float)
    schools: Counter[str] = Counter()
    for r in hants:
        if r.segment == "primary":
            first[r.period] += r.values["first_pref_offers"] or 0
            schools[r.period] += 1
    assert (first["2014/15"], schools["2014/15"]) == (13_288, 321)
    # Hampshire lets parents name three primary schools in every year.
    assert {r.values["number_of_preferences"] for r in hants if r.segment == "primary"} == {3}
    # The LA totals (13,297 first-preference Reception offers in 2014) count schools
    # closed since; the July 2022 school list still holds all but a few of them.
    la_file = shared_data / "admissions_offers_la" / "offers-by-la.csv"
    with la_file.open(encoding="utf-8-sig", newline="") as fh:
        la_rows = [
            r
            for r in csv.DictReader(fh)
            if r["old_la_code"] == "850" and r["school_phase"] == "Primary"
        ]
    assert len(la_rows) == 8
    for row in la_rows:
        entry = int(row["time_period"][:4])
        period = f"{entry}/{(entry + 1) % 100:02d}"
        la_total = float(row["first_preference_offers"])
        assert abs(first[period] - la_total) / la_total < 0.01, period
