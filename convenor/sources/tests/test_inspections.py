"""Tests for the Ofsted inspection readers and the framework timeline."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from convenor.sources.base import FileFormatError
from convenor.sources.inspections import (
    FRAMEWORKS,
    InspectionRecord,
    framework_for,
    rating_for,
    read_inspections,
    read_latest_inspections,
)

HISTORY = Path("ofsted_history_waiky8") / "ofsted_ratings_2018.csv"
KS2_2019 = Path("perf_england_2019_waiky8") / "england_ks2final.csv"
KS4_2019 = Path("perf_england_2019_waiky8") / "england_ks4final.csv"

# Newtown Church of England Voluntary Controlled Primary School, Hampshire (LA 850):
# every graded inspection in the history file, newest first, as the file has them.
NEWTOWN_URN = 116336
NEWTOWN_HISTORY = [
    (date(2019, 11, 19), 2, "Good", "education inspection framework (2019)"),
    (date(2017, 6, 27), 3, "Requires improvement", "common inspection framework (2015)"),
    (date(2015, 5, 19), 3, "Requires improvement", "section 5 (September 2012)"),
    (date(2013, 12, 4), 4, "Inadequate", "section 5 (September 2012)"),
    (date(2011, 9, 27), 3, "Satisfactory", "section 5 (2009)"),
    (date(2009, 3, 10), 3, "Satisfactory", "section 5 (2005)"),
    (date(2005, 10, 13), 1, "Outstanding", "section 5 (2005)"),
]


def _history(records: list[InspectionRecord], urn: int) -> list[tuple[date, int, str, str]]:
    return [(r.inspection_date, r.grade, r.rating, r.framework) for r in records if r.urn == urn]


def _write(tmp_path: Path, text: str, name: str = "ofsted_ratings_2018.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- framework timeline -----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2005, 9, 1), "section 5 (2005)"),
        (date(2009, 8, 31), "section 5 (2005)"),
        (date(2009, 9, 1), "section 5 (2009)"),
        (date(2012, 1, 1), "section 5 (January 2012)"),
        (date(2012, 8, 31), "section 5 (January 2012)"),
        (date(2012, 9, 1), "section 5 (September 2012)"),
        (date(2015, 9, 1), "common inspection framework (2015)"),
        (date(2019, 9, 1), "education inspection framework (2019)"),
        (date(2024, 9, 1), "education inspection framework (2019)"),
        (date(2024, 9, 2), "education inspection framework without overall grade (2024)"),
        (date(2025, 11, 9), "education inspection framework without overall grade (2024)"),
        (date(2025, 11, 10), "renewed framework with report cards (2025)"),
        (date(2030, 1, 1), "renewed framework with report cards (2025)"),
    ],
)
def test_it_names_the_framework_in_force_on_each_boundary(day: date, name: str) -> None:
    assert framework_for(day) == name


def test_it_refuses_dates_before_section_5_inspections() -> None:
    with pytest.raises(ValueError, match="before section 5"):
        framework_for(date(2005, 8, 31))


def test_it_keeps_the_framework_table_in_date_order_with_sources() -> None:
    starts = [f.start for f in FRAMEWORKS]
    assert starts == sorted(starts)
    assert all("DOMAIN.md" in f.source for f in FRAMEWORKS)


def test_it_gives_grade_3_the_word_of_its_day() -> None:
    assert rating_for(3, date(2012, 8, 31)) == "Satisfactory"
    assert rating_for(3, date(2012, 9, 1)) == "Requires improvement"
    assert rating_for(1, date(2019, 9, 2)) == "Outstanding"
    assert rating_for(2, date(2024, 9, 2)) is None


# --- history file (fixture) --------------------------------------------------


def test_it_accounts_for_every_row_of_the_history_fixture(fixtures_dir: Path) -> None:
    result = read_inspections(fixtures_dir / HISTORY)
    result.check_accounting()
    assert result.rows_read == 37
    assert len(result.records) == 30
    assert sorted(r.line for r in result.rejections) == [7, 8, 9, 10, 27, 32, 37]


def test_it_reads_a_hampshire_schools_dated_grades_with_their_frameworks(
    fixtures_dir: Path,
) -> None:
    result = read_inspections(fixtures_dir / HISTORY)
    assert _history(result.records, NEWTOWN_URN) == NEWTOWN_HISTORY


def test_it_rejects_satisfactory_after_august_2012_naming_the_rating_field(
    fixtures_dir: Path,
) -> None:
    result = read_inspections(fixtures_dir / HISTORY)
    line_7 = next(r for r in result.rejections if r.line == 7)
    assert line_7.field == "Rating"
    assert "'Satisfactory'" in line_7.reason
    assert "Requires improvement" in line_7.reason
    assert line_7.file == "ofsted_ratings_2018.csv"


def test_it_rejects_a_repeated_urn_and_date_as_a_duplicate_of_the_first_line(
    fixtures_dir: Path,
) -> None:
    result = read_inspections(fixtures_dir / HISTORY)
    duplicates = {r.line: r.reason for r in result.rejections if "duplicate" in r.reason}
    assert set(duplicates) == {27, 32}
    assert duplicates[27].startswith("duplicate of line 26")
    assert duplicates[32].startswith("duplicate of line 31")


def test_it_keeps_exactly_one_inspection_for_each_repeated_pair(fixtures_dir: Path) -> None:
    result = read_inspections(fixtures_dir / HISTORY)
    keys = Counter((r.urn, r.inspection_date) for r in result.records)
    assert keys[(131288, date(2018, 3, 6))] == 1
    assert keys[(133646, date(2014, 10, 8))] == 1
    # Same date graded twice with both words: the word of the day is the one kept.
    kept = [r for r in result.records if (r.urn, r.inspection_date) == (137699, date(2013, 12, 4))]
    assert [(r.grade, r.rating) for r in kept] == [(3, "Requires improvement")]


def test_it_rejects_requires_improvement_before_september_2012(tmp_path: Path) -> None:
    path = _write(tmp_path, "URN,Rating,Inspection Date\n100000,Requires Improvement,20120831\n")
    result = read_inspections(path)
    assert result.records == []
    (rejection,) = result.rejections
    assert (rejection.line, rejection.field) == (2, "Rating")
    assert "'Satisfactory' then" in rejection.reason


def test_it_rejects_an_overall_grade_after_overall_grades_stopped(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "URN,Rating,Inspection Date\n100000,Good,20240901\n100001,Good,20240902\n"
    )
    result = read_inspections(path)
    assert [r.urn for r in result.records] == [100000]
    (rejection,) = result.rejections
    assert rejection.field == "Rating"
    assert "gives no overall grade" in rejection.reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("20201340", "not a date"),
        ("30200101", "out of range"),
        ("20040101", "before section 5"),
        ("", "is blank"),
        ("next week", "not a date"),
        ("20990101", "in the future"),
    ],
)
def test_it_rejects_impossible_inspection_dates_naming_the_field(
    tmp_path: Path, raw: str, reason: str
) -> None:
    path = _write(tmp_path, f"URN,Rating,Inspection Date\n100000,Good,{raw}\n")
    result = read_inspections(path)
    (rejection,) = result.rejections
    assert rejection.field == "Inspection Date"
    assert reason in rejection.reason
    result.check_accounting()


def test_it_rejects_unknown_ratings_and_urns(tmp_path: Path) -> None:
    text = (
        "URN,Rating,Inspection Date\n"
        "100000,Very good,20150101\n"
        "12,Good,20150101\n"
        "100002,5,20150101\n"
        "100003,2,20150101\n"
    )
    result = read_inspections(_write(tmp_path, text))
    assert [(r.line, r.field) for r in result.rejections] == [
        (2, "Rating"),
        (3, "URN"),
        (4, "Rating"),
    ]
    # A grade number reads as the word of its day.
    assert [(r.grade, r.rating) for r in result.records] == [(2, "Good")]


def test_it_fails_the_file_when_a_column_is_missing(tmp_path: Path) -> None:
    path = _write(tmp_path, "URN,Rating\n100000,Good\n")
    with pytest.raises(FileFormatError, match="Inspection Date"):
        read_inspections(path)


# --- latest ratings in the 2019 results files (fixture) ----------------------


def test_it_reads_latest_inspections_and_rejects_schools_never_inspected(
    fixtures_dir: Path,
) -> None:
    result = read_latest_inspections(fixtures_dir / KS2_2019)
    result.check_accounting()
    assert result.rows_read == 30
    never = [r for r in result.rejections if "no inspection recorded" in r.reason]
    assert never and all(r.field == "OFSTEDRATING" for r in never)
    assert len(result.records) + len(never) == 30
    buckminster = next(r for r in result.records if r.urn == 119910)
    assert (buckminster.inspection_date, buckminster.grade) == (date(2014, 2, 4), 2)


def test_it_accepts_satisfactory_where_its_date_allows_in_the_latest_ratings(
    fixtures_dir: Path,
) -> None:
    result = read_latest_inspections(fixtures_dir / KS4_2019)
    result.check_accounting()
    satisfactory = {r.urn: r.inspection_date for r in result.records if r.rating == "Satisfactory"}
    assert satisfactory == {
        131411: date(2008, 5, 14),
        122937: date(2010, 3, 17),
        122143: date(2008, 9, 23),
    }


# --- full files ---------------------------------------------------------------


@pytest.mark.shared_data
def test_it_reads_the_whole_ofsted_history(shared_data: Path) -> None:
    result = read_inspections(shared_data / HISTORY)
    result.check_accounting()
    assert result.rows_read == 60_134
    assert len({r.urn for r in result.records}) == 20_614
    dates = [r.inspection_date for r in result.records]
    assert (min(dates), max(dates)) == (date(2005, 9, 12), date(2020, 2, 26))
    reasons = Counter(
        "duplicate" if "duplicate" in r.reason else r.field for r in result.rejections
    )
    # The 3 repeated URN-date pairs: two exact repeats rejected as duplicates and
    # one graded "Satisfactory" beside "Requires Improvement" on 4 Dec 2013,
    # rejected with the other 46 "Satisfactory" rows dated after August 2012.
    assert reasons == {"duplicate": 2, "Rating": 47}
    assert len(result.records) == 60_134 - 49
    keys = Counter((r.urn, r.inspection_date) for r in result.records)
    assert max(keys.values()) == 1


@pytest.mark.shared_data
def test_it_reads_a_hampshire_schools_full_inspection_history(shared_data: Path) -> None:
    result = read_inspections(shared_data / HISTORY)
    assert _history(result.records, NEWTOWN_URN) == NEWTOWN_HISTORY


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("path", "inspected", "never", "latest"),
    [
        (KS2_2019, 13_684, 2_671, date(2020, 3, 12)),
        (KS4_2019, 4_209, 1_307, date(2020, 3, 11)),
    ],
)
def test_it_reads_latest_ratings_to_march_2020(
    shared_data: Path, path: Path, inspected: int, never: int, latest: date
) -> None:
    result = read_latest_inspections(shared_data / path)
    result.check_accounting()
    assert len(result.records) == inspected
    assert len(result.rejections) == never
    assert all("no inspection recorded" in r.reason for r in result.rejections)
    assert max(r.inspection_date for r in result.records) == latest
