"""Support plan services: tariffs, milestones, visits, reviews and the school's rating."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from convenor.brokerage.models import (
    Band,
    PlanStatus,
    RequestStatus,
    ReviewDecision,
    SupportPlan,
    SupportRating,
)
from convenor.brokerage.services import (
    add_milestone,
    complete_milestone,
    create_plan,
    log_visit,
    rate_support,
    review_plan,
    set_tariffs,
)
from convenor.brokerage.tests.factories import (
    MatchFactory,
    approved_match,
    latest_event,
    live_plan,
)
from convenor.core.tests.factories import UserFactory
from convenor.schools.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    LocalAuthorityFactory.create(code=850)
    return UserFactory.create(username="officer")


def _plan(match, actor, **values):
    fields = {
        "objectives": "Improve phonics outcomes",
        "starts": date(2019, 10, 1),
        "ends": date(2020, 7, 31),
        "next_review_on": date(2020, 1, 15),
    }
    return create_plan(match, actor=actor, **{**fields, **values})


def test_a_plan_gets_the_default_tariff_of_its_band_and_is_audited(officer) -> None:
    plan = _plan(approved_match(), officer, milestones=[("Audit of phonics", date(2019, 11, 1))])
    assert (plan.tariff_band, plan.tariff_amount) == (Band.HIGH, Decimal("25000"))
    assert plan.status == PlanStatus.ACTIVE and plan.urn == plan.request.urn
    assert list(plan.milestones.values_list("title", flat=True)) == ["Audit of phonics"]
    detail = latest_event("support_plan.created").detail
    assert detail["tariff_amount"] == "25000" and detail["milestones"] == 1


def test_a_plan_gets_the_tariff_in_force_on_its_start_date(officer) -> None:
    set_tariffs(
        actor=officer, la_code=850, effective_from=date(2019, 4, 1), amounts={"medium": 12000}
    )
    set_tariffs(
        actor=officer, la_code=850, effective_from=date(2020, 4, 1), amounts={"medium": 14000}
    )
    plan = _plan(approved_match(), officer, tariff_band=Band.MEDIUM)
    assert plan.tariff_amount == Decimal("12000")


def test_it_refuses_a_plan_for_an_undecided_match_or_a_second_plan(officer) -> None:
    with pytest.raises(ValidationError, match="Only an approved match"):
        _plan(MatchFactory.create(), officer)
    match = approved_match()
    _plan(match, officer)
    with pytest.raises(ValidationError, match="already has a plan"):
        _plan(match, officer)


def test_it_refuses_dates_out_of_order_and_milestones_outside_the_plan(officer) -> None:
    with pytest.raises(ValidationError) as error:
        _plan(
            approved_match(on=date(2019, 9, 10)),
            officer,
            objectives=" ",
            starts=date(2019, 9, 1),
            ends=date(2019, 8, 1),
            next_review_on=date(2019, 8, 1),
            milestones=[("", date(2021, 1, 1))],
        )
    assert set(error.value.message_dict) == {
        "objectives",
        "starts",
        "ends",
        "next_review_on",
        "milestones",
    }
    assert error.value.message_dict["milestones"] == [
        "Milestone 1: say what it is.",
        "Milestone 1: it must fall within the plan.",
    ]
    assert not SupportPlan.objects.exists()


def test_milestones_are_added_and_done_once(officer) -> None:
    plan = live_plan()
    milestone = add_milestone(plan, actor=officer, title="Governor review", due_on=date(2020, 3, 1))
    with pytest.raises(ValidationError, match="cannot be before the plan started"):
        complete_milestone(milestone, actor=officer, done_on=date(2019, 9, 1))
    complete_milestone(milestone, actor=officer, done_on=date(2020, 2, 20))
    assert milestone.done_on == date(2020, 2, 20)
    with pytest.raises(ValidationError, match="was done on"):
        complete_milestone(milestone, actor=officer, done_on=date(2020, 2, 21))


def test_visits_are_logged_in_half_days_within_the_plan(officer) -> None:
    plan = live_plan()
    visit = log_visit(
        plan, actor=officer, visited_on=date(2019, 10, 8), days=Decimal("1.5"), note="Met SLT"
    )
    assert visit.days == Decimal("1.5")
    assert latest_event("support_plan.visit_logged").detail["days"] == "1.5"
    for days in (0, Decimal("0.3"), 6):
        with pytest.raises(ValidationError, match="in half days"):
            log_visit(plan, actor=officer, visited_on=date(2019, 10, 9), days=days)
    with pytest.raises(ValidationError, match="before the plan started"):
        log_visit(plan, actor=officer, visited_on=date(2019, 9, 9), days=1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        log_visit(plan, actor=officer, visited_on=tomorrow, days=1)


def test_continuing_needs_a_next_review_and_reviews_run_in_date_order(officer) -> None:
    plan = live_plan()
    with pytest.raises(ValidationError, match="Give the next review date"):
        review_plan(
            plan,
            actor=officer,
            decision=ReviewDecision.CONTINUE,
            reason="On track",
            reviewed_on=date(2020, 1, 15),
        )
    review_plan(
        plan,
        actor=officer,
        decision=ReviewDecision.CONTINUE,
        reason="On track",
        reviewed_on=date(2020, 1, 15),
        next_review_on=date(2020, 4, 15),
    )
    assert (plan.status, plan.next_review_on) == (PlanStatus.CONTINUED, date(2020, 4, 15))
    with pytest.raises(ValidationError, match="cannot be before the last review"):
        review_plan(
            plan,
            actor=officer,
            decision=ReviewDecision.STOP,
            reason="Late",
            reviewed_on=date(2020, 1, 10),
        )


def test_stopping_a_plan_closes_its_request_and_ends_visits(officer) -> None:
    plan = live_plan()
    with pytest.raises(ValidationError, match="has no next review"):
        review_plan(
            plan,
            actor=officer,
            decision=ReviewDecision.STOP,
            reason="No progress",
            reviewed_on=date(2020, 1, 15),
            next_review_on=date(2020, 4, 1),
        )
    review_plan(
        plan,
        actor=officer,
        decision=ReviewDecision.STOP,
        reason="No progress",
        reviewed_on=date(2020, 1, 15),
    )
    plan.request.refresh_from_db()
    assert plan.status == PlanStatus.STOPPED
    assert (plan.request.status, plan.request.closed_on) == (
        RequestStatus.CLOSED,
        date(2020, 1, 15),
    )
    assert latest_event("support_plan.reviewed").detail["status"] == "stopped"
    with pytest.raises(ValidationError, match="This plan is stopped"):
        log_visit(plan, actor=officer, visited_on=date(2020, 1, 20), days=1)


def test_the_school_rates_support_once_after_a_visit(officer) -> None:
    plan = live_plan()
    with pytest.raises(ValidationError, match="once a visit has been logged"):
        rate_support(plan, actor=officer, score=4)
    log_visit(plan, actor=officer, visited_on=date(2019, 10, 8), days=1)
    for score in (0, 6, True):
        with pytest.raises(ValidationError, match="score from 1 to 5"):
            rate_support(plan, actor=officer, score=score, rated_on=date(2019, 12, 1))
    with pytest.raises(ValidationError, match="before the first visit"):
        rate_support(plan, actor=officer, score=4, rated_on=date(2019, 10, 1))
    rating = rate_support(
        plan, actor=officer, score=4, review=" Practical and kind ", rated_on=date(2019, 12, 1)
    )
    assert (rating.provider, rating.urn, rating.review) == (
        plan.provider,
        plan.urn,
        "Practical and kind",
    )
    assert latest_event("support.rated").detail["score"] == 4
    with pytest.raises(ValidationError, match="already been rated"):
        rate_support(plan, actor=officer, score=5, rated_on=date(2019, 12, 2))
    assert SupportRating.objects.count() == 1
