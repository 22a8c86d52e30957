"""Decisions: a person confirms or changes convenor's proposal; decisions are only added."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from convenor.analytics.concern import day_words
from convenor.core.services import actor_fields, record_audit
from convenor.intelligence.categorisation.proposals import SchoolProposal
from convenor.intelligence.models import (
    AcademyConcern,
    Category,
    CategoryDecision,
    CategoryTrack,
    DecidedAs,
)
from convenor.schools.querysets import lineage_of


def decisions_for(urns: Iterable[int]) -> QuerySet[CategoryDecision]:
    """Every decision about the schools ``urns``, newest first, with what pages show."""
    return (
        CategoryDecision.objects.filter(urn__in=list(urns))
        .select_related(
            "framework", "proposed_category", "decided_category", "decided_by", "academy_concern"
        )
        .order_by("-decided_at", "-pk")
    )


def current_decisions(urns: Iterable[int], on: date | None = None) -> dict[int, CategoryDecision]:
    """Each school's category decision in force: its latest decision (by evidence date,
    then when it was made) whose evidence is dated on or before ``on`` (any, for None).
    One query."""
    decisions = CategoryDecision.objects.filter(urn__in=list(urns)).select_related(
        "decided_category", "proposed_category", "decided_by"
    )
    if on is not None:
        decisions = decisions.filter(as_at__lte=on)
    current: dict[int, CategoryDecision] = {}
    for decision in decisions.order_by("urn", "-as_at", "-decided_at", "-pk"):
        current.setdefault(decision.urn, decision)
    return current


#: How long a category stands before its review, unless the decider sets a date:
#: DOMAIN.md section 2 asks for every school to be categorised at least once a year.
REVIEW_AFTER = timedelta(days=365)


@transaction.atomic
def confirm_category(
    proposed: SchoolProposal,
    *,
    actor: AbstractBaseUser | AnonymousUser,
    decided_category: Category,
    decided_as: str,
    rationale: str = "",
    review_due: date | None = None,
    academy_concern: AcademyConcern | None = None,
) -> CategoryDecision:
    """Record ``actor``'s decision on the category of ``proposed.school``, beside
    convenor's proposal as at ``proposed.as_at``.

    The decided category must be one of the framework in force on that date for the
    school's track; a rationale is required when it differs from the proposal.
    ``review_due`` defaults to a year from today and must be after the evidence date
    and not in the past. ``academy_concern`` (the academy track only) links the
    concern case recording the referral to the trust and the regional director.
    Raises ``ValidationError`` keyed by argument name. The proposal's reasons are kept
    on the decision. Writes a ``category.decided`` audit event (never the rationale,
    which may draw on soft intelligence).
    """
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    framework, category = proposed.framework, proposed.category
    if framework is None or category is None:
        raise ValidationError(
            f"No categorisation framework for {CategoryTrack(proposed.track).label.lower()} "
            f"was in force on {day_words(proposed.as_at)}, so there is nothing to confirm."
        )
    if proposed.as_at > today:
        add("as_at", "The evidence date cannot be in the future.")
    if decided_category.framework_id != framework.pk:
        add("decided_category", "Choose a category of the framework in force on that date.")
    rationale = rationale.strip()
    if decided_category.pk != category.pk and not rationale:
        add(
            "rationale",
            f"Say why the category differs from the proposal ({category.label}).",
        )
    if decided_as not in DecidedAs.values:
        add("decided_as", "Say whether you decide as an LA officer or for the board.")
    if decided_as == DecidedAs.BOARD and proposed.track == CategoryTrack.ACADEMY:
        add("decided_as", "Academies' categories are decided by LA officers.")
    due = review_due or today + REVIEW_AFTER
    if due <= proposed.as_at:
        add("review_due", "The review must be due after the date of the evidence.")
    elif due < today:
        add("review_due", "The review date cannot be in the past.")
    if academy_concern is not None:
        if proposed.track != CategoryTrack.ACADEMY:
            add("academy_concern", "Only an academy's category links to an academy concern.")
        elif academy_concern.urn not in lineage_of(proposed.school.urn):
            add("academy_concern", "Choose a concern about this academy.")
    if errors:
        raise ValidationError(errors)
    user = actor_fields(actor)["actor"]
    decision = CategoryDecision.objects.create(
        urn=proposed.school.urn,
        framework=framework,
        as_at=proposed.as_at,
        proposed_category=category,
        reasons=proposed.reasons(),
        decided_category=decided_category,
        rationale=rationale,
        decided_as=decided_as,
        decided_by=user,
        review_due=due,
        academy_concern=academy_concern,
    )
    record_audit(
        "category.decided",
        actor=actor,
        object_type="category_decision",
        object_id=decision.pk,
        urn=decision.urn,
        framework=framework.pk,
        track=framework.track,
        as_at=decision.as_at.isoformat(),
        proposed=category.label,
        decided=decided_category.label,
        changed=decision.changed,
        decided_as=decided_as,
        review_due=due.isoformat(),
        academy_concern=academy_concern.pk if academy_concern else None,
    )
    return decision
