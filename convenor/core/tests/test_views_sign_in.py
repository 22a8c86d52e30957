"""Signing in and out, and locking an account after repeated failures."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from convenor.core.testing import PageCheckingClient

PASSWORD = "correct horse battery staple"


@pytest.fixture
def officer(db):
    return get_user_model().objects.create_user("officer", password=PASSWORD)


@pytest.mark.django_db
def test_it_shows_the_sign_in_page(page_client: PageCheckingClient) -> None:
    response = page_client.get("/sign-in/")
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.content.decode()


@pytest.mark.django_db
def test_it_signs_in_and_returns_to_the_page_asked_for(
    page_client: PageCheckingClient, officer
) -> None:
    response = page_client.post(
        "/sign-in/", {"username": "officer", "password": PASSWORD, "next": "/health/"}
    )
    assert response.status_code == 302 and response["Location"] == "/health/"
    assert "_auth_user_id" in page_client.session


@pytest.mark.django_db
def test_it_explains_a_wrong_password_without_saying_which_part_was_wrong(
    page_client: PageCheckingClient, officer
) -> None:
    response = page_client.post("/sign-in/", {"username": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in page_client.session


@pytest.mark.django_db
def test_it_locks_the_account_after_five_failures(page_client: PageCheckingClient, officer) -> None:
    for _ in range(5):
        page_client.post("/sign-in/", {"username": "officer", "password": "wrong"})
    response = page_client.post("/sign-in/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert "_auth_user_id" not in page_client.session


@pytest.mark.django_db
def test_it_signs_out_only_by_post(page_client: PageCheckingClient, officer) -> None:
    page_client.force_login(officer)
    assert page_client.get("/sign-out/").status_code == 405
    assert page_client.post("/sign-out/").status_code == 302
    assert "_auth_user_id" not in page_client.session


@pytest.mark.django_db
def test_it_sends_a_content_security_policy(client) -> None:
    response = client.get("/sign-in/")
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    # The layout's inline scripts carry the nonce the policy allows, and nothing else runs.
    assert response.content.decode().count(f'nonce="{nonce}"') >= 1
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_it_explains_a_refused_form_on_a_govuk_page(officer) -> None:
    checked = PageCheckingClient(enforce_csrf_checks=True)
    response = checked.post("/sign-in/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
