"""The soft intelligence pages: a school's log, confirmations, the register, the rules."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convenor.core.models import Role
from convenor.core.services import assign_role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import UserFactory
from convenor.intelligence.models import ConcernRule, Sensitivity, SoftIntelligenceEntry
from convenor.intelligence.tests.factories import ConcernRuleFactory, SoftIntelligenceEntryFactory
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db

URN = 116336
PAGE = f"/schools/{URN}/intelligence/"


@pytest.fixture(autouse=True)
def hampshire() -> None:
    LocalAuthorityFactory.create(code=850)
    EstablishmentFactory.create(urn=URN, district="Gosport", name="Newtown Primary")


@pytest.fixture
def officer() -> User:
    user = UserFactory.create(username="officer", first_name="Ada", last_name="Lovelace")
    assign_role(user, Role.LA_OFFICER, actor="setup", la_code=850)
    return user


@pytest.fixture
def client(page_client: PageCheckingClient, officer: User) -> PageCheckingClient:
    page_client.force_login(officer)
    return page_client


def _text(response) -> str:
    """The page's words as a reader meets them: tags dropped, whitespace collapsed."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


def _entry_form(**values: str) -> dict[str, str]:
    form = {
        "kind": "governance",
        "observed_on": "2020-02-03",
        "source": "Clerk to governors",
        "summary": "Two meetings not quorate.",
        "sensitivity": "standard",
        "follow_up": "",
        "follow_up_due": "",
        "expires_on": "",
    }
    return {**form, **values}


# A school's log


def test_it_lists_a_schools_entries_newest_first_with_their_tags(
    client: PageCheckingClient,
) -> None:
    SoftIntelligenceEntryFactory.create(urn=URN, observed_on=date(2019, 5, 1), summary="Older")
    SoftIntelligenceEntryFactory.create(
        urn=URN,
        observed_on=date(2020, 2, 1),
        summary="Newer",
        synthetic=True,
        sensitivity=Sensitivity.RESTRICTED,
        follow_up="Visit",
        follow_up_due=date(2020, 2, 15),
    )
    page = _text(client.get(PAGE))
    assert page.index("Newer") < page.index("Older")
    assert "Parental complaint, 1 Feb 2020 Restricted Synthetic" in page
    # Both expired long ago (two years), so neither counts today and no follow-up is overdue.
    assert page.count("Expired") == 2
    assert "Due 15 Feb 2020." in page and "Overdue" not in page
    assert "No escalation rule was in force on" in page


