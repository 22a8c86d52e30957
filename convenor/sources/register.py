"""The school register: establishments, local authorities and establishment types.

Every register file becomes :class:`EstablishmentRecord` rows describing the
establishment as at one date (``as_at``), whatever layout it came in:

- :func:`read_gias_establishments`: the GIAS download layout
  (``gias_hants_surrey/20220419-gias.csv``, ``20220420_gias.csv``) and its
  ten-column cut (``2021-gias.csv``). Second and later linked establishments
  spill into unnamed trailing fields; they are read into ``links``.
- :func:`read_school_dimension`: the July 2022 star schema
  (``admissions_school_level_clarelgibson/dim_school.csv`` with the counts in
  ``fct_school.csv`` and the LA codes in ``dim_la.csv``).
- :func:`read_spine`: the DfE school information spine, as the England
  workbook (``perf_england_waiky8/2017-2018_england_spine.xlsx``) or as CSV
  (``perf_tables_la815_north_yorkshire/815_spine.csv``).
- :func:`read_school_details`: ``ofsted_history_waiky8/school_details_2018.csv``,
  a cut of the same spine with the minor group in place of the type.

Local authorities come from :func:`read_local_authorities` (``dim_la.csv``) and
:func:`read_la_region_codes` (performance-tables region groups); the GIAS type
list from :func:`read_establishment_types`.

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

State-funded and academy
------------------------
:attr:`EstablishmentRecord.is_academy` is true for every type in the GIAS
groups "Academies" and "Free Schools" (UTCs, studio schools and 16-19 free
schools included). :attr:`EstablishmentRecord.is_state_funded` follows the
DfE statistical definition of state-funded schools: LA-maintained schools
(including pupil referral units and LA nursery schools), community and
foundation special schools, academies and free schools of every kind, and
city technology colleges (GIAS files them under "Independent schools" but
the DfE funds them and counts them as state-funded mainstream schools). Not
state-funded: independent schools, non-maintained special schools (fee-funded,
even if by LAs), further education and sixth-form colleges, sixth-form
centres, universities, Welsh establishments, secure units, service children's
education, offshore and overseas schools, special post-16 institutions,
institutions funded by other government departments, miscellaneous, and
online providers. Both properties are None when the record carries neither a
type name nor a type group that decides the question.

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

import html
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar
from xml.etree import ElementTree
from xml.parsers import expat

from convenor.sources.base import (
    EARLIEST_DATE,
    LATEST_DATE,
    FileFormatError,
    Missing,
    RawRow,
    ReadResult,
    Rejection,
    RowError,
    is_blank_row,
    iter_csv,
    optional_int,
    parse_date,
    parse_number,
    parse_urn,
    read_rows,
    read_text,
    require_columns,
)

R = TypeVar("R")

# --- Vocabulary -------------------------------------------------------------

STATUSES: tuple[str, ...] = ("Open", "Closed", "Open, but proposed to close", "Proposed to open")

# ICLOSE in the spine, Status in school_details.
_STATUS_CODES: Mapping[str, str] = {"1": "Open", "2": "Closed", "3": "Open, but proposed to close"}

ACADEMY_GROUPS = frozenset({"Academies", "Free Schools"})

ACADEMY_TYPES = frozenset(
    {
        "Academy sponsor led",
        "Academy special sponsor led",
        "Academy converter",
        "Academy alternative provision converter",
        "Academy alternative provision sponsor led",
        "Academy special converter",
        "Academy 16-19 converter",
        "Academy 16 to 19 sponsor led",
        "Academy secure 16 to 19",
        "Free schools",
        "Free schools special",
        "Free schools alternative provision",
        "Free schools 16 to 19",
        "University technical college",
        "Studio schools",
    }
)

STATE_FUNDED_TYPES = ACADEMY_TYPES | frozenset(
    {
        "Community school",
        "Voluntary aided school",
        "Voluntary controlled school",
        "Foundation school",
        "Pupil referral unit",
        "Local authority nursery school",
        "Community special school",
        "Foundation special school",
        "City technology college",
    }
)

NOT_STATE_FUNDED_TYPES = frozenset(
    {
        "Further education",
        "Sixth form centres",
        "Higher education institutions",
        "Other independent school",
        "Non-maintained special school",
        "Other independent special school",
        "Welsh establishment",
        "Secure units",
        "Offshore schools",
        "Service children's education",
        "Miscellaneous",
        "Special post 16 institution",
        "British schools overseas",
        "Institution funded by other government department",
        "Online provider",
    }
)

STATE_FUNDED_GROUPS = frozenset({"Local authority maintained schools", "Academies", "Free Schools"})
# "Special schools" is in neither: it mixes maintained with non-maintained and independent.
NOT_STATE_FUNDED_GROUPS = frozenset(
    {
        "Colleges",
        "Universities",
        "Independent schools",
        "Welsh schools",
        "Other types",
        "Online provider",
    }
)

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

# Snapshot dates of files whose names carry no full date. 2021-gias.csv lists
# schools that opened on 1 April 2021 and schools that closed on 31 August
# 2021 (so were still open), but not one that opened on 1 September 2021: it
# was taken between those dates, and the earliest is the one it surely shows.
KNOWN_SNAPSHOT_DATES: Mapping[str, date] = {"2021-gias.csv": date(2021, 4, 1)}

# dim_school's last_changed_date runs to this day.
DIM_SCHOOL_AS_AT = date(2022, 7, 6)

_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


# --- Records ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class EstablishmentRecord:
    """One establishment as a register file describes it on ``as_at``.

    Text fields are None where the file has nothing or says "Not applicable"
    / "Does not apply"; ``religious_character`` None means no (or an unknown)
    religious character. ``links`` are (URN, link type) pairs, the link type
    being the role of that URN relative to this one (``"Predecessor"``).
    """

    urn: int
    name: str
    status: str
    as_at: date
    source: str
    laestab: int | None = None
    la_code: int | None = None
    type_name: str | None = None
    type_group: str | None = None
    phase: str | None = None
    open_date: date | None = None
    close_date: date | None = None
    age_low: int | None = None
    age_high: int | None = None
    gender: str | None = None
    religious_character: str | None = None
    diocese: str | None = None
    admissions_policy: str | None = None
    capacity: int | None = None
    pupils: int | None = None
    pupils_census_date: date | None = None
    fsm_percent: float | None = None
    easting: int | None = None
    northing: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    urban_rural: str | None = None
    district: str | None = None
    town: str | None = None
    postcode: str | None = None
    trust_name: str | None = None
    sponsor_name: str | None = None
    federation_name: str | None = None
    other_urn: int | None = None
    links: tuple[tuple[int, str], ...] = ()
    # The performance tables' coarse group ("Academy", "Special School" ...),
    # from the spine and school_details only.
    minor_group: str | None = None

    @property
    def is_academy(self) -> bool | None:
        """Academy or free school (GIAS groups "Academies" and "Free Schools"); None if unknown."""
        if self.type_name in STATE_FUNDED_TYPES or self.type_name in NOT_STATE_FUNDED_TYPES:
            return self.type_name in ACADEMY_TYPES
        if self.type_group is not None:
            return self.type_group in ACADEMY_GROUPS
        return None

    @property
    def is_state_funded(self) -> bool | None:
        """State-funded school in the DfE sense (see the module docstring); None if unknown."""
        if self.type_name in STATE_FUNDED_TYPES:
            return True
        if self.type_name in NOT_STATE_FUNDED_TYPES:
            return False
        if self.type_group in STATE_FUNDED_GROUPS:
            return True
        if self.type_group in NOT_STATE_FUNDED_GROUPS:
            return False
        return None

    @property
    def is_open(self) -> bool:
        """Open on ``as_at``, including schools proposed to close."""
        return self.status in ("Open", "Open, but proposed to close")


@dataclass(frozen=True, slots=True)
class LocalAuthorityRecord:
    """A local authority: three-digit DfE code, name and (where the file has them) region.

    ``region_code`` is the ONS region code in ``dim_la.csv`` but the DfE
    performance-tables region group number in ``la_and_region_codes_meta.csv``.
    """

    code: int
    name: str
    gss_code: str | None
    region_code: str | None
    region_name: str | None


@dataclass(frozen=True, slots=True)
class EstablishmentTypeRecord:
    """A GIAS establishment type and its group; ``fe_type`` is the FE type where one applies."""

    group_code: int
    group_name: str
    type_code: int
    type_name: str
    fe_type: str | None


# --- Small parsers ----------------------------------------------------------

_NULL_TEXT = frozenset(
    {"", "nan", "NULL", "Not applicable", "Does not apply", "Not reported", "Not recorded", "n/a"}
)
_NO_RELIGION = _NULL_TEXT | {"None", "Unknown"}
_NULL_PHASE = frozenset({"", "nan", "NULL", "Not reported", "n/a"})


def _text(raw: str) -> str | None:
    text = raw.strip()
    return None if text in _NULL_TEXT else text


def _religion(raw: str) -> str | None:
    text = raw.strip()
    return None if text in _NO_RELIGION else text


def _phase(raw: str) -> str | None:
    # "Not applicable" is a real GIAS phase (special schools, PRUs), so keep it.
    text = raw.strip()
    return None if text in _NULL_PHASE else text


def _required_text(raw: str, field_name: str) -> str:
    text = raw.strip()
    if not text or text in ("nan", "NULL", "Not reported"):
        raise RowError(field_name, "is blank")
    return text


def _int(raw: str, field_name: str, low: int = 0, high: int | None = None) -> int | None:
    # Most cells are plain digits: skip the general number parser for them.
    text = raw.strip()
    value = int(text) if text.isdigit() and text.isascii() else optional_int(text, field_name)
    if value is None:
        return None
    if value < low or (high is not None and value > high):
        raise RowError(field_name, f"out of range: {text[:20]!r}")
    return value


def _percent(raw: str, field_name: str) -> float | None:
    value = parse_number(raw, field_name)
    if isinstance(value, Missing):
        return None
    if not 0.0 <= value <= 100.0:
        raise RowError(field_name, f"not a percentage: {raw.strip()[:20]!r}")
    return value


_EXCEL_DAY_ZERO = date(1899, 12, 30)
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _date(raw: str, field_name: str, serial: bool = False) -> date | None:
    """A date in any spelling the register files use; Excel serials only when ``serial``.

    YYYYMMDD, ISO, DD-MM-YYYY and Excel serials are nearly every date read
    here, so they are parsed directly rather than through five strptime
    formats. A bare number that is not YYYYMMDD is junk, not a day count,
    except in a workbook (``serial``) for five digits: 1927 to 2173, the
    only serials a register date can have.
    """
    text = raw.strip()
    if not text:
        return None
    parts: tuple[str, str, str] | None = None
    if len(text) == 8:
        parts = (text[:4], text[4:6], text[6:])
    elif len(text) == 10 and text[4] == "-" and text[7] == "-":
        parts = (text[:4], text[5:7], text[8:])
    elif len(text) == 10 and text[2] == "-" and text[5] == "-":
        parts = (text[6:], text[3:5], text[:2])
    try:
        if parts is not None and all(x.isdigit() and x.isascii() for x in parts):
            d = date(int(parts[0]), int(parts[1]), int(parts[2]))
        elif serial and len(text) == 5 and text.isdigit() and text.isascii():
            d = _EXCEL_DAY_ZERO + timedelta(days=int(text))
        elif _NUMBER.fullmatch(text):
            raise ValueError(text)
        else:
            return parse_date(raw, field_name)
    except ValueError:
        raise RowError(field_name, f"not a date: {text[:40]!r}") from None
    if not EARLIEST_DATE <= d <= LATEST_DATE:
        raise RowError(field_name, f"date out of range: {text!r}")
    return d


def _status(raw: str, field_name: str, codes: Mapping[str, str] | None = None) -> str:
    text = raw.strip()
    if codes is not None:
        if text in codes:
            return codes[text]
    elif text in STATUSES:
        return text
    if not text:
        raise RowError(field_name, "is blank")
    raise RowError(field_name, f"not an establishment status: {text[:40]!r}")


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


def _ages(v: Mapping[str, str], low_field: str, high_field: str) -> tuple[int | None, int | None]:
    low = _int(v.get(low_field, ""), low_field, 0, 99)
    high = _int(v.get(high_field, ""), high_field, 0, 99)
    if low is not None and high is not None and low > high:
        raise RowError(high_field, f"highest age {high} is below lowest age {low}")
    return low, high


def _laestab(la_code: int | None, estab: int | None) -> int | None:
    if la_code is None or estab is None or not 100 <= la_code <= 999 or estab > 9999:
        return None
    return la_code * 10000 + estab


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


def parse_linked_establishments(
    values: Iterable[str], field_name: str
) -> tuple[tuple[int, str], ...]:
    """Read GIAS "Linked establishments" cells (``"115995 Predecessor"``) into (URN, type) pairs."""
    links: list[tuple[int, str]] = []
    for raw in values:
        text = raw.strip()
        if not text or text == "Does not have links":
            continue
        urn_text, _, kind = text.partition(" ")
        kind = kind.strip()
        if not kind:
            raise RowError(field_name, f"not a linked establishment: {text[:40]!r}")
        links.append((parse_urn(urn_text, field_name), kind))
    return tuple(links)


def _snapshot_date(path: Path) -> date | None:
    if path.name in KNOWN_SNAPSHOT_DATES:
        return KNOWN_SNAPSHOT_DATES[path.name]
    for m in _DATE_IN_NAME.finditer(path.name):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


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


def _run(
    result: ReadResult[R],
    rows: Iterable[RawRow],
    parse: Callable[[RawRow], R],
    key: Callable[[R], object] | None,
) -> None:
    """Account for each row: a record, or a rejection (blank, bad field, duplicate key)."""
    seen: dict[object, int] = {}
    for row in rows:
        result.rows_read += 1
        if is_blank_row(row):
            result.reject(row.line, None, "blank row")
            continue
        try:
            record = parse(row)
        except RowError as exc:
            result.reject(row.line, exc.field, exc.reason, row.values)
            continue
        if key is not None:
            k = key(record)
            first = seen.get(k)
            if first is not None:
                result.reject(row.line, None, f"duplicate of line {first} (same {k!r})", row.values)
                continue
            seen[k] = row.line
        result.add(row.line, record)


def _extra_fields(row: RawRow) -> None:
    if any(f.strip() for f in row.extra):
        raise RowError("(row)", f"{len(row.extra)} field(s) beyond the header")


# --- GIAS download ----------------------------------------------------------

GIAS_NEEDED = ("URN", "EstablishmentName")
_GIAS_LINKS = "Linked establishments"


def read_gias_establishments(
    path: Path | str, as_at: date | None = None
) -> ReadResult[EstablishmentRecord]:
    """Read a GIAS establishment download (full 111-column layout or a column subset).

    ``as_at`` defaults to the ``YYYYMMDD`` date in the file name, or the date
    in :data:`KNOWN_SNAPSHOT_DATES`; a file with neither needs ``as_at``. A
    file without a status column (the ten-column ``2021-gias.csv``) is an
    extract of open schools, so its records are "Open". Linked
    establishments in trailing unnamed fields are read into ``links``; extra
    fields in a file without that column reject the row.
    """
    p = Path(path)
    name = p.name
    when = as_at or _snapshot_date(p)
    if when is None:
        raise ValueError(f"{name}: no YYYYMMDD date in the file name; pass as_at")
    header, rows = iter_csv(read_text(p))
    if not header:
        raise FileFormatError(name, "the file is empty (no header row)")
    require_columns(header, GIAS_NEEDED, name)
    has_links = _GIAS_LINKS in header
    links_last = has_links and header[-1] == _GIAS_LINKS
    has_status = "EstablishmentStatus (name)" in header

    def parse(row: RawRow) -> EstablishmentRecord:
        v = row.values
        g = v.get
        if not links_last:
            _extra_fields(row)
        urn = parse_urn(v["URN"])
        la_code = _int(g("LA (code)", ""), "LA (code)", 0, 999)
        estab = _int(g("EstablishmentNumber", ""), "EstablishmentNumber", 0, 9999)
        age_low, age_high = _ages(v, "StatutoryLowAge", "StatutoryHighAge")
        links: tuple[tuple[int, str], ...] = ()
        if has_links:
            cells = [v[_GIAS_LINKS], *row.extra] if links_last else [v[_GIAS_LINKS]]
            links = parse_linked_establishments(cells, _GIAS_LINKS)
        status = (
            _status(v["EstablishmentStatus (name)"], "EstablishmentStatus (name)")
            if has_status
            else "Open"
        )
        return EstablishmentRecord(
            urn=urn,
            name=_required_text(v["EstablishmentName"], "EstablishmentName"),
            status=status,
            as_at=when,
            source=name,
            laestab=_laestab(la_code, estab),
            la_code=la_code,
            type_name=_text(g("TypeOfEstablishment (name)", "")),
            type_group=_text(g("EstablishmentTypeGroup (name)", "")),
            phase=_phase(g("PhaseOfEducation (name)", "")),
            open_date=_date(g("OpenDate", ""), "OpenDate"),
            close_date=_date(g("CloseDate", ""), "CloseDate"),
            age_low=age_low,
            age_high=age_high,
            gender=_text(g("Gender (name)", "")),
            religious_character=_religion(g("ReligiousCharacter (name)", "")),
            diocese=_text(g("Diocese (name)", "")),
            admissions_policy=_text(g("AdmissionsPolicy (name)", "")),
            capacity=_int(g("SchoolCapacity", ""), "SchoolCapacity"),
            pupils=_int(g("NumberOfPupils", ""), "NumberOfPupils"),
            pupils_census_date=_date(g("CensusDate", ""), "CensusDate"),
            fsm_percent=_percent(g("PercentageFSM", ""), "PercentageFSM"),
            easting=_int(g("Easting", ""), "Easting", 0, 800000),
            northing=_int(g("Northing", ""), "Northing", 0, 1300000),
            urban_rural=_text(g("UrbanRural (name)", "")),
            district=_text(g("DistrictAdministrative (name)", "")),
            town=_text(g("Town", "")),
            postcode=_text(g("Postcode", "")),
            trust_name=_text(g("Trusts (name)", "")),
            sponsor_name=_text(g("SchoolSponsors (name)", "")),
            federation_name=_text(g("Federations (name)", "")),
            links=links,
        )

    result: ReadResult[EstablishmentRecord] = ReadResult(source=name)
    _run(result, rows, parse, key=lambda r: r.urn)
    result.check_accounting()
    return result


# --- Local authorities ------------------------------------------------------

DIM_LA_NEEDED = ("la_key", "la_code", "gss_la_code", "la_name", "region_code", "region_name")


def _dim_la(path: Path | str) -> tuple[ReadResult[LocalAuthorityRecord], dict[int, int]]:
    keys: dict[int, int] = {}
    pending: dict[int, int] = {}

    def parse(row: RawRow) -> LocalAuthorityRecord:
        v = row.values
        la_key = _int(v["la_key"], "la_key")
        if la_key is None:
            raise RowError("la_key", "is blank")
        if la_key == 0:
            raise RowError("la_key", "la_key 0 is the 'Not reported' placeholder, not an LA")
        code = _int(v["la_code"], "la_code", 100, 999)
        if code is None:
            raise RowError("la_code", "is blank")
        pending[row.line] = la_key
        return LocalAuthorityRecord(
            code=code,
            name=_required_text(v["la_name"], "la_name"),
            gss_code=_text(v["gss_la_code"]),
            region_code=_text(v["region_code"]),
            region_name=_text(v["region_name"]),
        )

    result = read_rows(path, parse, needed=DIM_LA_NEEDED, key=lambda r: r.code)
    for line, record in zip(result.lines, result.records, strict=True):
        keys[pending[line]] = record.code
    return result, keys


def read_local_authorities(path: Path | str) -> ReadResult[LocalAuthorityRecord]:
    """Read ``dim_la.csv``: DfE code, ONS code, name and ONS region of each LA.

    The ``la_key`` 0 "Not reported" row is rejected as a placeholder.
    """
    return _dim_la(path)[0]


LA_REGION_NEEDED = ("LEA", "LA Name", "REGION", "REGION NAME")


def read_la_region_codes(path: Path | str) -> ReadResult[LocalAuthorityRecord]:
    """Read ``la_and_region_codes_meta.csv``: LA code and name with the DfE region group.

    The region here is a performance-tables grouping ("North East A"), not an
    ONS region; there is no ONS code, so ``gss_code`` is None.
    """

    def parse(row: RawRow) -> LocalAuthorityRecord:
        v = row.values
        code = _int(v["LEA"], "LEA", 100, 999)
        if code is None:
            raise RowError("LEA", "is blank")
        region = _int(v["REGION"], "REGION")
        return LocalAuthorityRecord(
            code=code,
            name=_required_text(v["LA Name"], "LA Name"),
            gss_code=None,
            region_code=None if region is None else str(region),
            region_name=_text(v["REGION NAME"]),
        )

    return read_rows(path, parse, needed=LA_REGION_NEEDED, key=lambda r: r.code)


# --- Establishment types ----------------------------------------------------

TYPES_NEEDED = (
    "establishment-type-group-code",
    "establishment-type-group-name",
    "type-of-establishment-code",
    "type-of-establishment-name",
)


def read_establishment_types(path: Path | str) -> ReadResult[EstablishmentTypeRecord]:
    """Read the GIAS establishment-type list; one row per type and FE type."""

    def parse(row: RawRow) -> EstablishmentTypeRecord:
        v = row.values
        group_code = _int(v["establishment-type-group-code"], "establishment-type-group-code")
        type_code = _int(v["type-of-establishment-code"], "type-of-establishment-code")
        if group_code is None:
            raise RowError("establishment-type-group-code", "is blank")
        if type_code is None:
            raise RowError("type-of-establishment-code", "is blank")
        return EstablishmentTypeRecord(
            group_code=group_code,
            group_name=_required_text(
                v["establishment-type-group-name"], "establishment-type-group-name"
            ),
            type_code=type_code,
            type_name=_required_text(v["type-of-establishment-name"], "type-of-establishment-name"),
            fe_type=_text(v.get("further-education-type-name-applicable", "")),
        )

    return read_rows(path, parse, needed=TYPES_NEEDED, key=lambda r: (r.type_code, r.fe_type))


# --- dim_school + fct_school ------------------------------------------------

DIM_SCHOOL_NEEDED = (
    "school_key",
    "urn",
    "establishment_number",
    "establishment_name",
    "establishment_type",
    "establishment_type_group",
    "establishment_status",
    "open_date",
    "close_date",
    "education_phase",
    "statutory_low_age",
    "statutory_high_age",
)
FCT_SCHOOL_NEEDED = (
    "school_key",
    "la_key",
    "school_capacity",
    "number_of_pupils",
    "percentage_fsm",
)


@dataclass(frozen=True, slots=True)
class _Counts:
    la_key: int | None
    capacity: int | None
    pupils: int | None
    fsm_percent: float | None


def _fct_counts(
    path: Path, la_codes: Mapping[int, int] | None
) -> tuple[dict[int, _Counts], list[Rejection], list[tuple[int, int]]]:
    """Read fct_school: the counts to use per school_key, the rows rejected, and the
    (line, school_key) of each row whose counts are used, so orphans can be found."""
    name = path.name
    header, rows = iter_csv(read_text(path))
    if not header:
        raise FileFormatError(name, "the file is empty (no header row)")
    require_columns(header, FCT_SCHOOL_NEEDED, name)
    rejections: list[Rejection] = []
    first: dict[int, tuple[int, _Counts, dict[str, str]]] = {}
    conflicted: dict[int, set[int | None]] = {}  # school_key -> la_keys its rows give
    for row in rows:
        v = row.values
        if is_blank_row(row):
            rejections.append(Rejection(name, row.line, None, "blank row"))
            continue
        try:
            key = _int(v["school_key"], "school_key")
            if key is None:
                raise RowError("school_key", "is blank")
            la_key = _int(v["la_key"], "la_key")
            if la_codes is not None and la_key is not None and la_key not in la_codes:
                raise RowError("la_key", f"la_key {la_key} is not an LA in dim_la.csv")
            counts = _Counts(
                la_key,
                _int(v["school_capacity"], "school_capacity"),
                _int(v["number_of_pupils"], "number_of_pupils"),
                _percent(v["percentage_fsm"], "percentage_fsm"),
            )
        except RowError as exc:
            rejections.append(Rejection(name, row.line, exc.field, exc.reason, v))
            continue
        if key not in first:
            first[key] = (row.line, counts, v)
            continue
        first_line, first_counts, first_values = first[key]
        if counts == first_counts:
            rejections.append(
                Rejection(name, row.line, "school_key", f"duplicate of line {first_line}", v)
            )
            continue
        # Nothing in the file says which row is right. In July 2022 the pairs
        # are schools formed by a split, the first row carrying the figures of
        # the school before the split; so neither row's figures are used.
        reason = "conflicting duplicate of line {} (school_key {}); neither row's figures used"
        rejections.append(
            Rejection(name, row.line, "school_key", reason.format(first_line, key), v)
        )
        if key not in conflicted:
            conflicted[key] = {first_counts.la_key}
            rejections.append(
                Rejection(
                    name, first_line, "school_key", reason.format(row.line, key), first_values
                )
            )
        conflicted[key].add(counts.la_key)
    usable = {k: c for k, (_, c, _) in first.items() if k not in conflicted}
    lines = [(line, k) for k, (line, _, _) in first.items() if k not in conflicted]
    # Rows that disagree on the figures may still agree on the LA.
    for k, la_keys in conflicted.items():
        if len(la_keys) == 1:
            usable[k] = _Counts(la_keys.pop(), None, None, None)
    return usable, rejections, lines


def read_school_dimension(
    dim_path: Path | str,
    fct_path: Path | str,
    la_path: Path | str | None = None,
    as_at: date | None = None,
) -> ReadResult[EstablishmentRecord]:
    """Read the July 2022 schools of ``dim_school.csv`` with the counts in ``fct_school.csv``.

    ``la_path`` (``dim_la.csv``; by default the one beside ``dim_path`` if
    present) turns ``la_key`` into the DfE LA code. ``as_at`` defaults to
    :data:`DIM_SCHOOL_AS_AT`.

    Accounting covers both files: each ``dim_school`` row is a record or a
    rejection (``school_key`` 0 is the "Not reported" placeholder); a
    ``fct_school`` row that supplies a record's figures is part of that
    record, and every other ``fct_school`` row (bad, duplicate, or for a
    ``school_key`` not in ``dim_school``) is counted in ``rows_read`` and
    rejected under its own file name. Two rows for one school with different
    figures are both rejected and the school keeps no figures (only the LA,
    when both rows give the same).
    """
    dim = Path(dim_path)
    fct = Path(fct_path)
    when = as_at or DIM_SCHOOL_AS_AT
    la_file = Path(la_path) if la_path is not None else dim.with_name("dim_la.csv")
    la_codes: dict[int, int] | None = None
    if la_path is not None or la_file.is_file():
        la_codes = _dim_la(la_file)[1]
    counts, fct_rejections, usable = _fct_counts(fct, la_codes)
    used: set[int] = set()
    name = dim.name

    def parse(row: RawRow) -> EstablishmentRecord:
        v = row.values
        school_key = _int(v["school_key"], "school_key")
        if school_key is None:
            raise RowError("school_key", "is blank")
        if school_key == 0:
            raise RowError(
                "school_key", "school_key 0 is the 'Not reported' placeholder, not a school"
            )
        urn = parse_urn(v["urn"], "urn")
        age_low, age_high = _ages(v, "statutory_low_age", "statutory_high_age")
        estab = _int(v["establishment_number"], "establishment_number", 0, 9999)
        c = counts.get(school_key)
        la_code = (
            la_codes.get(c.la_key) if la_codes is not None and c and c.la_key is not None else None
        )
        g = v.get
        record = EstablishmentRecord(
            urn=urn,
            name=_required_text(v["establishment_name"], "establishment_name"),
            status=_status(v["establishment_status"], "establishment_status"),
            as_at=when,
            source=name,
            laestab=_laestab(la_code, estab),
            la_code=la_code,
            type_name=_text(v["establishment_type"]),
            type_group=_text(v["establishment_type_group"]),
            phase=_phase(v["education_phase"]),
            open_date=_date(v["open_date"], "open_date"),
            close_date=_date(v["close_date"], "close_date"),
            age_low=age_low,
            age_high=age_high,
            gender=_text(g("gender", "")),
            religious_character=_religion(g("religious_character", "")),
            admissions_policy=_text(g("admissions_policy", "")),
            capacity=c.capacity if c else None,
            pupils=c.pupils if c else None,
            fsm_percent=c.fsm_percent if c else None,
            easting=_int(g("easting", ""), "easting", 0, 800000),
            northing=_int(g("northing", ""), "northing", 0, 1300000),
            urban_rural=_text(g("urban_rural_indicator", "")),
            district=_text(g("administrative_district", "")),
            town=_text(g("town", "")),
            postcode=_text(g("postcode", "")),
        )
        if c is not None:
            used.add(school_key)
        return record

    header, rows = iter_csv(read_text(dim))
    if not header:
        raise FileFormatError(name, "the file is empty (no header row)")
    require_columns(header, DIM_SCHOOL_NEEDED, name)
    result: ReadResult[EstablishmentRecord] = ReadResult(source=name)
    _run(result, rows, parse, key=lambda r: r.urn)
    # A record rejected as a duplicate URN after parsing may have claimed its
    # counts; the rejection stands for the dim row, the fct row goes with it.
    for line, key in usable:
        if key not in used:
            fct_rejections.append(
                Rejection(fct.name, line, "school_key", f"school_key {key} has no school in {name}")
            )
    fct_rejections.sort(key=lambda r: r.line)
    result.rejections.extend(fct_rejections)
    result.rows_read += len(fct_rejections)
    result.check_accounting()
    return result


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
        header, rows = read_xlsx_rows(p, sheet)
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


# --- A streaming xlsx sheet reader ------------------------------------------
#
# openpyxl's read-only mode needs about ten seconds for the 26,078-row England
# spine; expat over the sheet XML needs under half that, so the workbook is
# read here directly. Cells come back as the text Excel stores: numbers as
# written ("100000", "43405" for a date), shared and inline strings resolved.

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# Expat without namespace processing is markedly faster, so element names are
# matched as written; this finds the prefix (usually none) the part uses.
_ROOT_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]*:)?(?:worksheet|sst)[\s>/]")
_ROW_DIGITS = "0123456789"
_column_cache: dict[str, int] = {}


def _column_index(ref: str) -> int:
    letters = ref.rstrip(_ROW_DIGITS)
    index = _column_cache.get(letters)
    if index is None:
        n = 0
        for ch in letters.upper():
            if not "A" <= ch <= "Z":
                return -1
            n = n * 26 + ord(ch) - 64
        index = _column_cache[letters] = n - 1
    return index


def _sheet_part(zf: zipfile.ZipFile, sheet: str, source: str) -> str:
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError) as exc:
        raise FileFormatError(source, f"not an Excel workbook ({exc})") from None
    names: dict[str, str] = {}
    for s in workbook.iter(f"{{{_MAIN}}}sheet"):
        names[s.get("name", "")] = s.get(f"{{{_OFFICE_REL}}}id", "")
    if sheet not in names:
        raise FileFormatError(source, f"no sheet {sheet!r} (sheets: {', '.join(names)})")
    for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
        if rel.get("Id") == names[sheet]:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise FileFormatError(source, f"sheet {sheet!r} has no part in the workbook")


_Handlers = tuple[
    Callable[[str, dict[str, str]], None], Callable[[str], None], Callable[[str], None]
]


def _parse_part(zf: zipfile.ZipFile, part: str, handlers: Callable[[str], _Handlers]) -> None:
    """Run expat over a workbook part with the handlers made for the part's element prefix."""
    source = Path(zf.filename or "").name
    with zf.open(part) as f:
        m = _ROOT_PREFIX.search(f.read(4096))
    prefix = m.group(1).decode() if m and m.group(1) else ""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = handlers(
        prefix
    )
    try:
        # ParseFile is about a quarter faster than feeding chunks to Parse here.
        with zf.open(part) as f:
            parser.ParseFile(f)
    except expat.ExpatError as exc:
        raise FileFormatError(source, f"unreadable XML in {part}: {exc}") from None


