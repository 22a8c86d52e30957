"""Pages of the register: the home page (one LA at a glance) and the school list."""

from __future__ import annotations

import csv
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from convenor.core.permissions import ANY_ROLE, role_required
from convenor.schools.areas import default_la_code, local_authority_options
from convenor.schools.forms import (
    DEFAULT_ORDER,
    DEFAULT_SORT,
    LocalAuthorityForm,
    SchoolListForm,
)
from convenor.schools.home import at_a_glance
from convenor.schools.models import Establishment
from convenor.schools.querysets import EstablishmentQuerySet
from convenor.schools.school_list import (
    SORT_DESCRIPTIONS,
    csv_filename,
    csv_rows,
    order_schools,
    sort_headers,
    table_rows,
)

PAGE_SIZE = 50


@role_required(*ANY_ROLE)
def home(request: HttpRequest) -> HttpResponse:
    """The open schools of one LA at a glance: counts by phase, type, governance,
    latest inspection and trust, each linking to the school list."""
    options = local_authority_options()
    form = LocalAuthorityForm(
        request.GET, local_authorities=options, default_la=default_la_code(request.user, options)
    )
    form.is_valid()
    la_code = form.la_code
    glance = at_a_glance(la_code, form.la_name) if la_code is not None else None
    return render(
        request,
        "schools/home.html",
        {"form": form, "glance": glance, "choose_la": len(form.la_names) > 1},
    )


def _school_list_form(request: HttpRequest) -> SchoolListForm:
    options = local_authority_options()
    form = SchoolListForm(
        request.GET, local_authorities=options, default_la=default_la_code(request.user, options)
    )
    form.is_valid()
    return form


def _listed_schools(form: SchoolListForm) -> EstablishmentQuerySet:
    """The schools the form asks for, in its order: the same for the page and the CSV."""
    sort, order = form.sort_order
    return order_schools(form.filter(Establishment.objects.for_school_list()), sort, order)


@role_required(*ANY_ROLE)
def school_list(request: HttpRequest) -> HttpResponse:
    """Every school of one LA, searched, filtered and sorted, 50 to a page."""
    form = _school_list_form(request)
    sort, order = form.sort_order
    sorted_by = SORT_DESCRIPTIONS[(sort, order)]
    page = Paginator(_listed_schools(form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filters = [form[name] for name in ("la", *SchoolListForm.FILTERS)]
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "headers": sort_headers(request.GET, sort, order),
        "rows": table_rows(page),
        "sorted_by": sorted_by,
        "table_caption": _caption(form, page, sorted_by),
        "csv_href": f"{reverse('schools:list-csv')}?{query.urlencode()}".rstrip("?"),
        "clear_href": f"{reverse('schools:list')}?la={form.la_code}"
        if form.la_code is not None
        else reverse("schools:list"),
        "custom_sort": (sort, order) != (DEFAULT_SORT, DEFAULT_ORDER),
        # Three filters to a row, so each row's fields line up however tall their errors.
        "filter_rows": [filters[i : i + 3] for i in range(0, len(filters), 3)],
    }
    return render(request, "schools/school_list.html", context)


def _caption(form: SchoolListForm, page: Page[Any], sorted_by: str) -> str:
    where = f" in {form.la_name}" if form.la_name else ""
    pages = page.paginator.num_pages
    of = f", page {page.number} of {pages}" if pages > 1 else ""
    return f"Schools{where}{of}, sorted by {sorted_by}"


class _Echo:
    """A file-like object that hands back what is written, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


@role_required(*ANY_ROLE)
def school_list_csv(request: HttpRequest) -> HttpResponseBase:
    """The school list as CSV: the same schools in the same order, every page at once."""
    form = _school_list_form(request)
    if form.errors:
        # The list page shows what is wrong with the filters, beside the fields.
        return redirect(f"{reverse('schools:list')}?{request.GET.urlencode()}")
    schools = _listed_schools(form).iterator(chunk_size=500)
    writer = csv.writer(_Echo())
    rows = (writer.writerow(row) for row in csv_rows(schools))
    filename = csv_filename(form.la_code, form.la_name, timezone.localdate())
    return StreamingHttpResponse(
        rows,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
