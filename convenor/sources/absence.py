"""School absence: performance-tables rates and the EES absence-by-reason file.

:func:`read_absence` reads the performance-tables absence files
(``LA, ESTAB, URN, PERCTOT, PPERSABS10`` or ``PPERSABS15``): 2012/13
(``perf_tables_ralpan``), 2016/17 (``perf_tables_2017_avisionh``) and 2018/19
(``perf_tables_2019_kspdev``). National rows (``LA`` ``NAT``, ``ESTAB``
``PRI``/``SEC``/``SPE``) become national :class:`AreaRow` s.

=========================  ==========================  ===========================================
name                       column                      meaning
=========================  ==========================  ===========================================
overall_absence_pct        PERCTOT                     % of possible sessions missed
persistent_absence_pct     PPERSABS10 or PPERSABS15    % of enrolments persistently absent
persistent_threshold_pct   (the column's suffix)       10 or 15: the threshold that % is against
=========================  ==========================  ===========================================

A persistent absentee was a pupil missing 15% or more of sessions until
2014/15 and 10% or more since (DOMAIN.md 4.4), so ``persistent_absence_pct``
of a 15% file and of a 10% file measure different things: compare it only
between records with the same ``persistent_threshold_pct``. That value is in
every record and aggregate so it cannot be lost on the way to the database.

:func:`read_absence_by_reason` reads the EES file of enrolments missing at
least one session by reason (2012/13 to 2016/17). Its measure names are the
EES column names (``enrolments``, ``enrol_overall``, ``enrol_authorised``,
``enrol_unauthorised``, ``enrol_auth_illness``, ... ``enrol_unauth_noyet``;
see :data:`REASON_COLUMNS`), all counts of enrolments. School rows carry both
URN and LAESTAB, so :func:`laestab_urn_map` turns a read of it into the
same-year LAESTAB -> URN map the exclusions file needs. Each school row of an
EES file stands for one school and school type, so its ``segment`` is the
school type (``primary``, ``secondary``, ``special``), as for the LA and
national rows of the same breakdown; ``Total`` rows are segment ``all``.
"""

from __future__ import annotations

from pathlib import Path

from convenor.sources.base import (
    AreaRow,
    FileFormatError,
    ReadResult,
)
from convenor.sources.measures import SchoolMeasures
from convenor.sources.tables import (
    Row,
    ees_area,
    ees_segment,
    laestab_of,
    perf_area_segment,
    perf_laestab,
    period_of,
    read_header,
    read_table,
    school_key,
    urn_of,
)
from convenor.sources.years import AcademicYear, second_year_from_path, year_argument

__all__ = [
    "REASON_COLUMNS",
    "absence_year_from_path",
    "laestab_urn_map",
    "read_absence",
    "read_absence_by_reason",
]

ABSENCE_DATASET = "absence"
REASON_DATASET = "absence_by_reason"

# Folders whose files do not name their year. perf_tables_ralpan: the guide
# dates it 2012/13 from its national rows (primary 4.8%, secondary 5.8%).
KNOWN_YEARS: dict[str, AcademicYear] = {"perf_tables_ralpan": AcademicYear(2012)}

_PERSISTENT_COLUMNS: dict[str, float] = {"PPERSABS10": 10.0, "PPERSABS15": 15.0}
_RATE_BOUNDS: dict[str, tuple[float, float]] = {
    "overall_absence_pct": (0.0, 100.0),
    "persistent_absence_pct": (0.0, 100.0),
}

REASON_COLUMNS: tuple[str, ...] = (
    "enrolments",
    "enrol_overall",
    "enrol_authorised",
    "enrol_unauthorised",
    "enrol_auth_illness",
    "enrol_auth_appointments",
    "enrol_auth_religious",
    "enrol_auth_study",
    "enrol_auth_traveller",
    "enrol_auth_holiday",
    "enrol_auth_ext_holiday",
    "enrol_auth_excluded",
    "enrol_auth_other",
    "enrol_unauth_holiday",
    "enrol_unauth_late",
    "enrol_unauth_other",
    "enrol_unauth_noyet",
)


