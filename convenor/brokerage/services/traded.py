"""Traded services: the LA's catalogue, the fee rule, and schools subscribing."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from convenor.brokerage.models import (
    FeeRule,
    PackageKind,
    Subscription,
    TradedService,
)
from convenor.brokerage.services.common import (
    Errors,
    add_error,
    as_decimal,
    check_choice,
    check_la,
    check_past,
    check_text,
    iso,
    money,
    raise_if,
    school_or_error,
)
from convenor.core.services import Actor, actor_fields, record_audit

PENNY = Decimal("0.01")


def fee_for(
    fee_rule: str,
    *,
    pupils: int | None,
    price: Decimal | None = None,
    per_pupil_fee: Decimal | None = None,
    fee_cap: Decimal | None = None,
) -> Decimal:
    """What one school pays: the flat price, or the fee a pupil times its pupils, no
    more than the cap when there is one, rounded to the penny."""
    if fee_rule == FeeRule.FLAT:
        if price is None:
            raise ValueError("a flat fee needs a price")
        return Decimal(price).quantize(PENNY, ROUND_HALF_UP)
    if per_pupil_fee is None or pupils is None:
        raise ValueError("a per-pupil fee needs the fee and the pupils")
    amount = Decimal(per_pupil_fee) * pupils
    if fee_cap is not None:
        amount = min(amount, Decimal(fee_cap))
    return amount.quantize(PENNY, ROUND_HALF_UP)


def _non_negative(errors: Errors, field: str, value: Decimal | None, what: str) -> None:
    if value is None:
        return
    number = as_decimal(errors, field, value, what)
    if number is not None and number < 0:
        add_error(errors, field, f"{what.capitalize()} cannot be negative.")


@transaction.atomic
def create_traded_service(
    *,
    actor: Actor,
    la_code: int,
    name: str,
    package: str,
    fee_rule: str,
    period_start: date,
    period_end: date,
    price: Decimal | None = None,
    per_pupil_fee: Decimal | None = None,
    fee_cap: Decimal | None = None,
    description: str = "",
    synthetic: bool = False,
) -> TradedService:
    """Add a service to the LA's catalogue for a period.

    A flat fee needs ``price`` and nothing else; a per-pupil fee needs
    ``per_pupil_fee`` and may have ``fee_cap``. Writes ``traded_service.created``.
    """
    errors: Errors = {}
    check_la(errors, "la_code", la_code)
    check_text(errors, "name", name, "the service's name")
    check_choice(errors, "package", package, PackageKind, "core or buy-back")
    check_choice(errors, "fee_rule", fee_rule, FeeRule, "how the fee is worked out")
    if period_end < period_start:
        add_error(errors, "period_end", "The period cannot end before it starts.")
    if fee_rule == FeeRule.FLAT:
        if price is None:
            add_error(errors, "price", "Enter the price.")
        if per_pupil_fee is not None or fee_cap is not None:
            add_error(errors, "fee_rule", "A flat price has no fee per pupil and no cap.")
    elif fee_rule == FeeRule.PER_PUPIL:
        if per_pupil_fee is None:
            add_error(errors, "per_pupil_fee", "Enter the fee per pupil.")
        if price is not None:
            add_error(errors, "price", "A fee per pupil has no flat price; use the cap instead.")
    _non_negative(errors, "price", price, "the price")
    _non_negative(errors, "per_pupil_fee", per_pupil_fee, "the fee per pupil")
    _non_negative(errors, "fee_cap", fee_cap, "the cap")
    raise_if(errors)
    service = TradedService.objects.create(
        la_code=la_code,
        name=name.strip(),
        package=package,
        fee_rule=fee_rule,
        price=price,
        per_pupil_fee=per_pupil_fee,
        fee_cap=fee_cap,
        period_start=period_start,
        period_end=period_end,
        description=description.strip(),
        synthetic=synthetic,
        created_by=actor_fields(actor)["actor"],
    )
    record_audit(
        "traded_service.created",
        actor=actor,
        object_type="traded_service",
        object_id=service.pk,
        la_code=la_code,
        name=service.name,
        fee_rule=fee_rule,
        price=money(price),
        per_pupil_fee=money(per_pupil_fee),
        fee_cap=money(fee_cap),
        period_start=iso(period_start),
        period_end=iso(period_end),
    )
    return service


@transaction.atomic
def subscribe(
    service: TradedService,
    *,
    actor: Actor,
    urn: int,
    subscribed_on: date,
    pupils: int | None = None,
    synthetic: bool = False,
) -> Subscription:
    """Subscribe the school ``urn`` to ``service`` for the service's period.

    For a per-pupil fee the pupils counted default to the register's roll; the
    amount is worked out now by :func:`fee_for` and kept. Refused for a school of
    another LA, a second subscription, or a date after the period. Writes
    ``traded_service.subscribed``.
    """
    errors: Errors = {}
    school = school_or_error(errors, "urn", urn)
    if school is not None and school.la_code != service.la_code:
        add_error(errors, "urn", f"{school.name} is not one of the LA's schools.")
    check_past(errors, "subscribed_on", subscribed_on, "the date of the subscription")
    if subscribed_on > service.period_end:
        add_error(errors, "subscribed_on", "The service's period has ended by that date.")
    if Subscription.objects.filter(urn=urn, service=service).exists():
        add_error(errors, "urn", "This school already subscribes to this service.")
    counted = pupils if pupils is not None else (school.pupils if school is not None else None)
    if service.fee_rule == FeeRule.PER_PUPIL:
        if counted is None:
            add_error(errors, "pupils", "The register has no roll for the school: give the pupils.")
        elif isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
            add_error(errors, "pupils", "Give the pupils as a whole number, 0 or more.")
    raise_if(errors)
    amount = fee_for(
        service.fee_rule,
        pupils=counted,
        price=service.price,
        per_pupil_fee=service.per_pupil_fee,
        fee_cap=service.fee_cap,
    )
    subscription = Subscription.objects.create(
        urn=urn,
        service=service,
        pupils_counted=counted,
        amount_charged=amount,
        subscribed_on=subscribed_on,
        synthetic=synthetic,
        recorded_by=actor_fields(actor)["actor"],
    )
    record_audit(
        "traded_service.subscribed",
        actor=actor,
        object_type="subscription",
        object_id=subscription.pk,
        urn=urn,
        service=service.pk,
        pupils_counted=counted,
        amount_charged=money(amount),
        subscribed_on=iso(subscribed_on),
    )
    return subscription
