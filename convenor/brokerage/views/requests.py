"""Support requests: the list in the reader's scope, one request, raising one for a
school, and withdrawing one.

LA officers and board members read the requests of the schools they broker; school
leaders read their own school's (ADR 0011). A school's leaders and its LA's officers
raise and withdraw its requests. The proposals weighed for a request show only to its
brokers.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from convenor.brokerage.forms.requests import (
    RequestFilterForm,
    RequestForm,
    SchoolForm,
    WithdrawForm,
)
from convenor.brokerage.models import (
    Band,
    Expertise,
    RequestStatus,
    SupportRequest,
)
from convenor.brokerage.querysets import SupportRequestQuerySet
from convenor.brokerage.services import raise_request, withdraw_request
from convenor.brokerage.views.common import (
    REQUEST_ROLES,
    crumbs,
    days_words,
    denied_unless,
    form_page,
    labels,
    load_request,
    names_of,
    on_submit,
    posted,
    school_of,
    scope,
)
from convenor.core.components import Cell, Link, SummaryRow
from convenor.core.models import Role
from convenor.core.permissions import role_required
from convenor.intelligence.models import Category, CategoryDecision
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of

PAGE_SIZE = 25
RAISE_ROLES = (Role.LA_OFFICER, Role.SCHOOL_LEADER)
STATUS_COLOURS = {
    RequestStatus.OPEN: "blue",
    RequestStatus.MATCHED: "green",
    RequestStatus.WITHDRAWN: "grey",
    RequestStatus.CLOSED: "grey",
}


def filtered(requests: SupportRequestQuerySet, form: RequestFilterForm) -> SupportRequestQuerySet:
    """The requests the list's filters choose, newest first."""
    status = form.value("status")
    if status == "":
        requests = requests.live()
    elif status != "all":
        requests = requests.filter(status=status)
    if q := form.value("q").strip():
        named = Establishment.objects.filter(name__icontains=q).values("urn")
        requests = requests.filter(
            Q(urn__in=named) | (Q(urn=int(q)) if q.isdigit() else Q(pk__in=[]))
        )
    if area := form.value("area"):
        requests = requests.filter(areas__icontains=f'"{area}"')
    if urgency := form.value("urgency"):
        requests = requests.filter(urgency=urgency)
    return requests.order_by("-raised_on", "-pk")


def _row(row: SupportRequest, names: dict[int, str]) -> list[Cell]:
    href = reverse("brokerage:request", kwargs={"pk": row.pk})
    school = names.get(row.urn, f"URN {row.urn}")
    return [
        Cell(
            f"{school} (URN {row.urn})",
            href=href,
            header=True,
            tag="Synthetic" if row.synthetic else "",
        ),
        Cell(labels(row.areas, Expertise)),
        Cell(row.get_intensity_display()),
        Cell(row.get_urgency_display()),
        Cell(row.get_status_display()),
        Cell(f"{row.raised_on:%-d %b %Y}"),
    ]


HEAD = [
    Cell("School"),
    Cell("Areas of need"),
    Cell("Intensity"),
    Cell("Urgency"),
    Cell("Status"),
    Cell("Raised"),
]


@role_required(*REQUEST_ROLES)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Support requests in the reader's scope, filtered, newest first, 25 to a page."""
    form = RequestFilterForm(request.GET)
    rows = filtered(cast(SupportRequestQuerySet, scope(request).requests()), form)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = names_of(row.urn for row in page)
    return render(
        request,
        "brokerage/requests.html",
        {
            "form": form,
            "page": page,
            "head": HEAD,
            "rows": [_row(row, names) for row in page],
            "can_raise": bool(scope(request).officer_las or own_schools(request)),
            "breadcrumbs": crumbs(),
        },
    )


def request_facts(row: SupportRequest, school: Establishment) -> list[SummaryRow]:
    facts = [
        SummaryRow("School", f"{school.name} (URN {school.urn})"),
        SummaryRow("Status", row.get_status_display()),
        SummaryRow("Areas of need", labels(row.areas, Expertise)),
        SummaryRow("Intensity", row.get_intensity_display()),
        SummaryRow("Urgency", row.get_urgency_display()),
        SummaryRow("Paid for by", row.get_funding_source_display()),
        SummaryRow("Days needed a term", days_words(row.days_per_term)),
        SummaryRow("Raised on", f"{row.raised_on:%-d %B %Y}"),
    ]
    decision = row.prompted_by
    if decision is not None:
        label = decision.decided_category.label
        words = f"{label}, decided on evidence as at {decision.as_at:%-d %B %Y}"
        facts.append(SummaryRow("Prompted by the category", words))
    if row.notes:
        facts.append(SummaryRow("Notes", row.notes))
    if row.status == RequestStatus.WITHDRAWN and row.withdrawn_on:
        facts.append(
            SummaryRow("Withdrawn", f"{row.withdrawn_on:%-d %B %Y}: {row.withdrawn_reason}")
        )
    if row.closed_on:
        facts.append(SummaryRow("Closed on", f"{row.closed_on:%-d %B %Y}"))
    return facts


