"""Partnership structures: clusters, boards, the strategic partnership and the rest.

DESIGN.md ("Register and system map") wants partnerships at three tiers (cluster,
area board or alliance, LA-wide strategic partnership) beside the other ways schools
are joined (teaching school hubs, trusts, federations, dioceses, networks). A
structure may sit under a parent (a cluster under its area board). Every structure,
membership and meeting is dated and nothing is deleted: ending one sets its end date.
Changes go through :mod:`convenor.brokerage.services.partnerships`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from convenor.brokerage.querysets import MembershipQuerySet, PartnershipQuerySet


class PartnershipKind(models.TextChoices):
    CLUSTER = "cluster", "School cluster"
    AREA_BOARD = "area_board", "Area board or alliance"
    STRATEGIC = "strategic", "Strategic partnership"
    TEACHING_SCHOOL_HUB = "teaching_school_hub", "Teaching school hub"
    TRUST = "trust", "Trust"
    FEDERATION = "federation", "Federation"
    DIOCESE = "diocese", "Diocese"
    LEARNING_NETWORK = "learning_network", "Learning network"
    BEHAVIOUR_PARTNERSHIP = "behaviour_partnership", "Behaviour partnership"
    SEND_NETWORK = "send_network", "SEND network"


# The three tiers of the LA's own partnership (Cumbria clusters -> LASLs -> CASL;
# West Sussex area boards -> governance board). Other kinds stand outside the tiers.
TIER_OF_KIND: dict[str, int] = {
    PartnershipKind.CLUSTER: 1,
    PartnershipKind.AREA_BOARD: 2,
    PartnershipKind.STRATEGIC: 3,
}


class MemberRole(models.TextChoices):
    MEMBER = "member", "Member"
    CHAIR = "chair", "Chair"
    LEAD_HEAD = "lead_head", "Lead head teacher"
    HUB_SCHOOL = "hub_school", "Hub school"


class Strength(models.TextChoices):
    """Formal: governance, agreements, shared staff. Weak: "look out for each other"."""

    FORMAL = "formal", "Formal"
    WEAK = "weak", "Weak"


def _in_force(starts: date, ends: date | None, on: date) -> bool:
    return starts <= on and (ends is None or on <= ends)


class Partnership(models.Model):
    """One partnership structure of an LA, in force from ``starts`` to ``ends`` (inclusive)."""

    la_code = models.PositiveIntegerField(verbose_name="LA code", db_index=True)
    kind = models.CharField(max_length=24, choices=PartnershipKind.choices)
    name = models.CharField(max_length=200)
    area = models.CharField(
        max_length=120, blank=True, help_text="A district of the register, for area boards"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True, help_text="Last day; blank: still running")
    synthetic = models.BooleanField(default=False, help_text="Made up for the demo")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["la_code", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="partnership_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def tier(self) -> int | None:
        """1 cluster, 2 area board, 3 strategic partnership; None outside the tiers."""
        return TIER_OF_KIND.get(self.kind)

    def in_force(self, on: date) -> bool:
        return _in_force(self.starts, self.ends, on)


class PartnershipMembership(models.Model):
    """A school's membership of a partnership between two dates, in one role."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="memberships"
    )
    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    role = models.CharField(max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER)
    strength = models.CharField(max_length=8, choices=Strength.choices, default=Strength.FORMAL)
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["partnership_id", "urn", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.urn} in {self.partnership_id} as {self.role}"

    def in_force(self, on: date) -> bool:
        return _in_force(self.starts, self.ends, on)


class PartnershipMeeting(models.Model):
    """A meeting of a partnership, whose attendance shows who takes part (Gloucestershire)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["partnership_id", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class MeetingAttendance(models.Model):
    """Whether one member school attended one meeting."""

    meeting = models.ForeignKey(
        PartnershipMeeting, on_delete=models.PROTECT, related_name="attendance"
    )
    urn = models.PositiveIntegerField(db_index=True, verbose_name="URN")
    attended = models.BooleanField()

    class Meta:
        ordering = ["meeting_id", "urn"]
        verbose_name_plural = "meeting attendance"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "urn"], name="unique_attendance_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.urn} {'attended' if self.attended else 'absent'} {self.meeting_id}"
