"""Measuring a ranking: the cut-offs, AUCs, Brier score and calibration of :mod:`.metrics`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from convenor.analytics.metrics import (
    BELOW_GOOD,
    UNKNOWN,
    BoolArray,
    CalibrationBin,
    CutOff,
    FloatArray,
    IntArray,
    brier,
    calibration_table,
    cut_off,
    order_by_risk,
    pool_cut_offs,
    pr_auc,
    roc_auc,
)

#: The cut-offs every ranking is judged at: the top 10% and the top 20%.
CUT_OFFS: Final = (0.1, 0.2)


@dataclass(frozen=True, slots=True)
class Ranking:
    """One ranking to evaluate: URNs, scores and outcome codes, all in the same order.

    Outcome codes are :data:`.metrics.BELOW_GOOD`, ``NOT_BELOW_GOOD`` or
    ``UNKNOWN`` (no graded inspection in the window). ``scores`` rank the
    inspected schools and give the AUCs, Brier score and calibration (for the
    model: the chance of below good if inspected); ``all_scores``, when given,
    rank all open schools instead (for the model: the chance of a graded
    inspection that is below good). Without it ``scores`` rank both.
    """

    urns: IntArray
    scores: FloatArray
    outcomes: IntArray
    all_scores: FloatArray | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every measure of one ranking (a fold, or folds pooled), see :mod:`.metrics`.

    ``all_schools`` ranks every open school (the population Ofsted's model
    ranks, and the one the published figures compare with); ``inspected``
    ranks only the schools that had an outcome. Each holds the top-10% and
    top-20% cut-offs. AUCs, Brier score and the calibration table use the
    inspected schools (only they have an outcome). ``probabilistic`` is False
    for a rule that ranks without probabilities: it then has no Brier score or
    calibration table.
    """

    n_schools: int
    n_inspected: int
    n_below_good: int
    all_schools: tuple[CutOff, ...]
    inspected: tuple[CutOff, ...]
    roc_auc: float | None
    pr_auc: float | None
    brier: float | None
    calibration: tuple[CalibrationBin, ...]
    probabilistic: bool

    @property
    def base_rate(self) -> float | None:
        """Below-good outcomes over inspected schools."""
        return self.n_below_good / self.n_inspected if self.n_inspected else None

    @property
    def brier_base_rate(self) -> float | None:
        """Brier score of forecasting the base rate for every school (a reference)."""
        rate = self.base_rate
        return None if rate is None else rate * (1 - rate)

    def to_dict(self) -> dict[str, Any]:
        """The measures as JSON-ready values (fractions between 0 and 1, or None).

        The first seven keys are the headline: recall and precision rank all
        open schools (precision among the flagged schools that were
        inspected).
        """
        all10, all20 = self.all_schools
        ins10, ins20 = self.inspected
        return {
            "recall_at_10": _round(all10.recall),
            "recall_at_20": _round(all20.recall),
            "precision_at_10": _round(all10.precision),
            "roc_auc": _round(self.roc_auc),
            "pr_auc": _round(self.pr_auc),
            "brier": _round(self.brier),
            "base_rate": _round(self.base_rate),
            "precision_at_20": _round(all20.precision),
            "inspected_share_at_10": _round(all10.inspected_share),
            "inspected_share_at_20": _round(all20.inspected_share),
            "best_recall_at_10": _round(all10.best_recall),
            "best_recall_at_20": _round(all20.best_recall),
            "brier_base_rate": _round(self.brier_base_rate),
            "n_schools": self.n_schools,
            "n_inspected": self.n_inspected,
            "n_below_good": self.n_below_good,
            "inspected_only": {
                "recall_at_10": _round(ins10.recall),
                "recall_at_20": _round(ins20.recall),
                "precision_at_10": _round(ins10.precision),
                "precision_at_20": _round(ins20.precision),
                "best_recall_at_10": _round(ins10.best_recall),
                "best_recall_at_20": _round(ins20.best_recall),
            },
            "calibration": [
                {
                    "count": b.count,
                    "low": _round(b.low),
                    "high": _round(b.high),
                    "mean_predicted": _round(b.mean_predicted),
                    "observed_rate": _round(b.observed_rate),
                }
                for b in self.calibration
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def evaluate(parts: Sequence[Ranking], *, probabilistic: bool = True) -> Evaluation:
    """Measure one ranking, or several folds pooled.

    All open schools are ranked by each part's ``all_scores`` (``scores`` when
    it has none), the inspected schools by ``scores``. Pooling: each fold is
    ranked on its own and its top-k counts are added
    (so pooled recall@10 is all hits over all below-good outcomes); AUCs,
    Brier score and calibration use every fold's inspected schools together.
    """
    all_cuts: list[list[CutOff]] = [[] for _ in CUT_OFFS]
    inspected_cuts: list[list[CutOff]] = [[] for _ in CUT_OFFS]
    inspected_scores: list[FloatArray] = []
    inspected_outcomes: list[BoolArray] = []
    for part in parts:
        all_scores = part.scores if part.all_scores is None else part.all_scores
        ranked = part.outcomes[order_by_risk(all_scores, part.urns)]
        by_score = part.outcomes[order_by_risk(part.scores, part.urns)]
        known = by_score[by_score != UNKNOWN]
        for i, fraction in enumerate(CUT_OFFS):
            all_cuts[i].append(cut_off(ranked, fraction))
            inspected_cuts[i].append(cut_off(known, fraction))
        mask = part.outcomes != UNKNOWN
        inspected_scores.append(part.scores[mask])
        inspected_outcomes.append(part.outcomes[mask] == BELOW_GOOD)
    scores = np.concatenate(inspected_scores) if parts else np.zeros(0)
    outcomes = np.concatenate(inspected_outcomes) if parts else np.zeros(0, dtype=bool)
    return Evaluation(
        n_schools=sum(len(part.urns) for part in parts),
        n_inspected=len(outcomes),
        n_below_good=int(outcomes.sum()),
        all_schools=tuple(pool_cut_offs(cuts) for cuts in all_cuts),
        inspected=tuple(pool_cut_offs(cuts) for cuts in inspected_cuts),
        roc_auc=roc_auc(outcomes, scores),
        pr_auc=pr_auc(outcomes, scores),
        brier=brier(outcomes, scores) if probabilistic else None,
        calibration=calibration_table(outcomes, scores) if probabilistic else (),
        probabilistic=probabilistic,
    )
