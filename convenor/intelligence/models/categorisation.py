"""Categorisation frameworks, rules and decisions.

An LA's categorisation framework (DOMAIN.md section 2): categories from least to most
concern, each with its entitlement, and rules over named inputs that propose one. A
framework is per LA and per track (maintained schools; academies, with the simpler
"cause for concern" / "no concern" track of DOMAIN.md 1.8) and is never edited: a change
is a new version from a later date. A person confirms or changes each proposal; the
decisions are only ever added. The rule engine is convenor.analytics.categorisation;
every change goes through convenor.intelligence.categorisation, which writes the audit
event; who may see and do what is docs/adr/0008-categorisation-framework.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from convenor.intelligence.models.interventions import AcademyConcern


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