_FAST_STRING = re.compile(r"<si><t(?:\s[^>]*)?>([^<]*)</t></si>|<si><t\s*/></si>")


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    # Plain strings (no rich text) by regular expression when every one is plain.
    try:
        text = zf.read("xl/sharedStrings.xml").decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    found = _FAST_STRING.findall(text)
    if found and len(found) == text.count("<si>") and not text.count("<si "):
        return [html.unescape(s) if "&" in s else s for s in found]
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "skip": 0}

    def handlers(
        prefix: str,
    ) -> tuple[Callable[[str, dict[str, str]], None], Callable[[str], None], Callable[[str], None]]:
        si, t, rph = f"{prefix}si", f"{prefix}t", f"{prefix}rPh"

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == si:
                parts.clear()
            elif tag == t:
                state["in_t"] = True
            elif tag == rph:  # phonetic guides are not part of the text
                state["skip"] += 1

        def end(tag: str) -> None:
            if tag == si:
                strings.append("".join(parts))
            elif tag == t:
                state["in_t"] = False
            elif tag == rph:
                state["skip"] -= 1

        def data(text: str) -> None:
            if state["in_t"] and not state["skip"]:
                parts.append(text)

        return start, end, data

    _parse_part(zf, "xl/sharedStrings.xml", handlers)
    return strings


