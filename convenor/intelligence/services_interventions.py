"""State changes of intervention casework: warning notices, interim executive boards and
concerns about academies.

Every function is atomic, takes the acting user as ``actor=``, checks the law as
:mod:`convenor.intelligence.interventions` states it, and writes its audit event.
Problems are one ``ValidationError`` keyed by argument name (a form shows each
beside its field; ``__all__`` for the case as a whole). Recorded steps are not
edited afterwards: a case's history is what happened, in order.

Dates of things that happened cannot be in the future. The dates a notice or a
board sets for later (the end of the compliance period, the day a board takes over)
can.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from convenor.core.services import Actor, actor_fields, record_audit
from convenor.intelligence import interventions as clocks
from convenor.intelligence.models import (
    AcademyConcern,
    InterimExecutiveBoard,
    InterventionPowerUse,
    WarningNotice,
    WarningNoticeCopy,
)
from convenor.schools.models import Establishment

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _when(day: date) -> str:
    return clocks.long_date(day)


def _check_day(
    errors: Errors,
    field: str,
    day: date | None,
    what: str,
    *,
    not_before: tuple[date, str] | None = None,
    future_ok: bool = False,
) -> None:
    """``day`` must be given, not in the future (unless ``future_ok``) and not before
    ``not_before`` (a date and what it is: "the notice was given")."""
    if day is None:
        _add(errors, field, f"Enter {what}.")
        return
    if not future_ok and day > timezone.localdate():
        _add(errors, field, f"{what.capitalize()} cannot be in the future.")
    if not_before is not None and day < not_before[0]:
        _add(
            errors,
            field,
            f"{what.capitalize()} cannot be before {not_before[1]} ({_when(not_before[0])}).",
        )


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _refuse_unless_maintained(school: Establishment, what: str) -> None:
    if school.is_academy:
        raise ValidationError(
            f"{school.name} is an academy: the LA cannot give it {what}. EIA 2006 Part 4 "
            "covers maintained schools only; raise a concern with the academy's trust instead."
        )
    if not clocks.is_maintained(school.type_name):
        kind = school.type_name or "an establishment of unknown type"
        raise ValidationError(
            f"{school.name} is {_article(kind)}, not a maintained school in the sense of "
            f"EIA 2006 s59(1), so the LA cannot give it {what}."
        )


def _article(kind: str) -> str:
    lowered = kind.lower()
    if lowered.startswith(("an ", "a ")):
        return lowered
    return f"{'an' if lowered[:1] in 'aeiou' else 'a'} {lowered}"


def _refuse_unless_academy(school: Establishment) -> None:
    if school.is_academy is not True:
        raise ValidationError(
            f"{school.name} is not an academy. Concerns raised with a trust and the regional "
            "director are for academies; for a maintained school use a warning notice."
        )


# --- Warning notices ---------------------------------------------------------------------


def required_copies(notice: WarningNotice, school: Establishment) -> tuple[clocks.Recipient, ...]:
    """Who must get a copy of ``notice``, given its school's type and character."""
    return clocks.required_copies(
        clocks.Issuer(notice.issued_by), school.type_name, school.religious_character
    )


def _notices_in_effect(urn: int, issuer: clocks.Issuer, before: date) -> list[WarningNotice]:
    """Notices of ``issuer`` given on or before ``before`` that still have effect."""
    return list(
        WarningNotice.objects.filter(urn=urn, issued_by=issuer, issued_on__lte=before).filter(
            Q(outcome="") | Q(outcome=clocks.Outcome.NOT_COMPLIED)
        )
    )


def _notice_detail(notice: WarningNotice) -> dict[str, Any]:
    return {
        "urn": notice.urn,
        "kind": notice.kind,
        "grounds": [str(g) for g in notice.grounds],
        "issued_on": _iso(notice.issued_on),
        "issued_by": notice.issued_by,
        "compliance_ends_on": _iso(notice.compliance_ends_on),
    }


