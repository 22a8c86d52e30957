"""Opening cases: a warning notice, an interim executive board, a concern about an academy."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from convenor.core.models import AuditEvent
from convenor.core.testing import PageCheckingClient
from convenor.intelligence.models import AcademyConcern, InterimExecutiveBoard, WarningNotice
from convenor.intelligence.tests.factories_interventions import (
    WarningNoticeFactory,
    academy,
    maintained_school,
    page_text,
    sign_in_officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(page_client: PageCheckingClient) -> PageCheckingClient:
    sign_in_officer(page_client)
    return page_client


def notice_form(**values: Any) -> dict[str, Any]:
    return {
        "kind": "s60",
        "grounds": ["a", "c"],
        "issued_by": "la",
        "issued_on": "2019-09-02",
        "compliance_ends_on": "2019-10-31",
        "reasons": "Results well below comparable schools.",
        "action_required": "Agree a plan.",
        "sos_permission_on": "",
    } | values


def test_it_shows_the_warning_notice_form(officer: PageCheckingClient) -> None:
    school = maintained_school()
    response = officer.get(f"/schools/{school.urn}/interventions/warning-notices/new/")
    assert response.status_code == 200
    page = page_text(response)
    assert "Record a warning notice" in page
    assert "(c) The safety of pupils or staff is threatened" in page
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_it_records_a_warning_notice(officer: PageCheckingClient) -> None:
    school = maintained_school()
    response = officer.post(
        f"/schools/{school.urn}/interventions/warning-notices/new/", notice_form()
    )
    notice = WarningNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/interventions/warning-notices/{notice.pk}/"
    assert notice.grounds == ["a", "c"]
    assert notice.compliance_ends_on == date(2019, 10, 31)
    assert AuditEvent.objects.filter(action="warning_notice.given").count() == 1
    page = page_text(officer.get(response["Location"]))
    assert "Warning notice recorded." in page


def test_it_keeps_what_was_typed_when_the_form_has_errors(officer: PageCheckingClient) -> None:
    school = maintained_school()
    response = officer.post(
        f"/schools/{school.urn}/interventions/warning-notices/new/",
        notice_form(issued_on="2019-02-30", action_required=""),
    )
    assert response.status_code == 200
    body = response.content.decode()
    page = page_text(response)
    assert body.count("<title>Error: Record a warning notice") == 1
    assert "There is a problem" in page
    assert "Enter date the notice was given as a real date" in page
    assert "Enter action the governing body must take" in page
    assert 'href="#id_issued_on"' in body
    assert "Results well below comparable schools." in page
    assert 'value="2019-10-31"' in body
    assert 'value="c" checked' in body
    assert not WarningNotice.objects.exists()


def test_it_shows_the_laws_objections_beside_the_field(officer: PageCheckingClient) -> None:
    school = maintained_school()
    response = officer.post(
        f"/schools/{school.urn}/interventions/warning-notices/new/",
        notice_form(kind="s60a", issued_by="sos"),
    )
    page = page_text(response)
    assert "Only the local authority may give a teachers' pay and conditions warning notice" in page
    assert "a pay and conditions notice has none" in page
    assert 'id="id_issued_by_error"' in response.content.decode()


def test_it_refuses_a_warning_notice_page_for_an_academy(officer: PageCheckingClient) -> None:
    school = academy(name="Harbour Academy")
    response = officer.get(f"/schools/{school.urn}/interventions/warning-notices/new/")
    assert response.status_code == 404
    page = page_text(response)
    assert "You cannot record a warning notice for this school" in page
    assert "Harbour Academy is not a maintained school" in page
    assert "Raise a concern with the academy's trust instead." in page
    post = officer.post(f"/schools/{school.urn}/interventions/warning-notices/new/", notice_form())
    assert post.status_code == 404
    assert not WarningNotice.objects.exists()


def test_it_refuses_a_post_without_the_csrf_token(page_client: PageCheckingClient) -> None:
    client = PageCheckingClient(enforce_csrf_checks=True)
    sign_in_officer(client)
    school = maintained_school()
    response = client.post(
        f"/schools/{school.urn}/interventions/warning-notices/new/", notice_form()
    )
    assert response.status_code == 403
    assert not WarningNotice.objects.exists()


def test_it_proposes_a_board_on_a_notice_not_complied_with(officer: PageCheckingClient) -> None:
    school = maintained_school()
    notice = WarningNoticeFactory.create(
        urn=school.urn,
        outcome="not_complied",
        outcome_on=date(2019, 11, 1),
        reasonable_notice_on=date(2019, 11, 5),
    )
    page = f"/schools/{school.urn}/interventions/interim-executive-boards/new/"
    form = officer.get(page, {"warning_notice": notice.pk})
    assert f'<option value="{notice.pk}" selected>' in form.content.decode()
    response = officer.post(
        page,
        {
            "ground": "s60",
            "warning_notice": str(notice.pk),
            "proposed_on": "2019-11-06",
            "note": "",
        },
    )
    board = InterimExecutiveBoard.objects.get()
    assert response["Location"] == f"/interventions/interim-executive-boards/{board.pk}/"
    assert board.warning_notice == notice


def test_it_explains_why_a_board_needs_a_notice(officer: PageCheckingClient) -> None:
    school = maintained_school()
    response = officer.post(
        f"/schools/{school.urn}/interventions/interim-executive-boards/new/",
        {"ground": "s60", "warning_notice": "", "proposed_on": "2019-11-06", "note": ""},
    )
    assert response.status_code == 200
    assert "Choose the warning notice the board rests on." in page_text(response)


def test_it_raises_a_concern_about_an_academy(officer: PageCheckingClient) -> None:
    school = academy(trust_name="Solent Learning Trust")
    page = f"/schools/{school.urn}/interventions/academy-concerns/new/"
    assert "(Solent Learning Trust)" in page_text(officer.get(page))
    response = officer.post(page, {"raised_with_trust_on": "2020-01-06", "concern": "Turnover"})
    concern = AcademyConcern.objects.get()
    assert response["Location"] == f"/interventions/academy-concerns/{concern.pk}/"
    assert concern.trust_name == "Solent Learning Trust"


def test_it_refuses_an_academy_concern_page_for_a_maintained_school(
    officer: PageCheckingClient,
) -> None:
    school = maintained_school(name="Hill Primary")
    response = officer.get(f"/schools/{school.urn}/interventions/academy-concerns/new/")
    assert response.status_code == 404
    assert "Hill Primary is not an academy" in page_text(response)
