"""Early-warning model speed: fitting, and scoring with and without explanations.

    python benchmarks/early_warning.py [--train 40000] [--score 20000] [--threads 1] [--json]

Builds synthetic schools (numpy, from a seed; the feature names the Django side
produces, KS2 measures missing for secondaries and KS4 for primaries, 5% of
other values missing at random), fits :class:`RiskModel` on the training rows
(all of them inspected) and scores the rest.

Baseline: a plain probability prediction for the same schools (``predict``:
build the feature matrix and one ``predict_proba``, no ranking, no reasons),
median of three, in the same process. It is the cheapest way to get the same
probabilities, so the ratio to it is what ranking and explaining cost on top.
Explaining by brute force would cost one more prediction per feature (a ratio
near the number of features plus one, about 31 here); re-evaluating only the
trees that use each feature brings it to about 5. The feature-matrix build
alone is reported too, since it is pure Python over the input records. Fit
time is reported in seconds (there is no cheaper way to get the same model).

Use ``--threads 2`` only on an idle machine: on a busy one OpenMP's spinning
threads make the booster many times slower.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convenor.analytics.early_warning import (  # noqa: E402
    DEFAULT_THREADS,
    RiskModel,
    SchoolFeatures,
    TrainingSet,
    feature_matrix,
)

NAMES = [
    "last_grade",
    "previous_grade",
    "grade_change",
    "days_since_inspection",
    "ks2_rwm_exp",
    "ks2_rwm_exp_vs_england",
    "ks2_rwm_exp_trend",
    "ks2_read_progress",
    "ks2_writ_progress",
    "ks2_mat_progress",
    "ks4_p8",
    "ks4_a8",
    "ks4_a8_vs_england",
    "ks4_a8_trend",
    "absence_overall",
    "absence_persistent",
    "exclusion_fixed_rate",
    "exclusion_perm_rate",
    "pupils",
    "pupils_change",
    "fsm_pct",
    "sen_pct",
    "eal_pct",
    "first_preference_ratio",
    "is_academy",
    "in_trust",
    "is_primary",
    "is_secondary",
    "is_special",
    "noise",
]


def synthetic_schools(
    n: int, seed: int, first_urn: int = 100_000
) -> tuple[list[SchoolFeatures], dict[int, bool]]:
    """``n`` synthetic schools with 30 features and an outcome for each."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(NAMES)))
    col = {name: j for j, name in enumerate(NAMES)}
    x[:, col["last_grade"]] = rng.choice([1, 2, 3, 4], size=n, p=[0.2, 0.6, 0.15, 0.05])
    x[:, col["days_since_inspection"]] = rng.integers(100, 3000, size=n)
    primary = rng.random(n) < 0.8
    for name in ("is_primary", "is_secondary", "is_special", "is_academy", "in_trust"):
        x[:, col[name]] = rng.random(n) < 0.5
    x[:, col["is_primary"]] = primary
    x[:, col["is_secondary"]] = ~primary
    logit = (
        -1.5
        + 0.5 * (x[:, col["last_grade"]] - 2)
        + 0.8 * x[:, col["absence_persistent"]]
        - 0.5 * np.where(primary, x[:, col["ks2_rwm_exp"]], x[:, col["ks4_p8"]])
    )
    below = rng.random(n) < 1 / (1 + np.exp(-logit))
    missing = rng.random(x.shape) < 0.05
    for j, name in enumerate(NAMES):
        if name.startswith("ks2_"):
            missing[:, j] |= ~primary
        elif name.startswith("ks4_"):
            missing[:, j] |= primary
    schools = []
    for i in range(n):
        values = {name: None if missing[i, j] else float(x[i, j]) for j, name in enumerate(NAMES)}
        schools.append(SchoolFeatures(urn=first_urn + i, values=values))
    return schools, {first_urn + i: bool(below[i]) for i in range(n)}


def _median_seconds(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=40_000, help="training rows")
    parser.add_argument("--score", type=int, default=20_000, help="schools to score")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="OpenMP threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()

    train, outcomes = synthetic_schools(args.train, args.seed)
    score, _ = synthetic_schools(args.score, args.seed + 1, first_urn=500_000)
    training = [TrainingSet(as_at=date(2017, 8, 31), schools=train, below_good=outcomes)]

    start = time.perf_counter()
    model = RiskModel.fit(training, seed=args.seed, threads=args.threads)
    fit_s = time.perf_counter() - start

    matrix_s = _median_seconds(lambda: feature_matrix(score, model.feature_names))
    predict_s = _median_seconds(lambda: model.predict(score))
    rank_s = _median_seconds(lambda: model.score(score, explain=False))
    explain_s = _median_seconds(lambda: model.score(score, explain=True))
    result = {
        "training_rows": args.train,
        "features": len(model.feature_names),
        "scored_schools": args.score,
        "threads": args.threads,
        "fit_s": round(fit_s, 3),
        "matrix_s": round(matrix_s, 4),
        "predict_s": round(predict_s, 4),
        "score_s": round(rank_s, 4),
        "score_explained_s": round(explain_s, 4),
        "score_ratio": round(rank_s / predict_s, 2),
        "score_explained_ratio": round(explain_s / predict_s, 2),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{args.train:,} training rows x {len(model.feature_names)} features, "
        f"{args.score:,} schools scored, {args.threads} thread(s)"
    )
    print(f"  fit                          {fit_s:8.2f} s")
    print(f"  feature matrix build         {matrix_s:8.3f} s")
    print(f"  predict (baseline)           {predict_s:8.3f} s   1.0x")
    print(f"  score and rank               {rank_s:8.3f} s {result['score_ratio']:>5}x")
    print(
        f"  score, rank and explain      {explain_s:8.3f} s {result['score_explained_ratio']:>5}x"
    )


if __name__ == "__main__":
    main()
