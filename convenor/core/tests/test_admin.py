"""Roles managed in the Django admin go through the services, so they are audited."""

from __future__ import annotations

import pytest
from django.test import Client

from convenor.core.models import AuditEvent, Role, RoleAssignment
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.schools.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/core/roleassignment/add/"


@pytest.fixture
def steward(client: Client) -> Client:
    client.force_login(UserFactory.create(username="steward", is_staff=True, is_superuser=True))
    return client


def _form(**values: object) -> dict[str, object]:
    blank = dict.fromkeys(("la_code", "area", "school_urn", "remit", "starts", "ends"), "")
    return {**blank, **values}


def test_it_adds_a_role_through_the_service(steward: Client) -> None:
    LocalAuthorityFactory.create(code=850)
    officer = UserFactory.create(username="officer")
    response = steward.post(ADD_URL, _form(user=officer.pk, role=Role.LA_OFFICER, la_code=850))
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=officer)
    assert assignment.created_by is not None and assignment.created_by.username == "steward"
    event = AuditEvent.objects.get(action="role.assigned")
    assert event.actor_label == "steward" and event.object_id == str(assignment.pk)


def test_it_shows_scope_and_register_mistakes_on_the_form(steward: Client) -> None:
    officer = UserFactory.create()
    response = steward.post(ADD_URL, _form(user=officer.pk, role=Role.SCHOOL_LEADER))
    assert response.status_code == 200
    assert "School URN is needed for the role" in response.content.decode()
    response = steward.post(ADD_URL, _form(user=officer.pk, role=Role.LA_OFFICER, la_code=936))
    assert response.status_code == 200
    assert "There is no local authority 936 in the register." in response.content.decode()
    assert not RoleAssignment.objects.exists() and not AuditEvent.objects.exists()


def test_it_removes_roles_through_the_service(steward: Client) -> None:
    one, two = RoleAssignmentFactory.create(), RoleAssignmentFactory.create()
    response = steward.post(f"/admin/core/roleassignment/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = steward.post(
        "/admin/core/roleassignment/",
        {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.exists()
    assert AuditEvent.objects.filter(action="role.revoked").count() == 2


def test_it_does_not_edit_an_assignment_in_place(steward: Client) -> None:
    assignment = RoleAssignmentFactory.create()
    page = steward.get(f"/admin/core/roleassignment/{assignment.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
