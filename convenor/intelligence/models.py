"""Hard data about schools over time: inspections and indicators by period.

Indicator rows are kept per publication (``dataset``): the provisional and
final KS4 results for one year are separate rows, because an analysis "as at"
a date must use what had been published by then. Measures live in ``values``
under canonical names (documented in each reader in :mod:`convenor.sources`);
a measure the file withheld is ``None`` with its code in ``missing``
(``SUPP``, ``NE``, ``LOWCOV``, ``x`` ...), never zero.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models

from convenor.intelligence.querysets import SoftIntelligenceQuerySet


class Inspection(models.Model):
    """A graded Ofsted inspection, with the grade as the framework of the day named it."""

    urn = models.PositiveIntegerField(db_index=True)
    inspection_date = models.DateField()
    grade = models.PositiveSmallIntegerField(help_text="1 Outstanding ... 4 Inadequate")
    rating = models.CharField(max_length=40)
    framework = models.CharField(max_length=80)
    source_file = models.CharField(max_length=300)

    class Meta:
        ordering = ["urn", "-inspection_date"]
        constraints = [
            models.UniqueConstraint(fields=["urn", "inspection_date"], name="unique_inspection")
        ]

    def __str__(self) -> str:
        return f"{self.urn} {self.inspection_date}: {self.rating}"


class SchoolIndicator(models.Model):
    """Measures for one school, one period and one publication."""

    urn = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    laestab = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    period = models.CharField(max_length=7, help_text="Academic year, e.g. 2016/17")
    dataset = models.CharField(max_length=40)
    segment = models.CharField(max_length=40, default="all")
    values = models.JSONField(default=dict)
    missing = models.JSONField(default=dict)
    source_file = models.CharField(max_length=300)

    class Meta:
        abstract = True
        ordering = ["urn", "period"]

    def __str__(self) -> str:
        return f"{self.urn} {self.period} {self.dataset}"

    def value(self, name: str) -> Any:
        """A measure's value, or None (see :meth:`missing_reason` for why)."""
        return self.values.get(name)

    def missing_reason(self, name: str) -> str | None:
        reason = self.missing.get(name)
        return None if reason is None else str(reason)


def _unique(model: str, *fields: str) -> list[models.BaseConstraint]:
    return [models.UniqueConstraint(fields=list(fields), name=f"unique_{model}")]


class KS2Result(SchoolIndicator):
    class Meta(SchoolIndicator.Meta):
        constraints = _unique("ks2", "dataset", "period", "segment", "urn")


class KS4Result(SchoolIndicator):
    class Meta(SchoolIndicator.Meta):
        constraints = _unique("ks4", "dataset", "period", "segment", "urn")


class CensusRecord(SchoolIndicator):
    """Pupils and their characteristics from the January school census."""

    class Meta(SchoolIndicator.Meta):
        constraints = _unique("census", "dataset", "period", "segment", "urn")


class AbsenceRecord(SchoolIndicator):
    class Meta(SchoolIndicator.Meta):
        constraints = _unique("absence", "dataset", "period", "segment", "urn")


class ExclusionRecord(SchoolIndicator):
    """Exclusions by school. The file has LAESTAB, not URN: ``urn`` is resolved
    within the same year and left blank where no map knows the LAESTAB."""

    class Meta(SchoolIndicator.Meta):
        constraints = _unique("exclusions", "dataset", "period", "segment", "laestab")


class PreferenceRecord(SchoolIndicator):
    """Applications and offers by school and year of entry (segment: primary/secondary)."""

    class Meta(SchoolIndicator.Meta):
        constraints = _unique("preferences", "dataset", "period", "segment", "urn")


class AreaStatistic(models.Model):
    """An England, region or LA row from a school-level file, kept for comparison."""

    family = models.CharField(max_length=30)
    dataset = models.CharField(max_length=40)
    level = models.CharField(max_length=10)
    area_code = models.CharField(max_length=30)
    period = models.CharField(max_length=7)
    segment = models.CharField(max_length=40, default="all")
    values = models.JSONField(default=dict)
    missing = models.JSONField(default=dict)
    source_file = models.CharField(max_length=300)

    class Meta:
        ordering = ["family", "period", "level", "area_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "dataset", "level", "area_code", "period", "segment"],
                name="unique_area_statistic",
            )
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.level} {self.area_code} {self.period} {self.segment}"


