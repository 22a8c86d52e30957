"""Support requests: the list in scope, one request, raising one for a school (prompted by
its category) and withdrawing one (ADR 0011)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.brokerage.models import Match, MatchStatus, RequestStatus, SupportRequest
from convenor.brokerage.tests.factories import (
    MatchFactory,
    SupportRequestFactory,
    hampshire_school,
    latest_event,
    live_plan,
)
from convenor.brokerage.tests.pages import (
    board_member,
    decide,
    leader,
    officer,
    system_leader,
    text,
    user_with,
)
from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient

pytestmark = pytest.mark.django_db
LIST = "/brokerage/requests/"


def signed_in(client: PageCheckingClient, user: object) -> PageCheckingClient:
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def schools() -> dict[str, int]:
    return {
        "winchester": hampshire_school(name="Willow Primary").urn,
        "gosport": hampshire_school(name="Gull Primary", district="Gosport").urn,
        "elsewhere": hampshire_school(name="Far Primary", la_code=851).urn,
    }


@pytest.fixture
def requests(schools: dict[str, int]) -> dict[str, SupportRequest]:
    return {
        name: SupportRequestFactory.create(urn=urn, la_code=851 if name == "elsewhere" else 850)
        for name, urn in schools.items()
    }


def test_an_officer_lists_their_las_requests(page_client: PageCheckingClient, requests) -> None:
    page = text(signed_in(page_client, officer()).get(LIST))
    assert "Willow Primary" in page and "Gull Primary" in page and "Far Primary" not in page
    assert "2 requests, newest first" in page


def test_a_board_member_lists_their_areas_and_a_leader_their_schools(
    page_client: PageCheckingClient, schools, requests
) -> None:
    page = text(signed_in(page_client, board_member("Gosport")).get(LIST))
    assert "Gull Primary" in page and "Willow Primary" not in page
    other = PageCheckingClient()
    other.force_login(leader(schools["winchester"]))
    page = text(other.get(LIST))
    assert "Willow Primary" in page and "Gull Primary" not in page


@pytest.mark.parametrize("role", [Role.SYSTEM_LEADER, Role.ADMINISTRATOR, Role.PLACE_PLANNER])
def test_others_cannot_list_requests(page_client: PageCheckingClient, role: Role) -> None:
    user = user_with(role, **({"la_code": 850} if role == Role.PLACE_PLANNER else {}))
    assert signed_in(page_client, user).get(LIST).status_code == 403


def test_it_filters_by_status_area_urgency_and_school(
    page_client: PageCheckingClient, requests
) -> None:
    client = signed_in(page_client, officer())
    requests["gosport"].status = RequestStatus.CLOSED
    requests["gosport"].closed_on = date(2020, 1, 1)
    requests["gosport"].save()
    assert "Gull Primary" not in text(client.get(LIST))
    assert "Gull Primary" in text(client.get(LIST + "?status=closed"))
    assert "Gull Primary" in text(client.get(LIST + "?status=all&q=gull"))
    assert "Willow Primary" not in text(client.get(LIST + "?area=finance"))
    assert "Willow Primary" not in text(client.get(LIST + "?urgency=urgent"))
    assert "Willow Primary" in text(client.get(f"{LIST}?q={requests['winchester'].urn}"))


def test_the_list_costs_the_same_queries_however_many_requests(
    page_client: PageCheckingClient, requests
) -> None:
    client = signed_in(page_client, officer())
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    SupportRequestFactory.create_batch(8)
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_a_request_page_shows_matches_to_brokers_only(
    page_client: PageCheckingClient, schools, requests
) -> None:
    row = requests["winchester"]
    MatchFactory.create(request=row, provider__name="Proposed NLE")
    url = f"{LIST}{row.pk}/"
    page = text(signed_in(page_client, officer()).get(url))
    assert "Proposed NLE" in page and "Withdraw this request" in page
    head = PageCheckingClient()
    head.force_login(leader(schools["winchester"]))
    page = text(head.get(url))
    assert "Willow Primary" in page and "Proposed NLE" not in page
    assert "Withdraw this request" in page


def test_a_request_out_of_scope_is_403_and_an_unknown_one_404(
    page_client: PageCheckingClient, requests
) -> None:
    client = signed_in(page_client, board_member("Gosport"))
    assert client.get(f"{LIST}{requests['winchester'].pk}/").status_code == 403
    assert client.get(f"{LIST}999999/").status_code == 404
    head = PageCheckingClient()
    head.force_login(leader(hampshire_school().urn))
    assert head.get(f"{LIST}{requests['winchester'].pk}/").status_code == 403


def _raise(**values: object) -> dict[str, object]:
    return {
        "areas": ["leadership", "ks2_maths"],
        "intensity": "medium",
        "urgency": "this_term",
        "funding_source": "board_fund",
        **values,
    }


def test_a_leader_raises_a_request_for_their_school(
    page_client: PageCheckingClient, schools
) -> None:
    urn = schools["winchester"]
    client = signed_in(page_client, leader(urn))
    url = f"/schools/{urn}/support-request/"
    page = text(client.get(url))
    assert "Raise a support request" in page and "Prompted by" not in page
    response = client.post(url, _raise(notes="New head from January"))
    row = SupportRequest.objects.get(urn=urn)
    assert response["Location"] == f"{LIST}{row.pk}/"
    assert (row.days_per_term, row.prompted_by, row.notes) == (
        Decimal("6"),
        None,
        "New head from January",
    )
    event = latest_event("support_request.raised")
    assert event.detail["areas"] == ["leadership", "ks2_maths"] and "notes" not in event.detail


def test_a_support_category_prompts_the_request_and_prefills_it(
    page_client: PageCheckingClient, schools
) -> None:
    urn = schools["winchester"]
    decision = decide(urn, 4)  # "Support and challenge+": brokered, the most serious
    client = signed_in(page_client, officer())
    url = f"/schools/{urn}/support-request/"
    response = client.get(url)
    page = text(response)
    assert "Prompted by its category: Support and challenge+" in page
    html = response.content.decode()
    assert 'name="prompted" class="govuk-checkboxes__input" id="id_prompted" checked>' in html
    assert 'value="high" checked' in html
    client.post(url, _raise(prompted="on", days_per_term="4.5"))
    row = SupportRequest.objects.get(urn=urn)
    assert row.prompted_by == decision and str(row.days_per_term) == "4.5"


def test_a_light_category_is_offered_but_not_ticked(
    page_client: PageCheckingClient, schools
) -> None:
    urn = schools["winchester"]
    decide(urn, 1)
    response = signed_in(page_client, officer()).get(f"/schools/{urn}/support-request/")
    assert "Prompted by its category: Light touch" in text(response)
    html = response.content.decode()
    assert 'value="high" checked' not in html and 'id="id_prompted">' in html


def test_the_request_form_says_what_is_missing_or_refused(
    page_client: PageCheckingClient, schools, requests
) -> None:
    urn = schools["winchester"]
    client = signed_in(page_client, officer())
    url = f"/schools/{urn}/support-request/"
    page = text(client.post(url, {"days_per_term": "many"}))
    assert "There is a problem" in page
    for message in (
        "Choose at least one area of need",
        "Choose how intensive the need is",
        "Choose how urgent it is",
        "Choose how the support will be paid for",
        "Enter days of support needed a term as a number",
    ):
        assert message in page
    # Only the service knows the school has a live request for leadership already.
    page = text(client.post(url, _raise()))
    assert "This school already has a live request for: Leadership." in page


def test_only_the_schools_leaders_and_officers_raise_requests(
    page_client: PageCheckingClient, schools
) -> None:
    url = f"/schools/{schools['winchester']}/support-request/"
    assert signed_in(page_client, leader(schools["gosport"])).get(url).status_code == 403
    for user in (board_member("Winchester"), officer(851), system_leader()):
        other = PageCheckingClient()
        other.force_login(user)
        assert other.get(url).status_code == 403
    assert page_client.get("/schools/999999/support-request/").status_code == 404


def test_withdrawing_needs_a_reason_and_supersedes_proposals(
    page_client: PageCheckingClient, requests
) -> None:
    row = requests["winchester"]
    proposal = MatchFactory.create(request=row)
    client = signed_in(page_client, officer())
    url = f"{LIST}{row.pk}/withdraw/"
    assert "Enter why is the request withdrawn?" in text(client.post(url, {"reason": ""}))
    assert client.post(url, {"reason": "Support found through the trust"}).status_code == 302
    row.refresh_from_db()
    assert row.status == RequestStatus.WITHDRAWN
    assert row.withdrawn_reason == "Support found through the trust"
    assert Match.objects.get(pk=proposal.pk).status == MatchStatus.SUPERSEDED
    assert latest_event("support_request.withdrawn").detail["proposals_superseded"] == 1
    assert "This request is withdrawn." in text(client.get(url))


def test_a_request_with_a_plan_is_not_withdrawn(page_client: PageCheckingClient) -> None:
    plan = live_plan()
    page = text(signed_in(page_client, officer()).get(f"{LIST}{plan.request_id}/withdraw/"))
    assert "stop the plan at a review instead" in page


def test_a_board_member_cannot_withdraw(page_client: PageCheckingClient, requests) -> None:
    row = requests["winchester"]
    client = signed_in(page_client, board_member("Winchester"))
    assert client.get(f"{LIST}{row.pk}/withdraw/").status_code == 403


def test_a_leader_chooses_one_of_their_schools_to_raise_a_request_for(
    page_client: PageCheckingClient, schools
) -> None:
    urn = schools["winchester"]
    client = signed_in(page_client, leader(urn))
    assert "Raise a support request" in text(client.get(LIST))
    start = "/brokerage/requests/new/"
    assert "Willow Primary (URN" in text(client.get(start))
    assert "Choose the school" in text(client.post(start, {}))
    response = client.post(start, {"urn": urn})
    assert response["Location"] == f"/schools/{urn}/support-request/"


def test_an_officer_raises_a_request_for_a_school_of_their_la_by_urn(
    page_client: PageCheckingClient, schools
) -> None:
    client = signed_in(page_client, officer())
    start = "/brokerage/requests/new/"
    assert "There is no school with that URN" in text(client.post(start, {"urn": "999999"}))
    refused = text(client.post(start, {"urn": schools["elsewhere"]}))
    assert "You cannot raise requests for Far Primary" in refused
    response = client.post(start, {"urn": schools["gosport"]})
    assert response["Location"] == f"/schools/{schools['gosport']}/support-request/"
    board = PageCheckingClient()
    board.force_login(board_member("Gosport"))
    assert "Raise a support request" not in text(board.get(LIST))
    assert board.get(start).status_code == 403
