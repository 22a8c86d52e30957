"""GIAS register files: the establishment download, the July 2022 star schema, the type list.

Both establishment readers return
:class:`~convenor.sources.register.EstablishmentRecord` rows describing the
establishment as at one date (``as_at``):

- :func:`read_gias_establishments`: the GIAS download layout
  (``gias_hants_surrey/20220419-gias.csv``, ``20220420_gias.csv``) and its
  ten-column cut (``2021-gias.csv``). Second and later linked establishments
  spill into unnamed trailing fields; they are read into ``links``.
- :func:`read_school_dimension`: the July 2022 star schema
  (``admissions_school_level_clarelgibson/dim_school.csv`` with the counts in
  ``fct_school.csv`` and the LA codes in ``dim_la.csv``).

The GIAS type list comes from :func:`read_establishment_types`, as
:class:`~convenor.sources.register.EstablishmentTypeRecord` rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from convenor.sources.base import (
    FileFormatError,
    RawRow,
    ReadResult,
    Rejection,
    RowError,
    is_blank_row,
    iter_csv,
    parse_urn,
    read_rows,
    read_text,
    require_columns,
)
from convenor.sources.register import (
    EstablishmentRecord,
    EstablishmentTypeRecord,
    _ages,
    _date,
    _dim_la,
    _extra_fields,
    _int,
    _laestab,
    _percent,
    _phase,
    _religion,
    _required_text,
    _run,
    _status,
    _text,
)

# Snapshot dates of files whose names carry no full date. 2021-gias.csv lists
# schools that opened on 1 April 2021 and schools that closed on 31 August
# 2021 (so were still open), but not one that opened on 1 September 2021: it
# was taken between those dates, and the earliest is the one it surely shows.
KNOWN_SNAPSHOT_DATES: Mapping[str, date] = {"2021-gias.csv": date(2021, 4, 1)}

# dim_school's last_changed_date runs to this day.
DIM_SCHOOL_AS_AT = date(2022, 7, 6)

_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


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
