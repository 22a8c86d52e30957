"""What the brokerage pages share: the reader's scope, loading objects through it, the
form page and what happens when a form is sent.

Who may see and do what is docs/adr/0011-brokerage-data.md, worked out by
:mod:`convenor.brokerage.scope`. An object that does not exist is 404; one the reader
may not see is 403 (as for restricted detail, ADR 0003).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from convenor.brokerage.models import Match, SupportPlan, SupportProvider, SupportRequest
from convenor.brokerage.scope import DIRECTORY_ROLES, BrokerageScope
from convenor.brokerage.scope import scope_of as _scope_of
from convenor.core.components import Link, SummaryRow
from convenor.core.form_views import on_submit as on_submit
from convenor.core.form_views import posted as posted
from convenor.core.models import Role
from convenor.schools.models import Establishment, LocalAuthority

#: Every brokerage page is for these, and each page narrows it (ADR 0011).
READ_ROLES: tuple[Role, ...] = DIRECTORY_ROLES
#: Requests: their schools' brokers and leaders.
REQUEST_ROLES = (Role.LA_OFFICER, Role.BOARD_MEMBER, Role.SCHOOL_LEADER)
#: The board: LA officers in their LA, board members in their area.
BOARD_ROLES = (Role.LA_OFFICER, Role.BOARD_MEMBER)
#: Plans: their schools' brokers and leaders, and the providers delivering them.
PLAN_ROLES = (Role.LA_OFFICER, Role.BOARD_MEMBER, Role.SCHOOL_LEADER, Role.SYSTEM_LEADER)
#: Those who add entries to the directory: LA officers, and school leaders offering support.
OFFER_ROLES = (Role.LA_OFFICER, Role.SCHOOL_LEADER)
#: Those who update entries they manage.
MANAGE_ROLES = (Role.LA_OFFICER, Role.SCHOOL_LEADER, Role.SYSTEM_LEADER)

_SCOPE = "_brokerage_scope"


def scope(request: HttpRequest) -> BrokerageScope:
    """The reader's brokerage scope, worked out once a request."""
    found: BrokerageScope | None = getattr(request, _SCOPE, None)
    if found is None:
        found = _scope_of(request)
        setattr(request, _SCOPE, found)
    return found


def crumbs(*more: Link) -> list[Link]:
    return [
        Link("Home", reverse("schools:home")),
        Link("Brokerage", reverse("brokerage:index")),
        *more,
    ]


def school_of(urn: int) -> Establishment:
    school = Establishment.objects.filter(urn=urn).first()
    if school is None:
        raise Http404(f"No establishment with URN {urn}")
    return school


def names_of(urns: Iterable[int]) -> dict[int, str]:
    """School names by URN, for lists that show many schools (one query)."""
    rows = Establishment.objects.filter(urn__in=set(urns)).values_list("urn", "name")
    return dict(rows)


def la_names(codes: Iterable[int]) -> list[tuple[int, str]]:
    rows = LocalAuthority.objects.filter(code__in=set(codes)).order_by("name")
    return list(rows.values_list("code", "name"))


def load_request(request: HttpRequest, pk: int) -> tuple[SupportRequest, Establishment]:
    """A support request the reader may read, with its school."""
    row = SupportRequest.objects.select_related("prompted_by__decided_category").filter(pk=pk)
    found = row.first()
    if found is None:
        raise Http404("No such request")
    school = school_of(found.urn)
    if not scope(request).can_read_request(school):
        raise PermissionDenied
    return found, school


def load_match(request: HttpRequest, pk: int) -> tuple[Match, Establishment]:
    """A match with its explanation: only for the school's brokers."""
    found = Match.objects.select_related("request", "provider", "run").filter(pk=pk).first()
    if found is None:
        raise Http404("No such match")
    school = school_of(found.request.urn)
    if not scope(request).can_broker(school):
        raise PermissionDenied
    return found, school


def load_plan(request: HttpRequest, pk: int) -> tuple[SupportPlan, Establishment]:
    found = SupportPlan.objects.select_related("provider", "request", "match").filter(pk=pk).first()
    if found is None:
        raise Http404("No such plan")
    school = school_of(found.urn)
    if not scope(request).can_read_plan(found, school):
        raise PermissionDenied
    return found, school


def load_provider(pk: int) -> SupportProvider:
    found = SupportProvider.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such provider")
    return found


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    caption: str,
    submit: str,
    back: str,
    breadcrumbs: Sequence[Link],
    intro: Sequence[str] = (),
    summary: Sequence[SummaryRow] = (),
    blocked: str = "",
    status: int = 200,
) -> HttpResponse:
    """A page with one form, in the GOV.UK question-page layout."""
    return render(
        request,
        "brokerage/form.html",
        {
            "form": form,
            "title": title,
            "caption": caption,
            "submit": submit,
            "back": back,
            "breadcrumbs": breadcrumbs,
            "intro": intro,
            "summary": summary,
            "blocked": blocked,
        },
        status=status,
    )


def plain(number: object) -> str:
    """A number as people write it: 12, 6.5 (never 12.0 or 1.2E+1)."""
    text = f"{Decimal(str(number)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def days_words(days: object) -> str:
    text = plain(days)
    return f"{text} day" + ("" if text == "1" else "s")


def pounds(amount: object) -> str:
    return f"£{float(str(amount)):,.2f}".replace(".00", "")


def labels(values: Iterable[str], choices: Any) -> str:
    """Stored values of a controlled list as their labels, in the list's order."""
    chosen = set(values)
    return ", ".join(str(label) for value, label in choices.choices if value in chosen) or "None"


def denied_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def go(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(url)
