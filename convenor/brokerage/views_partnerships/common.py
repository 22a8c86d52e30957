"""What the partnership pages share: who may open them, which LA a page shows, the
form page and what happens when it is sent, and CSV responses."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from convenor.brokerage.scope import DIRECTORY_ROLES, BrokerageScope
from convenor.core.components import Link
from convenor.core.form_views import on_submit as on_submit
from convenor.core.form_views import posted as posted
from convenor.core.models import Role
from convenor.core.permissions import request_roles
from convenor.schools.models import Establishment, LocalAuthority

#: The directory and the structures are for every role but elected members (ADR 0011).
STRUCTURE_ROLES: tuple[Role, ...] = DIRECTORY_ROLES
#: The connectedness view and the impact report name schools in a concern category and
#: schools that were supported: those who broker (LA officers, board members).
BROKER_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.BOARD_MEMBER)
#: Credits statements and subscriptions: the LA that runs them, and schools' leaders.
LEDGER_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.SCHOOL_LEADER)


def home_las(request: HttpRequest, scope: BrokerageScope) -> list[int]:
    """The LAs the user works in: from their roles, then their schools'; lowest first."""
    codes = {a.la_code for a in request_roles(request) if a.la_code is not None}
    if scope.own:
        schools = Establishment.objects.filter(urn__in=sorted(scope.own))
        codes |= {la for la in schools.values_list("la_code", flat=True) if la is not None}
    return sorted(codes)


def la_names(codes: Iterable[int]) -> list[tuple[int, str]]:
    """(code, "Name (code)") for each LA of ``codes`` the register knows, by name."""
    rows = LocalAuthority.objects.filter(code__in=sorted(set(codes))).order_by("name")
    return [(la.code, f"{la.name} ({la.code})") for la in rows]


def la_name(code: int | None) -> str:
    if code is None:
        return ""
    found = LocalAuthority.objects.filter(code=code).values_list("name", flat=True).first()
    return found or f"LA {code}"


def crumbs(*links: Link) -> list[Link]:
    """Breadcrumbs from the home page through the partnerships list."""
    return [
        Link("Home", reverse("schools:home")),
        Link("Partnerships", reverse("partnerships:list")),
        *links,
    ]


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
) -> HttpResponse:
    return render(
        request,
        "brokerage/partnerships/form.html",
        {
            "form": form,
            "title": title,
            "caption": caption,
            "submit": submit,
            "back": back,
            "intro": intro,
            "breadcrumbs": breadcrumbs,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[Sequence[object]], filename: str) -> HttpResponse:
    """A CSV download of ``rows`` (the first is the header)."""
    writer = csv.writer(_Echo())
    body = "".join(writer.writerow(row) for row in rows)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
