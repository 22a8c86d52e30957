"""Test helpers shared by every app: a client that checks every page it fetches.

STYLE.md habit 7: every view test goes through :class:`PageCheckingClient`, so a page
with two ``<h1>`` elements, a title that does not match its heading, a duplicate ``id``,
an unlabelled input, invalid HTML or a missing GOV.UK template fails the test that
fetched it, without that test having to ask.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from html5lib.constants import E as HTML5LIB_MESSAGES

# Inputs a person never types into or reads a label for.
UNLABELLED_INPUT_TYPES = frozenset({"hidden", "submit", "button", "reset", "image"})
CHECKED_METHODS = frozenset({"GET", "POST"})


def _text(element: Element) -> str:
    """The element's text as a reader hears it: whitespace runs collapsed to one space."""
    return " ".join("".join(element.itertext()).split())


def _classes(element: Element) -> set[str]:
    return set(element.get("class", "").split())


def _parse_error(line_col: tuple[int, int], code: str, datavars: dict[str, Any]) -> str:
    template = HTML5LIB_MESSAGES.get(code, code)
    try:
        message = template % datavars
    except (KeyError, TypeError, ValueError):
        message = code
    line, column = line_col
    return f"invalid HTML at line {line}, column {column}: {message} ({code})"


def _parse(html: str) -> tuple[Element, list[str]]:
    # html5lib's strict mode raises on the first entry of this same error list; collecting
    # them all instead reports every fault at once and still gives a tree to check.
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    root: Element = parser.parse(html)
    return root, [_parse_error(*error) for error in parser.errors]


def _label_problems(root: Element) -> list[str]:
    label_targets = {label.get("for") for label in root.iter("label") if label.get("for")}
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    problems = []
    for element in root.iter():
        if element.tag not in ("input", "select", "textarea"):
            continue
        if element.tag == "input" and element.get("type", "text").lower() in (
            UNLABELLED_INPUT_TYPES
        ):
            continue
        name = f"<{element.tag} name={element.get('name', '')!r} id={element.get('id', '')!r}>"
        if element.get("aria-label", "").strip():
            continue
        labelled_by = element.get("aria-labelledby", "").split()
        if labelled_by:
            missing = [ref for ref in labelled_by if ref not in ids]
            if missing:
                problems.append(f"{name} has aria-labelledby naming missing ids {missing}")
            continue
        if not element.get("id") or element.get("id") not in label_targets:
            problems.append(f"{name} has no <label for=...>, aria-label or aria-labelledby")
    return problems


def page_problems(html: str) -> list[str]:
    """Every page rule the HTML breaks, one sentence each; an empty list means it passes.

    The rules: it parses as HTML5 without errors; it has exactly one ``<h1>``; its
    ``<title>`` starts with the h1's text (after ``Error: `` when the page shows a GOV.UK
    error summary); no ``id`` is used twice; every visible input, select and textarea
    has a ``<label for>``, ``aria-label`` or ``aria-labelledby``; ``<html>`` has the
    ``govuk-template`` class; and there is a ``<main id="main-content">`` for the skip link.
    """
    root, problems = _parse(html)

    if "govuk-template" not in _classes(root):
        problems.append('<html> lacks the "govuk-template" class (extend layouts/base.html)')
    if not any(main.get("id") == "main-content" for main in root.iter("main")):
        problems.append('no <main id="main-content"> for the skip link to reach')

    headings = list(root.iter("h1"))
    if len(headings) != 1:
        found = [_text(h) for h in headings]
        problems.append(f"expected exactly one <h1>, found {len(headings)}: {found}")
    titles = list(root.iter("title"))
    title = _text(titles[0]) if titles else ""
    if not title:
        problems.append("no <title>, or an empty one")
    elif len(headings) == 1:
        heading = _text(headings[0])
        has_errors = any("govuk-error-summary" in _classes(e) for e in root.iter())
        allowed = (heading, f"Error: {heading}") if has_errors else (heading,)
        if not heading or not title.startswith(allowed):
            problems.append(f"<title> {title!r} does not start with the <h1> {heading!r}")

    ids = Counter(element.get("id") for element in root.iter() if element.get("id"))
    duplicates = sorted(str(id_) for id_, count in ids.items() if count > 1)
    if duplicates:
        problems.append(f"ids used more than once: {duplicates}")

    problems.extend(_label_problems(root))
    return problems


def check_page(html: str, url: str = "the page") -> None:
    """Raise ``AssertionError`` naming ``url`` and listing every page rule ``html`` breaks."""
    problems = page_problems(html)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"{url} fails the page checks:\n{listed}")


def _is_page(response: HttpResponseBase) -> bool:
    # Streaming responses (files, CSV exports) are not HttpResponse and are never pages.
    if not isinstance(response, HttpResponse) or 300 <= response.status_code < 400:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    # A bare 405 or 304 says "text/html" but has no page in it.
    return bool(response.content)


class PageCheckingClient(Client):
    """Django's test client, checking every HTML page a GET or POST returns.

    Redirects, responses that are not ``text/html`` and empty bodies are not pages and
    pass unchecked. A test that must fetch a page outside the GOV.UK layout (the Django
    admin, say) does so inside ``with client.unchecked():``.
    """

    check_pages = True

    def request(self, **request: Any) -> Any:
        """Send the request as Django's client does, then check the page it returns."""
        response = super().request(**request)
        method = request.get("REQUEST_METHOD", "GET")
        if self.check_pages and method in CHECKED_METHODS and _is_page(response):
            query = request.get("QUERY_STRING", "")
            url = request.get("PATH_INFO", "") + (f"?{query}" if query else "")
            html = response.content.decode(response.charset or "utf-8")
            check_page(html, f"{method} {url} ({response.status_code})")
        return response

    @contextmanager
    def unchecked(self) -> Iterator[PageCheckingClient]:
        """Turn the page checks off for the requests made inside the ``with`` block."""
        previous, self.check_pages = self.check_pages, False
        try:
            yield self
        finally:
            self.check_pages = previous
