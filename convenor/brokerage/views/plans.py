"""Support plans: making one from an approved match, the list in the reader's scope, and
a plan's page with its milestones, visits, reviews, funding and rating.

A plan is read by its school's brokers and leaders and by the provider delivering it
(ADR 0011). LA officers make plans. What is recorded on a plan afterwards is
:mod:`.plan_steps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from convenor.brokerage.forms.plans import PlanFilterForm, PlanForm
from convenor.brokerage.models import (
    Band,
    Expertise,
    Fund,
    FundCommitment,
    FundSpend,
    MatchStatus,
    RequestStatus,
    SupportPlan,
)
from convenor.brokerage.querysets import PlanQuerySet
from convenor.brokerage.services import create_plan, tariff_in_force
from convenor.brokerage.views.common import (
    PLAN_ROLES,
    crumbs,
    days_words,
    denied_unless,
    form_page,
    labels,
    load_match,
    load_plan,
    names_of,
    on_submit,
    posted,
    pounds,
    scope,
)
from convenor.core.components import Cell, Link, SummaryRow
from convenor.core.models import Role
from convenor.core.permissions import role_required
from convenor.schools.models import Establishment

PAGE_SIZE = 25


@role_required(Role.LA_OFFICER)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the support plan for an approved match, funded by the tariff of its band."""
    match, school = load_match(request, pk)
    reader = scope(request)
    denied_unless(reader.is_officer_for(match.request.la_code) and not reader.leads(school.urn))
    url = reverse("brokerage:match", kwargs={"pk": match.pk})
    blocked = ""
    if match.status != MatchStatus.APPROVED:
        blocked = "Only an approved match can have a plan."
    elif hasattr(match, "plan"):
        blocked = "This match already has a plan."
    elif match.request.status != RequestStatus.MATCHED:
        blocked = f"The request is {match.request.get_status_display().lower()}."
    today = timezone.localdate()
    bands = [
        (band, f"{label}: {pounds(tariff_in_force(match.request.la_code, band, today))}")
        for band, label in Band.choices
    ]
    form = PlanForm(posted(request), bands=bands, initial={"tariff_band": match.request.intensity})

    def record(_: dict[str, Any]) -> SupportPlan:
        return create_plan(match, actor=request.user, **form.service_data())

    sent = (
        None
        if blocked
        else on_submit(
            request,
            form,
            record,
            lambda plan: ("Support plan made.", reverse("brokerage:plan", kwargs={"pk": plan.pk})),
        )
    )
    return sent or form_page(
        request,
        form,
        title="Make the support plan",
        caption=f"{school.name}, URN {school.urn}",
        submit="Make plan",
        back=url,
        breadcrumbs=crumbs(Link("Brokerage board", reverse("brokerage:board")), Link("Match", url)),
        summary=[
            SummaryRow("Provider", match.provider.name),
            SummaryRow("Areas of need", labels(match.request.areas, Expertise)),
            SummaryRow("Days needed a term", days_words(match.request.days_per_term)),
        ],
        intro=[
            "The plan is funded by the LA's tariff for its band in force on the start date "
            "(shown here as today's). Milestones fall within the plan."
        ],
        blocked=blocked,
    )


def filtered(plans: PlanQuerySet, form: PlanFilterForm) -> PlanQuerySet:
    status = form.value("status")
    if status == "":
        plans = plans.live()
    elif status != "all":
        plans = plans.filter(status=status)
    if q := form.value("q").strip():
        named = Establishment.objects.filter(name__icontains=q).values("urn")
        condition = Q(urn__in=named) | Q(provider__name__icontains=q)
        if q.isdigit():
            condition |= Q(urn=int(q))
        plans = plans.filter(condition)
    return plans.order_by("next_review_on", "pk")


HEAD = [
    Cell("School"),
    Cell("Provider"),
    Cell("Status"),
    Cell("Runs"),
    Cell("Next review"),
    Cell("Days delivered", numeric=True),
    Cell("Tariff", numeric=True),
]


