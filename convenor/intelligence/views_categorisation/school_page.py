"""A school's category page: the proposal with its reasons, the decision, the history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from convenor.analytics import categorisation as engine
from convenor.analytics.concern import day_words
from convenor.core.components import Link
from convenor.core.forms import add_service_errors
from convenor.core.permissions import get_establishment_for_user, role_required
from convenor.intelligence import categorisation as service
from convenor.intelligence import forms_categorisation as f
from convenor.intelligence.models import AcademyConcern, CategoryDecision, CategoryTrack
from convenor.intelligence.views_categorisation.common import (
    SCHOOL_ROLES,
    scope_of,
    today,
    with_as_at,
)
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of


@dataclass(frozen=True)
class DecisionView:
    """One decision in a school's history, as a reader may see it."""

    decision: CategoryDecision
    reasons: service.ShownReasons | None


@dataclass(frozen=True)
class InputRow:
    label: str
    value: str


def _input_rows(proposed: service.SchoolProposal, *, reads_soft: bool) -> list[InputRow]:
    """The inputs the framework's rules read, with the school's values."""
    if proposed.framework is None:
        return []
    names: dict[str, None] = {}
    for rule in proposed.framework.rules.all():
        for clause in rule.clauses or ():
            names.setdefault(str(clause.get("input", "")))
    rows = []
    aside = service.set_aside(proposed)
    for name in names:
        if (name in service.SOFT_INPUTS and not reads_soft) or name in aside:
            continue
        value = proposed.inputs.value(name)
        rows.append(InputRow(service.input_label(name), engine.format_number(value)))
    return rows


def _breadcrumbs(school: Establishment) -> list[Link]:
    return [
        Link("Home", reverse("schools:home")),
        Link("Schools", reverse("schools:list")),
        Link(school.name, reverse("schools:profile", kwargs={"urn": school.urn})),
    ]


def _leader_page(request: HttpRequest, school: Establishment) -> HttpResponse:
    """What a school's own leader sees: the decided category, its entitlement, the
    rationale and review date, and the history; never the proposal or its reasons."""
    decisions = list(service.decisions_for(lineage_of(school.urn)))
    return render(
        request,
        "intelligence/categories/school_leader.html",
        {
            "school": school,
            "current": service.current_decisions([school.urn]).get(school.urn),
            "history": decisions,
            "breadcrumbs": _breadcrumbs(school),
        },
    )


def _open_concerns(school: Establishment) -> list[AcademyConcern]:
    return list(
        AcademyConcern.objects.filter(urn__in=lineage_of(school.urn), status="open").order_by(
            "-raised_with_trust_on", "-pk"
        )
    )


def _concern_words(concern: AcademyConcern) -> str:
    rd = (
        f", referred to the regional director {day_words(concern.referred_to_rd_on)}"
        if concern.referred_to_rd_on
        else ""
    )
    return f"Raised with the trust {day_words(concern.raised_with_trust_on)}{rd}"


def _decision_form(
    request: HttpRequest,
    proposed: service.SchoolProposal,
    concerns: Sequence[AcademyConcern] | None,
) -> f.DecisionForm:
    framework = proposed.framework
    assert framework is not None and proposed.category is not None
    choices = [(c.pk, c.label) for c in framework.categories.all()]
    concern_choices = None if concerns is None else [(c.pk, _concern_words(c)) for c in concerns]
    if request.method == "POST":
        return f.DecisionForm(request.POST, categories=choices, concerns=concern_choices)
    initial = {
        "decided_category": proposed.category.pk,
        "as_at": proposed.as_at,
        "proposed": proposed.category.pk,
    }
    return f.DecisionForm(initial=initial, categories=choices, concerns=concern_choices)


def _decide(
    request: HttpRequest,
    form: f.DecisionForm,
    proposed: service.SchoolProposal,
    capacity: str,
    concerns: Sequence[AcademyConcern],
) -> CategoryDecision | None:
    """Record the decision the form holds; None (with errors on the form) if it cannot."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    if proposed.category is None or data["proposed"] != proposed.category.pk:
        form.add_error(
            None,
            "convenor's proposal has changed since the page was opened: read the reasons "
            "below and decide again.",
        )
        return None
    framework = proposed.framework
    assert framework is not None
    categories = {c.pk: c for c in framework.categories.all()}
    concern = {c.pk: c for c in concerns}.get(data.get("academy_concern") or 0)
    try:
        return service.confirm_category(
            proposed,
            actor=request.user,
            decided_category=categories[data["decided_category"]],
            decided_as=capacity,
            rationale=data["rationale"],
            review_due=data["review_due"],
            academy_concern=concern,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@role_required(*SCHOOL_ROLES)
@require_http_methods(["GET", "POST"])
def school(request: HttpRequest, urn: int) -> HttpResponse:
    """A school's proposed category with its reasons, the decision form, the history.

    A school's own leader sees only the decided category and its history.
    """
    school = get_establishment_for_user(request.user, urn, restricted=True)
    scope = scope_of(request)
    if scope.leads(school):
        if request.method == "POST":
            raise PermissionDenied
        return _leader_page(request, school)
    if not scope.can_review(school):
        raise PermissionDenied
    if request.method == "POST":
        as_at_form = f.AsAtForm({"as_at": request.POST.get("as_at", "")})
    else:
        as_at_form = f.AsAtForm(request.GET or None)
    as_at = (as_at_form.cleaned_data.get("as_at") if as_at_form.is_valid() else None) or today()
    model = service.stored_model_run(as_at, [school.urn])
    proposed = service.propose_one(school, as_at, model=model)
    reads_soft = scope.reads_soft(school)
    capacity = scope.capacity(school, proposed.track) if proposed else None
    officer = capacity == "officer"
    concerns = (
        _open_concerns(school)
        if proposed and proposed.track == CategoryTrack.ACADEMY and officer
        else None
    )
    form = None
    if proposed is not None and proposed.framework is not None and capacity:
        form = _decision_form(request, proposed, concerns)
        if form.is_bound and proposed is not None:
            decision = _decide(request, form, proposed, capacity, concerns or [])
            if decision is not None:
                messages.success(request, f"Category recorded: {decision.decided_category.label}.")
                return redirect(
                    with_as_at(reverse("categories:school", kwargs={"urn": school.urn}), as_at)
                )
    elif request.method == "POST":
        raise PermissionDenied
    reasons = (
        service.shown_reasons(proposed.reasons(), reads_soft=reads_soft)
        if proposed and proposed.proposal
        else None
    )
    history = [
        DecisionView(d, service.shown_reasons(d.reasons, reads_soft=reads_soft))
        for d in service.decisions_for(lineage_of(school.urn))
    ]
    if (reasons and reasons.soft_shown) or any(h.reasons and h.reasons.soft_shown for h in history):
        count = proposed.inputs.value("soft_intelligence_count") if proposed else None
        service.audit_soft_reasons_shown(request.user, school.urn, int(count or 0))
    return render(
        request,
        "intelligence/categories/school.html",
        {
            "school": school,
            "as_at": as_at,
            "is_today": as_at == today(),
            "as_at_form": as_at_form,
            "proposed": proposed,
            "reasons": reasons,
            "inputs": _input_rows(proposed, reads_soft=reads_soft) if proposed else [],
            "form": form,
            "capacity": capacity,
            "concerns": concerns,
            "officer": officer,
            "history": history,
            "reads_soft": reads_soft,
            "breadcrumbs": _breadcrumbs(school),
        },
    )
