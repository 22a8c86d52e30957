"""The brokerage board: the latest matching run of an LA with its proposals and their
explanations, the total cost beside the greedy baseline's, the requests left unmatched
and why; running the matching; approving, overriding or rejecting a proposal.

LA officers see their LA's board and board members their area's (ADR 0011); proposals
and alternatives are never shown to a school's leaders. Nobody decides for a school
they lead, or for a provider whose entry they manage. The matching runs over the whole
LA (capacity is shared across areas), so LA officers run it; each run supersedes the
proposals of the one before that are still awaiting a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from convenor.brokerage.forms.board import ApproveForm, OverrideForm, RejectForm, RunForm
from convenor.brokerage.matching import CAPACITY, ENGINE_PHASE, run_matching, school_phase
from convenor.brokerage.models import (
    Expertise,
    Match,
    MatchingRun,
    MatchStatus,
    RequestStatus,
    SupportProvider,
)
from convenor.brokerage.scope import BrokerageScope
from convenor.brokerage.services import approve_match, override_match, reject_match
from convenor.brokerage.views.common import (
    BOARD_ROLES,
    crumbs,
    days_words,
    denied_unless,
    form_page,
    la_names,
    labels,
    load_match,
    names_of,
    on_submit,
    posted,
    scope,
)
from convenor.brokerage.views.explain import (
    UNMATCHED_REASONS,
    ExplanationView,
    alternative_ids,
    explanation_view,
    why_not,
)
from convenor.core.components import Link, SummaryRow
from convenor.core.models import Role
from convenor.core.permissions import role_required
from convenor.schools.models import Establishment

PAGE_SIZE = 20


def board_las(reader: BrokerageScope) -> list[tuple[int, str]]:
    return la_names(set(reader.officer_las) | {la for la, _ in reader.board_areas})


def chosen_la(request: HttpRequest, las: list[tuple[int, str]]) -> int:
    asked = request.GET.get("la", "")
    codes = [code for code, _ in las]
    if not codes:
        raise PermissionDenied
    return int(asked) if asked.isdigit() and int(asked) in codes else codes[0]


@dataclass(frozen=True)
class ProposalView:
    match: Match
    school: str
    areas: str
    days: str
    explanation: ExplanationView | None
    can_decide: bool


@dataclass(frozen=True)
class UnmatchedView:
    request_id: int
    school: str
    areas: str
    reason: str
    detail: str


def proposal_views(reader: BrokerageScope, matches: list[Match]) -> list[ProposalView]:
    schools = Establishment.objects.in_bulk({m.request.urn for m in matches})
    providers = SupportProvider.objects.in_bulk(alternative_ids(matches))
    views = []
    for match in matches:
        school = schools.get(match.request.urn)
        views.append(
            ProposalView(
                match=match,
                school=school.name if school else f"URN {match.request.urn}",
                areas=labels(match.request.areas, Expertise),
                days=days_words(match.request.days_per_term),
                explanation=explanation_view(match, providers),
                can_decide=school is not None and reader.can_decide_match(match, school),
            )
        )
    return views


def unmatched_views(reader: BrokerageScope, run: MatchingRun | None) -> list[UnmatchedView]:
    """The latest run's unmatched requests that the reader brokers and that are still open."""
    if run is None:
        return []
    listed = {int(u["request"]): u for u in run.totals.get("unmatched", [])}
    rows = list(reader.requests().filter(pk__in=listed, status=RequestStatus.OPEN))
    names = names_of(r.urn for r in rows)
    return [
        UnmatchedView(
            r.pk,
            names.get(r.urn, f"URN {r.urn}"),
            labels(r.areas, Expertise),
            UNMATCHED_REASONS.get(listed[r.pk]["reason"], listed[r.pk]["reason"]),
            listed[r.pk]["detail"],
        )
        for r in sorted(rows, key=lambda r: r.pk)
    ]


def totals_facts(run: MatchingRun) -> list[SummaryRow]:
    t = run.totals
    objective, greedy = t.get("objective"), t.get("greedy_cost")
    comparison = ""
    if objective is not None and greedy:
        saving = (greedy - objective) / greedy * 100
        comparison = (
            f"; the greedy baseline costs {greedy:,.2f} ({saving:.1f}% more)"
            if saving > 0.05
            else f"; the greedy baseline costs the same ({greedy:,.2f})"
        )
    by = run.run_by.get_username() if run.run_by else "a process"
    # Only a run over places is known to be optimal: min-cost flow over places is exact.
    # Runs stored before (over days) kept keys this page no longer reads.
    optimal = (
        ", optimal: no matching of these requests to the places left costs less"
        if t.get("capacity") == CAPACITY
        else ""
    )
    matched = f"{t.get('matched', 0)} of {t.get('requests', 0)} open requests"
    if "greedy_matched" in t:  # runs stored without the baseline (the demo's) say nothing
        matched += f" (greedy baseline: {t['greedy_matched']})"
    if "providers" in t:
        matched += f", over {t['providers']} providers"
    return [
        SummaryRow("Run", f"As at {run.as_at:%-d %B %Y}, by {by}, {run.method}"),
        SummaryRow("Requests matched", matched),
        SummaryRow(
            "Total cost",
            f"{objective:,.2f} points{optimal}{comparison}"
            if objective is not None
            else "Not recorded",
        ),
        SummaryRow(
            "Independence rule", str(run.settings.get("independence", "not recorded")).capitalize()
        ),
    ]


