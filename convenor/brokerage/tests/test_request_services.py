"""Support request services: raising from needs, prompted by a category, and withdrawing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from convenor.brokerage.models import (
    Band,
    Expertise,
    FundingSource,
    MatchStatus,
    RequestStatus,
    SupportRequest,
    Urgency,
)
from convenor.brokerage.services import raise_request, withdraw_request
from convenor.brokerage.tests.factories import (
    MatchFactory,
    hampshire_school,
    latest_event,
    live_plan,
)
from convenor.core.tests.factories import UserFactory
from convenor.intelligence.models import Category, CategoryDecision, CategoryFramework, DecidedAs
from convenor.schools.tests.factories import EstablishmentLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader():
    return UserFactory.create(username="leader")


def _raise(actor, urn, **values):
    fields = {
        "areas": [Expertise.PHONICS_READING, Expertise.LEADERSHIP],
        "intensity": Band.MEDIUM,
        "urgency": Urgency.THIS_TERM,
        "funding_source": FundingSource.BOARD_FUND,
        "raised_on": date(2019, 9, 20),
    }
    return raise_request(actor=actor, urn=urn, **{**fields, **values})


def _decision(urn: int) -> CategoryDecision:
    framework = CategoryFramework.objects.create(
        la_code=850, track="maintained", name="Test", effective_from=date(2015, 9, 1)
    )
    category = Category.objects.create(framework=framework, order=3, label="Support and challenge")
    return CategoryDecision.objects.create(
        urn=urn,
        framework=framework,
        as_at=date(2019, 9, 1),
        proposed_category=category,
        decided_category=category,
        decided_as=DecidedAs.OFFICER,
        decided_by=UserFactory.create(),
        review_due=date(2020, 9, 1),
    )


def test_it_raises_a_request_with_days_by_band_and_its_prompting_decision(leader) -> None:
    school = hampshire_school()
    decision = _decision(school.urn)
    request = _raise(leader, school.urn, prompted_by=decision, notes=" New head from Easter ")
    request.refresh_from_db()
    assert (request.la_code, request.status, request.days_per_term) == (850, "open", Decimal("6"))
    assert request.prompted_by == decision and request.notes == "New head from Easter"
    assert request.raised_by == leader
    detail = latest_event("support_request.raised").detail
    assert detail["areas"] == ["phonics_reading", "leadership"]
    assert detail["prompted_by"] == decision.pk and "notes" not in detail


def test_a_decision_about_a_predecessor_urn_may_prompt_the_request(leader) -> None:
    old, new = hampshire_school(status="Closed"), hampshire_school()
    EstablishmentLinkFactory.create(urn=new.urn, link_urn=old.urn, link_type="Predecessor")
    request = _raise(leader, new.urn, prompted_by=_decision(old.urn))
    assert request.prompted_by is not None


def test_it_refuses_a_decision_about_another_school_and_bad_choices(leader) -> None:
    school, other = hampshire_school(), hampshire_school()
    with pytest.raises(ValidationError) as error:
        _raise(
            leader,
            school.urn,
            prompted_by=_decision(other.urn),
            areas=["knitting"],
            intensity="extreme",
            urgency="whenever",
            funding_source="lottery",
            days_per_term=0,
        )
    assert set(error.value.message_dict) == {
        "prompted_by",
        "areas",
        "intensity",
        "urgency",
        "funding_source",
        "days_per_term",
    }
    assert not SupportRequest.objects.exists()


def test_it_refuses_a_closed_or_unknown_school_and_a_future_date(leader) -> None:
    closed = hampshire_school(status="Closed")
    with pytest.raises(ValidationError, match="is not open"):
        _raise(leader, closed.urn)
    with pytest.raises(ValidationError, match="no establishment with URN 1 "):
        _raise(leader, 1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        _raise(leader, hampshire_school().urn, raised_on=tomorrow)


def test_it_refuses_a_second_live_request_for_the_same_need(leader) -> None:
    school = hampshire_school()
    _raise(leader, school.urn, areas=[Expertise.LEADERSHIP])
    with pytest.raises(ValidationError, match="already has a live request for: Leadership"):
        _raise(leader, school.urn, areas=[Expertise.SEND, Expertise.LEADERSHIP])
    assert _raise(leader, school.urn, areas=[Expertise.SEND]).areas == ["send"]


def test_withdrawing_keeps_the_request_and_supersedes_its_proposals(leader) -> None:
    match = MatchFactory.create()
    request = match.request
    with pytest.raises(ValidationError) as error:
        withdraw_request(request, actor=leader, reason=" ", on=date(2019, 8, 1))
    assert set(error.value.message_dict) == {"reason", "on"}
    withdraw_request(request, actor=leader, reason="Head found support", on=date(2019, 10, 1))
    assert (request.status, request.withdrawn_on) == (RequestStatus.WITHDRAWN, date(2019, 10, 1))
    match.refresh_from_db()
    assert match.status == MatchStatus.SUPERSEDED
    assert latest_event("support_request.withdrawn").detail["proposals_superseded"] == 1
    with pytest.raises(ValidationError, match="already Withdrawn"):
        withdraw_request(request, actor=leader, reason="Again")


def test_a_request_with_a_plan_is_not_withdrawn(leader) -> None:
    plan = live_plan()
    with pytest.raises(ValidationError, match="stop the plan at a review"):
        withdraw_request(plan.request, actor=leader, reason="No longer needed")
