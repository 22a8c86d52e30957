"""Reads named for their use: the directory, structures, the board, plans and funds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from convenor.brokerage.models import (
    Expertise,
    Fund,
    Match,
    Partnership,
    PartnershipMembership,
    SupportPhase,
    SupportPlan,
    SupportProvider,
    SupportRequest,
)
from convenor.brokerage.services import (
    commit_funds,
    log_visit,
    rate_support,
    record_spend,
    review_plan,
    withdraw_request,
)
from convenor.brokerage.tests.factories import (
    FundFactory,
    MatchFactory,
    MembershipFactory,
    PartnershipFactory,
    SupportProviderFactory,
    SupportRequestFactory,
    approved_match,
    live_plan,
)

pytestmark = pytest.mark.django_db
DAY = date(2019, 11, 1)


def test_the_directory_filters_by_whole_expertise_and_phase_values() -> None:
    maths = SupportProviderFactory.create(
        expertise=[Expertise.KS2_MATHS], phases=[SupportPhase.PRIMARY]
    )
    writing = SupportProviderFactory.create(
        expertise=[Expertise.KS2_WRITING, Expertise.SEND], phases=[SupportPhase.SECONDARY]
    )
    assert list(SupportProvider.objects.offering(expertise="ks2_maths")) == [maths]
    assert list(SupportProvider.objects.offering(expertise="ks2")) == []
    assert list(SupportProvider.objects.offering(phase="secondary")) == [writing]
    assert list(SupportProvider.objects.offering("send", "primary")) == []


def test_the_directory_lists_available_providers_with_their_ratings() -> None:
    plan = live_plan()
    log_visit(plan, actor="test", visited_on=date(2019, 10, 8), days=1)
    rate_support(plan, actor="test", score=4, rated_on=date(2019, 12, 1))
    SupportProviderFactory.create(available_to=date(2019, 8, 31))
    SupportProviderFactory.create(la_code=851)
    unrated = SupportProviderFactory.create()
    with_ratings = {p.pk: p for p in SupportProvider.objects.for_directory(850, DAY)}
    assert set(with_ratings) == {plan.provider_id, unrated.pk}
    rated = with_ratings[plan.provider_id]
    assert (rated.rating_count, rated.rating_mean) == (1, 4)  # type: ignore[attr-defined]
    assert with_ratings[unrated.pk].rating_mean is None  # type: ignore[attr-defined]


def test_structures_count_members_in_force_on_the_date(django_assert_num_queries) -> None:
    cluster = PartnershipFactory.create()
    MembershipFactory.create(partnership=cluster)
    MembershipFactory.create(partnership=cluster, ends=date(2019, 8, 31))
    PartnershipFactory.create(ends=date(2019, 8, 31))
    with django_assert_num_queries(1):
        structures = Partnership.objects.for_structure_page(850, DAY)
        rows = [(p.name, p.member_count) for p in structures]  # type: ignore[attr-defined]
    assert rows == [(cluster.name, 1)]


def test_memberships_of_ended_structures_are_not_in_force() -> None:
    ended = PartnershipFactory.create(ends=date(2019, 8, 31))
    MembershipFactory.create(partnership=ended)
    live = MembershipFactory.create()
    assert list(PartnershipMembership.objects.for_network(850, DAY)) == [live]


def test_matching_takes_open_requests_raised_by_the_date() -> None:
    first = SupportRequestFactory.create(raised_on=date(2019, 9, 2))
    SupportRequestFactory.create(raised_on=date(2019, 12, 1))
    SupportRequestFactory.create(la_code=851)
    withdrawn = SupportRequestFactory.create()
    withdraw_request(withdrawn, actor="test", reason="Not needed", on=date(2019, 9, 5))
    approved_match()  # its request is matched, not open
    second = SupportRequestFactory.create(raised_on=date(2019, 10, 1))
    assert list(SupportRequest.objects.for_matching(850, DAY)) == [first, second]


def test_the_board_reads_proposals_in_one_query(django_assert_num_queries) -> None:
    for _ in range(3):
        MatchFactory.create()
    approved_match()
    with django_assert_num_queries(1):
        rows = [(m.request.urn, m.provider.name) for m in Match.objects.for_board(850)]
    assert len(rows) == 3


def test_places_held_count_one_place_a_live_assignment_in_its_request_s_band() -> None:
    provider = SupportProviderFactory.create()
    other = SupportProviderFactory.create()
    approved_match(provider=provider)  # high
    approved_match(provider=provider, request=SupportRequestFactory.create(intensity="low"))
    MatchFactory.create(provider=provider)  # a proposal holds nothing
    plan = live_plan(provider=provider)  # high
    held = Match.objects.places_held([provider.pk, other.pk])
    assert held == {
        provider.pk: {"high": 2, "medium": 0, "low": 1},
        other.pk: {"high": 0, "medium": 0, "low": 0},
    }
    review_plan(
        plan, actor="test", decision="complete", reason="Done", reviewed_on=date(2020, 1, 15)
    )
    assert Match.objects.places_held([provider.pk])[provider.pk] == {
        "high": 1,
        "medium": 0,
        "low": 1,
    }


def test_places_left_are_offered_less_held_and_never_negative() -> None:
    provider = SupportProviderFactory.create(places_high=1, places_medium=2, places_low=0)
    approved_match(provider=provider)
    SupportProvider.objects.filter(pk=provider.pk).update(places_high=0, places_low=1)
    found: Any = SupportProvider.objects.with_places_left().get(pk=provider.pk)
    assert (found.held_high, found.held_medium, found.held_low) == (1, 0, 0)
    assert (found.left_high, found.left_medium, found.left_low) == (0, 2, 1)
    assert found.places_left == 3


def test_plans_due_for_review_and_days_delivered() -> None:
    due, later = live_plan(), live_plan()
    SupportPlan.objects.filter(pk=later.pk).update(next_review_on=date(2020, 6, 1))
    log_visit(due, actor="test", visited_on=date(2019, 10, 8), days=1)
    log_visit(due, actor="test", visited_on=date(2019, 10, 15), days=Decimal("0.5"))
    assert list(SupportPlan.objects.due_for_review(date(2020, 2, 1))) == [due]
    plans = SupportPlan.objects.for_plan_list()
    delivered = {p.pk: p.days_delivered for p in plans}  # type: ignore[attr-defined]
    assert delivered == {due.pk: Decimal("1.5"), later.pk: Decimal("0")}


def test_fund_totals_do_not_multiply_commitments_by_spend() -> None:
    fund = FundFactory.create()
    plan = live_plan()
    for amount in ("5000", "3000"):
        commit_funds(plan, fund, actor="test", amount=Decimal(amount), committed_on=DAY)
    for amount in ("100", "200", "300"):
        record_spend(plan, fund, actor="test", amount=Decimal(amount), spent_on=DAY, note="x")
    FundFactory.create()
    funds = Fund.objects.with_totals()
    totals = {f.pk: (f.committed, f.spent, f.uncommitted) for f in funds}  # type: ignore[attr-defined]
    assert totals[fund.pk] == (8000, 600, 92000)
    assert sorted(totals.values())[0] == (0, 0, 100000)
