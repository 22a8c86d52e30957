"""Support plans: making one from an approved match, the list, a plan's page, and what is
recorded on it (milestones, visits, reviews, funding within budget, the school's rating)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.brokerage.models import (
    FundSpend,
    PartnershipKind,
    PlanStatus,
    RequestStatus,
    SupportPlan,
    SupportRating,
)
from convenor.brokerage.services import commit_funds, log_visit
from convenor.brokerage.tests.factories import (
    FundFactory,
    PartnershipFactory,
    SupportRequestFactory,
    approved_match,
    hampshire_school,
    latest_event,
    live_plan,
)
from convenor.brokerage.tests.pages import board_member, leader, officer, system_leader, text
from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db
LIST = "/brokerage/plans/"


def signed_in(client: PageCheckingClient, user: object) -> PageCheckingClient:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _plan_form(**values: object) -> dict[str, object]:
    return {
        "objectives": "Secure leadership of maths",
        "starts": "2019-10-01",
        "ends": "2020-07-31",
        "next_review_on": "2020-01-15",
        "tariff_band": "medium",
        "milestone_1_title": "Maths audit",
        "milestone_1_due": "2019-11-30",
        **values,
    }


def test_an_officer_makes_a_plan_funded_by_the_tariff_of_its_band(
    page_client: PageCheckingClient,
) -> None:
    match = approved_match()
    client = signed_in(page_client, officer())
    url = f"/brokerage/matches/{match.pk}/plan/"
    page = text(client.get(url))
    assert "High: £25,000" in page and "Medium: £15,000" in page and "Low: £7,500" in page
    response = client.post(url, _plan_form())
    plan = SupportPlan.objects.get()
    assert response["Location"] == f"{LIST}{plan.pk}/"
    assert (plan.tariff_band, plan.tariff_amount) == ("medium", Decimal("15000"))
    assert [m.title for m in plan.milestones.all()] == ["Maths audit"]
    assert latest_event("support_plan.created").detail["tariff_amount"] == "15000"
    assert "This match already has a plan." in text(client.get(url))


def test_the_plan_form_says_what_is_wrong(page_client: PageCheckingClient) -> None:
    match = approved_match()
    client = signed_in(page_client, officer())
    url = f"/brokerage/matches/{match.pk}/plan/"
    page = text(
        client.post(
            url,
            _plan_form(objectives="", milestone_2_due="2019-12-01", milestone_3_title="Review"),
        )
    )
    assert "There is a problem" in page
    assert "Enter objectives" in page
    assert "Say what milestone 2 is" in page and "Enter milestone 3's due date" in page
    page = text(client.post(url, _plan_form(ends="2019-09-01", milestone_1_due="2021-01-01")))
    assert "The plan must end after it starts." in page
    assert not SupportPlan.objects.exists()


def test_only_an_officer_of_the_la_makes_plans(page_client: PageCheckingClient) -> None:
    match = approved_match()
    url = f"/brokerage/matches/{match.pk}/plan/"
    assert signed_in(page_client, board_member("Winchester")).get(url).status_code == 403
    other = PageCheckingClient()
    other.force_login(officer(851))
    assert other.get(url).status_code == 403
    assert other.get("/brokerage/matches/999999/plan/").status_code == 404


def test_the_list_shows_plans_in_scope_soonest_review_first(
    page_client: PageCheckingClient,
) -> None:
    plan = live_plan()
    gosport = hampshire_school(name="Gosport Primary", district="Gosport")
    live_plan(request=SupportRequestFactory.create(urn=gosport.urn))
    page = text(signed_in(page_client, board_member("Winchester")).get(LIST))
    assert "1 plan, soonest review first" in page and "Gosport Primary" not in page
    head = PageCheckingClient()
    head.force_login(leader(plan.urn))
    assert "1 plan" in text(head.get(LIST))
    provider = PageCheckingClient()
    provider.force_login(system_leader(plan.provider))
    assert plan.provider.name in text(provider.get(LIST))


def test_the_list_costs_the_same_queries_however_many_plans(
    page_client: PageCheckingClient,
) -> None:
    live_plan()
    client = signed_in(page_client, officer())
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(4):
        live_plan()
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_a_plan_out_of_scope_is_403_and_an_unknown_one_404(
    page_client: PageCheckingClient,
) -> None:
    plan = live_plan()
    client = signed_in(page_client, board_member("Gosport"))
    assert client.get(f"{LIST}{plan.pk}/").status_code == 403
    assert client.get(f"{LIST}{plan.pk}/review/").status_code == 403
    assert client.get(f"{LIST}999999/").status_code == 404
    assert client.get(f"{LIST}{plan.pk}/dance/").status_code == 404


def test_the_provider_logs_visits_and_the_school_rates_the_support(
    page_client: PageCheckingClient,
) -> None:
    plan = live_plan()
    client = signed_in(page_client, system_leader(plan.provider))
    page = text(client.get(f"{LIST}{plan.pk}/"))
    assert "Log a visit" in page and "Review the plan" not in page and "Funding" not in page
    errors = text(client.post(f"{LIST}{plan.pk}/visit/", {"visited_on": "2019-10-08", "days": "7"}))
    assert "A visit takes half a day to five days, in half days." in errors
    assert (
        client.post(
            f"{LIST}{plan.pk}/visit/",
            {"visited_on": "2019-10-08", "days": "1.5", "note": "Met SLT"},
        ).status_code
        == 302
    )
    assert latest_event("support_plan.visit_logged").detail["days"] == "1.5"
    assert client.get(f"{LIST}{plan.pk}/rate/").status_code == 403
    head = PageCheckingClient()
    head.force_login(leader(plan.urn))
    page = text(head.get(f"{LIST}{plan.pk}/"))
    assert "Met SLT" in page and "Rate the support" in page and "Log a visit" not in page
    assert "Choose a score from 1 to 5" in text(head.post(f"{LIST}{plan.pk}/rate/", {}))
    head.post(
        f"{LIST}{plan.pk}/rate/", {"score": "4", "review": "Practical", "rated_on": "2019-10-10"}
    )
    rating = SupportRating.objects.get()
    assert (rating.score, rating.review, rating.urn) == (4, "Practical", plan.urn)
    assert "This plan has already been rated." in text(head.get(f"{LIST}{plan.pk}/rate/"))


def test_support_is_rated_only_after_a_visit(page_client: PageCheckingClient) -> None:
    plan = live_plan()
    head = signed_in(page_client, leader(plan.urn))
    assert "once a visit has been logged" in text(head.get(f"{LIST}{plan.pk}/rate/"))


def test_nobody_logs_visits_at_a_school_they_lead(page_client: PageCheckingClient) -> None:
    plan = live_plan()
    user = system_leader(plan.provider)
    RoleAssignmentFactory.create(user=user, role=Role.SCHOOL_LEADER, school_urn=plan.urn)
    assert signed_in(page_client, user).get(f"{LIST}{plan.pk}/visit/").status_code == 403


def test_a_board_member_marks_milestones_and_reviews_the_plan(
    page_client: PageCheckingClient,
) -> None:
    plan = live_plan()
    milestone = plan.milestones.get()
    client = signed_in(page_client, board_member("Winchester"))
    page = text(client.get(f"{LIST}{plan.pk}/milestone/?milestone={milestone.pk}"))
    assert "Leadership review done (due 30 November 2019)" in page
    client.post(f"{LIST}{plan.pk}/milestone/", {"milestone": milestone.pk, "done_on": "2019-11-20"})
    milestone.refresh_from_db()
    assert milestone.done_on == date(2019, 11, 20)
    review = f"{LIST}{plan.pk}/review/"
    page = text(client.post(review, {"decision": "continue", "reason": "On track"}))
    assert "Give the next review date, after this review." in page
    client.post(review, {"decision": "stop", "reason": "Head left", "reviewed_on": "2020-01-10"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.STOPPED
    assert plan.request.status == RequestStatus.CLOSED
    assert latest_event("support_plan.reviewed").detail["decision"] == "stop"
    assert "This plan is stopped." in text(client.get(review))
    assert client.get(f"{LIST}{plan.pk}/visit/").status_code == 403  # providers and officers


def _fund(**values: object):
    board = PartnershipFactory.create(kind=PartnershipKind.AREA_BOARD, area="Winchester")
    return FundFactory.create(partnership=board, **values)


def test_brokers_commit_and_spend_funds_and_overspend_is_refused(
    page_client: PageCheckingClient,
) -> None:
    plan = live_plan()
    fund = _fund(budget=Decimal("20000"))
    client = signed_in(page_client, board_member("Winchester"))
    page = text(client.get(f"{LIST}{plan.pk}/"))
    assert "No money is committed to this plan yet." in page and "Commit money" in page
    commit = f"{LIST}{plan.pk}/commit/"
    assert "Winchester board fund (£20,000 left to commit)" in text(client.get(commit))
    page = text(
        client.post(commit, {"fund": fund.pk, "amount": "26000", "committed_on": "2019-10-02"})
    )
    assert "There is a problem" in page and "The plan's tariff is £25,000.00" in page
    client.post(commit, {"fund": fund.pk, "amount": "10000", "committed_on": "2019-10-02"})
    spend = f"{LIST}{plan.pk}/spend/"
    response = client.post(
        spend, {"fund": fund.pk, "amount": "12000", "spent_on": "2019-12-01", "note": "Days"}
    )
    page = text(response)
    assert "There is a problem" in page
    assert "Only £10,000.00 committed from Winchester board fund to this plan is unspent" in page
    assert "£12,000.00 would overspend it." in page
    assert not FundSpend.objects.exists()
    client.post(
        spend, {"fund": fund.pk, "amount": "4000", "spent_on": "2019-12-01", "note": "Days"}
    )
    assert FundSpend.objects.get().amount == Decimal("4000")
    assert latest_event("fund.spent").detail["amount"] == "4000"
    page = text(client.get(f"{LIST}{plan.pk}/"))
    assert "Winchester board fund £10,000.00 £4,000.00" in page


def test_a_fund_of_another_area_cannot_be_used(page_client: PageCheckingClient) -> None:
    plan = live_plan()
    board = PartnershipFactory.create(kind=PartnershipKind.AREA_BOARD, area="Gosport")
    hampshire_school(district="Gosport")
    FundFactory.create(partnership=board, name="Gosport fund")
    client = signed_in(page_client, board_member("Winchester"))
    assert "You hold no fund of this plan's LA." in text(client.get(f"{LIST}{plan.pk}/commit/"))


def test_school_leaders_see_no_funding_and_cannot_commit(page_client: PageCheckingClient) -> None:
    plan = live_plan()
    fund = _fund()
    commit_funds(plan, fund, actor="test", amount=Decimal("100"), committed_on=date(2019, 10, 2))
    log_visit(plan, actor="test", visited_on=date(2019, 10, 8), days=1)
    client = signed_in(page_client, leader(plan.urn))
    assert "Winchester board fund" not in text(client.get(f"{LIST}{plan.pk}/"))
    assert client.get(f"{LIST}{plan.pk}/commit/").status_code == 403