def test_it_adds_an_entry(client: PageCheckingClient, officer: User) -> None:
    response = client.post(PAGE, _entry_form(), follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    page = _text(response)
    assert "Entry added." in page
    assert "Governance, 3 Feb 2020" in page
    entry = SoftIntelligenceEntry.objects.get()
    # Two years of 730 days: 2020 was a leap year.
    assert (entry.urn, entry.author, entry.expires_on) == (URN, officer, date(2022, 2, 2))


def test_it_shows_what_is_missing_and_keeps_what_was_typed(client: PageCheckingClient) -> None:
    response = client.post(PAGE, _entry_form(kind="", summary="", observed_on="3 Febtember"))
    page = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose the type of intelligence" in page
    assert "Enter a summary" in page
    assert "Enter date as a real date, like 2020-03-31" in page
    assert 'value="Clerk to governors"' in response.content.decode()
    assert not SoftIntelligenceEntry.objects.exists()


def test_it_shows_the_services_rules_beside_the_fields(client: PageCheckingClient) -> None:
    response = client.post(
        PAGE, _entry_form(kind="safeguarding", follow_up_due="2020-03-01", expires_on="2020-01-01")
    )
    page = _text(response)
    assert "A safeguarding entry is always restricted: choose Restricted." in page
    assert "Say what the follow-up is, or leave the due date blank." in page
    assert "The expiry date must be after the date it happened." in page
    assert not SoftIntelligenceEntry.objects.exists()


def test_it_shows_where_a_rule_proposes_a_review(client: PageCheckingClient) -> None:
    ConcernRuleFactory.create(threshold=1, window_length=30, window_unit="days")
    recently = timezone.localdate() - timedelta(days=3)
    client.post(PAGE, _entry_form(observed_on=recently.isoformat()))
    page = _text(client.get(PAGE))
    assert "Category review proposed" in page
    assert "1 entry in the last 30 days (rule: 1 in 30 days, from 1 Sep 2019)" in page


# Withdrawing and following up


def test_it_confirms_then_withdraws_an_entry(client: PageCheckingClient) -> None:
    entry = SoftIntelligenceEntryFactory.create(urn=URN, summary="Wrongly logged")
    url = f"{PAGE}{entry.pk}/withdraw/"
    confirm = _text(client.get(url))
    assert "Withdraw this entry" in confirm and "Wrongly logged" in confirm
    missing = client.post(url, {"reason": ""})
    assert "Say why the entry is being withdrawn" in _text(missing)
    done = client.post(url, {"reason": "Wrong school"}, follow=True)
    page = _text(done)
    assert "Entry of 2 Mar 2020 withdrawn." in page
    assert "Withdrawn" in page and "Wrong school" in page
    assert f"{entry.pk}/withdraw/" not in done.content.decode()


def test_it_says_when_an_entry_is_already_withdrawn(client: PageCheckingClient) -> None:
    entry = SoftIntelligenceEntryFactory.create(
        urn=URN, withdrawn_at="2020-03-03T10:00Z", withdrawn_reason="Duplicate"
    )
    url = f"{PAGE}{entry.pk}/withdraw/"
    assert "This entry has already been withdrawn." in _text(client.get(url))
    again = client.post(url, {"reason": "Again"})
    assert "This entry has already been withdrawn." in _text(again)


def test_it_confirms_then_completes_a_follow_up(client: PageCheckingClient) -> None:
    entry = SoftIntelligenceEntryFactory.create(
        urn=URN, follow_up="Ring the chair", follow_up_due=date(2020, 3, 16)
    )
    url = f"{PAGE}{entry.pk}/follow-up/"
    assert "Mark the follow-up as done" in _text(client.get(url))
    done = client.post(url, follow=True)
    assert "Follow-up of 2 Mar 2020 done." in _text(done)
    again = client.post(url)
    assert again.status_code == 400
    assert "This follow-up has already been completed." in _text(again)


# The register of concern


def test_the_register_lists_schools_with_the_rules_reasons(client: PageCheckingClient) -> None:
    ConcernRuleFactory.create()
    quiet = EstablishmentFactory.create(name="Quiet Primary", district="Gosport")
    for day in (date(2019, 10, 1), date(2020, 1, 15), date(2020, 3, 2)):
        SoftIntelligenceEntryFactory.create(urn=URN, observed_on=day, synthetic=True)
    SoftIntelligenceEntryFactory.create(
        urn=quiet.urn, follow_up="Visit", follow_up_due=date(2020, 3, 9)
    )
    page = _text(client.get("/intelligence/concerns/?as_at=2020-03-31"))
    assert "As at 31 March 2020" in page
    assert "Rule in force for LA 850: Three in two terms (3 in 2 terms, from 1 Sep 2019)." in page
    assert "2 schools listed; a category review is proposed for 1." in page
    assert page.index("Newtown Primary") < page.index("Quiet Primary")
    assert (
        "Review proposed 3 entries in the last 2 terms (rule: 3 in 2 terms, from 1 Sep 2019)"
        in page
    )
    assert "Synthetic" in page
    assert "1 entry in the last 2 terms; the rule needs 3" in page


def test_the_register_is_as_at_today_by_default(client: PageCheckingClient) -> None:
    SoftIntelligenceEntryFactory.create(urn=URN)  # expired two years after March 2020
    page = _text(client.get("/intelligence/concerns/"))
    assert "0 schools listed" in page
    assert "No school has live entries on this date." in page


def test_the_register_shows_filter_errors(client: PageCheckingClient) -> None:
    response = client.get("/intelligence/concerns/?as_at=31 March&district=Nowhere")
    page = _text(response)
    assert "There is a problem" in page
    assert "Enter as at as a real date, like 2020-03-31" in page
    assert "Select a valid choice. Nowhere is not one of the available choices." in page
    assert "Correct the filters above to see the register." in page


def test_the_register_exports_what_it_shows_as_csv(client: PageCheckingClient) -> None:
    ConcernRuleFactory.create()
    SoftIntelligenceEntryFactory.create(urn=URN, summary="Not in the export")
    response = client.get("/intelligence/concerns.csv?as_at=2020-03-31")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="register-of-concern-2020-03-31.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert (row["urn"], row["school"], row["live_entries"], row["review_proposed"]) == (
        str(URN),
        "Newtown Primary",
        "1",
        "no",
    )
    assert row["types"] == "Parental complaint (1)"
    assert "Not in the export" not in response.content.decode()


def test_the_export_sends_bad_filters_back_to_the_page(client: PageCheckingClient) -> None:
    response = client.get("/intelligence/concerns.csv?as_at=never")
    assert response.status_code == 302
    assert response["Location"] == "/intelligence/concerns/?as_at=never"


def test_the_register_reads_in_a_fixed_number_of_queries(client: PageCheckingClient) -> None:
    ConcernRuleFactory.create()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/intelligence/concerns/?as_at=2020-03-31").status_code == 200
        return len(captured)

    SoftIntelligenceEntryFactory.create(urn=URN)
    few = queries()
    for _ in range(4):
        SoftIntelligenceEntryFactory.create(urn=EstablishmentFactory.create().urn)
    assert queries() == few


