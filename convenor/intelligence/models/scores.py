"""Stored early-warning score runs.

A run is the model's ranking of every open state-funded school as at one date,
written by ``convenor model score --as-at DATE --store`` (or the demo load). Pages
read the latest run on or before their as-at date instead of fitting a model per
request, so a page never shows a score built from data later than its date. A run
is never edited; scoring the same date again adds a new run, and the newest one
for a date is the one shown. Who may see scores: docs/adr/0009-stored-score-runs.md.

A :class:`FeatureSnapshot` is the features a run is scored from, stored once per
date so that scoring does not read the indicator tables again; it is a cache,
checked against the data before every use (ADR 0009).
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete, post_save


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


class FeatureSnapshot(models.Model):
    """Every open school's early-warning features as at ``as_at``, stored once.

    Built by :mod:`convenor.intelligence.asat.snapshot` (scoring then reads it
    instead of the indicator tables) and valid only for exactly that date and
    while the data and the feature code are as they were: ``data_version``
    fingerprints both, and a snapshot whose fingerprint is not the current one
    is never read. ``urns`` and ``values`` are a compact matrix: URNs as
    little-endian 64-bit integers, and the values (``features`` across, one row
    per URN, NaN where unknown) as little-endian 64-bit floats, zlib-compressed.
    A cache, not a record: it can be deleted at any time and is rebuilt on use.
    """

    as_at = models.DateField(unique=True)
    data_version = models.CharField(max_length=64)
    built_at = models.DateTimeField(auto_now_add=True)
    features = models.JSONField(default=list, help_text="Feature names, in column order")
    schools = models.PositiveIntegerField()
    urns = models.BinaryField()
    values = models.BinaryField()

    class Meta:
        ordering = ["as_at"]

    def __str__(self) -> str:
        return f"Features as at {self.as_at} ({self.schools:,} schools)"


def _data_changed(**kwargs: object) -> None:
    """A row the features read was saved or deleted through the ORM (the admin, a
    service): drop every snapshot. Imports, which write in bulk without these
    signals, are caught by the snapshot's fingerprint instead (ADR 0009)."""
    FeatureSnapshot.objects.all().delete()


def _watch() -> None:
    # Here rather than in an AppConfig so that every process that can save these
    # models (web, commands, tests) has the receivers: this module is always loaded.
    from convenor.intelligence.models.indicators import (
        AbsenceRecord,
        CensusRecord,
        ExclusionRecord,
        Inspection,
        KS2Result,
        KS4Result,
        PreferenceRecord,
    )
    from convenor.schools.models import Establishment, EstablishmentLink, GroupMembership

    for model in (
        Inspection,
        KS2Result,
        KS4Result,
        CensusRecord,
        AbsenceRecord,
        ExclusionRecord,
        PreferenceRecord,
        Establishment,
        EstablishmentLink,
        GroupMembership,
    ):
        uid = f"feature-snapshot-{model.__name__}"
        post_save.connect(_data_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_data_changed, sender=model, dispatch_uid=uid)


_watch()