# --- Soft intelligence and the register of concern ---------------------------------
#
# Soft intelligence is what an LA hears about a school before it shows in the data:
# complaints, staff turnover, governance, safeguarding (DOMAIN.md section 2). Who may
# read and write it is decided in docs/adr/0006-soft-intelligence-access.md; every
# change goes through convenor.intelligence.services, and every read writes a
# ``soft_intelligence.viewed`` audit event.

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


# Interventions
#
# Statutory intervention casework (DOMAIN.md 1.3, 1.4, 1.8): warning notices and interim
# executive boards for maintained schools, and concerns about academies raised with the
# trust and the regional director. Each case keys its school by URN, as the register
# does. The clocks are pure rules in convenor.intelligence.interventions; every change
# goes through convenor.intelligence.services_interventions, which writes the audit
# event; who may see and do what is docs/adr/0007-interventions-access.md.

from convenor.intelligence import interventions as clocks  # noqa: E402


class WarningNotice(models.Model):
    """A warning notice given to a maintained school's governing body (EIA 2006 s60/s60A).

    ``compliance_ends_on`` is the last day of the compliance period the notice set.
    The outcome is blank until decided; a Secretary of State's notice supersedes an
    earlier LA notice (s60(4B)).
    """

    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    kind = models.CharField(max_length=5, choices=clocks.choices(clocks.NOTICE_KIND_LABELS))
    ground_low_standards = models.BooleanField(default=False)
    ground_management_or_governance = models.BooleanField(default=False)
    ground_safety = models.BooleanField(default=False)
    issued_on = models.DateField()
    issued_by = models.CharField(max_length=3, choices=clocks.choices(clocks.ISSUER_LABELS))
    sos_permission_on = models.DateField(
        null=True, blank=True, help_text="When the Secretary of State said the LA may (s60(4A))"
    )
    reasons = models.TextField(help_text="The matters the conclusion is based on")
    action_required = models.TextField()
    compliance_ends_on = models.DateField(help_text="The last day of the compliance period")
    representations_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(
        max_length=12, blank=True, choices=clocks.choices(clocks.OUTCOME_LABELS)
    )
    outcome_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    reasonable_notice_on = models.DateField(null=True, blank=True)
    reasonable_notice_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(compliance_ends_on__gte=models.F("issued_on")),
                name="warning_notice_compliance_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="", outcome_on__isnull=True)
                | (~models.Q(outcome="") & models.Q(outcome_on__isnull=False)),
                name="warning_notice_outcome_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.urn} warning notice {self.issued_on} ({self.kind})"

    @property
    def grounds(self) -> list[clocks.Ground]:
        """The s60(2) grounds the notice gives, in the Act's order."""
        flags = (
            (clocks.Ground.LOW_STANDARDS, self.ground_low_standards),
            (clocks.Ground.MANAGEMENT_OR_GOVERNANCE, self.ground_management_or_governance),
            (clocks.Ground.SAFETY, self.ground_safety),
        )
        return [ground for ground, given in flags if given]

    def facts(self, required_copies: tuple[clocks.Recipient, ...]) -> clocks.NoticeFacts:
        """The notice as its clock reads it; prefetch ``copies`` and ``powers`` first."""
        return clocks.NoticeFacts(
            kind=clocks.NoticeKind(self.kind),
            issuer=clocks.Issuer(self.issued_by),
            issued_on=self.issued_on,
            compliance_ends_on=self.compliance_ends_on,
            required_copies=required_copies,
            copies=tuple(
                clocks.CopyFact(clocks.Recipient(c.recipient), c.sent_on) for c in self.copies.all()
            ),
            outcome=clocks.Outcome(self.outcome) if self.outcome else None,
            outcome_on=self.outcome_on,
            reasonable_notice_on=self.reasonable_notice_on,
            powers=tuple(
                clocks.PowerFact(clocks.Power(p.power), p.used_on, p.dfe_notified_on)
                for p in self.powers.all()
            ),
            representations_on=self.representations_on,
        )


class WarningNoticeCopy(models.Model):
    """A copy of a warning notice sent to someone the law names (s60(6), (6A))."""

    notice = models.ForeignKey(WarningNotice, on_delete=models.CASCADE, related_name="copies")
    recipient = models.CharField(max_length=20, choices=clocks.choices(clocks.RECIPIENT_LABELS))
    sent_on = models.DateField()

    class Meta:
        ordering = ["sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "recipient"], name="unique_warning_notice_copy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} copy to {self.recipient} on {self.sent_on}"


