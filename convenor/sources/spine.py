"""The DfE school information spine and its ``school_details`` cut.

Both readers return :class:`~convenor.sources.register.EstablishmentRecord`
rows describing the establishment as at one date (``as_at``):

- :func:`read_spine`: the DfE school information spine, as the England
  workbook (``perf_england_waiky8/2017-2018_england_spine.xlsx``) or as CSV
  (``perf_tables_la815_north_yorkshire/815_spine.csv``).
- :func:`read_school_details`: ``ofsted_history_waiky8/school_details_2018.csv``,
  a cut of the same spine with the minor group in place of the type.

Type names and groups
---------------------
``type_name`` and ``type_group`` are always GIAS names. The spine writes its own
type names (``NFTYPE``) and a coarser ``MINORGROUP``; they map as follows
(checked against the GIAS type list in
``gias_links_witan/edubasealldata20250422-establishment-types.csv``):

=========================================  ==================================  =====================
Spine ``NFTYPE``                           GIAS type name                      GIAS type group
=========================================  ==================================  =====================
Academy - Converter mainstream             Academy converter                   Academies
Academy sponsor led mainstream             Academy sponsor led                 Academies
Academy 16-19 converter                    Academy 16-19 converter             Academies
Academy 16-19 sponsor led                  Academy 16 to 19 sponsor led        Academies
Academy - Converter special school         Academy special converter           Academies
Academy - Sponsor led special school       Academy special sponsor led         Academies
Free school - Mainstream                   Free schools                        Free Schools
Free school  16-19 (two spaces)            Free schools 16 to 19               Free Schools
Free school - Special                      Free schools special                Free Schools
Studio school                              Studio schools                      Free Schools
University technical college               University technical college        Free Schools
Community school                           Community school                    LA maintained (1)
Foundation school                          Foundation school                   LA maintained (1)
Voluntary aided school                     Voluntary aided school              LA maintained (1)
Voluntary controlled school                Voluntary controlled school         LA maintained (1)
Community special school                   Community special school            Special schools
Foundation special school                  Foundation special school           Special schools
Non-maintained special school              Non-maintained special school       Special schools
Other independent special school           Other independent special school    Special schools
Other independent school                   Other independent school            Independent schools
City technology college                    City technology college             Independent schools
General further education college          Further education                   Colleges
Sixth form college                         Further education                   Colleges
Agriculture and horticulture college       Further education                   Colleges
Art, design and performing art college     Further education                   Colleges
Specialist designated college              Further education                   Colleges
Sixth form centre/consortia                Sixth form centres                  Colleges
Institution funded by other government     Institution funded by other         Other types
department                                 government department
Service childrens education                Service children's education        Other types
=========================================  ==================================  =====================

(1) "Local authority maintained schools".

An ``NFTYPE`` not in the table leaves ``type_name`` None and takes the group
from ``MINORGROUP`` where that is unambiguous. ``school_details_2018.csv``
has only the minor group (its ``Type`` column), so its records have no type
name and a group only where the minor group decides it: "Maintained School"
is "Local authority maintained schools" (it also holds the three city
technology colleges), "Academy" is "Academies" (free schools, studio schools
and UTCs included; GIAS puts those in "Free Schools"), "Independent School"
and "College" are "Independent schools" and "Colleges". "Special School" mixes
academies, maintained, non-maintained and independent special schools, so it
gives no group. The raw minor group is kept in ``minor_group``.

Phase
-----
GIAS files give the phase. The spine and ``school_details`` give only flags
for primary, secondary and post-16 ages, so the phase is derived: primary
only is "Primary" ("Middle deemed primary" when the school keeps pupils to
12 or later); secondary without primary is "Secondary"; post-16 only is
"16 plus"; primary and secondary together are a middle school when the top
age is 13 or less ("Middle deemed secondary" for 9-13 and 10-13, "Middle
deemed primary" otherwise) and "All-through" above that; no flag is "Not
applicable". GIAS calls most special and independent schools "Not
applicable"; the derivation gives them an age-based phase instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from convenor.sources.base import (
    FileFormatError,
    RawRow,
    ReadResult,
    RowError,
    iter_csv,
    iter_xlsx,
    parse_urn,
    read_text,
    require_columns,
)
from convenor.sources.register import (
    EstablishmentRecord,
    _ages,
    _date,
    _extra_fields,
    _int,
    _laestab,
    _religion,
    _required_text,
    _run,
    _status,
    _text,
)

# ICLOSE in the spine, Status in school_details.
_STATUS_CODES: Mapping[str, str] = {"1": "Open", "2": "Closed", "3": "Open, but proposed to close"}

# Spine NFTYPE -> (GIAS type name, GIAS type group); see the module docstring.
SPINE_TYPES: Mapping[str, tuple[str, str]] = {
    "Academy - Converter mainstream": ("Academy converter", "Academies"),
    "Academy sponsor led mainstream": ("Academy sponsor led", "Academies"),
    "Academy 16-19 converter": ("Academy 16-19 converter", "Academies"),
    "Academy 16-19 sponsor led": ("Academy 16 to 19 sponsor led", "Academies"),
    "Academy - Converter special school": ("Academy special converter", "Academies"),
    "Academy - Sponsor led special school": ("Academy special sponsor led", "Academies"),
    "Free school - Mainstream": ("Free schools", "Free Schools"),
    "Free school 16-19": ("Free schools 16 to 19", "Free Schools"),
    "Free school - Special": ("Free schools special", "Free Schools"),
    "Studio school": ("Studio schools", "Free Schools"),
    "University technical college": ("University technical college", "Free Schools"),
    "Community school": ("Community school", "Local authority maintained schools"),
    "Foundation school": ("Foundation school", "Local authority maintained schools"),
    "Voluntary aided school": ("Voluntary aided school", "Local authority maintained schools"),
    "Voluntary controlled school": (
        "Voluntary controlled school",
        "Local authority maintained schools",
    ),
    "Community special school": ("Community special school", "Special schools"),
    "Foundation special school": ("Foundation special school", "Special schools"),
    "Non-maintained special school": ("Non-maintained special school", "Special schools"),
    "Other independent special school": ("Other independent special school", "Special schools"),
    "Other independent school": ("Other independent school", "Independent schools"),
    "City technology college": ("City technology college", "Independent schools"),
    "General further education college": ("Further education", "Colleges"),
    "Sixth form college": ("Further education", "Colleges"),
    "Agriculture and horticulture college": ("Further education", "Colleges"),
    "Art, design and performing art college": ("Further education", "Colleges"),
    "Specialist designated college": ("Further education", "Colleges"),
    "Sixth form centre/consortia": ("Sixth form centres", "Colleges"),
    "Institution funded by other government department": (
        "Institution funded by other government department",
        "Other types",
    ),
    "Service childrens education": ("Service children's education", "Other types"),
}

# MINORGROUP -> GIAS type group, where the minor group alone decides it.
MINOR_GROUPS: Mapping[str, str | None] = {
    "Maintained School": "Local authority maintained schools",
    "Academy": "Academies",
    "Independent School": "Independent schools",
    "College": "Colleges",
    "Special School": None,
}

# Spine and school_details write "no other URN" this way on four new schools.
_OTHER_URN_PLACEHOLDER = 999999


def _flag(raw: str, field_name: str) -> bool:
    text = raw.strip()
    if text in ("1", "1.0"):
        return True
    if text in ("0", "0.0", ""):
        return False
    raise RowError(field_name, f"not a 0/1 flag: {text[:20]!r}")


def _other_urn(raw: str, field_name: str) -> int | None:
    if not raw.strip():
        return None
    value = parse_urn(raw, field_name)
    return None if value == _OTHER_URN_PLACEHOLDER else value


def derived_phase(
    primary: bool, secondary: bool, post16: bool, age_low: int | None, age_high: int | None
) -> str:
    """The GIAS phase implied by the spine's phase flags and age range (see module docstring)."""
    high = age_high if age_high is not None else 0
    low = age_low if age_low is not None else 0
    if primary and secondary:
        if high <= 13:
            return "Middle deemed secondary" if high == 13 and low >= 9 else "Middle deemed primary"
        return "All-through"
    if primary:
        return "Middle deemed primary" if high >= 12 else "Primary"
    if secondary:
        return "Secondary"
    if post16:
        return "16 plus"
    return "Not applicable"


