"""School-level admissions preferences and offers (entry 2014/15 to 2022/23).

:func:`read_school_preferences` reads ``fct_school_year.csv`` of the
``admissions_school_level_clarelgibson`` star schema, joined to
``dim_school.csv`` for the URN (and, given ``dim_la.csv``, to the LA code
for the LAESTAB). One record per school, year of entry and phase:

* ``period`` is the academic year pupils start: ``year_key`` 2014 = entry in
  September 2014 = ``"2014/15"``;
* ``segment`` is ``"primary"`` (``phase_key`` 1, Reception entry) or
  ``"secondary"`` (``phase_key`` 2, Year 7 entry);
* ``dataset`` is ``"admissions"``.

=====================  ====================================  =====================================
name                   column                                meaning
=====================  ====================================  =====================================
places_offered         total_number_places_offered           offers made for the school
preferred_offers       number_preferred_offers               offers to applicants who named it
first_pref_offers      number_1st_preference_offers          offers to first-preference applicants
second_pref_offers     number_2nd_preference_offers          offers to second preferences
third_pref_offers      number_3rd_preference_offers          offers to third preferences
times_any_pref         times_put_as_any_preferred_school     applicants naming it at any rank
first_prefs            times_put_as_1st_preference           applicants naming it first
second_prefs           times_put_as_2nd_preference           applicants naming it second
third_prefs            times_put_as_3rd_preference           applicants naming it third
applications_other_la  all_applications_from_another_la      applications from other LAs
offers_other_la        offers_to_applicants_from_another_la  offers to them
number_of_preferences  number_of_preferences                 preferences a parent may name
averaged_from          fact_count                            source rows averaged (1 = actual)
=====================  ====================================  =====================================

Not read here: ``reading_progress``, ``writing_progress``, ``maths_progress``,
``progress_8`` and ``attainment_8`` are results (the KS2 and KS4 readers own
those), and ``proportion_1stprefs_v_1stprefoffers`` and
``proportion_1stprefs_v_totaloffers`` are ratios of the counts above.

Rows the author marked ``fact_flg`` ``Average`` (976 rows) are the mean of
``fact_count`` (2 to 6) source rows for the same school and year, so their
counts can be fractional (``56.5``). They are kept: ``averaged_from`` says
how many rows each value is the mean of, and is 1 for ``Actual`` rows.

``school_key`` 0 is the schema's "Not reported" school, with no URN. Its rows
(none in the July 2022 extract) are rejected with reason "school not
reported", since they cannot be attributed to a school and are not an area
total either.
"""

from __future__ import annotations

from pathlib import Path

from convenor.sources.base import (
    FileFormatError,
    ReadResult,
    RowError,
    parse_int,
    required_int,
)
from convenor.sources.measures import SchoolMeasures
from convenor.sources.tables import Row, read_table, school_key, whole_of
from convenor.sources.years import AcademicYear

__all__ = [
    "PREFERENCE_COLUMNS",
    "read_la_codes",
    "read_school_keys",
    "read_school_preferences",
]

ADMISSIONS_DATASET = "admissions"

PREFERENCE_COLUMNS: dict[str, str] = {
    "total_number_places_offered": "places_offered",
    "number_preferred_offers": "preferred_offers",
    "number_1st_preference_offers": "first_pref_offers",
    "number_2nd_preference_offers": "second_pref_offers",
    "number_3rd_preference_offers": "third_pref_offers",
    "times_put_as_any_preferred_school": "times_any_pref",
    "times_put_as_1st_preference": "first_prefs",
    "times_put_as_2nd_preference": "second_prefs",
    "times_put_as_3rd_preference": "third_prefs",
    "all_applications_from_another_la": "applications_other_la",
    "offers_to_applicants_from_another_la": "offers_other_la",
    "number_of_preferences": "number_of_preferences",
    "fact_count": "averaged_from",
}

_BOUNDS: dict[str, tuple[float, float]] = {
    **{name: (0.0, 1e6) for name in PREFERENCE_COLUMNS.values()},
    "number_of_preferences": (1.0, 20.0),
    "averaged_from": (1.0, 1000.0),
}

PHASES: dict[int, str] = {1: "primary", 2: "secondary"}
FACT_FLAGS = ("Actual", "Average")

_NEEDED = ("school_key", "la_key", "phase_key", "year_key", "fact_flg", *PREFERENCE_COLUMNS)


