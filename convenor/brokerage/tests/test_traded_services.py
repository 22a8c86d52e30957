"""Traded services: the fee rule (per pupil, capped; flat), subscriptions and income."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from convenor.brokerage.models import FeeRule, PackageKind, Subscription, TradedService
from convenor.brokerage.services import create_traded_service, fee_for, subscribe
from convenor.brokerage.tests.factories import TradedServiceFactory, hampshire_school, latest_event
from convenor.core.tests.factories import UserFactory

DAY = date(2019, 4, 10)
fees = st.decimals(min_value=0, max_value=50, places=2)
caps = st.none() | st.decimals(min_value=0, max_value=20000, places=2)
pupils = st.integers(0, 3000)


def test_tower_hamlets_five_pounds_a_pupil() -> None:
    assert fee_for(FeeRule.PER_PUPIL, pupils=420, per_pupil_fee=Decimal("5")) == Decimal("2100")


def test_the_cap_limits_a_large_school_s_fee() -> None:
    fee = fee_for(FeeRule.PER_PUPIL, pupils=1400, per_pupil_fee=Decimal("5"), fee_cap=Decimal(5000))
    assert fee == Decimal("5000.00")


def test_a_flat_fee_ignores_the_pupils() -> None:
    assert fee_for(FeeRule.FLAT, pupils=900, price=Decimal("1250.5")) == Decimal("1250.50")


@given(pupils, fees, caps)
def test_a_per_pupil_fee_is_the_lesser_of_pupils_times_fee_and_the_cap(n, fee, cap) -> None:
    charged = fee_for(FeeRule.PER_PUPIL, pupils=n, per_pupil_fee=fee, fee_cap=cap)
    uncapped = (fee * n).quantize(Decimal("0.01"))
    assert charged == (uncapped if cap is None else min(uncapped, cap.quantize(Decimal("0.01"))))
    assert charged >= 0


@given(pupils, pupils, fees, caps)
def test_more_pupils_never_cost_less(a, b, fee, cap) -> None:
    small, large = sorted((a, b))
    assert fee_for(FeeRule.PER_PUPIL, pupils=small, per_pupil_fee=fee, fee_cap=cap) <= fee_for(
        FeeRule.PER_PUPIL, pupils=large, per_pupil_fee=fee, fee_cap=cap
    )


@pytest.mark.django_db
def test_it_creates_a_service_and_refuses_a_fee_that_does_not_fit_its_rule() -> None:
    hampshire_school()
    officer = UserFactory.create()
    fields: dict[str, Any] = {
        "actor": officer,
        "la_code": 850,
        "name": "Governor services",
        "package": PackageKind.BUY_BACK,
        "period_start": date(2019, 4, 1),
        "period_end": date(2020, 3, 31),
    }
    service = create_traded_service(**fields, fee_rule=FeeRule.FLAT, price=Decimal("800"))
    assert latest_event("traded_service.created").detail["price"] == "800"
    assert service.per_pupil_fee is None
    with pytest.raises(ValidationError) as error:
        create_traded_service(
            **fields, fee_rule=FeeRule.PER_PUPIL, price=Decimal("1"), fee_cap=Decimal("-1")
        )
    assert set(error.value.message_dict) == {"per_pupil_fee", "price", "fee_cap"}
    with pytest.raises(ValidationError, match="no fee per pupil and no cap"):
        create_traded_service(
            **fields, fee_rule=FeeRule.FLAT, price=Decimal("1"), fee_cap=Decimal("10")
        )
    assert TradedService.objects.count() == 1


@pytest.mark.django_db
def test_a_subscription_charges_the_register_s_roll_up_to_the_cap() -> None:
    service = TradedServiceFactory.create()  # £5 a pupil, capped at £1,500
    small, large = hampshire_school(pupils=210), hampshire_school(pupils=900)
    first = subscribe(service, actor="test", urn=small.urn, subscribed_on=DAY)
    second = subscribe(service, actor="test", urn=large.urn, subscribed_on=DAY)
    assert (first.pupils_counted, first.amount_charged) == (210, Decimal("1050.00"))
    assert (second.pupils_counted, second.amount_charged) == (900, Decimal("1500.00"))
    assert latest_event("traded_service.subscribed").detail["amount_charged"] == "1500.00"
    income = list(Subscription.objects.income_by_service(850))
    assert income == [
        {
            "service_id": service.pk,
            "service__name": service.name,
            "subscribers": 2,
            "income": Decimal("2550.00"),
        }
    ]


@pytest.mark.django_db
def test_it_refuses_a_second_subscription_another_la_s_school_or_a_missing_roll() -> None:
    service = TradedServiceFactory.create()
    school = hampshire_school(pupils=None)
    with pytest.raises(ValidationError, match="no roll for the school"):
        subscribe(service, actor="test", urn=school.urn, subscribed_on=DAY)
    subscribe(service, actor="test", urn=school.urn, subscribed_on=DAY, pupils=120)
    with pytest.raises(ValidationError, match="already subscribes"):
        subscribe(service, actor="test", urn=school.urn, subscribed_on=DAY, pupils=120)
    elsewhere = hampshire_school(la_code=851)
    with pytest.raises(ValidationError, match="not one of the LA's schools"):
        subscribe(service, actor="test", urn=elsewhere.urn, subscribed_on=DAY)
    with pytest.raises(ValidationError, match="period has ended"):
        subscribe(service, actor="test", urn=hampshire_school().urn, subscribed_on=date(2020, 4, 1))
