"""Hard data about schools over time: inspections and indicators by period.

Indicator rows are kept per publication (``dataset``): the provisional and
final KS4 results for one year are separate rows, because an analysis "as at"
a date must use what had been published by then. Measures live in ``values``
under canonical names (documented in each reader in :mod:`convenor.sources`);
a measure the file withheld is ``None`` with its code in ``missing``
(``SUPP``, ``NE``, ``LOWCOV``, ``x`` ...), never zero.
"""

from __future__ import annotations

from typing import Any

from django.db import models


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
