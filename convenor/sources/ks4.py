"""Key stage 4 results, school by school, from the DfE performance tables.

Every reader returns :class:`~convenor.sources.measures.SchoolMeasures` with
the canonical names of :data:`KS4_MEASURES`; England and LA rows become
:class:`~convenor.sources.base.AreaRow`.

Readers (dataset in brackets):

- :func:`read_ks4_perf` (ks4_final): ``perf_england_waiky8/ks4_perf_2016/2017/2018.csv``;
  ``Academic Year`` 2017 = 2016/17.
- :func:`read_ks4_provisional` (ks4_provisional):
  ``perf_tables_2017_avisionh/england_ks4provisional.csv`` (2016/17),
  ``perf_tables_2019_kspdev/england_ks4provisional.csv`` (2018/19) and
  ``perf_tables_la815_north_yorkshire/815_<Y>_ks4.csv`` (Y = second year).
- :func:`read_ks4_dfe_final` (ks4_final): the full DfE files
  ``perf_tables_la815_north_yorkshire/815_2017_ks4_fullcolumns.csv`` (2016/17) and
  ``815_2018_ks4final.csv`` (2017/18); the same measures from all the columns.
- :func:`read_ks4_final_2019` (ks4_final): ``perf_england_2019_waiky8/england_ks4final.csv``
  (2018/19).

Canonical measures:

=================================  =================  ===========================
name                               DfE column         waiky8 column
=================================  =================  ===========================
pupils                             TPUP               KS4 Pupils
pupils_boys / pupils_girls                            KS4 Boys / KS4 Girls
progress8                          P8MEA              Progress 8
progress8_boys / _girls                               Progress 8 Boys / Girls
progress8_ci_low                   P8CILOW
progress8_ci_high                  P8CIUPP
progress8_pupils                   P8PUP
progress8_adjusted_pupils          TP8ADJ
progress8_unadjusted               P8MEA_ORIG
progress8_unadjusted_ci_low        P8CILOW_ORIG
progress8_unadjusted_ci_high       P8CIUPP_ORIG
progress8_banding                  P8_BANDING         Progress 8 Band (from 2017/18)
attainment8                        ATT8SCR            Attainment 8
attainment8_boys / _girls                             Attainment 8 Boys / Girls
basics_94_pct                      PTL2BASICS_94
basics_95_pct                      PTL2BASICS_95      Eng Maths Grade 5 (2016/17 on)
basics_ac_pct                                         Eng Maths Grade 5 (2015/16)
ebacc_entry_pct                    PTEBACC_E_PTQ_EE   Entering EBacc
ebacc_aps                          EBACCAPS           EBacc Avg Score (from 2017/18)
ebacc_aps_boys / _girls                               EBacc Avg Boys / Girls
ebacc_94_pct                       PTEBACC_94
ebacc_95_pct                       PTEBACC_95         EBacc Grade 5 (2016/17 on)
ebacc_ac_pct                                          EBacc Grade 5 (2015/16)
five_em_94_pct                     PT5EM_94
=================================  =================  ===========================

GCSEs were graded A*-G until 2017, so the waiky8 "Grade 5" columns of 2015/16
cannot be 9-5 passes: they hold A*-C (school mean 52% against 34% in 2016/17)
and are read as ``basics_ac_pct`` and ``ebacc_ac_pct``. From 2016/17 they equal
DfE's ``PTL2BASICS_95``/``PTEBACC_95`` (checked against the North Yorkshire
full files). Attainment 8 was on the old points scale in 2015/16 and is not
comparable with later years. In the files that also carry ``P8MEA_ORIG``
(2017/18 on), ``P8MEA`` is the adjusted Progress 8 (extreme negative pupil
scores capped) and ``P8MEA_ORIG`` the unadjusted one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from convenor.sources.base import (
    AreaRow,
    FileFormatError,
    RawRow,
    ReadResult,
    RowError,
    iter_csv,
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

PROVISIONAL = "ks4_provisional"
FINAL = "ks4_final"

_PCT = (0.0, 100.0)
# P8 is a difference in grades per slot (DOMAIN.md 4.2); real school values
# stay within -4..+3, so only absurd values are junk.
_P8 = (-10.0, 10.0)
_COUNT = (0.0, 10_000_000.0)


def _pct(text: str) -> MeasureSpec:
    return MeasureSpec(text, *_PCT)


KS4_MEASURES: Mapping[str, MeasureSpec] = {
    "pupils": MeasureSpec("pupils at the end of KS4", *_COUNT, whole=True),
    "pupils_boys": MeasureSpec("boys at the end of KS4", *_COUNT, whole=True),
    "pupils_girls": MeasureSpec("girls at the end of KS4", *_COUNT, whole=True),
    "progress8": MeasureSpec("Progress 8 (adjusted where P8MEA_ORIG exists)", *_P8),
    "progress8_boys": MeasureSpec("Progress 8, boys", *_P8),
    "progress8_girls": MeasureSpec("Progress 8, girls", *_P8),
    "progress8_ci_low": MeasureSpec("Progress 8, lower 95% confidence limit", *_P8),
    "progress8_ci_high": MeasureSpec("Progress 8, upper 95% confidence limit", *_P8),
    "progress8_pupils": MeasureSpec("pupils included in Progress 8", *_COUNT, whole=True),
    "progress8_adjusted_pupils": MeasureSpec(
        "pupils whose extreme Progress 8 score was adjusted", *_COUNT, whole=True
    ),
    "progress8_unadjusted": MeasureSpec("Progress 8 before adjusting extreme scores", *_P8),
    "progress8_unadjusted_ci_low": MeasureSpec("unadjusted Progress 8, lower 95% limit", *_P8),
    "progress8_unadjusted_ci_high": MeasureSpec("unadjusted Progress 8, upper 95% limit", *_P8),
    "progress8_banding": MeasureSpec(
        "Progress 8 banding: 1 well above average ... 5 well below", 1, 5, whole=True
    ),
    "attainment8": MeasureSpec("average Attainment 8 score per pupil", 0, 90),
    "attainment8_boys": MeasureSpec("average Attainment 8 score, boys", 0, 90),
    "attainment8_girls": MeasureSpec("average Attainment 8 score, girls", 0, 90),
    "basics_94_pct": _pct("% with grade 9-4 in English and maths"),
    "basics_95_pct": _pct("% with grade 9-5 in English and maths"),
    "basics_ac_pct": _pct("% with A*-C in English and maths (2015/16 and before)"),
    "ebacc_entry_pct": _pct("% entered for every English Baccalaureate subject area"),
    "ebacc_aps": MeasureSpec("EBacc average point score per pupil", 0, 9),
    "ebacc_aps_boys": MeasureSpec("EBacc average point score, boys", 0, 9),
    "ebacc_aps_girls": MeasureSpec("EBacc average point score, girls", 0, 9),
    "ebacc_94_pct": _pct("% achieving the EBacc with 9-4 in English and maths"),
    "ebacc_95_pct": _pct("% achieving the EBacc with 9-5 in English and maths"),
    "ebacc_ac_pct": _pct("% achieving the EBacc at A*-C (2015/16 and before)"),
    "five_em_94_pct": _pct("% with 5+ A*-C/9-4 including 9-4 in English and maths"),
}

# RECTYPE in the KS4 files (data guide; ks4provisional_meta.csv).
RECTYPES: Mapping[int, str] = {
    1: "mainstream school",
    2: "special school",
    4: "local authority",
    5: "England, all schools",
    7: "England, state-funded (maintained) schools",
}
_SCHOOL_RECTYPES = (1, 2)
_NATIONAL_SEGMENTS: Mapping[int, str] = {5: "all-schools", 7: "state-funded"}
LA_SEGMENT = "state-funded"


def _key(record: SchoolMeasures) -> tuple[int, str]:
    return (record.urn, record.period)


def _year(year: AcademicYear | str) -> AcademicYear:
    if isinstance(year, AcademicYear):
        return year
    try:
        return AcademicYear.from_label(year)
    except ValueError:
        raise ValueError(
            f"year must be an academic year label like '2016/17', not {year!r}"
        ) from None


# --- waiky8 2016-2018 ------------------------------------------------------

# Column -> canonical name by academic-year start: (from_year, name) pairs, latest last.
_PERF_COLUMNS: Mapping[str, tuple[tuple[int, str], ...]] = {
    "KS4 Pupils": ((0, "pupils"),),
    "KS4 Boys": ((0, "pupils_boys"),),
    "KS4 Girls": ((0, "pupils_girls"),),
    "Progress 8": ((0, "progress8"),),
    "Progress 8 Boys": ((0, "progress8_boys"),),
    "Progress 8 Girls": ((0, "progress8_girls"),),
    "Attainment 8": ((0, "attainment8"),),
    "Attainment 8 Boys": ((0, "attainment8_boys"),),
    "Attainment 8 Girls": ((0, "attainment8_girls"),),
    "Eng Maths Grade 5": ((0, "basics_ac_pct"), (2016, "basics_95_pct")),
    "Entering EBacc": ((0, "ebacc_entry_pct"),),
    "EBacc Avg Score": ((2017, "ebacc_aps"),),
    "EBacc Avg Boys": ((2017, "ebacc_aps_boys"),),
    "EBacc Avg Girls": ((2017, "ebacc_aps_girls"),),
    "EBacc Grade 5": ((0, "ebacc_ac_pct"), (2016, "ebacc_95_pct")),
    "Progress 8 Band": ((2017, "progress8_banding"),),
}


def _perf_columns(period: AcademicYear) -> dict[str, str]:
    columns: dict[str, str] = {}
    for column, eras in _PERF_COLUMNS.items():
        # The empty columns of years before a measure existed are not read.
        names = [name for start, name in eras if period.start >= start]
        if names:
            columns[column] = names[-1]
    return columns


def _second_year(raw: str, field_name: str) -> AcademicYear:
    text = raw.strip()
    if not (text.isdigit() and len(text) == 4):
        raise RowError(field_name, f"not a four-digit year: {text[:20]!r}")
    try:
        return AcademicYear.from_second_year(int(text))
    except ValueError as exc:
        raise RowError(field_name, str(exc)) from None


def read_ks4_perf(path: Path | str) -> ReadResult[SchoolMeasures]:
    """Read a waiky8 KS4 file (``ks4_perf_2016.csv`` ...): final results, one record per school.

    The period comes from each row's ``Academic Year`` (2017 = 2016/17).
    Independent schools have no Progress 8: the author left those cells
    blank, so they read as missing ("blank").
    """
    by_year: dict[int, dict[str, str]] = {}

    def parse(row: RawRow) -> SchoolMeasures:
        v = row.values
        reject_extra_fields(row)
        urn = parse_urn(v["URN"])
        period = _second_year(v["Academic Year"], "Academic Year")
        columns = by_year.get(period.start)
        if columns is None:
            columns = by_year[period.start] = _perf_columns(period)
        values, missing = collect_measures(v, columns, KS4_MEASURES)
        return SchoolMeasures(urn, str(period), FINAL, values, missing)

    return read_rows(path, parse, needed=("URN", "Academic Year", *_PERF_COLUMNS), key=_key)


# --- DfE layouts (provisional extracts and full final files) ----------------

_DFE_COLUMNS: Mapping[str, str] = {
    "TPUP": "pupils",
    "ATT8SCR": "attainment8",
    "P8PUP": "progress8_pupils",
    "TP8ADJ": "progress8_adjusted_pupils",
    "P8MEA": "progress8",
    "P8CILOW": "progress8_ci_low",
    "P8CIUPP": "progress8_ci_high",
    "P8MEA_ORIG": "progress8_unadjusted",
    "P8CILOW_ORIG": "progress8_unadjusted_ci_low",
    "P8CIUPP_ORIG": "progress8_unadjusted_ci_high",
    "PTL2BASICS_94": "basics_94_pct",
    "PTL2BASICS_95": "basics_95_pct",
    "EBACCAPS": "ebacc_aps",
    "PTEBACC_E_PTQ_EE": "ebacc_entry_pct",
    "PTEBACC_94": "ebacc_94_pct",
    "PTEBACC_95": "ebacc_95_pct",
    "PT5EM_94": "five_em_94_pct",
    "P8_BANDING": "progress8_banding",
}
# In every DfE KS4 layout here since 2016/17; the rest appear from 2017/18 or 2018/19.
_DFE_NEEDED = (
    "RECTYPE",
    "LEA",
    "ESTAB",
    "URN",
    "TPUP",
    "ATT8SCR",
    "P8MEA",
    "P8CILOW",
    "P8CIUPP",
    "PTL2BASICS_94",
    "PTL2BASICS_95",
    "PTEBACC_E_PTQ_EE",
    "PTEBACC_94",
    "PTEBACC_95",
)
_LA_FILE = re.compile(r"^\d{3}_(\d{4})_ks4", re.IGNORECASE)
_TABLES_FOLDER = re.compile(r"^perf_tables_(\d{4})_", re.IGNORECASE)


def ks4_year_from_path(path: Path | str) -> AcademicYear | None:
    """The academic year a KS4 file's name or folder gives, if any.

    ``815_2018_ks4.csv`` and ``perf_tables_2019_…/`` both name the second
    year of the academic year (2018 = 2017/18).
    """
    p = Path(path)
    if m := _LA_FILE.match(p.name):
        return AcademicYear.from_second_year(int(m.group(1)))
    for folder in p.parents:
        if m := _TABLES_FOLDER.match(folder.name):
            return AcademicYear.from_second_year(int(m.group(1)))
    return None


def _read_dfe(
    path: Path | str, year: AcademicYear | str | None, dataset: str, meta: Path | str | None
) -> ReadResult[SchoolMeasures]:
    p = Path(path)
    period = _year(year) if year is not None else ks4_year_from_path(p)
    if period is None:
        raise FileFormatError(p.name, "cannot tell the academic year from the name; pass year=")
    header, _rows = iter_csv(read_text(p))
    meta_path = Path(meta) if meta is not None else None
    if meta_path is None and dataset == PROVISIONAL:
        beside = p.parent / "meta" / "ks4provisional_meta.csv"
        meta_path = beside if beside.exists() else None
    if meta_path is not None:
        fields = meta_field_names(meta_path, ("Metafile heading", "Variable", "Field Name"))
        check_header_against_meta(header, fields, p.name)
    columns = {c: n for c, n in _DFE_COLUMNS.items() if c in header}

    def parse(row: RawRow) -> SchoolMeasures | AreaRow:
        v = row.values
        reject_extra_fields(row)
        rectype = parse_rectype(v["RECTYPE"], RECTYPES)
        values, missing = collect_measures(v, columns, KS4_MEASURES)
        if rectype == 4:
            la = v["LEA"].strip()
            if not (la.isdigit() and len(la) == 3):
                raise RowError("LEA", f"LA row without a three-digit LA code: {la[:20]!r}")
            return AreaRow(row.line, "la", la, str(period), LA_SEGMENT, values, missing)
        if rectype in _NATIONAL_SEGMENTS:
            segment = _NATIONAL_SEGMENTS[rectype]
            return AreaRow(row.line, "national", "ENG", str(period), segment, values, missing)
        urn = parse_urn(v["URN"])
        laestab = laestab_of(v["LEA"], v["ESTAB"])
        return SchoolMeasures(urn, str(period), dataset, values, missing, laestab)

    return read_rows(p, parse, needed=_DFE_NEEDED, key=_key)


def read_ks4_provisional(
    path: Path | str, year: AcademicYear | str | None = None, meta: Path | str | None = None
) -> ReadResult[SchoolMeasures]:
    """Read a DfE KS4 provisional file (``england_ks4provisional.csv``, ``815_<Y>_ks4.csv``).

    The year is ``year`` or, by default, the one the file or folder name
    gives (:func:`ks4_year_from_path`). Where DfE's
    ``meta/ks4provisional_meta.csv`` sits beside the file (or ``meta`` is
    given) the columns are checked against it. RECTYPE 1 and 2 rows become
    records; 4 (LA), 5 (England, all schools) and 7 (England, state-funded)
    become :class:`AreaRow`. Short rows read their absent fields as blank.
    """
    return _read_dfe(path, year, PROVISIONAL, meta)


def read_ks4_dfe_final(
    path: Path | str, year: AcademicYear | str | None = None, meta: Path | str | None = None
) -> ReadResult[SchoolMeasures]:
    """Read a full DfE KS4 final file (``815_2017_ks4_fullcolumns.csv``, ``815_2018_ks4final.csv``).

    Reads the same measures as :func:`read_ks4_provisional` from the several
    hundred DfE columns, with ``dataset="ks4_final"``. The year is ``year``
    or the one in the file name (second year: 2018 = 2017/18).
    """
    return _read_dfe(path, year, FINAL, meta)


# --- waiky8 2018/19 ----------------------------------------------------------

_FINAL_2019_COLUMNS: Mapping[str, str] = {
    "P8MEA": "progress8",
    "P8_BANDING": "progress8_banding",
    "ATT8SCR": "attainment8",
    "PTL2BASICS_95": "basics_95_pct",
    "PTEBACC_E_PTQ_EE": "ebacc_entry_pct",
    "EBACCAPS": "ebacc_aps",
}


def read_ks4_final_2019(
    path: Path | str, year: AcademicYear | str = "2018/19"
) -> ReadResult[SchoolMeasures]:
    """Read ``perf_england_2019_waiky8/england_ks4final.csv``: final results, 2018/19.

    The file has no year column; its guide dates it 2018/19. Only school rows
    (RECTYPE 1, 2) are expected; other record types are rejected, since the
    file has no LA column. Its Ofsted columns are read by
    :func:`convenor.sources.inspections.read_latest_inspections`.
    """
    period = _year(year)
    schools = {k: RECTYPES[k] for k in _SCHOOL_RECTYPES}

    def parse(row: RawRow) -> SchoolMeasures:
        v = row.values
        reject_extra_fields(row)
        parse_rectype(v["RECTYPE"], schools)
        urn = parse_urn(v["URN"])
        values, missing = collect_measures(v, _FINAL_2019_COLUMNS, KS4_MEASURES)
        return SchoolMeasures(urn, str(period), FINAL, values, missing)

    return read_rows(path, parse, needed=("RECTYPE", "URN", *_FINAL_2019_COLUMNS), key=_key)
