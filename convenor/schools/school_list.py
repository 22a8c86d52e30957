"""The school list's columns, sort order, table and CSV rows.

The view filters with :class:`~convenor.schools.forms.SchoolListForm`; this module
turns the filtered schools into what the page and the CSV show, so both list the
same schools in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, OrderBy
from django.http import QueryDict

from convenor.core.components import Cell
from convenor.schools.forms import DEFAULT_ORDER, DEFAULT_SORT
from convenor.schools.models import Establishment
from convenor.schools.querysets import EstablishmentQuerySet

# Each sort key's database field; name and URN break ties so pages never overlap.
SORT_FIELDS = {
    "name": "name",
    "urn": "urn",
    "phase": "phase",
    "pupils": "census_pupils",
    "inspected": "latest_inspection_date",
}
SORT_DESCRIPTIONS = {
    ("name", "asc"): "name, A to Z",
    ("name", "desc"): "name, Z to A",
    ("urn", "asc"): "URN, lowest first",
    ("urn", "desc"): "URN, highest first",
    ("phase", "asc"): "phase, A to Z",
    ("phase", "desc"): "phase, Z to A",
    ("pupils", "asc"): "pupils, fewest first",
    ("pupils", "desc"): "pupils, most first",
    ("inspected", "asc"): "latest inspection, earliest first",
    ("inspected", "desc"): "latest inspection, most recent first",
}


def order_schools(schools: EstablishmentQuerySet, sort: str, order: str) -> EstablishmentQuerySet:
    """``schools`` sorted by a column; schools with no value for it come last either way."""
    field = F(SORT_FIELDS.get(sort, "name"))
    first: OrderBy = field.desc(nulls_last=True) if order == "desc" else field.asc(nulls_last=True)
    return schools.order_by(first, "name", "urn")


def school_href(urn: int) -> str:
    """The school's profile page."""
    return f"/schools/{urn}/"


@dataclass(frozen=True)
class SortHeader:
    """A column heading. A sortable one links to the list sorted by it; the sorted one
    carries ``aria_sort`` ("ascending" or "descending") for assistive technology."""

    text: str
    href: str = ""
    numeric: bool = False
    aria_sort: str = ""
    action: str = ""


@dataclass(frozen=True)
class Column:
    text: str
    sort: str = ""
    numeric: bool = False


COLUMNS = (
    Column("School", "name"),
    Column("URN", "urn"),
    Column("Phase", "phase"),
    Column("Type"),
    Column("Pupils", "pupils", numeric=True),
    Column("Latest inspection", "inspected"),
    Column("Outcome"),
)


def sortable_headers(
    query: QueryDict,
    columns: Iterable[tuple[str, str, bool]],
    sort: str,
    order: str,
    *,
    default: tuple[str, str],
    describe: Callable[[str, str], str],
) -> list[SortHeader]:
    """A table's headings from ``(text, sort key, numeric)`` columns (no key: not sortable).

    Each sortable heading links to the page sorted by it, back on page 1 and keeping the
    filters: ascending first, or reversed when it is the current sort. The link to the
    ``default`` (sort, order) leaves both out of the address. ``describe(key, order)``
    words the link's action for screen readers ("name, A to Z").
    """
    headers = []
    for text, key, numeric in columns:
        if not key:
            headers.append(SortHeader(text, numeric=numeric))
            continue
        current = key == sort
        next_order = "desc" if current and order == "asc" else "asc"
        params = query.copy()
        params.pop("page", None)
        params["sort"], params["order"] = key, next_order
        if (key, next_order) == default:
            del params["sort"], params["order"]
        headers.append(
            SortHeader(
                text,
                href=f"?{params.urlencode()}",
                numeric=numeric,
                aria_sort=("ascending" if order == "asc" else "descending") if current else "",
                action=f"sort by {describe(key, next_order)}",
            )
        )
    return headers


def sort_headers(query: QueryDict, sort: str, order: str) -> list[SortHeader]:
    """The school list's headings; each link keeps the filters and goes back to page 1."""
    return sortable_headers(
        query,
        ((c.text, c.sort, c.numeric) for c in COLUMNS),
        sort,
        order,
        default=(DEFAULT_SORT, DEFAULT_ORDER),
        describe=lambda key, direction: SORT_DESCRIPTIONS[(key, direction)],
    )


def long_date(day: date | None) -> str:
    """A date as GOV.UK writes it: 7 November 2019."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


def whole_number(value: float | None) -> str:
    return "" if value is None else f"{round(value):,}"


def census_month(period: str | None) -> str:
    """The month of the January school census of an academic year: 2018/19 -> January 2019."""
    if not period or not period[:4].isdigit():
        return ""
    return f"January {int(period[:4]) + 1}"


def table_rows(schools: Iterable[Establishment]) -> list[tuple[Cell, ...]]:
    """One row of cells per school, in :data:`COLUMNS` order."""
    rows: list[tuple[Cell, ...]] = []
    for school in schools:
        extra: Any = school  # the for_school_list annotations
        name = Cell(
            school.name,
            href=school_href(school.urn),
            header=True,
            tag="" if school.is_open else (school.status or "Closed"),
        )
        rows.append(
            (
                name,
                Cell.of(school.urn),
                Cell.of(school.phase or "Not recorded"),
                Cell.of(school.type_name or "Not recorded"),
                Cell(whole_number(extra.census_pupils) or "Not known", numeric=True),
                Cell.of(long_date(extra.latest_inspection_date) or "None on record"),
                Cell.of(extra.latest_rating or ""),
            )
        )
    return rows


CSV_HEAD = (
    "URN",
    "LAESTAB",
    "Name",
    "LA code",
    "Status",
    "Phase",
    "Type",
    "Type group",
    "Maintained or academy",
    "Academy trust",
    "District",
    "Town",
    "Postcode",
    "Open date",
    "Close date",
    "Pupils",
    "Pupils census",
    "Latest inspection date",
    "Latest inspection grade",
    "Latest inspection outcome",
    "Register as at",
)

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def _text(value: object) -> object:
    if isinstance(value, str) and _FORMULA_START.match(value):
        return f"'{value}"
    return value


def governance(school: Establishment) -> str:
    if school.is_academy:
        return "Academy"
    if school.is_state_funded:
        return "Maintained"
    return "Other"


def csv_rows(schools: Iterable[Establishment]) -> Iterator[Sequence[object]]:
    """The header, then one row per school, in :data:`CSV_HEAD` order."""
    yield CSV_HEAD
    for school in schools:
        extra: Any = school
        row = (
            school.urn,
            school.laestab,
            school.name,
            school.la_code,
            school.status,
            school.phase,
            school.type_name,
            school.type_group,
            governance(school),
            extra.trust or "",
            school.district,
            school.town,
            school.postcode,
            school.open_date or "",
            school.close_date or "",
            "" if extra.census_pupils is None else round(extra.census_pupils),
            census_month(extra.census_period),
            extra.latest_inspection_date or "",
            extra.latest_grade or "",
            extra.latest_rating or "",
            school.register_as_at,
        )
        yield tuple("" if value is None else _text(value) for value in row)


def csv_filename(la_code: int | None, la_name: str, on: date) -> str:
    """``schools-850-hampshire-2020-03-31.csv``: the LA and the day of the download."""
    slug = re.sub(r"[^a-z0-9]+", "-", la_name.lower()).strip("-")
    parts = ["schools", str(la_code or "all"), slug, on.isoformat()]
    return "-".join(part for part in parts if part) + ".csv"
