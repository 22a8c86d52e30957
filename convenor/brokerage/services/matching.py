"""Matching runs and the decisions on their proposals: approve, override, reject.

The matching itself is pure (``convenor.analytics.matching``); a run's result comes
here as :class:`ProposedMatch` values, one a request, and is stored with the run's
settings and totals. Only people decide: a board member or LA officer approves a
proposal, overrides it with another provider and a reason, or rejects it with a
reason. No run or decision lets a provider hold more places in a band than it offers:
each live assignment (an approved match whose request is still matched) holds one place
in the band of its request's intensity (:mod:`convenor.brokerage.capacity`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from convenor.brokerage.capacity import BANDS
from convenor.brokerage.models import (
    Match,
    MatchingRun,
    MatchStatus,
    RequestStatus,
    SupportProvider,
    SupportRequest,
)
from convenor.brokerage.services.common import (
    Errors,
    add_error,
    check_order,
    check_past,
    check_text,
    iso,
    raise_if,
    today,
)
from convenor.core.services import Actor, actor_fields, record_audit


@dataclass(frozen=True)
class ProposedMatch:
    """One proposal of a run: a provider for a request, its cost and why."""

    request_id: int
    provider_id: int
    cost: float
    explanation: Mapping[str, Any] = field(default_factory=dict)


def _places(n: int, band: str) -> str:
    return f"{n} {band}-intensity place{'' if n == 1 else 's'}"


def _places_problems(provider: SupportProvider, wanted: Mapping[str, int]) -> list[str]:
    """Messages for each band in which ``wanted`` more places would take the provider past
    the places it offers, given those its live assignments hold already."""
    held = Match.objects.places_held([provider.pk])[provider.pk]
    offered = provider.places
    problems = []
    for band in BANDS:
        need = wanted.get(band, 0)
        if need and held[band] + need > offered[band]:
            problems.append(
                f"{provider.name} has no {band}-intensity place left this term: it offers "
                f"{offered[band]} and approved matches hold {held[band]}."
                if need == 1
                else f"{provider.name} would hold {_places(held[band] + need, band)} this "
                f"term, more than the {offered[band]} it offers (approved matches hold "
                f"{held[band]} already)."
            )
    return problems


@transaction.atomic
def store_matching_run(
    *,
    actor: Actor,
    la_code: int,
    as_at: date,
    method: str,
    proposals: Sequence[ProposedMatch],
    settings: Mapping[str, Any] | None = None,
    totals: Mapping[str, Any] | None = None,
) -> MatchingRun:
    """Store a matching run over an LA's open requests as at ``as_at`` and its proposals.

    Each proposal's request must be one of the LA's open requests raised by
    ``as_at``, proposed once; each provider must be available on ``as_at``, and no
    provider may be given more places in a band than it offers less those it holds
    (a proposal takes one place in its request's band).
    Proposals of earlier runs still awaiting a decision in the LA are marked
    superseded. ``totals`` from the caller (say the greedy baseline's cost) are
    kept beside the proposals' count and cost. Raises ``ValidationError``. Writes a
    ``matching_run.stored`` audit event.
    """
    errors: Errors = {}
    check_past(errors, "as_at", as_at, "the as-at date")
    check_text(errors, "method", method, "the matching method")
    request_ids = [p.request_id for p in proposals]
    if len(set(request_ids)) != len(request_ids):
        add_error(errors, "proposals", "A run proposes one provider a request.")
    requests = SupportRequest.objects.in_bulk(request_ids)
    providers = SupportProvider.objects.in_bulk({p.provider_id for p in proposals})
    for proposal in proposals:
        request = requests.get(proposal.request_id)
        if request is None or request.la_code != la_code:
            add_error(errors, "proposals", f"Request {proposal.request_id} is not one of the LA's.")
        elif request.status != RequestStatus.OPEN or request.raised_on > as_at:
            add_error(errors, "proposals", f"Request {request.pk} was not open on that date.")
        provider = providers.get(proposal.provider_id)
        if provider is None or not provider.available_on(as_at):
            add_error(
                errors, "proposals", f"Provider {proposal.provider_id} is not available then."
            )
    raise_if(errors)
    wanted: dict[int, Counter[str]] = defaultdict(Counter)
    for proposal in proposals:
        wanted[proposal.provider_id][requests[proposal.request_id].intensity] += 1
    for provider_id, bands in sorted(wanted.items()):
        for problem in _places_problems(providers[provider_id], bands):
            add_error(errors, "proposals", problem)
    raise_if(errors)
    superseded = Match.objects.filter(status=MatchStatus.PROPOSED, request__la_code=la_code).update(
        status=MatchStatus.SUPERSEDED
    )
    run = MatchingRun.objects.create(
        la_code=la_code,
        as_at=as_at,
        method=method.strip(),
        settings=dict(settings or {}),
        totals={
            **dict(totals or {}),
            "proposals": len(proposals),
            "cost": sum(p.cost for p in proposals),
        },
        run_by=actor_fields(actor)["actor"],
    )
    Match.objects.bulk_create(
        Match(
            run=run,
            request_id=p.request_id,
            provider_id=p.provider_id,
            cost=p.cost,
            explanation=dict(p.explanation),
        )
        for p in proposals
    )
    record_audit(
        "matching_run.stored",
        actor=actor,
        object_type="matching_run",
        object_id=run.pk,
        la_code=la_code,
        as_at=iso(as_at),
        method=run.method,
        totals=run.totals,
        proposals_superseded=superseded,
    )
    return run


def _decision_errors(match: Match, day: date) -> Errors:
    errors: Errors = {}
    if match.status != MatchStatus.PROPOSED:
        add_error(errors, "match", f"This match is already {match.get_status_display().lower()}.")
    elif match.request.status != RequestStatus.OPEN:
        add_error(errors, "match", f"The request is {match.request.get_status_display().lower()}.")
    check_past(errors, "on", day, "the date of the decision")
    check_order(errors, "on", day, match.request.raised_on, "the decision", "the request")
    return errors


def _locked(match: Match) -> Match:
    # Lock the request too: two decisions on one request must not both succeed.
    SupportRequest.objects.select_for_update().get(pk=match.request_id)
    return Match.objects.select_for_update().select_related("request", "provider").get(pk=match.pk)


def _decide(match: Match, actor: Actor, status: str, day: date, reason: str = "") -> None:
    match.status = status
    match.decided_on = day
    match.decided_by = actor_fields(actor)["actor"]
    match.decided_at = timezone.now()
    match.reason = reason.strip()
    match.save(update_fields=["status", "decided_on", "decided_by", "decided_at", "reason"])


def _assign(match: Match, errors: Errors, day: date) -> None:
    provider = match.provider
    if not provider.available_on(day):
        add_error(errors, "provider", f"{provider.name} is not available on that date.")
    for problem in _places_problems(provider, {match.request.intensity: 1}):
        add_error(errors, "provider", problem)


def _match_detail(match: Match) -> dict[str, Any]:
    return {
        "request": match.request_id,
        "urn": match.request.urn,
        "provider": match.provider_id,
        "run": match.run_id,
        "on": iso(match.decided_on),
    }


@transaction.atomic
def approve_match(match: Match, *, actor: Actor, on: date | None = None) -> Match:
    """Approve a proposal: the provider will support the school; the request is matched.

    Refused when the match is not awaiting a decision, its request is not open, the
    provider is not available on the day, or has no place left in the request's band.
    Writes a ``match.approved`` audit event.
    """
    current = _locked(match)
    day = on or today()
    errors = _decision_errors(current, day)
    if not errors:
        _assign(current, errors, day)
    raise_if(errors)
    _decide(current, actor, MatchStatus.APPROVED, day)
    SupportRequest.objects.filter(pk=current.request_id).update(status=RequestStatus.MATCHED)
    match.refresh_from_db()
    record_audit(
        "match.approved",
        actor=actor,
        object_type="match",
        object_id=current.pk,
        **_match_detail(current),
    )
    return current


@transaction.atomic
def override_match(
    match: Match,
    *,
    actor: Actor,
    provider: SupportProvider,
    reason: str,
    on: date | None = None,
) -> Match:
    """Choose ``provider`` instead of the one proposed, with a reason.

    The proposal is marked overridden and keeps the reason; a new approved match
    for ``provider`` replaces it, and the request is matched. The same checks as
    :func:`approve_match` apply to ``provider``. Returns the new match. Writes a
    ``match.overridden`` audit event (the reason stays on the match).
    """
    current = _locked(match)
    day = on or today()
    errors = _decision_errors(current, day)
    check_text(errors, "reason", reason, "why another provider is chosen")
    if provider.pk == current.provider_id:
        add_error(errors, "provider", "Choose a provider other than the one proposed.")
    chosen = Match(
        run=current.run,
        request=current.request,
        provider=provider,
        explanation={"chosen_instead_of": current.provider_id, "proposal": current.pk},
        replaces=current,
    )
    if not errors:
        _assign(chosen, errors, day)
    raise_if(errors)
    _decide(current, actor, MatchStatus.OVERRIDDEN, day, reason)
    chosen.status = MatchStatus.APPROVED
    chosen.decided_on = day
    chosen.decided_by = actor_fields(actor)["actor"]
    chosen.decided_at = timezone.now()
    chosen.reason = reason.strip()
    chosen.save()
    SupportRequest.objects.filter(pk=current.request_id).update(status=RequestStatus.MATCHED)
    match.refresh_from_db()
    record_audit(
        "match.overridden",
        actor=actor,
        object_type="match",
        object_id=current.pk,
        chosen_match=chosen.pk,
        chosen_provider=provider.pk,
        **_match_detail(current),
    )
    return chosen


@transaction.atomic
def reject_match(match: Match, *, actor: Actor, reason: str, on: date | None = None) -> Match:
    """Reject a proposal with a reason; the request stays open for the next run.
    Writes a ``match.rejected`` audit event (the reason stays on the match)."""
    current = _locked(match)
    day = on or today()
    errors = _decision_errors(current, day)
    check_text(errors, "reason", reason, "why the match is rejected")
    raise_if(errors)
    _decide(current, actor, MatchStatus.REJECTED, day, reason)
    match.refresh_from_db()
    record_audit(
        "match.rejected",
        actor=actor,
        object_type="match",
        object_id=current.pk,
        **_match_detail(current),
    )
    return current
