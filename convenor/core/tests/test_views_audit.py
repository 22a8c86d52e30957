"""The audit trail page and its CSV export."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convenor.core.models import AuditEvent, Role
from convenor.core.services import record_audit
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/audit/"


@pytest.fixture
def administrator(page_client: PageCheckingClient) -> PageCheckingClient:
    assignment = RoleAssignmentFactory.create(
        role=Role.ADMINISTRATOR, user=UserFactory.create(username="steward")
    )
    page_client.force_login(assignment.user)
    return page_client


def _event(
    action: str, *, at: datetime, actor: str = "officer", object_type: str = "", **detail: object
) -> AuditEvent:
    object_id = str(detail.pop("object_id", ""))
    event = record_audit(
        action, actor=actor, object_type=object_type, object_id=object_id, **detail
    )
    # ``at`` is stamped on saving; move it to the moment the test needs.
    AuditEvent.objects.filter(pk=event.pk).update(at=at)
    return AuditEvent.objects.get(pk=event.pk)


def _at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def trail() -> None:
    _event(
        "intelligence.logged",
        at=_at(2020, 1, 6),
        actor="alice",
        object_type="school",
        object_id=116336,
        note="HT change",
    )
    _event(
        "pupil.viewed",
        at=_at(2020, 2, 10),
        actor="bob",
        object_type="pupil",
        object_id="P-42",
        reason="panel",
    )
    _event(
        "intelligence.logged",
        at=_at(2020, 3, 2),
        actor="alice",
        object_type="school",
        object_id=116337,
        tags=["finance", "hr"],
    )


def _texts(page: str) -> str:
    # Whitespace collapsed and entities read back, so assertions read like the page.
    return " ".join(html.unescape(page).split())


def test_it_lists_events_newest_first_with_their_details(
    administrator: PageCheckingClient, trail: None
) -> None:
    page = _texts(administrator.get(URL).content.decode())
    assert '<h1 class="govuk-heading-l">Audit trail</h1>' in page
    march, february, january = (
        page.index("2 Mar 2020"),
        page.index("10 Feb 2020"),
        page.index("6 Jan 2020"),
    )
    assert march < february < january
    assert "school 116337" in page and "pupil P-42" in page
    assert '<span class="govuk-!-font-weight-bold">tags:</span> ["finance", "hr"]' in page
    assert '<span class="govuk-!-font-weight-bold">reason:</span> panel' in page


def test_it_filters_by_actor_action_type_object_and_dates(
    administrator: PageCheckingClient, trail: None
) -> None:
    def shown(query: str) -> list[str]:
        page = administrator.get(f"{URL}?{query}").content.decode()
        return [i for i in ("116336", "P-42", "116337") if i in page]

    assert shown("actor=ALI") == ["116336", "116337"]
    assert shown("action=pupil.viewed") == ["P-42"]
    assert shown("object_type=school&object_id=337") == ["116337"]
    assert shown("date_from=2020-02-01&date_to=2020-02-29") == ["P-42"]
    assert shown("date_from=2020-02-10") == ["P-42", "116337"]
    assert shown("date_to=2020-02-10") == ["116336", "P-42"]


def test_it_offers_the_recorded_actions_and_types_to_choose_from(
    administrator: PageCheckingClient, trail: None
) -> None:
    page = administrator.get(URL).content.decode()
    for value in ("intelligence.logged", "pupil.viewed", "role.assigned", "school", "pupil"):
        assert f'<option value="{value}">' in page


def test_it_explains_dates_it_cannot_use(administrator: PageCheckingClient, trail: None) -> None:
    response = administrator.get(f"{URL}?date_from=2020-03-01&date_to=2020-02-01")
    page = response.content.decode()
    assert "<title>Error: Audit trail" in page
    assert '<a href="#id_date_to">The last day cannot come before the first.</a>' in page
    # The whole trail is shown beside the error, not a filtered part of it.
    assert "116336" in page and "116337" in page


def test_it_exports_the_filtered_events_as_csv(
    administrator: PageCheckingClient, trail: None
) -> None:
    page = administrator.get(f"{URL}?actor=alice").content.decode()
    assert 'href="?actor=alice&amp;format=csv"' in page
    response = administrator.get(f"{URL}?actor=alice&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-events-')
    content = response.getvalue().decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["at", "actor", "action", "object_type", "object_id", "detail"]
    assert [row[4] for row in rows[1:]] == ["116337", "116336"]
    assert rows[1][0] == "2020-03-02T12:00:00+00:00"
    assert rows[1][5] == '{"tags": ["finance", "hr"]}'


def test_it_keeps_spreadsheet_formulas_out_of_the_csv(administrator: PageCheckingClient) -> None:
    _event("=HYPERLINK(1)", at=_at(2020, 1, 1), actor="@evil", object_id="-1")
    response = administrator.get(f"{URL}?format=csv&action=%3DHYPERLINK%281%29")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[1][1:5] == ["'@evil", "'=HYPERLINK(1)", "", "'-1"]


def test_it_reads_the_page_in_a_fixed_number_of_queries(
    administrator: PageCheckingClient,
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert administrator.get(URL).status_code == 200
        return len(captured)

    for i in range(3):
        _event(f"action.{i}", at=_at(2020, 1, 1), object_type=f"type{i}", object_id=i)
    few = queries()
    for i in range(80):
        _event(f"action.{i}", at=_at(2020, 1, 2), object_type=f"type{i}", object_id=i)
    assert queries() == few


def test_it_pages_through_the_events_keeping_the_filters(
    administrator: PageCheckingClient,
) -> None:
    for i in range(60):
        _event("school.viewed", at=_at(2020, 1, 1), object_id=i)
    page = administrator.get(f"{URL}?action=school.viewed&page=2").content.decode()
    assert 'href="?action=school.viewed&amp;page=1" rel="prev"' in page
    assert "60 events" in page


def test_it_does_not_audit_looking_at_the_audit_trail(administrator: PageCheckingClient) -> None:
    before = AuditEvent.objects.count()
    administrator.get(URL)
    administrator.get(f"{URL}?format=csv")
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_it_refuses_everyone_but_administrators(page_client: PageCheckingClient, role) -> None:
    page_client.force_login(RoleAssignmentFactory.create(role=role).user)
    assert page_client.get(URL).status_code == 403
    assert page_client.get(f"{URL}?format=csv").status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(page_client: PageCheckingClient) -> None:
    response = page_client.get(f"{URL}?format=csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_it_changes_nothing_by_post(administrator: PageCheckingClient) -> None:
    assert administrator.post(URL).status_code == 405
