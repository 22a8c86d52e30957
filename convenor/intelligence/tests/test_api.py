"""A school's inspections and indicators in the JSON API."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from convenor.core.models import Role
from convenor.core.tests.api_helpers import bearer, role_headers, token_for
from convenor.core.tests.factories import UserFactory
from convenor.intelligence.tests.factories import (
    AbsenceRecordFactory,
    CensusRecordFactory,
    ExclusionRecordFactory,
    InspectionFactory,
    KS2ResultFactory,
    KS4ResultFactory,
    PreferenceRecordFactory,
)
from convenor.schools.tests.factories import EstablishmentFactory, EstablishmentLinkFactory

pytestmark = pytest.mark.django_db

SCHOOL = "/api/v1/schools/116336"
FAMILIES = ("ks2", "ks4", "census", "absence", "exclusions", "preferences")


@pytest.fixture
def headers() -> dict[str, str]:
    return role_headers(Role.SCHOOL_LEADER)


@pytest.fixture
def school():
    return EstablishmentFactory.create(urn=116336, name="Newtown Primary")


@pytest.fixture
def converted(school):
    """The school became an academy, URN 140000, and GIAS links the two."""
    EstablishmentFactory.create(urn=140000, name="Newtown Academy")
    EstablishmentLinkFactory.create(urn=140000, link_urn=116336, link_type="Predecessor")
    EstablishmentLinkFactory.create(urn=116336, link_urn=140000, link_type="Successor")


@pytest.mark.parametrize("path", ["/inspections", "/indicators?family=ks2"])
def test_it_refuses_callers_without_a_token_or_a_role(client: Client, school, path) -> None:
    assert client.get(SCHOOL + path).status_code == 401
    nobody = bearer(token_for(UserFactory.create()))
    assert client.get(SCHOOL + path, headers=nobody).status_code == 403


@pytest.mark.parametrize("path", ["/inspections", "/indicators?family=ks2"])
def test_it_answers_404_for_an_unknown_school(client: Client, headers, path) -> None:
    assert client.get("/api/v1/schools/999999" + path, headers=headers).status_code == 404


def test_it_lists_inspections_across_the_schools_urns_newest_first(
    client: Client, converted, headers
) -> None:
    InspectionFactory.create(urn=116336, inspection_date=date(2012, 3, 1), grade=3, rating="RI")
    InspectionFactory.create(urn=140000, inspection_date=date(2018, 5, 9), grade=2)
    InspectionFactory.create(urn=999001, inspection_date=date(2019, 1, 1))  # another school
    response = client.get("/api/v1/schools/140000/inspections", headers=headers)
    assert response.status_code == 200
    assert response.json() == [
        {
            "urn": 140000,
            "inspection_date": "2018-05-09",
            "grade": 2,
            "rating": "Good",
            "framework": "Section 5 (2015)",
            "source_file": "factory",
        },
        {
            "urn": 116336,
            "inspection_date": "2012-03-01",
            "grade": 3,
            "rating": "RI",
            "framework": "Section 5 (2015)",
            "source_file": "factory",
        },
    ]


def test_it_answers_an_empty_list_for_a_school_never_inspected(
    client: Client, school, headers
) -> None:
    assert client.get(SCHOOL + "/inspections", headers=headers).json() == []


def test_it_shows_suppressed_measures_as_null_with_their_reason(
    client: Client, school, headers
) -> None:
    KS2ResultFactory.create()
    rows = client.get(SCHOOL + "/indicators?family=ks2", headers=headers).json()
    assert rows == [
        {
            "urn": 116336,
            "period": "2018/19",
            "dataset": "ks2_final",
            "segment": "all",
            "values": {"rwm_expected_pct": 0.65, "pupils": 30.0, "rwm_high_pct": None},
            "missing": {"rwm_high_pct": "SUPP"},
            "source_file": "factory",
        }
    ]


@pytest.mark.parametrize(
    ("family", "factory", "measure"),
    [
        ("ks2", KS2ResultFactory, "rwm_expected_pct"),
        ("ks4", KS4ResultFactory, "attainment8"),
        ("census", CensusRecordFactory, "pupils"),
        ("absence", AbsenceRecordFactory, "overall_absence_pct"),
        ("exclusions", ExclusionRecordFactory, "fixed_period"),
        ("preferences", PreferenceRecordFactory, "first_preferences"),
    ],
)
def test_it_answers_each_family_from_its_own_table(
    client: Client, school, headers, family, factory, measure
) -> None:
    factory.create()
    for other in FAMILIES:
        rows = client.get(f"{SCHOOL}/indicators?family={other}", headers=headers).json()
        assert (len(rows) == 1) is (other == family), other
    rows = client.get(f"{SCHOOL}/indicators?family={family}", headers=headers).json()
    assert rows[0]["values"][measure] is not None
    assert all(rows[0]["values"][name] is None for name in rows[0]["missing"])


def test_it_orders_indicators_by_period_and_covers_every_urn(
    client: Client, converted, headers
) -> None:
    KS4ResultFactory.create(urn=140000, period="2018/19", dataset="ks4_provisional")
    KS4ResultFactory.create(urn=140000, period="2018/19", dataset="ks4_final")
    KS4ResultFactory.create(urn=116336, period="2015/16")
    KS4ResultFactory.create(urn=999001, period="2016/17")  # another school
    rows = client.get(SCHOOL + "/indicators?family=ks4", headers=headers).json()
    assert [(r["urn"], r["period"], r["dataset"]) for r in rows] == [
        (116336, "2015/16", "ks4_final"),
        (140000, "2018/19", "ks4_final"),
        (140000, "2018/19", "ks4_provisional"),
    ]


@pytest.mark.parametrize("query", ["", "?family=", "?family=finance", "?family=KS2"])
def test_it_needs_a_known_family(client: Client, school, headers, query) -> None:
    response = client.get(SCHOOL + "/indicators" + query, headers=headers)
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/inspections", "/indicators?family=census"])
def test_it_reads_in_a_fixed_number_of_queries(
    client: Client, converted, headers, path, django_assert_max_num_queries
) -> None:
    def fetch() -> list[object]:
        response = client.get("/api/v1/schools/140000" + path, headers=headers)
        assert response.status_code == 200
        rows: list[object] = response.json()
        return rows

    fetch()  # the token's last use is noted once a minute at most; let it be noted
    for year in range(2000, 2020):
        InspectionFactory.create(urn=116336, inspection_date=date(year, 6, 1))
        CensusRecordFactory.create(urn=140000, period=f"{year}/{(year + 1) % 100:02}")
    # Token and user, roles, the school, two rounds of links (lineage), the rows.
    with django_assert_max_num_queries(6):
        assert len(fetch()) == 20