class _SheetState:
    """Where the sheet parser is: row number, current cell, and the text collected."""

    __slots__ = ("cells", "col", "collecting", "done", "kind", "parts", "row")

    def __init__(self) -> None:
        self.row = 0
        self.col = -1
        self.kind: str | None = None
        self.collecting = False
        self.parts: list[str] = []
        self.cells: list[tuple[int, str]] = []
        self.done: list[tuple[int, list[tuple[int, str]]]] = []


def _sheet_cells(
    zf: zipfile.ZipFile, part: str, strings: list[str]
) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """(row number, [(column index, text), ...]) for each row of a worksheet part."""
    st = _SheetState()

    def handlers(
        prefix: str,
    ) -> tuple[Callable[[str, dict[str, str]], None], Callable[[str], None], Callable[[str], None]]:
        row_tag, c_tag, v_tag, t_tag = (f"{prefix}{n}" for n in ("row", "c", "v", "t"))
        text_tags = (v_tag, t_tag)

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == c_tag:
                ref = attrs.get("r")
                # Cells and rows may omit their reference; they then follow the previous one.
                st.col = _column_index(ref) if ref else st.col + 1
                st.kind = attrs.get("t")
                st.parts.clear()
            elif tag in text_tags:
                st.collecting = True
            elif tag == row_tag:
                r = attrs.get("r")
                st.row = int(r) if r and r.isdigit() else st.row + 1
                st.col = -1
                st.cells = []

        def end(tag: str) -> None:
            if tag in text_tags:
                st.collecting = False
            elif tag == c_tag:
                text = "".join(st.parts)
                if st.kind == "s":
                    index = int(text) if text.isdigit() else -1
                    text = strings[index] if 0 <= index < len(strings) else ""
                if text and st.col >= 0:
                    st.cells.append((st.col, text))
            elif tag == row_tag and st.cells:
                st.done.append((st.row, st.cells))

        def data(text: str) -> None:
            if st.collecting:
                st.parts.append(text)

        return start, end, data

    _parse_part(zf, part, handlers)
    return iter(st.done)


