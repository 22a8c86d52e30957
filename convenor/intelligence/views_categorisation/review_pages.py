"""The category review list and its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from convenor.core.permissions import role_required
from convenor.core.views_audit import csv_cell
from convenor.intelligence import categorisation as service
from convenor.intelligence import forms_categorisation as f
from convenor.intelligence.models import Category, CategoryDecision, CategoryTrack
from convenor.intelligence.views_categorisation.common import (
    REVIEWER_ROLES,
    scope_of,
    today,
    with_as_at,
)
from convenor.schools.models import Establishment


@dataclass(frozen=True)
class ReviewRow:
    """One school on the review list."""

    school: Establishment
    track: str
    proposed: Category | None
    decision: CategoryDecision | None
    href: str

    @property
    def differs(self) -> bool:
        """The decided category is not the one proposed now (compared by name, since the
        decision may have been made under an earlier version)."""
        return (
            self.decision is not None
            and self.proposed is not None
            and self.decision.decided_category.label != self.proposed.label
        )

    def review_due(self, as_at: date) -> bool:
        """No decision yet, or its review was due by ``as_at``."""
        return self.decision is None or self.decision.review_due <= as_at

    @property
    def track_label(self) -> str:
        return "Academy" if self.track == CategoryTrack.ACADEMY else "Maintained"


@dataclass(frozen=True)
class Review:
    """The list as at a date; ``model_note`` says which score run gave model risk."""

    as_at: date
    rows: list[ReviewRow]
    missing_tracks: list[str]
    model_note: str

    @property
    def differing(self) -> int:
        return sum(1 for row in self.rows if row.differs)

    @property
    def due(self) -> int:
        return sum(1 for row in self.rows if row.review_due(self.as_at))


def _review(
    request: HttpRequest, scope: service.CategoryScope
) -> tuple[f.ReviewFilterForm, Review | None]:
    schools = scope.reviewable_schools()
    districts = sorted({d for d in schools.values_list("district", flat=True) if d})
    form = f.ReviewFilterForm(request.GET or None, districts=districts)
    if form.is_bound and not form.is_valid():
        return form, None
    filters: dict[str, Any] = form.cleaned_data if form.is_bound else {}
    as_at = filters.get("as_at") or today()
    district, track = filters.get("district", ""), filters.get("track", "")
    visible = set(schools.values_list("urn", flat=True))
    model = service.stored_model_run(as_at, visible)
    proposals: list[service.SchoolProposal] = []
    missing: set[str] = set()
    for la_code in sorted(scope.la_codes):
        for proposed in service.propose(as_at, la_code, urns=visible, model=model):
            proposals.append(proposed)
            if proposed.framework is None:
                missing.add(CategoryTrack(proposed.track).label)
    decisions = service.current_decisions([p.school.urn for p in proposals], on=as_at)
    rows = []
    for proposed in proposals:
        school = proposed.school
        if (district and school.district != district) or (track and proposed.track != track):
            continue
        row = ReviewRow(
            school=school,
            track=proposed.track,
            proposed=proposed.category,
            decision=decisions.get(school.urn),
            href=with_as_at(reverse("categories:school", kwargs={"urn": school.urn}), as_at),
        )
        if filters.get("differs_only") and not row.differs:
            continue
        if filters.get("overdue_only") and not row.review_due(as_at):
            continue
        rows.append(row)
    rows.sort(key=lambda r: (-(r.proposed.order if r.proposed else 0), r.school.name))
    return form, Review(as_at, rows, sorted(missing), service.model_words(model))


@role_required(*REVIEWER_ROLES)
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """Every school in the user's scope: its category, convenor's proposal as at a date,
    whether they differ, and when the review is due."""
    form, review = _review(request, scope_of(request))
    return render(
        request,
        "intelligence/categories/list.html",
        {
            "form": form,
            "review": review,
            "csv_href": f"{reverse('categories:list-csv')}?{request.GET.urlencode()}",
        },
    )


CSV_HEAD = (
    "urn",
    "school",
    "la_code",
    "district",
    "track",
    "as_at",
    "proposed_category",
    "decided_category",
    "decided_on",
    "decided_as",
    "differs",
    "review_due",
)


def _csv_rows(review: Review) -> Iterable[list[object]]:
    for row in review.rows:
        decision = row.decision
        yield [
            row.school.urn,
            csv_cell(row.school.name),
            row.school.la_code,
            csv_cell(row.school.district),
            row.track,
            review.as_at.isoformat(),
            csv_cell(row.proposed.label) if row.proposed else "",
            csv_cell(decision.decided_category.label) if decision else "",
            timezone.localdate(decision.decided_at).isoformat() if decision else "",
            decision.decided_as if decision else "",
            "yes" if row.differs else "no",
            decision.review_due.isoformat() if decision else "",
        ]


@role_required(*REVIEWER_ROLES)
@require_GET
def review_list_csv(request: HttpRequest) -> HttpResponse:
    """The review list as CSV, with the page's filters."""
    _form, review = _review(request, scope_of(request))
    if review is None:
        return redirect(f"{reverse('categories:list')}?{request.GET.urlencode()}")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_HEAD)
    writer.writerows(_csv_rows(review))
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"categories-{review.as_at.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
