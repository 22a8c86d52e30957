"""The school profile: facts, URNs over time, inspections and hard data by year."""

from __future__ import annotations

from datetime import date
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.intelligence.models import AreaStatistic
from convenor.intelligence.tests.factories import (
    AbsenceRecordFactory,
    CensusRecordFactory,
    ExclusionRecordFactory,
    InspectionFactory,
    KS2ResultFactory,
    KS4ResultFactory,
    PreferenceRecordFactory,
)
from convenor.places.models import YearGroupCount
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    EstablishmentLinkFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalAuthorityFactory,
)

pytestmark = pytest.mark.django_db

URN = 116336


def _url(urn: int = URN) -> str:
    return f"/schools/{urn}/"


@pytest.fixture
def signed_in(page_client: PageCheckingClient) -> PageCheckingClient:
    """A system leader: the role with the narrowest view still sees published data."""
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=Role.SYSTEM_LEADER)
    page_client.force_login(user)
    return page_client


def _newtown(**fields: Any) -> Establishment:
    LocalAuthorityFactory.create(code=850)
    defaults: dict[str, Any] = {
        "urn": URN,
        "name": "Newtown Church of England Voluntary Controlled Primary School",
        "laestab": 8503192,
        "type_name": "Voluntary controlled school",
        "type_group": "Local authority maintained schools",
        "phase": "Primary",
        "age_low": 4,
        "age_high": 11,
        "gender": "Mixed",
        "religious_character": "Church of England",
        "diocese": "Diocese of Portsmouth (ce)",
        "capacity": 410,
        "pupils": 340,
        "pupils_census_date": date(2021, 1, 21),
        "district": "Gosport",
        "register_as_at": date(2022, 7, 6),
        "source_file": "dim_school.csv",
    }
    return EstablishmentFactory.create(**(defaults | fields))


def _ks2(
    period: str, values: dict[str, Any], missing: dict[str, str] | None = None, urn: int = URN
) -> None:
    KS2ResultFactory.create(
        urn=urn,
        period=period,
        dataset="ks2_final_full",
        values=values,
        missing=missing or {},
        source_file=f"{period[:4]}-850-ks2.csv",
    )


def _area(
    family: str,
    dataset: str,
    level: str,
    code: str,
    period: str,
    segment: str,
    values: dict[str, Any],
    missing: dict[str, str] | None = None,
) -> None:
    AreaStatistic.objects.create(
        family=family,
        dataset=dataset,
        level=level,
        area_code=code,
        period=period,
        segment=segment,
        values=values,
        missing=missing or {},
        source_file=f"{family}.csv",
    )


def _tree(html: str) -> Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    root: Element = parser.parse(html)
    return root


def _text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _table(html: str, caption: str) -> list[list[str]]:
    """The rows (head first) of the table with ``caption``, as the reader sees them."""
    for table in _tree(html).iter("table"):
        found = table.find("caption")
        if found is not None and _text(found) == caption:
            return [
                [_text(cell) for cell in row if cell.tag in ("th", "td")]
                for row in table.iter("tr")
            ]
    raise AssertionError(f"no table captioned {caption!r}")


def test_it_sends_anonymous_visitors_to_sign_in(page_client: PageCheckingClient) -> None:
    _newtown()
    response = page_client.get(_url())
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={_url()}"


def test_it_refuses_a_signed_in_user_without_a_role(page_client: PageCheckingClient) -> None:
    _newtown()
    page_client.force_login(UserFactory.create())
    assert page_client.get(_url()).status_code == 403


def test_it_answers_not_found_for_an_unknown_urn(signed_in: PageCheckingClient) -> None:
    assert signed_in.get(_url(999999)).status_code == 404


def test_it_shows_the_register_facts(signed_in: PageCheckingClient) -> None:
    _newtown()
    group = GroupFactory.create(
        uid=16872,
        name="LIGHTHOUSE LEARNING TRUST",
        group_type="Multi-academy trust",
        group_id="TR03784",
    )
    GroupMembershipFactory.create(
        urn=URN, group_uid=group.uid, group_type=group.group_type, joined_date=date(2017, 11, 1)
    )
    page = signed_in.get(_url()).content.decode()
    h1 = next(_tree(page).iter("h1"))
    assert _text(h1) == "Newtown Church of England Voluntary Controlled Primary School"
    for fact in (
        "850/3192",
        "Voluntary controlled school (Local authority maintained schools)",
        "4 to 11",
        "Church of England",
        "Diocese of Portsmouth (ce)",
        "410",
        "340 (census of 21 January 2021)",
        "Hampshire (850)",
        "Gosport",
    ):
        assert fact in page
    assert "Register as at 6 July 2022 (dim_school.csv)" in page
    assert "LIGHTHOUSE LEARNING TRUST<br>TR03784, joined 1 November 2017" in page
    assert 'href="/groups/16872/"' in page


