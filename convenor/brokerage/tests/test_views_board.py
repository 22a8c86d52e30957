"""The brokerage board: the latest run's proposals with their explanations, running the
matching, and approving, overriding or rejecting a proposal."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.brokerage.matching import run_matching
from convenor.brokerage.models import Match, MatchingRun, MatchStatus, RequestStatus
from convenor.brokerage.services import ProposedMatch, add_provider_manager, store_matching_run
from convenor.brokerage.tests.factories import (
    MatchFactory,
    SupportProviderFactory,
    SupportRequestFactory,
    approved_match,
    hampshire_school,
    latest_event,
)
from convenor.brokerage.tests.pages import board_member, leader, officer, system_leader, text
from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db
BOARD = "/brokerage/board/"
RUN = "/brokerage/board/run/"
AS_AT = date(2019, 10, 1)


@pytest.fixture
def world() -> dict[str, object]:
    """Two Winchester schools and one in Gosport asking for high-intensity leadership
    support; a near NLE with one high place and a far one with two (and four low)."""
    near_school = hampshire_school(name="Alder Primary", easting=450500, northing=130500)
    far_school = hampshire_school(name="Birch Primary", easting=469500, northing=139500)
    gosport = hampshire_school(
        name="Cedar Primary", district="Gosport", easting=470500, northing=140500
    )
    near = SupportProviderFactory.create(
        name="Near NLE", places_high=1, places_medium=0, places_low=0
    )
    far = SupportProviderFactory.create(
        name="Far NLE",
        easting=470000,
        northing=140000,
        places_high=2,
        places_medium=0,
        places_low=4,
    )
    requests = {
        school.name: SupportRequestFactory.create(urn=school.urn)
        for school in (near_school, far_school, gosport)
    }
    return {"near": near, "far": far, "requests": requests, "gosport": gosport}


def signed_in(client: PageCheckingClient, user: object) -> PageCheckingClient:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def run() -> MatchingRun:
    return run_matching(actor="test", la_code=850, as_at=AS_AT)


def test_it_says_when_the_matching_has_not_run(page_client: PageCheckingClient, world) -> None:
    page = text(signed_in(page_client, officer()).get(BOARD))
    assert "The matching has not been run for" in page
    assert "No proposal is awaiting a decision." in page
    assert "3 open requests you broker have no proposal" in page


def test_an_officer_runs_the_matching_and_sees_proposals_explained_beside_greedy(
    page_client: PageCheckingClient, world
) -> None:
    client = signed_in(page_client, officer())
    assert "Independence rule" in text(client.get(RUN))
    response = client.post(RUN, {"la_code": 850, "as_at": "2019-10-01", "independence": "strict"})
    assert response.status_code == 302 and response["Location"] == f"{BOARD}?la=850"
    stored = MatchingRun.objects.get()
    assert stored.run_by is not None and stored.totals["matched"] == 3
    assert Match.objects.filter(run=stored, status=MatchStatus.PROPOSED).count() == 3
    assert latest_event("matching_run.stored").detail["la_code"] == 850
    page = text(client.get(f"{BOARD}?la=850"))
    assert "Matching run stored: 3 of 3 open requests matched." in page
    assert "3 of 3 open requests (greedy baseline: 3)" in page
    assert (
        f"{stored.totals['objective']:,.2f} points, optimal: no matching of these requests "
        "to the places left costs less" in page
    )
    assert "Alder Primary: Near NLE" in page and "Birch Primary: Far NLE" in page
    assert "Cedar Primary: Far NLE" in page
    assert "Why this provider: 0.7 km away; covers Leadership." in page
    # The next best alternative and why it lost, in the points the table shows.
    assert "Costs more: costs 62.88 points more for the request's days: further (+5.24)" in page


def test_a_run_shows_unmatched_requests_with_their_reasons(
    page_client: PageCheckingClient, world
) -> None:
    science = SupportRequestFactory.create(
        urn=hampshire_school(name="Damson Primary").urn, areas=["ks4_science"]
    )
    run()
    page = text(signed_in(page_client, officer()).get(BOARD))
    assert "Requests the latest run left unmatched" in page
    assert "Damson Primary" in page and "No provider fits: no primary provider" in page
    assert science.status == RequestStatus.OPEN


def test_a_board_member_sees_only_their_area_and_cannot_run(
    page_client: PageCheckingClient, world
) -> None:
    run()
    client = signed_in(page_client, board_member("Gosport"))
    page = text(client.get(BOARD))
    assert "Cedar Primary" in page
    assert "Alder Primary" not in page and "Birch Primary" not in page
    assert "Run the matching" not in page
    assert client.get(RUN).status_code == 403


@pytest.mark.parametrize("role", [Role.SCHOOL_LEADER, Role.SYSTEM_LEADER, Role.ADMINISTRATOR])
def test_those_who_do_not_broker_cannot_see_the_board(
    page_client: PageCheckingClient, role: Role
) -> None:
    user = RoleAssignmentFactory.create(role=role).user
    assert signed_in(page_client, user).get(BOARD).status_code == 403


def _proposal(world, school: str) -> Match:
    run()
    return Match.objects.get(status=MatchStatus.PROPOSED, request=world["requests"][school])


def test_approving_a_proposal_matches_the_request_and_writes_an_event(
    page_client: PageCheckingClient, world
) -> None:
    match = _proposal(world, "Alder Primary")
    client = signed_in(page_client, board_member("Winchester"))
    url = f"/brokerage/matches/{match.pk}/approve/"
    assert "Approve the match" in text(client.get(url))
    response = client.post(url, {"on": "2019-10-02"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.decided_on) == (MatchStatus.APPROVED, date(2019, 10, 2))
    assert match.request.status == RequestStatus.MATCHED
    assert latest_event("match.approved").detail["urn"] == match.request.urn
    page = text(client.get(response["Location"]))
    assert "Match approved." in page and "This match is already approved." not in page
    assert "This match is already approved." in text(client.get(url))


def test_overriding_needs_a_provider_and_a_reason(page_client: PageCheckingClient, world) -> None:
    match = _proposal(world, "Alder Primary")
    client = signed_in(page_client, officer())
    url = f"/brokerage/matches/{match.pk}/override/"
    page = text(client.get(url))
    assert "Far NLE: costs" in page  # the alternative, with why it lost
    errors = text(client.post(url, {"reason": " "}))
    assert "There is a problem" in errors
    assert "Choose the provider to support the school instead" in errors
    assert "Enter why is another provider chosen?" in errors
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED


def test_overriding_keeps_the_proposal_and_approves_the_provider_chosen(
    page_client: PageCheckingClient, world
) -> None:
    match = _proposal(world, "Alder Primary")
    chosen = SupportProviderFactory.create(name="Chosen SLE")
    client = signed_in(page_client, officer())
    url = f"/brokerage/matches/{match.pk}/override/"
    response = client.post(url, {"provider": chosen.pk, "reason": "Knows the school's context"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == MatchStatus.OVERRIDDEN and match.reason == "Knows the school's context"
    new = Match.objects.get(replaces=match)
    assert (new.provider_id, new.status) == (chosen.pk, MatchStatus.APPROVED)
    assert latest_event("match.overridden").detail["chosen_provider"] == chosen.pk
    assert "the proposal and its explanation" in text(client.get(response["Location"]))


def test_rejecting_needs_a_reason_and_leaves_the_request_open(
    page_client: PageCheckingClient, world
) -> None:
    match = _proposal(world, "Birch Primary")
    client = signed_in(page_client, officer())
    url = f"/brokerage/matches/{match.pk}/reject/"
    assert "Enter why is the match rejected?" in text(client.post(url, {}))
    assert client.post(url, {"reason": "Too far"}).status_code == 302
    match.refresh_from_db()
    assert (match.status, match.reason) == (MatchStatus.REJECTED, "Too far")
    assert match.request.status == RequestStatus.OPEN
    assert latest_event("match.rejected").object_id == str(match.pk)


def test_a_service_refusal_shows_in_the_error_summary(
    page_client: PageCheckingClient, world
) -> None:
    match = _proposal(world, "Alder Primary")
    page = text(
        signed_in(page_client, officer()).post(
            f"/brokerage/matches/{match.pk}/approve/", {"on": "2019-08-01"}
        )
    )
    assert "There is a problem" in page and "cannot be before the request" in page


def test_nobody_decides_for_a_school_they_lead_or_a_provider_they_manage(
    page_client: PageCheckingClient, world
) -> None:
    match = _proposal(world, "Alder Primary")
    url = f"/brokerage/matches/{match.pk}/approve/"
    head = officer()
    RoleAssignmentFactory.create(user=head, role=Role.SCHOOL_LEADER, school_urn=match.request.urn)
    assert signed_in(page_client, head).get(url).status_code == 403
    manager = board_member("Winchester")
    RoleAssignmentFactory.create(user=manager, role=Role.SYSTEM_LEADER)
    add_provider_manager(match.provider, actor="test", user=manager, starts=date(2018, 1, 1))
    other = PageCheckingClient()
    other.force_login(manager)
    assert other.get(url).status_code == 403
    assert other.get(f"/brokerage/matches/{match.pk}/").status_code == 200


def test_a_match_outside_the_readers_area_is_403_and_an_unknown_one_404(
    page_client: PageCheckingClient, world
) -> None:
    match = _proposal(world, "Alder Primary")
    client = signed_in(page_client, board_member("Gosport"))
    assert client.get(f"/brokerage/matches/{match.pk}/").status_code == 403
    assert client.get(f"/brokerage/matches/{match.pk}/reject/").status_code == 403
    assert client.get("/brokerage/matches/999999/").status_code == 404
    assert client.get(f"/brokerage/matches/{match.pk}/ponder/").status_code == 404


def test_school_leaders_never_see_proposals(page_client: PageCheckingClient, world) -> None:
    match = _proposal(world, "Alder Primary")
    client = signed_in(page_client, leader(match.request.urn))
    assert client.get(f"/brokerage/matches/{match.pk}/").status_code == 403
    page = text(client.get(f"/brokerage/requests/{match.request_id}/"))
    assert "Support request" in page and "Near NLE" not in page


def test_the_match_page_explains_the_proposal(page_client: PageCheckingClient, world) -> None:
    match = _proposal(world, "Birch Primary")
    page = text(signed_in(page_client, officer()).get(f"/brokerage/matches/{match.pk}/"))
    assert "Why this provider" in page and "Cost a day by component" in page
    assert "Approve" in page and "Choose another provider" in page


def test_the_board_lists_approved_matches_awaiting_a_plan(
    page_client: PageCheckingClient,
) -> None:
    match = approved_match()
    page = text(signed_in(page_client, officer()).get(BOARD))
    assert "Approved matches awaiting a plan" in page and "make the plan" in page
    member = PageCheckingClient()
    member.force_login(board_member("Winchester"))
    page = text(member.get(BOARD))
    assert match.provider.name in page and "make the plan" not in page


def test_a_system_leader_managing_a_provider_reads_no_board(
    page_client: PageCheckingClient,
) -> None:
    provider = SupportProviderFactory.create()
    MatchFactory.create(provider=provider)
    assert signed_in(page_client, system_leader(provider)).get(BOARD).status_code == 403


def test_the_board_costs_the_same_queries_however_many_proposals(
    page_client: PageCheckingClient, world
) -> None:
    client = signed_in(page_client, officer())
    SupportRequestFactory.create(urn=hampshire_school().urn, areas=["ks4_science"])  # unmatched
    run()
    client.get(BOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    for n in range(4):
        school = hampshire_school(name=f"More {n}", easting=469000 + n, northing=139000)
        SupportRequestFactory.create(urn=school.urn, intensity="low", days_per_term=3)
    run()
    with CaptureQueriesContext(connection) as many:
        page = text(client.get(BOARD))
    assert "More 3: Far NLE" in page
    assert len(many) == len(few)


def test_a_run_stored_without_the_baseline_does_not_claim_greedy_matched_none() -> None:
    from convenor.brokerage.views.board import totals_facts

    bare = MatchingRun(
        la_code=850,
        as_at=date(2019, 9, 30),
        method="demo: nearest fitting provider",
        totals={"requests": 11, "matched": 11},
    )
    facts = {row.key: row.value for row in totals_facts(bare)}
    assert facts["Requests matched"] == "11 of 11 open requests"
    assert facts["Total cost"] == "Not recorded"
    full = MatchingRun(
        la_code=850,
        as_at=date(2019, 9, 30),
        method="min-cost flow",
        totals={"requests": 3, "matched": 2, "greedy_matched": 1, "providers": 4},
    )
    facts = {row.key: row.value for row in totals_facts(full)}
    assert (
        facts["Requests matched"] == "2 of 3 open requests (greedy baseline: 1), over 4 providers"
    )


def test_the_board_still_shows_a_run_stored_when_capacity_was_days(
    page_client: PageCheckingClient,
) -> None:
    """Runs stored before capacity was places kept a lower bound, whether the cost was
    proven optimal and the requests split, and "not moved" alternatives: the board shows
    the run without them and claims no optimality for it."""
    match = MatchFactory.create()
    other = SupportProviderFactory.create(name="Other NLE")
    cost = {"km": 1.0, "distance": 1.0, "per_day": 2.0, "total": 24.0}
    old = {
        "why": "Nearest",
        "cost": cost,
        "covers": ["leadership"],
        "lacks": [],
        "alternatives": [
            {"provider": other.pk, "reason": "not_moved", "detail": "cheaper", "cost": cost}
        ],
    }
    store_matching_run(
        actor="test",
        la_code=850,
        as_at=AS_AT,
        method="min-cost flow (flow+repair) with greedy baseline",
        proposals=[ProposedMatch(match.request_id, match.provider_id, 24.0, old)],
        totals={
            "requests": 1,
            "matched": 1,
            "objective": 24.0,
            "lower_bound": 20.0,
            "proven_optimal": False,
            "split_requests": 1,
            "greedy_cost": 30.0,
            "greedy_matched": 1,
        },
    )
    page = text(signed_in(page_client, officer()).get(BOARD))
    assert "Total cost 24.00 points; the greedy baseline costs 30.00 (20.0% more)" in page
    assert "optimal" not in page and "lower bound" not in page.lower()
    assert "Other NLE" in page and "Not moved: cheaper" in page
