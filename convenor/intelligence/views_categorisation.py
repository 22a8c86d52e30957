"""Category pages: the review list, a school's proposal and decision, the frameworks.

Who may do what is docs/adr/0008-categorisation-framework.md, worked out by
:func:`convenor.intelligence.categorisation.category_scope`. Schools are loaded through
``get_establishment_for_user(restricted=True)``: an unknown school is 404, a school
outside the user's scope 403. Reasons drawn from soft intelligence are shown only to
those who read the restricted entries they count (ADR 0006), and showing them is
audited. Every change goes through the services of
:mod:`convenor.intelligence.categorisation`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from convenor.analytics import categorisation as engine
from convenor.analytics.concern import day_words
from convenor.core.components import Link
from convenor.core.forms import add_service_errors
from convenor.core.models import Role
from convenor.core.permissions import get_establishment_for_user, request_roles, role_required
from convenor.core.templatetags.govuk import govuk_error_anchor
from convenor.core.views_audit import csv_cell
from convenor.intelligence import categorisation as service
from convenor.intelligence import forms_categorisation as f
from convenor.intelligence.models import (
    AcademyConcern,
    Category,
    CategoryDecision,
    CategoryFramework,
    CategoryTrack,
)
from convenor.schools.models import Establishment, LocalAuthority
from convenor.schools.querysets import lineage_of

#: Who reviews categories: LA officers for their LA, board members for their area.
REVIEWER_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.BOARD_MEMBER)
#: Who opens a school's page: reviewers, and school leaders for their own school.
SCHOOL_ROLES: tuple[Role, ...] = (*REVIEWER_ROLES, Role.SCHOOL_LEADER)
#: Who reads the frameworks, and who sets them.
FRAMEWORK_READER_ROLES: tuple[Role, ...] = (*REVIEWER_ROLES, Role.ADMINISTRATOR)
FRAMEWORK_SETTER_ROLES: tuple[Role, ...] = (Role.ADMINISTRATOR,)


def _scope(request: HttpRequest) -> service.CategoryScope:
    return service.category_scope(request_roles(request))


def _is_administrator(request: HttpRequest) -> bool:
    return any(a.role == Role.ADMINISTRATOR for a in request_roles(request))


def _today() -> date:
    return timezone.localdate()


def _with_as_at(href: str, as_at: date) -> str:
    return href if as_at == _today() else f"{href}?as_at={as_at.isoformat()}"


# --- The review list ---------------------------------------------------------------------


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
    as_at: date
    rows: list[ReviewRow]
    missing_tracks: list[str]

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
    as_at = filters.get("as_at") or _today()
    district, track = filters.get("district", ""), filters.get("track", "")
    visible = set(schools.values_list("urn", flat=True))
    proposals: list[service.SchoolProposal] = []
    missing: set[str] = set()
    for la_code in sorted(scope.la_codes):
        for proposed in service.propose(as_at, la_code, urns=visible):
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
            href=_with_as_at(reverse("categories:school", kwargs={"urn": school.urn}), as_at),
        )
        if filters.get("differs_only") and not row.differs:
            continue
        if filters.get("overdue_only") and not row.review_due(as_at):
            continue
        rows.append(row)
    rows.sort(key=lambda r: (-(r.proposed.order if r.proposed else 0), r.school.name))
    return form, Review(as_at, rows, sorted(missing))


@role_required(*REVIEWER_ROLES)
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """Every school in the user's scope: its category, convenor's proposal as at a date,
    whether they differ, and when the review is due."""
    form, review = _review(request, _scope(request))
    return render(
        request,
        "intelligence/categories/list.html",
        {
            "form": form,
            "review": review,
            "csv_href": f"{reverse('categories:list-csv')}?{request.GET.urlencode()}",
            "model_note": service.MODEL_NOT_AVAILABLE,
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


def _csv_lines(review: Review) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield writer.writerow(CSV_HEAD)
    for row in review.rows:
        decision = row.decision
        yield writer.writerow(
            [
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
        )


@role_required(*REVIEWER_ROLES)
@require_GET
def review_list_csv(request: HttpRequest) -> HttpResponse:
    """The review list as CSV, with the page's filters."""
    _form, review = _review(request, _scope(request))
    if review is None:
        return redirect(f"{reverse('categories:list')}?{request.GET.urlencode()}")
    response = HttpResponse("".join(_csv_lines(review)), content_type="text/csv; charset=utf-8")
    name = f"categories-{review.as_at.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- A school's categories -----------------------------------------------------------------


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
    scope = _scope(request)
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
    as_at = (as_at_form.cleaned_data.get("as_at") if as_at_form.is_valid() else None) or _today()
    proposed = service.propose_one(school, as_at)
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
                    _with_as_at(reverse("categories:school", kwargs={"urn": school.urn}), as_at)
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
            "is_today": as_at == _today(),
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