def test_it_shows_the_urns_over_time_with_the_predecessors_inspections(
    signed_in: PageCheckingClient,
) -> None:
    LocalAuthorityFactory.create(code=850)
    EstablishmentFactory.create(
        urn=130705, name="St Vincent College", status="Closed", close_date=date(2017, 10, 31)
    )
    EstablishmentFactory.create(
        urn=145229, name="St Vincent College", status="Open", open_date=date(2017, 11, 1)
    )
    EstablishmentLinkFactory.create(
        urn=145229, link_urn=130705, link_type="Predecessor", established=date(2017, 11, 1)
    )
    EstablishmentLinkFactory.create(
        urn=130705, link_urn=145229, link_type="Successor", established=date(2017, 11, 1)
    )
    InspectionFactory.create(
        urn=130705,
        inspection_date=date(2011, 11, 8),
        grade=3,
        rating="Satisfactory",
        framework="section 5 (2009)",
    )
    InspectionFactory.create(
        urn=145229,
        inspection_date=date(2018, 11, 21),
        grade=2,
        rating="Good",
        framework="common inspection framework (2015)",
    )
    page = signed_in.get(_url(145229)).content.decode()

    urns = _table(page, "URNs of this school")
    assert urns[1][0] == "130705"
    assert urns[1][-1] == "Successor: 145229 (1 November 2017)"
    assert urns[2][0] == "145229 This school"
    assert 'href="/schools/130705/"' in page
    assert _table(page, "Graded Ofsted inspections under every URN of this school, newest first")[
        1:
    ] == [
        ["21 November 2018", "Good", "common inspection framework (2015)", "145229 (this URN)"],
        ["8 November 2011", "Satisfactory", "section 5 (2009)", "130705"],
    ]
    assert "Period: 8 November 2011 to 21 November 2018." in page


def test_it_shows_a_suppressed_figure_as_suppressed_never_as_zero(
    signed_in: PageCheckingClient,
) -> None:
    _newtown()
    _ks2("2016/17", {"rwm_expected_pct": 58.0})
    _ks2("2017/18", {"rwm_expected_pct": None}, {"rwm_expected_pct": "SUPP"})
    _ks2("2018/19", {"rwm_expected_pct": 60.0})
    page = signed_in.get(_url()).content.decode()
    rows = _table(page, "Reading, writing and maths: pupils meeting the expected standard (%)")
    assert rows[1:] == [["2016/17", "58"], ["2017/18", "suppressed (SUPP)"], ["2018/19", "60"]]


def test_it_draws_charts_beside_a_table_of_the_same_numbers(
    signed_in: PageCheckingClient,
) -> None:
    _newtown()
    for period, school, la, england in (
        ("2016/17", 58.0, 66.0, 61.0),
        ("2017/18", 40.0, 68.0, 64.0),
    ):
        _ks2(period, {"rwm_expected_pct": school, "reading_progress": 2.3})
        _area(
            "ks2", "ks2_final_full", "la", "850", period, "state-funded", {"rwm_expected_pct": la}
        )
        _area(
            "ks2",
            "ks2_final_full",
            "national",
            "ENG",
            period,
            "state-funded",
            {"rwm_expected_pct": england, "reading_progress": None},
            {"reading_progress": "blank"},
        )
    page = signed_in.get(_url()).content.decode()
    svgs = [
        e for e in _tree(page).iter() if e.tag.endswith("svg") and "app-chart" in e.get("class", "")
    ]
    assert [s.get("aria-label") for s in svgs] == [
        "Reading, writing and maths: pupils meeting the expected standard",
        "Reading progress score",
    ]
    assert all(s.get("role") == "img" for s in svgs)
    assert _table(page, "Reading, writing and maths: pupils meeting the expected standard (%)") == [
        ["Year", "This school", "Hampshire", "England"],
        ["2016/17", "58", "66", "61"],
        ["2017/18", "40", "68", "64"],
    ]
    assert _table(page, "Reading progress score")[1] == [
        "2016/17",
        "2.3",
        "not published",
        "blank in the source file",
    ]
    assert "Period: 2016/17 to 2017/18." in page


