"""What is recorded on a plan, one page a step: a milestone done, a visit, a review,
money committed from a fund or spent, and the school's rating.

Who may record each (ADR 0011): visits, the provider delivering the plan (its
managers) or an LA officer, never at a school the user leads; reviews and milestones,
the school's brokers (LA officers, board members of its area); commitments and spend,
its brokers from the funds they hold; the rating, the supported school's leaders.
The services refuse what the data does not allow (an overspend, say) with a message
shown in the error summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from convenor.brokerage.forms.plans import (
    CommitForm,
    MilestoneForm,
    RateForm,
    ReviewForm,
    SpendForm,
    VisitForm,
)
from convenor.brokerage.models import Fund, PlanMilestone, SupportPlan
from convenor.brokerage.scope import BrokerageScope
from convenor.brokerage.services import (
    commit_funds,
    complete_milestone,
    fund_position,
    log_visit,
    rate_support,
    record_spend,
    review_plan,
)
from convenor.brokerage.views.common import (
    PLAN_ROLES,
    crumbs,
    denied_unless,
    form_page,
    load_plan,
    on_submit,
    posted,
    pounds,
    scope,
)
from convenor.core.components import Link
from convenor.core.permissions import role_required
from convenor.schools.models import Establishment

Actor = Any


def _funds(reader: BrokerageScope, plan: SupportPlan) -> list[Fund]:
    return list(reader.funds().filter(la_code=plan.request.la_code).order_by("name"))


def _fund_choices(reader: BrokerageScope, plan: SupportPlan) -> list[tuple[int, str]]:
    choices = []
    for fund in _funds(reader, plan):
        left = fund_position(fund).uncommitted
        choices.append((fund.pk, f"{fund.name} ({pounds(left)} left to commit)"))
    return choices


def _undone(plan: SupportPlan) -> list[PlanMilestone]:
    return list(plan.milestones.filter(done_on__isnull=True))


def _with_fund(
    service: Callable[..., object], reader: BrokerageScope, plan: SupportPlan, school: Establishment
) -> Callable[[dict[str, Any], Actor], object]:
    def apply(data: dict[str, Any], actor: Actor) -> object:
        fund = Fund.objects.get(pk=data.pop("fund"))
        if not reader.can_commit(fund, school):
            raise ValidationError({"fund": "You cannot commit or spend this fund's money."})
        return service(plan, fund, actor=actor, **data)

    return apply


def _milestone(plan: SupportPlan) -> Callable[[dict[str, Any], Actor], object]:
    def apply(data: dict[str, Any], actor: Actor) -> object:
        milestone = plan.milestones.get(pk=data["milestone"])
        return complete_milestone(milestone, actor=actor, done_on=data["done_on"])

    return apply


def _review(plan: SupportPlan) -> Callable[[dict[str, Any], Actor], object]:
    return lambda data, actor: review_plan(plan, actor=actor, **data)


def _visit(plan: SupportPlan) -> Callable[[dict[str, Any], Actor], object]:
    def apply(data: dict[str, Any], actor: Actor) -> object:
        data["note"] = data.get("note") or ""
        return log_visit(plan, actor=actor, **data)

    return apply


def _rate(plan: SupportPlan) -> Callable[[dict[str, Any], Actor], object]:
    def apply(data: dict[str, Any], actor: Actor) -> object:
        data["review"] = data.get("review") or ""
        return rate_support(plan, actor=actor, **data)

    return apply


@dataclass(frozen=True)
class Step:
    """One step: its page's title and button, whether the reader may record it, why it
    cannot be recorded now ("" when it can), its form and how it is recorded."""

    title: str
    submit: str
    done: str
    allowed: bool
    blocked: str
    form: forms.Form
    apply: Callable[[dict[str, Any], Actor], object]


def _ended(plan: SupportPlan) -> str:
    return "" if plan.is_live else f"This plan is {plan.get_status_display().lower()}."


def step_for(name: str, request: HttpRequest, plan: SupportPlan, school: Establishment) -> Step:
    reader = scope(request)
    data = posted(request)
    if name == "visit":
        return Step(
            "Log a visit",
            "Log visit",
            "Visit logged.",
            reader.can_log_visit(plan, school),
            _ended(plan),
            VisitForm(data),
            _visit(plan),
        )
    if name == "review":
        return Step(
            "Review the plan",
            "Record review",
            "Review recorded.",
            reader.can_review_plan(school),
            _ended(plan),
            ReviewForm(data),
            _review(plan),
        )
    if name == "milestone":
        undone = _undone(plan)
        chosen = request.GET.get("milestone", "")
        return Step(
            "Mark a milestone done",
            "Mark done",
            "Milestone marked done.",
            reader.can_review_plan(school),
            _ended(plan) or ("" if undone else "Every milestone is done."),
            MilestoneForm(
                data,
                milestones=[(m.pk, f"{m.title} (due {m.due_on:%-d %B %Y})") for m in undone],
                initial={"milestone": int(chosen)} if chosen.isdigit() else None,
            ),
            _milestone(plan),
        )
    if name in ("commit", "spend"):
        funds = _fund_choices(reader, plan) if reader.can_broker(school) else []
        no_funds = "" if funds else "You hold no fund of this plan's LA."
        commit = name == "commit"
        return Step(
            "Commit money to the plan" if commit else "Record spend on the plan",
            "Commit money" if commit else "Record spend",
            "Money committed." if commit else "Spend recorded.",
            reader.can_broker(school),
            (_ended(plan) if commit else "") or no_funds,
            (CommitForm if commit else SpendForm)(data, funds=funds),
            _with_fund(commit_funds if commit else record_spend, reader, plan, school),
        )
    if name == "rate":
        rated = hasattr(plan, "rating")
        no_visit = not plan.visits.exists()
        return Step(
            "Rate the support",
            "Record rating",
            "Rating recorded. Thank you.",
            reader.can_rate(plan),
            "This plan has already been rated."
            if rated
            else ("Support can be rated once a visit has been logged." if no_visit else ""),
            RateForm(data),
            _rate(plan),
        )
    raise Http404("No such step")


STEPS = ("visit", "review", "milestone", "commit", "spend", "rate")


@role_required(*PLAN_ROLES)
@require_http_methods(["GET", "POST"])
def plan_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Record one step on a plan."""
    if step not in STEPS:
        raise Http404("No such step")
    plan, school = load_plan(request, pk)
    found = step_for(step, request, plan, school)
    denied_unless(found.allowed)
    url = reverse("brokerage:plan", kwargs={"pk": plan.pk})
    sent = (
        None
        if found.blocked
        else on_submit(
            request,
            found.form,
            lambda data: found.apply(data, request.user),
            lambda _: (found.done, url),
        )
    )
    return sent or form_page(
        request,
        found.form,
        title=found.title,
        caption=f"Plan for {school.name} with {plan.provider.name}",
        submit=found.submit,
        back=url,
        breadcrumbs=crumbs(Link("Support plans", reverse("brokerage:plans")), Link("Plan", url)),
        blocked=found.blocked,
    )
