"""Traded services and schools' subscriptions to them.

An LA sells packages to schools: the core offer and buy-back services, at a flat
price or a fee per pupil with an optional cap (Tower Hamlets £5 a pupil; Manchester
by size with a maximum; Somerset £22 a pupil). A subscription keeps the pupils
counted and the amount charged as worked out when the school subscribed, so a later
price change never rewrites a past charge. Changes go through
:mod:`convenor.brokerage.services.traded`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from convenor.brokerage.querysets import SubscriptionQuerySet


class PackageKind(models.TextChoices):
    CORE = "core", "Core package"
    BUY_BACK = "buy_back", "Buy-back service"


class FeeRule(models.TextChoices):
    FLAT = "flat", "Flat price"
    PER_PUPIL = "per_pupil", "Fee per pupil"


class TradedService(models.Model):
    """One service an LA sells to schools for a period, with its fee rule."""

    la_code = models.PositiveIntegerField(verbose_name="LA code", db_index=True)
    name = models.CharField(max_length=200)
    package = models.CharField(max_length=10, choices=PackageKind.choices)
    fee_rule = models.CharField(max_length=10, choices=FeeRule.choices)
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    per_pupil_fee = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    fee_cap = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Most a school pays"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    description = models.TextField(blank=True)
    synthetic = models.BooleanField(default=False, help_text="Made up for the demo")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["la_code", "-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="traded_service_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(fee_rule=FeeRule.FLAT)
                    & models.Q(price__gte=0)
                    & models.Q(per_pupil_fee__isnull=True)
                    & models.Q(fee_cap__isnull=True)
                )
                | (
                    models.Q(fee_rule=FeeRule.PER_PUPIL)
                    & models.Q(price__isnull=True)
                    & models.Q(per_pupil_fee__gte=0)
                    & (models.Q(fee_cap__isnull=True) | models.Q(fee_cap__gte=0))
                ),
                name="traded_service_fee_fits_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.period_start} to {self.period_end})"


class Subscription(models.Model):
    """A school's subscription to a service for the service's period."""

    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    service = models.ForeignKey(
        TradedService, on_delete=models.PROTECT, related_name="subscriptions"
    )
    pupils_counted = models.PositiveIntegerField(null=True, blank=True)
    amount_charged = models.DecimalField(max_digits=10, decimal_places=2)
    subscribed_on = models.DateField()
    synthetic = models.BooleanField(default=False, help_text="Made up for the demo")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["service_id", "urn"]
        constraints = [
            models.UniqueConstraint(fields=["urn", "service"], name="one_subscription_per_service"),
            models.CheckConstraint(
                condition=models.Q(amount_charged__gte=0), name="subscription_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.urn} subscribes to {self.service_id}"
