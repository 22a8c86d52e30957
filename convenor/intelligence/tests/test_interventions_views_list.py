"""The interventions list (/interventions/) and its CSV export."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.core.testing import PageCheckingClient
from convenor.intelligence.tests.factories_interventions import (
    AcademyConcernFactory,
    InterimExecutiveBoardFactory,
    WarningNoticeCopyFactory,
    WarningNoticeFactory,
    maintained_school,
    sign_in_officer,
    sign_in_school_leader,
)

pytestmark = pytest.mark.django_db
URL = "/interventions/"


def text(response) -> str:
    """The page's words, tags removed and spaces collapsed."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


@pytest.fixture
def officer(page_client: PageCheckingClient) -> PageCheckingClient:
    sign_in_officer(page_client)
    return page_client


def test_it_lists_the_cases_of_the_officers_la_with_their_next_deadline(
    officer: PageCheckingClient,
) -> None:
    school = maintained_school(name="Hill Primary")
    WarningNoticeFactory.create(urn=school.urn)
    elsewhere = maintained_school(name="Far Away Primary", la_code=851)
    WarningNoticeFactory.create(urn=elsewhere.urn)
    response = officer.get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "Hill Primary" in page
    assert "Far Away Primary" not in page
    assert "1 case, 1 overdue" in page
    # No copy was recorded: the first deadline is the copy due the day of the notice.
    assert "Send a copy to the head teacher 2 September 2019" in page
    assert "Overdue" in page


def test_it_filters_by_kind_status_and_overdue(officer: PageCheckingClient) -> None:
    notice_school = maintained_school(name="Notice Primary")
    WarningNoticeFactory.create(urn=notice_school.urn)
    closed_school = maintained_school(name="Complied Primary")
    WarningNoticeFactory.create(
        urn=closed_school.urn, outcome="complied", outcome_on=date(2019, 10, 20)
    )
    board = InterimExecutiveBoardFactory.create()
    concern = AcademyConcernFactory.create()
    page = text(officer.get(URL))
    assert "Notice Primary" in page and "Complied Primary" not in page
    assert "3 cases" in page
    boards = text(officer.get(URL, {"kind": "ieb"}))
    assert "Interim executive board, proposed 1 December 2019" in boards
    assert "Notice Primary" not in boards
    closed = text(officer.get(URL, {"status": "closed"}))
    assert "Complied Primary" in closed and "Notice Primary" not in closed
    overdue = text(officer.get(URL, {"overdue": "overdue"}))
    # The board is only flagged (consent not requested); the notice and concern are late.
    assert "Notice Primary" in overdue
    assert (
        f"/interventions/academy-concerns/{concern.pk}/"
        in officer.get(URL, {"overdue": "overdue"}).content.decode()
    )
    assert (
        f"/interventions/interim-executive-boards/{board.pk}/"
        not in officer.get(URL, {"overdue": "overdue"}).content.decode()
    )


def test_it_shows_cases_as_at_a_past_date(officer: PageCheckingClient) -> None:
    notice = WarningNoticeFactory.create()
    WarningNoticeCopyFactory.create(notice=notice, recipient="head_teacher")
    WarningNoticeCopyFactory.create(notice=notice, recipient="secretary_of_state")
    before = text(officer.get(URL, {"as_at": "2019-09-01"}))
    assert "0 cases" in before
    during = text(officer.get(URL, {"as_at": "2019-10-01"}))
    assert "1 case" in during and "overdue" not in during.split("1 case", 1)[1][:20]
    assert "Decide whether the governing body complied 31 October 2019 (30 days left)" in during
    assert "As at 1 October 2019 (not today" in during
    assert f"/interventions/warning-notices/{notice.pk}/?as_at=2019-10-01" in (
        officer.get(URL, {"as_at": "2019-10-01"}).content.decode()
    )


def test_it_shows_an_impossible_date_as_an_error_and_lists_as_at_today(
    officer: PageCheckingClient,
) -> None:
    WarningNoticeFactory.create()
    response = officer.get(URL, {"as_at": "2019-02-30"})
    assert response.status_code == 200
    page = text(response)
    assert "<title>Error: Interventions" in response.content.decode()
    assert "Enter show as at as a real date" in page
    assert "1 case" in page


def test_it_exports_the_same_cases_as_csv(officer: PageCheckingClient) -> None:
    school = maintained_school(name="Hill Primary")
    notice = WarningNoticeFactory.create(urn=school.urn)
    AcademyConcernFactory.create()
    response = officer.get(
        "/interventions/export.csv", {"as_at": "2019-10-01", "kind": "warning_notice"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "interventions-2019-10-01.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["URN", "School", "Kind", "Case"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["URN"] == str(notice.urn)
    assert row["School"] == "Hill Primary"
    assert row["Overdue"] == "yes"  # the copies were due on 2 September
    assert row["Due"] == "2019-09-02"
    assert row["Days remaining"] == "-29"


def test_it_sends_a_bad_csv_request_back_to_the_list(officer: PageCheckingClient) -> None:
    response = officer.get("/interventions/export.csv", {"as_at": "never"})
    assert response.status_code == 302
    assert response["Location"] == "/interventions/?as_at=never"


def test_it_reads_a_fixed_number_of_queries_however_many_cases(
    officer: PageCheckingClient,
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer.get(URL, {"status": "all"}).status_code == 200
        return len(captured)

    WarningNoticeCopyFactory.create()
    InterimExecutiveBoardFactory.create()
    AcademyConcernFactory.create()
    few = queries()
    for _ in range(3):
        WarningNoticeCopyFactory.create()
        InterimExecutiveBoardFactory.create()
        AcademyConcernFactory.create()
    assert queries() == few


def test_it_is_for_la_officers_only(page_client: PageCheckingClient) -> None:
    school = maintained_school()
    sign_in_school_leader(page_client, school)
    assert page_client.get(URL).status_code == 403
    assert page_client.get("/interventions/export.csv").status_code == 403
