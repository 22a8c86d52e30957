"""A case's page (facts, clock, deadlines, timeline) and the page of each of its steps."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from convenor.core.components import Link, SummaryRow
from convenor.core.permissions import role_required
from convenor.intelligence import interventions as clocks
from convenor.intelligence import services_interventions as services
from convenor.intelligence.models import AcademyConcern, InterimExecutiveBoard, WarningNotice
from convenor.intelligence.views_interventions.pages import (
    form_page,
    on_submit,
    posted,
    school_crumbs,
)
from convenor.intelligence.views_interventions.rows import (
    ENTRY_TAGS,
    SEVERITY_COLOURS,
    WINDOW_WORDS,
    Tag,
    as_at_of,
    board_clock,
    concern_clock,
    deadline_tag,
    notice_clock,
)
from convenor.intelligence.views_interventions.scope import (
    MANAGE_ROLES,
    READ_ROLES,
    CaseScope,
    scope_of,
)
from convenor.intelligence.views_interventions.steps import KINDS, CaseKind
from convenor.schools.models import Establishment


def _load(request: HttpRequest, kind: CaseKind, pk: int) -> tuple[Any, Establishment, CaseScope]:
    """The case if the user may read it (else 404, so nobody learns it exists), its school
    and the user's scope."""
    scope = scope_of(request)
    queryset = kind.model._default_manager.filter(pk=pk, urn__in=scope.readable_urns())
    if kind.model is WarningNotice:
        queryset = queryset.prefetch_related("copies", "powers")
    elif kind.model is InterimExecutiveBoard:
        queryset = queryset.select_related("warning_notice")
    case: Any = queryset.first()
    if case is None:
        raise Http404("No such case")
    school = Establishment.objects.filter(urn=case.urn).first()
    if school is None:
        raise Http404("No such school")
    return case, school, scope


def _day(day: date | None, missing: str = "Not recorded") -> str:
    return clocks.long_date(day) if day else missing


def notice_rows(
    notice: WarningNotice, school: Establishment, clock: clocks.CaseClock
) -> list[SummaryRow]:
    sent = {c.recipient: c.sent_on for c in notice.copies.all()}
    required = services.required_copies(notice, school)
    rows = [
        SummaryRow("Kind", notice.get_kind_display()),
        SummaryRow(
            "Grounds", "\n".join(clocks.GROUND_LABELS[g] for g in notice.grounds) or "None (s60A)"
        ),
        SummaryRow("Given by", notice.get_issued_by_display()),
        SummaryRow("Given on", clocks.long_date(notice.issued_on)),
    ]
    if notice.sos_permission_on:
        rows.append(
            SummaryRow(
                "Secretary of State said the LA may", clocks.long_date(notice.sos_permission_on)
            )
        )
    rows += [
        SummaryRow("Compliance period ends", clocks.long_date(notice.compliance_ends_on)),
        SummaryRow("Matters the conclusion is based on", notice.reasons),
        SummaryRow("Action required", notice.action_required),
        SummaryRow(
            "Copies",
            "\n".join(
                f"{clocks.RECIPIENT_LABELS[clocks.Recipient(r)]}: {_day(sent.get(r))}"
                for r in [*required, *(r for r in sent if r not in required)]
            ),
        ),
    ]
    if notice.representations_on:
        rows.append(SummaryRow("Representations made", clocks.long_date(notice.representations_on)))
    outcome = (
        f"{notice.get_outcome_display()}, {clocks.long_date(notice.outcome_on)}"
        if notice.outcome and notice.outcome_on
        else "Not decided"
    )
    if notice.outcome_note:
        outcome += f"\n{notice.outcome_note}"
    rows.append(SummaryRow("Outcome", outcome))
    if notice.outcome == clocks.Outcome.NOT_COMPLIED:
        given = _day(notice.reasonable_notice_on)
        if notice.reasonable_notice_note:
            given += f"\n{notice.reasonable_notice_note}"
        rows.append(SummaryRow("Reasonable notice of powers", given))
        powers = [
            f"{use.get_power_display()}, {clocks.long_date(use.used_on)} "
            f"(DfE told: {_day(use.dfe_notified_on, 'not yet')})"
            for use in notice.powers.all()
        ]
        rows.append(SummaryRow("Powers used", "\n".join(powers) or "None"))
    if clock.eligible_on:
        rows.append(
            SummaryRow("Eligible for intervention from", clocks.long_date(clock.eligible_on))
        )
    if clock.window:
        window = clock.window
        rows.append(
            SummaryRow(
                "Powers window",
                f"{clocks.long_date(window.opens_on)} to {clocks.long_date(window.closes_on)} "
                f"({WINDOW_WORDS[window.state]})",
            )
        )
    return rows


def board_rows(board: InterimExecutiveBoard) -> list[SummaryRow]:
    decision = (
        f"{board.get_consent_decision_display()}, {clocks.long_date(board.consent_decision_on)}"
        if board.consent_decision and board.consent_decision_on
        else "Not recorded"
    )
    members = ""
    if board.member_count is not None:
        members = f"{board.member_count}" + (f"\n{board.members}" if board.members else "")
    rows = [
        SummaryRow("Eligible for intervention because", board.get_ground_display()),
        SummaryRow("Proposed on", clocks.long_date(board.proposed_on)),
    ]
    if board.note:
        rows.append(SummaryRow("Note", board.note))
    rows += [
        SummaryRow("Consent requested", _day(board.consent_requested_on)),
        SummaryRow("Secretary of State's decision", decision),
        SummaryRow("Takes over on", _day(board.constituted_on)),
        SummaryRow("Members", members or "Not recorded"),
        SummaryRow(
            "Ended", _day(board.ended_on) + (f"\n{board.end_note}" if board.end_note else "")
        ),
    ]
    return rows


