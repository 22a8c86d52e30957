"""Opening a case: a warning notice, a proposed interim executive board, an academy concern."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from convenor.core.permissions import role_required
from convenor.intelligence import forms_interventions as f
from convenor.intelligence import interventions as clocks
from convenor.intelligence import services_interventions as services
from convenor.intelligence.models import WarningNotice
from convenor.intelligence.views_interventions.pages import (
    form_page,
    is_maintained_school,
    not_applicable,
    on_submit,
    posted,
)
from convenor.intelligence.views_interventions.scope import MANAGE_ROLES, managed_school
from convenor.schools.models import Establishment


def _create_page(
    request: HttpRequest,
    school: Establishment,
    form: forms.Form,
    record: Callable[[dict[str, Any]], models.Model],
    *,
    done: str,
    url: str,
    title: str,
    submit: str,
    intro: Sequence[str],
) -> HttpResponse:
    """The form that opens a case at ``school``: ``record`` opens it from the form's data,
    and the new case's page (``url``) follows with the message ``done``."""
    sent = on_submit(
        request, form, record, lambda case: (done, reverse(url, kwargs={"pk": case.pk}))
    )
    return sent or form_page(
        request,
        school,
        form,
        title=title,
        submit=submit,
        back=reverse("interventions:school", kwargs={"urn": school.urn}),
        intro=intro,
    )


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def warning_notice_create(request: HttpRequest, urn: int) -> HttpResponse:
    """Record a warning notice given to a maintained school."""
    school = managed_school(request, urn)
    if not is_maintained_school(school):
        return not_applicable(
            request,
            school,
            "You cannot record a warning notice for this school",
            f"{school.name} is not a maintained school: warning notices (EIA 2006 s60 and "
            "s60A) are for community, foundation and voluntary schools, community and "
            "foundation special schools and maintained nursery schools."
            + (" Raise a concern with the academy's trust instead." if school.is_academy else ""),
        )
    return _create_page(
        request,
        school,
        f.WarningNoticeForm(posted(request)),
        lambda data: services.give_warning_notice(school, actor=request.user, **data),
        done="Warning notice recorded.",
        url="interventions:warning-notice",
        title="Record a warning notice",
        submit="Record warning notice",
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
    school = managed_school(request, urn)
    if not is_maintained_school(school):
        return not_applicable(
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

    def propose(data: dict[str, Any]) -> models.Model:
        chosen = data.pop("warning_notice")
        notice = next((n for n in notices if n.pk == chosen), None)
        return services.propose_ieb(school, actor=request.user, warning_notice=notice, **data)

    return _create_page(
        request,
        school,
        f.IebProposalForm(posted(request), notices=notices, initial=initial),
        propose,
        done="Interim executive board proposal recorded.",
        url="interventions:ieb",
        title="Propose an interim executive board",
        submit="Record proposal",
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
    school = managed_school(request, urn)
    if school.is_academy is not True:
        return not_applicable(
            request,
            school,
            "You cannot raise an academy concern for this school",
            f"{school.name} is not an academy. For a maintained school, the local "
            "authority's statutory route is a warning notice.",
        )
    return _create_page(
        request,
        school,
        f.AcademyConcernForm(posted(request)),
        lambda data: services.raise_academy_concern(school, actor=request.user, **data),
        done="Concern recorded.",
        url="interventions:academy-concern",
        title="Raise a concern with the trust",
        submit="Record concern",
        intro=[
            "The local authority has no intervention powers over academies. Concerns go "
            f"first to the trust{f' ({school.trust_name})' if school.trust_name else ''}, "
            "then, if need be, to the DfE regional director.",
        ],
    )