# --- Frameworks ------------------------------------------------------------------------------


def _framework_las(request: HttpRequest) -> list[int] | None:
    """The LAs whose frameworks the user reads: None (every LA) for administrators."""
    if _is_administrator(request):
        return None
    return sorted(_scope(request).la_codes)


@dataclass(frozen=True)
class VersionView:
    framework: CategoryFramework
    status: str
    colour: str


def _version_views(versions: Sequence[CategoryFramework], today: date) -> list[VersionView]:
    views = []
    in_force: set[tuple[int, str]] = set()
    for framework in versions:  # newest first within each LA and track
        key = (framework.la_code, framework.track)
        if framework.effective_from > today:
            views.append(VersionView(framework, "Not yet in force", "yellow"))
        elif key not in in_force:
            in_force.add(key)
            views.append(VersionView(framework, "In force", "green"))
        else:
            views.append(VersionView(framework, "Superseded", "grey"))
    return views


@role_required(*FRAMEWORK_READER_ROLES)
@require_GET
def frameworks(request: HttpRequest) -> HttpResponse:
    """Every version of the frameworks of the user's LAs (every LA for administrators)."""
    las = _framework_las(request)
    may_set = _is_administrator(request)
    authorities = LocalAuthority.objects.order_by("name") if may_set else None
    return render(
        request,
        "intelligence/categories/frameworks.html",
        {
            "versions": _version_views(list(service.frameworks_for_page(las)), _today()),
            "may_set": may_set,
            "authorities": authorities,
            "tracks": CategoryTrack.choices,
        },
    )


def _readable_framework(request: HttpRequest, pk: int) -> CategoryFramework:
    try:
        framework = service.framework_with_content(pk)
    except CategoryFramework.DoesNotExist:
        raise Http404("No such framework") from None
    las = _framework_las(request)
    if las is not None and framework.la_code not in las:
        raise Http404("No such framework")
    return framework


@role_required(*FRAMEWORK_READER_ROLES)
@require_GET
def framework(request: HttpRequest, pk: int) -> HttpResponse:
    """One version: its categories with their entitlements, and its rules."""
    version = _readable_framework(request, pk)
    categories = list(version.categories.all())
    labels = {c.pk: c for c in categories}
    rules = [
        (
            rule,
            labels[rule.category_id],
            [
                f"{service.input_label(c.input)} "
                f"{engine.OPERATOR_WORDS.get(c.op, c.op)} {engine.format_number(c.value)}"
                for c in service.stored_clauses(rule.clauses)
            ],
        )
        for rule in version.rules.all()
    ]
    return render(
        request,
        "intelligence/categories/framework.html",
        {
            "framework": version,
            "categories": categories,
            "rules": rules,
            "may_set": _is_administrator(request),
            "breadcrumbs": [Link("Categorisation frameworks", reverse("categories:frameworks"))],
        },
    )


@dataclass(frozen=True)
class ErrorLink:
    anchor: str
    message: str


