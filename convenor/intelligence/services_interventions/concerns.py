"""Concerns about academies raised with the trust and the regional director."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from convenor.core.services import Actor, actor_fields
from convenor.intelligence import interventions as clocks
from convenor.intelligence.models import (
    AcademyConcern,
)
from convenor.intelligence.services_interventions.common import (
    Errors,
    add_error,
    audit_case,
    check_day,
    iso,
    raise_if,
    record_dated_step,
    refuse_unless_academy,
)
from convenor.schools.models import Establishment


@transaction.atomic
def raise_academy_concern(
    school: Establishment, *, actor: Actor, raised_with_trust_on: date, concern: str
) -> AcademyConcern:
    """Record a concern about an academy raised with its trust.

    Refuses a school that is not an academy: the LA's statutory route there is a
    warning notice. Writes ``academy_concern.raised``.
    """
    refuse_unless_academy(school)
    errors: Errors = {}
    check_day(errors, "raised_with_trust_on", raised_with_trust_on, "the date it was raised")
    if not concern.strip():
        add_error(errors, "concern", "Enter the concern.")
    raise_if(errors)
    case = AcademyConcern.objects.create(
        urn=school.urn,
        trust_name=school.trust_name,
        concern=concern.strip(),
        raised_with_trust_on=raised_with_trust_on,
        created_by=actor_fields(actor)["actor"],
    )
    audit_case(
        "academy_concern.raised",
        case,
        actor=actor,
        trust=case.trust_name,
        raised_with_trust_on=iso(raised_with_trust_on),
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
    record_dated_step(
        case,
        actor=actor,
        action="academy_concern.trust_responded",
        day=("responded_on", responded_on, "the date the trust responded"),
        not_before=(case.raised_with_trust_on, "the concern was raised"),
        checks=[("response", not response.strip(), "Enter what the trust said.")],
        changes={"trust_response_on": responded_on, "trust_response": response.strip()},
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
    record_dated_step(
        case,
        actor=actor,
        action="academy_concern.referred",
        day=("referred_on", referred_on, "the date of the referral"),
        not_before=(case.raised_with_trust_on, "the concern was raised"),
        changes={"referred_to_rd_on": referred_on, "referral_note": note.strip()},
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
    record_dated_step(
        case,
        actor=actor,
        action="academy_concern.rd_responded",
        day=("responded_on", responded_on, "the date the regional director responded"),
        not_before=(case.referred_to_rd_on, "the referral"),
        checks=[("response", not response.strip(), "Enter what the regional director said.")],
        changes={"rd_response_on": responded_on, "rd_response": response.strip()},
    )


@transaction.atomic
def close_academy_concern(
    case: AcademyConcern, *, actor: Actor, status: str, closed_on: date, note: str = ""
) -> None:
    """Close a concern as resolved or without resolution. Writes ``academy_concern.closed``."""
    _concern_is_open(case)
    errors: Errors = {}
    if status not in (clocks.ConcernStatus.RESOLVED, clocks.ConcernStatus.CLOSED):
        add_error(errors, "status", "Choose resolved or closed without resolution.")
    record_dated_step(
        case,
        actor=actor,
        action="academy_concern.closed",
        day=("closed_on", closed_on, "the date it was closed"),
        not_before=(case.raised_with_trust_on, "the concern was raised"),
        errors=errors,
        changes={"status": status, "closed_on": closed_on, "closing_note": note.strip()},
        detail={"status": status},
    )