@role_required(*BOARD_ROLES)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Proposals awaiting a decision in the reader's LA or area, with their explanations."""
    reader = scope(request)
    las = board_las(reader)
    la = chosen_la(request, las)
    run = MatchingRun.objects.filter(la_code=la).select_related("run_by").first()
    proposals = Match.objects.for_board(la).filter(
        request__urn__in=reader.brokered_schools().values("urn")
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    awaiting_plan = (
        reader.matches()
        .filter(
            status=MatchStatus.APPROVED,
            request__la_code=la,
            request__status=RequestStatus.MATCHED,
            plan__isnull=True,
        )
        .select_related("request", "provider")
        .order_by("decided_on", "pk")
    )
    waiting = (
        reader.requests()
        .filter(la_code=la, status=RequestStatus.OPEN)
        .exclude(matches__status=MatchStatus.PROPOSED)
    )
    names = names_of(m.request.urn for m in awaiting_plan)
    return render(
        request,
        "brokerage/board.html",
        {
            "la": la,
            "las": las,
            "la_name": dict(las)[la],
            "run": run,
            "totals": totals_facts(run) if run else [],
            "page": page,
            "proposals": proposal_views(reader, list(page)),
            "unmatched": unmatched_views(reader, run),
            "awaiting_plan": [
                (m, names.get(m.request.urn, f"URN {m.request.urn}")) for m in awaiting_plan
            ],
            "waiting": waiting.count(),
            "can_run": reader.is_officer_for(la),
            "can_plan": reader.is_officer_for(la),
            "breadcrumbs": crumbs(),
        },
    )


@role_required(Role.LA_OFFICER)
@require_http_methods(["GET", "POST"])
def board_run(request: HttpRequest) -> HttpResponse:
    """Run the matching over every open request of the LA and store the proposals."""
    reader = scope(request)
    las = la_names(reader.officer_las)
    denied_unless(bool(las))
    form = RunForm(
        posted(request), las=las, initial={"la_code": las[0][0], "independence": "strict"}
    )

    def record(data: dict[str, Any]) -> MatchingRun:
        as_at: date = data["as_at"] or timezone.localdate()
        return run_matching(
            actor=request.user,
            la_code=data["la_code"],
            as_at=as_at,
            independence=data["independence"],
        )

    def then(run: MatchingRun) -> tuple[str, str]:
        t = run.totals
        message = f"Matching run stored: {t['matched']} of {t['requests']} open requests matched."
        return message, f"{reverse('brokerage:board')}?la={run.la_code}"

    sent = on_submit(request, form, record, then)
    return sent or form_page(
        request,
        form,
        title="Run the matching",
        caption="Brokerage board",
        submit="Run the matching",
        back=reverse("brokerage:board"),
        breadcrumbs=crumbs(Link("Brokerage board", reverse("brokerage:board"))),
        intro=[
            "Every open request of the LA is matched to the directory's available providers "
            "at once, at the least total cost: distance, expertise fit, track record, price "
            "and the independence rule. Each match takes one of the provider's places in the "
            "request's intensity band (high, medium or low), within the places it has left. "
            "A greedy baseline (most urgent first, each to its cheapest provider with a place) "
            "runs beside it.",
            "Proposals of the last run still awaiting a decision are replaced by the new ones.",
        ],
    )


def match_facts(match: Match, school: Establishment) -> list[SummaryRow]:
    request = match.request
    facts = [
        SummaryRow("School", f"{school.name} (URN {school.urn})"),
        SummaryRow("Areas of need", labels(request.areas, Expertise)),
        SummaryRow(
            "Intensity and urgency",
            f"{request.get_intensity_display()}; {request.get_urgency_display()}",
        ),
        SummaryRow("Days needed a term", days_words(request.days_per_term)),
        SummaryRow(
            "Provider", f"{match.provider.name} ({match.provider.get_designation_display()})"
        ),
        SummaryRow("Status", match.get_status_display()),
    ]
    if match.decided_on:
        facts.append(SummaryRow("Decided on", f"{match.decided_on:%-d %B %Y}"))
    if match.reason:
        facts.append(SummaryRow("Reason", match.reason))
    return facts


@role_required(*BOARD_ROLES)
@require_GET
def match_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One match: the request, the provider, why it was proposed and the alternatives."""
    match, school = load_match(request, pk)
    reader = scope(request)
    providers = SupportProvider.objects.in_bulk(alternative_ids([match]))
    decidable = (
        match.status == MatchStatus.PROPOSED
        and match.request.status == RequestStatus.OPEN
        and reader.can_decide_match(match, school)
    )
    has_plan = hasattr(match, "plan")
    return render(
        request,
        "brokerage/match.html",
        {
            "match": match,
            "school": school,
            "facts": match_facts(match, school),
            "explanation": explanation_view(match, providers),
            "decidable": decidable,
            "can_plan": match.status == MatchStatus.APPROVED
            and match.request.status == RequestStatus.MATCHED
            and not has_plan
            and reader.is_officer_for(match.request.la_code)
            and school.urn not in reader.own,
            "plan": match.plan if has_plan else None,
            "breadcrumbs": crumbs(
                Link("Brokerage board", f"{reverse('brokerage:board')}?la={match.request.la_code}")
            ),
        },
    )


DECISIONS = ("approve", "override", "reject")


def _candidates(match: Match, school: Establishment) -> list[tuple[int, str]]:
    """Providers to choose instead: the proposal's alternatives first, then every other
    provider of the LA available today offering one of the areas in the school's phase."""
    listed = {int(a["provider"]): a for a in (match.explanation or {}).get("alternatives", [])}
    phase = next((k for k, v in ENGINE_PHASE.items() if v == school_phase(school)), None)
    others = SupportProvider.objects.available_on(timezone.localdate()).filter(
        la_code=match.request.la_code
    )
    if phase:
        others = others.offering(phase=phase)
    found = {p.pk: p for p in others if set(p.expertise) & set(match.request.areas)}
    found |= SupportProvider.objects.in_bulk(listed)
    found.pop(match.provider_id, None)
    first = [
        (pk, f"{found[pk].name}: {why_not(listed[pk], match.explanation)}")
        for pk in listed
        if pk in found
    ]
    rest = sorted((p.name, pk) for pk, p in found.items() if pk not in listed)
    return first + [(pk, f"{name} ({found[pk].get_designation_display()})") for name, pk in rest]


@role_required(*BOARD_ROLES)
@require_http_methods(["GET", "POST"])
def match_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve, override (another provider, with a reason) or reject (with a reason)."""
    if decision not in DECISIONS:
        raise Http404("No such decision")
    match, school = load_match(request, pk)
    denied_unless(scope(request).can_decide_match(match, school))
    url = reverse("brokerage:match", kwargs={"pk": match.pk})
    blocked = ""
    if match.status != MatchStatus.PROPOSED:
        blocked = f"This match is already {match.get_status_display().lower()}."
    elif match.request.status != RequestStatus.OPEN:
        blocked = f"The request is {match.request.get_status_display().lower()}."
    data = posted(request)
    form: Any
    if decision == "approve":
        form, title, submit = ApproveForm(data), "Approve the match", "Approve"
        record = lambda d: approve_match(match, actor=request.user, **d)  # noqa: E731
        done = "Match approved."
    elif decision == "override":
        candidates = _candidates(match, school)
        form = OverrideForm(data, candidates=candidates)
        title, submit, done = (
            "Choose another provider",
            "Choose this provider",
            "Another provider chosen.",
        )

        def record(d: dict[str, Any]) -> Match:
            chosen = SupportProvider.objects.get(pk=d.pop("provider"))
            return override_match(match, actor=request.user, provider=chosen, **d)

        if not candidates and not blocked:
            blocked = (
                "No other provider of the LA offers these areas of need in the school's phase."
            )
    else:
        form, title, submit = RejectForm(data), "Reject the match", "Reject"
        record = lambda d: reject_match(match, actor=request.user, **d)  # noqa: E731
        done = "Match rejected: the request stays open for the next run."
    sent = (
        None
        if blocked
        else on_submit(
            request, form, record, lambda m: (done, reverse("brokerage:match", kwargs={"pk": m.pk}))
        )
    )
    return sent or form_page(
        request,
        form,
        title=title,
        caption=f"{school.name}, URN {school.urn}",
        submit=submit,
        back=url,
        breadcrumbs=crumbs(Link("Brokerage board", reverse("brokerage:board")), Link("Match", url)),
        summary=match_facts(match, school),
        blocked=blocked,
    )
