"""Case pages and the pages that record each step of a case."""

from __future__ import annotations

from datetime import date

import pytest

from convenor.core.models import AuditEvent
from convenor.core.testing import PageCheckingClient
from convenor.intelligence.models import InterventionPowerUse, WarningNotice
from convenor.intelligence.tests.factories_interventions import (
    AcademyConcernFactory,
    InterimExecutiveBoardFactory,
    InterventionPowerUseFactory,
    WarningNoticeCopyFactory,
    WarningNoticeFactory,
    maintained_school,
    page_text,
    sign_in_officer,
    sign_in_school_leader,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(page_client: PageCheckingClient) -> PageCheckingClient:
    sign_in_officer(page_client)
    return page_client


def notice_url(notice: WarningNotice, step: str = "") -> str:
    return f"/interventions/warning-notices/{notice.pk}/" + (f"{step}/" if step else "")


def test_it_shows_a_notice_with_its_deadlines_flags_and_steps(officer: PageCheckingClient) -> None:
    notice = WarningNoticeFactory.create()
    WarningNoticeCopyFactory.create(notice=notice, recipient="head_teacher")
    WarningNoticeCopyFactory.create(
        notice=notice, recipient="secretary_of_state", sent_on=date(2019, 9, 4)
    )
    response = officer.get(notice_url(notice), {"as_at": "2019-11-04"})
    assert response.status_code == 200
    page = page_text(response)
    assert "Performance standards and safety (s60) warning notice, 2 September 2019" in page
    assert "Open Overdue As at 4 November 2019." in page
    assert "sent 2 days after the notice" in page
    assert "The head teacher: 2 September 2019" in page
    assert "Decide whether the governing body complied 31 October 2019 4 days overdue" in page
    # The window runs from the end of the compliance period, decided or not.
    assert "1 November 2019 to 31 December 2019 (open)" in page
    assert "Record the outcome" in page
    assert "Record reasonable notice of powers" not in page
    assert "EIA 2006 s60(1)(b), (c)" in page


def test_it_shows_a_school_leader_the_case_without_steps(page_client: PageCheckingClient) -> None:
    school = maintained_school()
    notice = WarningNoticeFactory.create(urn=school.urn)
    sign_in_school_leader(page_client, school)
    response = page_client.get(notice_url(notice))
    assert response.status_code == 200
    assert "Record a step" not in page_text(response)
    assert page_client.get(notice_url(notice, "outcome")).status_code == 403


def test_it_hides_cases_outside_the_readers_scope(page_client: PageCheckingClient) -> None:
    school = maintained_school()
    sign_in_school_leader(page_client, school)
    other = WarningNoticeFactory.create()
    assert page_client.get(notice_url(other)).status_code == 404
    elsewhere = WarningNoticeFactory.create(urn=maintained_school(la_code=851).urn)
    officer = PageCheckingClient()
    sign_in_officer(officer)
    assert officer.get(notice_url(elsewhere)).status_code == 404
    assert officer.get(notice_url(elsewhere, "outcome")).status_code == 404
    assert officer.get(f"/interventions/interim-executive-boards/{other.pk}/").status_code == 404


def test_it_records_the_outcome_and_returns_to_the_case(officer: PageCheckingClient) -> None:
    notice = WarningNoticeFactory.create()
    form = officer.get(notice_url(notice, "outcome"))
    assert "Record the outcome" in page_text(form)
    response = officer.post(
        notice_url(notice, "outcome"),
        {"outcome": "not_complied", "decided_on": "2019-11-01", "note": "No plan agreed."},
    )
    assert response.status_code == 302 and response["Location"] == notice_url(notice)
    notice.refresh_from_db()
    assert (notice.outcome, notice.outcome_on) == ("not_complied", date(2019, 11, 1))
    assert AuditEvent.objects.filter(action="warning_notice.outcome").exists()
    page = page_text(officer.get(notice_url(notice)))
    assert "Outcome recorded." in page
    assert "Not complied, 1 November 2019 No plan agreed." in page
    assert "Record reasonable notice of powers" in page
    blocked = officer.get(notice_url(notice, "outcome"))
    assert "The outcome is recorded: not complied." in page_text(blocked)
    assert '<form method="post" novalidate>' not in blocked.content.decode()


def test_it_keeps_a_rejected_step_on_its_page(officer: PageCheckingClient) -> None:
    notice = WarningNoticeFactory.create()
    response = officer.post(
        notice_url(notice, "outcome"),
        {"outcome": "not_complied", "decided_on": "2019-10-31", "note": "Typed note"},
    )
    assert response.status_code == 200
    page = page_text(response)
    assert "A governing body has until the end of the compliance period" in page
    assert "Typed note" in page
    assert 'value="not_complied" checked' in response.content.decode()
    notice.refresh_from_db()
    assert notice.outcome == ""


def test_it_records_a_power_and_asks_for_the_dfe(officer: PageCheckingClient) -> None:
    notice = WarningNoticeFactory.create(
        outcome="not_complied", outcome_on=date(2019, 11, 1), reasonable_notice_on=date(2019, 11, 5)
    )
    response = officer.post(
        notice_url(notice, "power"),
        {"power": "s66", "used_on": "2020-01-02", "dfe_notified_on": "", "note": ""},
    )
    assert response.status_code == 302
    page = page_text(officer.get(notice_url(notice)))
    assert "Power recorded." in page and "not sure this window applies" in page
    assert "Tell the DfE that the s66 power was used" in page
    use = InterventionPowerUse.objects.get()
    response = officer.post(
        notice_url(notice, "dfe-notified"), {"use": str(use.pk), "notified_on": "2020-01-03"}
    )
    assert response.status_code == 302
    use.refresh_from_db()
    assert use.dfe_notified_on == date(2020, 1, 3)
    assert "Record that the DfE was told" not in page_text(officer.get(notice_url(notice)))


def test_it_refuses_a_power_after_the_verified_window(officer: PageCheckingClient) -> None:
    notice = WarningNoticeFactory.create(
        outcome="not_complied", outcome_on=date(2019, 11, 1), reasonable_notice_on=date(2019, 11, 5)
    )
    response = officer.post(
        notice_url(notice, "power"),
        {"power": "s63", "used_on": "2020-01-01", "dfe_notified_on": "", "note": ""},
    )
    assert response.status_code == 200
    assert "after the powers window closed on 31 December 2019" in page_text(response)
    assert not InterventionPowerUse.objects.exists()


def test_it_offers_a_board_once_the_school_is_eligible(officer: PageCheckingClient) -> None:
    notice = InterventionPowerUseFactory.create().notice
    page = officer.get(notice_url(notice)).content.decode()
    assert f"interim-executive-boards/new/?warning_notice={notice.pk}" in page


def test_it_takes_a_board_through_consent_to_taking_over(officer: PageCheckingClient) -> None:
    board = InterimExecutiveBoardFactory.create()
    base = f"/interventions/interim-executive-boards/{board.pk}/"
    assert "consent has not been requested" in page_text(officer.get(base))
    steps = [
        ("consent-request", {"requested_on": "2019-12-02"}),
        ("consent", {"decision": "granted", "decided_on": "2020-01-10"}),
        ("constitute", {"constituted_on": "2020-02-01", "member_count": "3", "members": "A\nB\nC"}),
    ]
    for step, data in steps:
        response = officer.post(f"{base}{step}/", data)
        assert response.status_code == 302, page_text(response)
    page = page_text(officer.get(base, {"as_at": "2020-02-02"}))
    assert "Takes over on 1 February 2020" in page
    assert "Interim executive board constituted with 3 members" in page
    assert "Record the board ending" in page


def test_it_refuses_a_board_of_one(officer: PageCheckingClient) -> None:
    board = InterimExecutiveBoardFactory.create(
        consent_requested_on=date(2019, 12, 2),
        consent_decision="granted",
        consent_decision_on=date(2019, 12, 20),
    )
    response = officer.post(
        f"/interventions/interim-executive-boards/{board.pk}/constitute/",
        {"constituted_on": "2020-01-06", "member_count": "1", "members": ""},
    )
    assert response.status_code == 200
    assert "at least 2 members" in page_text(response)


def test_it_takes_a_concern_to_the_regional_director(officer: PageCheckingClient) -> None:
    concern = AcademyConcernFactory.create()
    base = f"/interventions/academy-concerns/{concern.pk}/"
    late = page_text(officer.get(base, {"as_at": "2020-01-22"}))
    assert "consider referring to the regional director" in late
    assert "The trust responds 21 January 2020 1 day overdue" in late
    for step, data in [
        ("referral", {"referred_on": "2020-01-23", "note": ""}),
        ("rd-response", {"responded_on": "2020-02-10", "response": "Monitoring"}),
        ("close", {"status": "resolved", "closed_on": "2020-03-01", "note": ""}),
    ]:
        assert officer.post(f"{base}{step}/", data).status_code == 302
    page = page_text(officer.get(base))
    assert "Closed" in page and "Resolved" in page
    assert "Record a step" not in page


def test_it_knows_no_such_step(officer: PageCheckingClient) -> None:
    notice = WarningNoticeFactory.create()
    assert officer.get(notice_url(notice, "explode")).status_code == 404
