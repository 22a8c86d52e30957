"""Key stage 2 results, school by school, from four layouts of the DfE tables.

Every reader returns :class:`~convenor.sources.measures.SchoolMeasures` with
``dataset="ks2_final"`` and the canonical names in :data:`KS2_MEASURES`, so a
measure means the same whatever file it came from. England and LA rows become
:class:`~convenor.sources.base.AreaRow`.

Readers:

- :func:`read_ks2_perf`: ``perf_england_waiky8/ks2_perf_2016/2017/2018.csv``;
  ``Academic Year`` is the second year (2017 = 2016/17).
- :func:`read_ks2_dfe`: ``ks2_hants_surrey/<first year>-<LA>-ks2.csv``, every DfE
  column; the first year is in the name (2016 = 2016/17).
- :func:`read_ks2_final_2019`: ``perf_england_2019_waiky8/england_ks2final.csv`` (2018/19).
- :func:`~convenor.sources.ks2_levels.read_ks2_levels`, in its own module:
  ``perf_tables_ralpan/england_ks2final_primary_relevent_columns.csv`` (levels
  era, inferred 2012/13).

Canonical measures (:data:`KS2_MEASURES` holds the descriptions and ranges):

===========================  =============  ======================  =============  ==============
name                         DfE full file  waiky8 2016-2018        2019 final     levels 2012/13
===========================  =============  ======================  =============  ==============
pupils                       TELIG          KS2 Pupils
pupils_boys                  BELIG          KS2 Boys
pupils_girls                 GELIG          KS2 Girls
rwm_expected_pct             PTRWM_EXP      Overall Meet Std
rwm_high_pct                 PTRWM_HIGH     Overall Exceed Std
reading_progress             READPROG       Reading Progress        READPROG
writing_progress             WRITPROG       Writing Progress        WRITPROG
maths_progress               MATPROG        Maths Progress          MATPROG
<subject>_progress_ci_low    <S>PROG_LOWER
<subject>_progress_ci_high   <S>PROG_UPPER
<subject>_progress_band      <S>PROG_DESCR  <S> Progress Band       <S>PROG_DESCR
reading_score                READ_AVERAGE   Reading Score
maths_score                  MAT_AVERAGE    Maths Score
gps_score                    GPS_AVERAGE    Writing Score (!)
reading_expected_pct         PTREAD_EXP     Reading Meet Std
writing_expected_pct         PTWRITTA_EXP
maths_expected_pct           PTMAT_EXP      Maths Meet Std
gps_expected_pct             PTGPS_EXP      Writing Meet Std (!)
reading_high_pct             PTREAD_HIGH    Reading Exceed Std
writing_high_pct             PTWRITTA_HIGH
maths_high_pct               PTMAT_HIGH     Maths Exceed Std
gps_high_pct                 PTGPS_HIGH     Writing Exceed Std (!)
disadvantaged_pct            PTFSM6CLA1A                                           PTFSMCLA
levels_read_progress_pct                                                           PT2READ12
levels_writing_progress_pct                                                        PT2WRITTA12
levels_maths_progress_pct                                                          PT2MATH12
levels_reading_l4_pct                                                              PTREADX
levels_aps                                                                         TAPS
levels_average_level                                                               AVGLEVEL
===========================  =============  ======================  =============  ==============

(!) The waiky8 files call the grammar, punctuation and spelling test
"Writing": their ``Writing Score``/``Meet Std``/``Exceed Std`` equal DfE's
``GPS_AVERAGE``/``PTGPS_EXP``/``PTGPS_HIGH`` for every Hampshire school
(writing is teacher-assessed and has no scaled score), so they are read as
``gps_*``. Progress bands (1 well above average ... 5 well below) were first
published for 2017/18; the empty band columns of earlier waiky8 files are not
read.

Converter academies: the DfE full files list results under the URN that
entered the pupils and give the academy it became in ``URN_AC``. That is a
link between two schools, not a measure, so :func:`read_ks2_dfe` returns it
separately as :class:`ConverterLink` rows in :attr:`Ks2DfeResult.converters`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from convenor.sources.base import (
    AreaRow,
    FileFormatError,
    RawRow,
    ReadResult,
    RowError,
    iter_csv,
    missing_reason,
    parse_date,
    parse_urn,
    read_rows,
    read_text,
)
from convenor.sources.measures import (
    MeasureSpec,
    SchoolMeasures,
    check_header_against_meta,
    collect_measures,
    laestab_of,
    meta_field_names,
    parse_rectype,
    reject_extra_fields,
)
from convenor.sources.years import AcademicYear

DATASET = "ks2_final"

_PCT = (0.0, 100.0)
_SCORE = (80.0, 120.0)  # KS2 scaled scores (DOMAIN.md section 4.1)
# Progress is centred on 0, typically -5..+5 (DOMAIN.md 4.1); small special
# schools reach -16, so only absurd values are treated as junk.
_PROGRESS = (-40.0, 40.0)
_COUNT = (0.0, 10_000_000.0)


def _pct(text: str) -> MeasureSpec:
    return MeasureSpec(text, *_PCT)


def _progress(subject: str) -> dict[str, MeasureSpec]:
    return {
        f"{subject}_progress": MeasureSpec(f"{subject} progress score (KS1 to KS2)", *_PROGRESS),
        f"{subject}_progress_ci_low": MeasureSpec(
            f"{subject} progress, lower 95% confidence limit", *_PROGRESS
        ),
        f"{subject}_progress_ci_high": MeasureSpec(
            f"{subject} progress, upper 95% confidence limit", *_PROGRESS
        ),
        f"{subject}_progress_band": MeasureSpec(
            f"{subject} progress band: 1 well above average ... 5 well below", 1, 5, whole=True
        ),
    }


KS2_MEASURES: Mapping[str, MeasureSpec] = {
    "pupils": MeasureSpec("pupils eligible for KS2 assessment", *_COUNT, whole=True),
    "pupils_boys": MeasureSpec("eligible boys", *_COUNT, whole=True),
    "pupils_girls": MeasureSpec("eligible girls", *_COUNT, whole=True),
    "rwm_expected_pct": _pct("% at the expected standard in reading, writing and maths"),
    "rwm_high_pct": _pct("% at the higher standard in reading, writing and maths"),
    **_progress("reading"),
    **_progress("writing"),
    **_progress("maths"),
    "reading_score": MeasureSpec("average scaled score in reading", *_SCORE),
    "maths_score": MeasureSpec("average scaled score in maths", *_SCORE),
    "gps_score": MeasureSpec("average scaled score in grammar, punctuation, spelling", *_SCORE),
    "reading_expected_pct": _pct("% at the expected standard in reading (test)"),
    "writing_expected_pct": _pct("% at the expected standard in writing (teacher assessment)"),
    "maths_expected_pct": _pct("% at the expected standard in maths (test)"),
    "gps_expected_pct": _pct("% at the expected standard in grammar, punctuation, spelling"),
    "reading_high_pct": _pct("% at the higher standard in reading (110+)"),
    "writing_high_pct": _pct("% working at greater depth in writing"),
    "maths_high_pct": _pct("% at the higher standard in maths (110+)"),
    "gps_high_pct": _pct("% at the higher standard in grammar, punctuation, spelling"),
    "disadvantaged_pct": _pct("% of KS2 pupils disadvantaged (FSM in 6 years or looked after)"),
    "levels_read_progress_pct": _pct("levels era: % making 2 levels of progress in reading"),
    "levels_writing_progress_pct": _pct("levels era: % making 2 levels of progress in writing"),
    "levels_maths_progress_pct": _pct("levels era: % making 2 levels of progress in maths"),
    "levels_reading_l4_pct": _pct(
        "levels era: % at level 4+ in the reading test (PTREADX; meaning inferred "
        "from the national row, 86% as published for 2013)"
    ),
    "levels_aps": MeasureSpec("levels era: average point score", 0, 45),
    "levels_average_level": MeasureSpec(
        "levels era: average level as KS2 points (4C 25, 4B 27, 4A 29; bare 2 = 15)", 0, 45
    ),
}

# RECTYPE in the KS2 files (data guide, "Surrogate keys and aggregate rows").
RECTYPES: Mapping[int, str] = {
    1: "mainstream school",
    2: "special school",
    3: "local authority",
    4: "England, all schools",
    5: "England, state-funded schools",
}
_SCHOOL_RECTYPES = (1, 2)
_NATIONAL_SEGMENTS: Mapping[int, str] = {4: "all-schools", 5: "state-funded"}
# LA averages in the tables cover the LA's state-funded schools.
LA_SEGMENT = "state-funded"


def _area(
    rectype: int,
    la_code: str,
    line: int,
    period: AcademicYear,
    values: dict[str, float | None],
    missing: dict[str, str],
) -> AreaRow:
    if rectype == 3:
        return AreaRow(line, "la", la_code, str(period), LA_SEGMENT, values, missing)
    return AreaRow(
        line, "national", "ENG", str(period), _NATIONAL_SEGMENTS[rectype], values, missing
    )


def _la_code(raw: str, field_name: str = "LEA") -> str:
    text = raw.strip()
    if not (text.isdigit() and len(text) == 3):
        raise RowError(field_name, f"LA row without a three-digit LA code: {text[:20]!r}")
    return text


def _year(year: AcademicYear | str) -> AcademicYear:
    if isinstance(year, AcademicYear):
        return year
    try:
        return AcademicYear.from_label(year)
    except ValueError:
        raise ValueError(
            f"year must be an academic year label like '2016/17', not {year!r}"
        ) from None


def _key(record: SchoolMeasures) -> tuple[int, str]:
    return (record.urn, record.period)


# --- waiky8 2016-2018 ------------------------------------------------------

# Column -> (canonical name, first academic year the column holds data).
_PERF_COLUMNS: Mapping[str, tuple[str, int]] = {
    "KS2 Pupils": ("pupils", 0),
    "KS2 Boys": ("pupils_boys", 0),
    "KS2 Girls": ("pupils_girls", 0),
    "Reading Progress": ("reading_progress", 0),
    "Reading Score": ("reading_score", 0),
    "Reading Meet Std": ("reading_expected_pct", 0),
    "Reading Exceed Std": ("reading_high_pct", 0),
    "Reading Progress Band": ("reading_progress_band", 2017),
    "Writing Progress": ("writing_progress", 0),
    "Writing Score": ("gps_score", 0),
    "Writing Meet Std": ("gps_expected_pct", 0),
    "Writing Exceed Std": ("gps_high_pct", 0),
    "Writing Progress Band": ("writing_progress_band", 2017),
    "Maths Progress": ("maths_progress", 0),
    "Maths Score": ("maths_score", 0),
    "Maths Meet Std": ("maths_expected_pct", 0),
    "Maths Exceed Std": ("maths_high_pct", 0),
    "Maths Progress Band": ("maths_progress_band", 2017),
    "Overall Meet Std": ("rwm_expected_pct", 0),
    "Overall Exceed Std": ("rwm_high_pct", 0),
}


def _perf_columns(period: AcademicYear) -> dict[str, str]:
    """The waiky8 columns read for ``period`` (file column -> canonical name)."""
    # The empty band columns of years before bands were published are not read.
    return {
        column: name for column, (name, first) in _PERF_COLUMNS.items() if period.start >= first
    }


def _second_year(raw: str, field_name: str) -> AcademicYear:
    text = raw.strip()
    if not (text.isdigit() and len(text) == 4):
        raise RowError(field_name, f"not a four-digit year: {text[:20]!r}")
    try:
        return AcademicYear.from_second_year(int(text))
    except ValueError as exc:
        raise RowError(field_name, str(exc)) from None


def read_ks2_perf(path: Path | str) -> ReadResult[SchoolMeasures]:
    """Read a waiky8 KS2 file (``ks2_perf_2016.csv`` ...): one record per school.

    The period comes from each row's ``Academic Year`` (the second calendar
    year, so 2017 is 2016/17). Percent strings are read as numbers; ``LOWCOV``
    and blanks (the author's rendering of DfE's ``SUPP``) stay missing.
    """
    columns_by_year: dict[int, dict[str, str]] = {}

    def parse(row: RawRow) -> SchoolMeasures:
        v = row.values
        reject_extra_fields(row)
        urn = parse_urn(v["URN"])
        period = _second_year(v["Academic Year"], "Academic Year")
        columns = columns_by_year.get(period.start)
        if columns is None:
            columns = columns_by_year[period.start] = _perf_columns(period)
        values, missing = collect_measures(v, columns, KS2_MEASURES)
        return SchoolMeasures(urn, str(period), DATASET, values, missing)

    needed = ("URN", "Academic Year", *_PERF_COLUMNS)
    return read_rows(path, parse, needed=needed, key=_key)


# --- DfE full files (Hampshire and Surrey) ----------------------------------

_DFE_COLUMNS: Mapping[str, str] = {
    "TELIG": "pupils",
    "BELIG": "pupils_boys",
    "GELIG": "pupils_girls",
    "PTRWM_EXP": "rwm_expected_pct",
    "PTRWM_HIGH": "rwm_high_pct",
    "READPROG": "reading_progress",
    "READPROG_LOWER": "reading_progress_ci_low",
    "READPROG_UPPER": "reading_progress_ci_high",
    "READPROG_DESCR": "reading_progress_band",
    "WRITPROG": "writing_progress",
    "WRITPROG_LOWER": "writing_progress_ci_low",
    "WRITPROG_UPPER": "writing_progress_ci_high",
    "WRITPROG_DESCR": "writing_progress_band",
    "MATPROG": "maths_progress",
    "MATPROG_LOWER": "maths_progress_ci_low",
    "MATPROG_UPPER": "maths_progress_ci_high",
    "MATPROG_DESCR": "maths_progress_band",
    "READ_AVERAGE": "reading_score",
    "MAT_AVERAGE": "maths_score",
    "GPS_AVERAGE": "gps_score",
    "PTREAD_EXP": "reading_expected_pct",
    "PTWRITTA_EXP": "writing_expected_pct",
    "PTMAT_EXP": "maths_expected_pct",
    "PTGPS_EXP": "gps_expected_pct",
    "PTREAD_HIGH": "reading_high_pct",
    "PTWRITTA_HIGH": "writing_high_pct",
    "PTMAT_HIGH": "maths_high_pct",
    "PTGPS_HIGH": "gps_high_pct",
    "PTFSM6CLA1A": "disadvantaged_pct",
}
# Bands (the *_DESCR columns) start with the 2017/18 file; the rest are in every year.
_DFE_NEEDED = (
    "RECTYPE",
    "LEA",
    "ESTAB",
    "URN",
    "URN_AC",
    "SCHNAME_AC",
    "OPEN_AC",
    *(c for c in _DFE_COLUMNS if not c.endswith("_DESCR")),
)
_DFE_NAME = re.compile(r"^(\d{4})-(\d{3})-ks2", re.IGNORECASE)
_PRIOR_YEAR_COLUMN = re.compile(r"^PTRWM_EXP_(\d{2})$")


@dataclass(frozen=True, slots=True)
class ConverterLink:
    """A school whose KS2 results are published under its URN but which became an academy."""

    line: int
    urn: int  # the school that entered the pupils (the results' URN)
    academy_urn: int  # URN_AC: the converter academy it became
    academy_name: str
    academy_opened: date | None
    period: str


@dataclass(slots=True)
class Ks2DfeResult(ReadResult[SchoolMeasures]):
    """A :class:`ReadResult` plus the converter-academy links found in accepted rows."""

    converters: list[ConverterLink] = field(default_factory=list)


def _dfe_year_from_name(path: Path) -> AcademicYear:
    m = _DFE_NAME.match(path.name)
    if not m:
        raise FileFormatError(
            path.name, "cannot tell the year: name is not '<first year>-<LA>-ks2.csv'; pass year="
        )
    return AcademicYear.from_first_year(int(m.group(1)))


def _check_prior_year_columns(header: list[str], period: AcademicYear, source: str) -> None:
    # A file of year Y carries the previous summers' results as _YY columns, the
    # latest of which is the summer that starts year Y (2016/17 file: _16).
    suffixes = [int(m.group(1)) for h in header if (m := _PRIOR_YEAR_COLUMN.match(h))]
    if suffixes and max(suffixes) != period.start % 100:
        raise FileFormatError(
            source,
            f"previous-year columns run to summer 20{max(suffixes):02d}, so this is not "
            f"the {period} file",
        )


def _converter(row: RawRow, period: AcademicYear, urn: int) -> ConverterLink | None:
    v = row.values
    raw = v["URN_AC"].strip()
    if not raw or raw == "0" or missing_reason(raw) is not None:
        return None
    academy_urn = parse_urn(raw, "URN_AC")
    opened = parse_date(v["OPEN_AC"], "OPEN_AC")
    return ConverterLink(row.line, urn, academy_urn, v["SCHNAME_AC"].strip(), opened, str(period))


def read_ks2_dfe(
    path: Path | str,
    year: AcademicYear | str | None = None,
    meta: Path | str | None = None,
) -> Ks2DfeResult:
    """Read a full DfE KS2 file (``ks2_hants_surrey/2016-850-ks2.csv`` ...).

    The year is ``year`` or, by default, the first year in the file name
    (2016 = 2016/17), checked against the previous-year (``_16``) columns. The
    columns are checked against DfE's dictionary for the year: ``meta`` or,
    by default, ``meta_<year>-<year+1>/ks2_meta.csv`` beside the file when it
    exists. RECTYPE 1 and 2 rows become records; 3 (LA), 4 (England, all
    schools) and 5 (England, state-funded) become :class:`AreaRow`. Rows that
    stop short (schools without results) read their absent fields as blank.
    """
    p = Path(path)
    period = _year(year) if year is not None else _dfe_year_from_name(p)
    header, _rows = iter_csv(read_text(p))
    _check_prior_year_columns(header, period, p.name)
    meta_path = Path(meta) if meta is not None else None
    if meta_path is None:
        beside = p.parent / f"meta_{period.start}-{period.start + 1}" / "ks2_meta.csv"
        meta_path = beside if beside.exists() else None
    if meta_path is not None:
        fields = meta_field_names(meta_path, ("FieldName", "Field Name"))
        check_header_against_meta(header, fields, p.name)

    columns = {c: n for c, n in _DFE_COLUMNS.items() if c in header}
    links: dict[int, ConverterLink] = {}

    def parse(row: RawRow) -> SchoolMeasures | AreaRow:
        v = row.values
        reject_extra_fields(row)
        rectype = parse_rectype(v["RECTYPE"], RECTYPES)
        values, missing = collect_measures(v, columns, KS2_MEASURES)
        if rectype not in _SCHOOL_RECTYPES:
            la = _la_code(v["LEA"]) if rectype == 3 else ""
            return _area(rectype, la, row.line, period, values, missing)
        urn = parse_urn(v["URN"])
        laestab = laestab_of(v["LEA"], v["ESTAB"])
        link = _converter(row, period, urn)
        if link is not None:
            links[row.line] = link
        return SchoolMeasures(urn, str(period), DATASET, values, missing, laestab)

    base = read_rows(p, parse, needed=_DFE_NEEDED, key=_key)
    accepted = set(base.lines)
    return Ks2DfeResult(
        source=base.source,
        records=base.records,
        aggregates=base.aggregates,
        rejections=base.rejections,
        rows_read=base.rows_read,
        lines=base.lines,
        converters=[link for line, link in sorted(links.items()) if line in accepted],
    )


# --- waiky8 2018/19 ----------------------------------------------------------

_FINAL_2019_COLUMNS: Mapping[str, str] = {
    "READPROG": "reading_progress",
    "READPROG_DESCR": "reading_progress_band",
    "WRITPROG": "writing_progress",
    "WRITPROG_DESCR": "writing_progress_band",
    "MATPROG": "maths_progress",
    "MATPROG_DESCR": "maths_progress_band",
}


def read_ks2_final_2019(
    path: Path | str, year: AcademicYear | str = "2018/19"
) -> ReadResult[SchoolMeasures]:
    """Read ``perf_england_2019_waiky8/england_ks2final.csv``: progress and bands, 2018/19.

    The file holds no year column; its guide dates it 2018/19. Its Ofsted
    columns are read by :func:`convenor.sources.inspections.read_latest_inspections`.
    Only school rows (RECTYPE 1, 2) are expected; any other record type is
    rejected, since the file has no LA column to place an LA row.
    """
    period = _year(year)

    def parse(row: RawRow) -> SchoolMeasures:
        v = row.values
        reject_extra_fields(row)
        parse_rectype(v["RECTYPE"], {k: RECTYPES[k] for k in _SCHOOL_RECTYPES})
        urn = parse_urn(v["URN"])
        values, missing = collect_measures(v, _FINAL_2019_COLUMNS, KS2_MEASURES)
        return SchoolMeasures(urn, str(period), DATASET, values, missing)

    return read_rows(path, parse, needed=("RECTYPE", "URN", *_FINAL_2019_COLUMNS), key=_key)
