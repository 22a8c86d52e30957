"""The register in the JSON API: the list of establishments and one establishment."""

from __future__ import annotations

import pytest
from django.test import Client

from convenor.core.models import Role
from convenor.core.tests.api_helpers import bearer, role_headers, token_for
from convenor.core.tests.factories import UserFactory
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    EstablishmentLinkFactory,
    LocalAuthorityFactory,
)

pytestmark = pytest.mark.django_db

SCHOOLS = "/api/v1/schools"


@pytest.fixture
def headers() -> dict[str, str]:
    return role_headers(Role.SYSTEM_LEADER)


@pytest.fixture
def register() -> None:
    LocalAuthorityFactory.create(code=850)
    LocalAuthorityFactory.create(code=936)
    EstablishmentFactory.create(urn=116336, name="Newtown Primary", postcode="PO12 1AA")
    EstablishmentFactory.create(
        urn=136000, name="Bay House School", phase="Secondary", type_name="Academy converter"
    )
    EstablishmentFactory.create(urn=116337, name="Old Primary", status="Closed")
    EstablishmentFactory.create(urn=125000, name="Elsewhere Primary", la_code=936)


def _urns(response) -> list[int]:
    return [item["urn"] for item in response.json()["items"]]


def test_it_refuses_a_caller_without_a_token(client: Client, register) -> None:
    assert client.get(SCHOOLS).status_code == 401
    assert client.get(f"{SCHOOLS}/116336").status_code == 401


def test_it_refuses_a_user_without_a_role(client: Client, register) -> None:
    headers = bearer(token_for(UserFactory.create()))
    assert client.get(SCHOOLS, headers=headers).status_code == 403
    assert client.get(f"{SCHOOLS}/116336", headers=headers).status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_it_lists_the_whole_register_to_every_role(client: Client, register, role) -> None:
    # The register is published: a school leader sees every school, not only their own.
    response = client.get(SCHOOLS, headers=role_headers(role))
    assert response.status_code == 200
    assert {116336, 136000, 116337, 125000} <= set(_urns(response))


def test_it_lists_establishments_by_name_with_their_summary(
    client: Client, register, headers
) -> None:
    body = client.get(SCHOOLS, headers=headers).json()
    assert body["count"] == 4 and body["page"] == 1 and body["page_size"] == 50
    assert [item["name"] for item in body["items"]] == [
        "Bay House School",
        "Elsewhere Primary",
        "Newtown Primary",
        "Old Primary",
    ]
    assert body["items"][0] == {
        "urn": 136000,
        "name": "Bay House School",
        "la_code": 850,
        "phase": "Secondary",
        "type_name": "Academy converter",
        "status": "Open",
        "is_academy": None,
        "trust_name": "",
    }


@pytest.mark.parametrize(
    ("query", "urns"),
    [
        ("la=850", [136000, 116336, 116337]),
        ("la=936", [125000]),
        ("phase=secondary", [136000]),
        ("status=Closed", [116337]),
        ("la=850&status=open&phase=Primary", [116336]),
        ("q=primary", [125000, 116336, 116337]),
        ("q=116336", [116336]),
        ("q=po121aa", [116336]),
        ("q=nothing+like+it", []),
        ("q=", [136000, 125000, 116336, 116337]),
        ("q=%C2%B2", []),  # a digit to isdigit(), not to int()
        ("q=" + "9" * 30, []),
    ],
)
def test_it_filters_the_list(client: Client, register, headers, query, urns) -> None:
    response = client.get(f"{SCHOOLS}?{query}", headers=headers)
    assert response.status_code == 200
    assert _urns(response) == urns
    assert response.json()["count"] == len(urns)


@pytest.mark.parametrize(
    "query",
    [
        "la=85",
        "la=1000",
        "la=x",
        "page=0",
        "page_size=0",
        "page_size=201",
        "q=a%00b",
        "q=" + "x" * 101,
    ],
)
def test_it_rejects_a_bad_filter_with_422(client: Client, register, headers, query) -> None:
    response = client.get(f"{SCHOOLS}?{query}", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_it_pages_through_the_list_without_repeating_or_skipping(client: Client, headers) -> None:
    for i in range(7):
        # Namesakes: the URN decides their order.
        EstablishmentFactory.create(urn=100010 - i, name="St Mary's Primary")
    pages = [
        client.get(f"{SCHOOLS}?page={page}&page_size=3", headers=headers).json()
        for page in (1, 2, 3, 4)
    ]
    assert [page["count"] for page in pages] == [7, 7, 7, 7]
    assert [len(page["items"]) for page in pages] == [3, 3, 1, 0]
    seen = [item["urn"] for page in pages for item in page["items"]]
    assert seen == sorted(seen) and len(set(seen)) == 7


def test_it_lists_in_a_fixed_number_of_queries(
    client: Client, headers, django_assert_max_num_queries
) -> None:
    def fetch() -> None:
        assert client.get(f"{SCHOOLS}?la=850&page_size=200", headers=headers).status_code == 200

    EstablishmentFactory.create_batch(3)
    fetch()  # the token's last use is noted once a minute at most; let it be noted
    EstablishmentFactory.create_batch(60)
    # The token with its user, the user's roles, the count and the page.
    with django_assert_max_num_queries(4):
        fetch()


def test_it_shows_one_establishment_with_its_lineage(client: Client, headers) -> None:
    LocalAuthorityFactory.create(code=850)
    EstablishmentFactory.create(urn=116336, name="Newtown Junior", status="Closed")
    EstablishmentFactory.create(
        urn=140000, name="Newtown Academy", is_academy=True, capacity=420, pupils=401
    )
    EstablishmentLinkFactory.create(urn=140000, link_urn=116336, link_type="Predecessor")
    EstablishmentLinkFactory.create(urn=116336, link_urn=140000, link_type="Successor")
    # A predecessor GIAS knows of but this register does not hold.
    EstablishmentLinkFactory.create(urn=116336, link_urn=100001, link_type="Predecessor")
    body = client.get(f"{SCHOOLS}/140000", headers=headers).json()
    assert body["urn"] == 140000 and body["name"] == "Newtown Academy"
    assert body["is_academy"] is True and body["capacity"] == 420 and body["pupils"] == 401
    assert body["register_as_at"] == "2019-11-07" and body["source_file"] == "factory"
    assert body["fsm_percent"] is None
    assert body["lineage"] == [
        {"urn": 100001, "name": None, "status": None},
        {"urn": 116336, "name": "Newtown Junior", "status": "Closed"},
        {"urn": 140000, "name": "Newtown Academy", "status": "Open"},
    ]


def test_it_answers_404_for_an_unknown_urn(client: Client, register, headers) -> None:
    response = client.get(f"{SCHOOLS}/999999", headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Not Found")


def test_it_answers_422_for_a_urn_out_of_range(client: Client, headers) -> None:
    assert client.get(f"{SCHOOLS}/0", headers=headers).status_code == 422
    assert client.get(f"{SCHOOLS}/99999999999", headers=headers).status_code == 422


def test_it_rejects_an_unknown_parameter_rather_than_ignore_it(
    client: Client, register, headers
) -> None:
    response = client.get(f"{SCHOOLS}?phse=Primary&la=850", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "unknown_parameter", "loc": ["query", "phse"], "msg": "Unknown parameter"}
    ]
    assert client.get(f"{SCHOOLS}/116336?page=2", headers=headers).status_code == 422
