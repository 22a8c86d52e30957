"""Interim executive boards: proposal, the Secretary of State's consent, taking over, ending."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from convenor.core.services import Actor, actor_fields
from convenor.intelligence import interventions as clocks
from convenor.intelligence.models import (
    InterimExecutiveBoard,
    WarningNotice,
)
from convenor.intelligence.services_interventions.common import (
    Errors,
    add_error,
    audit_case,
    check_day,
    iso,
    raise_if,
    record_dated_step,
    refuse_unless_maintained,
    when,
)
from convenor.intelligence.services_interventions.powers import check_power, use_power
from convenor.schools.models import Establishment

NOTICE_GROUNDS = {
    clocks.EligibilityGround.WARNING_NOTICE: clocks.NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY,
    clocks.EligibilityGround.PAY_WARNING_NOTICE: clocks.NoticeKind.PAY_AND_CONDITIONS,
}


@transaction.atomic
def propose_ieb(
    school: Establishment,
    *,
    actor: Actor,
    ground: str,
    proposed_on: date,
    warning_notice: WarningNotice | None = None,
    note: str = "",
) -> InterimExecutiveBoard:
    """Record that the LA proposes an interim executive board for ``school`` (s65).

    Refuses an academy or a school that is not maintained, and a school that has a
    board proposed or in place already. A board resting on a warning notice names
    that notice, which must be the school's, of the matching kind, and not complied
    with; other grounds (coasting, an Ofsted category) name none. Writes
    ``ieb.proposed``.
    """
    refuse_unless_maintained(school, "an interim executive board")
    errors: Errors = {}
    ground_value = (
        clocks.EligibilityGround(ground) if ground in set(clocks.EligibilityGround) else None
    )
    if ground_value is None:
        add_error(errors, "ground", "Choose why the school is eligible for intervention.")
    check_day(errors, "proposed_on", proposed_on, "the date of the proposal")
    kind = NOTICE_GROUNDS.get(ground_value) if ground_value else None
    if kind is not None:
        if warning_notice is None:
            add_error(errors, "warning_notice", "Choose the warning notice the board rests on.")
        elif (
            warning_notice.urn != school.urn
            or warning_notice.kind != kind
            or warning_notice.outcome != clocks.Outcome.NOT_COMPLIED
        ):
            add_error(
                errors,
                "warning_notice",
                "Choose a warning notice of this kind, given to this school and not complied with.",
            )
    elif warning_notice is not None:
        add_error(errors, "warning_notice", "Only a board resting on a warning notice names one.")
    current = (
        InterimExecutiveBoard.objects.filter(urn=school.urn, ended_on__isnull=True)
        .exclude(consent_decision=clocks.ConsentDecision.REFUSED)
        .exists()
    )
    if current:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            f"{school.name} has an interim executive board proposed or in place already."
        )
    raise_if(errors)
    board = InterimExecutiveBoard.objects.create(
        urn=school.urn,
        ground=ground,
        warning_notice=warning_notice if kind is not None else None,
        proposed_on=proposed_on,
        note=note.strip(),
        created_by=actor_fields(actor)["actor"],
    )
    audit_case(
        "ieb.proposed",
        board,
        actor=actor,
        proposed_on=iso(proposed_on),
        ground=board.ground,
        warning_notice=board.warning_notice_id,
    )
    return board


def _board_is_open(board: InterimExecutiveBoard) -> None:
    if board.ended_on is not None:
        raise ValidationError(f"This board ended on {when(board.ended_on)}.")
    if board.consent_decision == clocks.ConsentDecision.REFUSED:
        raise ValidationError("The Secretary of State refused consent for this board.")


@transaction.atomic
def request_ieb_consent(board: InterimExecutiveBoard, *, actor: Actor, requested_on: date) -> None:
    """Record that the LA asked the Secretary of State to consent to the board (s65).
    Writes ``ieb.consent_requested``."""
    _board_is_open(board)
    if board.consent_requested_on is not None:
        raise ValidationError(
            f"Consent was requested already ({when(board.consent_requested_on)})."
        )
    record_dated_step(
        board,
        actor=actor,
        action="ieb.consent_requested",
        day=("requested_on", requested_on, "the date consent was requested"),
        not_before=(board.proposed_on, "the board was proposed"),
        changes={"consent_requested_on": requested_on},
    )


@transaction.atomic
def record_ieb_consent(
    board: InterimExecutiveBoard, *, actor: Actor, decision: str, decided_on: date
) -> None:
    """Record the Secretary of State's decision on consent; refusal ends the proposal.
    Writes ``ieb.consent_decided``."""
    _board_is_open(board)
    if board.consent_requested_on is None:
        raise ValidationError("Record the request for consent first.")
    if board.consent_decision:
        raise ValidationError("The decision on consent is recorded already.")
    errors: Errors = {}
    if decision not in set(clocks.ConsentDecision):
        add_error(errors, "decision", "Choose granted or refused.")
    record_dated_step(
        board,
        actor=actor,
        action="ieb.consent_decided",
        day=("decided_on", decided_on, "the date of the decision"),
        not_before=(board.consent_requested_on, "consent was requested"),
        errors=errors,
        changes={"consent_decision": decision, "consent_decision_on": decided_on},
        detail={"decision": decision},
    )


@transaction.atomic
def constitute_ieb(
    board: InterimExecutiveBoard,
    *,
    actor: Actor,
    constituted_on: date,
    member_count: int | None,
    members: str = "",
) -> str | None:
    """Record the day the board replaces the governing body (it may be to come).

    Needs the Secretary of State's consent (s65) and at least two members (Sch 6
    para 4(1)). A board resting on a warning notice is the s65 power used under
    it: the same checks as :func:`record_power_used` apply, and the use is recorded
    on the notice. Returns a warning when only an unverified window was missed.
    Writes ``ieb.constituted``.
    """
    _board_is_open(board)
    if board.constituted_on is not None:
        raise ValidationError(f"The board was constituted already ({when(board.constituted_on)}).")
    if board.consent_decision != clocks.ConsentDecision.GRANTED:
        raise ValidationError(
            "An interim executive board needs the Secretary of State's consent (EIA 2006 "
            "s65): record that consent first."
        )
    assert board.consent_decision_on is not None
    checks = [
        (
            "member_count",
            member_count is None or member_count < clocks.IEB_RULES.min_members,
            f"An interim executive board has at least {clocks.IEB_RULES.min_members} members "
            "(EIA 2006 Sch 6 para 4(1)).",
        )
    ]
    warning: str | None = None
    notice = board.warning_notice
    if notice is not None and constituted_on is not None:
        objections: Errors = {}
        warning = check_power(
            notice,
            clocks.Power.INTERIM_EXECUTIVE_BOARD,
            constituted_on,
            objections,
            "constituted_on",
        )
        checks += [(field, True, text) for field, texts in objections.items() for text in texts]
    record_dated_step(
        board,
        actor=actor,
        action="ieb.constituted",
        day=("constituted_on", constituted_on, "the date the board takes over"),
        not_before=(board.consent_decision_on, "consent was granted"),
        future_ok=True,
        checks=checks,
        changes={
            "constituted_on": constituted_on,
            "member_count": member_count,
            "members": members.strip(),
        },
        detail={"member_count": member_count, "warning": warning or ""},
    )
    if notice is not None:
        use_power(
            notice,
            clocks.Power.INTERIM_EXECUTIVE_BOARD,
            constituted_on,
            None,
            f"Interim executive board {board.pk}.",
            warning,
            actor,
        )
    return warning


@transaction.atomic
def end_ieb(board: InterimExecutiveBoard, *, actor: Actor, ended_on: date, note: str = "") -> None:
    """Record the day the board handed back to a governing body, or the school closed or
    converted. Writes ``ieb.ended``."""
    if board.constituted_on is None:
        raise ValidationError("Only a constituted board can end.")
    _board_is_open(board)
    record_dated_step(
        board,
        actor=actor,
        action="ieb.ended",
        day=("ended_on", ended_on, "the date the board ended"),
        not_before=(board.constituted_on, "the board took over"),
        changes={"ended_on": ended_on, "end_note": note.strip()},
    )