def _as_at_from_rows(
    rows: list[RawRow],
    as_at: date | None,
    source: str,
    fields: tuple[str, str, str],
    serial: bool = False,
) -> date:
    """``as_at``, or the latest open date or closure in the rows when it is None.

    Close dates of schools not closed (status other than "2") are plans, not
    events, so they do not count. Unreadable dates are skipped here; their
    rows are rejected when parsed.
    """
    if as_at is not None:
        return as_at
    opened, closed, status = fields
    latest: date | None = None
    for row in rows:
        v = row.values
        cells = (v.get(opened, ""), v.get(closed, "") if v.get(status, "").strip() == "2" else "")
        for raw in cells:
            if not raw.strip():
                continue
            try:
                d = _date(raw, opened, serial)
            except RowError:
                continue
            if d is not None and (latest is None or d > latest):
                latest = d
    if latest is None:
        if not rows:
            return date.min  # no rows, no records to stamp
        raise ValueError(
            f"{source}: no open or close dates to infer the snapshot date from; pass as_at"
        )
    return latest


# --- Spine and school_details -----------------------------------------------

SPINE_NEEDED = (
    "URN",
    "LA",
    "ESTAB",
    "LAESTAB",
    "SCHNAME",
    "ICLOSE",
    "OPENDATE",
    "CLOSEDATE",
    "MINORGROUP",
    "NFTYPE",
    "ISPRIMARY",
    "ISSECONDARY",
    "ISPOST16",
    "AGEL",
    "AGEH",
)


