"""A school's interventions page (/schools/<urn>/interventions/): its cases and timeline."""

from __future__ import annotations

from datetime import date

import pytest

from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory
from convenor.intelligence.tests.factories_interventions import (
    AcademyConcernFactory,
    InterimExecutiveBoardFactory,
    WarningNoticeFactory,
    academy,
    maintained_school,
    page_text,
    sign_in_officer,
    sign_in_school_leader,
)
from convenor.schools.tests.factories import EstablishmentLinkFactory, open_school

pytestmark = pytest.mark.django_db


def url(urn: int) -> str:
    return f"/schools/{urn}/interventions/"


def test_it_shows_a_maintained_schools_cases_and_timeline(page_client: PageCheckingClient) -> None:
    sign_in_officer(page_client)
    school = maintained_school(name="Hill Primary")
    notice = WarningNoticeFactory.create(urn=school.urn)
    InterimExecutiveBoardFactory.create(urn=school.urn)
    response = page_client.get(url(school.urn), {"as_at": "2019-12-02"})
    assert response.status_code == 200
    page = page_text(response)
    assert "Interventions at Hill Primary" in page
    assert "Record a warning notice" in page
    assert "Propose an interim executive board" in page
    assert "Raise a concern with the trust" not in page
    assert "Performance standards and safety (s60) warning notice, 2 September 2019" in page
    assert "Timeline as at 2 December 2019" in page
    # The timeline runs in date order, past and to come, with each line's case.
    assert page.index("2 September 2019 Warning notice given") < page.index(
        "31 October 2019 Compliance period ended"
    )
    assert "1 December 2019 Interim executive board proposed" in page
    assert (
        f"/interventions/warning-notices/{notice.pk}/?as_at=2019-12-02" in response.content.decode()
    )


def test_it_offers_an_academy_a_concern_and_no_notice(page_client: PageCheckingClient) -> None:
    sign_in_officer(page_client)
    school = academy(name="Harbour Academy", trust_name="Solent Learning Trust")
    AcademyConcernFactory.create(urn=school.urn)
    page = page_text(page_client.get(url(school.urn)))
    assert "An academy: the local authority has no intervention powers over it." in page
    assert "Solent Learning Trust" in page
    assert "Raise a concern with the trust" in page
    assert "Record a warning notice" not in page
    assert "Concern raised with the trust, 6 January 2020" in page


def test_it_shows_a_school_leader_their_schools_cases_to_read_only(
    page_client: PageCheckingClient,
) -> None:
    school = maintained_school()
    WarningNoticeFactory.create(urn=school.urn)
    sign_in_school_leader(page_client, school)
    response = page_client.get(url(school.urn))
    assert response.status_code == 200
    page = page_text(response)
    assert "warning notice, 2 September 2019" in page
    assert "Record a warning notice" not in page
    other = maintained_school()
    assert page_client.get(url(other.urn)).status_code == 403


def test_it_follows_the_school_across_its_urns(page_client: PageCheckingClient) -> None:
    sign_in_officer(page_client)
    old = maintained_school(name="Hill Primary", status="Closed")
    new = academy(name="Hill Academy")
    EstablishmentLinkFactory.create(urn=new.urn, link_urn=old.urn, link_type="Predecessor")
    EstablishmentLinkFactory.create(urn=old.urn, link_urn=new.urn, link_type="Successor")
    WarningNoticeFactory.create(urn=old.urn)
    page = page_text(page_client.get(url(new.urn)))
    assert "warning notice, 2 September 2019" in page


def test_it_refuses_schools_outside_the_officers_la(page_client: PageCheckingClient) -> None:
    sign_in_officer(page_client)
    elsewhere = maintained_school(la_code=851)
    assert page_client.get(url(elsewhere.urn)).status_code == 403
    assert page_client.get(url(999_999)).status_code == 404


def test_it_lets_an_officer_read_but_not_manage_a_school_they_lead(
    page_client: PageCheckingClient,
) -> None:
    school = maintained_school()
    notice = WarningNoticeFactory.create(urn=school.urn)
    user = sign_in_officer(page_client)
    RoleAssignmentFactory.create(user=user, role=Role.SCHOOL_LEADER, school_urn=school.urn)
    page = page_text(page_client.get(url(school.urn)))
    assert "warning notice, 2 September 2019" in page
    assert "Record a warning notice" not in page
    assert (
        page_client.get(f"/schools/{school.urn}/interventions/warning-notices/new/").status_code
        == 403
    )
    assert (
        page_client.get(f"/interventions/warning-notices/{notice.pk}/outcome/").status_code == 403
    )


def test_it_explains_when_no_casework_applies(page_client: PageCheckingClient) -> None:
    sign_in_officer(page_client)
    school = open_school(type_name="Other independent school", is_academy=False)
    page = page_text(page_client.get(url(school.urn)))
    assert "Neither a maintained school nor an academy" in page
    assert "Record a warning notice" not in page


def test_it_leaves_out_cases_begun_after_the_as_at_date(page_client: PageCheckingClient) -> None:
    sign_in_officer(page_client)
    school = maintained_school()
    WarningNoticeFactory.create(urn=school.urn, issued_on=date(2019, 9, 2))
    page = page_text(page_client.get(url(school.urn), {"as_at": "2019-09-01"}))
    assert "No cases." in page
    assert "Nothing yet." in page
