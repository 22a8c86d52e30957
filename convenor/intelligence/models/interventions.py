"""Intervention casework.

Statutory intervention casework (DOMAIN.md 1.3, 1.4, 1.8): warning notices and interim
executive boards for maintained schools, and concerns about academies raised with the
trust and the regional director. Each case keys its school by URN, as the register
does. The clocks are pure rules in convenor.intelligence.interventions; every change
goes through convenor.intelligence.services_interventions, which writes the audit
event; who may see and do what is docs/adr/0007-interventions-access.md.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from convenor.intelligence import interventions as clocks


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
