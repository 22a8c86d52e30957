"""Warning notices: giving one, its copies, representations, outcome and reasonable notice
of powers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from convenor.core.services import Actor, actor_fields
from convenor.intelligence import interventions as clocks
from convenor.intelligence.models import (
    WarningNotice,
    WarningNoticeCopy,
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
from convenor.schools.models import Establishment


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
        "kind": notice.kind,
        "grounds": [str(g) for g in notice.grounds],
        "issued_on": iso(notice.issued_on),
        "issued_by": notice.issued_by,
        "compliance_ends_on": iso(notice.compliance_ends_on),
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
    refuse_unless_maintained(school, "a warning notice")
    errors: Errors = {}
    kind_value = clocks.NoticeKind(kind) if kind in set(clocks.NoticeKind) else None
    issuer = clocks.Issuer(issued_by) if issued_by in set(clocks.Issuer) else None
    chosen = {clocks.Ground(g) for g in grounds if g in set(clocks.Ground)}
    if kind_value is None:
        add_error(errors, "kind", "Choose the kind of warning notice.")
    if issuer is None:
        add_error(errors, "issued_by", "Choose who gave the notice.")
    check_day(errors, "issued_on", issued_on, "the date the notice was given")
    if issued_on is not None and school.close_date and issued_on > school.close_date:
        add_error(errors, "issued_on", f"{school.name} closed on {when(school.close_date)}.")
    rules = clocks.notice_rules(issued_on) if issued_on else None
    if issued_on is not None and rules is None:
        add_error(
            errors,
            "issued_on",
            "Warning notices before 1 April 2007 were given under SSFA 1998 s15, which "
            "convenor does not model.",
        )
    if rules is not None and kind_value is not None:
        if kind_value not in rules.kinds:
            add_error(
                errors,
                "kind",
                "Teachers' pay and conditions warning notices (s60A) exist only from "
                "12 January 2010.",
            )
        elif issuer is not None and issuer not in rules.issuers[kind_value]:
            add_error(
                errors,
                "issued_by",
                "Only the local authority may give a teachers' pay and conditions warning "
                "notice (s60A)."
                if kind_value == clocks.NoticeKind.PAY_AND_CONDITIONS
                else "The Secretary of State could give warning notices only from "
                "18 April 2016 (Education and Adoption Act 2016).",
            )
    if kind_value == clocks.NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY and not chosen:
        add_error(errors, "grounds", "Choose at least one ground from s60(2).")
    if kind_value == clocks.NoticeKind.PAY_AND_CONDITIONS and chosen:
        add_error(
            errors,
            "grounds",
            "The s60(2) grounds are for performance standards and safety notices; a pay "
            "and conditions notice has none.",
        )
    if compliance_ends_on is None:
        add_error(errors, "compliance_ends_on", "Enter the last day of the compliance period.")
    elif issued_on is not None and kind_value is not None and rules is not None:
        earliest = clocks.earliest_compliance_end(kind_value, issued_on)
        if compliance_ends_on < earliest:
            add_error(
                errors,
                "compliance_ends_on",
                f"The compliance period must run at least {rules.min_compliance_working_days} "
                f"working days from the notice, so it cannot end before {when(earliest)}."
                if rules.min_compliance_working_days
                else "The compliance period cannot end before the notice was given.",
            )
    if not reasons.strip():
        add_error(errors, "reasons", "Enter the matters the conclusion is based on.")
    if not action_required.strip():
        add_error(errors, "action_required", "Enter the action the governing body must take.")
    if issuer == clocks.Issuer.LOCAL_AUTHORITY and issued_on is not None:
        blocking = _notices_in_effect(school.urn, clocks.Issuer.SECRETARY_OF_STATE, issued_on)
        if blocking and sos_permission_on is None:
            add_error(
                errors,
                "sos_permission_on",
                f"The Secretary of State gave {school.name} a warning notice on "
                f"{when(blocking[0].issued_on)}: the LA may not give one until told it may "
                "(s60(4A)). Enter the date it was told.",
            )
        elif blocking and sos_permission_on is not None:
            latest = max(n.issued_on for n in blocking)
            if not latest <= sos_permission_on <= issued_on:
                add_error(
                    errors,
                    "sos_permission_on",
                    "The Secretary of State's permission must come between their notice "
                    f"({when(latest)}) and the LA's.",
                )
    raise_if(errors)
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
    audit_case("warning_notice.given", notice, actor=actor, **_notice_detail(notice))
    if issuer == clocks.Issuer.SECRETARY_OF_STATE:
        for earlier in _notices_in_effect(school.urn, clocks.Issuer.LOCAL_AUTHORITY, issued_on):
            if earlier.outcome:
                continue  # not complied: the school's eligibility stands as it was
            earlier.outcome = clocks.Outcome.SUPERSEDED
            earlier.outcome_on = issued_on
            earlier.outcome_note = f"Superseded by the Secretary of State's notice {notice.pk}."
            earlier.save(update_fields=["outcome", "outcome_on", "outcome_note"])
            audit_case(
                "warning_notice.superseded",
                earlier,
                actor=actor,
                by_notice=notice.pk,
                on=iso(issued_on),
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
        add_error(errors, "recipient", "Choose who the copy went to.")
    elif notice.copies.filter(recipient=recipient).exists():
        label = clocks.in_sentence(clocks.RECIPIENT_LABELS[clocks.Recipient(recipient)])
        add_error(errors, "recipient", f"A copy to {label} is recorded already.")
    check_day(
        errors,
        "sent_on",
        sent_on,
        "the date the copy was sent",
        not_before=(notice.issued_on, "the notice was given"),
    )
    raise_if(errors)
    copy = WarningNoticeCopy.objects.create(notice=notice, recipient=recipient, sent_on=sent_on)
    audit_case(
        "warning_notice.copy_sent",
        notice,
        actor=actor,
        recipient=recipient,
        sent_on=iso(sent_on),
    )
    return copy


@transaction.atomic
def record_representations(notice: WarningNotice, *, actor: Actor, made_on: date) -> None:
    """Record representations against a notice given before 18 April 2016.

    The right was removed by the Education and Adoption Act 2016 (DOMAIN.md 1.3);
    representations are taken to fall within the compliance period [U]. Writes
    ``warning_notice.representations``.
    """
    rules = clocks.notice_rules(notice.issued_on)
    reviewer = rules.representations_to.get(clocks.NoticeKind(notice.kind)) if rules else None
    if reviewer is None:
        raise ValidationError(
            "Representations against warning notices ended on 18 April 2016 (Education and "
            "Adoption Act 2016); this notice was given later."
        )
    if notice.representations_on is not None:
        raise ValidationError(
            f"Representations are recorded already ({when(notice.representations_on)})."
        )
    record_dated_step(
        notice,
        actor=actor,
        action="warning_notice.representations",
        day=("made_on", made_on, "the date representations were made"),
        not_before=(notice.issued_on, "the notice was given"),
        checks=[
            (
                "made_on",
                made_on is not None and made_on > notice.compliance_ends_on,
                "Representations are made within the compliance period.",
            )
        ],
        changes={"representations_on": made_on},
        detail={"to": reviewer},
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
        add_error(errors, "outcome", "Choose complied, not complied or withdrawn.")
    too_soon = (
        outcome == clocks.Outcome.NOT_COMPLIED
        and decided_on is not None
        and decided_on <= notice.compliance_ends_on
    )
    record_dated_step(
        notice,
        actor=actor,
        action="warning_notice.outcome",
        day=("decided_on", decided_on, "the date of the decision"),
        not_before=(notice.issued_on, "the notice was given"),
        errors=errors,
        checks=[
            (
                "decided_on",
                too_soon,
                "A governing body has until the end of the compliance period "
                f"({when(notice.compliance_ends_on)}) to comply: decide after it.",
            )
        ],
        changes={"outcome": outcome, "outcome_on": decided_on, "outcome_note": note.strip()},
        detail={"outcome": outcome},
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
            f"Reasonable notice is recorded already ({when(notice.reasonable_notice_on)})."
        )
    record_dated_step(
        notice,
        actor=actor,
        action="warning_notice.reasonable_notice",
        day=("given_on", given_on, "the date notice was given"),
        not_before=(notice.issued_on, "the warning notice was given"),
        changes={"reasonable_notice_on": given_on, "reasonable_notice_note": note.strip()},
    )
