"""Support requests: raising one from a school's needs, and withdrawing it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from convenor.brokerage.models import (
    DEFAULT_DAYS_PER_TERM,
    Band,
    Expertise,
    FundingSource,
    RequestStatus,
    SupportRequest,
    Urgency,
)
from convenor.brokerage.models.vocabulary import choice_problems
from convenor.brokerage.services.common import (
    Errors,
    add_error,
    as_decimal,
    check_choice,
    check_order,
    check_past,
    check_text,
    iso,
    money,
    raise_if,
    school_or_error,
    today,
)
from convenor.core.services import Actor, actor_fields, record_audit
from convenor.intelligence.models import CategoryDecision
from convenor.schools.querysets import lineage_of


def request_detail(request: SupportRequest) -> dict[str, Any]:
    """What the audit trail keeps of a request (never its notes, which may name staff)."""
    return {
        "urn": request.urn,
        "la_code": request.la_code,
        "areas": list(request.areas),
        "intensity": request.intensity,
        "urgency": request.urgency,
        "funding_source": request.funding_source,
        "days_per_term": money(Decimal(request.days_per_term)),
        "prompted_by": request.prompted_by_id,
        "raised_on": iso(request.raised_on),
        "synthetic": request.synthetic,
    }


@transaction.atomic
def raise_request(
    *,
    actor: Actor,
    urn: int,
    areas: Sequence[str],
    intensity: str,
    urgency: str,
    funding_source: str,
    raised_on: date | None = None,
    days_per_term: Decimal | int | None = None,
    notes: str = "",
    prompted_by: CategoryDecision | None = None,
    synthetic: bool = False,
) -> SupportRequest:
    """Raise a request for support for the school ``urn``.

    ``areas`` are areas of need from the expertise list. ``days_per_term`` defaults
    by intensity (high 12, medium 6, low 3). ``prompted_by``, the category decision
    behind the request, must be about the same school (under any of its URNs).
    Refused when the school is not open in the register, or already has a live
    request naming one of the same areas. Raises ``ValidationError`` keyed by
    argument name. Writes a ``support_request.raised`` audit event.
    """
    errors: Errors = {}
    school = school_or_error(errors, "urn", urn)
    if school is not None and not school.is_open:
        add_error(errors, "urn", f"{school.name} is not open ({school.status}).")
    if school is not None and school.la_code is None:
        add_error(errors, "urn", f"The register gives no LA for {school.name}.")
    for problem in choice_problems(list(areas), Expertise, "area of need"):
        add_error(errors, "areas", problem)
    check_choice(errors, "intensity", intensity, Band, "how intensive the need is")
    check_choice(errors, "urgency", urgency, Urgency, "how urgent it is")
    check_choice(errors, "funding_source", funding_source, FundingSource, "how it will be paid for")
    day = raised_on or today()
    check_past(errors, "raised_on", day, "the date the request was raised")
    days = days_per_term if days_per_term is not None else DEFAULT_DAYS_PER_TERM.get(intensity)
    number = as_decimal(errors, "days_per_term", days, "the days needed a term")
    if number is not None and number <= 0:
        add_error(errors, "days_per_term", "The days needed a term must be more than 0.")
    if prompted_by is not None and prompted_by.urn not in lineage_of(urn):
        add_error(errors, "prompted_by", "That category decision is about another school.")
    already = [
        area
        for live in SupportRequest.objects.live().filter(urn=urn)
        for area in live.areas
        if area in areas
    ]
    if already:
        labels = ", ".join(sorted({Expertise(a).label for a in already}))
        add_error(errors, "areas", f"This school already has a live request for: {labels}.")
    raise_if(errors)
    assert school is not None and school.la_code is not None and number is not None
    request = SupportRequest.objects.create(
        urn=urn,
        la_code=school.la_code,
        areas=list(areas),
        intensity=intensity,
        urgency=urgency,
        funding_source=funding_source,
        days_per_term=number,
        notes=notes.strip(),
        prompted_by=prompted_by,
        raised_on=day,
        raised_by=actor_fields(actor)["actor"],
        synthetic=synthetic,
    )
    record_audit(
        "support_request.raised",
        actor=actor,
        object_type="support_request",
        object_id=request.pk,
        **request_detail(request),
    )
    return request


@transaction.atomic
def withdraw_request(
    request: SupportRequest, *, actor: Actor, reason: str, on: date | None = None
) -> SupportRequest:
    """Withdraw a request that has no plan yet; it stays on record, marked withdrawn.

    A request with a plan is ended by the plan's review instead. Its undecided
    proposals are marked superseded so no board decides them; an approved match
    stays approved and stops holding its provider's days. Writes ``support_request.withdrawn``.
    """
    from convenor.brokerage.models import Match, MatchStatus

    current = SupportRequest.objects.select_for_update().get(pk=request.pk)
    day = on or today()
    errors: Errors = {}
    if not current.is_live:
        add_error(errors, "request", f"This request is already {current.get_status_display()}.")
    elif current.plans.exists():
        add_error(errors, "request", "This request has a plan: stop the plan at a review instead.")
    check_text(errors, "reason", reason, "why the request is withdrawn")
    check_past(errors, "on", day, "the date it was withdrawn")
    check_order(errors, "on", day, current.raised_on, "the date", "it was raised")
    raise_if(errors)
    superseded = Match.objects.filter(request=current, status=MatchStatus.PROPOSED).update(
        status=MatchStatus.SUPERSEDED
    )
    current.status = RequestStatus.WITHDRAWN
    current.withdrawn_on = day
    current.withdrawn_by = actor_fields(actor)["actor"]
    current.withdrawn_reason = reason.strip()
    current.save(update_fields=["status", "withdrawn_on", "withdrawn_by", "withdrawn_reason"])
    request.refresh_from_db()
    record_audit(
        "support_request.withdrawn",
        actor=actor,
        object_type="support_request",
        object_id=current.pk,
        urn=current.urn,
        on=iso(day),
        proposals_superseded=superseded,
    )
    return current
