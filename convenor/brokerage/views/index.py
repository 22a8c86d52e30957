"""The brokerage landing page: the pages the reader may use, and the entries they manage."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from convenor.brokerage.views.common import READ_ROLES, scope
from convenor.core.components import Link
from convenor.core.permissions import role_required


@role_required(*READ_ROLES)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Where brokerage starts: the directory for everyone, and the rest by role."""
    reader = scope(request)
    brokers = bool(reader.officer_las or reader.board_areas)
    pages = [
        (
            Link("Support directory", reverse("brokerage:directory")),
            "Who offers support, in what, with how many days left this term, "
            "and how schools rated it.",
        )
    ]
    if brokers or reader.own:
        pages.append(
            (
                Link("Support requests", reverse("brokerage:requests")),
                "Requests for support from the schools you broker or lead.",
            )
        )
    if brokers:
        pages.append(
            (
                Link("Brokerage board", reverse("brokerage:board")),
                "Proposed matches with their explanations, to approve, change or reject.",
            )
        )
    managed = list(reader.managed_providers().order_by("name")) if reader.user_id else []
    if brokers or reader.own or managed:
        pages.append(
            (
                Link("Support plans", reverse("brokerage:plans")),
                "Plans agreed from approved matches: milestones, visits, reviews, funding.",
            )
        )
    return render(
        request,
        "brokerage/index.html",
        {
            "pages": pages,
            "managed": managed,
            "can_offer": bool(reader.officer_las or reader.own),
            "breadcrumbs": [Link("Home", reverse("schools:home"))],
        },
    )