# Cells as Excel, openpyxl and most writers put them: the reference first, no
# element prefix. Matching them with one regular expression is four times
# faster than expat; a sheet in any other form goes to the expat reader.
_FAST_CELL = re.compile(
    r'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|><v>([^<]*)</v></c>|>(.*?)</c>)', re.S
)
_FAST_VALUE = re.compile(r"<v>(.*?)</v>", re.S)
_FAST_TEXT = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>", re.S)


def _sheet_cells_fast(
    zf: zipfile.ZipFile, part: str, strings: list[str]
) -> Iterator[tuple[int, list[tuple[int, str]]]] | None:
    """The cells of a worksheet part read by regular expression, or None if it is not
    in the plain form the expression expects (then :func:`_sheet_cells` reads it)."""
    try:
        text = zf.read(part).decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = _ROOT_PREFIX.search(text[:4096].encode())
    if head is None or head.group(1) or "<c>" in text or "<c/>" in text:
        return None
    found = _FAST_CELL.findall(text)
    # Every cell element must have matched, or some other form is present.
    if len(found) != text.count("<c "):
        return None
    del text
    rows: list[tuple[int, list[tuple[int, str]]]] = []
    current = ""
    cells: list[tuple[int, str]] = []
    columns: dict[str, int] = {}
    for letters, number, attrs, value, body in found:
        if number != current:
            cells = []
            rows.append((int(number), cells))
            current = number
        if body:
            if 'inlineStr"' in attrs:
                value = "".join(_FAST_TEXT.findall(body))
            else:
                m = _FAST_VALUE.search(body)
                value = m.group(1) if m else ""
        if not value:
            continue
        if 't="s"' in attrs:
            index = int(value) if value.isdigit() else -1
            value = strings[index] if 0 <= index < len(strings) else ""
            if not value:
                continue
        elif "&" in value:
            value = html.unescape(value)
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = _column_index(letters)
        cells.append((col, value))
    return iter([(n, c) for n, c in rows if c])


