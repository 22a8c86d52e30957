"""The credits exchange: accounts, balanced postings, reversals, balances and statements.

The ledger's rules, each enforced here before anything is written:

- a transaction has at least two entries, none zero, one at most an account, all in
  one LA, and its entries sum to zero; so the balances of all accounts sum to zero;
- a school's balance never goes below zero on any day from the posting on (the
  scheme's may: it issues credits);
- an account takes entries only from the day it opened, and nothing is posted in
  the future;
- nothing is edited or deleted; :func:`reverse_transaction` undoes a posting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from convenor.brokerage.models import AccountKind, CreditAccount, CreditEntry, CreditTransaction
from convenor.brokerage.services.common import (
    Errors,
    add_error,
    check_la,
    check_past,
    check_text,
    iso,
    raise_if,
    school_or_error,
)
from convenor.core.services import Actor, actor_fields, record_audit

Line = tuple[CreditAccount, int]


@transaction.atomic
def open_account(
    *, actor: Actor, la_code: int, opened_on: date, urn: int | None = None
) -> CreditAccount:
    """Open the scheme's account of an LA (``urn`` None) or a school's. One each.
    Writes ``credit_account.opened``."""
    errors: Errors = {}
    check_la(errors, "la_code", la_code)
    school = None if urn is None else school_or_error(errors, "urn", urn)
    if urn is None and CreditAccount.objects.filter(la_code=la_code, urn__isnull=True).exists():
        add_error(errors, "la_code", f"LA {la_code}'s scheme already has an account.")
    if urn is not None and CreditAccount.objects.filter(urn=urn).exists():
        add_error(errors, "urn", f"URN {urn} already has an account.")
    raise_if(errors)
    account = CreditAccount.objects.create(
        la_code=la_code,
        kind=AccountKind.SCHEME if urn is None else AccountKind.SCHOOL,
        urn=urn,
        name=f"Credits scheme (LA {la_code})" if school is None else school.name,
        opened_on=opened_on,
    )
    record_audit(
        "credit_account.opened",
        actor=actor,
        object_type="credit_account",
        object_id=account.pk,
        la_code=la_code,
        urn=urn,
        opened_on=iso(opened_on),
    )
    return account


def _lowest_balance_from(account: CreditAccount, day: date) -> int:
    """The lowest end-of-day balance of ``account`` on ``day`` or any later day."""
    rows = CreditEntry.objects.filter(account=account).values_list(
        "transaction__posted_on", "amount"
    )
    daily: dict[date, int] = defaultdict(int)
    for posted, amount in rows:
        daily[posted] += amount
    running = sum(amount for posted, amount in daily.items() if posted <= day)
    lowest = running
    for posted in sorted(d for d in daily if d > day):
        running += daily[posted]
        lowest = min(lowest, running)
    return lowest


def _posting_errors(lines: Sequence[Line], posted_on: date, description: str) -> Errors:
    errors: Errors = {}
    check_text(errors, "description", description, "what the credits are for")
    check_past(errors, "posted_on", posted_on, "the date of the posting")
    if len(lines) < 2:
        add_error(errors, "lines", "A posting moves credits between at least two accounts.")
    if any(isinstance(n, bool) or not isinstance(n, int) for _, n in lines):
        add_error(errors, "lines", "Credits are whole numbers.")
        return errors
    if any(n == 0 for _, n in lines):
        add_error(errors, "lines", "No line may be for 0 credits.")
    if len({a.pk for a, _ in lines}) != len(lines):
        add_error(errors, "lines", "Give each account one line.")
    if len({a.la_code for a, _ in lines}) > 1:
        add_error(errors, "lines", "Every account must be in the same LA's scheme.")
    total = sum(n for _, n in lines)
    if total != 0:
        add_error(errors, "lines", f"The lines must sum to 0 credits; they sum to {total:+d}.")
    for account, _ in lines:
        if posted_on is not None and posted_on < account.opened_on:
            add_error(errors, "posted_on", f"{account.name}'s account opened after that date.")
    return errors


@transaction.atomic
def post_credit_transaction(
    *,
    actor: Actor,
    lines: Sequence[Line],
    posted_on: date,
    description: str,
    synthetic: bool = False,
    reverses: CreditTransaction | None = None,
) -> CreditTransaction:
    """Post one balanced movement of credits: ``lines`` are (account, signed credits).

    Refused, leaving nothing behind, when the lines do not sum to zero or break any
    other rule of the ledger (see the module), including a school going below zero
    credits on any day from ``posted_on``. Writes a ``credits.posted`` audit event
    with every line.
    """
    errors = _posting_errors(lines, posted_on, description)
    raise_if(errors)
    # Lock the accounts in a fixed order, so two postings cannot deadlock or race.
    ids = sorted(account.pk for account, _ in lines)
    locked = CreditAccount.objects.select_for_update().in_bulk(ids)
    for account, amount in lines:
        current = locked[account.pk]
        if current.kind == AccountKind.SCHOOL and amount < 0:
            lowest = _lowest_balance_from(current, posted_on)
            if lowest + amount < 0:
                add_error(
                    errors,
                    "lines",
                    f"{current.name} has {lowest} credits to spend from that date; "
                    f"{-amount} is more than that.",
                )
    raise_if(errors)
    (la_code,) = {account.la_code for account, _ in lines}
    posting = CreditTransaction.objects.create(
        la_code=la_code,
        posted_on=posted_on,
        description=description.strip(),
        reverses=reverses,
        synthetic=synthetic,
        posted_by=actor_fields(actor)["actor"],
    )
    CreditEntry.objects.bulk_create(
        CreditEntry(transaction=posting, account_id=account.pk, amount=amount)
        for account, amount in lines
    )
    record_audit(
        "credits.posted",
        actor=actor,
        object_type="credit_transaction",
        object_id=posting.pk,
        la_code=la_code,
        posted_on=iso(posted_on),
        lines={str(account.pk): amount for account, amount in lines},
        reverses=None if reverses is None else reverses.pk,
    )
    return posting


def grant_credits(
    account: CreditAccount, *, actor: Actor, credits: int, posted_on: date, description: str
) -> CreditTransaction:
    """Issue credits from the LA's scheme to a school (say, its yearly allocation)."""
    scheme = CreditAccount.objects.get(la_code=account.la_code, kind=AccountKind.SCHEME)
    return post_credit_transaction(
        actor=actor,
        lines=[(scheme, -credits), (account, credits)],
        posted_on=posted_on,
        description=description,
    )