def _row(plan: Any, names: dict[int, str]) -> list[Cell]:
    href = reverse("brokerage:plan", kwargs={"pk": plan.pk})
    return [
        Cell(
            f"{names.get(plan.urn, 'URN ' + str(plan.urn))} (URN {plan.urn})",
            href=href,
            header=True,
        ),
        Cell(plan.provider.name),
        Cell(plan.get_status_display()),
        Cell(f"{plan.starts:%-d %b %Y} to {plan.ends:%-d %b %Y}"),
        Cell(f"{plan.next_review_on:%-d %b %Y}" if plan.is_live else "None: ended"),
        Cell(days_words(plan.days_delivered), numeric=True),
        Cell(f"{plan.get_tariff_band_display()}: {pounds(plan.tariff_amount)}", numeric=True),
    ]


@role_required(*PLAN_ROLES)
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """Plans in the reader's scope, soonest review first, 25 to a page."""
    form = PlanFilterForm(request.GET)
    rows = filtered(cast(PlanQuerySet, scope(request).plans()).for_plan_list(), form)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = names_of(plan.urn for plan in page)
    return render(
        request,
        "brokerage/plans.html",
        {
            "form": form,
            "page": page,
            "head": HEAD,
            "rows": [_row(plan, names) for plan in page],
            "breadcrumbs": crumbs(),
        },
    )


@dataclass(frozen=True)
class FundLine:
    name: str
    committed: Decimal
    spent: Decimal


def funding_lines(plan: SupportPlan) -> list[FundLine]:
    committed = dict(
        FundCommitment.objects.filter(plan=plan)
        .order_by()
        .values("fund_id")
        .annotate(total=Sum("amount"))
        .values_list("fund_id", "total")
    )
    spent = dict(
        FundSpend.objects.filter(plan=plan)
        .order_by()
        .values("fund_id")
        .annotate(total=Sum("amount"))
        .values_list("fund_id", "total")
    )
    funds = Fund.objects.in_bulk(set(committed) | set(spent))
    return [
        FundLine(funds[pk].name, Decimal(committed.get(pk) or 0), Decimal(spent.get(pk) or 0))
        for pk in sorted(funds, key=lambda k: funds[k].name)
    ]


def plan_facts(plan: SupportPlan, school: Establishment) -> list[SummaryRow]:
    return [
        SummaryRow("School", f"{school.name} (URN {school.urn})"),
        SummaryRow("Provider", f"{plan.provider.name} ({plan.provider.get_designation_display()})"),
        SummaryRow("Status", plan.get_status_display()),
        SummaryRow("Objectives", plan.objectives),
        SummaryRow("Runs", f"{plan.starts:%-d %B %Y} to {plan.ends:%-d %B %Y}"),
        SummaryRow(
            "Next review",
            f"{plan.next_review_on:%-d %B %Y}" if plan.is_live else "None: the plan has ended",
        ),
        SummaryRow("Tariff", f"{plan.get_tariff_band_display()}: {pounds(plan.tariff_amount)}"),
    ]


@role_required(*PLAN_ROLES)
@require_GET
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: milestones, visits, reviews, funding and the school's rating."""
    plan, school = load_plan(request, pk)
    reader = scope(request)
    live = plan.is_live
    brokers = reader.can_broker(school)
    visits = list(plan.visits.all())
    rating = getattr(plan, "rating", None) if hasattr(plan, "rating") else None
    funds_here = reader.funds().filter(la_code=plan.request.la_code).exists() if brokers else False
    return render(
        request,
        "brokerage/plan.html",
        {
            "plan": plan,
            "school": school,
            "facts": plan_facts(plan, school),
            "milestones": list(plan.milestones.all()),
            "visits": visits,
            "days_delivered": days_words(sum((v.days for v in visits), Decimal(0))),
            "reviews": list(plan.reviews.all()),
            "funding": funding_lines(plan) if brokers else [],
            "show_funding": brokers,
            "rating": rating,
            "can_visit": live and reader.can_log_visit(plan, school),
            "can_review": live and reader.can_review_plan(school),
            "can_fund": brokers and funds_here,
            "can_rate": reader.can_rate(plan) and rating is None and bool(visits),
            "breadcrumbs": crumbs(Link("Support plans", reverse("brokerage:plans"))),
        },
    )