def test_the_navigation_links_to_the_register_for_readers_only(
    client: PageCheckingClient, page_client: PageCheckingClient
) -> None:
    assert 'href="/intelligence/concerns/"' in client.get("/intelligence/rules/").content.decode()
    head = UserFactory.create()
    assign_role(head, Role.ADMINISTRATOR, actor="setup")
    page_client.force_login(head)
    assert (
        'href="/intelligence/concerns/"'
        not in page_client.get("/intelligence/rules/").content.decode()
    )


# Escalation rules


def test_the_rules_page_shows_current_past_and_future_rules(client: PageCheckingClient) -> None:
    ConcernRuleFactory.create(effective_from=date(2017, 9, 1), name="First")
    ConcernRuleFactory.create(effective_from=date(2019, 9, 1), name="Second")
    ConcernRuleFactory.create(effective_from=date(2999, 9, 1), name="Someday")
    page = _text(client.get("/intelligence/rules/"))
    assert "Someday 3 in 2 terms, from 1 Sep 2999 Not yet in force" in page
    assert "Second 3 in 2 terms, from 1 Sep 2019 In force" in page
    assert "First 3 in 2 terms, from 1 Sep 2017 Superseded" in page
    assert "A term is counted as 122 days" in page
    assert "Set a new rule" in page


def _rule_form(**values: object) -> dict[str, object]:
    form: dict[str, object] = {
        "la_code": "850",
        "name": "Two in a term",
        "threshold": "2",
        "window_length": "1",
        "window_unit": "terms",
        "effective_from": "2020-01-06",
    }
    return {**form, **values}


def test_an_officer_sets_a_rule_for_their_la(client: PageCheckingClient, officer: User) -> None:
    response = client.post(
        "/intelligence/rules/new/", _rule_form(kinds=["finance", "governance"]), follow=True
    )
    assert response.redirect_chain == [("/intelligence/rules/", 302)]
    assert "Rule “Two in a term” set for LA 850" in _text(response)
    rule = ConcernRule.objects.get()
    assert (rule.threshold, rule.window_days, rule.kinds, rule.created_by) == (
        2,
        122,
        ["governance", "finance"],
        officer,
    )


def test_an_officer_cannot_set_a_rule_for_another_la(client: PageCheckingClient) -> None:
    LocalAuthorityFactory.create(code=851)
    form = _text(client.get("/intelligence/rules/new/"))
    assert "Hampshire (850)" in form and "(851)" not in form
    response = client.post("/intelligence/rules/new/", _rule_form(la_code="851"))
    assert "Select a valid choice" in _text(response)
    assert not ConcernRule.objects.exists()


def test_an_administrator_sets_a_rule_for_any_la(page_client: PageCheckingClient) -> None:
    LocalAuthorityFactory.create(code=851)
    steward = UserFactory.create()
    assign_role(steward, Role.ADMINISTRATOR, actor="setup")
    page_client.force_login(steward)
    response = page_client.post("/intelligence/rules/new/", _rule_form(la_code="851"))
    assert response.status_code == 302
    assert ConcernRule.objects.get().la_code == 851


def test_the_rule_form_shows_its_errors_and_keeps_what_was_typed(
    client: PageCheckingClient,
) -> None:
    ConcernRuleFactory.create(effective_from=date(2020, 1, 6))
    response = client.post("/intelligence/rules/new/", _rule_form(threshold="0"))
    page = _text(response)
    assert "The number of entries must be 1 or more" in page
    assert 'value="Two in a term"' in response.content.decode()
    duplicate = _text(client.post("/intelligence/rules/new/", _rule_form()))
    assert "LA 850 already has a rule taking effect on 6 Jan 2020." in duplicate
    assert ConcernRule.objects.count() == 1


@pytest.mark.parametrize("role", [Role.INCLUSION_OFFICER, Role.BOARD_MEMBER])
def test_readers_see_the_rules_but_cannot_set_them(
    page_client: PageCheckingClient, role: Role
) -> None:
    user = UserFactory.create()
    scope = {"la_code": 850, **({"area": "Gosport"} if role == Role.BOARD_MEMBER else {})}
    assign_role(user, role, actor="setup", **scope)  # type: ignore[arg-type]
    page_client.force_login(user)
    assert "Set a new rule" not in _text(page_client.get("/intelligence/rules/"))
    assert page_client.get("/intelligence/rules/new/").status_code == 403


def test_it_marks_an_overdue_follow_up_on_an_entry_that_counts(client: PageCheckingClient) -> None:
    today = timezone.localdate()
    SoftIntelligenceEntryFactory.create(
        urn=URN,
        observed_on=today - timedelta(days=30),
        follow_up="Visit",
        follow_up_due=today - timedelta(days=1),
    )
    page = _text(client.get(PAGE))
    assert "Counts" in page and "Overdue" in page
    assert "Mark follow-up done" in page
