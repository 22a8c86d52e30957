"""What the GOV.UK component templates in ``templates/components/`` are given.

Views build these small frozen dataclasses; the templates only lay them out. Keeping the
shape in Python means a view's table or pagination can be tested without parsing HTML,
and every page draws a table the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page
from django.http import QueryDict


@dataclass(frozen=True)
class Link:
    """A link: a breadcrumb, a back link, a row action."""

    text: str
    href: str


@dataclass(frozen=True)
class Cell:
    """One table cell. ``header`` makes it the row's ``<th scope="row">``.

    ``tag`` shows a GOV.UK tag after the text, e.g. "Synthetic" on made-up data, which
    the design brief requires wherever such data is shown.
    """

    text: str
    href: str = ""
    numeric: bool = False
    header: bool = False
    tag: str = ""

    @classmethod
    def of(
        cls, value: object, *, href: str = "", numeric: bool = False, header: bool = False
    ) -> Cell:
        """A cell showing ``value``, with nothing shown for ``None``."""
        text = "" if value is None else str(value)
        return cls(text, href=href, numeric=numeric, header=header)


@dataclass(frozen=True)
class Table:
    """A GOV.UK table: a caption (every table needs one), column heads and rows.

    ``empty`` is shown across the whole table when there are no rows.
    """

    caption: str
    head: Sequence[Cell]
    rows: Sequence[Sequence[Cell]]
    empty: str = "None."
    caption_size: str = "m"


@dataclass(frozen=True)
class SummaryRow:
    """One key and value in a GOV.UK summary list, with an optional action link."""

    key: str
    value: str
    action: Link | None = None


@dataclass(frozen=True)
class PageLink:
    """One item in a pagination list; ``number`` is ``None`` for an ellipsis."""

    number: int | None
    href: str = ""
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    """GOV.UK pagination: previous and next links (empty at the ends) and page items."""

    previous: str
    next: str
    items: tuple[PageLink, ...] = field(default=())


def pagination(page: Page[Any], query: QueryDict, parameter: str = "page") -> Pagination | None:
    """Pagination for a Django ``Page``, or ``None`` when everything fits on one page.

    Each link keeps the request's other query parameters (filters), changing only
    ``parameter``. Long runs of pages collapse to an ellipsis around the current one,
    as the GOV.UK pattern asks.
    """
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return None

    def href(number: int) -> str:
        params = query.copy()
        params[parameter] = str(number)
        return f"?{params.urlencode()}"

    # Django's elided range gives page numbers, with its ELLIPSIS string for each gap.
    items = tuple(
        PageLink(number, href(number), number == page.number)
        if isinstance(number, int)
        else PageLink(None)
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    )
    return Pagination(
        previous=href(page.previous_page_number()) if page.has_previous() else "",
        next=href(page.next_page_number()) if page.has_next() else "",
        items=items,
    )