@transaction.atomic
def give_warning_notice(
    school: Establishment,
    *,
    actor: Actor,
    kind: str,
    grounds: Iterable[str],
    issued_on: date,
    issued_by: str,
    compliance_ends_on: date,
    reasons: str,
    action_required: str,
    sos_permission_on: date | None = None,
) -> WarningNotice:
    """Record a warning notice given to ``school``'s governing body.

    Refuses an academy or any school that is not maintained (EIA 2006 s59(1)); a kind
    or issuer the law did not allow on ``issued_on`` (s60A from 12 January 2010, by
    the LA only; the Secretary of State from 18 April 2016); a performance notice
    without grounds; a compliance period that ends too soon (before the notice, or
    before 18 April 2016 within 15 working days); and an LA notice while a Secretary
    of State's notice has effect, unless ``sos_permission_on`` says when the LA was
    told it may (s60(4A)). A Secretary of State's notice supersedes the school's
    earlier LA notices (s60(4B)). Writes ``warning_notice.given``, and
    ``warning_notice.superseded`` for each notice it supersedes.
    """
    _refuse_unless_maintained(school, "a warning notice")
    errors: Errors = {}
    kind_value = clocks.NoticeKind(kind) if kind in set(clocks.NoticeKind) else None
    issuer = clocks.Issuer(issued_by) if issued_by in set(clocks.Issuer) else None
    chosen = {clocks.Ground(g) for g in grounds if g in set(clocks.Ground)}
    if kind_value is None:
        _add(errors, "kind", "Choose the kind of warning notice.")
    if issuer is None:
        _add(errors, "issued_by", "Choose who gave the notice.")
    _check_day(errors, "issued_on", issued_on, "the date the notice was given")
    if issued_on is not None and school.close_date and issued_on > school.close_date:
        _add(errors, "issued_on", f"{school.name} closed on {_when(school.close_date)}.")
    rules = clocks.notice_rules(issued_on) if issued_on else None
    if issued_on is not None and rules is None:
        _add(
            errors,
            "issued_on",
            "Warning notices before 1 April 2007 were given under SSFA 1998 s15, which "
            "convenor does not model.",
        )
    if rules is not None and kind_value is not None:
        if kind_value not in rules.kinds:
            _add(
                errors,
                "kind",
                "Teachers' pay and conditions warning notices (s60A) exist only from "
                "12 January 2010.",
            )
        elif issuer is not None and issuer not in rules.issuers[kind_value]:
            _add(
                errors,
                "issued_by",
                "Only the local authority may give a teachers' pay and conditions warning "
                "notice (s60A)."
                if kind_value == clocks.NoticeKind.PAY_AND_CONDITIONS
                else "The Secretary of State could give warning notices only from "
                "18 April 2016 (Education and Adoption Act 2016).",
            )
    if kind_value == clocks.NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY and not chosen:
        _add(errors, "grounds", "Choose at least one ground from s60(2).")
    if kind_value == clocks.NoticeKind.PAY_AND_CONDITIONS and chosen:
        _add(
            errors,
            "grounds",
            "The s60(2) grounds are for performance standards and safety notices; a pay "
            "and conditions notice has none.",
        )
    if compliance_ends_on is None:
        _add(errors, "compliance_ends_on", "Enter the last day of the compliance period.")
    elif issued_on is not None and kind_value is not None and rules is not None:
        earliest = clocks.earliest_compliance_end(kind_value, issued_on)
        if compliance_ends_on < earliest:
            _add(
                errors,
                "compliance_ends_on",
                f"The compliance period must run at least {rules.min_compliance_working_days} "
                f"working days from the notice, so it cannot end before {_when(earliest)}."
                if rules.min_compliance_working_days
                else "The compliance period cannot end before the notice was given.",
            )
    if not reasons.strip():
        _add(errors, "reasons", "Enter the matters the conclusion is based on.")
    if not action_required.strip():
        _add(errors, "action_required", "Enter the action the governing body must take.")
    if issuer == clocks.Issuer.LOCAL_AUTHORITY and issued_on is not None:
        blocking = _notices_in_effect(school.urn, clocks.Issuer.SECRETARY_OF_STATE, issued_on)
        if blocking and sos_permission_on is None:
            _add(
                errors,
                "sos_permission_on",
                f"The Secretary of State gave {school.name} a warning notice on "
                f"{_when(blocking[0].issued_on)}: the LA may not give one until told it may "
                "(s60(4A)). Enter the date it was told.",
            )
        elif blocking and sos_permission_on is not None:
            latest = max(n.issued_on for n in blocking)
            if not latest <= sos_permission_on <= issued_on:
                _add(
                    errors,
                    "sos_permission_on",
                    "The Secretary of State's permission must come between their notice "
                    f"({_when(latest)}) and the LA's.",
                )
    _raise_if(errors)
    assert kind_value is not None and issuer is not None  # for mypy: errors raised above

    notice = WarningNotice.objects.create(
        urn=school.urn,
        kind=kind_value,
        ground_low_standards=clocks.Ground.LOW_STANDARDS in chosen,
        ground_management_or_governance=clocks.Ground.MANAGEMENT_OR_GOVERNANCE in chosen,
        ground_safety=clocks.Ground.SAFETY in chosen,
        issued_on=issued_on,
        issued_by=issuer,
        sos_permission_on=sos_permission_on,
        reasons=reasons.strip(),
        action_required=action_required.strip(),
        compliance_ends_on=compliance_ends_on,
        created_by=actor_fields(actor)["actor"],
    )
    record_audit(
        "warning_notice.given",
        actor=actor,
        object_type="warning_notice",
        object_id=notice.pk,
        **_notice_detail(notice),
    )
    if issuer == clocks.Issuer.SECRETARY_OF_STATE:
        for earlier in _notices_in_effect(school.urn, clocks.Issuer.LOCAL_AUTHORITY, issued_on):
            if earlier.outcome:
                continue  # not complied: the school's eligibility stands as it was
            earlier.outcome = clocks.Outcome.SUPERSEDED
            earlier.outcome_on = issued_on
            earlier.outcome_note = f"Superseded by the Secretary of State's notice {notice.pk}."
            earlier.save(update_fields=["outcome", "outcome_on", "outcome_note"])
            record_audit(
                "warning_notice.superseded",
                actor=actor,
                object_type="warning_notice",
                object_id=earlier.pk,
                urn=earlier.urn,
                by_notice=notice.pk,
                on=_iso(issued_on),
            )
    return notice


