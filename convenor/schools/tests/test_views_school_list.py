"""The school list: search, filters, sorting, pagination and the CSV download."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import UserFactory, sign_in_with_role
from convenor.intelligence.tests.factories import CensusRecordFactory, InspectionFactory
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import (
    GroupFactory,
    GroupMembershipFactory,
    LocalAuthorityFactory,
    UrnLookupFactory,
    open_school,
)

pytestmark = pytest.mark.django_db

URL = "/schools/"
CSV_URL = "/schools/export.csv"


def _academy(**fields: Any) -> Establishment:
    return open_school(
        **{
            "is_academy": True,
            "type_group": "Academies",
            "type_name": "Academy converter",
            **fields,
        }
    )


@pytest.fixture
def officer(page_client: PageCheckingClient) -> PageCheckingClient:
    """An LA school improvement officer in Hampshire (850)."""
    sign_in_with_role(page_client)
    return page_client


def _names(response: Any) -> list[str]:
    """The school names in the table, in order (the row headers)."""
    rows = response.context["rows"]
    return [row[0].text for row in rows]


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_it_sends_anonymous_visitors_to_sign_in(page_client: PageCheckingClient) -> None:
    response = page_client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/schools/"


def test_it_refuses_a_signed_in_user_without_a_role(page_client: PageCheckingClient) -> None:
    page_client.force_login(UserFactory.create())
    assert page_client.get(URL).status_code == 403
    assert page_client.get(CSV_URL).status_code == 403


def test_it_lists_the_open_schools_of_the_users_own_la(officer: PageCheckingClient) -> None:
    open_school(name="Newtown Primary")
    open_school(name="Oldtown Primary", status="Closed")
    LocalAuthorityFactory.create(code=936, name="Surrey")
    open_school(name="Elsewhere Primary", la_code=936)
    response = officer.get(URL)
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Schools in Hampshire</h1>' in page
    assert _names(response) == ["Newtown Primary"]
    assert '<h2 class="govuk-heading-m" id="results">1 school</h2>' in page


def test_it_shows_a_school_leader_the_la_of_their_school(page_client: PageCheckingClient) -> None:
    LocalAuthorityFactory.create(code=936, name="Surrey")
    theirs = open_school(name="Surrey Primary", la_code=936)
    open_school(name="Hampshire Primary")
    sign_in_with_role(page_client, Role.SCHOOL_LEADER, school_urn=theirs.urn)
    response = page_client.get(URL)
    assert response.context["form"].la_code == 936
    assert _names(response) == ["Surrey Primary"]


def test_it_lets_any_user_choose_another_la(page_client: PageCheckingClient) -> None:
    LocalAuthorityFactory.create(code=936, name="Surrey")
    open_school(name="Surrey Primary", la_code=936)
    open_school(name="Hampshire Primary")
    sign_in_with_role(page_client, Role.SYSTEM_LEADER)
    assert _names(page_client.get(URL)) == ["Hampshire Primary"]  # Hampshire by default
    assert _names(page_client.get(URL, {"la": "936"})) == ["Surrey Primary"]


@pytest.mark.parametrize(
    "search",
    ["Bishop", "bishop's waltham", "116336", "8502005", "850/2005", "SO32 1FZ", "so321fz", "so32"],
)
def test_it_finds_a_school_by_name_urn_laestab_or_postcode(
    officer: PageCheckingClient, search: str
) -> None:
    open_school(
        name="Bishop's Waltham Infant School", urn=116336, laestab=8502005, postcode="SO32 1FZ"
    )
    open_school(name="Swanmore Primary", urn=116400, laestab=8502100, postcode="SO32 2PA")
    open_school(name="Alton Primary", urn=116500, laestab=8502200, postcode="GU34 1DH")
    expected = ["Bishop's Waltham Infant School"]
    if search == "so32":
        expected.append("Swanmore Primary")
    assert _names(officer.get(URL, {"q": search})) == expected


def test_it_shows_how_many_schools_match_and_a_message_when_none_do(
    officer: PageCheckingClient,
) -> None:
    open_school(name="Newtown Primary")
    page = officer.get(URL, {"q": "Nowhere"}).content.decode()
    assert '<h2 class="govuk-heading-m" id="results">0 schools</h2>' in page
    assert "No schools match. Try fewer filters, or clear them." in page


@pytest.fixture
def mixed_la() -> dict[str, Establishment]:
    """A small LA: maintained, academy and independent schools of several kinds."""
    trust = GroupFactory.create(uid=4001, name="Solent Learning Trust")
    schools = {
        "primary": open_school(name="Alpha Primary", district="Winchester", phase="Primary"),
        "secondary": open_school(
            name="Beta Secondary", district="Gosport", phase="Secondary", pupils=900
        ),
        "academy": _academy(name="Gamma Academy", district="Gosport", phase="Secondary"),
        "independent": open_school(
            name="Delta School",
            phase="All-through",
            type_group="Independent schools",
            type_name="Other independent school",
            is_state_funded=False,
        ),
        "closed": open_school(
            name="Epsilon Primary", status="Closed", close_date=date(2015, 8, 31)
        ),
    }
    GroupMembershipFactory.create(urn=schools["academy"].urn, group_uid=trust.uid)
    InspectionFactory.create(
        urn=schools["primary"].urn, inspection_date=date(2018, 5, 1), grade=1, rating="Outstanding"
    )
    InspectionFactory.create(
        urn=schools["secondary"].urn, inspection_date=date(2019, 1, 9), grade=4, rating="Inadequate"
    )
    InspectionFactory.create(
        urn=schools["secondary"].urn, inspection_date=date(2016, 1, 9), grade=2, rating="Good"
    )
    return schools


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Alpha Primary", "Beta Secondary", "Delta School", "Gamma Academy"]),
        ({"phase": "Secondary"}, ["Beta Secondary", "Gamma Academy"]),
        ({"type_group": "Independent schools"}, ["Delta School"]),
        ({"governance": "maintained"}, ["Alpha Primary", "Beta Secondary"]),
        ({"governance": "academy"}, ["Gamma Academy"]),
        ({"governance": "other"}, ["Delta School"]),
        ({"trust": "4001"}, ["Gamma Academy"]),
        ({"district": "Gosport"}, ["Beta Secondary", "Gamma Academy"]),
        ({"outcome": "1"}, ["Alpha Primary"]),
        ({"outcome": "4"}, ["Beta Secondary"]),  # the latest inspection, not an earlier one
        ({"outcome": "2"}, []),
        ({"outcome": "none"}, ["Delta School", "Gamma Academy"]),
        ({"status": "closed"}, ["Epsilon Primary"]),
        (
            {"status": "all"},
            ["Alpha Primary", "Beta Secondary", "Delta School", "Epsilon Primary", "Gamma Academy"],
        ),
        ({"phase": "Secondary", "district": "Gosport", "governance": "academy"}, ["Gamma Academy"]),
    ],
)
def test_it_filters_the_list(
    officer: PageCheckingClient,
    mixed_la: dict[str, Establishment],
    filters: dict[str, str],
    expected: list[str],
) -> None:
    assert _names(officer.get(URL, filters)) == expected


def test_it_shows_each_schools_latest_inspection_pupils_and_profile_link(
    officer: PageCheckingClient, mixed_la: dict[str, Establishment]
) -> None:
    secondary = mixed_la["secondary"]
    CensusRecordFactory.create(urn=secondary.urn, period="2018/19", values={"pupils": 880.0})
    CensusRecordFactory.create(urn=secondary.urn, period="2016/17", values={"pupils": 700.0})
    response = officer.get(URL, {"phase": "Secondary", "district": "Gosport"})
    row = response.context["rows"][0]
    assert [cell.text for cell in row] == [
        "Beta Secondary",
        str(secondary.urn),
        "Secondary",
        "Community school",
        "880",
        "9 January 2019",
        "Inadequate",
    ]
    page = response.content.decode()
    assert f'<a class="govuk-link" href="/schools/{secondary.urn}/">Beta Secondary</a>' in page


def test_it_tags_closed_schools(
    officer: PageCheckingClient, mixed_la: dict[str, Establishment]
) -> None:
    page = officer.get(URL, {"status": "closed"}).content.decode()
    assert re.search(
        r"Epsilon Primary</a> <strong class=\"govuk-tag govuk-tag--grey\">Closed", page
    )


def test_it_follows_a_school_across_its_urns_for_the_latest_inspection(
    officer: PageCheckingClient,
) -> None:
    # A maintained school, inspected Inadequate, became a sponsored academy with a new URN,
    # which was later judged Good. The academy's row carries the school's history; the
    # closed predecessor's row shows only what was known while it was open.
    old = open_school(name="Old Park Primary", status="Closed", close_date=date(2016, 8, 31))
    new = _academy(name="Park Academy")
    UrnLookupFactory.create(old_urn=old.urn, latest_urn=new.urn)
    UrnLookupFactory.create(old_urn=new.urn, latest_urn=new.urn)
    InspectionFactory.create(
        urn=old.urn, inspection_date=date(2015, 3, 4), grade=4, rating="Inadequate"
    )
    _academy(name="Fresh Academy")
    assert _names(officer.get(URL, {"outcome": "4"})) == ["Park Academy"]
    assert _names(officer.get(URL, {"outcome": "none"})) == ["Fresh Academy"]

    InspectionFactory.create(urn=new.urn, inspection_date=date(2018, 6, 6), grade=2, rating="Good")
    assert _names(officer.get(URL, {"outcome": "2"})) == ["Park Academy"]
    assert _names(officer.get(URL, {"outcome": "4", "status": "all"})) == ["Old Park Primary"]


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("name", "desc", ["Gamma Academy", "Delta School", "Beta Secondary", "Alpha Primary"]),
        ("urn", "asc", ["Alpha Primary", "Beta Secondary", "Gamma Academy", "Delta School"]),
        ("phase", "asc", ["Delta School", "Alpha Primary", "Beta Secondary", "Gamma Academy"]),
        # Schools with no figure come last whichever the order.
        ("pupils", "desc", ["Beta Secondary", "Alpha Primary", "Delta School", "Gamma Academy"]),
        ("pupils", "asc", ["Alpha Primary", "Beta Secondary", "Delta School", "Gamma Academy"]),
        ("inspected", "asc", ["Alpha Primary", "Beta Secondary", "Delta School", "Gamma Academy"]),
        ("inspected", "desc", ["Beta Secondary", "Alpha Primary", "Delta School", "Gamma Academy"]),
    ],
)
def test_it_sorts_by_a_column(
    officer: PageCheckingClient,
    mixed_la: dict[str, Establishment],
    sort: str,
    order: str,
    expected: list[str],
) -> None:
    CensusRecordFactory.create(urn=mixed_la["primary"].urn, values={"pupils": 210.0})
    CensusRecordFactory.create(urn=mixed_la["secondary"].urn, values={"pupils": 880.0})
    assert _names(officer.get(URL, {"sort": sort, "order": order})) == expected


def test_it_marks_the_sorted_heading_for_assistive_technology(
    officer: PageCheckingClient, mixed_la: dict[str, Establishment]
) -> None:
    page = officer.get(URL, {"sort": "pupils", "order": "desc", "phase": "Secondary"}).content
    html = page.decode()
    assert html.count("aria-sort=") == 1
    assert re.search(r'<th scope="col" [^>]*aria-sort="descending"><a [^>]*>Pupils<', html)
    # The sorted heading turns the order round; the others sort ascending, keeping filters.
    assert 'href="?sort=pupils&amp;order=asc&amp;phase=Secondary">Pupils' in html
    assert 'href="?phase=Secondary">School' in html
    assert "Schools in Hampshire, sorted by pupils, most first</caption>" in html
    assert html.count('<th scope="col"') == 7


def test_it_ignores_a_sort_it_does_not_know(
    officer: PageCheckingClient, mixed_la: dict[str, Establishment]
) -> None:
    response = officer.get(URL, {"sort": "secret", "order": "sideways"})
    assert response.status_code == 200
    assert _names(response)[0] == "Alpha Primary"
    assert "govuk-error-summary" not in response.content.decode()


def test_it_keeps_the_filters_and_sort_in_the_page_links(officer: PageCheckingClient) -> None:
    for number in range(120):
        open_school(name=f"School {number:03}", district="Gosport")
    open_school(name="Elsewhere", district="Winchester")
    response = officer.get(URL, {"district": "Gosport", "sort": "name", "page": "2"})
    page = response.content.decode()
    assert _names(response)[0] == "School 050"
    assert 'aria-current="page">2</a>' in page
    assert 'href="?district=Gosport&amp;sort=name&amp;page=1" rel="prev"' in page
    assert 'href="?district=Gosport&amp;sort=name&amp;page=3" rel="next"' in page
    assert "Showing 51 to 100" in page
    # Sorting starts again at page 1.
    assert 'href="?district=Gosport&amp;sort=urn&amp;order=asc">URN' in page


def test_it_keeps_the_sort_when_the_filters_change(
    officer: PageCheckingClient, mixed_la: dict[str, Establishment]
) -> None:
    page = officer.get(URL, {"sort": "pupils", "order": "desc"}).content.decode()
    assert '<input type="hidden" name="sort" value="pupils">' in page
    assert '<input type="hidden" name="order" value="desc">' in page


def test_it_labels_every_filter(officer: PageCheckingClient) -> None:
    # The page-checking client fails any unlabelled input; this names the labels users see.
    page = officer.get(URL).content.decode()
    for label in (
        "Search",
        "Local authority",
        "Show",
        "Phase",
        "Type of establishment",
        "Maintained or academy",
        "Academy trust",
        "District",
        "Latest inspection outcome",
    ):
        assert f">{label}</label>" in page


def test_it_explains_a_filter_it_cannot_use(
    officer: PageCheckingClient, mixed_la: dict[str, Establishment]
) -> None:
    response = officer.get(URL, {"phase": "Nursery", "trust": "abc", "district": "Gosport"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<title>Error: Schools in Hampshire") == 1
    assert '<a href="#id_phase">Choose a phase from the list</a>' in page
    assert '<a href="#id_trust">Choose an academy trust from the list</a>' in page
    assert (
        '<p id="id_phase_error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Choose a phase from the list</p>'
    ) in page
    # The filters that were valid still apply.
    assert _names(response) == ["Beta Secondary", "Gamma Academy"]


def test_it_explains_an_la_it_does_not_know(officer: PageCheckingClient) -> None:
    open_school(name="Newtown Primary")
    response = officer.get(URL, {"la": "Hampshire"})
    assert (
        '<a href="#id_la">Choose a local authority from the list</a>' in response.content.decode()
    )
    assert _names(response) == ["Newtown Primary"]


def test_it_reads_the_list_in_a_fixed_number_of_queries(
    officer: PageCheckingClient, django_assert_max_num_queries: Any
) -> None:
    trust = GroupFactory.create()

    def add_schools(count: int) -> None:
        for _ in range(count):
            school = _academy()
            InspectionFactory.create(urn=school.urn, inspection_date=date(2019, 1, 1))
            CensusRecordFactory.create(urn=school.urn)
            GroupMembershipFactory.create(urn=school.urn, group_uid=trust.uid)
            UrnLookupFactory.create(old_urn=school.urn, latest_urn=school.urn)

    query = {"phase": "Primary", "sort": "inspected", "q": "a"}
    add_schools(3)
    with CaptureQueriesContext(connection) as few:
        officer.get(URL, query)
    add_schools(60)
    with CaptureQueriesContext(connection) as many:
        assert officer.get(URL, query).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(10):
        officer.get(URL, query | {"page": "2"})


def test_it_downloads_the_filtered_list_as_csv(
    officer: PageCheckingClient, mixed_la: dict[str, Establishment]
) -> None:
    academy = mixed_la["academy"]
    academy.laestab, academy.postcode, academy.town = 8504001, "PO12 1AA", "Gosport"
    academy.save()
    CensusRecordFactory.create(urn=academy.urn, period="2018/19", values={"pupils": 1015.0})
    response = officer.get(CSV_URL, {"district": "Gosport", "sort": "name", "order": "desc"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="schools-850-hampshire-{today}.csv"'
    )
    rows = _csv(response)
    assert rows[0][:4] == ["URN", "LAESTAB", "Name", "LA code"]
    assert [row[2] for row in rows[1:]] == ["Gamma Academy", "Beta Secondary"]
    record = dict(zip(rows[0], rows[1], strict=True))
    expected = {
        "URN": str(academy.urn),
        "LAESTAB": "8504001",
        "Status": "Open",
        "Phase": "Secondary",
        "Maintained or academy": "Academy",
        "Academy trust": "Solent Learning Trust",
        "District": "Gosport",
        "Postcode": "PO12 1AA",
        "Pupils": "1015",
        "Pupils census": "January 2019",
        "Latest inspection date": "",
        "Register as at": "2019-11-07",
    }
    assert {column: record[column] for column in expected} == expected
    beta = dict(zip(rows[0], rows[2], strict=True))
    assert (beta["Latest inspection date"], beta["Latest inspection grade"]) == ("2019-01-09", "4")
    assert beta["Latest inspection outcome"] == "Inadequate"


def test_it_offers_the_csv_of_what_the_page_shows(
    officer: PageCheckingClient, mixed_la: dict[str, Establishment]
) -> None:
    page = officer.get(URL, {"phase": "Secondary", "page": "1"}).content.decode()
    assert '<a class="govuk-link" href="/schools/export.csv?phase=Secondary">' in page


def test_it_keeps_spreadsheet_formulas_out_of_the_csv(officer: PageCheckingClient) -> None:
    open_school(name='=HYPERLINK("http://example.com")')
    rows = _csv(officer.get(CSV_URL))
    assert rows[1][2] == '\'=HYPERLINK("http://example.com")'


def test_it_sends_a_csv_request_with_a_bad_filter_back_to_the_list(
    officer: PageCheckingClient,
) -> None:
    response = officer.get(CSV_URL, {"phase": "Nursery"})
    assert response.status_code == 302
    assert response["Location"] == "/schools/?phase=Nursery"


def test_it_shows_an_empty_list_before_the_register_is_imported(
    page_client: PageCheckingClient,
) -> None:
    sign_in_with_role(page_client, Role.ADMINISTRATOR)
    response = page_client.get(URL)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Schools</h1>' in response.content.decode()
    assert response.context["total"] == 0
