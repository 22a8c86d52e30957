"""The list of cases in scope, its CSV, and one school's cases with their timeline."""

from __future__ import annotations

import csv
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from convenor.core.permissions import role_required
from convenor.intelligence import forms_interventions as f
from convenor.intelligence import interventions as clocks
from convenor.intelligence.views_interventions.pages import is_maintained_school, school_crumbs
from convenor.intelligence.views_interventions.rows import (
    ENTRY_TAGS,
    CaseRow,
    as_at_of,
    load_cases,
    row_views,
)
from convenor.intelligence.views_interventions.scope import (
    MANAGE_ROLES,
    READ_ROLES,
    readable_school,
    scope_of,
)
from convenor.schools.querysets import lineage_of


def _listed(request: HttpRequest, form: f.CaseFilterForm, as_at: date) -> list[CaseRow]:
    kind = form.value("kind")
    kinds = [kind] if kind else ["warning_notice", "ieb", "academy_concern"]
    rows = load_cases(scope_of(request).readable_urns(), as_at, kinds)
    status = form.value("status", "open")
    if status == "open":
        rows = [r for r in rows if r.clock.is_open]
    elif status == "closed":
        rows = [r for r in rows if not r.clock.is_open]
    if form.value("overdue") == "overdue":
        rows = [r for r in rows if r.clock.overdue]
    return rows


@role_required(*MANAGE_ROLES)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases in the user's scope with their next deadline and overdue tags, filtered."""
    today = timezone.localdate()
    form = f.CaseFilterForm(request.GET)
    as_at = form.as_at_or(today)
    rows = _listed(request, form, as_at)
    query = request.GET.urlencode()
    return render(
        request,
        "intelligence/interventions/list.html",
        {
            "form": form,
            "as_at": clocks.long_date(as_at),
            "is_today": as_at == today,
            "rows": row_views(rows, as_at, today),
            "overdue": sum(1 for r in rows if r.clock.overdue),
            "csv_href": reverse("interventions:list-csv") + (f"?{query}" if query else ""),
            "clear_href": reverse("interventions:list"),
        },
    )


CSV_HEADER = (
    "URN",
    "School",
    "Kind",
    "Case",
    "Started",
    "Status",
    "Overdue",
    "Next deadline",
    "Due",
    "Days remaining",
    "Flags",
)


@role_required(*MANAGE_ROLES)
@require_GET
def case_list_csv(request: HttpRequest) -> HttpResponse:
    """The list as CSV: the same cases in the same order."""
    today = timezone.localdate()
    form = f.CaseFilterForm(request.GET)
    if form.errors:
        return redirect(f"{reverse('interventions:list')}?{request.GET.urlencode()}")
    as_at = form.as_at_or(today)
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="interventions-{as_at.isoformat()}.csv"'
        },
    )
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in _listed(request, form, as_at):
        upcoming = row.next_deadline
        writer.writerow(
            (
                row.urn,
                row.school,
                row.kind,
                row.title,
                row.started_on.isoformat(),
                row.status,
                "yes" if row.clock.overdue else "no",
                upcoming.text if upcoming else "",
                upcoming.due.isoformat() if upcoming else "",
                "" if upcoming is None else upcoming.days_remaining,
                "; ".join(flag.text for flag in row.clock.flags),
            )
        )
    return response


@role_required(*READ_ROLES)
@require_GET
def school_cases(request: HttpRequest, urn: int) -> HttpResponse:
    """One school's cases under every URN it has had, and their timeline."""
    school = readable_school(request, urn)
    form, as_at, today = as_at_of(request)
    rows = load_cases(lineage_of(school.urn), as_at)
    entries = clocks.timeline((row.title, row.clock) for row in rows)
    manage = scope_of(request).can_manage(school)
    return render(
        request,
        "intelligence/interventions/school.html",
        {
            "school": school,
            "form": form,
            "as_at": clocks.long_date(as_at),
            "is_today": as_at == today,
            "rows": row_views(rows, as_at, today),
            "timeline": [(e, ENTRY_TAGS[e.state], clocks.long_date(e.on)) for e in entries],
            "can_manage": manage,
            "maintained": is_maintained_school(school),
            "academy": school.is_academy is True,
            "breadcrumbs": school_crumbs(request, school),
        },
    )