@transaction.atomic
def record_copy_sent(
    notice: WarningNotice, *, actor: Actor, recipient: str, sent_on: date
) -> WarningNoticeCopy:
    """Record that a copy of ``notice`` went to ``recipient`` on ``sent_on``.

    Refuses a recipient already recorded, and a date before the notice or in the
    future. Writes ``warning_notice.copy_sent``.
    """
    errors: Errors = {}
    if recipient not in set(clocks.Recipient):
        _add(errors, "recipient", "Choose who the copy went to.")
    elif notice.copies.filter(recipient=recipient).exists():
        label = clocks.in_sentence(clocks.RECIPIENT_LABELS[clocks.Recipient(recipient)])
        _add(errors, "recipient", f"A copy to {label} is recorded already.")
    _check_day(
        errors,
        "sent_on",
        sent_on,
        "the date the copy was sent",
        not_before=(notice.issued_on, "the notice was given"),
    )
    _raise_if(errors)
    copy = WarningNoticeCopy.objects.create(notice=notice, recipient=recipient, sent_on=sent_on)
    record_audit(
        "warning_notice.copy_sent",
        actor=actor,
        object_type="warning_notice",
        object_id=notice.pk,
        urn=notice.urn,
        recipient=recipient,
        sent_on=_iso(sent_on),
    )
    return copy


