"""The page-checking test client and the rules it applies to every page."""

from __future__ import annotations

import html5lib
import html5lib.html5parser
import pytest

from convenor.core.testing import PageCheckingClient, check_page, page_problems
from convenor.core.tests.page_check_urls import GOOD, page

URLS = "convenor.core.tests.page_check_urls"
H1 = '<h1 class="govuk-heading-l">Schools</h1>'


def test_it_passes_a_good_page() -> None:
    assert page_problems(GOOD) == []


@pytest.mark.parametrize(
    ("html", "valid"), [(GOOD, True), (page(H1 + "<div></span></div>"), False)]
)
def test_it_agrees_with_html5lib_strict_mode(html: str, valid: bool) -> None:
    strict = html5lib.HTMLParser(strict=True)
    try:
        strict.parse(html)
        strictly_valid = True
    except html5lib.html5parser.ParseError:
        strictly_valid = False
    assert strictly_valid is valid
    assert (not any("invalid HTML" in p for p in page_problems(html))) is valid


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        pytest.param(
            page(H1 + "<div></span></div>"),
            "invalid HTML at line 1, column",
            id="stray-end-tag",
        ),
        pytest.param(
            page(H1 + '<p id="a" id="b">text</p>'),
            "(duplicate-attribute)",
            id="duplicate-attribute",
        ),
        pytest.param(
            page(H1).replace("<!DOCTYPE html>", ""),
            "(expected-doctype-but-got-start-tag)",
            id="no-doctype",
        ),
        pytest.param(page(H1 + "<div/>"), "(non-void-element-with-trailing-solidus)", id="div/"),
        pytest.param(page("<p>No heading</p>"), "exactly one <h1>, found 0", id="no-h1"),
        pytest.param(page(H1 + "<h1>More</h1>"), "exactly one <h1>, found 2", id="two-h1"),
        pytest.param(
            page(H1, title="Trusts - convenor"),
            "<title> 'Trusts - convenor' does not start with the <h1> 'Schools'",
            id="title-not-h1",
        ),
        pytest.param(page(H1, title=""), "no <title>, or an empty one", id="empty-title"),
        pytest.param(
            page(H1, title="Error: Schools - convenor"),
            "does not start with the <h1>",
            id="error-title-without-error-summary",
        ),
        pytest.param(
            page(H1 + '<p id="x">a</p><p id="x">b</p>'),
            "ids used more than once: ['x']",
            id="duplicate-id",
        ),
        pytest.param(
            page(H1 + '<input id="la" name="la">'),
            "<input name='la' id='la'> has no <label for=...>",
            id="input-without-label",
        ),
        pytest.param(
            page(H1 + '<label for="other">LA</label><input id="la" name="la" type="search">'),
            "<input name='la' id='la'> has no <label for=...>",
            id="label-for-another-id",
        ),
        pytest.param(
            page(H1 + '<select name="phase"><option>Primary</option></select>'),
            "<select name='phase' id=''> has no <label for=...>",
            id="select-without-label",
        ),
        pytest.param(
            page(H1 + '<textarea id="note" name="note"></textarea>'),
            "<textarea name='note' id='note'> has no <label for=...>",
            id="textarea-without-label",
        ),
        pytest.param(
            page(H1 + '<input id="la" name="la" aria-labelledby="nowhere">'),
            "aria-labelledby naming missing ids ['nowhere']",
            id="labelledby-missing-id",
        ),
        pytest.param(
            page(H1).replace('class="govuk-template"', ""),
            '<html> lacks the "govuk-template" class',
            id="no-govuk-template",
        ),
        pytest.param(
            page(H1).replace('id="main-content"', 'id="content"'),
            'no <main id="main-content">',
            id="no-main-content",
        ),
    ],
)
def test_it_finds_what_is_wrong_with_a_bad_page(html: str, problem: str) -> None:
    problems = page_problems(html)
    assert any(problem in found for found in problems), problems


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('<label for="la">LA code</label><input id="la" name="la">', id="label-for"),
        pytest.param('<input name="q" aria-label="Search">', id="aria-label"),
        pytest.param(
            '<span id="q-label">Search</span><input name="q" aria-labelledby="q-label">',
            id="aria-labelledby",
        ),
        pytest.param(
            '<input type="hidden" name="csrf"><input type="submit" value="Go">'
            '<input type="button" value="Go"><input type="reset">',
            id="inputs-needing-no-label",
        ),
        pytest.param('<label for="n">Note</label><textarea id="n"></textarea>', id="textarea"),
    ],
)
def test_it_accepts_labelled_controls(body: str) -> None:
    assert page_problems(page(H1 + body)) == []


def test_it_accepts_an_error_title_when_the_page_shows_an_error_summary() -> None:
    summary = '<div class="govuk-error-summary"><h2>There is a problem</h2></div>'
    assert page_problems(page(summary + H1, title="Error: Schools - convenor")) == []


def test_it_compares_title_and_heading_with_whitespace_collapsed() -> None:
    heading = '<h1 class="govuk-heading-l">\n  School\n  register\n</h1>'
    assert page_problems(page(heading, title="School register - convenor")) == []


def test_it_names_the_url_and_lists_every_problem() -> None:
    html = page("<h1>a</h1><h1>b</h1>").replace('class="govuk-template"', "")
    with pytest.raises(AssertionError) as failure:
        check_page(html, "GET /schools/ (200)")
    message = str(failure.value)
    assert message.startswith("GET /schools/ (200) fails the page checks:")
    assert "exactly one <h1>" in message and "govuk-template" in message


@pytest.mark.urls(URLS)
def test_the_client_passes_a_good_page(page_client: PageCheckingClient) -> None:
    assert page_client.get("/good/").status_code == 200
    assert page_client.post("/good/").status_code == 200


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_client_fails_a_bad_page_naming_its_url(
    page_client: PageCheckingClient, method: str
) -> None:
    with pytest.raises(AssertionError, match=r"^(GET|POST) /bad/\?la=850 \(200\) fails"):
        getattr(page_client, method)("/bad/?la=850")


@pytest.mark.urls(URLS)
def test_the_client_checks_error_pages_too(page_client: PageCheckingClient) -> None:
    with pytest.raises(AssertionError, match="GET /bad-not-found/ \\(404\\)"):
        page_client.get("/bad-not-found/")


@pytest.mark.urls(URLS)
def test_the_client_does_not_check_redirects_but_checks_where_they_lead(
    page_client: PageCheckingClient,
) -> None:
    assert page_client.get("/to-bad/").status_code == 302
    with pytest.raises(AssertionError, match="GET /bad/ \\(200\\)"):
        page_client.get("/to-bad/", follow=True)


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("url", ["/bad.json", "/bad.txt", "/post-only/"])
def test_the_client_does_not_check_what_is_not_a_page(
    page_client: PageCheckingClient, url: str
) -> None:
    assert page_client.get(url).status_code in (200, 405)


@pytest.mark.urls(URLS)
def test_the_client_can_be_told_not_to_check(page_client: PageCheckingClient) -> None:
    with page_client.unchecked():
        assert page_client.get("/bad/").status_code == 200
    with pytest.raises(AssertionError):
        page_client.get("/bad/")