def read_xlsx_rows(path: Path | str, sheet: str) -> tuple[list[str], Iterator[RawRow]]:
    """Split one sheet of a workbook into its header (row 1) and data rows.

    Like :func:`convenor.sources.base.iter_csv`, but ``line`` is the sheet row
    number and every cell is the text Excel stores (Excel serial numbers for
    dates, which ``parse_date`` reads). Rows Excel leaves out (empty) are not
    rows at all.
    """
    p = Path(path)
    try:
        zf = zipfile.ZipFile(p)
    except zipfile.BadZipFile:
        raise FileFormatError(p.name, "not an Excel workbook") from None
    part = _sheet_part(zf, sheet, p.name)
    strings = _shared_strings(zf)
    cells = _sheet_cells_fast(zf, part, strings)
    if cells is None:
        cells = _sheet_cells(zf, part, strings)
    first = next(cells, None)
    if first is None:
        zf.close()
        return [], iter(())
    titles = dict(first[1])
    width = max(titles, default=-1) + 1
    header = [titles.get(i, "").strip() for i in range(width)]

    def rows() -> Iterator[RawRow]:
        try:
            for number, pairs in cells:
                values = [""] * width
                extra: list[str] = []
                for col, text in pairs:
                    if col < width:
                        values[col] = text
                    else:
                        extra.extend([""] * (col - width - len(extra)))
                        extra.append(text)
                yield RawRow(number, dict(zip(header, values, strict=True)), tuple(extra))
        finally:
            zf.close()

    return header, rows()
