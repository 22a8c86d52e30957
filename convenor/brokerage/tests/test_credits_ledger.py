"""The credits ledger: every posting balances, balances sum to zero, statements reconcile.

The property tests post random sequences of balanced and unbalanced postings, dated
in any order, against a scheme account and three schools, each example inside a
savepoint that is rolled back so that examples do not see each other's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from convenor.brokerage.models import CreditAccount, CreditEntry, CreditTransaction
from convenor.brokerage.services import (
    balance,
    grant_credits,
    open_account,
    post_credit_transaction,
    record_exchange,
    reverse_transaction,
    statement,
)
from convenor.brokerage.tests.factories import hampshire_school, latest_event
from convenor.core.models import AuditEvent
from convenor.schools.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db
START = date(2019, 9, 1)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _accounts() -> list[CreditAccount]:
    """The scheme's account and three schools', opened on ``START``."""
    LocalAuthorityFactory.create(code=850)
    scheme = open_account(actor="test", la_code=850, opened_on=START)
    schools = [
        open_account(actor="test", la_code=850, opened_on=START, urn=hampshire_school().urn)
        for _ in range(3)
    ]
    return [scheme, *schools]


@contextmanager
def _rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


NON_ZERO = st.integers(-40, -1) | st.integers(1, 40)


@st.composite
def balanced(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    """A day offset and lines (account index, credits) that sum to zero."""
    size = draw(st.integers(2, 4))
    accounts = draw(st.lists(st.integers(0, 3), min_size=size, max_size=size, unique=True))
    amounts = draw(st.lists(NON_ZERO, min_size=size - 1, max_size=size - 1))
    last = -sum(amounts)
    assume(last != 0)
    return draw(st.integers(0, 90)), list(zip(accounts, [*amounts, last], strict=True))


@st.composite
def unbalanced(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    """A day offset and lines that do not sum to zero."""
    day, lines = draw(balanced())
    nudge = draw(st.integers(-5, -1) | st.integers(1, 5))
    (account, amount), rest = lines[0], lines[1:]
    assume(amount + nudge != 0)
    return day, [(account, amount + nudge), *rest]


def _post(accounts, day, lines):
    return post_credit_transaction(
        actor="test",
        lines=[(accounts[i], amount) for i, amount in lines],
        posted_on=START + timedelta(days=day),
        description="Development opportunity",
    )


def _school_balances_never_negative(accounts: list[CreditAccount]) -> None:
    for account in accounts[1:]:
        days = set(
            CreditEntry.objects.filter(account=account).values_list(
                "transaction__posted_on", flat=True
            )
        )
        assert all(balance(account, day) >= 0 for day in days)


@PROPERTY
@given(
    st.lists(st.integers(0, 60), min_size=3, max_size=3),
    st.lists(balanced(), min_size=1, max_size=15),
)
def test_every_posting_balances_and_all_balances_sum_to_zero(grants, postings) -> None:
    with _rolled_back():
        accounts = _accounts()
        for account, credits in zip(accounts[1:], grants, strict=True):
            if credits:
                grant_credits(
                    account, actor="test", credits=credits, posted_on=START, description="Grant"
                )
        for day, lines in postings:
            try:
                posting = _post(accounts, day, lines)
            except ValidationError as error:
                # The only balanced postings refused are those a school cannot afford.
                assert "credits to spend from that date" in str(error)
                event("a balanced posting refused: a school could not afford it")
                continue
            event("a balanced posting accepted")
            assert posting.entries.aggregate(total=Sum("amount"))["total"] == 0
            assert sum(balance(a) for a in accounts) == 0
        assert not CreditTransaction.objects.unbalanced().exists()
        assert sum(CreditEntry.objects.balances(850).values()) == 0
        _school_balances_never_negative(accounts)


@PROPERTY
@given(st.lists(balanced(), max_size=8), unbalanced())
def test_an_unbalanced_posting_is_refused_and_leaves_nothing(postings, bad) -> None:
    with _rolled_back():
        accounts = _accounts()
        # The scheme issues enough for any of these postings to be affordable.
        for account in accounts[1:]:
            grant_credits(account, actor="test", credits=2000, posted_on=START, description="Grant")
        for day, lines in postings:
            _post(accounts, day, lines)
        counts = (
            CreditTransaction.objects.count(),
            CreditEntry.objects.count(),
            AuditEvent.objects.count(),
        )
        with pytest.raises(ValidationError, match="must sum to 0 credits"):
            _post(accounts, *bad)
        assert counts == (
            CreditTransaction.objects.count(),
            CreditEntry.objects.count(),
            AuditEvent.objects.count(),
        )


@PROPERTY
@given(
    st.lists(balanced(), max_size=12),
    st.integers(0, 3),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_a_statement_reconciles_to_the_ledger(postings, which, first, second) -> None:
    with _rolled_back():
        accounts = _accounts()
        for account in accounts[1:]:
            grant_credits(account, actor="test", credits=2000, posted_on=START, description="Grant")
        for day, lines in postings:
            _post(accounts, day, lines)
        account = accounts[which]
        date_from = START + timedelta(days=min(first, second))
        date_to = START + timedelta(days=max(first, second))
        found = statement(account, date_from, date_to)
        assert found.opening == balance(account, date_from - timedelta(days=1))
        assert found.opening + sum(line.amount for line in found.lines) == found.closing
        assert found.closing == balance(account, date_to)
        assert found.earned - found.spent == found.closing - found.opening
        running = found.opening
        for line in found.lines:
            running += line.amount
            assert line.balance == running and date_from <= line.posted_on <= date_to


def test_an_exchange_moves_credits_from_taker_to_provider_and_is_audited() -> None:
    scheme, provider, taker, _ = _accounts()
    grant_credits(taker, actor="test", credits=10, posted_on=START, description="Allocation")
    record_exchange(
        actor="test",
        provider=provider,
        taker=taker,
        credits=4,
        posted_on=date(2019, 10, 1),
        description="Phonics training day",
    )
    assert (balance(scheme), balance(provider), balance(taker)) == (-10, 4, 6)
    assert latest_event("credits.posted").detail["lines"] == {
        str(taker.pk): -4,
        str(provider.pk): 4,
    }


def test_a_school_cannot_spend_credits_it_has_not_got_even_by_backdating() -> None:
    _, provider, taker, _ = _accounts()
    grant_credits(taker, actor="test", credits=5, posted_on=date(2019, 10, 1), description="Grant")
    with pytest.raises(ValidationError, match="has 0 credits to spend from that date"):
        record_exchange(
            actor="test",
            provider=provider,
            taker=taker,
            credits=3,
            posted_on=date(2019, 9, 15),
            description="Before the grant",
        )
    record_exchange(
        actor="test",
        provider=provider,
        taker=taker,
        credits=5,
        posted_on=date(2019, 10, 2),
        description="Course",
    )
    # Spending the grant later means it cannot be spent again earlier.
    with pytest.raises(ValidationError, match="has 0 credits"):
        record_exchange(
            actor="test",
            provider=provider,
            taker=taker,
            credits=1,
            posted_on=date(2019, 10, 1),
            description="Same day",
        )


def test_it_refuses_malformed_postings_and_a_second_account() -> None:
    scheme, one, two, _ = _accounts()
    LocalAuthorityFactory.create(code=851)
    other = open_account(actor="test", la_code=851, opened_on=START)
    cases: list[tuple[list[tuple[Any, Any]], str]] = [
        ([(one, 5)], "at least two accounts"),
        ([(one, 0), (two, 0)], "No line may be for 0 credits"),
        ([(one, 5), (one, -5)], "Give each account one line"),
        ([(one, 2.5), (two, -2.5)], "Credits are whole numbers"),
        ([(scheme, -5), (other, 5)], "same LA's scheme"),
    ]
    for lines, message in cases:
        with pytest.raises(ValidationError, match=message):
            post_credit_transaction(actor="test", lines=lines, posted_on=START, description="x")
    with pytest.raises(ValidationError) as error:
        post_credit_transaction(
            actor="test",
            lines=[(scheme, -1), (one, 1)],
            posted_on=START - timedelta(days=1),
            description=" ",
        )
    assert set(error.value.message_dict) == {"description", "posted_on"}
    with pytest.raises(ValidationError, match="already has an account"):
        open_account(actor="test", la_code=850, opened_on=START, urn=one.urn)
    with pytest.raises(ValidationError, match="scheme already has an account"):
        open_account(actor="test", la_code=850, opened_on=START)
    assert not CreditTransaction.objects.exists()


def test_a_reversal_mirrors_the_posting_once_and_keeps_both() -> None:
    scheme, one, _, _ = _accounts()
    grant = grant_credits(one, actor="test", credits=7, posted_on=START, description="Grant")
    reversal = reverse_transaction(
        grant, actor="test", posted_on=date(2019, 9, 2), reason="Wrong school"
    )
    assert reversal.reverses == grant and reversal.description == "Reversal: Wrong school"
    assert (balance(scheme), balance(one)) == (0, 0)
    assert balance(one, START) == 7
    with pytest.raises(ValidationError, match="already been reversed"):
        reverse_transaction(grant, actor="test", posted_on=date(2019, 9, 3), reason="Again")
    with pytest.raises(ValidationError, match="is a reversal"):
        reverse_transaction(reversal, actor="test", posted_on=date(2019, 9, 3), reason="Undo")


def test_the_ledger_check_finds_a_transaction_written_around_the_service() -> None:
    _, one, _, _ = _accounts()
    grant_credits(one, actor="test", credits=3, posted_on=START, description="Grant")
    assert not CreditTransaction.objects.unbalanced().exists()
    bad = CreditTransaction.objects.create(la_code=850, posted_on=START, description="Bad")
    CreditEntry.objects.create(transaction=bad, account=one, amount=3)
    empty = CreditTransaction.objects.create(la_code=850, posted_on=START, description="Empty")
    assert set(CreditTransaction.objects.unbalanced()) == {bad, empty}
