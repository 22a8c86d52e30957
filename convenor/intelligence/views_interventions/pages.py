"""What the interventions pages share: breadcrumbs, the form page and what happens when it
is sent, the not-applicable page."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from convenor.core.components import Link
from convenor.core.form_views import on_submit as on_submit
from convenor.core.form_views import posted as posted
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