def read_school_keys(dim_school_path: Path | str) -> dict[int, tuple[int, int | None]]:
    """``school_key`` -> (URN, establishment number) from ``dim_school.csv``.

    The "Not reported" key 0 (URN 0) is left out. A row whose key or URN
    cannot be read raises :class:`FileFormatError`: a broken dimension would
    silently misattribute every fact that points at it.
    """
    source = Path(dim_school_path).name
    keys: dict[int, tuple[int, int | None]] = {}

    def parse(row: Row, values: dict[str, float | None], missing: dict[str, str]) -> int:
        key = required_int(row["school_key"], "school_key")
        urn = required_int(row["urn"], "urn")
        if key == 0:
            return key
        if not 100000 <= urn <= 9999999:
            raise RowError("urn", f"not a URN: {row['urn'].strip()[:20]!r}")
        estab = parse_int(row["establishment_number"], "establishment_number")
        if key in keys:
            raise RowError("school_key", f"school_key {key} appears twice")
        keys[key] = (urn, estab if isinstance(estab, int) else None)
        return key

    result = read_table(
        dim_school_path, parse, columns={}, needed=("school_key", "urn", "establishment_number")
    )
    if result.rejections:
        raise FileFormatError(source, f"unreadable dimension row: {result.rejections[0]}")
    return keys


def read_la_codes(dim_la_path: Path | str) -> dict[int, int]:
    """``la_key`` -> three-digit DfE LA code from ``dim_la.csv`` ("Not reported" 0 left out)."""
    source = Path(dim_la_path).name
    codes: dict[int, int] = {}

    def parse(row: Row, values: dict[str, float | None], missing: dict[str, str]) -> int:
        key = required_int(row["la_key"], "la_key")
        code = required_int(row["la_code"], "la_code")
        if key != 0:
            if not 100 <= code <= 999:
                raise RowError("la_code", f"not a three-digit LA code: {code}")
            codes[key] = code
        return key

    result = read_table(dim_la_path, parse, columns={}, needed=("la_key", "la_code"))
    if result.rejections:
        raise FileFormatError(source, f"unreadable dimension row: {result.rejections[0]}")
    return codes


def read_school_preferences(
    fct_school_year_path: Path | str,
    dim_school_path: Path | str,
    dim_la_path: Path | str | None = None,
) -> ReadResult[SchoolMeasures]:
    """Read school-level preferences and offers, one record per school, entry year and phase.

    The URN comes from ``dim_school``; a fact whose ``school_key`` is 0 or
    absent from the dimension is rejected. With ``dim_la_path`` the record's
    ``laestab`` is filled from the LA code and the establishment number.
    """
    schools = read_school_keys(dim_school_path)
    las = read_la_codes(dim_la_path) if dim_la_path is not None else {}
    periods: dict[int, str] = {}

    def parse(row: Row, values: dict[str, float | None], missing: dict[str, str]) -> SchoolMeasures:
        key = whole_of(row["school_key"], "school_key")
        if key == 0:
            raise RowError("school_key", "school not reported (school_key 0)")
        if key not in schools:
            raise RowError("school_key", f"school_key {key} is not in dim_school")
        urn, estab = schools[key]
        phase = whole_of(row["phase_key"], "phase_key")
        if phase not in PHASES:
            raise RowError("phase_key", f"unknown phase_key {phase} (1 primary, 2 secondary)")
        entry = whole_of(row["year_key"], "year_key")
        period = periods.get(entry)
        if period is None:
            if not 2000 <= entry <= 2100:
                raise RowError("year_key", f"not a year of entry: {entry}")
            period = periods[entry] = AcademicYear.of_entry(entry).label
        flag = row["fact_flg"].strip()
        if flag not in FACT_FLAGS:
            raise RowError("fact_flg", f"unknown fact_flg {flag[:20]!r} (Actual or Average)")
        count = values.get("averaged_from")
        if flag == "Actual" and count not in (1.0, None):
            raise RowError("fact_count", f"an Actual row with fact_count {count:g}")
        if flag == "Average" and (count is None or count < 2):
            raise RowError("fact_count", "an Average row must come from two or more rows")
        laestab = None
        if las and estab is not None:
            la_key = whole_of(row["la_key"], "la_key")
            if la_key in las:
                laestab = las[la_key] * 10000 + estab
        return SchoolMeasures(
            urn, period, ADMISSIONS_DATASET, values, missing, laestab, PHASES[phase]
        )

    return read_table(
        fct_school_year_path,
        parse,
        columns=PREFERENCE_COLUMNS,
        bounds=_BOUNDS,
        needed=_NEEDED,
        key=school_key,
    )
