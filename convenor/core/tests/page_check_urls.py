"""A test-only URL map of small views serving good and bad pages to the page checker."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


def page(body: str, title: str = "Schools - convenor") -> str:
    """A whole page in the GOV.UK template with ``body`` inside ``<main>``."""
    return (
        '<!DOCTYPE html><html lang="en-GB" class="govuk-template"><head>'
        f'<meta charset="utf-8"><title>{title}</title></head>'
        '<body class="govuk-template__body">'
        f'<main class="govuk-main-wrapper" id="main-content">{body}</main>'
        "</body></html>"
    )


GOOD = page('<h1 class="govuk-heading-l">Schools</h1>')
BAD = page("<h1>Schools</h1><h1>Schools again</h1>")


@csrf_exempt
def good(request: HttpRequest) -> HttpResponse:
    return HttpResponse(GOOD)


@csrf_exempt
def bad(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BAD)


def to_bad(request: HttpRequest) -> HttpResponse:
    return redirect("/bad/")


def bad_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"html": BAD})


def bad_as_plain_text(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BAD, content_type="text/plain")


def not_allowed(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotAllowed(["POST"])


def bad_not_found(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BAD, status=404)


urlpatterns = [
    path("good/", good),
    path("bad/", bad),
    path("to-bad/", to_bad),
    path("bad.json", bad_json),
    path("bad.txt", bad_as_plain_text),
    path("post-only/", not_allowed),
    path("bad-not-found/", bad_not_found),
]
