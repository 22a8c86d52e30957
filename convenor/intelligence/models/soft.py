"""Soft intelligence and the register of concern.

Soft intelligence is what an LA hears about a school before it shows in the data:
complaints, staff turnover, governance, safeguarding (DOMAIN.md section 2). Who may
read and write it is decided in docs/adr/0006-soft-intelligence-access.md; every
change goes through convenor.intelligence.services, and every read writes a
``soft_intelligence.viewed`` audit event.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from convenor.intelligence.querysets import SoftIntelligenceQuerySet

# How long an entry counts, unless the person recording it says otherwise: two years,
# the span of the LA protocols' "register of concern" reviews. Settings may override it.
DEFAULT_EXPIRY_DAYS = 730

# A school term, for escalation windows given in terms. English term dates vary by LA
# and by the date of Easter, so a term is taken as a third of a year (365.25 / 3,
# rounded): "two terms" is a rolling 244-day window ending on the as-at date.
TERM_DAYS = 122


def expiry_days() -> int:
    """Days an entry counts by default: ``CONVENOR_SOFT_INTELLIGENCE_EXPIRY_DAYS`` or two years."""
    return int(getattr(settings, "CONVENOR_SOFT_INTELLIGENCE_EXPIRY_DAYS", DEFAULT_EXPIRY_DAYS))


class SoftIntelligenceKind(models.TextChoices):
    """What an entry is about: the triggers LA protocols name (a closed list, with "Other")."""

    PARENTAL_COMPLAINT = "parental_complaint", "Parental complaint"
    ESCALATED_COMPLAINT = "escalated_complaint", "Complaint via councillor, MP or media"
    STAFF_TURNOVER = "staff_turnover", "HR or staff turnover"
    VACANCIES_SICKNESS = "vacancies_sickness", "Vacancies or sickness"
    GOVERNANCE = "governance", "Governance"
    FINANCE = "finance", "Finance or deficit"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    LEADERSHIP_CHANGE = "leadership_change", "Head teacher change or interim leadership"
    LA_GOVERNOR_REPORT = "la_governor_report", "LA governor report"
    NETWORK_ABSENCE = "network_absence", "Absence from network meetings"
    PUPILS_MOVING_OUT = "pupils_moving_out", "Pupils moving out"
    OTHER = "other", "Other"


class Sensitivity(models.TextChoices):
    """Who may read an entry (ADR 0006): restricted entries only the LA's officers."""

    STANDARD = "standard", "Standard"
    RESTRICTED = "restricted", "Restricted"


class SoftIntelligenceEntry(models.Model):
    """One piece of soft intelligence about one school (by URN, as the register keys it).

    Entries are never deleted or edited: a mistaken one is withdrawn, with a reason,
    and stops counting. An entry counts ("is live") from the day it was observed
    until the day before ``expires_on``. Record, withdraw and complete follow-ups
    through :mod:`convenor.intelligence.services`.
    """

    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    kind = models.CharField(max_length=30, choices=SoftIntelligenceKind.choices)
    source = models.CharField(max_length=200, help_text="Who told us, and how")
    observed_on = models.DateField(help_text="When it happened or was reported")
    recorded_at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sensitivity = models.CharField(
        max_length=10, choices=Sensitivity.choices, default=Sensitivity.STANDARD
    )
    summary = models.TextField()
    expires_on = models.DateField(help_text="The first day it no longer counts")
    follow_up = models.TextField(blank=True)
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    synthetic = models.BooleanField(default=False, help_text="Made up for the demo")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_reason = models.TextField(blank=True)

    objects = SoftIntelligenceQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_on", "-recorded_at", "-pk"]
        verbose_name = "soft intelligence entry"
        verbose_name_plural = "soft intelligence entries"
        indexes = [models.Index(fields=["urn", "-observed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("observed_on")),
                name="soft_intelligence_expires_after_observed",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawn_reason=""),
                name="soft_intelligence_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.urn} {self.observed_on} {self.get_kind_display()}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def is_live(self, on: date) -> bool:
        """Whether the entry counts on ``on``: observed by then, not expired, not withdrawn."""
        return not self.is_withdrawn and self.observed_on <= on < self.expires_on

    def follow_up_overdue(self, on: date) -> bool:
        """Whether a follow-up was due before ``on`` and is not done."""
        return (
            not self.is_withdrawn
            and self.follow_up_due is not None
            and self.follow_up_due < on
            and self.follow_up_done_at is None
        )


class WindowUnit(models.TextChoices):
    TERMS = "terms", "Terms"
    DAYS = "days", "Days"


class ConcernRule(models.Model):
    """When soft intelligence puts a school on the register of concern for a category review.

    The rule fires when ``threshold`` or more live entries of the counted kinds
    (all kinds when ``kinds`` is empty) were observed within the window ending on
    the as-at date. Rules are versioned per LA: the one in force on a date is the
    latest whose ``effective_from`` is on or before it. A rule is never edited;
    set a new one with :func:`convenor.intelligence.services.set_concern_rule`.
    """

    la_code = models.PositiveIntegerField(verbose_name="LA code")
    name = models.CharField(max_length=120)
    threshold = models.PositiveSmallIntegerField(help_text="Entries that trigger a review")
    window_length = models.PositiveSmallIntegerField()
    window_unit = models.CharField(max_length=5, choices=WindowUnit.choices)
    kinds = models.JSONField(
        default=list, blank=True, help_text="Kinds that count; empty means every kind"
    )
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["la_code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["la_code", "effective_from"], name="unique_concern_rule_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__gte=1, window_length__gte=1),
                name="concern_rule_counts_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return f"LA {self.la_code}: {self.name} (from {self.effective_from})"

    @property
    def window_days(self) -> int:
        """The window in days (a term is :data:`TERM_DAYS`)."""
        if self.window_unit == WindowUnit.TERMS:
            return self.window_length * TERM_DAYS
        return int(self.window_length)

    @property
    def window_words(self) -> str:
        """The window as the rule was set: "2 terms", "90 days", "1 term"."""
        unit = "term" if self.window_unit == WindowUnit.TERMS else "day"
        return f"{self.window_length} {unit}{'' if self.window_length == 1 else 's'}"

    @property
    def kind_labels(self) -> list[str]:
        """The counted kinds in words, in the order of the closed list; empty for all."""
        chosen = set(self.kinds or [])
        return [kind.label for kind in SoftIntelligenceKind if kind.value in chosen]

    @property
    def description(self) -> str:
        """The rule in words: "3 in 2 terms, from 1 Sep 2019"."""
        kinds = f" ({', '.join(self.kind_labels).lower()} only)" if self.kinds else ""
        when = f"{self.effective_from.day} {self.effective_from:%b %Y}"
        return f"{self.threshold} in {self.window_words}{kinds}, from {when}"
