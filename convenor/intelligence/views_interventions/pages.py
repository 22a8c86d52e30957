"""What the interventions pages share: breadcrumbs, the form page and what happens when it
is sent, the not-applicable page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from convenor.core.components import Link
from convenor.core.forms import add_service_errors
from convenor.intelligence import interventions as clocks
from convenor.schools.models import Establishment


def school_crumbs(request: HttpRequest, school: Establishment) -> list[Link]:
    crumbs = [Link("Schools", reverse("schools:list"))]
    crumbs.append(Link(school.name, reverse("schools:profile", kwargs={"urn": school.urn})))
    return crumbs


def is_maintained_school(school: Establishment) -> bool:
    return not school.is_academy and clocks.is_maintained(school.type_name)


def not_applicable(
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


def form_page(
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
                *school_crumbs(request, school),
                Link("Interventions", reverse("interventions:school", kwargs={"urn": school.urn})),
            ],
        },
    )


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


Recorded = TypeVar("Recorded")


def on_submit(
    request: HttpRequest,
    form: forms.Form,
    record: Callable[[dict[str, Any]], Recorded],
    then: Callable[[Recorded], tuple[str, str]],
) -> HttpResponse | None:
    """Record a sent, valid form through a service, and redirect.

    ``record`` calls the service with the form's data; ``then`` turns what it returns
    into the message to show and where to go. A ``ValidationError`` from the service
    is shown on the form, and None returned, as for a form not sent or not valid: the
    caller shows the form again.
    """
    if form.is_bound and form.is_valid():
        try:
            recorded = record(dict(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message, url = then(recorded)
            messages.success(request, message)
            return redirect(url)
    return None
