"""The home page: one LA's open schools at a glance."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import UserFactory, sign_in_with_role
from convenor.intelligence.tests.factories import CensusRecordFactory, InspectionFactory
from convenor.schools.home import Glance, Share
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import (
    GroupFactory,
    GroupMembershipFactory,
    LocalAuthorityFactory,
    UrnLookupFactory,
    open_school,
)

pytestmark = pytest.mark.django_db

URL = "/"


def _academy(**fields: Any) -> Establishment:
    return open_school(**{"is_academy": True, "type_group": "Academies", **fields})


@pytest.fixture
def officer(page_client: PageCheckingClient) -> PageCheckingClient:
    """An LA school improvement officer in Hampshire (850)."""
    sign_in_with_role(page_client)
    return page_client


@pytest.fixture
def hampshire() -> dict[str, Establishment]:
    """Five open schools and a closed one, with inspections, census returns and trusts."""
    trust = GroupFactory.create(uid=4001, name="Solent Learning Trust")
    other_trust = GroupFactory.create(uid=4002, name="Test Valley Trust")
    schools = {
        "primary": open_school(name="Alpha Primary", register_as_at=date(2019, 10, 1)),
        "junior": open_school(name="Alpha Junior", register_as_at=date(2022, 7, 6)),
        "secondary": open_school(name="Beta Secondary", phase="Secondary"),
        "academy": _academy(name="Gamma Academy", phase="Secondary"),
        "independent": open_school(
            name="Delta School",
            phase="All-through",
            type_group="Independent schools",
            is_state_funded=False,
        ),
        "closed": open_school(name="Epsilon Primary", status="Closed"),
    }
    GroupMembershipFactory.create(urn=schools["academy"].urn, group_uid=trust.uid)
    # A trust's school in another LA does not make it a trust "with schools here".
    LocalAuthorityFactory.create(code=936, name="Surrey")
    surrey = _academy(name="Surrey Academy", la_code=936)
    GroupMembershipFactory.create(urn=surrey.urn, group_uid=other_trust.uid)
    for key, day, grade, rating in (
        ("primary", date(2018, 5, 1), 1, "Outstanding"),
        ("junior", date(2017, 5, 1), 2, "Good"),
        ("secondary", date(2020, 3, 10), 4, "Inadequate"),
        ("closed", date(2020, 3, 12), 3, "Requires improvement"),
    ):
        InspectionFactory.create(
            urn=schools[key].urn, inspection_date=day, grade=grade, rating=rating
        )
    for key, period, pupils in (
        ("primary", "2022/23", 200.0),
        ("junior", "2022/23", 240.0),
        ("secondary", "2022/23", 1100.0),
        ("academy", "2018/19", 900.0),
        ("closed", "2022/23", 50.0),
    ):
        CensusRecordFactory.create(urn=schools[key].urn, period=period, values={"pupils": pupils})
    return schools


def _glance(response: Any) -> Glance:
    glance = response.context["glance"]
    assert isinstance(glance, Glance)
    return glance


def _counts(shares: list[Share]) -> dict[str, tuple[int, int | None]]:
    return {share.label: (share.schools, share.pupils) for share in shares}


def test_it_sends_anonymous_visitors_to_sign_in(page_client: PageCheckingClient) -> None:
    response = page_client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"


def test_it_refuses_a_signed_in_user_without_a_role(page_client: PageCheckingClient) -> None:
    page_client.force_login(UserFactory.create())
    assert page_client.get(URL).status_code == 403


def test_it_counts_the_open_schools_of_the_users_la(
    officer: PageCheckingClient, hampshire: dict[str, Establishment]
) -> None:
    glance = _glance(officer.get(URL))
    assert (glance.la_code, glance.la_name, glance.schools, glance.pupils) == (
        850,
        "Hampshire",
        5,
        2440,
    )
    assert _counts(glance.by_phase) == {
        "All-through": (1, None),
        "Primary": (2, 440),
        "Secondary": (2, 2000),
    }
    assert _counts(glance.by_type_group) == {
        "Academies": (1, 900),
        "Independent schools": (1, None),
        "Local authority maintained schools": (3, 1540),
    }
    assert _counts(glance.by_governance) == {
        "Maintained by the local authority": (3, 1540),
        "Academy or free school": (1, 900),
        "Independent school, college or other": (1, None),
    }
    assert _counts(glance.by_outcome) == {
        "Outstanding": (1, 200),
        "Good": (1, 240),
        "Inadequate": (1, 1100),
        "No graded inspection on record": (2, 900),
    }
    assert [(trust.name, trust.schools) for trust in glance.trusts] == [
        ("Solent Learning Trust", 1)
    ]
    assert (glance.academies, glance.state_funded, glance.academy_share) == (1, 4, "25.0%")


def test_it_states_the_dates_of_its_facts(
    officer: PageCheckingClient, hampshire: dict[str, Establishment]
) -> None:
    page = officer.get(URL).content.decode()
    text = " ".join(page.split())
    assert "Register as at 1 October 2019 to 6 July 2022;" in text
    # The closed school's later inspection is not among the open schools' latest.
    assert "inspections to 10 March 2020;" in text
    assert (
        "pupils from the school census of January 2023 for 3 schools; "
        "January 2019 for 1 school." in text
    )


def test_it_shows_the_counts_as_tables_with_captions_and_headers(
    officer: PageCheckingClient, hampshire: dict[str, Establishment]
) -> None:
    page = officer.get(URL).content.decode()
    for caption in (
        "Open schools by phase",
        "Open schools by maintained or academy status",
        "Open schools by type",
        "Open schools by latest inspection outcome",
        "Academy trusts with open schools in Hampshire",
    ):
        assert (
            f'<caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>'
            in page
        )
    assert '<th scope="col" class="govuk-table__header">Phase</th>' in page
    assert '<th scope="row" class="govuk-table__header">Primary</th>' in page


def test_its_counts_link_to_the_same_schools_in_the_list(
    officer: PageCheckingClient, hampshire: dict[str, Establishment]
) -> None:
    glance = _glance(officer.get(URL))
    page = officer.get(URL).content.decode()
    assert '<a class="govuk-link" href="/schools/?la=850&amp;phase=Primary">2</a>' in page
    assert '<a class="govuk-link" href="/schools/?la=850&amp;trust=4001">1</a>' in page
    tables = [*glance.tables, glance.trust_table]
    # The counts link to the list; trust names link to their trust pages.
    links = [
        cell for table in tables for row in table.rows for cell in row if cell.numeric and cell.href
    ]
    assert len(links) == 3 + 3 + 3 + 4 + 1
    for cell in links:
        listed = officer.get(cell.href)
        assert listed.context["total"] == int(cell.text), cell.href


def test_it_shows_a_school_leader_the_la_of_their_school(page_client: PageCheckingClient) -> None:
    LocalAuthorityFactory.create(code=936, name="Surrey")
    theirs = open_school(la_code=936)
    open_school()
    sign_in_with_role(page_client, Role.SCHOOL_LEADER, school_urn=theirs.urn)
    page = page_client.get(URL).content.decode()
    assert '<h1 class="govuk-heading-l">Surrey at a glance</h1>' in page


def test_it_shows_hampshire_to_an_administrator_until_they_choose(
    page_client: PageCheckingClient,
) -> None:
    LocalAuthorityFactory.create(code=850)
    LocalAuthorityFactory.create(code=936, name="Surrey")
    open_school()
    open_school(la_code=936)
    open_school(la_code=936)
    sign_in_with_role(page_client, Role.ADMINISTRATOR)
    assert _glance(page_client.get(URL)).la_code == 850
    page = page_client.get(URL, {"la": "936"}).content.decode()
    assert '<h1 class="govuk-heading-l">Surrey at a glance</h1>' in page
    assert '<option value="936" selected>Surrey (936)</option>' in page


def test_it_explains_an_la_it_does_not_know(
    officer: PageCheckingClient, hampshire: dict[str, Establishment]
) -> None:
    response = officer.get(URL, {"la": "999"})
    page = response.content.decode()
    assert "<title>Error: Hampshire at a glance" in page
    assert '<a href="#id_la">Choose a local authority from the list</a>' in page
    assert _glance(response).la_code == 850


def test_it_says_when_there_are_no_schools_yet(page_client: PageCheckingClient) -> None:
    sign_in_with_role(page_client, Role.ADMINISTRATOR)
    page = page_client.get(URL).content.decode()
    assert '<h1 class="govuk-heading-l">Schools at a glance</h1>' in page
    assert "There are no schools in the register yet." in page


def test_it_counts_a_converted_schools_earlier_inspection(officer: PageCheckingClient) -> None:
    old = open_school(status="Closed", close_date=date(2016, 8, 31))
    new = _academy()
    UrnLookupFactory.create(old_urn=old.urn, latest_urn=new.urn)
    InspectionFactory.create(urn=old.urn, inspection_date=date(2015, 3, 4), grade=3)
    assert _counts(_glance(officer.get(URL)).by_outcome) == {
        "Requires improvement or satisfactory": (1, None)
    }


def test_it_reads_the_counts_in_a_fixed_number_of_queries(
    officer: PageCheckingClient, django_assert_max_num_queries: Any
) -> None:
    trust = GroupFactory.create()

    def add_schools(count: int) -> None:
        for number in range(count):
            school = _academy(phase=("Primary", "Secondary")[number % 2])
            InspectionFactory.create(urn=school.urn, inspection_date=date(2019, 1, 1))
            CensusRecordFactory.create(urn=school.urn)
            GroupMembershipFactory.create(urn=school.urn, group_uid=trust.uid)

    add_schools(3)
    with CaptureQueriesContext(connection) as few:
        officer.get(URL)
    add_schools(60)
    with CaptureQueriesContext(connection) as many:
        assert officer.get(URL).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(8):
        officer.get(URL)
