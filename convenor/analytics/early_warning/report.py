"""The backtest's results and the tables the ``model backtest`` command prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from convenor.analytics.early_warning.evaluation import CUT_OFFS, Evaluation

#: The published figures the backtest is compared with.
PUBLISHED_COMPARISON: Final = (
    "Published comparison: the Behavioural Insights Team reported 65% (top 10%) and "
    "85% (top 20%) for Ofsted's model, read here as recall of below-good outcomes."
)


@dataclass(frozen=True, slots=True)
class FoldResult:
    """The model's result on one fold, with what it was trained on."""

    as_at: date
    training_as_at: tuple[date, ...]
    training_rows: int
    outcomes_without_features: int  # test outcomes for URNs not among the fold's schools
    evaluation: Evaluation

    def to_dict(self) -> dict[str, Any]:
        """The fold's measures, headed by its date and training."""
        return {
            "as_at": self.as_at.isoformat(),
            "training_as_at": [d.isoformat() for d in self.training_as_at],
            "training_rows": self.training_rows,
            "outcomes_without_features": self.outcomes_without_features,
            **self.evaluation.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """A naive comparison, measured the same way on the same folds."""

    name: str
    label: str  # short column heading
    description: str
    features: tuple[str, ...]  # the learner's features; empty for the rule
    folds: tuple[Evaluation, ...]
    overall: Evaluation

    def to_dict(self, fold_dates: Sequence[date]) -> dict[str, Any]:
        """The pooled measures, then each fold's."""
        return {
            "description": self.description,
            "features": list(self.features),
            **self.overall.to_dict(),
            "folds": [
                {"as_at": d.isoformat(), **e.to_dict()}
                for d, e in zip(fold_dates, self.folds, strict=True)
            ],
        }


@dataclass(frozen=True, slots=True)
class BacktestReport:
    """A rolling-origin backtest: the model and the baselines, per fold and pooled."""

    folds: tuple[FoldResult, ...]
    overall: Evaluation
    baselines: tuple[BaselineResult, ...]
    unavailable_baselines: tuple[str, ...] = field(default=())  # no features in some fold
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """``{"folds": [...], "overall": {...}, "baselines": {...}}``.

        ``overall`` starts with the seven headline keys (recall_at_10,
        recall_at_20, precision_at_10, roc_auc, pr_auc, brier, base_rate),
        then the detail; each fold has the same keys plus its date and
        training. Recall and precision in the headline rank every open
        school; ``inspected_only`` ranks just the inspected ones.
        """
        dates = [f.as_at for f in self.folds]
        return {
            "folds": [f.to_dict() for f in self.folds],
            "overall": self.overall.to_dict(),
            "baselines": {b.name: b.to_dict(dates) for b in self.baselines},
        }

    def to_text(self) -> str:
        """The tables the ``model backtest`` command prints."""
        lines = [
            "Early-warning backtest: the chance that a school is found below good at a "
            "graded inspection in the test window",
            "",
        ]
        for n, fold in enumerate(self.folds):
            e = fold.evaluation
            lines.append(f"Fold {n + 1}: as at {_long_date(fold.as_at)}")
            trained = ", ".join(_long_date(d) for d in fold.training_as_at)
            lines.append(
                f"  Trained on {fold.training_rows:,} outcomes: each school's next graded "
                f"inspection after {trained}."
            )
            lines.append(_population_line(e))
            if fold.outcomes_without_features:
                count = fold.outcomes_without_features
                were = "outcome was" if count == 1 else "outcomes were"
                lines.append(
                    f"  {count:,} test {were} for schools not in the list of open schools, "
                    "left out."
                )
            lines.extend(self._table([e, *(b.folds[n] for b in self.baselines)]))
            lines.append("")
        folds = "1 fold" if len(self.folds) == 1 else f"{len(self.folds)} folds"
        lines.append(
            f"Overall: {folds} pooled. Each fold is ranked on its own; hits, flagged schools "
            "and below-good outcomes are added up, and AUC, Brier score and calibration use "
            "every fold's inspected schools together."
        )
        lines.append(_population_line(self.overall))
        lines.extend(self._table([self.overall, *(b.overall for b in self.baselines)]))
        lines.append("")
        lines.append("Columns:")
        lines.append(
            "  model: every feature, gradient boosting with sigmoid calibration. All open "
            "schools are ranked by P(graded inspection) x P(below good | inspected), inspected "
            "schools by P(below good | inspected); AUC, Brier score and calibration are of "
            "P(below good | inspected). The learned baselines are built the same way."
        )
        for b in self.baselines:
            lines.append(f"  {b.label}: {b.description}")
        for name in self.unavailable_baselines:
            lines.append(f"  {name}: not run, no such features in every fold.")
        lines.append(
            "  best: what a perfect ranking would reach (every below-good school ranked first)."
        )
        lines.append(
            "The JSON headline (recall_at_10, recall_at_20, precision_at_10) is the "
            "'All open schools ranked' block."
        )
        lines.append("")
        lines.append(
            PUBLISHED_COMPARISON + " Compare with recall when all open schools are ranked. "
            "A random ranking finds about 10% and 20%."
        )
        return "\n".join(lines)

    def _table(self, evaluations: Sequence[Evaluation]) -> list[str]:
        headings = ["model", *(b.label for b in self.baselines), "best"]
        width = 37
        lines = ["  " + " " * width + "".join(f"{h:>11}" for h in headings)]

        def row(label: str, values: Sequence[float | None], best: float | None = None) -> None:
            cells = [*values, best]
            lines.append("  " + f"{label:<{width}}" + "".join(f"{_percent(v):>11}" for v in cells))

        def plain(label: str, values: Sequence[float | None]) -> None:
            cells = "".join(f"{'-' if v is None else f'{v:.3f}':>11}" for v in values)
            lines.append("  " + f"{label:<{width}}" + cells)

        first = evaluations[0]
        for all_schools in (True, False):
            cuts = [e.all_schools if all_schools else e.inspected for e in evaluations]
            k = cuts[0][0].k
            ranked = "All open schools" if all_schools else "Inspected schools"
            note = " (of inspected)" if all_schools else ""
            lines.append(f"  {ranked} ranked (top 10% = {k:,} schools)")
            for i, fraction in enumerate(CUT_OFFS):
                row(
                    f"  recall, top {fraction:.0%}",
                    [c[i].recall for c in cuts],
                    cuts[0][i].best_recall,
                )
            for i, fraction in enumerate(CUT_OFFS):
                row(f"  precision, top {fraction:.0%}{note}", [c[i].precision for c in cuts])
            if all_schools:
                for i, fraction in enumerate(CUT_OFFS):
                    row(
                        f"  share of top {fraction:.0%} inspected",
                        [c[i].inspected_share for c in cuts],
                    )
        plain("ROC AUC", [e.roc_auc for e in evaluations])
        plain("PR AUC (average precision)", [e.pr_auc for e in evaluations])
        plain("Brier score (lower is better)", [e.brier for e in evaluations])
        plain("  forecasting the base rate", [first.brier_base_rate])
        if first.calibration:
            lines.append("")
            lines.append("  Calibration of the model: inspected schools in tenths by prediction")
            lines.append(
                f"  {'schools':>9} {'predicted range':>17} {'mean predicted':>15} {'observed':>9}"
            )
            for b in first.calibration:
                lines.append(
                    f"  {b.count:>9,} {b.low:>8.3f}-{b.high:<8.3f} "
                    f"{b.mean_predicted:>15.3f} {b.observed_rate:>9.3f}"
                )
        return lines


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _long_date(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _population_line(e: Evaluation) -> str:
    rate = e.base_rate
    rate_text = "no base rate" if rate is None else f"base rate {rate:.1%}"
    return (
        f"  Ranked {e.n_schools:,} open schools; {e.n_inspected:,} had a graded inspection in "
        f"the test window, {e.n_below_good:,} below good ({rate_text})."
    )
