"""Tariffs, funds, commitments and spend. No fund is committed or spent beyond its budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum

from convenor.brokerage.models import (
    DEFAULT_TARIFFS,
    Band,
    Fund,
    FundCommitment,
    FundSpend,
    Partnership,
    SupportPlan,
    TariffBand,
)
from convenor.brokerage.services.common import (
    Errors,
    add_error,
    as_decimal,
    check_la,
    check_order,
    check_past,
    check_text,
    iso,
    money,
    raise_if,
)
from convenor.core.services import Actor, actor_fields, record_audit

ZERO = Decimal("0")


# --- Tariffs ---------------------------------------------------------------------------


def tariff_in_force(la_code: int, band: str, on: date) -> Decimal:
    """The amount a plan of ``band`` gets in the LA on ``on``: the latest tariff set on
    or before it, else the default (high £25,000, medium £15,000, low £7,500)."""
    row = (
        TariffBand.objects.filter(la_code=la_code, band=band, effective_from__lte=on)
        .order_by("-effective_from", "-pk")
        .first()
    )
    return row.amount if row is not None else DEFAULT_TARIFFS[band]


@transaction.atomic
def set_tariffs(
    *,
    actor: Actor,
    la_code: int,
    effective_from: date,
    amounts: Mapping[str, Decimal | int | str],
) -> list[TariffBand]:
    """Put new tariff amounts for some bands in force in an LA from ``effective_from``.

    Rows are only added, never edited, so a plan keeps the amount of its start
    date. Refused when a band is not known, an amount is negative, or a band
    already has a tariff from that date. Writes a ``tariff.set`` audit event.
    """
    errors: Errors = {}
    check_la(errors, "la_code", la_code)
    if not amounts:
        add_error(errors, "amounts", "Give an amount for at least one band.")
    checked: dict[str, Decimal] = {}
    for band, amount in amounts.items():
        if band not in Band.values:
            add_error(errors, "amounts", f"There is no band {band!r}.")
            continue
        number = as_decimal(errors, "amounts", amount, f"the {band} tariff")
        if number is not None and number < 0:
            add_error(errors, "amounts", f"The {band} tariff cannot be negative.")
        elif number is not None:
            checked[band] = number
    taken = TariffBand.objects.filter(
        la_code=la_code, effective_from=effective_from, band__in=list(checked)
    )
    if taken.exists():
        add_error(errors, "effective_from", "Some of these bands already have a tariff from then.")
    raise_if(errors)
    rows = [
        TariffBand.objects.create(
            la_code=la_code,
            band=band,
            amount=amount,
            effective_from=effective_from,
            created_by=actor_fields(actor)["actor"],
        )
        for band, amount in sorted(checked.items())
    ]
    record_audit(
        "tariff.set",
        actor=actor,
        object_type="local_authority",
        object_id=la_code,
        effective_from=iso(effective_from),
        amounts={band: money(amount) for band, amount in sorted(checked.items())},
    )
    return rows


def install_default_tariffs(*, actor: Actor, la_code: int, effective_from: date) -> None:
    """Store the default tariffs for an LA from ``effective_from`` (the demo loader's
    start), so the LA's tariffs show as data that it may change."""
    set_tariffs(
        actor=actor, la_code=la_code, effective_from=effective_from, amounts=DEFAULT_TARIFFS
    )


# --- Funds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FundPosition:
    """A fund's budget, what is committed and spent, and what is left to commit."""

    budget: Decimal
    committed: Decimal
    spent: Decimal

    @property
    def uncommitted(self) -> Decimal:
        return self.budget - self.committed


def _sum(rows: QuerySet[Any]) -> Decimal:
    total = rows.aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0)


def fund_position(fund: Fund) -> FundPosition:
    """The fund's totals now."""
    return FundPosition(
        Decimal(fund.budget),
        _sum(FundCommitment.objects.filter(fund=fund)),
        _sum(FundSpend.objects.filter(fund=fund)),
    )


