"""System leaders and the support directory.

A provider is a person (an NLE, LLE, SLE, lead head teacher, LA adviser) or an
organisation (a trust, a traded service) offering support in areas of expertise from
a controlled list, in some phases, with a capacity in places a term by intensity band
(:mod:`convenor.brokerage.capacity`: a request takes one place of its band), a location for
travel distances, dates it is available and a cost (money or credits). Users who
manage a provider's entry (the system leader themselves, or an organisation's
staff) are its managers. Changes go through :mod:`convenor.brokerage.services.providers`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.lookups import LessThanOrEqual

from convenor.brokerage.models.vocabulary import DEFAULT_DAYS_PER_TERM, Band
from convenor.brokerage.querysets import ProviderQuerySet


class ProviderKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class Designation(models.TextChoices):
    NLE = "nle", "National leader of education"
    LLE = "lle", "Local leader of education"
    SLE = "sle", "Specialist leader of education"
    LEAD_HEAD = "lead_head", "Lead head teacher"
    LA_ADVISER = "la_adviser", "LA adviser"
    TRUST = "trust", "Trust"
    TRADED_SERVICE = "traded_service", "Traded service"
    OTHER = "other", "Other"


# Designations that only a person holds, and those only an organisation holds.
PERSON_DESIGNATIONS = frozenset(
    {Designation.NLE, Designation.LLE, Designation.SLE, Designation.LEAD_HEAD}
)
ORGANISATION_DESIGNATIONS = frozenset({Designation.TRUST, Designation.TRADED_SERVICE})

# School days in a term (a third of a 190-day year, rounded up): the days a provider's
# places stand for cannot exceed it.
MAX_DAYS_PER_TERM = 65

# The days a provider's places stand for, as the database computes them for its check.
_DAYS_OFFERED = (
    models.F("places_high") * DEFAULT_DAYS_PER_TERM[Band.HIGH]
    + models.F("places_medium") * DEFAULT_DAYS_PER_TERM[Band.MEDIUM]
    + models.F("places_low") * DEFAULT_DAYS_PER_TERM[Band.LOW]
)


class SupportProvider(models.Model):
    """One entry in the support directory of an LA."""

    la_code = models.PositiveIntegerField(
        verbose_name="LA code", db_index=True, help_text="The LA whose directory lists it"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=ProviderKind.choices)
    designation = models.CharField(max_length=16, choices=Designation.choices)
    home_urn = models.PositiveIntegerField(
        null=True, blank=True, verbose_name="home school URN", db_index=True
    )
    expertise = models.JSONField(default=list, help_text="Values of Expertise")
    phases = models.JSONField(default=list, help_text="Values of SupportPhase")
    summary = models.TextField(blank=True)
    places_high = models.PositiveSmallIntegerField(
        default=0, verbose_name="high-intensity places", help_text="Schools a term at high"
    )
    places_medium = models.PositiveSmallIntegerField(
        default=0, verbose_name="medium-intensity places", help_text="Schools a term at medium"
    )
    places_low = models.PositiveSmallIntegerField(
        default=0, verbose_name="low-intensity places", help_text="Schools a term at low"
    )
    easting = models.PositiveIntegerField()
    northing = models.PositiveIntegerField()
    location_from_home_school = models.BooleanField(default=False)
    available_from = models.DateField()
    available_to = models.DateField(null=True, blank=True, help_text="Last day; blank: open")
    cost_per_day = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    credits_per_day = models.PositiveIntegerField(null=True, blank=True)
    synthetic = models.BooleanField(default=False, help_text="Made up for the demo")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["la_code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(available_to__isnull=True)
                | models.Q(available_to__gte=models.F("available_from")),
                name="provider_available_to_after_from",
            ),
            models.CheckConstraint(
                condition=models.Q(places_high__gt=0)
                | models.Q(places_medium__gt=0)
                | models.Q(places_low__gt=0),
                name="provider_offers_a_place",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(_DAYS_OFFERED, MAX_DAYS_PER_TERM),
                name="provider_places_fit_a_term",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_per_day__isnull=True) | models.Q(cost_per_day__gte=0),
                name="provider_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_designation_display()})"

    def available_on(self, day: date) -> bool:
        ends = self.available_to
        return self.available_from <= day and (ends is None or day <= ends)

    @property
    def places(self) -> dict[str, int]:
        """Places a term by band, most intensive first (see :mod:`convenor.brokerage.capacity`)."""
        return {
            Band.HIGH: self.places_high,
            Band.MEDIUM: self.places_medium,
            Band.LOW: self.places_low,
        }

    @property
    def days_offered(self) -> int:
        """The days of support the places stand for at the bands' default days."""
        return sum(n * DEFAULT_DAYS_PER_TERM[band] for band, n in self.places.items())


class ProviderManager(models.Model):
    """A user who may update a provider's entry and record its support, between dates."""

    provider = models.ForeignKey(SupportProvider, on_delete=models.PROTECT, related_name="managers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider_id", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="provider_manager_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} manages {self.provider_id}"