def _spine_type(nftype: str, minor: str | None) -> tuple[str | None, str | None]:
    # The spine pads some names with double spaces ("Free school  16-19").
    key = " ".join(nftype.split())
    if key in SPINE_TYPES:
        return SPINE_TYPES[key]
    return None, MINOR_GROUPS.get(minor or "")


def read_spine(
    path: Path | str, as_at: date | None = None, sheet: str = "england"
) -> ReadResult[EstablishmentRecord]:
    """Read a DfE school information spine, as an ``.xlsx`` workbook or a CSV.

    In the workbook, ``line`` is the sheet row number and dates are Excel
    serial numbers; the CSV has ``YYYYMMDD`` dates. ``as_at`` defaults to the
    latest open date or closure in the file (7 November 2019 for the England
    spine). ``ICLOSE`` 1, 2, 3 are "Open", "Closed", "Open, but proposed to
    close"; ``OTHERURN`` 999999 is a placeholder read as None.
    """
    p = Path(path)
    name = p.name
    workbook = p.suffix.lower() in (".xlsx", ".xlsm")
    if workbook:
        header, rows = iter_xlsx(p, sheet)
    else:
        header, rows = iter_csv(read_text(p))
    if not header:
        raise FileFormatError(name, "the file is empty (no header row)")
    require_columns(header, SPINE_NEEDED, name)
    data = list(rows)
    when = _as_at_from_rows(data, as_at, name, ("OPENDATE", "CLOSEDATE", "ICLOSE"), workbook)

    def parse(row: RawRow) -> EstablishmentRecord:
        v = row.values
        g = v.get
        _extra_fields(row)
        la_code = _int(v["LA"], "LA", 100, 999)
        estab = _int(v["ESTAB"], "ESTAB", 0, 9999)
        laestab = _int(v["LAESTAB"], "LAESTAB", 1000000, 9999999)
        if laestab is None:
            laestab = _laestab(la_code, estab)
        elif la_code is not None and estab is not None and laestab != la_code * 10000 + estab:
            raise RowError("LAESTAB", f"{laestab} does not match LA {la_code} and ESTAB {estab}")
        age_low, age_high = _ages(v, "AGEL", "AGEH")
        minor = _text(v["MINORGROUP"])
        type_name, type_group = _spine_type(v["NFTYPE"], minor)
        return EstablishmentRecord(
            urn=parse_urn(v["URN"]),
            name=_required_text(v["SCHNAME"], "SCHNAME"),
            status=_status(v["ICLOSE"], "ICLOSE", _STATUS_CODES),
            as_at=when,
            source=name,
            laestab=laestab,
            la_code=la_code,
            type_name=type_name,
            type_group=type_group,
            phase=derived_phase(
                _flag(v["ISPRIMARY"], "ISPRIMARY"),
                _flag(v["ISSECONDARY"], "ISSECONDARY"),
                _flag(v["ISPOST16"], "ISPOST16"),
                age_low,
                age_high,
            ),
            open_date=_date(v["OPENDATE"], "OPENDATE", workbook),
            close_date=_date(v["CLOSEDATE"], "CLOSEDATE", workbook),
            age_low=age_low,
            age_high=age_high,
            gender=_text(g("GENDER", "")),
            religious_character=_religion(g("RELDENOM", "")),
            admissions_policy=_text(g("ADMPOL", "")),
            town=_text(g("TOWN", "")),
            postcode=_text(g("POSTCODE", "")),
            other_urn=_other_urn(g("OTHERURN", ""), "OTHERURN"),
            minor_group=minor,
        )

    result: ReadResult[EstablishmentRecord] = ReadResult(source=name)
    _run(result, data, parse, key=lambda r: r.urn)
    result.check_accounting()
    return result