def _errors(form: forms.Form, formsets: Sequence[tuple[str, f.RowFormSet]]) -> list[ErrorLink]:
    """Every error on the page, for one GOV.UK error summary: each links to its field."""
    links: list[ErrorLink] = []
    first = next(iter(form.visible_fields()))
    for message in form.errors.get(NON_FIELD_ERRORS, []):
        links.append(ErrorLink(govuk_error_anchor(first), str(message)))
    for bound in form.visible_fields():
        links += [ErrorLink(govuk_error_anchor(bound), str(e)) for e in bound.errors]
    for name, formset in formsets:
        for message in formset.non_form_errors():
            links.append(ErrorLink(govuk_error_anchor(first), f"{name}: {message}"))
        for n, row in enumerate(formset.forms, start=1):
            for message in row.non_field_errors():
                links.append(ErrorLink(govuk_error_anchor(first), f"{name} {n}: {message}"))
            for bound in row.visible_fields():
                links += [
                    ErrorLink(govuk_error_anchor(bound), f"{name} {n}: {e}") for e in bound.errors
                ]
    return links


def _base(request: HttpRequest) -> tuple[int, str, CategoryFramework | None] | None:
    """The LA, track and version a new version starts from (``?from=`` or ``?la=&track=``);
    None when neither is given."""
    if "from" in request.GET:
        try:
            base = service.framework_with_content(int(request.GET["from"]))
        except (ValueError, CategoryFramework.DoesNotExist):
            raise Http404("No such framework") from None
        return base.la_code, base.track, base
    if "la" not in request.GET:
        return None
    track = request.GET.get("track", "")
    try:
        la_code = int(request.GET["la"])
    except ValueError:
        raise Http404("No such local authority") from None
    if track not in CategoryTrack.values or not (
        LocalAuthority.objects.filter(code=la_code).exists()
    ):
        raise Http404("No such local authority or track")
    latest = (
        CategoryFramework.objects.filter(la_code=la_code, track=track)
        .order_by("-effective_from", "-pk")
        .first()
    )
    return la_code, track, service.framework_with_content(latest.pk) if latest else None


@role_required(*FRAMEWORK_SETTER_ROLES)
@require_http_methods(["GET", "POST"])
def framework_create(request: HttpRequest) -> HttpResponse:
    """A new version of an LA's framework for one track, starting from its latest version
    (or convenor's default when it has none). Administrators only."""
    start = _base(request)
    crumbs = [Link("Categorisation frameworks", reverse("categories:frameworks"))]
    if start is None:
        return render(
            request,
            "intelligence/categories/framework_start.html",
            {
                "authorities": LocalAuthority.objects.order_by("name"),
                "tracks": CategoryTrack.choices,
                "breadcrumbs": crumbs,
            },
        )
    la_code, track, base = start
    spec = service.spec_of(base) if base else service.DEFAULTS[track]
    labels = {c.order: c.label for c in spec.categories}
    if request.method == "POST":
        form = f.FrameworkForm(request.POST)
        categories = f.CategoryFormSet(request.POST, prefix="categories")
        rules = f.RuleFormSet(
            request.POST,
            prefix="rules",
            form_kwargs={"category_choices": f.category_choices(labels, request.POST)},
        )
    else:
        form = f.FrameworkForm(initial={"name": spec.name, "notes": spec.notes})
        categories = f.CategoryFormSet(prefix="categories", initial=f.category_initial(spec))
        rules = f.RuleFormSet(
            prefix="rules",
            initial=f.rule_initial(spec),
            form_kwargs={"category_choices": f.category_choices(labels)},
        )
    if form.is_bound and all([form.is_valid(), categories.is_valid(), rules.is_valid()]):
        try:
            version = service.set_framework(
                actor=request.user,
                la_code=la_code,
                track=track,
                based_on=base,
                categories=f.category_specs(categories),
                rules=f.rule_specs(rules),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{version.name} in force for LA {version.la_code} from "
                f"{day_words(version.effective_from)}.",
            )
            return redirect("categories:framework", pk=version.pk)
    errors = _errors(form, [("Category", categories), ("Rule", rules)]) if form.is_bound else []
    authority = LocalAuthority.objects.filter(code=la_code).first()
    return render(
        request,
        "intelligence/categories/framework_create.html",
        {
            "form": form,
            "categories": categories,
            "rules": rules,
            "errors": errors,
            "la_code": la_code,
            "authority": authority,
            "track": CategoryTrack(track),
            "base": base,
            "breadcrumbs": crumbs,
            "query": request.GET.urlencode(),
        },
    )
