"""Place-planning data: pupils by year group and LA school places scorecards."""

from __future__ import annotations

from django.db import models

from convenor.intelligence.models import SchoolIndicator


class YearGroupCount(SchoolIndicator):
    """Headcount by national curriculum year group from one January census."""

    class Meta(SchoolIndicator.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "period", "segment", "urn"], name="unique_year_groups"
            )
        ]


class PlaceScorecard(models.Model):
    """DfE's school places scorecard measures for one LA (code 0 = England) and year."""

    la_code = models.PositiveIntegerField()
    year = models.CharField(max_length=7, help_text="Scorecard (SCAP) year, e.g. 2018/19")
    values = models.JSONField(default=dict)
    missing = models.JSONField(default=dict)
    source_file = models.CharField(max_length=300)

    class Meta:
        ordering = ["year", "la_code"]
        constraints = [
            models.UniqueConstraint(fields=["la_code", "year"], name="unique_place_scorecard")
        ]

    def __str__(self) -> str:
        return f"scorecard {self.la_code} {self.year}"
