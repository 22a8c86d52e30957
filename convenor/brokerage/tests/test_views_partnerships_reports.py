"""The connectedness view (and its CSV) and the impact report: for those who broker."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convenor.brokerage.models import PartnershipKind, Strength
from convenor.brokerage.services import record_meeting
from convenor.brokerage.tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    SupportProviderFactory,
    hampshire_school,
)
from convenor.brokerage.tests.test_impact_glue import completed_plan, ks2
from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import sign_in_with_role
from convenor.intelligence.tests import categorisation_world as w
from convenor.intelligence.tests.factories_interventions import page_text

pytestmark = pytest.mark.django_db

AS_AT = "2019-12-01"


def gosport_world() -> None:
    """The categorisation world's schools joined up: GOOD formally in a Gosport cluster,
    ACADEMY_GOOD in it too but absent from both its meetings, ACADEMY_RI only on a
    learning network's list, RI (support and challenge) and NEW in nothing; INADEQUATE
    (support and challenge+) alone in Fareham."""
    w.world()
    decider = w.officer()
    for urn in (w.RI, w.INADEQUATE):
        w.decide(w.proposal(urn), decider)
    cluster = PartnershipFactory.create(name="Gosport Cluster", area="Gosport")
    network = PartnershipFactory.create(kind=PartnershipKind.LEARNING_NETWORK, name="Maths hub")
    for urn in (w.GOOD, w.ACADEMY_GOOD):
        MembershipFactory.create(partnership=cluster, urn=urn)
    MembershipFactory.create(partnership=network, urn=w.ACADEMY_RI, strength=Strength.WEAK)
    # RI was a member, but left before the date.
    MembershipFactory.create(partnership=cluster, urn=w.RI, ends=date(2019, 7, 31))
    for day in (date(2019, 10, 1), date(2019, 11, 5)):
        record_meeting(
            cluster,
            actor="test",
            held_on=day,
            title="Cluster meeting",
            attendance={w.GOOD: True, w.ACADEMY_GOOD: False},
        )


@pytest.fixture
def officer(page_client: PageCheckingClient) -> PageCheckingClient:
    gosport_world()
    sign_in_with_role(page_client, Role.LA_OFFICER, la_code=850)
    return page_client


def test_it_counts_each_area_and_lists_the_schools_to_act_on_by_need(
    officer: PageCheckingClient,
) -> None:
    response = officer.get(f"/partnerships/connectedness/?as_at={AS_AT}")
    assert response.status_code == 200
    page = page_text(response)
    assert "as at 1 Dec 2019: 5 schools to act on" in page
    # Area, schools, formal, weak only, no links, low attendance, attendance.
    assert "Fareham 1 0 0 1 0 No meetings" in page
    assert "Gosport 5 2 1 2 1 50%" in page
    gosport = page[page.index("Schools to act on in Gosport") :]
    order = [gosport.index(f"School {w.RI}"), gosport.index("New School")]
    order += [gosport.index(f"Academy {w.ACADEMY_RI}"), gosport.index(f"Academy {w.ACADEMY_GOOD}")]
    # In a concern category first; then no links, weak links only, low attendance.
    assert order == sorted(order)
    assert f"School {w.RI} Support and challenge No connection to any partnership" in gosport
    assert "Came to 0 of 2 network meetings (0%)" in gosport


def test_it_shows_the_links_as_they_were_on_the_date(officer: PageCheckingClient) -> None:
    page = page_text(officer.get("/partnerships/connectedness/?as_at=2019-06-01"))
    # RI was still in the cluster then, and no category had been decided.
    assert "Gosport 5 3 1 1 0 No meetings" in page
    assert f"School {w.RI}" not in page[page.index("Schools to act on in Gosport") :]


def test_a_board_member_sees_their_area_only(page_client: PageCheckingClient) -> None:
    gosport_world()
    sign_in_with_role(page_client, Role.BOARD_MEMBER, la_code=850, area="Fareham")
    page = page_text(page_client.get(f"/partnerships/connectedness/?as_at={AS_AT}"))
    assert "Fareham 1 0 0 1 0" in page and "Gosport" not in page
    assert f"School {w.INADEQUATE} Support and challenge+" in page


def test_it_exports_the_schools_to_act_on_as_csv(officer: PageCheckingClient) -> None:
    response = officer.get(f"/partnerships/connectedness/export.csv?as_at={AS_AT}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="connectedness-2019-12-01.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(r["urn"]) for r in rows] == [
        w.INADEQUATE,
        w.RI,
        w.NEW,
        w.ACADEMY_RI,
        w.ACADEMY_GOOD,
    ]
    last = rows[-1]
    assert (last["need"], last["meetings_expected"], last["attendance_pct"]) == (
        "low_attendance",
        "2",
        "0.0",
    )
    assert rows[0]["concern_level"] == "3" and rows[1]["concern_level"] == "2"


def test_a_date_in_the_future_is_refused(officer: PageCheckingClient) -> None:
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = page_text(officer.get(f"/partnerships/connectedness/?as_at={future}"))
    assert "The date cannot be in the future" in page
    response = officer.get(f"/partnerships/connectedness/export.csv?as_at={future}")
    assert response.status_code == 302
    assert response["Location"] == f"/partnerships/connectedness/?as_at={future}"


def test_school_leaders_cannot_see_connectedness(page_client: PageCheckingClient) -> None:
    school = hampshire_school()
    sign_in_with_role(page_client, Role.SCHOOL_LEADER, school_urn=school.urn)
    assert page_client.get("/partnerships/connectedness/").status_code == 403
    assert page_client.get("/partnerships/impact/").status_code == 403


def _impact_world() -> None:
    supported = hampshire_school(name="Supported Primary")
    ks2(supported.urn, y2015=48, y2016=52, y2018=60)
    for n in range(1, 13):
        school = hampshire_school()
        # Changes of +1, +2 and +3 in turn: a mean of +2 over the nearest ten.
        ks2(school.urn, y2015=50 + n, y2016=50 + n, y2018=52 + n + (n % 3 - 1))
    provider = SupportProviderFactory.create(name="Ada Lovelace", available_from=date(2017, 1, 1))
    completed_plan(supported, provider=provider)


def test_the_impact_report_estimates_each_completed_plan_and_provider(
    page_client: PageCheckingClient,
) -> None:
    _impact_world()
    sign_in_with_role(page_client, Role.BOARD_MEMBER, la_code=850, area="Winchester")
    response = page_client.get("/partnerships/impact/?indicators=ks2_rwm")
    page = page_text(response)
    assert "1 completed plan you can see" in page
    plan_row = page[page.index("each completed plan") :]
    assert (
        "Supported Primary Ada Lovelace 2 Oct 2017 to 20 Jul 2018 +8 percentage points (6 to 10)"
        in plan_row
    )
    assert "1 supported, 10 compared" in plan_row
    assert "rose 8 percentage points more than at 10 similar schools not supported" in plan_row
    provider_row = page[page.index("each provider, its plans pooled") :]
    assert "Ada Lovelace 1 +8 percentage points" in provider_row
    assert "KS4 Progress 8: each" not in page


def test_a_board_member_sees_no_plan_of_another_area(page_client: PageCheckingClient) -> None:
    _impact_world()
    sign_in_with_role(page_client, Role.BOARD_MEMBER, la_code=850, area="Gosport")
    page = page_text(page_client.get("/partnerships/impact/"))
    assert "0 completed plans you can see" in page
    assert "Supported Primary" not in page
    # With no indicator ticked the defaults are shown.
    assert "KS4 Progress 8: each completed plan" in page


def test_connectedness_takes_the_same_queries_however_many_schools(
    officer: PageCheckingClient,
) -> None:
    url = f"/partnerships/connectedness/?as_at={AS_AT}"
    with CaptureQueriesContext(connection) as few:
        officer.get(url)
    cluster = PartnershipFactory.create(name="Fareham Cluster", area="Fareham")
    for _ in range(4):
        school = hampshire_school(district="Fareham", is_state_funded=True)
        MembershipFactory.create(partnership=cluster, urn=school.urn)
    record_meeting(cluster, actor="test", held_on=date(2019, 11, 1), title="Meeting")
    with CaptureQueriesContext(connection) as many:
        page = page_text(officer.get(url))
    assert "Fareham 5 4" in page
    assert len(many) == len(few)
