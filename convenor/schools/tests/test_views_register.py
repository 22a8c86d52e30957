"""The plain register page."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

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
def signed_in(client: Client) -> Client:
    user = get_user_model().objects.create_user("officer", password="a long pass phrase")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_it_lists_one_las_schools(signed_in: Client) -> None:
    LocalAuthority.objects.create(code=850, name="Hampshire", source_file="test")
    _school(116336, "Newtown Primary", 850)
    _school(125000, "Elsewhere School", 936)
    _school(116337, "Closed Primary", 850, status="Closed")
    page = signed_in.get("/?la=850&open=1").content.decode()
    assert "<h1>School register: Hampshire</h1>" in page
    assert "Newtown Primary" in page
    assert "Elsewhere School" not in page and "Closed Primary" not in page


@pytest.mark.django_db
def test_it_reads_the_register_in_a_fixed_number_of_queries(
    signed_in: Client, django_assert_max_num_queries
) -> None:
    for i in range(60):
        _school(100000 + i, f"School {i}", 850)
    with django_assert_max_num_queries(6):
        assert signed_in.get("/?la=850").status_code == 200
