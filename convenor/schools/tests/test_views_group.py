"""The trust and group page: one GIAS group, its members and their counts."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.intelligence.tests.factories import InspectionFactory
from convenor.schools.models import Group
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocalAuthorityFactory,
)

pytestmark = pytest.mark.django_db

UID = 4001


def _url(uid: int = UID) -> str:
    return f"/groups/{uid}/"


@pytest.fixture
def signed_in(page_client: PageCheckingClient) -> PageCheckingClient:
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=Role.LA_OFFICER)
    page_client.force_login(user)
    return page_client


@pytest.fixture
def trust() -> Group:
    """A trust with two open Hampshire schools, one in Surrey, and a closed one."""
    LocalAuthorityFactory.create(code=850)
    LocalAuthorityFactory.create(code=936, name="Surrey")
    group = GroupFactory.create(
        uid=UID,
        name="Solent Learning Trust",
        group_id="TR01234",
        companies_house="07654321",
        open_date=date(2012, 4, 1),
        incorporated_on=date(2012, 3, 1),
    )
    schools = [
        EstablishmentFactory.create(urn=140001, name="Alpha Academy", phase="Primary"),
        EstablishmentFactory.create(urn=140002, name="Beta Academy", phase="Secondary"),
        EstablishmentFactory.create(urn=140003, name="Surrey Academy", la_code=936),
        EstablishmentFactory.create(urn=140004, name="Closed Academy", status="Closed"),
    ]
    for number, school in enumerate(schools):
        GroupMembershipFactory.create(
            urn=school.urn, group_uid=UID, joined_date=date(2015, 9, 1 + number)
        )
    InspectionFactory.create(urn=140001, inspection_date=date(2019, 5, 1), grade=1)
    InspectionFactory.create(urn=140002, inspection_date=date(2018, 5, 1), grade=2)
    InspectionFactory.create(urn=140004, inspection_date=date(2016, 5, 1), grade=4)
    return group


def _text(page: str) -> str:
    """The page's words, without its markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_it_sends_anonymous_visitors_to_sign_in(page_client: PageCheckingClient) -> None:
    assert page_client.get(_url()).status_code == 302


def test_it_answers_not_found_for_an_unknown_group(signed_in: PageCheckingClient) -> None:
    assert signed_in.get(_url(999999)).status_code == 404


def test_it_shows_the_groups_facts(signed_in: PageCheckingClient, trust: Group) -> None:
    page = signed_in.get(_url()).content.decode()
    assert '<h1 class="govuk-heading-l">Solent Learning Trust</h1>' in page
    text = _text(page)
    for fact in ("TR01234", "4001", "Multi-academy trust", "07654321", "1 April 2012"):
        assert fact in text
    assert "1 March 2012" in text


def test_it_lists_the_members_with_links_to_their_profiles(
    signed_in: PageCheckingClient, trust: Group
) -> None:
    page = signed_in.get(_url()).content.decode()
    assert '<a class="govuk-link" href="/schools/140001/">Alpha Academy</a>' in page
    text = _text(page)
    assert "1 September 2015 Hampshire Primary Outstanding (1 May 2019)" in text
    assert "Surrey Primary No graded inspection on record" in text
    assert "Closed" in text and "Inadequate (1 May 2016)" in text
    # Open members first, then closed ones.
    assert page.index("Surrey Academy") < page.index("Closed Academy")


def test_it_counts_the_open_members_by_phase_and_outcome(
    signed_in: PageCheckingClient, trust: Group
) -> None:
    page = signed_in.get(_url()).content.decode()
    tables = signed_in.get(_url()).context["page"].count_tables
    phases, outcomes = ({row[0].text: row[1].text for row in table.rows} for table in tables)
    assert phases == {"Primary": "2", "Secondary": "1"}
    assert outcomes == {
        "Outstanding": "1",
        "Good": "1",
        "No graded inspection on record": "1",
    }
    assert "Open member schools by latest inspection outcome" in page


def test_it_links_to_the_school_list_of_the_trust_in_each_la(
    signed_in: PageCheckingClient, trust: Group
) -> None:
    page = signed_in.get(_url()).content.decode()
    assert 'href="/schools/?la=850&amp;trust=4001">Schools in this trust in Hampshire' in page
    assert 'href="/schools/?la=936&amp;trust=4001">Schools in this trust in Surrey' in page
    # The school list shows the open ones unless asked otherwise.
    listed = signed_in.get("/schools/?la=850&trust=4001")
    assert listed.context["total"] == 2


def test_it_shows_a_member_missing_from_the_register(signed_in: PageCheckingClient) -> None:
    GroupFactory.create(uid=UID, name="Sparse Trust")
    GroupMembershipFactory.create(urn=149999, group_uid=UID)
    text = _text(signed_in.get(_url()).content.decode())
    assert "URN 149999 149999 Not in the register" in text


def test_the_profile_and_home_page_link_to_the_trust(
    signed_in: PageCheckingClient, trust: Group
) -> None:
    profile = signed_in.get("/schools/140001/").content.decode()
    assert 'href="/groups/4001/"' in profile
    home = signed_in.get("/").content.decode()
    assert '<a class="govuk-link" href="/groups/4001/">Solent Learning Trust</a>' in home


def test_it_reads_the_group_in_a_fixed_number_of_queries(
    signed_in: PageCheckingClient, trust: Group, django_assert_max_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(_url()).status_code == 200
    for number in range(30):
        school = EstablishmentFactory.create(la_code=(850, 936)[number % 2])
        InspectionFactory.create(urn=school.urn, inspection_date=date(2019, 1, 1))
        GroupMembershipFactory.create(urn=school.urn, group_uid=UID)
    with CaptureQueriesContext(connection) as many:
        assert signed_in.get(_url()).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(8):
        signed_in.get(_url())
