"""The school register: establishments, local authorities and establishment types.

Every register file becomes :class:`EstablishmentRecord` rows describing the
establishment as at one date (``as_at``), whatever layout it came in. The
readers live with their file families:

- :mod:`convenor.sources.gias`: the GIAS download
  (:func:`~convenor.sources.gias.read_gias_establishments`), the July 2022
  star schema (:func:`~convenor.sources.gias.read_school_dimension`) and the
  GIAS type list (:func:`~convenor.sources.gias.read_establishment_types`).
- :mod:`convenor.sources.spine`: the DfE school information spine
  (:func:`~convenor.sources.spine.read_spine`) and its ``school_details`` cut
  (:func:`~convenor.sources.spine.read_school_details`), with the mapping of
  spine type names to GIAS ones and the phase derived from the spine's flags.

This module holds the records those readers return, the status and type
vocabulary, the small cell parsers they share, and the local-authority
readers: :func:`read_local_authorities` (``dim_la.csv``) and
:func:`read_la_region_codes` (performance-tables region groups).

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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from convenor.sources.base import (
    EARLIEST_DATE,
    LATEST_DATE,
    Missing,
    RawRow,
    ReadResult,
    RowError,
    is_blank_row,
    optional_int,
    parse_date,
    parse_number,
    read_rows,
)

R = TypeVar("R")

# --- Vocabulary -------------------------------------------------------------

STATUSES: tuple[str, ...] = ("Open", "Closed", "Open, but proposed to close", "Proposed to open")

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
