"""Soft intelligence pages: a school's log, the register of concern, the escalation rules.

Who may do what is decided in docs/adr/0006-soft-intelligence-access.md and worked out
by :func:`convenor.intelligence.querysets.intelligence_scope`: an unknown school or
entry is 404, a role that may not see soft intelligence, or a school outside the
user's scope, is 403 (as ``get_establishment_for_user`` answers for restricted
detail). Entries are read through the auditing helpers of
:mod:`convenor.intelligence.services`, and changed only through its services.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from convenor.analytics.concern import ConcernAssessment, assess_concern, day_words
from convenor.core.components import Link
from convenor.core.forms import add_service_errors
from convenor.core.models import Role
from convenor.core.permissions import get_establishment_for_user, request_roles, role_required
from convenor.core.views_audit import csv_cell
from convenor.intelligence.forms import EntryForm, RegisterFilterForm, RuleForm, WithdrawForm
from convenor.intelligence.models import TERM_DAYS, ConcernRule, SoftIntelligenceEntry
from convenor.intelligence.querysets import (
    READER_ROLES,
    RECORDER_ROLES,
    RULE_READER_ROLES,
    RULE_SETTER_ROLES,
    WITHDRAWER_ROLES,
    IntelligenceScope,
    intelligence_scope,
    rules_for_page,
)
from convenor.intelligence.services import (
    RegisterOfConcern,
    complete_follow_up,
    default_rule_values,
    entry_facts,
    read_entry,
    read_school_entries,
    record_entry,
    register_of_concern,
    rule_facts,
    rule_in_force,
    set_concern_rule,
    withdraw_entry,
)
from convenor.schools.models import Establishment, LocalAuthority
from convenor.schools.querysets import lineage_of


def _scope(request: HttpRequest) -> IntelligenceScope:
    return intelligence_scope(request_roles(request))


def _acting(request: HttpRequest) -> User:
    user = request.user
    # role_required has already sent anyone not signed in to the sign-in page.
    assert isinstance(user, User)
    return user


def _school_for(request: HttpRequest, urn: int, scope: IntelligenceScope) -> Establishment:
    """The school, when the user may read its soft intelligence: 404 unknown, 403 not theirs."""
    school = get_establishment_for_user(request.user, urn)
    if not scope.can_read(school):
        raise PermissionDenied
    return school


def _entry_for(
    request: HttpRequest, urn: int, pk: int, scope: IntelligenceScope
) -> tuple[Establishment, SoftIntelligenceEntry]:
    """An entry about the school ``urn`` that the user may read; 404 for any other."""
    school = _school_for(request, urn, scope)
    entry = get_object_or_404(
        scope.readable_entries().select_related("author"), pk=pk, urn__in=lineage_of(school.urn)
    )
    return school, entry


def _school_breadcrumbs(school: Establishment) -> list[Link]:
    return [
        Link("Home", reverse("schools:home")),
        Link("Schools", reverse("schools:list")),
        Link(school.name, reverse("schools:profile", kwargs={"urn": school.urn})),
    ]


# --- A school's log -----------------------------------------------------------------


@dataclass(frozen=True)
class EntryView:
    """One entry as the school page shows it."""

    entry: SoftIntelligenceEntry
    status: str
    colour: str
    overdue: bool
    may_withdraw: bool
    may_complete: bool


def _status(entry: SoftIntelligenceEntry, today: date) -> tuple[str, str]:
    if entry.is_withdrawn:
        return "Withdrawn", "grey"
    if entry.expires_on <= today:
        return "Expired", "grey"
    return "Counts", "blue"


def _entry_views(
    entries: Sequence[SoftIntelligenceEntry],
    *,
    user: User,
    may_record: bool,
    may_withdraw_any: bool,
    today: date,
) -> list[EntryView]:
    views = []
    for entry in entries:
        status, colour = _status(entry, today)
        pending = bool(entry.follow_up) and entry.follow_up_done_at is None
        views.append(
            EntryView(
                entry=entry,
                status=status,
                colour=colour,
                # As on the register: only an entry that still counts has work overdue.
                overdue=entry.is_live(today) and entry.follow_up_overdue(today),
                may_withdraw=not entry.is_withdrawn
                and (may_withdraw_any or (may_record and entry.author_id == user.pk)),
                may_complete=may_record and pending and not entry.is_withdrawn,
            )
        )
    return views


@role_required(*READER_ROLES)
@require_http_methods(["GET", "POST"])
def school_entries(request: HttpRequest, urn: int) -> HttpResponse:
    """A school's soft intelligence, newest first; a POST records a new entry.

    Every view is audited. Board members see standard entries only and cannot add.
    """
    scope = _scope(request)
    school = _school_for(request, urn, scope)
    user = _acting(request)
    may_record = scope.can_record(school)
    form = EntryForm(request.POST) if request.method == "POST" else EntryForm()
    if form.is_bound:
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                record_entry(school, actor=user, **form.entry())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Entry added.")
                return redirect("intelligence:school", urn=school.urn)
    today = timezone.localdate()
    entries = read_school_entries(school, lineage_of(school.urn), scope, actor=user)
    rule = rule_in_force(school.la_code, today)
    assessment: ConcernAssessment = assess_concern(
        (entry_facts(e) for e in entries), rule_facts(rule) if rule else None, today
    )
    return render(
        request,
        "intelligence/school.html",
        {
            "school": school,
            "form": form,
            "may_record": may_record,
            "entries": _entry_views(
                entries,
                user=user,
                may_record=may_record,
                may_withdraw_any=scope.can_withdraw_any(school),
                today=today,
            ),
            "assessment": assessment,
            "today": today,
            "reads_restricted": scope.reads_restricted,
            "breadcrumbs": _school_breadcrumbs(school),
        },
    )


def _entry_page(
    request: HttpRequest,
    template: str,
    school: Establishment,
    entry: SoftIntelligenceEntry,
    form: forms.Form,
    *,
    via: str,
    status: int = 200,
) -> HttpResponse:
    read_entry(entry, actor=request.user, via=via)
    crumbs = [
        *_school_breadcrumbs(school),
        Link("Soft intelligence", reverse("intelligence:school", kwargs={"urn": school.urn})),
    ]
    return render(
        request,
        template,
        {
            "school": school,
            "entry": entry,
            "form": form,
            "back": reverse("intelligence:school", kwargs={"urn": school.urn}),
            "breadcrumbs": crumbs,
        },
        status=status,
    )


@role_required(*WITHDRAWER_ROLES)
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, urn: int, pk: int) -> HttpResponse:
    """Ask why, then withdraw an entry: LA officers any entry, inclusion officers their own."""
    scope = _scope(request)
    school, entry = _entry_for(request, urn, pk, scope)
    if not scope.can_withdraw(entry, school):
        raise PermissionDenied
    form = WithdrawForm(request.POST) if request.method == "POST" else WithdrawForm()
    if form.is_bound and form.is_valid():
        try:
            withdraw_entry(entry, actor=_acting(request), reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Entry of {day_words(entry.observed_on)} withdrawn.")
            return redirect("intelligence:school", urn=school.urn)
    return _entry_page(request, "intelligence/withdraw.html", school, entry, form, via="withdraw")


@role_required(*RECORDER_ROLES)
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, urn: int, pk: int) -> HttpResponse:
    """Confirm, then mark an entry's follow-up done."""
    scope = _scope(request)
    school, entry = _entry_for(request, urn, pk, scope)
    if not scope.can_record(school):
        raise PermissionDenied
    form = forms.Form(request.POST) if request.method == "POST" else forms.Form()
    if form.is_bound and form.is_valid():
        try:
            complete_follow_up(entry, actor=_acting(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Follow-up of {day_words(entry.observed_on)} done.")
            return redirect("intelligence:school", urn=school.urn)
    return _entry_page(
        request,
        "intelligence/follow_up.html",
        school,
        entry,
        form,
        via="follow-up",
        status=400 if form.errors else 200,
    )


# --- The register of concern --------------------------------------------------------


def _register(
    request: HttpRequest, scope: IntelligenceScope, *, via: str
) -> tuple[RegisterFilterForm, RegisterOfConcern | None]:
    districts = sorted(
        d for d in scope.readable_schools().values_list("district", flat=True).distinct() if d
    )
    form = RegisterFilterForm(request.GET or None, districts=districts)
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.cleaned_data if form.is_bound else {}
    register = register_of_concern(
        scope,
        actor=request.user,
        as_at=filters.get("as_at") or timezone.localdate(),
        district=filters.get("district", ""),
        fires_only=filters.get("fires_only", False),
        overdue_only=filters.get("overdue_only", False),
        via=via,
    )
    return form, register


@role_required(*READER_ROLES)
@require_GET
def concerns(request: HttpRequest) -> HttpResponse:
    """The register of concern as at a date (today unless asked), filtered; audited."""
    scope = _scope(request)
    form, register = _register(request, scope, via="register")
    export = request.GET.copy()
    return render(
        request,
        "intelligence/concerns.html",
        {
            "form": form,
            "register": register,
            "reads_restricted": scope.reads_restricted,
            "csv_href": f"{reverse('intelligence:concerns-csv')}?{export.urlencode()}",
        },
    )


CSV_HEAD = (
    "urn",
    "school",
    "la_code",
    "district",
    "as_at",
    "live_entries",
    "entries_in_window",
    "review_proposed",
    "reason",
    "last_entry",
    "overdue_follow_ups",
    "restricted_entries",
    "synthetic_entries",
    "types",
)


def _csv_lines(register: RegisterOfConcern) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield writer.writerow(CSV_HEAD)
    for row in register.rows:
        a = row.assessment
        yield writer.writerow(
            [
                row.school.urn,
                csv_cell(row.school.name),
                row.school.la_code,
                csv_cell(row.school.district),
                register.as_at.isoformat(),
                a.live,
                a.counted,
                "yes" if a.fires else "no",
                csv_cell(a.reason),
                a.last_observed.isoformat() if a.last_observed else "",
                a.overdue_follow_ups,
                row.restricted,
                row.synthetic,
                csv_cell("; ".join(f"{kind} ({n})" for kind, n in row.kinds)),
            ]
        )


@role_required(*READER_ROLES)
@require_GET
def concerns_csv(request: HttpRequest) -> HttpResponse:
    """The register of concern as CSV, with the page's filters; audited as an export."""
    scope = _scope(request)
    _form, register = _register(request, scope, via="register export")
    if register is None:
        # The register page shows what is wrong with the filters, beside the fields.
        return redirect(f"{reverse('intelligence:concerns')}?{request.GET.urlencode()}")
    response = HttpResponse("".join(_csv_lines(register)), content_type="text/csv; charset=utf-8")
    name = f"register-of-concern-{register.as_at.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Escalation rules ---------------------------------------------------------------


def _rule_las(request: HttpRequest) -> list[int] | None:
    """The LAs whose rules the user sees and sets: None (every LA) for administrators."""
    roles = request_roles(request)
    if any(a.role == Role.ADMINISTRATOR for a in roles):
        return None
    return sorted({a.la_code for a in roles if a.la_code is not None})


@dataclass(frozen=True)
class RuleView:
    rule: ConcernRule
    status: str
    colour: str


def _rule_views(rules: Sequence[ConcernRule], today: date) -> list[RuleView]:
    views: list[RuleView] = []
    in_force: set[int] = set()
    for rule in rules:  # newest first within each LA
        if rule.effective_from > today:
            views.append(RuleView(rule, "Not yet in force", "yellow"))
        elif rule.la_code not in in_force:
            in_force.add(rule.la_code)
            views.append(RuleView(rule, "In force", "green"))
        else:
            views.append(RuleView(rule, "Superseded", "grey"))
    return views


@role_required(*RULE_READER_ROLES)
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    """The escalation rules of the user's LAs, current and past. No entries are shown."""
    las = _rule_las(request)
    today = timezone.localdate()
    roles = {a.role for a in request_roles(request)}
    return render(
        request,
        "intelligence/rules.html",
        {
            "rules": _rule_views(list(rules_for_page(las)), today),
            "may_set": bool(roles & set(RULE_SETTER_ROLES)),
            "term_days": TERM_DAYS,
        },
    )


def _la_choices(las: list[int] | None) -> list[tuple[int, str]]:
    authorities = LocalAuthority.objects.order_by("name")
    if las is not None:
        authorities = authorities.filter(code__in=las)
    return [(la.code, f"{la.name} ({la.code})") for la in authorities]


@role_required(*RULE_SETTER_ROLES)
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    """Set a new escalation rule for one LA from a date: LA officers for their LA,
    administrators (who manage frameworks and thresholds) for any."""
    choices = _la_choices(_rule_las(request))
    if request.method == "POST":
        form = RuleForm(request.POST, la_choices=choices)
    else:
        form = RuleForm(initial=default_rule_values() | {"name": ""}, la_choices=choices)
    if form.is_bound and form.is_valid():
        try:
            rule = set_concern_rule(actor=request.user, **form.rule())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Rule “{rule.name}” set for LA {rule.la_code}: {rule.description}."
            )
            return redirect("intelligence:rules")
    return render(
        request,
        "intelligence/rule_create.html",
        {"form": form, "breadcrumbs": [Link("Escalation rules", reverse("intelligence:rules"))]},
    )
