"""Credits accounts, statements and exchanges, and traded services (ADR 0011: the LA's
officers see all of their LA's; a school's leaders their own school's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from convenor.brokerage.models import CreditAccount, CreditTransaction
from convenor.brokerage.services import grant_credits, open_account, record_exchange, subscribe
from convenor.brokerage.tests.factories import TradedServiceFactory, hampshire_school
from convenor.core.models import AuditEvent, Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import sign_in_with_role
from convenor.intelligence.tests.factories_interventions import page_text
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db


def ledger() -> tuple[Establishment, Establishment, CreditAccount, CreditAccount]:
    """Two Hampshire schools with 20 credits each from September 2019; Ash Primary has
    since given Beech Primary a day's training for 6 credits."""
    ash, beech = hampshire_school(name="Ash Primary"), hampshire_school(name="Beech Primary")
    open_account(actor="test", la_code=850, opened_on=date(2019, 9, 1))
    accounts = []
    for school in (ash, beech):
        account = open_account(
            actor="test", la_code=850, urn=school.urn, opened_on=date(2019, 9, 1)
        )
        grant_credits(
            account, actor="test", credits=20, posted_on=date(2019, 9, 2), description="Allocation"
        )
        accounts.append(account)
    record_exchange(
        actor="test",
        provider=accounts[0],
        taker=accounts[1],
        credits=6,
        posted_on=date(2019, 11, 12),
        description="Phonics training day",
    )
    return ash, beech, accounts[0], accounts[1]


@pytest.fixture
def officer(page_client: PageCheckingClient) -> PageCheckingClient:
    LocalAuthorityFactory.create(code=850)
    sign_in_with_role(page_client, Role.LA_OFFICER, la_code=850)
    return page_client


def test_an_officer_sees_every_account_and_its_balance(officer: PageCheckingClient) -> None:
    ledger()
    page = page_text(officer.get("/partnerships/credits/"))
    assert "Ash Primary School" in page and "26 credits" in page
    assert "Beech Primary School" in page and "14 credits" in page
    # The scheme's balance is minus what it has issued; all balances sum to zero.
    assert "Credits scheme (LA 850) Scheme" in page and "1 Sep 2019 \u221240 credits" in page
    assert "The scheme has issued 40 credits in all" in page
    assert "Record an exchange" in page


def test_a_school_leader_sees_their_own_account_only(page_client: PageCheckingClient) -> None:
    ash, _, own, other = ledger()
    sign_in_with_role(page_client, Role.SCHOOL_LEADER, school_urn=ash.urn)
    page = page_text(page_client.get("/partnerships/credits/"))
    assert "Ash Primary" in page and "Beech Primary" not in page
    assert "Record an exchange" not in page and "has issued" not in page
    assert page_client.get(f"/partnerships/credits/{own.pk}/").status_code == 200
    assert page_client.get(f"/partnerships/credits/{other.pk}/").status_code == 404
    assert page_client.get("/partnerships/credits/exchange/").status_code == 403


def test_a_statement_reconciles_between_two_dates(officer: PageCheckingClient) -> None:
    *_, account = ledger()
    page = page_text(
        officer.get(f"/partnerships/credits/{account.pk}/?date_from=2019-10-01&date_to=2019-12-31")
    )
    assert "Beech Primary, URN" in page
    assert "Opening balance 20 credits" in page
    assert "Earned 0 credits Spent 6 credits Closing balance 14 credits" in page
    assert "12 Nov 2019 Phonics training day \u22126 14" in page
    # Blank dates: from the day it opened to today.
    page = page_text(officer.get(f"/partnerships/credits/{account.pk}/"))
    assert "Opening balance 0 credits" in page and "2 Sep 2019 Allocation +20 20" in page


