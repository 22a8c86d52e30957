"""How well a risk ranking finds the schools whose next inspection is below good.

A ranking orders schools from highest to lowest risk score, ties broken by URN
so the same scores always give the same order. Each school then has an
outcome: below good (True), good or better (False), or unknown (None) when it
had no graded inspection in the test window.

The measures, each a fraction between 0 and 1:

``recall at k``
    Of all the below-good outcomes, the share found among the top k schools of
    the ranking. "Of the schools that went on to be judged below good, how many
    had we flagged?"
``precision at k``
    Of the top k schools whose outcome is known, the share that were below
    good. "Of the flagged schools that were inspected, how many were below
    good?" When every school in the ranking was inspected this is simply hits
    divided by k.
``inspected share at k``
    Of the top k schools, the share that had a graded inspection at all: how
    much of the precision figure rests on.
``ROC AUC``
    The chance that a randomly chosen below-good school scores higher than a
    randomly chosen good-or-better one (0.5 is no better than chance).
``PR AUC`` (average precision)
    Precision averaged over every cut-off at which a below-good school is
    found; a chance ranking scores about the base rate.
``Brier score``
    The mean squared difference between the predicted probability and what
    happened (1 or 0). Lower is better; always forecasting the base rate
    scores ``base_rate * (1 - base_rate)``.
``base rate``
    Below-good outcomes divided by schools with an outcome.

The top k is ``ceil(fraction * n)`` of the n schools ranked (so the top 10% of
25 schools is 3), never fewer than one when there is anyone to rank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import (  # type: ignore[import-untyped]
    average_precision_score,
    brier_score_loss,
    roc_auc_score,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Outcome codes in ranked arrays: not inspected, good or better, below good.
UNKNOWN, NOT_BELOW_GOOD, BELOW_GOOD = -1, 0, 1


def top_k(n: int, fraction: float) -> int:
    """How many schools make up the top ``fraction`` of ``n`` (rounded up; 0 only when n is 0)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], not {fraction}")
    if n <= 0:
        return 0
    # round() first so 0.1 * 30 = 3.0000000000000004 does not become 4.
    return max(1, math.ceil(round(fraction * n, 9)))


def order_by_risk(scores: Sequence[float] | FloatArray, urns: Sequence[int] | IntArray) -> IntArray:
    """Indices that put schools in ranking order: highest score first, ties by lower URN."""
    s = np.asarray(scores, dtype=np.float64)
    u = np.asarray(urns, dtype=np.int64)
    if s.shape != u.shape:
        raise ValueError("scores and urns must be the same length")
    if np.isnan(s).any():
        raise ValueError("scores must not be NaN")
    # lexsort sorts by the last key first.
    return np.lexsort((u, -s)).astype(np.int64)


@dataclass(frozen=True, slots=True)
class CutOff:
    """What the top ``fraction`` of a ranking caught.

    ``k`` schools were flagged, ``inspected`` of them had an outcome and ``hits``
    of those were below good, out of ``positives`` below-good outcomes in the
    whole ranking. Recall and precision are None when undefined (no
    below-good outcomes, or no flagged school inspected). Counts add up across
    folds, which is how :func:`pool_cut_offs` pools them.
    """

    fraction: float
    k: int
    inspected: int
    hits: int
    positives: int

    @property
    def recall(self) -> float | None:
        """Below-good outcomes in the top k, over all below-good outcomes."""
        return self.hits / self.positives if self.positives else None

    @property
    def precision(self) -> float | None:
        """Below-good outcomes in the top k, over the top-k schools that were inspected."""
        return self.hits / self.inspected if self.inspected else None

    @property
    def inspected_share(self) -> float | None:
        """Share of the top k that had a graded inspection in the window."""
        return self.inspected / self.k if self.k else None

    @property
    def best_recall(self) -> float | None:
        """The recall a perfect ranking would reach: ``min(1, k / positives)``."""
        return min(1.0, self.k / self.positives) if self.positives else None


