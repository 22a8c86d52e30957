"""Early-warning scoring from the database: every open school as at a date, end to end.

    python benchmarks/scoring.py --data ../shared/data [--as-at 2019-08-31] [--repeat 3] \\
        [--no-backtest] [--json]
    DATABASE_URL=sqlite:////path/to/england.sqlite3 python benchmarks/scoring.py [...]

With ``--data`` it runs against the England database that ``benchmarks/pages.py``
builds from that folder (``var/bench/england.sqlite3``, built once with
``convenor import-all`` and reused while its stamp matches; the same helper
builds it); without, against the database ``DATABASE_URL`` names (the project's
default database otherwise). In one process:

- **baseline**: a plain fetch of every URN in the register
  (``Establishment.objects.values_list("urn")``), the cheapest read of it;
- **cold path**: features worked out from the indicator tables (what
  :func:`convenor.intelligence.asat.stored_features` does when no snapshot
  fits) and ``RiskModel.score`` for every open school, with the parts
  (register; indicator tables; features) timed on their own;
- **stored path**: the same from the date's stored feature snapshot (the
  fingerprint check, one row read) and ``RiskModel.score``: what scoring a date
  costs once its features are stored. The issue's goal, 1 second for England,
  is about "features + score"; both paths are reported with and without the
  per-school reasons;
- **fit**: building the training sets and fitting, once (not part of the goal);
- **backtest**: the whole ``convenor model backtest`` computation, once with no
  snapshots stored (it builds and stores them, as the command's first run on a
  database does) and once more reading them.

Times are the median of ``--repeat`` runs after one unmeasured warm-up (fit and
backtest: one run), in wall-clock seconds, as ratios to the baseline measured in
the same run, and in CPU seconds of the process. The machine's load average is
printed with them: on a shared machine the wall-clock seconds move with it, and
the CPU seconds much less. The benchmark stores the
date's feature snapshot in the database, and deletes every snapshot before the
cold backtest (they are a cache; ``convenor model score`` rebuilds them). Exits
with a message, and status 0, when the database has no schools or no
inspections.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Timing:
    """Median wall-clock and CPU seconds of the process (the CPU time moves less than the
    wall time when other work shares the machine; SQLite runs in the process)."""

    wall: float
    cpu: float


def _measure(fn: Callable[[], Any], repeat: int) -> Timing:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus))


def _once(fn: Callable[[], Any]) -> tuple[Timing, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def _use_bench_database(data: Path) -> None:
    """Point Django at the England database benchmarks/pages.py builds from ``data``."""
    # As "pages", the name mypy and a script run from this folder both give it.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pages import ensure_database, scale_for

    database = ensure_database(scale_for("england", data))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-at", default="2019-08-31", help="the date scored (YYYY-MM-DD)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data", type=Path, help="the public data folder: use the England bench database"
    )
    parser.add_argument("--no-backtest", action="store_true", help="skip timing the backtest")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    as_at = date.fromisoformat(args.as_at)

    if args.data is not None:
        if not args.data.is_dir():
            print(f"benchmarks/scoring.py: skipped ({args.data} is not a folder)")
            return
        _use_bench_database(args.data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convenor.config.settings")
    import django

    django.setup()
    from django.db import connection

    from convenor.analytics.early_warning import FeatureTable, RiskModel, backtest
    from convenor.intelligence import asat
    from convenor.intelligence.models import Inspection
    from convenor.intelligence.models.scores import FeatureSnapshot
    from convenor.schools.models import Establishment

    if not Establishment.objects.exists() or not Inspection.objects.exists():
        print(
            "benchmarks/scoring.py: skipped, the database has no schools or no inspections "
            "(point DATABASE_URL at an imported database, or give --data)"
        )
        return

    repeat = args.repeat
    # One unmeasured run first, so every timing reads the database from a warm cache.
    schools = asat.build(as_at).features
    timings: dict[str, Timing] = {}
    timings["baseline"] = baseline = _measure(
        lambda: list(Establishment.objects.values_list("urn")), repeat
    )
    timings["register"] = _measure(asat.load_register, repeat)
    timings["tables"] = _measure(lambda: asat.load_tables(as_at), repeat)

    def cold() -> FeatureTable:
        # What stored_features does when no snapshot fits, without the fingerprint.
        return FeatureTable.from_schools(asat.build(as_at).features, asat.FEATURES)

    timings["features_cold"] = _measure(cold, repeat)

    assembler = asat.Assembler()
    fit, model = _once(lambda: RiskModel.fit(assembler.training(as_at), seed=args.seed))

    timings["cold_score"] = _measure(lambda: model.score(cold()), repeat)
    timings["cold_score_without_reasons"] = _measure(
        lambda: model.score(cold(), explain=False), repeat
    )
    asat.stored_features(as_at)  # builds and stores the snapshot (unmeasured)
    timings["fingerprint"] = _measure(asat.data_version, repeat)
    timings["snapshot_read"] = _measure(lambda: asat.stored_features(as_at), repeat)
    table = asat.stored_features(as_at)
    timings["model_score_explained"] = _measure(lambda: model.score(table), repeat)
    timings["stored_score"] = _measure(lambda: model.score(asat.stored_features(as_at)), repeat)
    timings["stored_score_without_reasons"] = _measure(
        lambda: model.score(asat.stored_features(as_at), explain=False), repeat
    )

    backtests: dict[str, Timing] = {}
    if not args.no_backtest:

        def run_backtest() -> Any:
            folds_builder = asat.Assembler(stored=True)
            folds = [folds_builder.fold(window) for window in asat.BACKTEST_FOLDS]
            return backtest(folds, seed=args.seed)

        FeatureSnapshot.objects.all().delete()
        backtests["backtest_cold"], _report = _once(run_backtest)
        backtests["backtest_stored"], _report = _once(run_backtest)

    def ratio(seconds: float) -> float:
        return round(seconds / baseline.wall, 1)

    result: dict[str, Any] = {
        "database": connection.vendor,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "as_at": as_at.isoformat(),
        "schools": len(schools),
        "features": len(asat.FEATURES),
        "repeat": repeat,
        "baseline_urn_fetch_s": round(baseline.wall, 4),
    }
    for name, timing in timings.items():
        if name != "baseline":
            result[f"{name}_s"] = round(timing.wall, 3)
            result[f"{name}_cpu_s"] = round(timing.cpu, 3)
            result[f"{name}_ratio"] = ratio(timing.wall)
    result |= {
        "goal_s": 1.0,
        "fit_s": round(fit.wall, 1),
        "training_rows": model.training_rows,
    }
    for name, timing in backtests.items():
        result[f"{name}_s"] = round(timing.wall, 1)
        result[f"{name}_cpu_s"] = round(timing.cpu, 1)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{connection.vendor}: {len(schools):,} open schools as at {as_at}, "
        f"{len(asat.FEATURES)} features (median of {repeat}; load average "
        f"{result['load_average_1min']} on {result['cpus']} CPUs at the end)"
    )
    labels = {
        "baseline": "URN fetch (baseline)",
        "register": "register and links",
        "tables": "indicator tables",
        "features_cold": "features from the tables",
        "cold_score": "cold: features + score",
        "cold_score_without_reasons": "cold: ... without reasons",
        "fingerprint": "fingerprint check",
        "snapshot_read": "snapshot read (with the check)",
        "model_score_explained": "model.score with reasons",
        "stored_score": "stored: features + score",
        "stored_score_without_reasons": "stored: ... without reasons",
    }
    print(f"  {'':32} {'wall':>8}   {'ratio':>7}  {'cpu':>8}")
    for name, timing in timings.items():
        print(
            f"  {labels[name]:32} {timing.wall:8.3f} s {ratio(timing.wall):>7}x {timing.cpu:8.3f} s"
        )
    stored = timings["stored_score"]
    goal = "met" if stored.wall <= 1.0 else "not met"
    print(f"  goal for features + score: 1 s ({goal} from stored features, wall time)")
    print(f"  fit ({model.training_rows:,} rows) {fit.wall:.1f} s")
    if backtests:
        cold_bt, warm_bt = backtests["backtest_cold"], backtests["backtest_stored"]
        print(
            f"  whole backtest (two folds, baselines): {cold_bt.wall:.1f} s with no "
            f"snapshots (cpu {cold_bt.cpu:.1f} s), {warm_bt.wall:.1f} s reading them "
            f"(cpu {warm_bt.cpu:.1f} s)"
        )


if __name__ == "__main__":
    main()
