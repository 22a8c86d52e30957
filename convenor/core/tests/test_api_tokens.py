"""API tokens: making and revoking them, the command, and how the API checks them."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from django.utils import timezone

from convenor.core.api import load_school
from convenor.core.models import ApiToken, AuditEvent, Role
from convenor.core.services import (
    create_api_token,
    hash_api_secret,
    note_api_token_used,
    revoke_api_token,
    revoke_role,
)
from convenor.core.tests.api_helpers import bearer, token_for
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.schools.tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

SCHOOLS = "/api/v1/schools"


@pytest.fixture
def officer():
    return RoleAssignmentFactory.create(role=Role.LA_OFFICER).user


def test_it_stores_only_a_hash_of_the_secret_and_audits_the_token(officer) -> None:
    steward = UserFactory.create(username="steward")
    token, secret = create_api_token(officer, actor=steward, name="  Nightly export ")
    assert secret.startswith("cvn_") and len(secret) > 40
    assert token.token_hash == hash_api_secret(secret) and secret not in token.token_hash
    assert token.prefix == secret[:12] and token.name == "Nightly export"
    assert token.created_by == steward
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == steward and event.object_id == str(token.pk)
    assert event.detail == {
        "user": officer.username,
        "name": "Nightly export",
        "prefix": token.prefix,
        "expires": None,
    }
    assert secret not in str(event.detail)


def test_it_makes_a_different_secret_each_time(officer) -> None:
    assert token_for(officer) != token_for(officer)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_it_rejects_a_blank_or_overlong_name(officer, name) -> None:
    with pytest.raises(ValidationError):
        create_api_token(officer, actor="test", name=name)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api_token.created").exists()


def test_it_rejects_an_expiry_in_the_past(officer) -> None:
    with pytest.raises(ValidationError, match="future"):
        create_api_token(officer, actor="test", name="old", expires=timezone.now())


def test_it_revokes_a_token_once_and_audits_it(officer) -> None:
    token, _ = create_api_token(officer, actor="test", name="export")
    revoke_api_token(token, actor="steward")
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor_label == "steward" and event.detail["prefix"] == token.prefix
    with pytest.raises(ValidationError, match="revoked already"):
        revoke_api_token(token, actor="steward")


def test_it_notes_use_at_most_once_a_minute(officer) -> None:
    token, _ = create_api_token(officer, actor="test", name="export")
    first = timezone.now()
    note_api_token_used(token, first)
    note_api_token_used(token, first + timedelta(seconds=59))
    token.refresh_from_db()
    assert token.last_used_at == first
    note_api_token_used(token, first + timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == first + timedelta(seconds=61)


# --- the API's check -------------------------------------------------------------


def test_it_admits_a_valid_token_and_notes_its_use(client: Client, officer) -> None:
    secret = token_for(officer)
    response = client.get(SCHOOLS, headers=bearer(secret))
    assert response.status_code == 200
    assert ApiToken.objects.get(user=officer).last_used_at is not None


def test_it_answers_401_with_a_challenge_when_there_is_no_token(client: Client) -> None:
    response = client.get(SCHOOLS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="convenor"'
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cvn_not-a-real-token",
        "Bearer ",
        "Token {secret}",
        "Basic {secret}",
        "{secret}",
        "Bearer {secret}x",
    ],
)
def test_it_answers_401_to_a_bad_token(client: Client, officer, header: str) -> None:
    secret = token_for(officer)
    response = client.get(SCHOOLS, headers={"Authorization": header.format(secret=secret)})
    assert response.status_code == 401


def test_it_answers_401_to_a_revoked_token(client: Client, officer) -> None:
    token, secret = create_api_token(officer, actor="test", name="export")
    revoke_api_token(token, actor="test")
    assert client.get(SCHOOLS, headers=bearer(secret)).status_code == 401


def test_it_answers_401_to_an_expired_token(client: Client, officer) -> None:
    token, secret = create_api_token(
        officer, actor="test", name="export", expires=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert client.get(SCHOOLS, headers=bearer(secret)).status_code == 401


def test_it_answers_401_when_the_user_is_deactivated(client: Client, officer) -> None:
    secret = token_for(officer)
    officer.is_active = False
    officer.save()
    assert client.get(SCHOOLS, headers=bearer(secret)).status_code == 401


def test_it_answers_403_when_the_user_holds_no_role(client: Client) -> None:
    response = client.get(SCHOOLS, headers=bearer(token_for(UserFactory.create())))
    assert response.status_code == 403
    assert response.json() == {"detail": "The token's user holds no role."}


def test_it_answers_403_once_the_users_last_role_is_revoked(client: Client) -> None:
    assignment = RoleAssignmentFactory.create(role=Role.LA_OFFICER)
    secret = token_for(assignment.user)
    assert client.get(SCHOOLS, headers=bearer(secret)).status_code == 200
    revoke_role(assignment, actor="steward")
    assert client.get(SCHOOLS, headers=bearer(secret)).status_code == 403


def test_it_does_not_take_a_signed_in_session_for_a_token(client: Client, officer) -> None:
    client.force_login(officer)
    assert client.get(SCHOOLS).status_code == 401


# --- the OpenAPI schema -------------------------------------------------------------


def test_it_serves_the_schema_to_a_token_or_a_signed_in_user_with_a_role(
    client: Client, officer
) -> None:
    schema = client.get("/api/v1/openapi.json", headers=bearer(token_for(officer))).json()
    assert schema["info"]["version"] == "1.0.0"
    assert "/api/v1/schools/{urn}/indicators" in schema["paths"]
    client.force_login(officer)
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_it_keeps_the_schema_from_strangers(client: Client) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 401
    nobody = UserFactory.create()
    assert client.get("/api/v1/openapi.json", headers=bearer(token_for(nobody))).status_code == 403
    client.force_login(nobody)
    assert client.get("/api/v1/openapi.json").status_code == 403


def test_it_has_no_interactive_docs_page(client: Client, officer) -> None:
    # Swagger UI's scripts would break the content security policy; the schema is enough.
    client.force_login(officer)
    assert client.get("/api/v1/docs").status_code == 404


# --- restricted data: the scoping hook ----------------------------------------------


def _api_request(user, path: str = "/api/v1/schools/1"):
    request = RequestFactory().get(path)
    request.auth = ApiToken(user=user)  # type: ignore[attr-defined]
    return request


def test_it_audits_restricted_views_within_scope() -> None:
    head = RoleAssignmentFactory.create(role=Role.SCHOOL_LEADER)
    assert head.school_urn is not None
    request = _api_request(head.user)
    school = load_school(request, head.school_urn, restricted=True)
    assert school.urn == head.school_urn
    event = AuditEvent.objects.get(action="api.viewed")
    assert event.actor == head.user and event.object_id == str(head.school_urn)
    assert event.detail == {"path": "/api/v1/schools/1"}


def test_it_refuses_restricted_views_outside_scope_and_audits_nothing() -> None:
    head = RoleAssignmentFactory.create(role=Role.SCHOOL_LEADER)
    other = EstablishmentFactory.create()
    with pytest.raises(PermissionDenied):
        load_school(_api_request(head.user), other.urn, restricted=True)
    assert load_school(_api_request(head.user), other.urn).urn == other.urn
    assert not AuditEvent.objects.filter(action="api.viewed").exists()


# --- the command ----------------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_secret_once_and_it_works(client: Client, officer) -> None:
    output = _run("create", "--user", officer.username, "--name", "Dashboard", "--days", "30")
    secret = next(line for line in output.splitlines() if line.startswith("cvn_"))
    token = ApiToken.objects.get(user=officer)
    assert token.name == "Dashboard" and token.token_hash == hash_api_secret(secret)
    assert token.expires is not None and token.expires > timezone.now() + timedelta(days=29)
    assert AuditEvent.objects.get(action="api_token.created").actor_label == "command line"
    assert client.get(SCHOOLS, headers=bearer(secret)).status_code == 200
    listing = _run("list")
    assert token.prefix in listing and "Dashboard" in listing and secret not in listing


def test_the_command_revokes_by_prefix(client: Client, officer) -> None:
    token, secret = create_api_token(officer, actor="test", name="export")
    assert "Revoked" in _run("revoke", token.prefix)
    assert client.get(SCHOOLS, headers=bearer(secret)).status_code == 401
    with pytest.raises(CommandError, match="revoked already"):
        _run("revoke", token.prefix)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--user", "ghost", "--name", "x"], "no user"),
        (["create", "--user", "{user}", "--name", " "], "blank"),
        (["create", "--user", "{user}", "--name", "x", "--days", "0"], "--days"),
        (["revoke", "cvn_nothing"], "no token"),
    ],
)
def test_the_command_explains_mistakes(officer, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        _run(*[arg.format(user=officer.username) for arg in args])