@transaction.atomic
def create_fund(
    *,
    actor: Actor,
    la_code: int,
    name: str,
    period_start: date,
    period_end: date,
    budget: Decimal,
    partnership: Partnership | None = None,
    synthetic: bool = False,
) -> Fund:
    """Open a fund of an LA (usually a board's) for a period with a budget. Writes
    ``fund.created``."""
    errors: Errors = {}
    check_la(errors, "la_code", la_code)
    check_text(errors, "name", name, "the fund's name")
    if period_end < period_start:
        add_error(errors, "period_end", "The period cannot end before it starts.")
    number = as_decimal(errors, "budget", budget, "the budget")
    if number is not None and number < 0:
        add_error(errors, "budget", "The budget cannot be negative.")
    if partnership is not None and partnership.la_code != la_code:
        add_error(errors, "partnership", "The partnership must be of the same LA.")
    raise_if(errors)
    assert number is not None
    fund = Fund.objects.create(
        la_code=la_code,
        partnership=partnership,
        name=name.strip(),
        period_start=period_start,
        period_end=period_end,
        budget=number,
        synthetic=synthetic,
        created_by=actor_fields(actor)["actor"],
    )
    record_audit(
        "fund.created",
        actor=actor,
        object_type="fund",
        object_id=fund.pk,
        la_code=la_code,
        partnership=fund.partnership_id,
        period_start=iso(period_start),
        period_end=iso(period_end),
        budget=money(number),
    )
    return fund


def _locked(plan: SupportPlan, fund: Fund) -> tuple[SupportPlan, Fund]:
    # Read afresh under row locks (the plan first, then the fund, always in that order),
    # so two commitments or spends at once cannot both pass the checks.
    fresh_plan = SupportPlan.objects.select_for_update().select_related("request").get(pk=plan.pk)
    return fresh_plan, Fund.objects.select_for_update().get(pk=fund.pk)


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


@transaction.atomic
def commit_funds(
    plan: SupportPlan,
    fund: Fund,
    *,
    actor: Actor,
    amount: Decimal,
    committed_on: date,
    note: str = "",
) -> FundCommitment:
    """Set money aside from ``fund`` for ``plan``.

    Refused when it would commit the fund beyond its budget, or the plan beyond its
    tariff amount, or when the date is outside the fund's period, or the plan is
    not live or of another LA. Writes a ``fund.committed`` audit event.
    """
    plan, current = _locked(plan, fund)
    errors: Errors = {}
    number = as_decimal(errors, "amount", amount, "the amount")
    if number is not None and number <= 0:
        add_error(errors, "amount", "The amount must be more than £0.")
    _check_plan_and_date(errors, plan, current, committed_on, "committed_on")
    if number is not None and number > 0:
        position = fund_position(current)
        if number > position.uncommitted:
            add_error(
                errors,
                "amount",
                f"{current.name} has {_pounds(position.uncommitted)} left to commit of its "
                f"{_pounds(position.budget)} budget; {_pounds(number)} is more than that.",
            )
        to_plan = _sum(FundCommitment.objects.filter(plan=plan))
        if to_plan + number > plan.tariff_amount:
            add_error(
                errors,
                "amount",
                f"The plan's tariff is {_pounds(plan.tariff_amount)} and "
                f"{_pounds(to_plan)} is committed to it already.",
            )
    raise_if(errors)
    assert number is not None
    return _commit(plan, current, actor, number, committed_on, note, "fund.committed")


