"""Tariffs, funds, commitments and spend.

Tariffs are data per LA and band with effective dates, like categorisation
frameworks: the tariff in force on a date is the latest row on or before it, and
rows are only added. An LA with none uses the West Sussex defaults. A fund belongs
to a board or partnership for a period with a budget; plans draw on it by
commitments (a negative one releases money) and record spend against them. No
fund is ever committed or spent beyond its budget (:mod:`convenor.brokerage.services.funding`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from convenor.brokerage.models.partnerships import Partnership
from convenor.brokerage.models.plans import SupportPlan
from convenor.brokerage.models.vocabulary import Band
from convenor.brokerage.querysets import FundQuerySet

# West Sussex's tariff bands (DESIGN.md "Brokerage and commissioning").
DEFAULT_TARIFFS: dict[str, Decimal] = {
    Band.HIGH: Decimal("25000"),
    Band.MEDIUM: Decimal("15000"),
    Band.LOW: Decimal("7500"),
}


class TariffBand(models.Model):
    """The amount a plan of one band gets in one LA, from ``effective_from``."""

    la_code = models.PositiveIntegerField(verbose_name="LA code")
    band = models.CharField(max_length=8, choices=Band.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["la_code", "band", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["la_code", "band", "effective_from"], name="unique_tariff_per_day"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="tariff_not_negative"),
        ]

    def __str__(self) -> str:
        return f"LA {self.la_code} {self.band}: £{self.amount} from {self.effective_from}"


class Fund(models.Model):
    """Money a board or partnership holds for support over a period."""

    la_code = models.PositiveIntegerField(verbose_name="LA code", db_index=True)
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.PROTECT, related_name="funds"
    )
    name = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    budget = models.DecimalField(max_digits=12, decimal_places=2)
    synthetic = models.BooleanField(default=False, help_text="Made up for the demo")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = FundQuerySet.as_manager()

    class Meta:
        ordering = ["la_code", "-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="fund_period_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="fund_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.period_start} to {self.period_end})"


class FundCommitment(models.Model):
    """Money set aside from a fund for a plan; a negative amount releases some back."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="commitments")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="commitments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    committed_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["fund_id", "committed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="commitment_amount_not_zero")
        ]

    def __str__(self) -> str:
        return f"£{self.amount} of fund {self.fund_id} for plan {self.plan_id}"


class FundSpend(models.Model):
    """Money paid out of a fund under a plan's commitment."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="spend")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="spend")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    spent_on = models.DateField()
    note = models.CharField(max_length=300)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["fund_id", "spent_on", "pk"]
        verbose_name_plural = "fund spend"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="spend_amount_positive")
        ]

    def __str__(self) -> str:
        return f"£{self.amount} spent from fund {self.fund_id} on plan {self.plan_id}"