def test_it_takes_years_from_the_predecessor_and_says_so(signed_in: PageCheckingClient) -> None:
    LocalAuthorityFactory.create(code=850)
    EstablishmentFactory.create(
        urn=116472, name="Brune Park Community School", status="Closed", phase="Secondary"
    )
    EstablishmentFactory.create(urn=144014, name="Brune Park Community School", phase="Secondary")
    EstablishmentLinkFactory.create(urn=144014, link_urn=116472, link_type="Predecessor")
    for urn, period, values, missing in (
        (116472, "2015/16", {"attainment8": 43.5}, {}),
        (116472, "2016/17", {"attainment8": 44.0}, {}),
        (144014, "2016/17", {"attainment8": None}, {"attainment8": "blank"}),
        (144014, "2017/18", {"attainment8": 39.8}, {}),
    ):
        KS4ResultFactory.create(urn=urn, period=period, values=values, missing=missing)
    page = signed_in.get(_url(144014)).content.decode()
    assert _table(page, "Attainment 8 score")[1:] == [
        ["2015/16", "43.5"],
        ["2016/17", "44"],
        ["2017/18", "39.8"],
    ]
    assert "Figures for 2015/16 and 2016/17 are from URN 116472." in page


def test_it_shows_persistent_absence_apart_by_threshold(signed_in: PageCheckingClient) -> None:
    _newtown()
    for period, persistent, threshold in (("2012/13", 3.8, 15.0), ("2016/17", 12.0, 10.0)):
        AbsenceRecordFactory.create(
            urn=URN,
            period=period,
            missing={},
            values={
                "overall_absence_pct": 4.7,
                "persistent_absence_pct": persistent,
                "persistent_threshold_pct": threshold,
            },
        )
    page = signed_in.get(_url()).content.decode()
    assert _table(page, "Persistent absence: missing 15% or more of sessions (% of pupils)")[
        1:
    ] == [["2012/13", "3.8"]]
    assert _table(page, "Persistent absence: missing 10% or more of sessions (% of pupils)")[
        1:
    ] == [["2016/17", "12"]]


def test_it_shows_pupils_exclusions_and_admissions(signed_in: PageCheckingClient) -> None:
    _newtown()
    CensusRecordFactory.create(
        urn=URN, period="2016/17", values={"pupils": 380.0, "ehc_plan_pct": 1.6}, missing={}
    )
    _area("census", "census", "national", "ENG", "2016/17", "primary", {"ehc_plan_pct": 2.9})
    YearGroupCount.objects.create(
        urn=URN,
        period="2022/23",
        dataset="year_groups",
        source_file="spc.csv",
        values={"reception": 52.0, "year1": 51.0, "year7": 0.0, "headcount": 103.0},
        missing={"nursery1": "z"},
    )
    ExclusionRecordFactory.create(
        urn=URN,
        period="2016/17",
        segment="primary",
        values={
            "headcount": 380.0,
            "fixed_period": 42.0,
            "fixed_period_rate": 11.05,
            "permanent": None,
            "permanent_rate": None,
        },
        missing={"permanent": "x", "permanent_rate": "x"},
    )
    _area(
        "exclusions", "exclusions", "la", "850", "2016/17", "primary", {"fixed_period_rate": 2.12}
    )
    PreferenceRecordFactory.create(
        urn=URN,
        period="2019/20",
        segment="primary",
        values={
            "places_offered": 60.0,
            "first_prefs": 57.0,
            "times_any_pref": 100.0,
            "first_pref_offers": 56.0,
            "averaged_from": 1.0,
        },
    )
    page = signed_in.get(_url()).content.decode()
    assert _table(page, "Pupils with an EHC plan (%)")[1:] == [["2016/17", "1.6", "2.9"]]
    assert _table(page, "Pupils by year group, census of 2022/23")[1:] == [
        ["Reception", "52"],
        ["Year 1", "51"],
        ["All pupils", "103"],
    ]
    assert _table(page, "Suspensions (fixed-period exclusions) (per 100 pupils)")[1:] == [
        ["2016/17", "11.05", "2.12"]
    ]
    assert _table(page, "Permanent exclusions (per 100 pupils)")[1:] == [
        ["2016/17", "not available or suppressed (x)", "not published"]
    ]
    assert "The school-level exclusions data ends in 2016/17." in page
    assert _table(page, "Applications and offers: Reception entry (applicants or offers)") == [
        [
            "Year",
            "Places offered",
            "First preferences",
            "Any preference",
            "Offers to first preferences",
        ],
        ["2019/20", "60", "57", "100", "56"],
    ]


