"""Support requests, matching runs and the matches a board decides.

A request names a school's needs (from the expertise list), how intensive and urgent
they are, how the support is to be paid for and often the category decision that
prompted it. A matching run (``convenor.analytics.matching``, run by the brokerage
app) stores its proposals as ``Match`` rows; a board member or LA officer approves
one, overrides it with another provider and a reason, or rejects it with a reason.
Changes go through :mod:`convenor.brokerage.services.requests` and ``.matching``.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models

from convenor.brokerage.models.providers import SupportProvider
from convenor.brokerage.models.vocabulary import Band
from convenor.brokerage.querysets import MatchQuerySet, SupportRequestQuerySet


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent: start within two weeks"
    THIS_TERM = "this_term", "This term"
    NEXT_TERM = "next_term", "Next term"


class FundingSource(models.TextChoices):
    BOARD_FUND = "board_fund", "Partnership board fund (tariff)"
    SCHOOL_BUDGET = "school_budget", "The school's own budget"
    CREDITS = "credits", "Credits exchange"
    TRADED = "traded", "Traded service subscription"
    GRANT = "grant", "Grant (for example a DfE fund)"
    OTHER = "other", "Other"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    MATCHED = "matched", "Matched"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


class SupportRequest(models.Model):
    """A school's request for support, from its needs analysis."""

    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    la_code = models.PositiveIntegerField(verbose_name="LA code", db_index=True)
    areas = models.JSONField(default=list, help_text="Areas of need: values of Expertise")
    intensity = models.CharField(max_length=8, choices=Band.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    funding_source = models.CharField(max_length=14, choices=FundingSource.choices)
    days_per_term = models.DecimalField(max_digits=4, decimal_places=1)
    notes = models.TextField(blank=True)
    prompted_by = models.ForeignKey(
        "intelligence.CategoryDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    raised_on = models.DateField()
    raised_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_reason = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    synthetic = models.BooleanField(default=False, help_text="Made up for the demo")

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-pk"]
        indexes = [models.Index(fields=["la_code", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=RequestStatus.WITHDRAWN)
                | (models.Q(withdrawn_on__isnull=False) & ~models.Q(withdrawn_reason="")),
                name="request_withdrawal_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(days_per_term__gt=0), name="request_needs_some_days"
            ),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} for {self.urn} ({self.status})"

    @property
    def is_live(self) -> bool:
        """Open or matched: still wanting, or getting, support."""
        return self.status in (RequestStatus.OPEN, RequestStatus.MATCHED)


class MatchingRun(models.Model):
    """One run of the matching over an LA's open requests as at a date."""

    la_code = models.PositiveIntegerField(verbose_name="LA code", db_index=True)
    as_at = models.DateField()
    method = models.CharField(max_length=60, help_text="For example min-cost flow")
    settings = models.JSONField(default=dict, help_text="Weights and rules the run used")
    totals = models.JSONField(default=dict, help_text="Requests, matched, cost, greedy cost")
    run_at = models.DateTimeField(auto_now_add=True)
    run_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        return f"Matching run {self.pk} for LA {self.la_code} as at {self.as_at}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    OVERRIDDEN = "overridden", "Overridden"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class Match(models.Model):
    """A provider proposed for, or chosen for, a request.

    A run's proposals start ``proposed``. Approving one makes it ``approved``.
    Overriding one marks it ``overridden`` and adds an ``approved`` match for the
    provider chosen instead (``replaces`` points back), so both stay on record. A
    proposal a later run replaces, or whose request is withdrawn, is ``superseded``.
    """

    run = models.ForeignKey(
        MatchingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="matches"
    )
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="matches")
    provider = models.ForeignKey(SupportProvider, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    cost = models.FloatField(null=True, blank=True, help_text="The matching's cost of this pair")
    explanation = models.JSONField(default=dict, blank=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["request_id", "cost", "pk"]
        verbose_name_plural = "matches"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=[MatchStatus.OVERRIDDEN, MatchStatus.REJECTED])
                | ~models.Q(reason=""),
                name="match_override_or_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[MatchStatus.PROPOSED, MatchStatus.SUPERSEDED])
                | models.Q(decided_on__isnull=False),
                name="match_decision_is_dated",
            ),
            # One provider at a time for a request.
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(status=MatchStatus.APPROVED),
                name="one_approved_match_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} for request {self.request_id} ({self.status})"
