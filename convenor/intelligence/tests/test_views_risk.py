"""The risk dashboard: schools in scope by stored early-warning risk, as at a date."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Sequence
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.intelligence.models import (
    Category,
    CategoryDecision,
    CategoryFramework,
    CategoryTrack,
    DecidedAs,
    RiskScore,
    ScoreRun,
)
from convenor.intelligence.tests.factories import InspectionFactory
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import LocalAuthorityFactory, open_school

pytestmark = pytest.mark.django_db

URL = "/intelligence/risk/"
CSV_URL = "/intelligence/risk/export.csv"
LA, OTHER_LA = 850, 851
# Gosport: a maintained primary and an academy secondary; Fareham: a maintained primary;
# another LA: one primary. Ranks in the 2019 run: 1, 3, 2, 4 of 200 scored.
GOSPORT_PRIMARY, GOSPORT_ACADEMY, FAREHAM, ELSEWHERE = 700001, 700002, 700003, 700004
RUN_2018, RUN_2019 = date(2018, 8, 31), date(2019, 8, 31)


def _text(response) -> str:
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


def store(as_at: date, scores: Sequence[tuple[int, float, int]], *, schools: int = 200) -> ScoreRun:
    """A stored run with ``(urn, probability, rank)`` scores, each with two reasons."""
    run = ScoreRun.objects.create(
        as_at=as_at,
        schools=schools,
        training_windows=["2016-08-31", "2017-08-31"],
        training_rows=12_345,
        training_base_rate=0.142,
        features=["last_grade", "ks2_rwm_exp_vs_england"],
        seed=0,
    )
    for urn, probability, rank in scores:
        RiskScore.objects.create(
            run=run,
            urn=urn,
            probability=probability,
            rank=rank,
            reasons=[
                {"feature": "last_grade", "value": 3.0, "effect": 0.081},
                {"feature": "ks2_rwm_exp_vs_england", "value": -12.5, "effect": 0.02},
            ],
        )
    return run


def world() -> None:
    LocalAuthorityFactory.create(code=LA)
    LocalAuthorityFactory.create(code=OTHER_LA)
    open_school(urn=GOSPORT_PRIMARY, name="Anchor Primary", district="Gosport")
    open_school(
        urn=GOSPORT_ACADEMY,
        name="Beacon Academy",
        district="Gosport",
        phase="Secondary",
        is_academy=True,
        type_name="Academy converter",
    )
    open_school(urn=FAREHAM, name="Crown Primary", district="Fareham")
    open_school(urn=ELSEWHERE, name="Distant Primary", la_code=OTHER_LA, district="Elsewhere")
    store(RUN_2018, [(GOSPORT_PRIMARY, 0.10, 5), (FAREHAM, 0.20, 1), (ELSEWHERE, 0.05, 9)])
    store(
        RUN_2019,
        [
            (GOSPORT_PRIMARY, 0.15, 1),
            (FAREHAM, 0.12, 2),
            (GOSPORT_ACADEMY, 0.08, 30),
            (ELSEWHERE, 0.30, 4),
        ],
    )


@pytest.fixture(autouse=True)
def hampshire() -> None:
    world()


def officer(*las: int) -> User:
    user = UserFactory.create()
    for la in las or (LA,):
        RoleAssignmentFactory.create(user=user, role=Role.LA_OFFICER, la_code=la)
    return user


def with_role(role: Role, **scope: object) -> User:
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=role, **scope)
    return user


def signed_in(client: PageCheckingClient, user: User) -> PageCheckingClient:
    client.force_login(user)
    return client


def urns(response) -> list[int]:
    return [view.row.school.urn for view in response.context["rows"]]


def decide(urn: int, label: str, as_at: date, order: int = 3) -> CategoryDecision:
    framework, _ = CategoryFramework.objects.get_or_create(
        la_code=LA,
        track=CategoryTrack.MAINTAINED,
        effective_from=date(2015, 9, 1),
        defaults={"name": "Test"},
    )
    category, _ = Category.objects.get_or_create(
        framework=framework, label=label, defaults={"order": order, "colour": "orange"}
    )
    return CategoryDecision.objects.create(
        urn=urn,
        framework=framework,
        as_at=as_at,
        proposed_category=category,
        decided_category=category,
        decided_as=DecidedAs.OFFICER,
        decided_by=UserFactory.create(),
        review_due=date(2026, 12, 1),
    )


# --- Rows, runs and dates ---------------------------------------------------------------------


def test_it_lists_the_las_scored_schools_by_risk_with_the_run_it_shows(
    page_client: PageCheckingClient,
) -> None:
    response = signed_in(page_client, officer()).get(URL)
    assert response.status_code == 200
    assert urns(response) == [GOSPORT_PRIMARY, FAREHAM, GOSPORT_ACADEMY]
    text = _text(response)
    assert "Scores as at 31 Aug 2019, trained on 12,345 inspected schools" in text
    assert "windows as at 31 Aug 2016 and 31 Aug 2017, 14.2% of them judged below good" in text
    assert "Changes are since the run as at 31 Aug 2018" in text
    first = response.context["rows"][0]
    assert first.row.risk_pct == "15.0%"
    assert (first.row.rank, first.row.la_rank, first.row.la_scored) == (1, 1, 3)
    assert "Distant Primary" not in text  # another LA's school


def test_a_board_member_sees_their_area_with_ranks_within_the_whole_la(
    page_client: PageCheckingClient,
) -> None:
    user = with_role(Role.BOARD_MEMBER, la_code=LA, area="Gosport")
    response = signed_in(page_client, user).get(URL)
    assert urns(response) == [GOSPORT_PRIMARY, GOSPORT_ACADEMY]
    academy = response.context["rows"][1].row
    # Fareham's school, outside the board's area, still counts in the LA's ranking.
    assert (academy.la_rank, academy.la_scored) == (3, 3)


def test_it_says_how_risk_and_rank_moved_since_the_run_before(
    page_client: PageCheckingClient,
) -> None:
    response = signed_in(page_client, officer()).get(URL)
    trends = {view.row.school.urn: view.trend for view in response.context["rows"]}
    assert trends[GOSPORT_PRIMARY] == "+5.0 points, up 4 places"
    assert trends[FAREHAM] == "-8.0 points, down 1 place"
    assert trends[GOSPORT_ACADEMY] == "Not scored on 31 Aug 2018"


def test_as_at_an_earlier_date_it_shows_the_run_then_and_hides_later_runs(
    page_client: PageCheckingClient,
) -> None:
    response = signed_in(page_client, officer()).get(URL + "?as_at=2019-03-01")
    assert urns(response) == [FAREHAM, GOSPORT_PRIMARY]  # the 2018 run's ranks
    text = _text(response)
    assert "Scores as at 31 Aug 2018" in text and "31 Aug 2019" not in text
    assert "There is no earlier run to compare with" in text
    assert {view.trend for view in response.context["rows"]} == {"No earlier run"}


def test_it_says_so_when_no_run_is_that_old(page_client: PageCheckingClient) -> None:
    response = signed_in(page_client, officer()).get(URL + "?as_at=2017-01-01")
    assert response.status_code == 200
    assert response.context["dashboard"].run is None and response.context["rows"] == []
    text = _text(response)
    assert "There is no score run on or before 1 Jan 2017" in text
    assert "convenor model score --as-at DATE --store" in text


def test_it_shows_the_last_inspection_on_or_before_the_date(
    page_client: PageCheckingClient,
) -> None:
    InspectionFactory.create(urn=GOSPORT_PRIMARY, inspection_date=date(2017, 5, 4), grade=2)
    InspectionFactory.create(
        urn=GOSPORT_PRIMARY,
        inspection_date=date(2019, 11, 20),
        grade=3,
        rating="Requires improvement",
    )
    client = signed_in(page_client, officer())
    now = client.get(URL).context["rows"][0].row
    assert now.inspection_words == "Requires improvement, 20 Nov 2019"
    then = client.get(URL + "?as_at=2019-09-30").context["rows"][0].row
    assert then.inspection_words == "Good, 4 May 2017"
    assert client.get(URL).context["rows"][1].row.inspection_words == "None on record"


def test_it_shows_the_category_decided_on_or_before_the_date(
    page_client: PageCheckingClient,
) -> None:
    decide(GOSPORT_PRIMARY, "Light touch", date(2019, 1, 10), order=1)
    decide(GOSPORT_PRIMARY, "Support and challenge", date(2019, 10, 1))
    client = signed_in(page_client, officer())
    categories = {v.row.school.urn: v.row.category for v in client.get(URL).context["rows"]}
    assert categories[GOSPORT_PRIMARY] == "Support and challenge"
    assert categories[FAREHAM] == "Not categorised"
    earlier = client.get(URL + "?as_at=2019-09-30").context["rows"][0].row
    assert earlier.category == "Light touch"


def test_it_gives_the_main_reasons_in_plain_words(page_client: PageCheckingClient) -> None:
    row = signed_in(page_client, officer()).get(URL).context["rows"][0].row
    assert row.reasons == (
        "Latest Ofsted grade: requires improvement (adds 8.1 points)",
        "KS2: RWM expected standard, points above or below England: -12.50 (adds 2.0 points)",
    )


# --- Filters, sorting and the CSV ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("phase=Secondary", [GOSPORT_ACADEMY]),
        ("governance=academy", [GOSPORT_ACADEMY]),
        ("governance=maintained", [GOSPORT_PRIMARY, FAREHAM]),
        ("band=10", [GOSPORT_PRIMARY, FAREHAM]),  # ranks 1 and 2 of 200; 30 is not
        ("band=20", [GOSPORT_PRIMARY, FAREHAM, GOSPORT_ACADEMY]),
        ("q=crown", [FAREHAM]),
        (f"q={GOSPORT_ACADEMY}", [GOSPORT_ACADEMY]),
        ("category=Not+categorised", [FAREHAM, GOSPORT_ACADEMY]),
        ("category=Support+and+challenge", [GOSPORT_PRIMARY]),
        ("sort=name&order=desc", [FAREHAM, GOSPORT_ACADEMY, GOSPORT_PRIMARY]),
        ("sort=change&order=desc", [GOSPORT_PRIMARY, FAREHAM, GOSPORT_ACADEMY]),
    ],
)
def test_it_filters_and_sorts(
    page_client: PageCheckingClient, query: str, expected: list[int]
) -> None:
    decide(GOSPORT_PRIMARY, "Support and challenge", date(2019, 9, 1))
    response = signed_in(page_client, officer()).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert urns(response) == expected


def test_an_officer_of_two_las_may_choose_one(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer(LA, OTHER_LA))
    everything = client.get(URL)
    assert urns(everything) == [GOSPORT_PRIMARY, FAREHAM, ELSEWHERE, GOSPORT_ACADEMY]
    assert 'name="la"' in everything.content.decode()
    assert urns(client.get(f"{URL}?la={OTHER_LA}")) == [ELSEWHERE]
    # An officer of one LA is not offered the choice.
    single = signed_in(PageCheckingClient(), officer()).get(URL)
    assert 'name="la"' not in single.content.decode()


def test_a_bad_filter_shows_its_error_and_the_csv_goes_back_to_the_page(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, officer())
    response = client.get(URL + "?as_at=nope")
    assert "Enter as at as a real date" in _text(response)
    assert response.context["dashboard"] is None
    assert client.get(CSV_URL + "?as_at=nope").status_code == 302
    tomorrow = date.fromordinal(timezone.localdate().toordinal() + 1).isoformat()
    assert "The date cannot be in the future" in _text(client.get(f"{URL}?as_at={tomorrow}"))


def test_it_exports_the_filtered_rows_as_csv(page_client: PageCheckingClient) -> None:
    decide(GOSPORT_PRIMARY, "Support and challenge", date(2019, 9, 1))
    InspectionFactory.create(
        urn=GOSPORT_PRIMARY, inspection_date=date(2018, 6, 1), grade=3, rating="=Requires"
    )
    response = signed_in(page_client, officer()).get(CSV_URL + "?governance=maintained")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert f'filename="risk-{today}.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["urn"] for row in rows] == [str(GOSPORT_PRIMARY), str(FAREHAM)]
    first = rows[0]
    assert first["school"] == "Anchor Primary" and first["category"] == "Support and challenge"
    assert (first["scores_as_at"], first["probability"]) == ("2019-08-31", "0.1500")
    assert (first["national_rank"], first["schools_scored"], first["la_rank"]) == ("1", "200", "1")
    assert (first["previous_scores_as_at"], first["previous_rank"]) == ("2018-08-31", "5")
    assert first["change_points"] == "+5.0"
    assert first["reasons"].startswith("Latest Ofsted grade: requires improvement")
    assert (first["last_inspection_date"], first["last_inspection_grade"]) == ("2018-06-01", "3")
    assert first["last_inspection_rating"] == "'=Requires"  # never a spreadsheet formula


def test_the_csv_of_a_date_without_a_run_has_only_its_header(
    page_client: PageCheckingClient,
) -> None:
    response = signed_in(page_client, officer()).get(CSV_URL + "?as_at=2017-01-01")
    lines = response.content.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("urn,school,")


# --- Access, links and cost ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.INCLUSION_OFFICER, {"la_code": LA}),
        (Role.SCHOOL_LEADER, {"school_urn": GOSPORT_PRIMARY}),
        (Role.ADMINISTRATOR, {}),
    ],
)
def test_roles_that_do_not_review_categories_are_refused(
    page_client: PageCheckingClient, role: Role, scope: dict[str, object]
) -> None:
    client = signed_in(page_client, with_role(role, **scope))
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_each_school_links_to_its_timeline_as_at_the_date(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    href = client.get(URL + "?as_at=2019-09-30").context["rows"][0].href
    assert href == f"/schools/{GOSPORT_PRIMARY}/timeline/?as_at=2019-09-30"
    assert client.get(href).status_code == 200
    assert client.get(URL).context["rows"][0].href == f"/schools/{GOSPORT_PRIMARY}/timeline/"


def test_the_navigation_links_to_it_for_reviewers_only(page_client: PageCheckingClient) -> None:
    link = 'href="/intelligence/risk/"'
    home = signed_in(page_client, officer()).get("/schools/")
    assert link in home.content.decode()
    leader = with_role(Role.SCHOOL_LEADER, school_urn=GOSPORT_PRIMARY)
    assert link not in signed_in(PageCheckingClient(), leader).get("/schools/").content.decode()


def test_the_page_needs_the_same_queries_however_many_schools(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, officer())
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    run = ScoreRun.objects.get(as_at=RUN_2019)
    for n in range(40):
        school = open_school(urn=710000 + n, district="Havant")
        RiskScore.objects.create(run=run, urn=school.urn, probability=0.01, rank=100 + n)
        InspectionFactory.create(urn=school.urn, inspection_date=date(2016, 1, 1))
        decide(school.urn, "Light touch", date(2019, 1, 1), order=1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["rows"]) == 43
    assert len(many) == len(few)


def test_it_never_lists_a_school_the_run_did_not_score() -> None:
    open_school(urn=700009, name="New Free School", district="Gosport", open_date=date(2019, 9, 1))
    assert Establishment.objects.filter(urn=700009).exists()
    client = signed_in(PageCheckingClient(), officer())
    assert 700009 not in urns(client.get(URL))
