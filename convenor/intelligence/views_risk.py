"""The risk dashboard: every school in the reader's scope with its category, early-warning
risk and ranks, trend, main reasons and last inspection, as at a date; and its CSV.

Scores come from stored runs (ADR 0008's follow-up; :mod:`convenor.intelligence.scores`):
the page shows the newest run on or before its date and never fits a model. Who may
see it is the category review's scope (LA officers their LA, board members their
area), through :func:`convenor.intelligence.categorisation.category_scope`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from convenor.analytics.concern import day_words
from convenor.core.components import Link
from convenor.core.models import Role
from convenor.core.permissions import request_roles, role_required
from convenor.intelligence import risk
from convenor.intelligence.categorisation import CategoryScope, category_scope
from convenor.intelligence.forms_risk import DEFAULT_ORDER, DEFAULT_SORT, RiskFilterForm
from convenor.intelligence.models import Category
from convenor.schools.models import LocalAuthority
from convenor.schools.school_list import SortHeader, sortable_headers

#: Who sees model risk: the category reviewers (ADR 0008).
RISK_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.BOARD_MEMBER)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    text: str
    sort: str = ""
    numeric: bool = False
    asc: str = ""
    desc: str = ""


COLUMNS = (
    Column("School", "name", asc="name, A to Z", desc="name, Z to A"),
    Column(
        "Category",
        "category",
        asc="category, least concern first",
        desc="category, most concern first",
    ),
    Column("Risk", "rank", numeric=True, asc="risk, highest first", desc="risk, lowest first"),
    Column("Rank of all scored", numeric=True),
    Column(
        "Rank in LA",
        "la_rank",
        numeric=True,
        asc="rank in LA, highest risk first",
        desc="rank in LA, lowest risk first",
    ),
    Column(
        "Since the run before",
        "change",
        asc="change in risk, falling most first",
        desc="change in risk, rising most first",
    ),
    Column("Main reasons"),
    Column(
        "Last inspection",
        "inspected",
        asc="last inspection, earliest first",
        desc="last inspection, most recent first",
    ),
)
_DESCRIPTIONS = {(c.sort, "asc"): c.asc for c in COLUMNS if c.sort} | {
    (c.sort, "desc"): c.desc for c in COLUMNS if c.sort
}


def sort_headers(query: QueryDict, sort: str, order: str) -> list[SortHeader]:
    """The table's headings; each sortable one links to the list sorted by it, page 1."""
    return sortable_headers(
        query,
        ((c.text, c.sort, c.numeric) for c in COLUMNS),
        sort,
        order,
        default=(DEFAULT_SORT, DEFAULT_ORDER),
        describe=lambda key, direction: _DESCRIPTIONS[(key, direction)],
    )


def _form(request: HttpRequest, scope: CategoryScope) -> RiskFilterForm:
    las = list(
        LocalAuthority.objects.filter(code__in=scope.la_codes)
        .order_by("name")
        .values_list("code", "name")
    )
    phases = sorted(
        p
        for p in scope.reviewable_schools().order_by().values_list("phase", flat=True).distinct()
        if p
    )
    categories = sorted(
        set(
            Category.objects.filter(framework__la_code__in=scope.la_codes).values_list(
                "label", flat=True
            )
        )
    )
    return RiskFilterForm(request.GET, local_authorities=las, phases=phases, categories=categories)


def _dashboard(request: HttpRequest) -> tuple[RiskFilterForm, risk.Dashboard | None]:
    scope = category_scope(request_roles(request))
    form = _form(request, scope)
    if not form.is_valid():
        return form, None
    as_at: date = form.cleaned_data.get("as_at") or timezone.localdate()
    filters = risk.Filters(
        la=form.value("la"),
        phase=form.value("phase"),
        category=form.value("category"),
        governance=form.value("governance"),
        band=form.value("band"),
        q=form.value("q").strip(),
    )
    found = risk.build_dashboard(scope, as_at, filters)
    sort, order = form.sort_order
    return form, replace(found, rows=risk.sort_rows(found.rows, sort, order))


@dataclass(frozen=True)
class RowView:
    """One row as the table shows it."""

    row: risk.RiskRow
    trend: str
    href: str


@role_required(*RISK_ROLES)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The schools in scope by early-warning risk, filtered and sorted, 50 to a page."""
    form, board = _dashboard(request)
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "form": form,
        "dashboard": board,
        "csv_href": f"{reverse('risk:csv')}?{query.urlencode()}".rstrip("?"),
        "clear_href": reverse("risk:dashboard"),
        "choose_la": len(form.fields["la"].choices) > 2,  # type: ignore[attr-defined]
        "breadcrumbs": [Link("Home", reverse("schools:home"))],
    }
    if board is not None:
        sort, order = form.sort_order
        page = Paginator(board.rows, PAGE_SIZE).get_page(request.GET.get("page"))
        suffix = "" if board.as_at == timezone.localdate() else f"?as_at={board.as_at.isoformat()}"
        context |= {
            "page": page,
            "rows": [
                RowView(
                    row,
                    row.trend_words(board.previous),
                    reverse("risk:timeline", kwargs={"urn": row.school.urn}) + suffix,
                )
                for row in page
            ],
            "headers": sort_headers(request.GET, sort, order),
            "sorted_by": _DESCRIPTIONS[(sort, order)],
            "custom_sort": (sort, order) != (DEFAULT_SORT, DEFAULT_ORDER),
            "as_at_words": day_words(board.as_at),
            "run_words": day_words(board.run.as_at) if board.run else "",
            "trained": risk.training_words(board.run) if board.run else "",
            "previous_words": day_words(board.previous.as_at) if board.previous else "",
        }
    return render(request, "intelligence/risk/dashboard.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(board: risk.Dashboard) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in risk.csv_rows(board):
        yield writer.writerow(row)


@role_required(*RISK_ROLES)
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard as CSV: the same schools in the same order, every page at once."""
    _, board = _dashboard(request)
    if board is None:
        # The page shows what is wrong with the filters, beside the fields.
        return redirect(f"{reverse('risk:dashboard')}?{request.GET.urlencode()}")
    response = HttpResponse("".join(_csv_lines(board)), content_type="text/csv; charset=utf-8")
    name = f"risk-{board.as_at.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