def cut_off(ranked_outcomes: Sequence[int] | IntArray, fraction: float) -> CutOff:
    """Count what the top ``fraction`` caught, given outcome codes already in ranking order.

    ``ranked_outcomes`` holds :data:`BELOW_GOOD`, :data:`NOT_BELOW_GOOD` or
    :data:`UNKNOWN` for each ranked school, highest risk first. To rank only
    inspected schools, pass only their outcomes (then precision is hits / k).
    """
    codes = np.asarray(ranked_outcomes, dtype=np.int64)
    k = top_k(len(codes), fraction)
    top = codes[:k]
    return CutOff(
        fraction=fraction,
        k=k,
        inspected=int(np.count_nonzero(top != UNKNOWN)),
        hits=int(np.count_nonzero(top == BELOW_GOOD)),
        positives=int(np.count_nonzero(codes == BELOW_GOOD)),
    )


def pool_cut_offs(parts: Sequence[CutOff]) -> CutOff:
    """Add up cut-offs from separate rankings (folds) at the same fraction.

    Each fold is ranked on its own, so pooled recall is total hits over total
    below-good outcomes, and pooled precision is total hits over total
    inspected schools flagged.
    """
    if not parts:
        raise ValueError("nothing to pool")
    fractions = {p.fraction for p in parts}
    if len(fractions) != 1:
        raise ValueError(f"cannot pool different cut-offs: {sorted(fractions)}")
    return CutOff(
        fraction=parts[0].fraction,
        k=sum(p.k for p in parts),
        inspected=sum(p.inspected for p in parts),
        hits=sum(p.hits for p in parts),
        positives=sum(p.positives for p in parts),
    )


def base_rate(outcomes: Sequence[bool] | BoolArray) -> float | None:
    """Below-good outcomes over schools with an outcome (None when there are none)."""
    y = np.asarray(outcomes, dtype=bool)
    return float(y.mean()) if len(y) else None


def roc_auc(
    outcomes: Sequence[bool] | BoolArray, scores: Sequence[float] | FloatArray
) -> float | None:
    """ROC AUC of ``scores`` against ``outcomes``; None unless both outcomes occur."""
    y = np.asarray(outcomes, dtype=bool)
    if y.all() or not y.any():
        return None
    return float(roc_auc_score(y, np.asarray(scores, dtype=np.float64)))


def pr_auc(
    outcomes: Sequence[bool] | BoolArray, scores: Sequence[float] | FloatArray
) -> float | None:
    """Average precision of ``scores`` against ``outcomes``; None without a below-good outcome."""
    y = np.asarray(outcomes, dtype=bool)
    if not y.any():
        return None
    return float(average_precision_score(y, np.asarray(scores, dtype=np.float64)))


def brier(
    outcomes: Sequence[bool] | BoolArray, probabilities: Sequence[float] | FloatArray
) -> float | None:
    """Brier score (mean squared error of the probabilities); None with no outcomes."""
    y = np.asarray(outcomes, dtype=bool)
    if not len(y):
        return None
    return float(brier_score_loss(y, np.asarray(probabilities, dtype=np.float64), pos_label=True))


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """One row of a calibration table: schools whose predictions fall together.

    If the probabilities are well calibrated, ``mean_predicted`` and
    ``observed_rate`` are close in every row.
    """

    count: int
    low: float  # lowest predicted probability in the bin
    high: float  # highest predicted probability in the bin
    mean_predicted: float
    observed_rate: float


def calibration_table(
    outcomes: Sequence[bool] | BoolArray,
    probabilities: Sequence[float] | FloatArray,
    bins: int = 10,
) -> tuple[CalibrationBin, ...]:
    """Group schools into ``bins`` equal-count groups (deciles) by predicted probability.

    Deciles rather than equal-width bins because predicted risks crowd into a
    narrow range: equal widths would leave most bins empty and one bin holding
    most schools. Schools are sorted by probability (stable, so input order
    breaks ties) and split into groups whose sizes differ by at most one; with
    fewer schools than bins each school is its own group.
    """
    y = np.asarray(outcomes, dtype=bool)
    p = np.asarray(probabilities, dtype=np.float64)
    if y.shape != p.shape:
        raise ValueError("outcomes and probabilities must be the same length")
    if bins < 1:
        raise ValueError("bins must be at least 1")
    if not len(y):
        return ()
    order = np.argsort(p, kind="stable")
    table = []
    for group in np.array_split(order, min(bins, len(order))):
        table.append(
            CalibrationBin(
                count=len(group),
                low=float(p[group].min()),
                high=float(p[group].max()),
                mean_predicted=float(p[group].mean()),
                observed_rate=float(y[group].mean()),
            )
        )
    return tuple(table)
