"""The frameworks pages: every version, one version, and a new version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from convenor.analytics import categorisation as engine
from convenor.analytics.concern import day_words
from convenor.core.components import Link
from convenor.core.forms import add_service_errors
from convenor.core.permissions import role_required
from convenor.core.templatetags.govuk import govuk_error_anchor
from convenor.intelligence import categorisation as service
from convenor.intelligence import forms_categorisation as f
from convenor.intelligence.models import CategoryFramework, CategoryTrack
from convenor.intelligence.views_categorisation.common import (
    FRAMEWORK_READER_ROLES,
    FRAMEWORK_SETTER_ROLES,
    is_administrator,
    scope_of,
    today,
)
from convenor.schools.models import LocalAuthority


def _framework_las(request: HttpRequest) -> list[int] | None:
    """The LAs whose frameworks the user reads: None (every LA) for administrators."""
    if is_administrator(request):
        return None
    return sorted(scope_of(request).la_codes)


@dataclass(frozen=True)
class VersionView:
    framework: CategoryFramework
    status: str
    colour: str


def _version_views(versions: Sequence[CategoryFramework], on: date) -> list[VersionView]:
    views = []
    in_force: set[tuple[int, str]] = set()
    for framework in versions:  # newest first within each LA and track
        key = (framework.la_code, framework.track)
        if framework.effective_from > on:
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
    may_set = is_administrator(request)
    authorities = LocalAuthority.objects.order_by("name") if may_set else None
    return render(
        request,
        "intelligence/categories/frameworks.html",
        {
            "versions": _version_views(list(service.frameworks_for_page(las)), today()),
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
            "may_set": is_administrator(request),
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