@transaction.atomic
def record_representations(notice: WarningNotice, *, actor: Actor, made_on: date) -> None:
    """Record representations against a notice given before 18 April 2016.

    The right was removed by the Education and Adoption Act 2016 (DOMAIN.md 1.3);
    representations are taken to fall within the compliance period [U]. Writes
    ``warning_notice.representations``.
    """
    errors: Errors = {}
    rules = clocks.notice_rules(notice.issued_on)
    reviewer = rules.representations_to.get(clocks.NoticeKind(notice.kind)) if rules else None
    if reviewer is None:
        raise ValidationError(
            "Representations against warning notices ended on 18 April 2016 (Education and "
            "Adoption Act 2016); this notice was given later."
        )
    if notice.representations_on is not None:
        raise ValidationError(
            f"Representations are recorded already ({_when(notice.representations_on)})."
        )
    _check_day(
        errors,
        "made_on",
        made_on,
        "the date representations were made",
        not_before=(notice.issued_on, "the notice was given"),
    )
    if made_on is not None and made_on > notice.compliance_ends_on:
        _add(errors, "made_on", "Representations are made within the compliance period.")
    _raise_if(errors)
    notice.representations_on = made_on
    notice.save(update_fields=["representations_on"])
    record_audit(
        "warning_notice.representations",
        actor=actor,
        object_type="warning_notice",
        object_id=notice.pk,
        urn=notice.urn,
        made_on=_iso(made_on),
        to=reviewer,
    )


RECORDABLE_OUTCOMES = (
    clocks.Outcome.COMPLIED,
    clocks.Outcome.NOT_COMPLIED,
    clocks.Outcome.WITHDRAWN,
)


@transaction.atomic
def record_outcome(
    notice: WarningNotice, *, actor: Actor, outcome: str, decided_on: date, note: str = ""
) -> None:
    """Record whether the governing body complied, or that the notice was withdrawn.

    "Not complied" needs the compliance period to have ended (s60(1)(b)). An outcome
    is recorded once. Writes ``warning_notice.outcome``.
    """
    if notice.outcome:
        label = clocks.OUTCOME_LABELS[clocks.Outcome(notice.outcome)]
        raise ValidationError(f"The outcome is recorded already: {clocks.in_sentence(label)}.")
    errors: Errors = {}
    if outcome not in {str(o) for o in clocks.RECORDABLE_OUTCOMES}:
        _add(errors, "outcome", "Choose complied, not complied or withdrawn.")
    _check_day(
        errors,
        "decided_on",
        decided_on,
        "the date of the decision",
        not_before=(notice.issued_on, "the notice was given"),
    )
    if (
        outcome == clocks.Outcome.NOT_COMPLIED
        and decided_on is not None
        and decided_on <= notice.compliance_ends_on
    ):
        _add(
            errors,
            "decided_on",
            "A governing body has until the end of the compliance period "
            f"({_when(notice.compliance_ends_on)}) to comply: decide after it.",
        )
    _raise_if(errors)
    notice.outcome = outcome
    notice.outcome_on = decided_on
    notice.outcome_note = note.strip()
    notice.save(update_fields=["outcome", "outcome_on", "outcome_note"])
    record_audit(
        "warning_notice.outcome",
        actor=actor,
        object_type="warning_notice",
        object_id=notice.pk,
        urn=notice.urn,
        outcome=outcome,
        decided_on=_iso(decided_on),
    )


@transaction.atomic
def record_reasonable_notice(
    notice: WarningNotice, *, actor: Actor, given_on: date, note: str = ""
) -> None:
    """Record the reasonable written notice that the authority proposes to use its powers
    (s60(1)(d)), the last condition of eligibility. Needs the outcome "not complied".
    Writes ``warning_notice.reasonable_notice``."""
    if notice.outcome != clocks.Outcome.NOT_COMPLIED:
        raise ValidationError(
            "Reasonable notice of powers follows a decision that the governing body did "
            "not comply: record that outcome first."
        )
    if notice.reasonable_notice_on is not None:
        raise ValidationError(
            f"Reasonable notice is recorded already ({_when(notice.reasonable_notice_on)})."
        )
    errors: Errors = {}
    _check_day(
        errors,
        "given_on",
        given_on,
        "the date notice was given",
        not_before=(notice.issued_on, "the warning notice was given"),
    )
    _raise_if(errors)
    notice.reasonable_notice_on = given_on
    notice.reasonable_notice_note = note.strip()
    notice.save(update_fields=["reasonable_notice_on", "reasonable_notice_note"])
    record_audit(
        "warning_notice.reasonable_notice",
        actor=actor,
        object_type="warning_notice",
        object_id=notice.pk,
        urn=notice.urn,
        given_on=_iso(given_on),
    )


