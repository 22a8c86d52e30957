"""``convenor model ...``: backtest the early-warning model, or score every open school.

``convenor model backtest [--json] [--seed N]`` runs the rolling-origin backtest on
the database's real history (:data:`convenor.intelligence.asat.BACKTEST_FOLDS`): as
at 31 August 2017, tested on the graded inspections of September 2017 to August
2018, and as at 31 August 2018, tested on September 2018 to March 2020; each fold
trains only on the yearly windows that ended by its date, with the outcomes
published by then. It prints the tables, or with ``--json`` the report as JSON.

``convenor model score --as-at YYYY-MM-DD [--out FILE] [--store] [--seed N]`` trains
on every yearly window ending on or before the date and scores every school open
and state-funded on it. ``--out`` writes ``urn,score,rank,reasons``, so the scores
can be compared with the inspections that came later; ``--store`` saves the run
(:func:`convenor.intelligence.scores.store_run`), which is what the pages show
(docs/adr/0009-stored-score-runs.md). At least one of the two is needed. ``score``
is the chance that the school has a graded inspection in the year after the date
and is judged below good at it
(:attr:`convenor.analytics.early_warning.Score.probability`).

Both commands work each date's features out once and keep them as a snapshot
(:mod:`convenor.intelligence.asat.snapshot`), so running them again on the same
data reads the snapshots instead of every indicator table.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from convenor.analytics.early_warning import RiskModel, backtest
from convenor.intelligence.asat import BACKTEST_FOLDS, FIRST_TRAINING_AS_AT, Assembler
from convenor.intelligence.models import Inspection
from convenor.intelligence.scores import store_run
from convenor.schools.models import Establishment

#: Who a stored run's audit event names.
ACTOR = "convenor model score"


def _as_at(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-at: {text!r} is not a date written YYYY-MM-DD") from None


class _Steps:
    """A progress line on stderr naming the step under way and the time so far."""

    def __init__(self, label: str, *, enabled: bool) -> None:
        self._bar = tqdm(
            desc=label,
            bar_format="{desc} [{elapsed}]",
            file=sys.stderr,
            disable=not enabled,
            dynamic_ncols=True,
        )
        self._label = label

    def __call__(self, message: str) -> None:
        self._bar.set_description_str(f"{self._label}: {message}")

    def close(self) -> None:
        self._bar.close()


class Command(BaseCommand):
    help = (
        "Early-warning model: backtest it on the database's history, or score every open "
        "school as at a date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser(
            "backtest", help="rolling-origin backtest: as at 31 Aug 2017 and 31 Aug 2018"
        )
        run.add_argument("--json", action="store_true", help="print the report as JSON")
        run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        run.add_argument("--no-progress", action="store_true", help="no progress line")
        score = sub.add_parser("score", help="score every open state-funded school as at a date")
        score.add_argument("--as-at", required=True, help="the date, YYYY-MM-DD")
        score.add_argument("--out", help="the CSV file to write")
        score.add_argument(
            "--store", action="store_true", help="store the run in the database for the pages"
        )
        score.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        score.add_argument("--no-progress", action="store_true", help="no progress line")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Establishment.objects.exists() or not Inspection.objects.exists():
            raise CommandError(
                "the database has no schools or no inspections: import the register and the "
                "Ofsted history first (convenor import-all, or convenor demo load)"
            )
        if options["action"] == "backtest":
            self._backtest(options)
        else:
            self._score(options)

    def _run(self, label: str, options: dict[str, Any], work: Callable[[_Steps], Any]) -> Any:
        steps = _Steps(label, enabled=not options["no_progress"])
        try:
            return work(steps)
        except ValueError as error:
            # The model refuses to fit without two schools of each outcome.
            raise CommandError(f"{label}: {error}") from error
        finally:
            steps.close()

    def _backtest(self, options: dict[str, Any]) -> None:
        def work(say: _Steps) -> Any:
            say("reading the register")
            assembler = Assembler(progress=say, stored=True)
            folds = [assembler.fold(window) for window in BACKTEST_FOLDS]
            return backtest(folds, seed=options["seed"], progress=say)

        report = self._run("backtest", options, work)
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2))
        else:
            self.stdout.write(report.to_text())

    def _score(self, options: dict[str, Any]) -> None:
        as_at = _as_at(options["as_at"])
        if not options["out"] and not options["store"]:
            raise CommandError(
                "score: say where the scores go: --out FILE to write a CSV, --store to save "
                "the run for the pages, or both"
            )
        out = Path(options["out"]) if options["out"] else None
        if out is not None and not out.parent.is_dir():
            raise CommandError(f"--out: no folder {out.parent}")
        earliest = FIRST_TRAINING_AS_AT.replace(year=FIRST_TRAINING_AS_AT.year + 1)
        if as_at < earliest:
            raise CommandError(
                f"--as-at: no training window ends by {as_at}; the earliest date that can be "
                f"scored is {earliest} (the first window runs from {FIRST_TRAINING_AS_AT})"
            )

        def work(say: _Steps) -> Any:
            say("reading the register")
            assembler = Assembler(progress=say, stored=True)
            training = assembler.training(as_at)
            say("fitting the model")
            model = RiskModel.fit(training, seed=options["seed"])
            schools = assembler.table(as_at)
            say(f"scoring {len(schools):,} schools")
            return model, training, model.score(schools)

        model, training, scores = self._run("score", options, work)
        scores = sorted(scores, key=lambda s: s.rank)
        written = []
        if out is not None:
            with out.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["urn", "score", "rank", "reasons"])
                for s in scores:
                    reasons = "; ".join(r.describe() for r in s.reasons)
                    writer.writerow([s.urn, f"{s.probability:.4f}", s.rank, reasons])
            written.append(str(out))
        if options["store"]:
            run = store_run(
                as_at,
                scores,
                training_windows=[t.as_at for t in training],
                training_rows=model.training_rows,
                training_base_rate=model.training_base_rate,
                features=model.feature_names,
                seed=options["seed"],
                actor=ACTOR,
            )
            written.append(f"stored run {run.pk}")
        windows = ", ".join(str(t.as_at) for t in training)
        self.stdout.write(
            f"Scored {len(scores):,} open state-funded schools as at {as_at} -> "
            f"{'; '.join(written)}\n"
            f"Trained on {model.training_rows:,} inspected schools (features as at {windows}; "
            f"{model.training_base_rate:.1%} below good), {len(model.feature_names)} features; "
            f"the chance of a graded inspection on {model.inspection_rows:,} schools "
            f"({model.inspection_rate:.1%} inspected).\n"
            "score: the chance of a graded inspection in the next year that is below good."
        )
        latest = Inspection.objects.order_by("-inspection_date").values_list(
            "inspection_date", flat=True
        )[:1]
        if latest and latest[0] < as_at:
            self.stderr.write(
                f"Note: the latest inspection in the database is of {latest[0]}; "
                "outcomes after it are not known here."
            )