def test_it_says_when_there_is_nothing_to_show(signed_in: PageCheckingClient) -> None:
    _newtown()
    page = signed_in.get(_url()).content.decode()
    assert "No earlier or later URNs are recorded for this school." in page
    assert "No graded inspections are recorded for this school." in page
    assert "No census figures are published for this school." in page
    assert (
        "Key stage 2 results" not in page
        and "<svg" not in page.split("</header>")[1].split("<footer")[0]
    )


def _history(urn: int, first_year: int, years: int) -> None:
    for i in range(years):
        year = first_year + i
        period = f"{year}/{(year + 1) % 100:02d}"
        InspectionFactory.create(urn=urn, inspection_date=date(year, 10, 1))
        _ks2(period, {"rwm_expected_pct": 50.0 + i, "reading_progress": 0.1 * i}, urn=urn)
        CensusRecordFactory.create(urn=urn, period=period, values={"pupils": 300.0 + i}, missing={})
        AbsenceRecordFactory.create(
            urn=urn, period=period, missing={}, values={"overall_absence_pct": 4.0 + i / 10}
        )
        ExclusionRecordFactory.create(
            urn=urn,
            period=period,
            laestab=8500000 + urn % 10000 + i,
            segment="primary",
            values={"fixed_period_rate": 1.0 + i},
            missing={},
        )
        PreferenceRecordFactory.create(
            urn=urn, period=period, values={"first_prefs": 40.0 + i}, missing={}
        )


def test_its_queries_do_not_grow_with_the_schools_history(
    signed_in: PageCheckingClient, django_assert_max_num_queries: Any
) -> None:
    _newtown()
    EstablishmentFactory.create(urn=116000, name="Newtown Infants", status="Closed")
    EstablishmentLinkFactory.create(urn=URN, link_urn=116000, link_type="Predecessor")
    _history(URN, 2016, 1)
    with CaptureQueriesContext(connection) as one_year:
        assert signed_in.get(_url()).status_code == 200
    _history(116000, 2006, 10)
    _history(URN, 2017, 3)
    with django_assert_max_num_queries(len(one_year)) as many_years:
        assert signed_in.get(_url()).status_code == 200
    assert len(many_years) == len(one_year) <= 25


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "scope", "links"),
    [
        (
            Role.LA_OFFICER,
            {"la_code": 850},
            [
                "Soft intelligence",
                "Category",
                "Interventions",
                "Raise a support request",
                "Intelligence timeline",
            ],
        ),
        (
            Role.BOARD_MEMBER,
            {"la_code": 850, "area": "Gosport"},
            ["Soft intelligence", "Category", "Intelligence timeline"],
        ),
        (Role.INCLUSION_OFFICER, {"la_code": 850}, ["Soft intelligence", "Intelligence timeline"]),
        (
            Role.SCHOOL_LEADER,
            {"school_urn": URN},
            ["Raise a support request", "Intelligence timeline"],
        ),
        (Role.SYSTEM_LEADER, {}, []),
        (Role.ELECTED_MEMBER, {"la_code": 850}, []),
    ],
)
def test_casework_links_follow_the_role(
    page_client: PageCheckingClient, role: Role, scope: dict[str, Any], links: list[str]
) -> None:
    _newtown()
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=role, **scope)
    page_client.force_login(user)
    response = page_client.get(_url())
    assert response.status_code == 200
    nav = _tree(response.content.decode()).find(".//nav[@aria-labelledby='casework-heading']")
    if not links:
        assert nav is None
        return
    assert nav is not None
    anchors = list(nav.iter("a"))
    assert [_text(a) for a in anchors] == links
    for anchor in anchors:  # every link opens for this role
        href = anchor.get("href")
        assert href is not None
        assert page_client.get(href).status_code == 200
