"""Funds, tariffs, commitments and spend: nothing beyond a budget, a tariff or a commitment."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convenor.brokerage.models import Fund, FundCommitment, FundSpend, TariffBand
from convenor.brokerage.services import (
    FundPosition,
    commit_funds,
    create_fund,
    fund_position,
    install_default_tariffs,
    record_spend,
    release_funds,
    set_tariffs,
    tariff_in_force,
)
from convenor.brokerage.tests.factories import FundFactory, latest_event, live_plan
from convenor.core.tests.factories import UserFactory
from convenor.schools.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db
DAY = date(2019, 10, 15)
ZERO = Decimal("0")


@pytest.fixture
def officer():
    LocalAuthorityFactory.create(code=850)
    return UserFactory.create(username="officer")


def test_tariffs_are_dated_rows_and_the_defaults_apply_without_any(officer) -> None:
    assert tariff_in_force(850, "low", DAY) == Decimal("7500")
    install_default_tariffs(actor=officer, la_code=850, effective_from=date(2015, 9, 1))
    set_tariffs(actor=officer, la_code=850, effective_from=date(2019, 9, 1), amounts={"low": 8000})
    assert tariff_in_force(850, "low", date(2019, 8, 31)) == Decimal("7500")
    assert tariff_in_force(850, "low", DAY) == Decimal("8000")
    assert tariff_in_force(850, "high", DAY) == Decimal("25000")
    assert latest_event("tariff.set").detail["amounts"] == {"low": "8000"}
    with pytest.raises(ValidationError) as error:
        set_tariffs(
            actor=officer,
            la_code=850,
            effective_from=date(2019, 9, 1),
            amounts={"low": 1, "huge": 2, "medium": -1},
        )
    assert set(error.value.message_dict) == {"amounts", "effective_from"}
    assert TariffBand.objects.count() == 4


def test_it_creates_a_fund_and_refuses_a_bad_period_or_budget(officer) -> None:
    fund = create_fund(
        actor=officer,
        la_code=850,
        name=" Board fund ",
        period_start=date(2019, 4, 1),
        period_end=date(2020, 3, 31),
        budget=Decimal("50000"),
    )
    assert fund.name == "Board fund"
    assert latest_event("fund.created").detail["budget"] == "50000"
    with pytest.raises(ValidationError) as error:
        create_fund(
            actor=officer,
            la_code=850,
            name="Bad",
            period_start=date(2020, 4, 1),
            period_end=date(2020, 3, 31),
            budget=Decimal("-1"),
        )
    assert set(error.value.message_dict) == {"period_end", "budget"}


def test_it_commits_and_spends_within_the_budget_and_says_what_is_left(officer) -> None:
    plan, fund = live_plan(), FundFactory.create(budget=Decimal("30000"))
    commit_funds(plan, fund, actor=officer, amount=Decimal("25000"), committed_on=DAY)
    record_spend(plan, fund, actor=officer, amount=Decimal("4000"), spent_on=DAY, note="Days 1-8")
    assert fund_position(fund) == FundPosition(Decimal(30000), Decimal(25000), Decimal(4000))
    totals = Fund.objects.with_totals().get(pk=fund.pk)
    found = (totals.committed, totals.spent, totals.uncommitted)  # type: ignore[attr-defined]
    assert found == (25000, 4000, 5000)
    assert latest_event("fund.spent").detail == {
        "plan": plan.pk,
        "amount": "4000",
        "on": "2019-10-15",
    }


def test_it_refuses_to_commit_beyond_the_budget_with_a_clear_error(officer) -> None:
    fund = FundFactory.create(budget=Decimal("30000"))
    commit_funds(live_plan(), fund, actor=officer, amount=Decimal("20000"), committed_on=DAY)
    with pytest.raises(ValidationError) as error:
        commit_funds(live_plan(), fund, actor=officer, amount=Decimal("15000"), committed_on=DAY)
    assert error.value.message_dict["amount"] == [
        "Winchester board fund has £10,000.00 left to commit of its £30,000.00 budget; "
        "£15,000.00 is more than that."
    ]
    assert FundCommitment.objects.count() == 1


def test_it_refuses_to_commit_beyond_the_plan_s_tariff(officer) -> None:
    plan, fund = live_plan(), FundFactory.create()
    commit_funds(plan, fund, actor=officer, amount=Decimal("20000"), committed_on=DAY)
    with pytest.raises(ValidationError, match=re.escape("The plan's tariff is £25,000.00")):
        commit_funds(plan, fund, actor=officer, amount=Decimal("5000.01"), committed_on=DAY)


def test_it_refuses_an_overspend_and_spend_without_a_commitment(officer) -> None:
    plan, fund = live_plan(), FundFactory.create()
    with pytest.raises(ValidationError, match="Nothing is committed from this fund"):
        record_spend(plan, fund, actor=officer, amount=Decimal("1"), spent_on=DAY, note="x")
    commit_funds(plan, fund, actor=officer, amount=Decimal("1000"), committed_on=DAY)
    record_spend(plan, fund, actor=officer, amount=Decimal("600"), spent_on=DAY, note="Visits")
    with pytest.raises(ValidationError) as error:
        record_spend(plan, fund, actor=officer, amount=Decimal("400.01"), spent_on=DAY, note="x")
    assert error.value.message_dict["amount"] == [
        "Only £400.00 committed from Winchester board fund to this plan is unspent; "
        "£400.01 would overspend it."
    ]
    assert FundSpend.objects.count() == 1


def test_releasing_gives_back_only_what_is_unspent(officer) -> None:
    plan, fund = live_plan(), FundFactory.create()
    commit_funds(plan, fund, actor=officer, amount=Decimal("1000"), committed_on=DAY)
    record_spend(plan, fund, actor=officer, amount=Decimal("600"), spent_on=DAY, note="Visits")
    with pytest.raises(ValidationError, match=re.escape("Only £400.00")):
        release_funds(plan, fund, actor=officer, amount=Decimal("500"), released_on=DAY)
    release_funds(plan, fund, actor=officer, amount=Decimal("400"), released_on=DAY)
    assert fund_position(fund).committed == Decimal("600")
    assert latest_event("fund.released").detail["amount"] == "-400"


def test_it_refuses_a_date_outside_the_fund_s_period(officer) -> None:
    plan, fund = live_plan(), FundFactory.create()
    with pytest.raises(ValidationError, match="within the fund's period"):
        commit_funds(plan, fund, actor=officer, amount=Decimal("1"), committed_on=date(2020, 4, 1))


amounts = st.decimals(min_value=1, max_value=30000, places=2)
steps = st.lists(st.tuples(st.sampled_from(["commit", "spend", "release"]), amounts), max_size=12)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_no_sequence_of_requests_commits_beyond_budget_or_spends_beyond_commitment(
    officer, steps
) -> None:
    with transaction.atomic():
        plans = [live_plan(), live_plan()]
        fund = FundFactory.create(budget=Decimal("40000"))
        for n, (kind, amount) in enumerate(steps):
            plan = plans[n % 2]
            try:
                if kind == "commit":
                    commit_funds(plan, fund, actor=officer, amount=amount, committed_on=DAY)
                elif kind == "spend":
                    record_spend(plan, fund, actor=officer, amount=amount, spent_on=DAY, note="x")
                else:
                    release_funds(plan, fund, actor=officer, amount=amount, released_on=DAY)
            except ValidationError:
                pass
            position = fund_position(fund)
            assert ZERO <= position.spent <= position.committed <= position.budget
            for each in plans:
                committed = sum(c.amount for c in FundCommitment.objects.filter(plan=each))
                spent = sum(s.amount for s in FundSpend.objects.filter(plan=each))
                assert spent <= committed <= each.tariff_amount
        transaction.set_rollback(True)
