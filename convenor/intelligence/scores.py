"""Stored early-warning score runs: writing one, and finding the one a page may show.

A page as at a date shows the newest run whose own date is on or before it, so a
score never uses data later than the page's date; it never fits a model itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction

from convenor.analytics.early_warning.scores import Reason, Score
from convenor.core.services import Actor, record_audit
from convenor.intelligence.models import RiskScore, ScoreRun

STORED = "score_run.stored"


def reasons_json(reasons: Iterable[Reason]) -> list[dict[str, float | str | None]]:
    """A score's reasons as stored: feature, value and effect, largest first."""
    return [{"feature": r.feature, "value": r.value, "effect": r.effect} for r in reasons]


@transaction.atomic
def store_run(
    as_at: date,
    scores: Sequence[Score],
    *,
    training_windows: Sequence[date],
    training_rows: int,
    training_base_rate: float,
    features: Sequence[str],
    seed: int,
    actor: Actor,
) -> ScoreRun:
    """Store one run and its scores, all or nothing, and audit it."""
    run = ScoreRun.objects.create(
        as_at=as_at,
        schools=len(scores),
        training_windows=[d.isoformat() for d in training_windows],
        training_rows=training_rows,
        training_base_rate=training_base_rate,
        features=list(features),
        seed=seed,
    )
    RiskScore.objects.bulk_create(
        (
            RiskScore(
                run=run,
                urn=s.urn,
                probability=s.probability,
                rank=s.rank,
                if_inspected=s.if_inspected,
                inspection=s.inspection,
                reasons=reasons_json(s.reasons),
            )
            for s in scores
        ),
        batch_size=2000,
    )
    record_audit(
        STORED,
        actor=actor,
        object_type="score_run",
        object_id=run.pk,
        as_at=as_at.isoformat(),
        schools=len(scores),
    )
    return run


def latest_run(as_at: date) -> ScoreRun | None:
    """The newest run dated on or before ``as_at``, or None."""
    return (
        ScoreRun.objects.filter(as_at__lte=as_at).order_by("-as_at", "-created_at", "-pk").first()
    )


def run_scores(run: ScoreRun, urns: Iterable[int] | None = None) -> list[Score]:
    """A stored run's scores as the model's :class:`Score` values, by rank."""
    rows = run.scores.order_by("rank")
    if urns is not None:
        rows = rows.filter(urn__in=list(urns))
    # Plain rows rather than model instances: a whole England run is 21,000 of them.
    found = rows.values_list("urn", "probability", "rank", "reasons", "if_inspected", "inspection")
    return [
        Score(
            urn=urn,
            probability=probability,
            rank=rank,
            reasons=tuple(
                Reason(feature=r["feature"], value=r["value"], effect=r["effect"]) for r in reasons
            ),
            if_inspected=if_inspected,
            inspection=inspection,
        )
        for urn, probability, rank, reasons, if_inspected, inspection in found
    ]