SCHOOL_DETAILS_NEEDED = (
    "URN",
    "Name",
    "Status",
    "Date Opened",
    "Date Closed",
    "Type",
    "Primary",
    "Secondary",
    "Post 16",
    "Age From",
    "Age To",
    "Local Authority",
)


def read_school_details(
    path: Path | str, as_at: date | None = None
) -> ReadResult[EstablishmentRecord]:
    """Read ``school_details_2018.csv``, the November 2019 register cut with latest ratings.

    The file is Windows-1252 with ``YYYYMMDD`` dates; ``Other URN`` is a float
    (999999 is a placeholder, read as None). ``Type`` is the performance-tables
    minor group, so records have no type name (see the module docstring);
    ``as_at`` defaults to the latest open date or closure in the file. The
    rating columns belong to :mod:`convenor.sources.inspections`.
    """
    p = Path(path)
    name = p.name

    def parse(row: RawRow) -> EstablishmentRecord:
        v = row.values
        g = v.get
        _extra_fields(row)
        age_low, age_high = _ages(v, "Age From", "Age To")
        minor = _text(v["Type"])
        return EstablishmentRecord(
            urn=parse_urn(v["URN"]),
            name=_required_text(v["Name"], "Name"),
            status=_status(v["Status"], "Status", _STATUS_CODES),
            as_at=when,
            source=name,
            la_code=_int(v["Local Authority"], "Local Authority", 100, 999),
            type_group=MINOR_GROUPS.get(minor or ""),
            phase=derived_phase(
                _flag(v["Primary"], "Primary"),
                _flag(v["Secondary"], "Secondary"),
                _flag(v["Post 16"], "Post 16"),
                age_low,
                age_high,
            ),
            open_date=_date(v["Date Opened"], "Date Opened"),
            close_date=_date(v["Date Closed"], "Date Closed"),
            age_low=age_low,
            age_high=age_high,
            gender=_text(g("Gender", "")),
            religious_character=_religion(g("Religion", "")),
            town=_text(g("City", "")),
            postcode=_text(g("Postcode", "")),
            other_urn=_other_urn(g("Other URN", ""), "Other URN"),
            minor_group=minor,
        )

    header, rows = iter_csv(read_text(p))
    if not header:
        raise FileFormatError(name, "the file is empty (no header row)")
    require_columns(header, SCHOOL_DETAILS_NEEDED, name)
    data = list(rows)
    when = _as_at_from_rows(data, as_at, name, ("Date Opened", "Date Closed", "Status"))
    result: ReadResult[EstablishmentRecord] = ReadResult(source=name)
    _run(result, data, parse, key=lambda r: r.urn)
    result.check_accounting()
    return result