class InterventionPowerUse(models.Model):
    """An LA intervention power used because a warning notice was not complied with."""

    notice = models.ForeignKey(WarningNotice, on_delete=models.CASCADE, related_name="powers")
    power = models.CharField(max_length=3, choices=clocks.choices(clocks.POWER_LABELS))
    used_on = models.DateField()
    dfe_notified_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["used_on", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.power} on {self.used_on}"


class InterimExecutiveBoard(models.Model):
    """An interim executive board replacing a maintained school's governing body (s65).

    It needs the Secretary of State's consent and at least two members (Sch 6 para
    4(1)); the database refuses a constituted board without either.
    """

    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    ground = models.CharField(max_length=4, choices=clocks.choices(clocks.ELIGIBILITY_LABELS))
    warning_notice = models.ForeignKey(
        WarningNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="boards"
    )
    proposed_on = models.DateField()
    note = models.TextField(blank=True)
    consent_requested_on = models.DateField(null=True, blank=True)
    consent_decision = models.CharField(
        max_length=8, blank=True, choices=clocks.choices(clocks.CONSENT_LABELS)
    )
    consent_decision_on = models.DateField(null=True, blank=True)
    constituted_on = models.DateField(null=True, blank=True)
    member_count = models.PositiveSmallIntegerField(null=True, blank=True)
    members = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_on", "-pk"]
        verbose_name = "interim executive board"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(constituted_on__isnull=True)
                | models.Q(consent_decision="granted", member_count__gte=2),
                name="ieb_constituted_with_consent_and_members",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_decision="", consent_decision_on__isnull=True)
                | (~models.Q(consent_decision="") & models.Q(consent_decision_on__isnull=False)),
                name="ieb_consent_decision_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.urn} interim executive board proposed {self.proposed_on}"

    def facts(self, window_closes_on: date | None = None) -> clocks.IebFacts:
        """The board as its clock reads it."""
        return clocks.IebFacts(
            proposed_on=self.proposed_on,
            consent_requested_on=self.consent_requested_on,
            consent_decision=(
                clocks.ConsentDecision(self.consent_decision) if self.consent_decision else None
            ),
            consent_decision_on=self.consent_decision_on,
            constituted_on=self.constituted_on,
            member_count=self.member_count,
            ended_on=self.ended_on,
            window_closes_on=window_closes_on,
        )


class AcademyConcern(models.Model):
    """A concern about an academy the LA raised with its trust, and perhaps the regional
    director: the LA has no intervention powers over academies (DOMAIN.md 1.8)."""

    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    trust_name = models.CharField(max_length=300, blank=True)
    concern = models.TextField()
    raised_with_trust_on = models.DateField()
    trust_response_on = models.DateField(null=True, blank=True)
    trust_response = models.TextField(blank=True)
    referred_to_rd_on = models.DateField(null=True, blank=True)
    referral_note = models.TextField(blank=True)
    rd_response_on = models.DateField(null=True, blank=True)
    rd_response = models.TextField(blank=True)
    status = models.CharField(
        max_length=8,
        choices=clocks.choices(clocks.CONCERN_STATUS_LABELS),
        default=clocks.ConcernStatus.OPEN.value,
    )
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_with_trust_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True)
                | (~models.Q(status="open") & models.Q(closed_on__isnull=False)),
                name="academy_concern_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.urn} academy concern raised {self.raised_with_trust_on}"

    def facts(self) -> clocks.ConcernFacts:
        """The concern as its clock reads it."""
        return clocks.ConcernFacts(
            raised_on=self.raised_with_trust_on,
            trust_response_on=self.trust_response_on,
            referred_on=self.referred_to_rd_on,
            rd_response_on=self.rd_response_on,
            status=clocks.ConcernStatus(self.status),
            closed_on=self.closed_on,
        )


# Categorisation
#
# An LA's categorisation framework (DOMAIN.md section 2): categories from least to most
# concern, each with its entitlement, and rules over named inputs that propose one. A
# framework is per LA and per track (maintained schools; academies, with the simpler
# "cause for concern" / "no concern" track of DOMAIN.md 1.8) and is never edited: a change
# is a new version from a later date. A person confirms or changes each proposal; the
# decisions are only ever added. The rule engine is convenor.analytics.categorisation;
# every change goes through convenor.intelligence.categorisation, which writes the audit
# event; who may see and do what is docs/adr/0008-categorisation-framework.md.


