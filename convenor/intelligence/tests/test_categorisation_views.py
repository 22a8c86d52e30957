"""The category review pages: the list, a school's proposal and decision, per role."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.core.models import AuditEvent, Role
from convenor.core.testing import PageCheckingClient
from convenor.intelligence.models import AcademyConcern, CategoryDecision
from convenor.intelligence.tests.categorisation_world import (
    ACADEMY_RI,
    AS_AT,
    GOOD,
    INADEQUATE,
    LA,
    NEW,
    RI,
    board_member,
    escalate,
    officer,
    store_scores,
    user_with,
    world,
)
from convenor.intelligence.tests.factories_interventions import page_text
from convenor.schools.tests.factories import open_school

pytestmark = pytest.mark.django_db

LIST = "/categories/"
AS_AT_QUERY = f"?as_at={AS_AT.isoformat()}"


def page(urn: int) -> str:
    return f"/categories/{urn}/{AS_AT_QUERY}"


@pytest.fixture(autouse=True)
def hampshire() -> None:
    world()


def signed_in(client: PageCheckingClient, user: User) -> PageCheckingClient:
    client.force_login(user)
    return client


def _decide(client: PageCheckingClient, urn: int, **values: object):
    """GET the school's page, then POST its decision form with ``values`` changed."""
    response = client.get(page(urn))
    form = response.context["form"]
    data = {
        "as_at": AS_AT.isoformat(),
        "proposed": form.initial["proposed"],
        "decided_category": form.initial["decided_category"],
        "rationale": "",
        "review_due": "",
    }
    data |= {key: str(value) for key, value in values.items()}
    return client.post(page(urn), data)


# --- The review list --------------------------------------------------------------------------


def test_it_lists_every_school_with_its_proposal_most_serious_first(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, officer())
    response = client.get(LIST + AS_AT_QUERY)
    assert response.status_code == 200
    rows = [row.school.urn for row in response.context["review"].rows]
    assert rows[0] == INADEQUATE
    assert set(rows) == {GOOD, RI, INADEQUATE, NEW, ACADEMY_RI, 140001}
    text = page_text(response)
    assert "6 schools listed; 0 with a category that differs" in text
    assert "6 with a review due or no decision yet" in text
    assert "Early-warning model risk is not known" in text


def test_it_shows_the_decided_category_and_whether_it_differs(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, officer())
    _decide(client, RI, decided_category=_category_pk("Light touch+"), rationale="New head.")
    response = client.get(LIST + AS_AT_QUERY + "&differs_only=on")
    (row,) = response.context["review"].rows
    assert row.school.urn == RI and row.differs
    assert "Differs from the category" in page_text(response)


