"""The rolling-origin backtest of the model against naive baselines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from convenor.analytics.early_warning.evaluation import Ranking, evaluate
from convenor.analytics.early_warning.features import (
    Fold,
    SchoolFeatures,
    check_unique,
    feature_matrix,
)
from convenor.analytics.early_warning.learner import DEFAULT_THREADS
from convenor.analytics.early_warning.model import RiskModel
from convenor.analytics.early_warning.report import BacktestReport, BaselineResult, FoldResult
from convenor.analytics.metrics import BELOW_GOOD, NOT_BELOW_GOOD, UNKNOWN, FloatArray

#: Features of the "previous grade and time since inspection" baseline.
INSPECTION_FEATURES: Final = ("last_grade", "days_since_inspection")
#: Features starting with these make up the "latest results only" baseline.
RESULTS_PREFIXES: Final = ("ks2_", "ks4_")


@dataclass(frozen=True, slots=True)
class _BaselineSpec:
    name: str
    label: str
    description: str
    select: Callable[[Sequence[str]], tuple[str, ...]] | None  # None: the rule


def _inspection_features(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(f for f in INSPECTION_FEATURES if f in names)


def _results_features(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(f for f in names if f.startswith(RESULTS_PREFIXES))


BASELINES: Final = (
    _BaselineSpec(
        "inspection_history",
        "grade+time",
        "Previous grade and time since inspection: the same learner on "
        + " and ".join(INSPECTION_FEATURES)
        + " only.",
        _inspection_features,
    ),
    _BaselineSpec(
        "latest_results",
        "results",
        "Latest results only: the same learner on the KS2 and KS4 features only.",
        _results_features,
    ),
    _BaselineSpec(
        "last_grade_rule",
        "rule",
        "Rule: rank by last_grade (worst first), then by days_since_inspection (longest "
        "first); schools with neither come last. No probabilities, so no Brier score.",
        None,
    ),
)


def rule_scores(schools: Sequence[SchoolFeatures]) -> FloatArray:
    """Scores that order schools by last grade (worst first), then by time since inspection.

    A missing last grade or time counts as 0, so such schools come after
    those with a value. Days are capped at 999,999 to keep the two keys apart.
    """
    matrix = np.nan_to_num(feature_matrix(schools, INSPECTION_FEATURES), nan=0.0)
    return matrix[:, 0] * 1_000_000 + np.clip(matrix[:, 1], 0, 999_999)


def _ranked(fold: Fold, scores: FloatArray, all_scores: FloatArray | None = None) -> Ranking:
    urns = np.array([school.urn for school in fold.schools], dtype=np.int64)
    outcomes = np.array(
        [
            UNKNOWN
            if (o := fold.outcomes.get(school.urn)) is None
            else (BELOW_GOOD if o else NOT_BELOW_GOOD)
            for school in fold.schools
        ],
        dtype=np.int64,
    )
    return Ranking(urns=urns, scores=scores, outcomes=outcomes, all_scores=all_scores)


def _model_ranking(fold: Fold, model: RiskModel) -> Ranking:
    """All open schools by the joint chance, inspected ones by the "if inspected" chance."""
    inspection, if_inspected = model.predict_parts(fold.schools)
    return _ranked(fold, if_inspected, inspection * if_inspected)


def _check_fold(fold: Fold) -> None:
    if not fold.training:
        raise ValueError(f"fold as at {fold.as_at} has no training sets")
    for ts in fold.training:
        if ts.as_at >= fold.as_at:
            # A training set from the fold's own date or later would see the test outcomes.
            raise ValueError(
                f"fold as at {fold.as_at} trains on a set as at {ts.as_at}: "
                "training must come from before the fold"
            )
    check_unique(fold.schools, f"the schools of the fold as at {fold.as_at}")


def backtest(
    folds: Sequence[Fold],
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    threads: int = DEFAULT_THREADS,
) -> BacktestReport:
    """Rolling-origin backtest of the model and the naive baselines.

    For each fold: fit on its training sets only, rank every open school as
    at its date by the chance of being found below good (a graded inspection
    that is below good), rank the inspected ones by the chance of below good
    if inspected, and measure against the outcomes of its test window. The
    learned baselines are the same two-part model on fewer features, fitted
    and measured on exactly the same folds (the rule has one ranking for both); a learned
    baseline is left out (and named in ``unavailable_baselines``) when some
    fold has none of its features. ``progress``, if given, is called with a
    short message before each fit, for a command to show; ``threads`` is
    passed to :meth:`RiskModel.fit`.
    """
    if not folds:
        raise ValueError("a backtest needs at least one fold")
    say = progress or (lambda message: None)
    model_parts: list[Ranking] = []
    baseline_parts: dict[str, list[Ranking]] = {spec.name: [] for spec in BASELINES}
    baseline_features: dict[str, set[str]] = {spec.name: set() for spec in BASELINES}
    unavailable: set[str] = set()
    results: list[FoldResult] = []
    for fold in folds:
        _check_fold(fold)
        say(f"as at {fold.as_at}: fitting the model")
        model = RiskModel.fit(fold.training, seed=seed, threads=threads)
        ranked = _model_ranking(fold, model)
        model_parts.append(ranked)
        results.append(
            FoldResult(
                as_at=fold.as_at,
                training_as_at=tuple(sorted(ts.as_at for ts in fold.training)),
                training_rows=model.training_rows,
                outcomes_without_features=len(
                    set(fold.outcomes) - {school.urn for school in fold.schools}
                ),
                evaluation=evaluate([ranked]),
            )
        )
        for spec in BASELINES:
            if spec.select is None:
                baseline_parts[spec.name].append(_ranked(fold, rule_scores(fold.schools)))
                continue
            features = spec.select(model.feature_names)
            if not features:
                unavailable.add(spec.name)
                continue
            say(f"as at {fold.as_at}: fitting the {spec.name} baseline")
            baseline = RiskModel.fit(fold.training, features=features, seed=seed, threads=threads)
            baseline_features[spec.name].update(features)
            baseline_parts[spec.name].append(_model_ranking(fold, baseline))
    baselines = []
    for spec in BASELINES:
        if spec.name in unavailable:
            continue
        parts = baseline_parts[spec.name]
        probabilistic = spec.select is not None
        baselines.append(
            BaselineResult(
                name=spec.name,
                label=spec.label,
                description=spec.description,
                features=tuple(sorted(baseline_features[spec.name])),
                folds=tuple(evaluate([p], probabilistic=probabilistic) for p in parts),
                overall=evaluate(parts, probabilistic=probabilistic),
            )
        )
    return BacktestReport(
        folds=tuple(results),
        overall=evaluate(model_parts),
        baselines=tuple(baselines),
        unavailable_baselines=tuple(s.name for s in BASELINES if s.name in unavailable),
        seed=seed,
    )
