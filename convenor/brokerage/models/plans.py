"""Support plans made from approved matches: objectives, milestones, visits, reviews, ratings.

A plan is funded by the tariff of its band in force when it starts (West Sussex:
high £25,000, medium £15,000, low £7,500; see :mod:`.funding`). At each review a
board member or LA officer continues it (with the next review date), stops it or
completes it, with a reason. The school that received the support rates it once
(Gloucestershire's GlosEd). Changes go through :mod:`convenor.brokerage.services.plans`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from convenor.brokerage.models.providers import SupportProvider
from convenor.brokerage.models.requests import Match, SupportRequest
from convenor.brokerage.models.vocabulary import Band
from convenor.brokerage.querysets import PlanQuerySet, RatingQuerySet


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CONTINUED = "continued", "Continued at review"
    STOPPED = "stopped", "Stopped"
    COMPLETED = "completed", "Completed"


LIVE_PLAN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.CONTINUED)


class SupportPlan(models.Model):
    """The support agreed for one request from one approved match."""

    match = models.OneToOneField(Match, on_delete=models.PROTECT, related_name="plan")
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="plans")
    provider = models.ForeignKey(SupportProvider, on_delete=models.PROTECT, related_name="plans")
    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    objectives = models.TextField()
    starts = models.DateField()
    ends = models.DateField(help_text="Planned end")
    next_review_on = models.DateField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    tariff_band = models.CharField(max_length=8, choices=Band.choices)
    tariff_amount = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-starts", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="plan_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(next_review_on__gt=models.F("starts")),
                name="plan_review_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(tariff_amount__gte=0), name="plan_tariff_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} for {self.urn} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PLAN_STATUSES


class PlanMilestone(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_on})"


class PlanVisit(models.Model):
    """A visit made under a plan, with the days it took (support delivered)."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField()
    days = models.DecimalField(max_digits=3, decimal_places=1)
    note = models.TextField(blank=True)
    logged_at = models.DateTimeField(auto_now_add=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan_id", "visited_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days__gt=0) & models.Q(days__lte=5), name="visit_days_in_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"Visit {self.visited_on} ({self.days} days)"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue"
    STOP = "stop", "Stop"
    COMPLETE = "complete", "Complete"


class PlanReview(models.Model):
    """A review of a plan and its decision; the plan's status follows the latest one."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    reviewed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan_id", "reviewed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="plan_review_has_reason"),
            models.CheckConstraint(
                condition=~models.Q(decision=ReviewDecision.CONTINUE)
                | models.Q(next_review_on__gt=models.F("reviewed_on")),
                name="continued_plan_has_next_review",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of plan {self.plan_id} on {self.reviewed_on}: {self.decision}"


class SupportRating(models.Model):
    """The supported school's rating of the support a plan gave it: one per plan."""

    plan = models.OneToOneField(SupportPlan, on_delete=models.PROTECT, related_name="rating")
    provider = models.ForeignKey(SupportProvider, on_delete=models.PROTECT, related_name="ratings")
    urn = models.PositiveIntegerField(verbose_name="URN")
    score = models.PositiveSmallIntegerField()
    review = models.TextField(blank=True)
    rated_on = models.DateField()
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-rated_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1) & models.Q(score__lte=5),
                name="rating_score_one_to_five",
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for provider {self.provider_id}"
