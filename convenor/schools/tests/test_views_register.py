"""The plain register page."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from convenor.core.models import Role
from convenor.core.services import assign_role
from convenor.core.testing import PageCheckingClient
from convenor.schools.models import Establishment, LocalAuthority


def _school(urn: int, name: str, la: int, status: str = "Open") -> Establishment:
    return Establishment.objects.create(
        urn=urn,
        name=name,
        la_code=la,
        status=status,
        register_as_at=date(2019, 11, 7),
        source_file="test",
    )


@pytest.fixture
def signed_in(page_client: PageCheckingClient) -> PageCheckingClient:
    user = get_user_model().objects.create_user("officer", password="a long pass phrase")
    assign_role(user, Role.SYSTEM_LEADER, actor="test")
    page_client.force_login(user)
    return page_client


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_sign_in(page_client: PageCheckingClient) -> None:
    response = page_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"


@pytest.mark.django_db
def test_it_refuses_a_signed_in_user_without_a_role(page_client: PageCheckingClient) -> None:
    page_client.force_login(get_user_model().objects.create_user("nobody"))
    assert page_client.get("/").status_code == 403


@pytest.mark.django_db
def test_it_lists_one_las_schools(signed_in: PageCheckingClient) -> None:
    LocalAuthority.objects.create(code=850, name="Hampshire", source_file="test")
    _school(116336, "Newtown Primary", 850)
    _school(125000, "Elsewhere School", 936)
    _school(116337, "Closed Primary", 850, status="Closed")
    page = signed_in.get("/?la=850&open=1").content.decode()
    assert '<h1 class="govuk-heading-l">School register: Hampshire</h1>' in page
    assert "Newtown Primary" in page
    assert "Elsewhere School" not in page and "Closed Primary" not in page


@pytest.mark.django_db
def test_it_reads_the_register_in_a_fixed_number_of_queries(
    signed_in: PageCheckingClient, django_assert_max_num_queries
) -> None:
    for i in range(60):
        _school(100000 + i, f"School {i}", 850)
    with django_assert_max_num_queries(6):
        assert signed_in.get("/?la=850").status_code == 200


@pytest.mark.django_db
def test_it_keeps_the_filters_in_the_page_links(signed_in: PageCheckingClient) -> None:
    for i in range(120):
        _school(100000 + i, f"School {i:03}", 850)
    page = signed_in.get("/?la=850&open=1&page=2").content.decode()
    assert 'aria-current="page">2</a>' in page
    assert 'href="?la=850&amp;open=1&amp;page=1" rel="prev"' in page
    assert 'href="?la=850&amp;open=1&amp;page=3" rel="next"' in page


@pytest.mark.django_db
def test_it_explains_an_la_code_it_cannot_use(signed_in: PageCheckingClient) -> None:
    _school(116336, "Newtown Primary", 850)
    response = signed_in.get("/?la=Hampshire")
    page = response.content.decode()
    assert "<title>Error: School register \N{EN DASH} convenor</title>" in page
    assert '<a href="#id_la">Enter the local authority code as 3 digits, like 850</a>' in page
    assert "Newtown Primary" in page
