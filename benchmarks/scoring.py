"""Early-warning scoring from the database: every open school as at a date, end to end.

    DATABASE_URL=sqlite:////path/to/england.sqlite3 \\
        python benchmarks/scoring.py [--as-at 2019-08-31] [--repeat 3] [--no-backtest] [--json]

Against the database ``DATABASE_URL`` names (the project's default database
otherwise), in one process:

- **baseline**: a plain fetch of every URN in the register
  (``Establishment.objects.values_list("urn")``), the cheapest read of it;
- **features**: :func:`convenor.intelligence.asat.school_features` for the date:
  the register, every indicator table and each open school's features, with the
  parts (register; inspections, results and other tables; the features
  themselves) timed on their own;
- **score**: features and then ``RiskModel.score`` for every open school, with a
  model fitted beforehand on the windows ending by the date: the figure the
  issue's goal (1 second for England) is about. Reported with and without the
  per-school reasons;
- **fit**: building the training sets and fitting, once (not part of the goal);
- **backtest**: the whole ``convenor model backtest`` computation, once.

Times are the median of ``--repeat`` runs after one unmeasured warm-up (fit and
backtest: one run) and are also given as ratios to the baseline measured in the
same run. The machine's load average is printed with them: on a shared machine
the seconds move with it more than the ratios do. Exits with a
message, and status 0, when the database has no schools or no inspections.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _once(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-at", default="2019-08-31", help="the date scored (YYYY-MM-DD)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-backtest", action="store_true", help="skip timing the backtest")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    as_at = date.fromisoformat(args.as_at)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convenor.config.settings")
    import django

    django.setup()
    from django.db import connection

    from convenor.analytics.early_warning import RiskModel, backtest
    from convenor.intelligence import asat
    from convenor.intelligence.models import Inspection
    from convenor.schools.models import Establishment

    if not Establishment.objects.exists() or not Inspection.objects.exists():
        print(
            "benchmarks/scoring.py: skipped, the database has no schools or no inspections "
            "(point DATABASE_URL at an imported database)"
        )
        return

    repeat = args.repeat
    # One unmeasured run first, so every timing reads the database from a warm cache.
    schools = asat.school_features(as_at)
    baseline = _median_seconds(lambda: list(Establishment.objects.values_list("urn")), repeat)
    register_s = _median_seconds(asat.load_register, repeat)
    tables_s = _median_seconds(lambda: asat.load_tables(as_at), repeat)
    register = asat.load_register()
    features_only_s = _median_seconds(lambda: asat.build(as_at, register=register), repeat)
    features_s = _median_seconds(lambda: asat.school_features(as_at), repeat)

    assembler = asat.Assembler()
    fit_s, model = _once(lambda: RiskModel.fit(assembler.training(as_at), seed=args.seed))

    def score(explain: bool) -> Any:
        return model.score(asat.school_features(as_at), explain=explain)

    score_s = _median_seconds(lambda: score(True), repeat)
    score_plain_s = _median_seconds(lambda: score(False), repeat)
    model_only_s = _median_seconds(lambda: model.score(schools, explain=True), repeat)

    backtest_s = None
    if not args.no_backtest:

        def run_backtest() -> Any:
            folds_builder = asat.Assembler()
            folds = [folds_builder.fold(window) for window in asat.BACKTEST_FOLDS]
            return backtest(folds, seed=args.seed)

        backtest_s, _report = _once(run_backtest)

    def ratio(seconds: float) -> float:
        return round(seconds / baseline, 1)

    result = {
        "database": connection.vendor,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "as_at": as_at.isoformat(),
        "schools": len(schools),
        "features": len(asat.FEATURES),
        "baseline_urn_fetch_s": round(baseline, 4),
        "register_s": round(register_s, 3),
        "tables_s": round(tables_s, 3),
        "features_given_register_s": round(features_only_s, 3),
        "features_s": round(features_s, 3),
        "features_ratio": ratio(features_s),
        "model_score_explained_s": round(model_only_s, 3),
        "score_s": round(score_s, 3),
        "score_ratio": ratio(score_s),
        "score_without_reasons_s": round(score_plain_s, 3),
        "score_without_reasons_ratio": ratio(score_plain_s),
        "goal_s": 1.0,
        "fit_s": round(fit_s, 2),
        "training_rows": model.training_rows,
        "backtest_s": None if backtest_s is None else round(backtest_s, 1),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{connection.vendor}: {len(schools):,} open schools as at {as_at}, "
        f"{len(asat.FEATURES)} features (median of {repeat}; load average "
        f"{result['load_average_1min']} on {result['cpus']} CPUs at the end)"
    )
    rows = [
        ("URN fetch (baseline)", baseline),
        ("register and links", register_s),
        ("indicator tables", tables_s),
        ("features, register given", features_only_s),
        ("features (all of the above)", features_s),
        ("model.score with reasons", model_only_s),
        ("features + score, with reasons", score_s),
        ("features + score, no reasons", score_plain_s),
    ]
    for label, seconds in rows:
        print(f"  {label:32} {seconds:8.3f} s {ratio(seconds):>8}x")
    print(f"  goal for features + score: 1 s; fit ({model.training_rows:,} rows) {fit_s:.1f} s")
    if backtest_s is not None:
        print(f"  whole backtest (two folds, baselines) {backtest_s:.1f} s")


if __name__ == "__main__":
    main()
