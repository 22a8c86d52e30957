"""Pages of intervention casework: open cases in scope, a school's cases and timeline, each
case with its clock, and one page per step of a case.

Who may see and do what is docs/adr/0007-interventions-access.md. LA officers read and
manage the cases of their LA's schools (except a school they lead); school leaders read
their own school's. A school outside the reader's scope is 403, as for all restricted
detail (ADR 0003); a case outside it is 404, so that a notice's existence is not given
away. Every change goes through :mod:`convenor.intelligence.services_interventions`.

Pages show cases "as at" today, or the ``?as_at=`` date for review: facts dated later
count as not yet known (see :mod:`convenor.intelligence.interventions`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from convenor.core.components import Link, SummaryRow
from convenor.core.forms import add_service_errors
from convenor.core.models import Role, RoleAssignment
from convenor.core.permissions import get_establishment_for_user, request_roles, role_required
from convenor.intelligence import forms_interventions as f
from convenor.intelligence import interventions as clocks
from convenor.intelligence import services_interventions as services
from convenor.intelligence.models import AcademyConcern, InterimExecutiveBoard, WarningNotice
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of

READ_ROLES = (Role.LA_OFFICER, Role.SCHOOL_LEADER)
MANAGE_ROLES = (Role.LA_OFFICER,)
NOWHERE = Q(pk__in=[])

AnyCase = WarningNotice | InterimExecutiveBoard | AcademyConcern


# --- Scope ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseScope:
    """Which schools' cases one user may read, and manage, today (conditions on
    :class:`~convenor.schools.models.Establishment`). Nobody manages a school they lead."""

    read: Q
    manage: Q
    own: frozenset[int]

    def readable_urns(self) -> models.QuerySet[Establishment, Any]:
        return Establishment.objects.filter(self.read).values("urn")

    def can_read(self, school: Establishment) -> bool:
        return Establishment.objects.filter(self.read, pk=school.pk).exists()

    def can_manage(self, school: Establishment) -> bool:
        if school.urn in self.own:
            return False
        return Establishment.objects.filter(self.manage, pk=school.pk).exists()


def case_scope(assignments: Iterable[RoleAssignment]) -> CaseScope:
    """The interventions scope the role assignments in force give one user: LA officers
    read and manage their LA's schools; school leaders read their school under every
    URN it has had. Other roles, administrators included, get nothing."""
    read = manage = NOWHERE
    own: set[int] = set()
    for assignment in assignments:
        if assignment.role == Role.LA_OFFICER:
            read |= Q(la_code=assignment.la_code)
            manage |= Q(la_code=assignment.la_code)
        elif assignment.role == Role.SCHOOL_LEADER and assignment.school_urn is not None:
            lineage = lineage_of(assignment.school_urn)
            own.update(lineage)
            read |= Q(urn__in=lineage)
    return CaseScope(read, manage, frozenset(own))


def _scope(request: HttpRequest) -> CaseScope:
    return case_scope(request_roles(request))


def _readable_school(request: HttpRequest, urn: int) -> Establishment:
    school = get_establishment_for_user(request.user, urn)
    if not _scope(request).can_read(school):
        raise PermissionDenied
    return school


def _managed_school(request: HttpRequest, urn: int) -> Establishment:
    school = get_establishment_for_user(request.user, urn)
    if not _scope(request).can_manage(school):
        raise PermissionDenied
    return school


# --- Cases as rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """One case as the list, the school page and the CSV show it."""

    kind: str
    title: str
    href: str
    urn: int
    school: str
    started_on: date
    clock: clocks.CaseClock

    @property
    def status(self) -> str:
        return "Open" if self.clock.is_open else "Closed"

    @property
    def next_deadline(self) -> clocks.Deadline | None:
        return self.clock.next_deadline


def _with_as_at(href: str, as_at: date, today: date) -> str:
    return href if as_at == today else f"{href}?as_at={as_at.isoformat()}"


def notice_title(notice: WarningNotice) -> str:
    return f"{notice.get_kind_display()} warning notice, {clocks.long_date(notice.issued_on)}"


def board_title(board: InterimExecutiveBoard) -> str:
    return f"Interim executive board, proposed {clocks.long_date(board.proposed_on)}"


def concern_title(concern: AcademyConcern) -> str:
    return f"Concern raised with the trust, {clocks.long_date(concern.raised_with_trust_on)}"


def board_window(board: InterimExecutiveBoard) -> date | None:
    """The last day of the powers window of the notice the board rests on, if the s65
    window applies to it."""
    notice = board.warning_notice
    if notice is None:
        return None
    if not clocks.window_applies(
        clocks.Power.INTERIM_EXECUTIVE_BOARD, clocks.NoticeKind(notice.kind)
    ):
        return None
    return clocks.powers_window(notice.compliance_ends_on)[1]


def notice_clock(notice: WarningNotice, school: Establishment, as_at: date) -> clocks.CaseClock:
    return clocks.warning_notice_clock(
        notice.facts(services.required_copies(notice, school)), as_at
    )


def board_clock(board: InterimExecutiveBoard, as_at: date) -> clocks.CaseClock:
    return clocks.ieb_clock(board.facts(board_window(board)), as_at)


def concern_clock(concern: AcademyConcern, as_at: date) -> clocks.CaseClock:
    return clocks.academy_concern_clock(concern.facts(), as_at)


def load_cases(
    urns: Any, as_at: date, kinds: Iterable[str] = ("warning_notice", "ieb", "academy_concern")
) -> list[CaseRow]:
    """Every case begun by ``as_at`` at the schools ``urns`` (a list or a subquery), each
    with its clock; a fixed number of queries, however many cases."""
    wanted = set(kinds)
    today = timezone.localdate()
    notices: list[WarningNotice] = []
    boards: list[InterimExecutiveBoard] = []
    concerns: list[AcademyConcern] = []
    if "warning_notice" in wanted:
        notices = list(
            WarningNotice.objects.filter(urn__in=urns, issued_on__lte=as_at).prefetch_related(
                "copies", "powers"
            )
        )
    if "ieb" in wanted:
        boards = list(
            InterimExecutiveBoard.objects.filter(
                urn__in=urns, proposed_on__lte=as_at
            ).select_related("warning_notice")
        )
    if "academy_concern" in wanted:
        concerns = list(
            AcademyConcern.objects.filter(urn__in=urns, raised_with_trust_on__lte=as_at)
        )
    cases: list[AnyCase] = [*notices, *boards, *concerns]
    involved = {c.urn for c in cases}
    schools = {
        s.urn: s
        for s in Establishment.objects.filter(urn__in=involved).only(
            "urn", "name", "type_name", "religious_character"
        )
    }
    rows: list[CaseRow] = []

    def add(
        kind: str, case: AnyCase, title: str, url: str, started: date, clock: clocks.CaseClock
    ) -> None:
        school = schools[case.urn]
        href = _with_as_at(reverse(url, kwargs={"pk": case.pk}), as_at, today)
        rows.append(CaseRow(kind, title, href, case.urn, school.name, started, clock))

    for notice in notices:
        clock = notice_clock(notice, schools[notice.urn], as_at)
        add(
            "Warning notice",
            notice,
            notice_title(notice),
            "interventions:warning-notice",
            notice.issued_on,
            clock,
        )
    for board in boards:
        add(
            "Interim executive board",
            board,
            board_title(board),
            "interventions:ieb",
            board.proposed_on,
            board_clock(board, as_at),
        )
    for concern in concerns:
        clock = concern_clock(concern, as_at)
        add(
            "Academy concern",
            concern,
            concern_title(concern),
            "interventions:academy-concern",
            concern.raised_with_trust_on,
            clock,
        )
    return sorted(rows, key=_row_order)


def _row_order(row: CaseRow) -> tuple[date, str, date]:
    upcoming = row.next_deadline
    return (upcoming.due if upcoming else date.max, row.school, row.started_on)


# --- What the templates are given ---------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str


STATE_TAGS = {
    clocks.DeadlineState.MET: "green",
    clocks.DeadlineState.UPCOMING: "blue",
    clocks.DeadlineState.OVERDUE: "red",
    clocks.DeadlineState.LAPSED: "grey",
}
ENTRY_TAGS = {
    clocks.EntryState.DONE: Tag("Done", "green"),
    clocks.EntryState.UPCOMING: Tag("To come", "blue"),
    clocks.EntryState.OVERDUE: Tag("Overdue", "red"),
    clocks.EntryState.LAPSED: Tag("Lapsed", "grey"),
}
SEVERITY_COLOURS = {
    clocks.Severity.OVERDUE: "red",
    clocks.Severity.WARNING: "orange",
    clocks.Severity.INFO: "grey",
}
WINDOW_WORDS = {
    clocks.WindowState.NOT_STARTED: "not yet open",
    clocks.WindowState.OPEN: "open",
    clocks.WindowState.CLOSING: "closing soon",
    clocks.WindowState.CLOSED: "closed",
}


def days_words(days: int) -> str:
    """Days to a deadline in words: "due today", "3 days left", "1 day overdue"."""
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'' if days == 1 else 's'} left"
    return f"{-days} day{'' if days == -1 else 's'} overdue"


def deadline_tag(due: clocks.Deadline) -> Tag:
    if due.state == clocks.DeadlineState.MET and due.met_on is not None:
        text = f"Met {clocks.long_date(due.met_on)}"
    elif due.state == clocks.DeadlineState.LAPSED:
        text = "Lapsed"
    else:
        text = days_words(due.days_remaining).capitalize()
    return Tag(text, STATE_TAGS[due.state])


def row_tags(row: CaseRow) -> list[Tag]:
    """The tags a case row carries: open or closed, and overdue."""
    tags = [Tag(row.status, "blue" if row.clock.is_open else "grey")]
    if row.clock.overdue:
        tags.append(Tag("Overdue", "red"))
    return tags


@dataclass(frozen=True)
class RowView:
    row: CaseRow
    tags: list[Tag]
    next_text: str
    next_due: str
    next_days: str
    school_href: str


def row_views(rows: Iterable[CaseRow], as_at: date, today: date) -> list[RowView]:
    views = []
    for row in rows:
        upcoming = row.next_deadline
        views.append(
            RowView(
                row,
                row_tags(row),
                upcoming.text if upcoming else "",
                clocks.long_date(upcoming.due) if upcoming else "",
                days_words(upcoming.days_remaining) if upcoming else "",
                _with_as_at(reverse("interventions:school", kwargs={"urn": row.urn}), as_at, today),
            )
        )
    return views


def _as_at(request: HttpRequest) -> tuple[f.AsAtForm, date, date]:
    today = timezone.localdate()
    form = f.AsAtForm(request.GET)
    return form, form.as_at_or(today), today


# --- The list and its CSV ------------------------------------------------------------------------


def _listed(request: HttpRequest, form: f.CaseFilterForm, as_at: date) -> list[CaseRow]:
    kind = form.value("kind")
    kinds = [kind] if kind else ["warning_notice", "ieb", "academy_concern"]
    rows = load_cases(_scope(request).readable_urns(), as_at, kinds)
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


# --- A school's cases --------------------------------------------------------------------------


def _school_crumbs(request: HttpRequest, school: Establishment) -> list[Link]:
    crumbs = [Link("Schools", reverse("schools:list"))]
    crumbs.append(Link(school.name, reverse("schools:profile", kwargs={"urn": school.urn})))
    return crumbs


def _maintained(school: Establishment) -> bool:
    return not school.is_academy and clocks.is_maintained(school.type_name)


@role_required(*READ_ROLES)
@require_GET
def school_cases(request: HttpRequest, urn: int) -> HttpResponse:
    """One school's cases under every URN it has had, and their timeline."""
    school = _readable_school(request, urn)
    form, as_at, today = _as_at(request)
    rows = load_cases(lineage_of(school.urn), as_at)
    entries = clocks.timeline((row.title, row.clock) for row in rows)
    manage = _scope(request).can_manage(school)
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
            "maintained": _maintained(school),
            "academy": school.is_academy is True,
            "breadcrumbs": _school_crumbs(request, school),
        },
    )


