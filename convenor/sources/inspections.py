"""Ofsted overall-effectiveness inspections, and the framework in force on a date.

Files read here:

- ``ofsted_history_waiky8/ofsted_ratings_2018.csv`` (:func:`read_inspections`):
  one row per graded inspection, ``URN``, ``Rating`` (a word) and
  ``Inspection Date`` (``YYYYMMDD``), September 2005 to February 2020.
- ``perf_england_2019_waiky8/england_ks2final.csv`` and ``england_ks4final.csv``
  (:func:`read_latest_inspections`): each school's latest rating and date
  (``OFSTEDRATING``, ``INSPECTIONDT``), which run to March 2020, past the end of
  the history file. The same inspection can appear in several files; the key
  is ``(urn, inspection_date)`` and merging is the importer's job.

The meaning of grade 3 changed with the framework: "Satisfactory" until
31 August 2012, "Requires improvement" from 1 September 2012. A rating word
that the framework of its date did not use is rejected naming the field, as is
any overall grade dated after overall grades stopped (2 September 2024).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from convenor.sources.base import (
    EARLIEST_DATE,
    LATEST_DATE,
    RawRow,
    ReadResult,
    RowError,
    parse_date,
    parse_urn,
    read_rows,
)
from convenor.sources.measures import reject_extra_fields

_OLD_WORDS: Mapping[int, str] = {
    1: "Outstanding",
    2: "Good",
    3: "Satisfactory",
    4: "Inadequate",
}
_RI_WORDS: Mapping[int, str] = {
    1: "Outstanding",
    2: "Good",
    3: "Requires improvement",
    4: "Inadequate",
}


@dataclass(frozen=True, slots=True)
class Framework:
    """An inspection framework era: when it began and the overall grades it gave."""

    start: date
    name: str
    # Grade number -> the word the framework used; None when it gave no overall grade.
    grade_words: Mapping[int, str] | None
    source: str


# The eras, oldest first; each runs until the next begins. Where the date is
# not in DOMAIN.md (the project's rule sheet) the source says so: those come
# from the brief and Ofsted's published framework history and are marked [U]
# as DOMAIN.md does for unverified facts.
FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        date(2005, 9, 1),
        "section 5 (2005)",
        _OLD_WORDS,
        "DOMAIN.md section 3.1: 'Satisfactory' was grade 3 before Sep 2012; "
        "start date of section 5 inspections [U]",
    ),
    Framework(date(2009, 9, 1), "section 5 (2009)", _OLD_WORDS, "DOMAIN.md section 3.1; date [U]"),
    Framework(
        date(2012, 1, 1), "section 5 (January 2012)", _OLD_WORDS, "DOMAIN.md section 3.1; date [U]"
    ),
    Framework(
        date(2012, 9, 1),
        "section 5 (September 2012)",
        _RI_WORDS,
        "DOMAIN.md section 3.1: 'requires improvement' replaces 'satisfactory' from Sep 2012",
    ),
    Framework(
        date(2015, 9, 1),
        "common inspection framework (2015)",
        _RI_WORDS,
        "DOMAIN.md section 3.1 (pre-Nov-2025 scale); date [U]",
    ),
    Framework(
        date(2019, 9, 1),
        "education inspection framework (2019)",
        _RI_WORDS,
        "DOMAIN.md section 0: EIF/OEIF overall effectiveness 1-4 to 1 Sep 2024; start date [U]",
    ),
    Framework(
        date(2024, 9, 2),
        "education inspection framework without overall grade (2024)",
        None,
        "DOMAIN.md sections 0 and 3.1: no overall grade for state schools from 2 Sep 2024",
    ),
    Framework(
        date(2025, 11, 10),
        "renewed framework with report cards (2025)",
        None,
        "DOMAIN.md sections 0 and 3.1: report cards, five-point scale, no overall grade",
    ),
)

FIRST_INSPECTION_DATE = FRAMEWORKS[0].start


def framework_at(d: date) -> Framework:
    """The :class:`Framework` in force on ``d``.

    Raises ValueError before September 2005: earlier (section 10)
    inspections are outside what the software models.
    """
    if d < FIRST_INSPECTION_DATE:
        raise ValueError(f"{d.isoformat()} is before section 5 inspections began (1 Sep 2005)")
    current = FRAMEWORKS[0]
    for framework in FRAMEWORKS:
        if framework.start <= d:
            current = framework
        else:
            break
    return current


def framework_for(d: date) -> str:
    """The name of the inspection framework era in force on ``d`` (see :data:`FRAMEWORKS`)."""
    return framework_at(d).name


def rating_for(grade: int, d: date) -> str | None:
    """The word the framework in force on ``d`` used for ``grade``; None if it gave none."""
    words = framework_at(d).grade_words
    if words is None:
        return None
    if grade not in words:
        raise ValueError(f"not an overall effectiveness grade: {grade}")
    return words[grade]


_WORD_GRADES: Mapping[str, int] = {
    "outstanding": 1,
    "good": 2,
    "satisfactory": 3,
    "requires improvement": 3,
    "inadequate": 4,
}


def parse_rating(raw: str, on: date, field_name: str) -> tuple[int, str]:
    """Read an overall rating given on ``on`` as (grade, word of the day).

    Accepts the words in any case and the grade numbers 1-4. Raises
    :class:`RowError` naming ``field_name`` for a blank or unknown rating, a
    word the framework of the day did not use, or any overall grade after
    overall grades stopped.
    """
    text = " ".join(raw.split())
    if not text:
        raise RowError(field_name, "is blank")
    framework = framework_at(on)
    if text.isdigit():
        grade = int(text)
        if grade not in _OLD_WORDS:
            raise RowError(field_name, f"not a grade from 1 to 4: {text[:20]!r}")
    elif text.lower() in _WORD_GRADES:
        grade = _WORD_GRADES[text.lower()]
    else:
        raise RowError(field_name, f"not an Ofsted rating: {text[:40]!r}")
    if framework.grade_words is None:
        raise RowError(
            field_name,
            f"{text!r} on {on.isoformat()}: the {framework.name} framework in force "
            f"from {framework.start.isoformat()} gives no overall grade",
        )
    word = framework.grade_words[grade]
    if not text.isdigit() and text.lower() != word.lower():
        raise RowError(
            field_name,
            f"{text!r} is not a rating of the {framework.name} framework in force on "
            f"{on.isoformat()}: grade {grade} was {word!r} then",
        )
    return grade, word


@dataclass(frozen=True, slots=True)
class InspectionRecord:
    """One graded Ofsted inspection of one URN."""

    urn: int
    inspection_date: date
    grade: int  # 1 Outstanding ... 4 Inadequate
    rating: str  # the word of the framework of the day: "Satisfactory" or "Requires improvement"
    framework: str  # name from FRAMEWORKS


def _yyyymmdd(raw: str, field_name: str) -> date | None:
    # The waiky8 files write every date as YYYYMMDD; building the date directly
    # is several times faster than strptime over 60,000 rows.
    text = raw.strip()
    if len(text) == 8 and text.isdigit():
        try:
            d = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            raise RowError(field_name, f"not a date: {text!r}") from None
        if not EARLIEST_DATE <= d <= LATEST_DATE:
            raise RowError(field_name, f"date out of range: {text!r}")
        return d
    return parse_date(raw, field_name)


def _inspection_date(raw: str, field_name: str, today: date) -> date:
    d = _yyyymmdd(raw, field_name)
    if d is None:
        raise RowError(field_name, "is blank")
    if d < FIRST_INSPECTION_DATE:
        raise RowError(
            field_name, f"{raw.strip()!r} is before section 5 inspections began (1 Sep 2005)"
        )
    if d > today:
        raise RowError(field_name, f"{raw.strip()!r} is in the future")
    return d


def _record(
    urn_raw: str, rating_raw: str, date_raw: str, fields: tuple[str, str, str], today: date
) -> InspectionRecord:
    urn_field, rating_field, date_field = fields
    urn = parse_urn(urn_raw, urn_field)
    when = _inspection_date(date_raw, date_field, today)
    grade, word = parse_rating(rating_raw, when, rating_field)
    return InspectionRecord(urn, when, grade, word, framework_for(when))


def _key(record: InspectionRecord) -> tuple[int, date]:
    return (record.urn, record.inspection_date)


HISTORY_COLUMNS = ("URN", "Rating", "Inspection Date")


def read_inspections(path: Path | str) -> ReadResult[InspectionRecord]:
    """Read the Ofsted history file (``ofsted_ratings_2018.csv``): one record per inspection.

    A URN inspected twice on one date is rejected as a duplicate naming the
    first line.
    """
    today = date.today()

    def parse(row: RawRow) -> InspectionRecord:
        v = row.values
        reject_extra_fields(row)
        return _record(v["URN"], v["Rating"], v["Inspection Date"], HISTORY_COLUMNS, today)

    return read_rows(path, parse, needed=HISTORY_COLUMNS, key=_key)


LATEST_COLUMNS = ("URN", "OFSTEDRATING", "INSPECTIONDT")


def read_latest_inspections(path: Path | str) -> ReadResult[InspectionRecord]:
    """Read each school's latest inspection from the 2019 KS2 or KS4 results file.

    A school never inspected (rating and date both blank) is rejected with
    the reason "no inspection recorded", so every row is still accounted for.
    """
    today = date.today()

    def parse(row: RawRow) -> InspectionRecord:
        v = row.values
        reject_extra_fields(row)
        if not v["OFSTEDRATING"].strip() and not v["INSPECTIONDT"].strip():
            raise RowError("OFSTEDRATING", "no inspection recorded (rating and date blank)")
        return _record(v["URN"], v["OFSTEDRATING"], v["INSPECTIONDT"], LATEST_COLUMNS, today)

    return read_rows(path, parse, needed=LATEST_COLUMNS, key=_key)
