"""An officer's journey through the site in a real browser, with an axe-core scan of
every page: sign in with the keyboard, the home page, the school list filtered by
phase, a school's profile, and back to the list to download it as CSV.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from convenor.core.models import Role
from convenor.core.tests.factories import PASSWORD, RoleAssignmentFactory, UserFactory
from convenor.intelligence.tests.factories import CensusRecordFactory, InspectionFactory
from convenor.schools.school_list import CSV_HEAD
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalAuthorityFactory,
)
from tests.e2e.conftest import Problems

pytestmark = pytest.mark.e2e

USERNAME = "officer"
PLACES = [
    "Alresford",
    "Twyford",
    "Kings Worthy",
    "Otterbourne",
    "Colden Common",
    "Micheldever",
    "Sparsholt",
    "Wickham",
    "Bishops Waltham",
    "Denmead",
    "Andover",
    "Romsey",
    "Stockbridge",
    "Whitchurch",
    "Overton",
    "Tadley",
    "Kingsclere",
    "Chineham",
    "Oakley",
    "Hook",
    "Odiham",
    "Fleet",
    "Yateley",
    "Alton",
    "Petersfield",
    "Liphook",
    "Ringwood",
    "Lymington",
    "Totton",
    "Hythe",
]
# In PLACES order: 20 primaries, 8 secondaries and 2 nurseries.
PHASES = ("Primary",) * 20 + ("Secondary",) * 8 + ("Nursery",) * 2
DISTRICTS = ("Winchester", "Test Valley", "Basingstoke and Deane", "Hart", "East Hampshire")
GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}
# axe-core impacts that fail the test; minor ones are printed.
FAILING_IMPACTS = ("moderate", "serious", "critical")


@pytest.fixture
def hampshire(transactional_db: None) -> dict[str, Any]:
    """Thirty open Hampshire schools, some in one trust, a few inspected, and an officer."""
    LocalAuthorityFactory.create(code=850)
    trust = GroupFactory.create(uid=4001, name="Solent Learning Trust")
    schools = []
    for index, (place, phase) in enumerate(zip(PLACES, PHASES, strict=True)):
        academy = index % 4 == 3
        school = EstablishmentFactory.create(
            urn=116000 + index,
            laestab=8502000 + index,
            name=f"{place} {phase} School" if not academy else f"{place} {phase} Academy",
            phase=phase,
            district=DISTRICTS[index % len(DISTRICTS)],
            town=place,
            is_state_funded=True,
            is_academy=academy,
            type_name="Academy converter" if academy else "Community school",
            type_group="Academies" if academy else "Local authority maintained schools",
        )
        if academy:
            GroupMembershipFactory.create(urn=school.urn, group_uid=trust.uid)
        if index % 3 == 0:
            CensusRecordFactory.create(urn=school.urn, values={"pupils": 200.0 + 10 * index})
        schools.append(school)
    for index, school in enumerate(schools[::5]):
        for year, grade in ((2014, 1 + index % 4), (2018, 1 + (index + 1) % 4)):
            InspectionFactory.create(
                urn=school.urn,
                inspection_date=date(year, 3, 10 + index),
                grade=grade,
                rating=GRADES[grade],
            )
    user = UserFactory.create(username=USERNAME)
    RoleAssignmentFactory.create(user=user, role=Role.LA_OFFICER, la_code=850)
    return {"schools": schools, "secondaries": [s for s in schools if s.phase == "Secondary"]}


def check_page(
    page: Any, axe_source: str, problems: Problems, scans: dict[str, Any], *, blur: bool = True
) -> None:
    """The page's axe-core scan, console and skip link, left focused unless ``blur``."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    results = page.evaluate("async () => await axe.run(document)")
    violations = results["violations"]
    scans[page.url] = violations
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe-core on {page.url}:\n{_describe(violations)}"
    assert not problems.console, f"console errors on {page.url}: {problems.console}"
    assert not problems.failed, f"failed requests on {page.url}: {problems.failed}"
    # The first Tab reaches the skip link, whose target is the page's <main>.
    page.keyboard.press("Tab")
    skip_link = page.locator("a.govuk-skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main-content")
    expect(page.locator("main#main-content")).to_have_count(1)
    if blur:
        # The focused skip link pushes the page down and collapses on mousedown, so a
        # click that follows would land where its target used to be.
        page.evaluate("() => document.activeElement.blur()")


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {v['impact']}: {v['id']} on {[node['target'] for node in v['nodes']]}"
        for v in violations
    )


def test_officer_signs_in_filters_opens_a_school_and_downloads_csv(
    hampshire: dict[str, Any], live_server: Any, page: Any, axe_source: str, problems: Problems
) -> None:
    base = live_server.url
    scans: dict[str, Any] = {}

    # Signed out, the home page sends the officer to sign in.
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/sign-in/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_page(page, axe_source, problems, scans, blur=False)
    stylesheet = f"{base}/static/govuk/govuk-frontend.min.css"
    assert (stylesheet, 200) in problems.responses, problems.responses
    # The GOV.UK styles apply: the page is set in GDS Transport.
    font = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font, font

    # By keyboard: the skip link (focused by check_page) jumps to <main>, then the form.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(USERNAME)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hampshire at a glance")
    check_page(page, axe_source, problems, scans)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Schools").click()
    expect(page).to_have_url(f"{base}/schools/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools in Hampshire")
    expect(page.locator("#results")).to_have_text("30 schools")
    check_page(page, axe_source, problems, scans)

    page.get_by_label("Phase").select_option("Secondary")
    page.get_by_role("button", name="Show schools").click()
    expect(page.locator("#results")).to_have_text("8 schools")
    assert "phase=Secondary" in page.url
    check_page(page, axe_source, problems, scans)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(8)

    first = rows.first.get_by_role("link").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    check_page(page, axe_source, problems, scans)

    page.go_back()
    expect(page.locator("#results")).to_have_text("8 schools")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all 8 as a CSV file").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == ",".join(CSV_HEAD)
    head, *body = list(csv.reader(io.StringIO(text)))
    assert len(body) == 8
    expected = {str(school.urn) for school in hampshire["secondaries"]}
    assert {row[head.index("URN")] for row in body} == expected
    assert {row[head.index("Phase")] for row in body} == {"Secondary"}
    assert not problems.console, problems.console
    assert not problems.failed, problems.failed

    # What axe found below the failing impacts, for the record (`pytest -s` shows it).
    print(json.dumps({url: _describe(v) for url, v in scans.items()}, indent=1))