def test_a_statement_refuses_a_period_that_ends_before_it_starts(
    officer: PageCheckingClient,
) -> None:
    *_, account = ledger()
    url = f"/partnerships/credits/{account.pk}/?date_from=2019-12-01&date_to=2019-10-01"
    page = page_text(officer.get(url))
    assert "The last day cannot come before the first" in page
    assert "Opening balance" not in page


def test_an_officer_of_another_la_cannot_read_the_statement(
    page_client: PageCheckingClient,
) -> None:
    *_, account = ledger()
    LocalAuthorityFactory.create(code=851)
    sign_in_with_role(page_client, Role.LA_OFFICER, la_code=851)
    assert page_client.get(f"/partnerships/credits/{account.pk}/").status_code == 404


def test_an_officer_records_an_exchange(officer: PageCheckingClient) -> None:
    _, _, ash, beech = ledger()
    form = {
        "provider": str(beech.pk),
        "taker": str(ash.pk),
        "credits": "5",
        "posted_on": "2019-12-02",
        "description": "Moderation support",
    }
    response = officer.post("/partnerships/credits/exchange/", form)
    assert response.status_code == 302 and response["Location"] == "/partnerships/credits/"
    posting = CreditTransaction.objects.get(description="Moderation support")
    assert dict(posting.entries.values_list("account_id", "amount")) == {beech.pk: 5, ash.pk: -5}
    assert AuditEvent.objects.filter(action="credits.posted", object_id=posting.pk).exists()


def test_the_exchange_form_shows_what_is_wrong(officer: PageCheckingClient) -> None:
    _, _, ash, beech = ledger()
    form = {
        "provider": str(ash.pk),
        "taker": str(beech.pk),
        "credits": "50",
        "posted_on": "2019-12-02",
        "description": "A term's coaching",
    }
    page = page_text(officer.post("/partnerships/credits/exchange/", form))
    assert "has 14 credits to spend from that date; 50 is more than that" in page
    page = page_text(officer.post("/partnerships/credits/exchange/", form | {"taker": str(ash.pk)}))
    assert "Choose a school other than the one that provided it" in page
    page = page_text(officer.post("/partnerships/credits/exchange/", form | {"credits": "0"}))
    assert "Enter more than 0 credits" in page
    assert not CreditTransaction.objects.filter(description="A term's coaching").exists()


def test_traded_services_show_income_to_officers(officer: PageCheckingClient) -> None:
    ash, beech, *_ = ledger()
    service = TradedServiceFactory.create(synthetic=True)
    subscribe(service, actor="test", urn=ash.urn, subscribed_on=date(2019, 4, 10))
    subscribe(service, actor="test", urn=beech.urn, subscribed_on=date(2019, 4, 11), pupils=400)
    TradedServiceFactory.create(
        name="Governor services",
        fee_rule="flat",
        price=Decimal("850"),
        per_pupil_fee=None,
        fee_cap=None,
    )
    page = page_text(officer.get("/partnerships/traded-services/"))
    # 210 pupils at £5, and 400 pupils capped at £1,500.
    assert "School improvement membership Synthetic Buy-back service" in page
    assert "£5.00 a pupil, at most £1,500.00 2 £2,550.00" in page
    assert "Governor services" in page and "£850.00 0 £0.00" in page
    assert "Income from every subscription shown: £2,550.00" in page


def test_a_school_leader_sees_what_their_school_pays(page_client: PageCheckingClient) -> None:
    ash, beech, *_ = ledger()
    service = TradedServiceFactory.create()
    subscribe(service, actor="test", urn=beech.urn, subscribed_on=date(2019, 4, 11))
    sign_in_with_role(page_client, Role.SCHOOL_LEADER, school_urn=beech.urn)
    page = page_text(page_client.get("/partnerships/traded-services/"))
    assert "Subscribes: £1,050.00" in page
    assert "Income" not in page and "£1,050.00 1" not in page
    sign_in_with_role(page_client, Role.SCHOOL_LEADER, school_urn=ash.urn)
    assert "Not subscribed" in page_text(page_client.get("/partnerships/traded-services/"))