def concern_rows(concern: AcademyConcern) -> list[SummaryRow]:
    def answer(day: date | None, text: str) -> str:
        return f"{clocks.long_date(day)}\n{text}" if day else "Not recorded"

    rows = [
        SummaryRow("Trust", concern.trust_name or "Not in the register"),
        SummaryRow("Concern", concern.concern),
        SummaryRow("Raised with the trust", clocks.long_date(concern.raised_with_trust_on)),
        SummaryRow("Trust's response", answer(concern.trust_response_on, concern.trust_response)),
        SummaryRow(
            "Referred to the regional director",
            answer(concern.referred_to_rd_on, concern.referral_note),
        ),
        SummaryRow(
            "Regional director's response", answer(concern.rd_response_on, concern.rd_response)
        ),
        SummaryRow("Status", concern.get_status_display()),
    ]
    if concern.closed_on:
        rows.append(SummaryRow("Closed", answer(concern.closed_on, concern.closing_note)))
    return rows


def _case_page(request: HttpRequest, kind_key: str, pk: int) -> HttpResponse:
    kind = KINDS[kind_key]
    case, school, scope = _load(request, kind, pk)
    form, as_at, today = as_at_of(request)
    if isinstance(case, WarningNotice):
        clock = notice_clock(case, school, as_at)
        summary = notice_rows(case, school, clock)
    elif isinstance(case, InterimExecutiveBoard):
        clock = board_clock(case, as_at)
        summary = board_rows(case)
    else:
        clock = concern_clock(case, as_at)
        summary = concern_rows(case)
    manage = scope.can_manage(school)
    steps = []
    if manage:
        steps = [
            Link(step.link, reverse(f"{kind.url}-step", kwargs={"pk": case.pk, "step": slug}))
            for slug, step in kind.steps.items()
            if not step.blocked(case)
        ]
        if (
            isinstance(case, WarningNotice)
            and case.outcome == clocks.Outcome.NOT_COMPLIED
            and case.reasonable_notice_on
            and not case.boards.exists()
        ):
            create = reverse("interventions:ieb-create", kwargs={"urn": school.urn})
            steps.append(
                Link("Propose an interim executive board", f"{create}?warning_notice={case.pk}")
            )
    entries = clocks.timeline([("", clock)])
    deadlines = [(d, deadline_tag(d), clocks.long_date(d.due)) for d in clock.deadlines]
    return render(
        request,
        "intelligence/interventions/case.html",
        {
            "school": school,
            "kind": kind,
            "title": kind.title(case),
            "form": form,
            "as_at": clocks.long_date(as_at),
            "is_today": as_at == today,
            "clock": clock,
            "status": Tag("Open", "blue") if clock.is_open else Tag("Closed", "grey"),
            "flags": [(flag, SEVERITY_COLOURS[flag.severity]) for flag in clock.flags],
            "summary": summary,
            "deadlines": deadlines,
            "timeline": [(e, ENTRY_TAGS[e.state], clocks.long_date(e.on)) for e in entries],
            "steps": steps,
            "can_manage": manage,
            "breadcrumbs": [
                *school_crumbs(request, school),
                Link("Interventions", reverse("interventions:school", kwargs={"urn": school.urn})),
            ],
        },
    )


def _step_page(request: HttpRequest, kind_key: str, pk: int, slug: str) -> HttpResponse:
    kind = KINDS[kind_key]
    step = kind.steps.get(slug)
    if step is None:
        raise Http404("No such step")
    case, school, scope = _load(request, kind, pk)
    if not scope.can_manage(school):
        raise PermissionDenied
    back = reverse(kind.url, kwargs={"pk": case.pk})
    blocked = step.blocked(case)
    form = step.form(case, school, None if blocked else posted(request))
    sent = on_submit(
        request,
        form,
        lambda data: step.apply(case, data, request.user),
        lambda warning: (f"{step.done} {warning}" if warning else step.done, back),
    )
    return sent or form_page(
        request,
        school,
        form,
        title=step.title,
        submit=step.submit,
        back=back,
        intro=[kind.title(case)],
        blocked=blocked,
    )


@role_required(*READ_ROLES)
@require_GET
def warning_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """One warning notice: its facts, clock, deadlines and timeline."""
    return _case_page(request, "warning_notice", pk)


@role_required(*READ_ROLES)
@require_GET
def ieb(request: HttpRequest, pk: int) -> HttpResponse:
    """One interim executive board: its facts, clock, deadlines and timeline."""
    return _case_page(request, "ieb", pk)


@role_required(*READ_ROLES)
@require_GET
def academy_concern(request: HttpRequest, pk: int) -> HttpResponse:
    """One concern about an academy: its facts, clock, deadlines and timeline."""
    return _case_page(request, "academy_concern", pk)


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def warning_notice_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Record one step of a warning notice (a copy, the outcome, a power...)."""
    return _step_page(request, "warning_notice", pk, step)


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def ieb_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Record one step of an interim executive board (consent, taking over, ending)."""
    return _step_page(request, "ieb", pk, step)


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def academy_concern_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Record one step of a concern about an academy (responses, referral, closing)."""
    return _step_page(request, "academy_concern", pk, step)