@transaction.atomic
def release_funds(
    plan: SupportPlan,
    fund: Fund,
    *,
    actor: Actor,
    amount: Decimal,
    released_on: date,
    note: str = "",
) -> FundCommitment:
    """Give back to ``fund`` money committed to ``plan`` and not spent (a negative
    commitment, so the record keeps both). Writes a ``fund.released`` audit event."""
    plan, current = _locked(plan, fund)
    errors: Errors = {}
    number = as_decimal(errors, "amount", amount, "the amount")
    if number is not None and number <= 0:
        add_error(errors, "amount", "The amount must be more than £0.")
    check_past(errors, "released_on", released_on, "the date")
    if number is not None and number > 0:
        committed = _sum(FundCommitment.objects.filter(plan=plan, fund=current))
        spent = _sum(FundSpend.objects.filter(plan=plan, fund=current))
        if number > committed - spent:
            add_error(
                errors,
                "amount",
                f"Only {_pounds(committed - spent)} of this fund's commitment to the plan "
                "is unspent.",
            )
    raise_if(errors)
    assert number is not None
    return _commit(plan, current, actor, -number, released_on, note, "fund.released")


def _commit(
    plan: SupportPlan, fund: Fund, actor: Actor, amount: Decimal, day: date, note: str, action: str
) -> FundCommitment:
    commitment = FundCommitment.objects.create(
        plan=plan,
        fund=fund,
        amount=amount,
        committed_on=day,
        note=note.strip(),
        recorded_by=actor_fields(actor)["actor"],
    )
    record_audit(
        action,
        actor=actor,
        object_type="fund",
        object_id=fund.pk,
        plan=plan.pk,
        amount=money(amount),
        on=iso(day),
    )
    return commitment


def _check_plan_and_date(
    errors: Errors, plan: SupportPlan, fund: Fund, day: date, field: str
) -> None:
    if not plan.is_live:
        add_error(errors, "plan", f"This plan is {plan.get_status_display().lower()}.")
    if plan.request.la_code != fund.la_code:
        add_error(errors, "fund", "The fund is of another LA.")
    check_past(errors, field, day, "the date")
    if not fund.period_start <= day <= fund.period_end:
        add_error(errors, field, f"The date must fall within the fund's period ({fund}).")


@transaction.atomic
def record_spend(
    plan: SupportPlan,
    fund: Fund,
    *,
    actor: Actor,
    amount: Decimal,
    spent_on: date,
    note: str,
) -> FundSpend:
    """Record money paid from ``fund`` under ``plan``'s commitment.

    Refused when it would spend more than the fund's commitment to the plan (and so
    more than the budget), before the first commitment, or in the future. Spend
    may be recorded after a plan ends, for work it did. Writes ``fund.spent``.
    """
    plan, current = _locked(plan, fund)
    errors: Errors = {}
    number = as_decimal(errors, "amount", amount, "the amount")
    if number is not None and number <= 0:
        add_error(errors, "amount", "The amount must be more than £0.")
    check_text(errors, "note", note, "what the money paid for")
    check_past(errors, "spent_on", spent_on, "the date")
    commitments = FundCommitment.objects.filter(plan=plan, fund=current)
    first = commitments.order_by("committed_on").values_list("committed_on", flat=True).first()
    if first is None:
        add_error(errors, "fund", "Nothing is committed from this fund to the plan.")
    else:
        check_order(errors, "spent_on", spent_on, first, "the spend", "the first commitment")
    if number is not None and number > 0 and first is not None:
        left = _sum(commitments) - _sum(FundSpend.objects.filter(plan=plan, fund=current))
        if number > left:
            add_error(
                errors,
                "amount",
                f"Only {_pounds(left)} committed from {current.name} to this plan is unspent; "
                f"{_pounds(number)} would overspend it.",
            )
    raise_if(errors)
    assert number is not None
    spend = FundSpend.objects.create(
        plan=plan,
        fund=current,
        amount=number,
        spent_on=spent_on,
        note=note.strip(),
        recorded_by=actor_fields(actor)["actor"],
    )
    record_audit(
        "fund.spent",
        actor=actor,
        object_type="fund",
        object_id=current.pk,
        plan=plan.pk,
        amount=money(number),
        on=iso(spent_on),
    )
    return spend
