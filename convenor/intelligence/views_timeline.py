"""A school's intelligence timeline: hard data and, for those who may read them, category
decisions, intervention cases, early-warning scores and soft intelligence, newest first.

A separate page rather than a section of the profile: the profile is published data
for every role, and this page mixes in restricted detail. It opens to whoever may read
some of that detail for the school, and each part follows its own rule:

- category decisions: category reviewers, and the school's own leaders, who never see
  the proposal (ADR 0008);
- intervention cases: LA officers and the school's leaders (ADR 0007);
- early-warning scores: category reviewers (ADR 0008), as on the risk dashboard;
- soft intelligence: its readers, standard entries only for board members, each read
  audited (ADR 0006).

An unknown school is 404; a school the reader may read none of this for is 403.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from convenor.analytics.concern import day_words
from convenor.core.components import Link
from convenor.core.models import Role
from convenor.core.permissions import get_establishment_for_user, request_roles, role_required
from convenor.intelligence.categorisation import category_scope
from convenor.intelligence.forms_risk import TimelineForm
from convenor.intelligence.querysets import intelligence_scope
from convenor.intelligence.timeline import KIND_LABELS, Visibility, read_timeline
from convenor.intelligence.views_interventions import case_scope
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of

#: Everyone who may read some restricted intelligence about a school.
TIMELINE_ROLES: tuple[Role, ...] = (
    Role.LA_OFFICER,
    Role.BOARD_MEMBER,
    Role.INCLUSION_OFFICER,
    Role.SCHOOL_LEADER,
)


def visibility_for(request: HttpRequest, school: Establishment) -> Visibility | None:
    """What the request's user may see on ``school``'s timeline beside published data;
    None when nothing (the page is then 403)."""
    roles = request_roles(request)
    categories = category_scope(roles)
    soft = intelligence_scope(roles)
    reviews = categories.can_review(school)
    leads = categories.leads(school)
    reads_cases = case_scope(roles).can_read(school)
    reads_soft = soft.can_read(school)
    if not (reviews or leads or reads_cases or reads_soft):
        return None
    return Visibility(
        categories=reviews or leads,
        proposals=reviews,
        cases=reads_cases,
        scores=reviews,
        soft=soft if reads_soft else None,
    )


def _shown(visibility: Visibility) -> list[str]:
    parts = ["inspections, results, census and register dates"]
    if visibility.categories:
        parts.append("category decisions")
    if visibility.cases:
        parts.append("intervention cases")
    if visibility.scores:
        parts.append("early-warning scores from stored runs")
    if visibility.soft is not None:
        restricted = visibility.soft.reads_restricted
        parts.append("soft intelligence" + ("" if restricted else " (standard entries only)"))
    return parts


@role_required(*TIMELINE_ROLES)
@require_GET
def school_timeline(request: HttpRequest, urn: int) -> HttpResponse:
    """One timeline of what is known about a school, newest first, as at a date."""
    school = get_establishment_for_user(request.user, urn)
    visibility = visibility_for(request, school)
    if visibility is None:
        raise PermissionDenied
    today = timezone.localdate()
    form = TimelineForm(request.GET)
    events = None
    as_at: date = today
    if form.is_valid():
        as_at = form.cleaned_data.get("as_at") or today
        events = read_timeline(
            school, lineage_of(school.urn), as_at, visibility, actor=request.user
        )
    profile = reverse("schools:profile", kwargs={"urn": school.urn})
    return render(
        request,
        "intelligence/timeline.html",
        {
            "school": school,
            "form": form,
            "events": events,
            "as_at_words": day_words(as_at),
            "is_today": as_at == today,
            "shown": _shown(visibility),
            "soft_hidden": visibility.soft is None,
            "kinds": KIND_LABELS,
            "breadcrumbs": [
                Link("Home", reverse("schools:home")),
                Link("Schools", reverse("schools:list")),
                Link(school.name, profile),
            ],
        },
    )