def _not_applicable(
    request: HttpRequest, school: Establishment, heading: str, reason: str
) -> HttpResponse:
    return render(
        request,
        "intelligence/interventions/not_applicable.html",
        {
            "school": school,
            "heading": heading,
            "reason": reason,
            "back": reverse("interventions:school", kwargs={"urn": school.urn}),
        },
        status=404,
    )


def _form_page(
    request: HttpRequest,
    school: Establishment,
    form: forms.Form,
    *,
    title: str,
    submit: str,
    back: str,
    intro: Sequence[str] = (),
    blocked: str = "",
) -> HttpResponse:
    return render(
        request,
        "intelligence/interventions/form.html",
        {
            "school": school,
            "form": form,
            "title": title,
            "submit": submit,
            "back": back,
            "intro": intro,
            "blocked": blocked,
            "breadcrumbs": [
                *_school_crumbs(request, school),
                Link("Interventions", reverse("interventions:school", kwargs={"urn": school.urn})),
            ],
        },
    )


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def warning_notice_create(request: HttpRequest, urn: int) -> HttpResponse:
    """Record a warning notice given to a maintained school."""
    school = _managed_school(request, urn)
    if not _maintained(school):
        return _not_applicable(
            request,
            school,
            "You cannot record a warning notice for this school",
            f"{school.name} is not a maintained school: warning notices (EIA 2006 s60 and "
            "s60A) are for community, foundation and voluntary schools, community and "
            "foundation special schools and maintained nursery schools."
            + (" Raise a concern with the academy's trust instead." if school.is_academy else ""),
        )
    form = f.WarningNoticeForm(_post(request))
    if form.is_bound and form.is_valid():
        try:
            notice = services.give_warning_notice(school, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Warning notice recorded.")
            return redirect("interventions:warning-notice", pk=notice.pk)
    return _form_page(
        request,
        school,
        form,
        title="Record a warning notice",
        submit="Record warning notice",
        back=reverse("interventions:school", kwargs={"urn": school.urn}),
        intro=[
            "Record a warning notice the local authority or the Secretary of State gave to the "
            "governing body. Copies, the outcome and any powers used are recorded afterwards, "
            "from the notice's page.",
        ],
    )


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def ieb_create(request: HttpRequest, urn: int) -> HttpResponse:
    """Record a proposed interim executive board for a maintained school."""
    school = _managed_school(request, urn)
    if not _maintained(school):
        return _not_applicable(
            request,
            school,
            "You cannot propose an interim executive board for this school",
            f"{school.name} is not a maintained school: interim executive boards (EIA 2006 "
            "s65) replace the governing bodies of maintained schools only.",
        )
    notices = list(
        WarningNotice.objects.filter(urn=school.urn, outcome=clocks.Outcome.NOT_COMPLIED)
    )
    initial = {"warning_notice": request.GET.get("warning_notice", "")}
    form = f.IebProposalForm(_post(request), notices=notices, initial=initial)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("warning_notice")
        notice = next((n for n in notices if n.pk == chosen), None)
        try:
            board = services.propose_ieb(school, actor=request.user, warning_notice=notice, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Interim executive board proposal recorded.")
            return redirect("interventions:ieb", pk=board.pk)
    return _form_page(
        request,
        school,
        form,
        title="Propose an interim executive board",
        submit="Record proposal",
        back=reverse("interventions:school", kwargs={"urn": school.urn}),
        intro=[
            "An interim executive board needs the Secretary of State's consent and at least "
            "two members. Before proposing one, the LA must consult the governing body and, "
            "for a church or foundation school, the diocese or foundation governors' appointer.",
        ],
    )


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def academy_concern_create(request: HttpRequest, urn: int) -> HttpResponse:
    """Record a concern about an academy raised with its trust."""
    school = _managed_school(request, urn)
    if school.is_academy is not True:
        return _not_applicable(
            request,
            school,
            "You cannot raise an academy concern for this school",
            f"{school.name} is not an academy. For a maintained school, the local "
            "authority's statutory route is a warning notice.",
        )
    form = f.AcademyConcernForm(_post(request))
    if form.is_bound and form.is_valid():
        try:
            concern = services.raise_academy_concern(
                school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Concern recorded.")
            return redirect("interventions:academy-concern", pk=concern.pk)
    return _form_page(
        request,
        school,
        form,
        title="Raise a concern with the trust",
        submit="Record concern",
        back=reverse("interventions:school", kwargs={"urn": school.urn}),
        intro=[
            "The local authority has no intervention powers over academies. Concerns go "
            f"first to the trust{f' ({school.trust_name})' if school.trust_name else ''}, "
            "then, if need be, to the DfE regional director.",
        ],
    )


# --- Case pages and their steps ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing recorded on a case, on its own page.

    ``blocked`` says why it cannot be recorded now ("" when it can); ``apply`` calls
    the service and returns any warning to show.
    """

    link: str
    title: str
    submit: str
    form: Callable[[Any, Establishment, Any], forms.Form]
    apply: Callable[[Any, dict[str, Any], Any], str | None]
    blocked: Callable[[Any], str]
    done: str


@dataclass(frozen=True)
class CaseKind:
    model: type[models.Model]
    url: str
    label: str
    title: Callable[[Any], str]
    steps: Mapping[str, Step] = field(default_factory=dict)


def _none(*_: Any) -> None:
    return None


def _copy_form(notice: WarningNotice, school: Establishment, data: Any) -> forms.Form:
    return f.CopyForm(data, notice=notice, required=services.required_copies(notice, school))


def _copy_blocked(notice: WarningNotice) -> str:
    return "" if notice.copies.count() < len(clocks.Recipient) else "Every copy is recorded."


def _representations_blocked(notice: WarningNotice) -> str:
    rules = clocks.notice_rules(notice.issued_on)
    if rules is None or not rules.representations_to.get(clocks.NoticeKind(notice.kind)):
        return "Representations against warning notices ended on 18 April 2016."
    return "Representations are recorded." if notice.representations_on else ""


def _outcome_blocked(notice: WarningNotice) -> str:
    return (
        f"The outcome is recorded: {clocks.in_sentence(notice.get_outcome_display())}."
        if notice.outcome
        else ""
    )


def _after_not_complied(notice: WarningNotice) -> str:
    if notice.outcome != clocks.Outcome.NOT_COMPLIED:
        return "This follows a decision that the governing body did not comply."
    return ""


def _notice_blocked(notice: WarningNotice) -> str:
    if notice.reasonable_notice_on:
        return "Reasonable notice is recorded."
    return _after_not_complied(notice)


def _power_blocked(notice: WarningNotice) -> str:
    if _after_not_complied(notice):
        return _after_not_complied(notice)
    return "" if notice.reasonable_notice_on else "Record the reasonable notice of powers first."


def _unnotified(notice: WarningNotice) -> list[Any]:
    return [use for use in notice.powers.all() if use.dfe_notified_on is None]


def _dfe_apply(notice: WarningNotice, data: dict[str, Any], actor: Any) -> None:
    use = next((u for u in _unnotified(notice) if u.pk == data["use"]), None)
    if use is None:
        raise ValidationError({"use": "Choose the power the DfE was told of."})
    services.record_dfe_notified(use, actor=actor, notified_on=data["notified_on"])


def _power_apply(notice: WarningNotice, data: dict[str, Any], actor: Any) -> str | None:
    return services.record_power_used(notice, actor=actor, **data)[1]


NOTICE_STEPS: Mapping[str, Step] = {
    "copy": Step(
        "Record a copy sent",
        "Record a copy sent",
        "Record copy",
        _copy_form,
        lambda n, d, a: _none(services.record_copy_sent(n, actor=a, **d)),
        _copy_blocked,
        "Copy recorded.",
    ),
    "representations": Step(
        "Record representations",
        "Record representations against the notice",
        "Record representations",
        lambda n, s, d: f.RepresentationsForm(d),
        lambda n, d, a: services.record_representations(n, actor=a, **d),
        _representations_blocked,
        "Representations recorded.",
    ),
    "outcome": Step(
        "Record the outcome",
        "Record the outcome",
        "Record outcome",
        lambda n, s, d: f.OutcomeForm(d),
        lambda n, d, a: services.record_outcome(n, actor=a, **d),
        _outcome_blocked,
        "Outcome recorded.",
    ),
    "reasonable-notice": Step(
        "Record reasonable notice of powers",
        "Record reasonable notice of powers",
        "Record notice",
        lambda n, s, d: f.ReasonableNoticeForm(d),
        lambda n, d, a: services.record_reasonable_notice(n, actor=a, **d),
        _notice_blocked,
        "Reasonable notice recorded.",
    ),
    "power": Step(
        "Record a power used",
        "Record an intervention power used",
        "Record power",
        lambda n, s, d: f.PowerForm(d),
        _power_apply,
        _power_blocked,
        "Power recorded.",
    ),
    "dfe-notified": Step(
        "Record that the DfE was told",
        "Record that the DfE was told of a power used",
        "Record",
        lambda n, s, d: f.DfeNotifiedForm(d, uses=_unnotified(n)),
        _dfe_apply,
        lambda n: "" if _unnotified(n) else "The DfE was told of every power used.",
        "Recorded.",
    ),
}


def _board_state(board: InterimExecutiveBoard) -> str:
    if board.ended_on:
        return "This board has ended."
    if board.consent_decision == clocks.ConsentDecision.REFUSED:
        return "The Secretary of State refused consent."
    return ""


def _consent_blocked(board: InterimExecutiveBoard) -> str:
    if _board_state(board):
        return _board_state(board)
    if not board.consent_requested_on:
        return "Record the request for consent first."
    return "The decision is recorded." if board.consent_decision else ""


def _constitute_blocked(board: InterimExecutiveBoard) -> str:
    if _board_state(board):
        return _board_state(board)
    if board.consent_decision != clocks.ConsentDecision.GRANTED:
        return "A board needs the Secretary of State's consent first (EIA 2006 s65)."
    return "The board is constituted." if board.constituted_on else ""


BOARD_STEPS: Mapping[str, Step] = {
    "consent-request": Step(
        "Record the request for consent",
        "Record the request for the Secretary of State's consent",
        "Record request",
        lambda b, s, d: f.ConsentRequestForm(d),
        lambda b, d, a: services.request_ieb_consent(b, actor=a, **d),
        lambda b: _board_state(b) or ("Consent was requested." if b.consent_requested_on else ""),
        "Request recorded.",
    ),
    "consent": Step(
        "Record the decision on consent",
        "Record the Secretary of State's decision on consent",
        "Record decision",
        lambda b, s, d: f.ConsentForm(d),
        lambda b, d, a: services.record_ieb_consent(b, actor=a, **d),
        _consent_blocked,
        "Decision recorded.",
    ),
    "constitute": Step(
        "Record the board taking over",
        "Record the board taking over",
        "Record",
        lambda b, s, d: f.ConstituteForm(d),
        lambda b, d, a: services.constitute_ieb(b, actor=a, **d),
        _constitute_blocked,
        "Board recorded as constituted.",
    ),
    "end": Step(
        "Record the board ending",
        "Record the board ending",
        "Record end",
        lambda b, s, d: f.EndIebForm(d),
        lambda b, d, a: services.end_ieb(b, actor=a, **d),
        lambda b: _board_state(b) or ("" if b.constituted_on else "The board is not in place."),
        "End recorded.",
    ),
}


def _concern_state(concern: AcademyConcern) -> str:
    return "" if concern.status == clocks.ConcernStatus.OPEN else "This concern is closed."


CONCERN_STEPS: Mapping[str, Step] = {
    "trust-response": Step(
        "Record the trust's response",
        "Record the trust's response",
        "Record response",
        lambda c, s, d: f.ResponseForm(d),
        lambda c, d, a: services.record_trust_response(c, actor=a, **d),
        lambda c: _concern_state(c) or ("Recorded already." if c.trust_response_on else ""),
        "Response recorded.",
    ),
    "referral": Step(
        "Record a referral to the regional director",
        "Record a referral to the regional director",
        "Record referral",
        lambda c, s, d: f.ReferralForm(d),
        lambda c, d, a: services.refer_to_regional_director(c, actor=a, **d),
        lambda c: _concern_state(c) or ("Referred already." if c.referred_to_rd_on else ""),
        "Referral recorded.",
    ),
    "rd-response": Step(
        "Record the regional director's response",
        "Record the regional director's response",
        "Record response",
        lambda c, s, d: f.ResponseForm(d),
        lambda c, d, a: services.record_rd_response(c, actor=a, **d),
        lambda c: (
            _concern_state(c)
            or ("Record the referral first." if not c.referred_to_rd_on else "")
            or ("Recorded already." if c.rd_response_on else "")
        ),
        "Response recorded.",
    ),
    "close": Step(
        "Close the concern",
        "Close the concern",
        "Close concern",
        lambda c, s, d: f.CloseConcernForm(d),
        lambda c, d, a: services.close_academy_concern(c, actor=a, **d),
        _concern_state,
        "Concern closed.",
    ),
}

KINDS: Mapping[str, CaseKind] = {
    "warning_notice": CaseKind(
        WarningNotice, "interventions:warning-notice", "Warning notice", notice_title, NOTICE_STEPS
    ),
    "ieb": CaseKind(
        InterimExecutiveBoard,
        "interventions:ieb",
        "Interim executive board",
        board_title,
        BOARD_STEPS,
    ),
    "academy_concern": CaseKind(
        AcademyConcern,
        "interventions:academy-concern",
        "Academy concern",
        concern_title,
        CONCERN_STEPS,
    ),
}


def _load(request: HttpRequest, kind: CaseKind, pk: int) -> tuple[Any, Establishment, CaseScope]:
    """The case if the user may read it (else 404, so nobody learns it exists), its school
    and the user's scope."""
    scope = _scope(request)
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
    form, as_at, today = _as_at(request)
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
                *_school_crumbs(request, school),
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
    form = step.form(case, school, None if blocked else _post(request))
    if form.is_bound and form.is_valid():
        try:
            warning = step.apply(case, dict(form.cleaned_data), request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{step.done} {warning}" if warning else step.done)
            return redirect(back)
    return _form_page(
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