def _board_in_place(urn: int, on: date) -> InterimExecutiveBoard | None:
    return (
        InterimExecutiveBoard.objects.filter(urn=urn, constituted_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .first()
    )


def _check_power(
    notice: WarningNotice, power: clocks.Power, used_on: date, errors: Errors, field: str
) -> str | None:
    """Add the law's objections to using ``power`` on ``used_on``; return any warning.

    Objections about the date go on ``field``; the others on the power, or the case."""
    check = clocks.power_use_problems(notice.facts(()), power, used_on)
    if check.problem:
        where = {"used_on": field, "power": "power"}.get(check.field, NON_FIELD_ERRORS)
        _add(errors, where, check.problem)
    if power == clocks.Power.ADDITIONAL_GOVERNORS and _board_in_place(notice.urn, used_on):
        _add(
            errors,
            field,
            "The LA cannot appoint additional governors while an interim executive board "
            "is in place (EIA 2006 Sch 6 para 14).",
        )
    return check.warning or None


@transaction.atomic
def record_power_used(
    notice: WarningNotice,
    *,
    actor: Actor,
    power: str,
    used_on: date,
    dfe_notified_on: date | None = None,
    note: str = "",
) -> tuple[InterventionPowerUse, str | None]:
    """Record an intervention power used because ``notice`` was not complied with.

    Refuses a power the notice does not unlock (s63 after a pay and conditions
    notice), use before the school is eligible (outcome, reasonable notice, end of
    the compliance period), use after a verified powers window closed (s63(3),
    s64(2)), and additional governors while an interim executive board is in place.
    Returns the record and a warning when only an unverified window was missed.
    Interim executive boards are recorded with :func:`propose_ieb` and constituted
    with :func:`constitute_ieb`, which records the s65 use. Writes
    ``warning_notice.power_used``.
    """
    errors: Errors = {}
    warning: str | None = None
    power_value = clocks.Power(power) if power in set(clocks.Power) else None
    if power_value is None:
        _add(errors, "power", "Choose the power used.")
    elif power_value == clocks.Power.INTERIM_EXECUTIVE_BOARD:
        _add(
            errors,
            "power",
            "Propose an interim executive board from the school's page: it needs the "
            "Secretary of State's consent, and constituting it records the s65 power.",
        )
    _check_day(errors, "used_on", used_on, "the date the power was used")
    if dfe_notified_on is not None and used_on is not None:
        _check_day(
            errors,
            "dfe_notified_on",
            dfe_notified_on,
            "the date the DfE was told",
            not_before=(used_on, "the power was used"),
        )
    if power_value is not None and used_on is not None and "power" not in errors:
        warning = _check_power(notice, power_value, used_on, errors, "used_on")
    _raise_if(errors)
    assert power_value is not None
    return _use_power(notice, power_value, used_on, dfe_notified_on, note, warning, actor), warning


def _use_power(
    notice: WarningNotice,
    power: clocks.Power,
    used_on: date,
    dfe_notified_on: date | None,
    note: str,
    warning: str | None,
    actor: Actor,
) -> InterventionPowerUse:
    use = InterventionPowerUse.objects.create(
        notice=notice,
        power=power,
        used_on=used_on,
        dfe_notified_on=dfe_notified_on,
        note=note.strip(),
    )
    record_audit(
        "warning_notice.power_used",
        actor=actor,
        object_type="warning_notice",
        object_id=notice.pk,
        urn=notice.urn,
        power=str(power),
        used_on=_iso(used_on),
        dfe_notified_on=_iso(dfe_notified_on),
        warning=warning or "",
    )
    return use


@transaction.atomic
def record_dfe_notified(use: InterventionPowerUse, *, actor: Actor, notified_on: date) -> None:
    """Record that the DfE was told of a power's use: LAs must tell the department when
    they use their intervention powers (DOMAIN.md 1.1 [S], 10.3). Writes
    ``warning_notice.dfe_notified``."""
    if use.dfe_notified_on is not None:
        raise ValidationError(f"The DfE was told already ({_when(use.dfe_notified_on)}).")
    errors: Errors = {}
    _check_day(
        errors,
        "notified_on",
        notified_on,
        "the date the DfE was told",
        not_before=(use.used_on, "the power was used"),
    )
    _raise_if(errors)
    use.dfe_notified_on = notified_on
    use.save(update_fields=["dfe_notified_on"])
    record_audit(
        "warning_notice.dfe_notified",
        actor=actor,
        object_type="warning_notice",
        object_id=use.notice_id,
        power=use.power,
        notified_on=_iso(notified_on),
    )


# --- Interim executive boards ----------------------------------------------------------

NOTICE_GROUNDS = {
    clocks.EligibilityGround.WARNING_NOTICE: clocks.NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY,
    clocks.EligibilityGround.PAY_WARNING_NOTICE: clocks.NoticeKind.PAY_AND_CONDITIONS,
}


def _board_detail(board: InterimExecutiveBoard) -> dict[str, Any]:
    return {"urn": board.urn, "ground": board.ground, "warning_notice": board.warning_notice_id}


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
    _refuse_unless_maintained(school, "an interim executive board")
    errors: Errors = {}
    ground_value = (
        clocks.EligibilityGround(ground) if ground in set(clocks.EligibilityGround) else None
    )
    if ground_value is None:
        _add(errors, "ground", "Choose why the school is eligible for intervention.")
    _check_day(errors, "proposed_on", proposed_on, "the date of the proposal")
    kind = NOTICE_GROUNDS.get(ground_value) if ground_value else None
    if kind is not None:
        if warning_notice is None:
            _add(errors, "warning_notice", "Choose the warning notice the board rests on.")
        elif (
            warning_notice.urn != school.urn
            or warning_notice.kind != kind
            or warning_notice.outcome != clocks.Outcome.NOT_COMPLIED
        ):
            _add(
                errors,
                "warning_notice",
                "Choose a warning notice of this kind, given to this school and not complied with.",
            )
    elif warning_notice is not None:
        _add(errors, "warning_notice", "Only a board resting on a warning notice names one.")
    current = (
        InterimExecutiveBoard.objects.filter(urn=school.urn, ended_on__isnull=True)
        .exclude(consent_decision=clocks.ConsentDecision.REFUSED)
        .exists()
    )
    if current:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            f"{school.name} has an interim executive board proposed or in place already."
        )
    _raise_if(errors)
    board = InterimExecutiveBoard.objects.create(
        urn=school.urn,
        ground=ground,
        warning_notice=warning_notice if kind is not None else None,
        proposed_on=proposed_on,
        note=note.strip(),
        created_by=actor_fields(actor)["actor"],
    )
    record_audit(
        "ieb.proposed",
        actor=actor,
        object_type="interim_executive_board",
        object_id=board.pk,
        proposed_on=_iso(proposed_on),
        **_board_detail(board),
    )
    return board