class CategoryTrack(models.TextChoices):
    """Which schools a framework categorises."""

    MAINTAINED = "maintained", "Maintained schools"
    ACADEMY = "academy", "Academies and free schools"


class CategoryColour(models.TextChoices):
    """The GOV.UK tag colour a category is shown in."""

    GREEN = "green", "Green"
    TURQUOISE = "turquoise", "Turquoise"
    BLUE = "blue", "Blue"
    LIGHT_BLUE = "light-blue", "Light blue"
    PURPLE = "purple", "Purple"
    PINK = "pink", "Pink"
    YELLOW = "yellow", "Yellow"
    ORANGE = "orange", "Orange"
    RED = "red", "Red"
    GREY = "grey", "Grey"


class CategoryFramework(models.Model):
    """One version of an LA's framework for one track, in force from ``effective_from``
    until the next version's date. Create versions with
    :func:`convenor.intelligence.categorisation.set_framework`; never edit one."""

    la_code = models.PositiveIntegerField(verbose_name="LA code")
    track = models.CharField(max_length=12, choices=CategoryTrack.choices)
    name = models.CharField(max_length=120)
    effective_from = models.DateField()
    notes = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["la_code", "track", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["la_code", "track", "effective_from"],
                name="unique_category_framework_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"LA {self.la_code} {self.track}: {self.name} (from {self.effective_from})"


class Category(models.Model):
    """One category of a framework; a higher ``order`` is more concern (1 is the default)."""

    framework = models.ForeignKey(
        CategoryFramework, on_delete=models.PROTECT, related_name="categories"
    )
    order = models.PositiveSmallIntegerField(help_text="1 is the least concern")
    label = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    visits_per_year = models.PositiveSmallIntegerField(default=0)
    eligible_for_brokered_support = models.BooleanField(default=False)
    colour = models.CharField(
        max_length=12, choices=CategoryColour.choices, default=CategoryColour.GREY
    )

    class Meta:
        ordering = ["framework", "order"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["framework", "order"], name="unique_category_order"),
            models.UniqueConstraint(fields=["framework", "label"], name="unique_category_label"),
        ]

    def __str__(self) -> str:
        return self.label


class CategoryRule(models.Model):
    """A rule proposing ``category`` when its clauses hold (all of them, or any).

    ``clauses`` is a list of ``{"input": name, "op": one of < <= = != >= >, "value":
    number}``, checked by the service against the known inputs; never code.
    """

    framework = models.ForeignKey(CategoryFramework, on_delete=models.PROTECT, related_name="rules")
    order = models.PositiveSmallIntegerField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="rules")
    match = models.CharField(
        max_length=3, choices=[("all", "All conditions"), ("any", "Any condition")], default="all"
    )
    clauses = models.JSONField(default=list)
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "order"], name="unique_category_rule_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework_id} rule {self.order}: {self.description}"


class DecidedAs(models.TextChoices):
    """In which capacity a decision was made (ADR 0008)."""

    OFFICER = "officer", "LA officer"
    BOARD = "board", "Partnership board"


class CategoryDecision(models.Model):
    """A person's decision on a school's category, beside what convenor proposed.

    ``reasons`` keeps the proposal as it was shown: the rules that fired with the
    input values, and the inputs not known. Decisions are only added, never edited;
    the school's category is its latest decision. Record one with
    :func:`convenor.intelligence.categorisation.confirm_category`.
    """

    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    framework = models.ForeignKey(CategoryFramework, on_delete=models.PROTECT, related_name="+")
    as_at = models.DateField(help_text="The date of the evidence")
    proposed_category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(default=dict)
    decided_category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(blank=True)
    decided_as = models.CharField(max_length=8, choices=DecidedAs.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    review_due = models.DateField()
    academy_concern = models.ForeignKey(
        AcademyConcern, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["urn", "-decided_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_category=models.F("proposed_category"))
                | ~models.Q(rationale=""),
                name="category_change_has_rationale",
            ),
            models.CheckConstraint(
                condition=models.Q(review_due__gt=models.F("as_at")),
                name="category_review_after_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.urn} {self.as_at}: {self.decided_category_id}"

    @property
    def changed(self) -> bool:
        """Whether the decision differs from the proposal."""
        return self.decided_category_id != self.proposed_category_id