def record_exchange(
    *,
    actor: Actor,
    provider: CreditAccount,
    taker: CreditAccount,
    credits: int,
    posted_on: date,
    description: str,
) -> CreditTransaction:
    """A school (``taker``) takes a development opportunity another (``provider``)
    offers: the taker spends ``credits`` and the provider earns them."""
    if credits <= 0:
        raise_if({"credits": ["An exchange moves more than 0 credits."]})
    return post_credit_transaction(
        actor=actor,
        lines=[(taker, -credits), (provider, credits)],
        posted_on=posted_on,
        description=description,
    )


@transaction.atomic
def reverse_transaction(
    posting: CreditTransaction, *, actor: Actor, posted_on: date, reason: str
) -> CreditTransaction:
    """Undo a posting with its mirror image, dated ``posted_on``; the original stays.
    Refused when it has been reversed already, or is itself a reversal."""
    errors: Errors = {}
    check_text(errors, "reason", reason, "why the posting is reversed")
    if CreditTransaction.objects.filter(reverses=posting).exists():
        add_error(errors, "posting", "This posting has already been reversed.")
    if posting.reverses_id is not None:
        add_error(errors, "posting", "This posting is a reversal; post the credits again instead.")
    if posted_on < posting.posted_on:
        add_error(errors, "posted_on", "A reversal cannot be dated before the posting.")
    raise_if(errors)
    lines = [(entry.account, -entry.amount) for entry in posting.entries.select_related("account")]
    return post_credit_transaction(
        actor=actor,
        lines=lines,
        posted_on=posted_on,
        description=f"Reversal: {reason.strip()}",
        reverses=posting,
    )


def balance(account: CreditAccount, on: date | None = None) -> int:
    """The account's balance at the end of ``on`` (everything posted, for None)."""
    return CreditEntry.objects.balance(account, on)


@dataclass(frozen=True)
class StatementLine:
    posted_on: date
    transaction_id: int
    description: str
    amount: int
    balance: int


@dataclass(frozen=True)
class Statement:
    """An account's movements between two dates, inclusive, with the balances around them."""

    account: CreditAccount
    date_from: date
    date_to: date
    opening: int
    lines: tuple[StatementLine, ...]
    closing: int

    @property
    def earned(self) -> int:
        return sum(line.amount for line in self.lines if line.amount > 0)

    @property
    def spent(self) -> int:
        return -sum(line.amount for line in self.lines if line.amount < 0)


def statement(account: CreditAccount, date_from: date, date_to: date) -> Statement:
    """The account's statement from ``date_from`` to ``date_to``: the opening balance
    (the end of the day before), each entry in date order with the running balance,
    and the closing balance. Two queries."""
    if date_to < date_from:
        raise_if({"date_to": ["The statement cannot end before it starts."]})
    opening = balance(account, date_from - timedelta(days=1))
    rows = (
        CreditEntry.objects.filter(
            account=account,
            transaction__posted_on__gte=date_from,
            transaction__posted_on__lte=date_to,
        )
        .order_by("transaction__posted_on", "transaction_id")
        .values("amount", "transaction_id", "transaction__posted_on", "transaction__description")
    )
    running = opening
    lines = []
    for row in rows:
        running += row["amount"]
        lines.append(
            StatementLine(
                row["transaction__posted_on"],
                row["transaction_id"],
                row["transaction__description"],
                row["amount"],
                running,
            )
        )
    return Statement(account, date_from, date_to, opening, tuple(lines), running)