def absence_year_from_path(path: Path | str) -> AcademicYear:
    """The academic year of a performance-tables absence file, from its path.

    ``perf_tables_2017_…`` is the 2016/17 tables; ``perf_tables_ralpan``
    names no year and is 2012/13 (see :data:`KNOWN_YEARS`). Raises
    :class:`FileFormatError` when the path does not say.
    """
    p = Path(path)
    if p.parent.name in KNOWN_YEARS:
        return KNOWN_YEARS[p.parent.name]
    return AcademicYear.from_second_year(second_year_from_path(p, "academic year"))


def read_absence(
    path: Path | str, year: AcademicYear | str | None = None
) -> ReadResult[SchoolMeasures]:
    """Read a performance-tables absence file into one record per school.

    ``year`` (an :class:`AcademicYear` or a label such as ``"2016/17"``)
    defaults to the year the path names. The persistent-absence threshold is
    taken from the column (``PPERSABS10`` or ``PPERSABS15``) and stored as
    ``persistent_threshold_pct`` in every record and aggregate row.
    """
    source = Path(path).name
    academic_year = absence_year_from_path(path) if year is None else year_argument(year, source)
    period = academic_year.label
    header = read_header(path)
    persistent = [c for c in header if c in _PERSISTENT_COLUMNS]
    if len(persistent) != 1:
        raise FileFormatError(
            source, f"expected one of PPERSABS10 or PPERSABS15, found {persistent or 'neither'}"
        )
    column = persistent[0]
    threshold = _PERSISTENT_COLUMNS[column]

    def parse(
        row: Row, values: dict[str, float | None], missing: dict[str, str]
    ) -> SchoolMeasures | AreaRow:
        values["persistent_threshold_pct"] = threshold
        if row["LA"].strip().upper() == "NAT":
            segment = perf_area_segment(row["ESTAB"])
            return AreaRow(row.line, "national", "ENG", period, segment, values, missing)
        urn = urn_of(row["URN"])
        laestab = perf_laestab(row["LA"], row["ESTAB"])
        return SchoolMeasures(urn, period, ABSENCE_DATASET, values, missing, laestab)

    return read_table(
        path,
        parse,
        columns={"PERCTOT": "overall_absence_pct", column: "persistent_absence_pct"},
        bounds=_RATE_BOUNDS,
        needed=("LA", "ESTAB", "URN", "PERCTOT", column),
        key=school_key,
        source=source,
    )


_EES_NEEDED = ("time_period", "geographic_level", "school_type", "laestab", "urn")
_COUNT_BOUNDS: dict[str, tuple[float, float]] = dict.fromkeys(REASON_COLUMNS, (0.0, 1e8))


def read_absence_by_reason(path: Path | str) -> ReadResult[SchoolMeasures]:
    """Read the EES file of enrolments missing a session, by reason.

    Reads the CSV or the zip it is published in. School rows need both
    ``urn`` and ``laestab``; ``x`` (suppressed) and ``.`` (not applicable)
    are kept as missing codes. National, regional and LA rows become
    :class:`AreaRow` s.
    """

    def parse(
        row: Row, values: dict[str, float | None], missing: dict[str, str]
    ) -> SchoolMeasures | AreaRow:
        period = period_of(row["time_period"])
        segment = ees_segment(row["school_type"])
        level = row["geographic_level"].strip()
        if level != "School":
            return ees_area(row, level, period, segment, values, missing)
        urn = urn_of(row["urn"], "urn")
        laestab = laestab_of(row["laestab"], "laestab")
        return SchoolMeasures(urn, period, REASON_DATASET, values, missing, laestab, segment)

    return read_table(
        path,
        parse,
        columns={c: c for c in REASON_COLUMNS},
        bounds=_COUNT_BOUNDS,
        needed=_EES_NEEDED + REASON_COLUMNS,
        key=school_key,
    )


def laestab_urn_map(result: ReadResult[SchoolMeasures]) -> dict[tuple[str, int], int]:
    """The (period, LAESTAB) -> URN map the school rows of a read give.

    The same LAESTAB can belong to different URNs in different years (mostly
    through academy conversion), so the map is keyed by year. A LAESTAB that
    carries two different URNs in one year is ambiguous and left out, so that
    nothing is joined to the wrong school.
    """
    mapping: dict[tuple[str, int], int] = {}
    ambiguous: set[tuple[str, int]] = set()
    for record in result.records:
        if record.laestab is None:
            continue
        key = (record.period, record.laestab)
        if mapping.setdefault(key, record.urn) != record.urn:
            ambiguous.add(key)
    for key in ambiguous:
        del mapping[key]
    return mapping