@role_required(*REQUEST_ROLES)
@require_GET
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One request; its brokers also see every match proposed or decided for it."""
    row, school = load_request(request, pk)
    reader = scope(request)
    brokers = reader.can_broker(school)
    matches = list(row.matches.select_related("provider").order_by("-pk")) if brokers else []
    plans = list(row.plans.select_related("provider").order_by("-starts"))
    can_withdraw = reader.can_withdraw_request(school) and row.is_live and not plans
    return render(
        request,
        "brokerage/request.html",
        {
            "row": row,
            "school": school,
            "facts": request_facts(row, school),
            "matches": matches,
            "plans": plans,
            "brokers": brokers,
            "can_withdraw": can_withdraw,
            "breadcrumbs": crumbs(Link("Support requests", reverse("brokerage:requests"))),
        },
    )


def latest_decision(urn: int) -> CategoryDecision | None:
    """The school's latest category decision, under any of its URNs."""
    return (
        CategoryDecision.objects.filter(urn__in=lineage_of(urn))
        .select_related("decided_category")
        .order_by("-as_at", "-decided_at", "-pk")
        .first()
    )


def _prefill(decision: CategoryDecision | None) -> dict[str, Any]:
    """A support category prompts the request: tick it, and suggest the intensity (the
    framework's most serious category high, any other support category medium)."""
    if decision is None or not decision.decided_category.eligible_for_brokered_support:
        return {}
    category = decision.decided_category
    worse = Category.objects.filter(framework_id=category.framework_id, order__gt=category.order)
    return {"prompted": True, "intensity": Band.MEDIUM if worse.exists() else Band.HIGH}


@role_required(*RAISE_ROLES)
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, urn: int) -> HttpResponse:
    """Raise a support request for a school, from its needs; usually its category prompts it."""
    school = school_of(urn)
    denied_unless(scope(request).can_raise_request(school))
    decision = latest_decision(school.urn)
    prompt = ""
    if decision is not None:
        prompt = (
            f"Prompted by its category: {decision.decided_category.label} "
            f"(evidence as at {decision.as_at:%-d %B %Y})"
        )
    form = RequestForm(posted(request), prompt=prompt, initial=_prefill(decision))

    def record(data: dict[str, Any]) -> SupportRequest:
        prompted = data.pop("prompted", False)
        data["notes"] = data.get("notes") or ""
        return raise_request(
            actor=request.user, urn=school.urn, prompted_by=decision if prompted else None, **data
        )

    sent = on_submit(
        request,
        form,
        record,
        lambda row: (
            "Support request raised.",
            reverse("brokerage:request", kwargs={"pk": row.pk}),
        ),
    )
    profile = reverse("schools:profile", kwargs={"urn": school.urn})
    return sent or form_page(
        request,
        form,
        title="Raise a support request",
        caption=f"{school.name}, URN {school.urn}",
        submit="Raise request",
        back=profile,
        breadcrumbs=[
            Link("Schools", reverse("schools:list")),
            Link(school.name, profile),
        ],
        intro=[
            "Say what the school needs support with. The LA's brokers match every open "
            "request to the support directory at once; a board member or officer then "
            "approves each match."
        ],
        blocked="" if school.is_open else f"{school.name} is not open ({school.status}).",
    )


def own_schools(request: HttpRequest) -> list[tuple[int, str]]:
    """The open schools a reader leads, to raise requests for."""
    rows = Establishment.objects.filter(urn__in=scope(request).own).order_by("name")
    return [(s.urn, f"{s.name} (URN {s.urn})") for s in rows if s.is_open]


@role_required(*RAISE_ROLES)
@require_http_methods(["GET", "POST"])
def request_start(request: HttpRequest) -> HttpResponse:
    """Choose the school to raise a request for: one the reader leads, or (LA officers)
    any school of their LA by URN."""
    reader = scope(request)
    schools = [] if reader.officer_las else own_schools(request)
    form = SchoolForm(posted(request), schools=schools)
    if form.is_bound and form.is_valid():
        school = Establishment.objects.filter(urn=form.cleaned_data["urn"]).first()
        if school is None:
            form.add_error("urn", "There is no school with that URN in the register")
        elif not reader.can_raise_request(school):
            form.add_error("urn", f"You cannot raise requests for {school.name}")
        else:
            return redirect("brokerage:request-create", urn=school.urn)
    return form_page(
        request,
        form,
        title="Raise a support request",
        caption="Support requests",
        submit="Continue",
        back=reverse("brokerage:requests"),
        breadcrumbs=crumbs(Link("Support requests", reverse("brokerage:requests"))),
    )


@role_required(*RAISE_ROLES)
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a request with a reason; it stays on record."""
    row, school = load_request(request, pk)
    denied_unless(scope(request).can_withdraw_request(school))
    url = reverse("brokerage:request", kwargs={"pk": row.pk})
    blocked = ""
    if not row.is_live:
        blocked = f"This request is {row.get_status_display().lower()}."
    elif row.plans.exists():
        blocked = "This request has a plan: stop the plan at a review instead."
    form = WithdrawForm(posted(request))
    sent = (
        None
        if blocked
        else on_submit(
            request,
            form,
            lambda data: withdraw_request(row, actor=request.user, **data),
            lambda _: ("Request withdrawn.", url),
        )
    )
    return sent or form_page(
        request,
        form,
        title="Withdraw the request",
        caption=f"{school.name}, URN {school.urn}",
        submit="Withdraw request",
        back=url,
        breadcrumbs=crumbs(
            Link("Support requests", reverse("brokerage:requests")), Link("Request", url)
        ),
        summary=request_facts(row, school)[:5],
        blocked=blocked,
    )
