"""The LA comparison page: one LA against England, measure by measure."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.intelligence.models import AreaStatistic
from convenor.intelligence.trends import Trend
from convenor.schools.profile_trends import Section
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db

URL = "/compare/"


def _area(
    family: str,
    dataset: str,
    period: str,
    values: dict[str, Any],
    *,
    la: bool = True,
    segment: str = "state-funded",
    missing: dict[str, str] | None = None,
    code: str = "850",
) -> None:
    AreaStatistic.objects.create(
        family=family,
        dataset=dataset,
        level="la" if la else "national",
        area_code=code if la else "ENG",
        period=period,
        segment=segment,
        values=values,
        missing=missing or {},
        source_file=f"{family}-{period.replace('/', '-')}.csv",
    )


@pytest.fixture
def signed_in(page_client: PageCheckingClient) -> PageCheckingClient:
    """An LA officer in Hampshire (850), with Hampshire and Surrey in the register."""
    LocalAuthorityFactory.create(code=850)
    LocalAuthorityFactory.create(code=936, name="Surrey")
    EstablishmentFactory.create()
    EstablishmentFactory.create(la_code=936)
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=Role.LA_OFFICER)
    page_client.force_login(user)
    return page_client


@pytest.fixture
def figures() -> None:
    for period, la, england in (("2016/17", 66.0, 61.0), ("2017/18", 68.0, 64.0)):
        _area("ks2", "ks2_final_full", period, {"rwm_expected_pct": la})
        _area("ks2", "ks2_final_full", period, {"rwm_expected_pct": england}, la=False)
    _area("ks2", "ks2_final_full", "2018/19", {"rwm_expected_pct": 70.0}, code="936")
    _area(
        "ks4",
        "ks4_provisional",
        "2018/19",
        {"progress8": None, "attainment8": 47.5},
        missing={"progress8": "SUPP"},
    )
    _area("ks4", "ks4_provisional", "2018/19", {"progress8": -0.03, "attainment8": 46.5}, la=False)
    for period, threshold in (("2014/15", 15.0), ("2016/17", 10.0), ("2017/18", 10.0)):
        _area(
            "absence",
            "absence",
            period,
            {
                "overall_absence_pct": 4.0,
                "persistent_absence_pct": 8.0,
                "persistent_threshold_pct": threshold,
            },
            la=False,
            segment="primary",
        )
    for period, rate in (("2015/16", 0.03), ("2016/17", 0.0)):
        values = {"permanent_rate": rate, "fixed_period_rate": 4.2}
        _area("exclusions", "exclusions", period, values, segment="all")
        national = values | {"permanent_rate": 0.1}
        _area("exclusions", "exclusions", period, national, la=False, segment="all")


def _sections(response: Any) -> dict[str, Section]:
    return {section.ident: section for section in response.context["sections"]}


def _table(trend: Trend) -> list[tuple[str, ...]]:
    return [tuple(cell.text for cell in row) for row in trend.table.rows]


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_it_sends_anonymous_visitors_to_sign_in(page_client: PageCheckingClient) -> None:
    assert page_client.get(URL).status_code == 302


def test_it_compares_the_users_la_with_england_by_year(
    signed_in: PageCheckingClient, figures: None
) -> None:
    response = signed_in.get(URL)
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Hampshire compared with England</h1>' in page
    (ks2,) = _sections(response)["key-stage-2"].trends
    assert [cell.text for cell in ks2.table.head] == ["Year", "Hampshire", "England"]
    assert _table(ks2) == [("2016/17", "66", "61"), ("2017/18", "68", "64")]
    assert ks2.chart.startswith("<svg")
    assert "Figures are final results for 2016/17 and 2017/18." in _text(page)


def test_it_says_the_ks4_figures_are_provisional_and_why_one_is_missing(
    signed_in: PageCheckingClient, figures: None
) -> None:
    response = signed_in.get(URL)
    progress8, attainment8 = _sections(response)["key-stage-4"].trends
    assert _table(progress8) == [("2018/19", "suppressed (SUPP)", "-0.03 (provisional)")]
    assert _table(attainment8) == [("2018/19", "47.5 (provisional)", "46.5 (provisional)")]
    # One year is not a line.
    assert progress8.chart == ""
    text = _text(response.content.decode())
    assert "Figures are provisional results (October release) for 2018/19." in text


def test_it_says_the_la_has_no_absence_rates_and_states_the_threshold(
    signed_in: PageCheckingClient, figures: None
) -> None:
    response = signed_in.get(URL)
    absence = _sections(response)["absence"]
    trends = {trend.ident: trend for trend in absence.trends}
    assert _table(trends["persistent-absence-10-primary"]) == [
        ("2016/17", "not published", "8"),
        ("2017/18", "not published", "8"),
    ]
    assert _table(trends["persistent-absence-15-primary"]) == [("2014/15", "not published", "8")]
    assert trends["persistent-absence-10-primary"].title.startswith(
        "Persistent absence (missing 10% or more of sessions)"
    )
    assert "No absence figures for Hampshire are in the imported data" in _text(
        response.content.decode()
    )
    assert absence.period == "2014/15 to 2017/18"


def test_it_shows_a_zero_rate_as_zero_and_never_a_missing_one(
    signed_in: PageCheckingClient, figures: None
) -> None:
    fixed, permanent = _sections(signed_in.get(URL))["exclusions"].trends
    assert _table(permanent) == [("2015/16", "0.03", "0.1"), ("2016/17", "0", "0.1")]
    assert _table(fixed)[0] == ("2015/16", "4.2", "4.2")


def test_it_states_sources_and_files(signed_in: PageCheckingClient, figures: None) -> None:
    response = signed_in.get(URL)
    ks2 = _sections(response)["key-stage-2"]
    assert ks2.files == ("ks2-2016-17.csv", "ks2-2017-18.csv")
    text = _text(response.content.decode())
    assert "Period: 2016/17 to 2017/18. Source: Department for Education, key stage 2" in text


def test_it_shows_another_la_when_asked(signed_in: PageCheckingClient, figures: None) -> None:
    response = signed_in.get(URL, {"la": "936"})
    assert "Surrey compared with England" in response.content.decode()
    (ks2,) = _sections(response)["key-stage-2"].trends
    assert _table(ks2) == [
        ("2016/17", "not published", "61"),
        ("2017/18", "not published", "64"),
        ("2018/19", "70", "not published"),
    ]


def test_it_says_when_nothing_is_imported(signed_in: PageCheckingClient) -> None:
    page = signed_in.get(URL).content.decode()
    assert "No key stage 2 results figures for Hampshire or England are imported." in page


def test_the_home_page_links_here(signed_in: PageCheckingClient) -> None:
    page = signed_in.get("/").content.decode()
    assert (
        '<a class="govuk-link" href="/compare/?la=850">Compare Hampshire with England</a>' in page
    )


def test_it_reads_the_figures_in_a_fixed_number_of_queries(
    signed_in: PageCheckingClient, django_assert_max_num_queries: Any
) -> None:
    _area("ks2", "ks2_final_full", "2016/17", {"rwm_expected_pct": 60.0})
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(URL).status_code == 200
    for year in range(2006, 2017):
        period = f"{year}/{(year + 1) % 100:02d}"
        _area("exclusions", "exclusions", period, {"permanent_rate": 0.1}, segment="all")
        _area("exclusions", "exclusions", period, {"permanent_rate": 0.1}, la=False, segment="all")
    with CaptureQueriesContext(connection) as many:
        assert signed_in.get(URL).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(8):
        signed_in.get(URL)