def test_it_filters_by_district_and_track(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    fareham = client.get(LIST + AS_AT_QUERY + "&district=Fareham")
    assert [r.school.urn for r in fareham.context["review"].rows] == [INADEQUATE]
    academies = client.get(LIST + AS_AT_QUERY + "&track=academy")
    assert {r.school.urn for r in academies.context["review"].rows} == {ACADEMY_RI, 140001}


def test_a_board_member_lists_only_their_area(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, board_member("Fareham"))
    response = client.get(LIST + AS_AT_QUERY)
    assert [r.school.urn for r in response.context["review"].rows] == [INADEQUATE]


def test_it_exports_the_list_as_csv(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    _decide(client, INADEQUATE)
    response = client.get(f"/categories/export.csv{AS_AT_QUERY}&district=Fareham")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="categories-2019-09-01.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["urn"] == str(INADEQUATE) and row["track"] == "maintained"
    assert row["proposed_category"] == row["decided_category"] == "Support and challenge+"
    assert row["differs"] == "no" and row["decided_as"] == "officer"


def test_it_shows_what_is_wrong_with_the_filters(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    response = client.get(LIST + "?as_at=not-a-date")
    assert "Enter as at as a real date" in page_text(response)
    assert response.context["review"] is None
    assert client.get("/categories/export.csv?as_at=nope").status_code == 302


@pytest.mark.parametrize("stored_run", [False, True])
def test_the_list_needs_the_same_queries_however_many_schools(
    page_client: PageCheckingClient, stored_run: bool
) -> None:
    if stored_run:
        store_scores(date(2019, 8, 31), {GOOD: 1}, schools=40)
    client = signed_in(page_client, officer())
    client.get(LIST + AS_AT_QUERY)  # warm up: the session, the model libraries
    with CaptureQueriesContext(connection) as few:
        client.get(LIST + AS_AT_QUERY)
    for n in range(6):
        open_school(urn=120000 + n, district="Gosport")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST + AS_AT_QUERY)
    assert len(response.context["review"].rows) == 12
    assert len(many) == len(few)


def test_the_list_proposes_from_the_latest_stored_run_and_names_it(
    page_client: PageCheckingClient,
) -> None:
    store_scores(date(2019, 8, 31), {GOOD: 2}, schools=40)
    response = signed_in(page_client, officer()).get(LIST + AS_AT_QUERY)
    proposed = {row.school.urn: row.proposed for row in response.context["review"].rows}
    assert proposed[GOOD] is not None and proposed[GOOD].label == "Support and challenge"
    assert "Early-warning model risk from the score run as at 31 Aug 2019." in page_text(response)


# --- A school's page ---------------------------------------------------------------------------


def _category_pk(label: str, track: str = "maintained") -> int:
    from convenor.intelligence.models import Category

    return Category.objects.get(label=label, framework__track=track).pk


def test_an_officer_sees_the_proposal_with_its_reasons(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    text = page_text(client.get(page(INADEQUATE)))
    assert "Proposed category Support and challenge+" in text
    assert "6 visits a year; eligible for brokered support" in text
    assert "Inadequate at the latest inspection (proposes Support and challenge+)" in text
    assert "Latest Ofsted grade (1 outstanding, 2 good, 3 requires improvement, 4 inadequate):" in (
        text
    )
    assert ": 4 (rule: ≥ 4)" in text
    assert "No category has been decided for this school yet." in text


def test_an_officer_confirms_the_proposal(page_client: PageCheckingClient) -> None:
    user = officer()
    client = signed_in(page_client, user)
    response = _decide(client, INADEQUATE)
    assert response.status_code == 302 and response["Location"] == page(INADEQUATE)
    decision = CategoryDecision.objects.get()
    assert (decision.urn, decision.decided_by, decision.decided_as) == (INADEQUATE, user, "officer")
    assert decision.as_at == AS_AT and not decision.changed
    text = page_text(client.get(page(INADEQUATE)))
    assert "Category recorded: Support and challenge+." in text
    assert "None given (the proposal was confirmed)" in text


def test_a_change_needs_a_rationale(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    response = _decide(client, RI, decided_category=_category_pk("Light touch"))
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Say why the category differs from the proposal (Support and challenge)." in text
    assert not CategoryDecision.objects.exists()
    response = _decide(
        client, RI, decided_category=_category_pk("Light touch"), rationale="Strong new head."
    )
    assert response.status_code == 302
    assert CategoryDecision.objects.get().rationale == "Strong new head."


def test_it_refuses_a_decision_on_a_proposal_that_has_changed(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, officer())
    response = _decide(client, RI, proposed=_category_pk("Light touch"))
    assert "convenor's proposal has changed since the page was opened" in page_text(response)
    assert not CategoryDecision.objects.exists()


def test_a_board_member_decides_for_the_board_in_their_area(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, board_member())
    assert _decide(client, RI).status_code == 302
    assert CategoryDecision.objects.get().decided_as == "board"


def test_soft_intelligence_reasons_are_shown_to_officers_and_audited(
    page_client: PageCheckingClient,
) -> None:
    escalate(GOOD)
    user = officer()
    text = page_text(signed_in(page_client, user).get(page(GOOD)))
    assert "Soft intelligence escalated (proposes Light touch+) Soft intelligence" in text
    assert "Soft intelligence: live entries in the escalation window: 3" in text
    event = AuditEvent.objects.get(action="soft_intelligence.viewed")
    assert event.actor == user
    assert event.detail == {"urn": GOOD, "entries": 3, "via": "category review"}


def test_soft_intelligence_reasons_are_withheld_from_board_members(
    page_client: PageCheckingClient,
) -> None:
    escalate(GOOD)
    client = signed_in(page_client, board_member())
    text = page_text(client.get(page(GOOD)))
    assert "Proposed category Light touch+" in text
    assert "Soft intelligence escalated" not in text
    assert "live entries in the escalation window" not in text
    assert "1 reason drawn from soft intelligence is not shown to your role" in text
    assert not AuditEvent.objects.filter(action="soft_intelligence.viewed").exists()
    # Nor in the history, once an officer has decided.
    officer_client = PageCheckingClient()
    officer_client.force_login(officer())
    _decide(officer_client, GOOD)
    text = page_text(client.get(page(GOOD)))
    assert "Soft intelligence escalated" not in text


def test_a_board_member_reads_but_does_not_decide_for_an_academy(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, board_member())
    response = client.get(page(ACADEMY_RI))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "An LA officer decides an academy\u2019s category." in page_text(response)
    assert client.post(page(ACADEMY_RI), {"as_at": AS_AT.isoformat()}).status_code == 403


def test_an_officer_links_an_academys_category_to_the_referral(
    page_client: PageCheckingClient,
) -> None:
    concern = AcademyConcern.objects.create(
        urn=ACADEMY_RI, concern="Results falling", raised_with_trust_on=date(2019, 7, 1)
    )
    client = signed_in(page_client, officer())
    text = page_text(client.get(page(ACADEMY_RI)))
    assert "Proposed category Cause for concern" in text
    assert "Concern raised with the trust on 1 Jul 2019" in text
    assert _decide(client, ACADEMY_RI, academy_concern=concern.pk).status_code == 302
    assert CategoryDecision.objects.get().academy_concern == concern


def test_an_academy_without_a_concern_prompts_one(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    response = client.get(page(ACADEMY_RI))
    assert f"/schools/{ACADEMY_RI}/interventions/academy-concerns/new/" in (
        response.content.decode()
    )


def test_a_school_leader_sees_only_their_schools_decided_category(
    page_client: PageCheckingClient,
) -> None:
    officer_client = PageCheckingClient()
    officer_client.force_login(officer())
    _decide(
        officer_client, RI, decided_category=_category_pk("Support and challenge+"), rationale="Why"
    )
    head = user_with(Role.SCHOOL_LEADER, "head", school_urn=RI)
    client = signed_in(page_client, head)
    response = client.get(page(RI))
    text = page_text(response)
    assert response.status_code == 200
    assert "Category Support and challenge+" in text
    assert "6 visits a year; eligible for brokered support" in text
    assert "Why" in text
    assert "Proposed" not in text and "Requires improvement at the latest" not in text
    assert client.post(page(RI), {}).status_code == 403
    assert client.get(page(GOOD)).status_code == 403


def test_a_school_outside_the_scope_is_refused_and_an_unknown_one_not_found(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, board_member("Fareham"))
    assert client.get(page(GOOD)).status_code == 403
    assert client.post(page(GOOD), {}).status_code == 403
    assert client.get("/categories/999999/").status_code == 404


def test_a_school_not_open_on_the_date_has_no_proposal(page_client: PageCheckingClient) -> None:
    open_school(urn=110777, district="Gosport", name="Opened Later", open_date=date(2020, 9, 1))
    client = signed_in(page_client, officer())
    text = page_text(client.get(page(110777)))
    assert "convenor makes no proposal: the school was not open and state-funded" in text


def test_a_date_before_any_framework_says_so(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    text = page_text(client.get(f"/categories/{RI}/?as_at=2015-01-01"))
    assert "No categorisation framework for maintained schools was in force in LA 850" in text
    listing = page_text(client.get(LIST + "?as_at=2015-01-01"))
    assert "No framework for maintained schools was in force on this date" in listing


@pytest.mark.parametrize(
    "role", [Role.ELECTED_MEMBER, Role.PLACE_PLANNER, Role.INCLUSION_OFFICER, Role.ADMINISTRATOR]
)
def test_other_roles_get_nothing(page_client: PageCheckingClient, role: Role) -> None:
    scope: dict[str, object] = {} if role == Role.ADMINISTRATOR else {"la_code": LA}
    if role == Role.INCLUSION_OFFICER:
        scope["remit"] = "Fair access"
    client = signed_in(page_client, user_with(role, "other", **scope))
    assert client.get(LIST).status_code == 403
    assert client.get(page(RI)).status_code == 403
    assert client.post(page(RI), {}).status_code == 403


# --- Model risk from stored score runs ---------------------------------------------------------

RANK = "Early-warning model: rank as a percentile (top 10% is 10 or less)"


def test_a_stored_run_fires_the_top_10_percent_rule_with_the_value_shown(
    page_client: PageCheckingClient,
) -> None:
    store_scores(date(2019, 8, 31), {GOOD: 2}, schools=40)
    text = page_text(signed_in(page_client, officer()).get(page(GOOD)))
    assert "Proposed category Support and challenge" in text
    assert "Early-warning risk in the top 10% (proposes Support and challenge)" in text
    assert f"{RANK}: 5 (rule: ≤ 10)" in text
    assert "Early-warning model risk from the score run as at 31 Aug 2019." in text


def test_a_run_dated_after_the_page_is_not_used(page_client: PageCheckingClient) -> None:
    store_scores(date(2019, 9, 2), {GOOD: 1}, schools=40)
    client = signed_in(page_client, officer())
    text = page_text(client.get(page(GOOD)))
    assert "Proposed category Light touch " in text
    assert "Early-warning model risk is not known" in text
    assert "top 10%" not in text
    later = page_text(client.get(f"/categories/{GOOD}/?as_at=2019-09-02"))
    assert "Early-warning risk in the top 10% (proposes Support and challenge)" in later


def test_the_percentile_on_a_one_school_page_is_over_the_whole_run(
    page_client: PageCheckingClient,
) -> None:
    store_scores(date(2019, 8, 31), {GOOD: 30}, schools=200)
    text = page_text(signed_in(page_client, officer()).get(page(GOOD)))
    assert "Early-warning risk in the top 20% (proposes Light touch+)" in text
    assert f"{RANK}: 15 (rule: ≤ 20)" in text
    assert "top 10% (proposes" not in text
