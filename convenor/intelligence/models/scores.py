"""Stored early-warning score runs.

A run is the model's ranking of every open state-funded school as at one date,
written by ``convenor model score --as-at DATE --store`` (or the demo load). Pages
read the latest run on or before their as-at date instead of fitting a model per
request, so a page never shows a score built from data later than its date. A run
is never edited; scoring the same date again adds a new run, and the newest one
for a date is the one shown. Who may see scores: docs/adr/0009-stored-score-runs.md.
"""

from __future__ import annotations

from django.db import models


class ScoreRun(models.Model):
    """The early-warning model's scores for every open school as at ``as_at``."""

    as_at = models.DateField(help_text="Features use only data published on or before it")
    created_at = models.DateTimeField(auto_now_add=True)
    schools = models.PositiveIntegerField(help_text="Open state-funded schools scored")
    training_windows = models.JSONField(
        default=list, help_text="The as-at dates of the windows the model was fitted on"
    )
    training_rows = models.PositiveIntegerField(help_text="Inspected schools fitted on")
    training_base_rate = models.FloatField(help_text="Share of those judged below good")
    features = models.JSONField(default=list, help_text="The model's feature names")
    seed = models.IntegerField(default=0)

    class Meta:
        ordering = ["-as_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["-as_at", "-created_at"])]

    def __str__(self) -> str:
        return f"Scores as at {self.as_at} ({self.schools:,} schools)"


class RiskScore(models.Model):
    """One school's score in a run.

    ``probability`` is the chance of a graded inspection in the year after the
    run's date that is below good; ``rank`` 1 is the highest in England (or in
    whatever the run scored). ``reasons`` lists up to three features that raise
    it most: ``[{"feature": ..., "value": ..., "effect": ...}]``, largest first.
    """

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scores")
    urn = models.PositiveIntegerField(verbose_name="URN")
    probability = models.FloatField()
    rank = models.PositiveIntegerField()
    if_inspected = models.FloatField(null=True, blank=True)
    inspection = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "urn"], name="unique_risk_score"),
        ]
        indexes = [models.Index(fields=["urn", "run"])]

    def __str__(self) -> str:
        return f"{self.urn}: {self.probability:.3f} (rank {self.rank})"
