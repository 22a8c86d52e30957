"""Intervention casework services: the law they enforce, and the audit events they write."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from convenor.core.models import AuditEvent
from convenor.core.tests.factories import UserFactory
from convenor.intelligence import services_interventions as services
from convenor.intelligence.models import (
    AcademyConcern,
    InterimExecutiveBoard,
    InterventionPowerUse,
    WarningNotice,
)
from convenor.intelligence.tests.factories_interventions import (
    InterimExecutiveBoardFactory,
    WarningNoticeFactory,
    academy,
    maintained_school,
)
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import open_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> Any:
    return UserFactory.create(username="officer")


def notice_values(**values: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "kind": "s60",
        "grounds": ["a", "b"],
        "issued_on": date(2019, 9, 2),
        "issued_by": "la",
        "compliance_ends_on": date(2019, 10, 31),
        "reasons": "Results low for three years.",
        "action_required": "Agree a plan.",
    }
    return defaults | values


def give(school: Establishment, actor: Any, **values: Any) -> WarningNotice:
    return services.give_warning_notice(school, actor=actor, **notice_values(**values))


def errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    return event


def eligible(school: Establishment, actor: Any, **values: Any) -> WarningNotice:
    """A notice not complied with (compliance period ended 31 October 2019), with
    reasonable notice of powers given on 5 November 2019."""
    notice = give(school, actor, **values)
    services.record_outcome(
        notice, actor=actor, outcome="not_complied", decided_on=date(2019, 11, 1)
    )
    services.record_reasonable_notice(notice, actor=actor, given_on=date(2019, 11, 5))
    return notice


# --- Giving a warning notice -----------------------------------------------------------------


def test_it_records_a_warning_notice_and_audits_it(officer: Any) -> None:
    school = maintained_school()
    notice = give(school, officer)
    assert notice.urn == school.urn
    assert notice.grounds == ["a", "b"]
    assert notice.created_by == officer
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == (
        "warning_notice.given",
        "warning_notice",
        str(notice.pk),
    )
    assert event.actor == officer
    assert event.detail["compliance_ends_on"] == "2019-10-31"
    assert event.detail["grounds"] == ["a", "b"]


def test_it_refuses_a_warning_notice_for_an_academy(officer: Any) -> None:
    school = academy(name="Harbour Academy")
    with pytest.raises(ValidationError) as excinfo:
        give(school, officer)
    message = " ".join(excinfo.value.messages)
    assert "Harbour Academy is an academy" in message
    assert "maintained schools only" in message
    assert not WarningNotice.objects.exists()
    assert not AuditEvent.objects.filter(action="warning_notice.given").exists()


@pytest.mark.parametrize("type_name", ["Pupil referral unit", "Other independent school", ""])
def test_it_refuses_a_warning_notice_for_a_school_that_is_not_maintained(
    officer: Any, type_name: str
) -> None:
    school = open_school(type_name=type_name, is_academy=False)
    with pytest.raises(ValidationError, match="not a maintained school"):
        give(school, officer)


def test_it_accepts_every_maintained_type(officer: Any) -> None:
    for type_name in ("Voluntary aided school", "Local authority nursery school"):
        give(maintained_school(type_name=type_name), officer)
    assert WarningNotice.objects.count() == 2


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"grounds": []}, "grounds", "at least one ground"),
        ({"kind": "s60a"}, "grounds", "has none"),
        ({"kind": "s60a", "grounds": [], "issued_by": "sos"}, "issued_by", "Only the local"),
        (
            {
                "issued_by": "sos",
                "issued_on": date(2016, 4, 17),
                "compliance_ends_on": date(2016, 6, 1),
            },
            "issued_by",
            "18 April 2016",
        ),
        (
            {
                "kind": "s60a",
                "grounds": [],
                "issued_on": date(2010, 1, 11),
                "compliance_ends_on": date(2010, 3, 1),
            },
            "kind",
            "12 January 2010",
        ),
        (
            {"issued_on": date(2007, 3, 30), "compliance_ends_on": date(2007, 6, 1)},
            "issued_on",
            "SSFA 1998",
        ),
        ({"compliance_ends_on": date(2019, 9, 1)}, "compliance_ends_on", "before the notice"),
        (
            {"issued_on": date(2999, 1, 1), "compliance_ends_on": date(2999, 2, 1)},
            "issued_on",
            "future",
        ),
        ({"reasons": "  "}, "reasons", "Enter the matters"),
        ({"action_required": ""}, "action_required", "Enter the action"),
        ({"kind": "s99"}, "kind", "Choose the kind"),
    ],
)
def test_it_refuses_a_notice_the_law_does_not_allow(
    officer: Any, values: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        give(maintained_school(), officer, **values)
    assert words in " ".join(errors(excinfo)[field])


def test_it_held_notices_before_18_april_2016_to_15_working_days(officer: Any) -> None:
    school = maintained_school()
    with pytest.raises(ValidationError) as excinfo:
        give(school, officer, issued_on=date(2015, 9, 1), compliance_ends_on=date(2015, 9, 18))
    assert "21 September 2015" in " ".join(errors(excinfo)["compliance_ends_on"])
    give(school, officer, issued_on=date(2015, 9, 1), compliance_ends_on=date(2015, 9, 21))


def test_it_refuses_an_la_notice_while_the_secretary_of_states_has_effect(officer: Any) -> None:
    school = maintained_school()
    give(
        school,
        officer,
        issued_by="sos",
        issued_on=date(2019, 5, 1),
        compliance_ends_on=date(2019, 6, 28),
    )
    with pytest.raises(ValidationError) as excinfo:
        give(school, officer)
    assert "s60(4A)" in " ".join(errors(excinfo)["sos_permission_on"])
    allowed = give(school, officer, sos_permission_on=date(2019, 8, 1))
    assert allowed.sos_permission_on == date(2019, 8, 1)


def test_a_secretary_of_states_notice_supersedes_an_earlier_la_notice(officer: Any) -> None:
    school = maintained_school()
    earlier = give(school, officer)
    decided = give(maintained_school(), officer)  # another school's notice is untouched
    sos = give(
        school,
        officer,
        issued_by="sos",
        issued_on=date(2019, 10, 1),
        compliance_ends_on=date(2019, 12, 20),
    )
    earlier.refresh_from_db()
    decided.refresh_from_db()
    assert (earlier.outcome, earlier.outcome_on) == ("superseded", date(2019, 10, 1))
    assert decided.outcome == ""
    event = AuditEvent.objects.get(action="warning_notice.superseded")
    assert event.object_id == str(earlier.pk)
    assert event.detail["by_notice"] == sos.pk


# --- Steps of a warning notice ------------------------------------------------------------


def test_it_records_copies_once_each(officer: Any) -> None:
    notice = give(maintained_school(), officer)
    services.record_copy_sent(
        notice, actor=officer, recipient="secretary_of_state", sent_on=date(2019, 9, 2)
    )
    assert last_event().action == "warning_notice.copy_sent"
    assert last_event().detail["recipient"] == "secretary_of_state"
    with pytest.raises(ValidationError) as excinfo:
        services.record_copy_sent(
            notice, actor=officer, recipient="secretary_of_state", sent_on=date(2019, 9, 3)
        )
    assert "recorded already" in " ".join(errors(excinfo)["recipient"])
    with pytest.raises(ValidationError) as excinfo:
        services.record_copy_sent(
            notice, actor=officer, recipient="head_teacher", sent_on=date(2019, 9, 1)
        )
    assert "before the notice was given" in " ".join(errors(excinfo)["sent_on"])


def test_it_decides_not_complied_only_after_the_compliance_period(officer: Any) -> None:
    notice = give(maintained_school(), officer)
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(
            notice, actor=officer, outcome="not_complied", decided_on=date(2019, 10, 31)
        )
    assert "31 October 2019" in " ".join(errors(excinfo)["decided_on"])
    services.record_outcome(
        notice,
        actor=officer,
        outcome="not_complied",
        decided_on=date(2019, 11, 1),
        note=" Plan not agreed. ",
    )
    notice.refresh_from_db()
    assert (notice.outcome, notice.outcome_on, notice.outcome_note) == (
        "not_complied",
        date(2019, 11, 1),
        "Plan not agreed.",
    )
    assert last_event().action == "warning_notice.outcome"
    with pytest.raises(ValidationError, match="recorded already"):
        services.record_outcome(
            notice, actor=officer, outcome="complied", decided_on=date(2019, 11, 2)
        )


def test_it_lets_a_governing_body_comply_early_and_a_notice_be_withdrawn(officer: Any) -> None:
    complied = give(maintained_school(), officer)
    services.record_outcome(
        complied, actor=officer, outcome="complied", decided_on=date(2019, 10, 15)
    )
    withdrawn = give(maintained_school(), officer)
    services.record_outcome(
        withdrawn, actor=officer, outcome="withdrawn", decided_on=date(2019, 9, 20)
    )
    assert sorted(WarningNotice.objects.values_list("outcome", flat=True)) == [
        "complied",
        "withdrawn",
    ]


def test_it_never_records_superseded_by_hand(officer: Any) -> None:
    notice = give(maintained_school(), officer)
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(
            notice, actor=officer, outcome="superseded", decided_on=date(2019, 10, 1)
        )
    assert "outcome" in errors(excinfo)


def test_it_records_reasonable_notice_only_after_not_complied(officer: Any) -> None:
    notice = give(maintained_school(), officer)
    with pytest.raises(ValidationError, match="did not comply"):
        services.record_reasonable_notice(notice, actor=officer, given_on=date(2019, 11, 5))
    services.record_outcome(
        notice, actor=officer, outcome="not_complied", decided_on=date(2019, 11, 1)
    )
    services.record_reasonable_notice(
        notice, actor=officer, given_on=date(2019, 11, 5), note="s63 and s64"
    )
    assert last_event().action == "warning_notice.reasonable_notice"
    with pytest.raises(ValidationError, match="recorded already"):
        services.record_reasonable_notice(notice, actor=officer, given_on=date(2019, 11, 6))


def test_it_records_representations_only_against_notices_before_2016(officer: Any) -> None:
    school = maintained_school()
    recent = give(school, officer)
    with pytest.raises(ValidationError, match="18 April 2016"):
        services.record_representations(recent, actor=officer, made_on=date(2019, 9, 10))
    old = give(school, officer, issued_on=date(2015, 9, 1), compliance_ends_on=date(2015, 9, 30))
    with pytest.raises(ValidationError) as excinfo:
        services.record_representations(old, actor=officer, made_on=date(2015, 10, 1))
    assert "within the compliance period" in " ".join(errors(excinfo)["made_on"])
    services.record_representations(old, actor=officer, made_on=date(2015, 9, 30))
    assert last_event().detail["to"] == "Ofsted"


# --- Powers and their window ----------------------------------------------------------------


def test_it_records_a_power_used_on_the_last_day_of_the_window(officer: Any) -> None:
    notice = eligible(maintained_school(), officer)
    use, warning = services.record_power_used(
        notice,
        actor=officer,
        power="s63",
        used_on=date(2019, 12, 31),
        dfe_notified_on=date(2019, 12, 31),
    )
    assert warning is None
    assert use.notice == notice
    event = last_event()
    assert (event.action, event.detail["power"], event.detail["used_on"]) == (
        "warning_notice.power_used",
        "s63",
        "2019-12-31",
    )


def test_it_refuses_a_verified_power_the_day_after_the_window(officer: Any) -> None:
    notice = eligible(maintained_school(), officer)
    with pytest.raises(ValidationError) as excinfo:
        services.record_power_used(notice, actor=officer, power="s64", used_on=date(2020, 1, 1))
    assert "31 December 2019" in " ".join(errors(excinfo)["used_on"])
    assert not InterventionPowerUse.objects.exists()


def test_it_warns_but_records_an_unverified_power_after_the_window(officer: Any) -> None:
    notice = eligible(maintained_school(), officer)
    use, warning = services.record_power_used(
        notice, actor=officer, power="s66", used_on=date(2020, 1, 1)
    )
    assert warning is not None and "not sure" in warning
    assert last_event().detail["warning"] == warning
    assert use.pk is not None


def test_it_refuses_s63_after_a_pay_and_conditions_notice(officer: Any) -> None:
    notice = eligible(maintained_school(), officer, kind="s60a", grounds=[])
    with pytest.raises(ValidationError) as excinfo:
        services.record_power_used(notice, actor=officer, power="s63", used_on=date(2019, 11, 20))
    assert "s63(1)" in " ".join(errors(excinfo)["power"])


def test_it_refuses_powers_before_the_school_is_eligible(officer: Any) -> None:
    notice = give(maintained_school(), officer)
    with pytest.raises(ValidationError) as excinfo:
        services.record_power_used(notice, actor=officer, power="s63", used_on=date(2019, 11, 20))
    assert "not eligible" in " ".join(errors(excinfo)["__all__"])


def test_it_sends_an_interim_executive_board_through_its_own_proposal(officer: Any) -> None:
    notice = eligible(maintained_school(), officer)
    with pytest.raises(ValidationError) as excinfo:
        services.record_power_used(notice, actor=officer, power="s65", used_on=date(2019, 11, 20))
    assert "consent" in " ".join(errors(excinfo)["power"])


def test_it_refuses_additional_governors_while_a_board_is_in_place(officer: Any) -> None:
    school = maintained_school()
    notice = eligible(school, officer)
    InterimExecutiveBoardFactory.create(
        urn=school.urn,
        consent_requested_on=date(2019, 9, 1),
        consent_decision="granted",
        consent_decision_on=date(2019, 9, 10),
        constituted_on=date(2019, 10, 1),
        member_count=3,
    )
    with pytest.raises(ValidationError, match="Sch 6 para 14"):
        services.record_power_used(notice, actor=officer, power="s64", used_on=date(2019, 11, 20))


def test_it_records_that_the_dfe_was_told(officer: Any) -> None:
    notice = eligible(maintained_school(), officer)
    use, _ = services.record_power_used(
        notice, actor=officer, power="s63", used_on=date(2019, 11, 20)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_dfe_notified(use, actor=officer, notified_on=date(2019, 11, 19))
    assert "before the power was used" in " ".join(errors(excinfo)["notified_on"])
    services.record_dfe_notified(use, actor=officer, notified_on=date(2019, 11, 22))
    assert last_event().action == "warning_notice.dfe_notified"
    with pytest.raises(ValidationError, match="told already"):
        services.record_dfe_notified(use, actor=officer, notified_on=date(2019, 11, 23))


# --- Interim executive boards --------------------------------------------------------------


def test_it_refuses_an_interim_executive_board_for_an_academy(officer: Any) -> None:
    with pytest.raises(ValidationError, match="is an academy"):
        services.propose_ieb(academy(), actor=officer, ground="s62", proposed_on=date(2020, 1, 1))


def test_it_takes_a_board_from_proposal_to_its_end(officer: Any) -> None:
    school = maintained_school()
    board = services.propose_ieb(school, actor=officer, ground="s62", proposed_on=date(2020, 1, 6))
    services.request_ieb_consent(board, actor=officer, requested_on=date(2020, 1, 10))
    services.record_ieb_consent(
        board, actor=officer, decision="granted", decided_on=date(2020, 2, 3)
    )
    warning = services.constitute_ieb(
        board, actor=officer, constituted_on=date(2020, 3, 1), member_count=3, members="A\nB\nC"
    )
    services.end_ieb(board, actor=officer, ended_on=date(2021, 8, 31), note="New governing body")
    board.refresh_from_db()
    assert warning is None
    assert (board.constituted_on, board.member_count, board.ended_on) == (
        date(2020, 3, 1),
        3,
        date(2021, 8, 31),
    )
    actions = list(
        AuditEvent.objects.filter(object_type="interim_executive_board")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "ieb.proposed",
        "ieb.consent_requested",
        "ieb.consent_decided",
        "ieb.constituted",
        "ieb.ended",
    ]


def test_it_refuses_a_board_without_the_secretary_of_states_consent(officer: Any) -> None:
    board = services.propose_ieb(
        maintained_school(), actor=officer, ground="s61", proposed_on=date(2020, 1, 6)
    )
    with pytest.raises(ValidationError, match="consent"):
        services.constitute_ieb(
            board, actor=officer, constituted_on=date(2020, 3, 1), member_count=3
        )
    with pytest.raises(ValidationError, match="request for consent first"):
        services.record_ieb_consent(
            board, actor=officer, decision="granted", decided_on=date(2020, 2, 1)
        )
    services.request_ieb_consent(board, actor=officer, requested_on=date(2020, 1, 10))
    services.record_ieb_consent(
        board, actor=officer, decision="refused", decided_on=date(2020, 2, 1)
    )
    with pytest.raises(ValidationError, match="refused consent"):
        services.constitute_ieb(
            board, actor=officer, constituted_on=date(2020, 3, 1), member_count=3
        )


def test_it_refuses_a_board_of_fewer_than_two(officer: Any) -> None:
    board = InterimExecutiveBoardFactory.create(
        consent_requested_on=date(2019, 12, 2),
        consent_decision="granted",
        consent_decision_on=date(2019, 12, 20),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.constitute_ieb(
            board, actor=officer, constituted_on=date(2020, 1, 6), member_count=1
        )
    assert "Sch 6 para 4(1)" in " ".join(errors(excinfo)["member_count"])


def test_the_database_refuses_a_board_without_consent() -> None:
    board = InterimExecutiveBoardFactory.create()
    board.constituted_on = date(2020, 1, 6)
    board.member_count = 3
    with pytest.raises(IntegrityError), transaction.atomic():
        board.save()


def test_a_board_resting_on_a_notice_records_the_s65_power_on_it(officer: Any) -> None:
    school = maintained_school()
    notice = eligible(school, officer)
    board = services.propose_ieb(
        school, actor=officer, ground="s60", warning_notice=notice, proposed_on=date(2019, 11, 6)
    )
    services.request_ieb_consent(board, actor=officer, requested_on=date(2019, 11, 6))
    services.record_ieb_consent(
        board, actor=officer, decision="granted", decided_on=date(2019, 12, 2)
    )
    warning = services.constitute_ieb(
        board, actor=officer, constituted_on=date(2019, 12, 9), member_count=4
    )
    assert warning is None
    use = InterventionPowerUse.objects.get(notice=notice)
    assert (use.power, use.used_on) == ("s65", date(2019, 12, 9))


def test_a_notice_board_constituted_after_the_window_warns(officer: Any) -> None:
    school = maintained_school()
    notice = eligible(school, officer)
    board = services.propose_ieb(
        school, actor=officer, ground="s60", warning_notice=notice, proposed_on=date(2019, 11, 6)
    )
    services.request_ieb_consent(board, actor=officer, requested_on=date(2019, 11, 6))
    services.record_ieb_consent(
        board, actor=officer, decision="granted", decided_on=date(2019, 12, 20)
    )
    warning = services.constitute_ieb(
        board, actor=officer, constituted_on=date(2020, 1, 6), member_count=4
    )
    assert warning is not None and "31 December 2019" in warning


def test_it_ties_a_notice_board_to_a_notice_not_complied_with(officer: Any) -> None:
    school = maintained_school()
    with pytest.raises(ValidationError) as excinfo:
        services.propose_ieb(school, actor=officer, ground="s60", proposed_on=date(2020, 1, 6))
    assert "warning_notice" in errors(excinfo)
    undecided = give(school, officer)
    with pytest.raises(ValidationError) as excinfo:
        services.propose_ieb(
            school,
            actor=officer,
            ground="s60",
            warning_notice=undecided,
            proposed_on=date(2020, 1, 6),
        )
    assert "not complied with" in " ".join(errors(excinfo)["warning_notice"])
    elsewhere = eligible(maintained_school(), officer)
    with pytest.raises(ValidationError):
        services.propose_ieb(
            school,
            actor=officer,
            ground="s60",
            warning_notice=elsewhere,
            proposed_on=date(2020, 1, 6),
        )


def test_it_allows_one_board_at_a_time(officer: Any) -> None:
    school = maintained_school()
    services.propose_ieb(school, actor=officer, ground="s62", proposed_on=date(2020, 1, 6))
    with pytest.raises(ValidationError, match="already"):
        services.propose_ieb(school, actor=officer, ground="s62", proposed_on=date(2020, 1, 7))
    assert InterimExecutiveBoard.objects.count() == 1


# --- Concerns about academies ---------------------------------------------------------------


def test_it_refuses_an_academy_concern_for_a_maintained_school(officer: Any) -> None:
    school = maintained_school(name="Hill Primary")
    with pytest.raises(ValidationError) as excinfo:
        services.raise_academy_concern(
            school, actor=officer, raised_with_trust_on=date(2020, 1, 6), concern="Turnover"
        )
    message = " ".join(excinfo.value.messages)
    assert "Hill Primary is not an academy" in message
    assert "warning notice" in message
    assert not AcademyConcern.objects.exists()


def test_it_takes_a_concern_to_the_trust_and_the_regional_director(officer: Any) -> None:
    school = academy(trust_name="Solent Learning Trust")
    case = services.raise_academy_concern(
        school, actor=officer, raised_with_trust_on=date(2020, 1, 6), concern=" Turnover "
    )
    assert (case.trust_name, case.concern) == ("Solent Learning Trust", "Turnover")
    with pytest.raises(ValidationError, match="referral to the regional director first"):
        services.record_rd_response(
            case, actor=officer, responded_on=date(2020, 2, 1), response="x"
        )
    services.record_trust_response(
        case, actor=officer, responded_on=date(2020, 1, 20), response="A plan"
    )
    services.refer_to_regional_director(case, actor=officer, referred_on=date(2020, 2, 3))
    services.record_rd_response(
        case, actor=officer, responded_on=date(2020, 2, 20), response="Monitoring"
    )
    services.close_academy_concern(
        case, actor=officer, status="resolved", closed_on=date(2020, 3, 1)
    )
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("resolved", date(2020, 3, 1))
    actions = list(
        AuditEvent.objects.filter(object_type="academy_concern")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "academy_concern.raised",
        "academy_concern.trust_responded",
        "academy_concern.referred",
        "academy_concern.rd_responded",
        "academy_concern.closed",
    ]
    with pytest.raises(ValidationError, match="closed"):
        services.refer_to_regional_director(case, actor=officer, referred_on=date(2020, 3, 2))


def test_it_refuses_answers_before_the_question(officer: Any) -> None:
    case = services.raise_academy_concern(
        academy(), actor=officer, raised_with_trust_on=date(2020, 1, 6), concern="Turnover"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_trust_response(
            case, actor=officer, responded_on=date(2020, 1, 5), response=""
        )
    found = errors(excinfo)
    assert "before the concern was raised" in " ".join(found["responded_on"])
    assert "Enter what the trust said." in found["response"]


def test_it_refuses_to_close_a_concern_as_open(officer: Any) -> None:
    case = services.raise_academy_concern(
        academy(), actor=officer, raised_with_trust_on=date(2020, 1, 6), concern="Turnover"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.close_academy_concern(
            case, actor=officer, status="open", closed_on=date(2020, 2, 1)
        )
    assert "status" in errors(excinfo)


def test_every_step_is_audited_with_its_actor(officer: Any) -> None:
    school = maintained_school()
    notice = eligible(school, officer)
    services.record_copy_sent(
        notice, actor=officer, recipient="head_teacher", sent_on=date(2019, 9, 2)
    )
    services.record_power_used(notice, actor=officer, power="s63", used_on=date(2019, 11, 20))
    events = AuditEvent.objects.filter(object_type="warning_notice", object_id=str(notice.pk))
    assert sorted(events.values_list("action", flat=True)) == [
        "warning_notice.copy_sent",
        "warning_notice.given",
        "warning_notice.outcome",
        "warning_notice.power_used",
        "warning_notice.reasonable_notice",
    ]
    assert {e.actor_label for e in events} == {"officer"}


def test_a_factory_notice_runs_its_clock() -> None:
    notice = WarningNoticeFactory.create()
    school = Establishment.objects.get(urn=notice.urn)
    facts = notice.facts(services.required_copies(notice, school))
    assert facts.required_copies == ("head_teacher", "secretary_of_state")
