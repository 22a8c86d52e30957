"""The brokerage landing page and its link in the navigation, by role (ADR 0011)."""

from __future__ import annotations

import pytest

from convenor.brokerage.tests.factories import SupportProviderFactory, hampshire_school
from convenor.brokerage.tests.pages import (
    board_member,
    leader,
    officer,
    system_leader,
    text,
    user_with,
)
from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient

pytestmark = pytest.mark.django_db
URL = "/brokerage/"
NAV = '<a class="govuk-service-navigation__link" href="/brokerage/"'


def _page(client: PageCheckingClient, user: object) -> tuple[str, str]:
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode(), text(response)


def test_an_officer_gets_every_page_and_the_nav_link(page_client: PageCheckingClient) -> None:
    html, page = _page(page_client, officer())
    assert NAV in html and 'aria-current="true"><strong' in html
    for title in ("Support directory", "Support requests", "Brokerage board", "Support plans"):
        assert title in page
    assert "Add an entry to the directory" in page


def test_a_board_member_gets_the_board_but_adds_no_entry(page_client: PageCheckingClient) -> None:
    _, page = _page(page_client, board_member())
    assert "Brokerage board" in page and "Add an entry" not in page


def test_a_school_leader_gets_requests_plans_and_offering_support(
    page_client: PageCheckingClient,
) -> None:
    _, page = _page(page_client, leader(hampshire_school().urn))
    assert "Support requests" in page and "Support plans" in page
    assert "Brokerage board" not in page and "Add an entry to the directory" in page


def test_a_system_leader_sees_the_entries_they_manage(page_client: PageCheckingClient) -> None:
    provider = SupportProviderFactory.create(name="Holly SLE")
    _, page = _page(page_client, system_leader(provider))
    assert "Holly SLE" in page and "Support plans" in page
    assert "Support requests" not in page and "Add an entry to the directory" not in page


def test_a_place_planner_reads_only_the_directory(page_client: PageCheckingClient) -> None:
    _, page = _page(page_client, user_with(Role.PLACE_PLANNER, la_code=850))
    assert "Support directory" in page and "Support plans" not in page


def test_elected_members_have_no_link_and_no_page(page_client: PageCheckingClient) -> None:
    page_client.force_login(user_with(Role.ELECTED_MEMBER, la_code=850))
    assert page_client.get(URL).status_code == 403
    assert NAV not in page_client.get("/").content.decode()
