"""Support plans: made from an approved match, then milestones, visits, reviews, a rating."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Min

from convenor.brokerage.models import (
    Band,
    Match,
    MatchStatus,
    PlanMilestone,
    PlanReview,
    PlanStatus,
    PlanVisit,
    RequestStatus,
    ReviewDecision,
    SupportPlan,
    SupportRating,
    SupportRequest,
)
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
    today,
)
from convenor.brokerage.services.funding import tariff_in_force
from convenor.core.services import Actor, actor_fields, record_audit


def _user(actor: Actor) -> Any:
    return actor_fields(actor)["actor"]


def _check_milestones(
    errors: Errors, milestones: Sequence[tuple[str, date]], starts: date, ends: date
) -> None:
    for n, (title, due_on) in enumerate(milestones, start=1):
        if not title.strip():
            add_error(errors, "milestones", f"Milestone {n}: say what it is.")
        if not starts <= due_on <= ends:
            add_error(errors, "milestones", f"Milestone {n}: it must fall within the plan.")


@transaction.atomic
def create_plan(
    match: Match,
    *,
    actor: Actor,
    objectives: str,
    starts: date,
    ends: date,
    next_review_on: date,
    milestones: Sequence[tuple[str, date]] = (),
    tariff_band: str | None = None,
) -> SupportPlan:
    """Make the support plan for an approved match.

    The tariff band defaults to the request's intensity; its amount is the LA's
    tariff in force on ``starts`` (:func:`~convenor.brokerage.services.funding.tariff_in_force`).
    The plan starts on or after the decision, ends after it starts, and is first
    reviewed after it starts and no later than its end; ``milestones`` (title, due
    date) fall within it. Raises ``ValidationError`` keyed by argument name. Writes a
    ``support_plan.created`` audit event.
    """
    current = Match.objects.select_for_update().select_related("request").get(pk=match.pk)
    request = current.request
    band = tariff_band or request.intensity
    errors: Errors = {}
    if current.status != MatchStatus.APPROVED:
        add_error(errors, "match", "Only an approved match can have a plan.")
    elif SupportPlan.objects.filter(match=current).exists():
        add_error(errors, "match", "This match already has a plan.")
    elif request.status != RequestStatus.MATCHED:
        add_error(errors, "match", f"The request is {request.get_status_display().lower()}.")
    check_text(errors, "objectives", objectives, "the plan's objectives")
    check_choice(errors, "tariff_band", band, Band, "a tariff band")
    if current.decided_on is not None:
        check_order(errors, "starts", starts, current.decided_on, "the start", "the match")
    if ends <= starts:
        add_error(errors, "ends", "The plan must end after it starts.")
    if not starts < next_review_on <= max(ends, starts):
        add_error(errors, "next_review_on", "The first review falls after the start, by the end.")
    _check_milestones(errors, milestones, starts, ends)
    raise_if(errors)
    amount = tariff_in_force(request.la_code, band, starts)
    plan = SupportPlan.objects.create(
        match=current,
        request=request,
        provider_id=current.provider_id,
        urn=request.urn,
        objectives=objectives.strip(),
        starts=starts,
        ends=ends,
        next_review_on=next_review_on,
        tariff_band=band,
        tariff_amount=amount,
        created_by=_user(actor),
    )
    PlanMilestone.objects.bulk_create(
        PlanMilestone(plan=plan, title=title.strip(), due_on=due_on) for title, due_on in milestones
    )
    record_audit(
        "support_plan.created",
        actor=actor,
        object_type="support_plan",
        object_id=plan.pk,
        urn=plan.urn,
        match=current.pk,
        request=request.pk,
        provider=plan.provider_id,
        starts=iso(starts),
        ends=iso(ends),
        tariff_band=band,
        tariff_amount=money(amount),
        milestones=len(milestones),
    )
    return plan


def _live_plan(plan: SupportPlan, errors: Errors) -> SupportPlan:
    current = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if not current.is_live:
        add_error(errors, "plan", f"This plan is {current.get_status_display().lower()}.")
    return current


@transaction.atomic
def add_milestone(plan: SupportPlan, *, actor: Actor, title: str, due_on: date) -> PlanMilestone:
    """Add a milestone to a live plan, due within it. Writes ``support_plan.milestone_added``."""
    errors: Errors = {}
    current = _live_plan(plan, errors)
    _check_milestones(errors, [(title, due_on)], current.starts, current.ends)
    raise_if(errors)
    milestone = PlanMilestone.objects.create(plan=current, title=title.strip(), due_on=due_on)
    record_audit(
        "support_plan.milestone_added",
        actor=actor,
        object_type="support_plan",
        object_id=current.pk,
        milestone=milestone.pk,
        due_on=iso(due_on),
    )
    return milestone


@transaction.atomic
def complete_milestone(milestone: PlanMilestone, *, actor: Actor, done_on: date) -> PlanMilestone:
    """Mark a milestone done on ``done_on``. Writes ``support_plan.milestone_done``."""
    current = PlanMilestone.objects.select_for_update().select_related("plan").get(pk=milestone.pk)
    errors: Errors = {}
    if current.done_on is not None:
        add_error(errors, "milestone", f"This milestone was done on {current.done_on:%-d %B %Y}.")
    check_past(errors, "done_on", done_on, "the date it was done")
    check_order(errors, "done_on", done_on, current.plan.starts, "the date", "the plan started")
    raise_if(errors)
    current.done_on = done_on
    current.save(update_fields=["done_on"])
    milestone.refresh_from_db()
    record_audit(
        "support_plan.milestone_done",
        actor=actor,
        object_type="support_plan",
        object_id=current.plan_id,
        milestone=current.pk,
        done_on=iso(done_on),
    )
    return current


@transaction.atomic
def log_visit(
    plan: SupportPlan,
    *,
    actor: Actor,
    visited_on: date,
    days: Decimal | float | int,
    note: str = "",
) -> PlanVisit:
    """Log a visit under a live plan: support delivered, in half days up to five days.
    Writes a ``support_plan.visit_logged`` audit event (not the note)."""
    errors: Errors = {}
    current = _live_plan(plan, errors)
    check_past(errors, "visited_on", visited_on, "the date of the visit")
    check_order(errors, "visited_on", visited_on, current.starts, "the visit", "the plan started")
    number = as_decimal(errors, "days", days, "the days the visit took")
    if number is not None and (not 0 < number <= 5 or (number * 2) % 1 != 0):
        add_error(errors, "days", "A visit takes half a day to five days, in half days.")
    raise_if(errors)
    assert number is not None
    visit = PlanVisit.objects.create(
        plan=current, visited_on=visited_on, days=number, note=note.strip(), logged_by=_user(actor)
    )
    record_audit(
        "support_plan.visit_logged",
        actor=actor,
        object_type="support_plan",
        object_id=current.pk,
        visit=visit.pk,
        visited_on=iso(visited_on),
        days=money(number),
    )
    return visit


_STATUS_AFTER = {
    ReviewDecision.CONTINUE: PlanStatus.CONTINUED,
    ReviewDecision.STOP: PlanStatus.STOPPED,
    ReviewDecision.COMPLETE: PlanStatus.COMPLETED,
}


@transaction.atomic
def review_plan(
    plan: SupportPlan,
    *,
    actor: Actor,
    decision: str,
    reason: str,
    reviewed_on: date | None = None,
    next_review_on: date | None = None,
) -> PlanReview:
    """Review a live plan: continue it (with the next review date), stop it or complete it.

    A reason is always needed. Stopping or completing ends the plan and closes its
    request. Reviews are dated in order, on or after the plan's start and not in
    the future. Writes a ``support_plan.reviewed`` event (not the reason).
    """
    errors: Errors = {}
    current = _live_plan(plan, errors)
    day = reviewed_on or today()
    check_choice(errors, "decision", decision, ReviewDecision, "continue, stop or complete")
    check_text(errors, "reason", reason, "the reason for the decision")
    check_past(errors, "reviewed_on", day, "the date of the review")
    check_order(errors, "reviewed_on", day, current.starts, "the review", "the plan started")
    last = current.reviews.aggregate(last=Max("reviewed_on"))["last"]
    if last is not None:
        check_order(errors, "reviewed_on", day, last, "the review", "the last review")
    if decision == ReviewDecision.CONTINUE:
        if next_review_on is None or next_review_on <= day:
            add_error(errors, "next_review_on", "Give the next review date, after this review.")
    elif next_review_on is not None:
        add_error(errors, "next_review_on", "A plan that ends has no next review.")
    raise_if(errors)
    review = PlanReview.objects.create(
        plan=current,
        reviewed_on=day,
        decision=decision,
        reason=reason.strip(),
        next_review_on=next_review_on,
        reviewed_by=_user(actor),
    )
    current.status = _STATUS_AFTER[ReviewDecision(decision)]
    fields = ["status"]
    if next_review_on is not None:
        current.next_review_on = next_review_on
        fields.append("next_review_on")
    current.save(update_fields=fields)
    if not current.is_live:
        SupportRequest.objects.filter(pk=current.request_id).update(
            status=RequestStatus.CLOSED, closed_on=day
        )
    plan.refresh_from_db()
    record_audit(
        "support_plan.reviewed",
        actor=actor,
        object_type="support_plan",
        object_id=current.pk,
        decision=decision,
        reviewed_on=iso(day),
        next_review_on=iso(next_review_on),
        status=current.status,
    )
    return review


@transaction.atomic
def rate_support(
    plan: SupportPlan,
    *,
    actor: Actor,
    score: int,
    review: str = "",
    rated_on: date | None = None,
) -> SupportRating:
    """Record the supported school's rating (1 to 5) of the support a plan gave it.

    One rating a plan, once at least one visit is logged, dated on or after the
    first visit. Writes a ``support.rated`` audit event with the score (not the
    review text).
    """
    current = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    day = rated_on or today()
    errors: Errors = {}
    if SupportRating.objects.filter(plan=current).exists():
        add_error(errors, "plan", "This plan has already been rated.")
    first_visit = current.visits.aggregate(first=Min("visited_on"))["first"]
    if first_visit is None:
        add_error(errors, "plan", "Support can be rated once a visit has been logged.")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        add_error(errors, "score", "Give a score from 1 to 5.")
    check_past(errors, "rated_on", day, "the date of the rating")
    if first_visit is not None:
        check_order(errors, "rated_on", day, first_visit, "the rating", "the first visit")
    raise_if(errors)
    rating = SupportRating.objects.create(
        plan=current,
        provider_id=current.provider_id,
        urn=current.urn,
        score=score,
        review=review.strip(),
        rated_on=day,
        rated_by=_user(actor),
    )
    record_audit(
        "support.rated",
        actor=actor,
        object_type="support_plan",
        object_id=current.pk,
        provider=current.provider_id,
        urn=current.urn,
        score=score,
        rated_on=iso(day),
    )
    return rating