def _board_is_open(board: InterimExecutiveBoard) -> None:
    if board.ended_on is not None:
        raise ValidationError(f"This board ended on {_when(board.ended_on)}.")
    if board.consent_decision == clocks.ConsentDecision.REFUSED:
        raise ValidationError("The Secretary of State refused consent for this board.")


@transaction.atomic
def request_ieb_consent(board: InterimExecutiveBoard, *, actor: Actor, requested_on: date) -> None:
    """Record that the LA asked the Secretary of State to consent to the board (s65).
    Writes ``ieb.consent_requested``."""
    _board_is_open(board)
    if board.consent_requested_on is not None:
        raise ValidationError(
            f"Consent was requested already ({_when(board.consent_requested_on)})."
        )
    errors: Errors = {}
    _check_day(
        errors,
        "requested_on",
        requested_on,
        "the date consent was requested",
        not_before=(board.proposed_on, "the board was proposed"),
    )
    _raise_if(errors)
    board.consent_requested_on = requested_on
    board.save(update_fields=["consent_requested_on"])
    record_audit(
        "ieb.consent_requested",
        actor=actor,
        object_type="interim_executive_board",
        object_id=board.pk,
        urn=board.urn,
        requested_on=_iso(requested_on),
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
        _add(errors, "decision", "Choose granted or refused.")
    _check_day(
        errors,
        "decided_on",
        decided_on,
        "the date of the decision",
        not_before=(board.consent_requested_on, "consent was requested"),
    )
    _raise_if(errors)
    board.consent_decision = decision
    board.consent_decision_on = decided_on
    board.save(update_fields=["consent_decision", "consent_decision_on"])
    record_audit(
        "ieb.consent_decided",
        actor=actor,
        object_type="interim_executive_board",
        object_id=board.pk,
        urn=board.urn,
        decision=decision,
        decided_on=_iso(decided_on),
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
        raise ValidationError(f"The board was constituted already ({_when(board.constituted_on)}).")
    if board.consent_decision != clocks.ConsentDecision.GRANTED:
        raise ValidationError(
            "An interim executive board needs the Secretary of State's consent (EIA 2006 "
            "s65): record that consent first."
        )
    errors: Errors = {}
    assert board.consent_decision_on is not None
    _check_day(
        errors,
        "constituted_on",
        constituted_on,
        "the date the board takes over",
        not_before=(board.consent_decision_on, "consent was granted"),
        future_ok=True,
    )
    if member_count is None or member_count < clocks.IEB_RULES.min_members:
        _add(
            errors,
            "member_count",
            f"An interim executive board has at least {clocks.IEB_RULES.min_members} members "
            "(EIA 2006 Sch 6 para 4(1)).",
        )
    warning: str | None = None
    notice = board.warning_notice
    if notice is not None and constituted_on is not None:
        warning = _check_power(
            notice, clocks.Power.INTERIM_EXECUTIVE_BOARD, constituted_on, errors, "constituted_on"
        )
    _raise_if(errors)
    board.constituted_on = constituted_on
    board.member_count = member_count
    board.members = members.strip()
    board.save(update_fields=["constituted_on", "member_count", "members"])
    record_audit(
        "ieb.constituted",
        actor=actor,
        object_type="interim_executive_board",
        object_id=board.pk,
        urn=board.urn,
        constituted_on=_iso(constituted_on),
        member_count=member_count,
        warning=warning or "",
    )
    if notice is not None:
        _use_power(
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
    errors: Errors = {}
    _check_day(
        errors,
        "ended_on",
        ended_on,
        "the date the board ended",
        not_before=(board.constituted_on, "the board took over"),
    )
    _raise_if(errors)
    board.ended_on = ended_on
    board.end_note = note.strip()
    board.save(update_fields=["ended_on", "end_note"])
    record_audit(
        "ieb.ended",
        actor=actor,
        object_type="interim_executive_board",
        object_id=board.pk,
        urn=board.urn,
        ended_on=_iso(ended_on),
    )


# --- Concerns about academies -----------------------------------------------------------


@transaction.atomic
def raise_academy_concern(
    school: Establishment, *, actor: Actor, raised_with_trust_on: date, concern: str
) -> AcademyConcern:
    """Record a concern about an academy raised with its trust.

    Refuses a school that is not an academy: the LA's statutory route there is a
    warning notice. Writes ``academy_concern.raised``.
    """
    _refuse_unless_academy(school)
    errors: Errors = {}
    _check_day(errors, "raised_with_trust_on", raised_with_trust_on, "the date it was raised")
    if not concern.strip():
        _add(errors, "concern", "Enter the concern.")
    _raise_if(errors)
    case = AcademyConcern.objects.create(
        urn=school.urn,
        trust_name=school.trust_name,
        concern=concern.strip(),
        raised_with_trust_on=raised_with_trust_on,
        created_by=actor_fields(actor)["actor"],
    )
    record_audit(
        "academy_concern.raised",
        actor=actor,
        object_type="academy_concern",
        object_id=case.pk,
        urn=case.urn,
        trust=case.trust_name,
        raised_with_trust_on=_iso(raised_with_trust_on),
    )
    return case


def _concern_is_open(case: AcademyConcern) -> None:
    if case.status != clocks.ConcernStatus.OPEN:
        raise ValidationError("This concern is closed.")


@transaction.atomic
def record_trust_response(
    case: AcademyConcern, *, actor: Actor, responded_on: date, response: str
) -> None:
    """Record the trust's answer. Writes ``academy_concern.trust_responded``."""
    _concern_is_open(case)
    if case.trust_response_on is not None:
        raise ValidationError("The trust's response is recorded already.")
    errors: Errors = {}
    _check_day(
        errors,
        "responded_on",
        responded_on,
        "the date the trust responded",
        not_before=(case.raised_with_trust_on, "the concern was raised"),
    )
    if not response.strip():
        _add(errors, "response", "Enter what the trust said.")
    _raise_if(errors)
    case.trust_response_on = responded_on
    case.trust_response = response.strip()
    case.save(update_fields=["trust_response_on", "trust_response"])
    record_audit(
        "academy_concern.trust_responded",
        actor=actor,
        object_type="academy_concern",
        object_id=case.pk,
        urn=case.urn,
        responded_on=_iso(responded_on),
    )


@transaction.atomic
def refer_to_regional_director(
    case: AcademyConcern, *, actor: Actor, referred_on: date, note: str = ""
) -> None:
    """Record that the LA referred the concern to the DfE regional director.
    Writes ``academy_concern.referred``."""
    _concern_is_open(case)
    if case.referred_to_rd_on is not None:
        raise ValidationError("The referral is recorded already.")
    errors: Errors = {}
    _check_day(
        errors,
        "referred_on",
        referred_on,
        "the date of the referral",
        not_before=(case.raised_with_trust_on, "the concern was raised"),
    )
    _raise_if(errors)
    case.referred_to_rd_on = referred_on
    case.referral_note = note.strip()
    case.save(update_fields=["referred_to_rd_on", "referral_note"])
    record_audit(
        "academy_concern.referred",
        actor=actor,
        object_type="academy_concern",
        object_id=case.pk,
        urn=case.urn,
        referred_on=_iso(referred_on),
    )


@transaction.atomic
def record_rd_response(
    case: AcademyConcern, *, actor: Actor, responded_on: date, response: str
) -> None:
    """Record the regional director's answer. Writes ``academy_concern.rd_responded``."""
    _concern_is_open(case)
    if case.referred_to_rd_on is None:
        raise ValidationError("Record the referral to the regional director first.")
    if case.rd_response_on is not None:
        raise ValidationError("The regional director's response is recorded already.")
    errors: Errors = {}
    _check_day(
        errors,
        "responded_on",
        responded_on,
        "the date the regional director responded",
        not_before=(case.referred_to_rd_on, "the referral"),
    )
    if not response.strip():
        _add(errors, "response", "Enter what the regional director said.")
    _raise_if(errors)
    case.rd_response_on = responded_on
    case.rd_response = response.strip()
    case.save(update_fields=["rd_response_on", "rd_response"])
    record_audit(
        "academy_concern.rd_responded",
        actor=actor,
        object_type="academy_concern",
        object_id=case.pk,
        urn=case.urn,
        responded_on=_iso(responded_on),
    )


@transaction.atomic
def close_academy_concern(
    case: AcademyConcern, *, actor: Actor, status: str, closed_on: date, note: str = ""
) -> None:
    """Close a concern as resolved or without resolution. Writes ``academy_concern.closed``."""
    _concern_is_open(case)
    errors: Errors = {}
    if status not in (clocks.ConcernStatus.RESOLVED, clocks.ConcernStatus.CLOSED):
        _add(errors, "status", "Choose resolved or closed without resolution.")
    _check_day(
        errors,
        "closed_on",
        closed_on,
        "the date it was closed",
        not_before=(case.raised_with_trust_on, "the concern was raised"),
    )
    _raise_if(errors)
    case.status = status
    case.closed_on = closed_on
    case.closing_note = note.strip()
    case.save(update_fields=["status", "closed_on", "closing_note"])
    record_audit(
        "academy_concern.closed",
        actor=actor,
        object_type="academy_concern",
        object_id=case.pk,
        urn=case.urn,
        status=status,
        closed_on=_iso(closed_on),
    )
