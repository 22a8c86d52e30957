"""One calibrated learner, and each feature's effect on its probabilities.

The early-warning model is two of these (the chance of a graded inspection,
and the chance it is below good if there is one), fitted on the same feature
columns and explained against the same reference values, so that their
effects combine exactly (see :mod:`.model`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedGroupKFold  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from convenor.analytics.metrics import BoolArray, FloatArray, IntArray

#: Gradient boosting settings. Small trees (8 leaves of at least 40 schools), a
#: slow learning rate and L2 shrinkage suit the few thousand labelled rows a year
#: the real data has: on a rough real-data check (inspections and KS2/KS4
#: headlines, the two rolling origins) they beat 200 rounds of 15-leaf trees on
#: every measure, at a quarter of the prediction cost. A fixed number of rounds
#: (no early stopping) keeps fits identical from run to run and needs no
#: held-back validation rows.
LEARNER_PARAMS: Final[Mapping[str, Any]] = {
    "learning_rate": 0.05,
    "max_iter": 100,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": False,
}
#: Cross-validation folds used to fit the calibration (fewer when outcomes are scarce).
CALIBRATION_FOLDS: Final = 5
#: OpenMP threads the booster may use. One by default: on a busy two-core machine
#: OpenMP's spinning threads made a fit 30 times slower with two threads than with
#: one (19.6 s against 0.64 s). Results are the same whatever the number; pass
#: ``threads=2`` on a machine known to be idle.
DEFAULT_THREADS: Final = 1

Splits = list[tuple[IntArray, IntArray]]


def calibration_splits(labels: BoolArray, groups: IntArray, seed: int) -> Splits | None:
    """Cross-validation splits grouped by URN, or None with fewer than two of a class."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    n_splits = min(CALIBRATION_FOLDS, positives, negatives, len(set(groups.tolist())))
    if n_splits < 2:
        return None
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros((len(labels), 1)), labels, groups))


def learnable(matrix: FloatArray, splits: Splits) -> BoolArray:
    """Columns with a value among all rows and among every split's training rows.

    A feature with no value among the schools a booster learns from (all of
    them, or one calibration split's) gives it nothing to learn and makes it fail.
    """
    known = np.asarray(~np.isnan(matrix).all(axis=0), dtype=np.bool_)
    for train, _ in splits:
        known &= np.asarray(~np.isnan(matrix[train]).all(axis=0), dtype=np.bool_)
    return known


class Learner:
    """A fitted booster with sigmoid calibration, over fixed feature columns.

    ``reference`` is the value each column is set to when explaining (NaN:
    never known, so never explained).
    """

    def __init__(self, estimator: Any, reference: FloatArray, threads: int) -> None:
        self._estimator = estimator
        self._reference = reference
        self.threads = threads

    @classmethod
    def fit(
        cls,
        matrix: FloatArray,
        labels: BoolArray,
        splits: Splits,
        *,
        reference: FloatArray,
        seed: int,
        monotonic: Sequence[int] | None,
        threads: int,
    ) -> Learner:
        """Fit on ``matrix`` with the calibration fitted on ``splits``' out-of-fold scores."""
        booster = HistGradientBoostingClassifier(
            **LEARNER_PARAMS, monotonic_cst=monotonic, random_state=seed
        )
        estimator = CalibratedClassifierCV(booster, method="sigmoid", cv=splits, ensemble=False)
        with threadpool_limits(limits=threads, user_api="openmp"):
            estimator.fit(matrix, labels)
        return cls(estimator, reference, threads)

    def probabilities(self, matrix: FloatArray) -> FloatArray:
        """Calibrated probabilities of the positive class (call under a thread cap)."""
        if not len(matrix):
            return np.zeros(0)
        return np.asarray(self._estimator.predict_proba(matrix)[:, 1], dtype=np.float64)

    def effects(self, matrix: FloatArray, probabilities: FloatArray) -> FloatArray:
        """Each column's effect on each row's probability (rows x columns).

        The effect is the probability minus the probability with that column
        set to its reference value; 0 where the value is missing or already
        equal to the reference.
        """
        fast = self.effects_by_tree(matrix, probabilities)
        return fast if fast is not None else self.effects_by_prediction(matrix, probabilities)

    def explain(self, matrix: FloatArray) -> tuple[FloatArray, FloatArray]:
        """:meth:`probabilities` and :meth:`effects` together, in one pass over the trees.

        The probabilities are rebuilt from each row's path through every tree
        (:class:`_Walk`; the sum scikit-learn forms, in its order) rather than
        predicted again; they are checked against the public ``predict_proba``
        on every :data:`CHECK_EVERY`-th row and must equal it exactly, or both
        are worked out the slower way.
        """
        walk = _Walk.of(self, matrix)
        if walk is not None and len(matrix):
            probabilities = walk.probabilities()
            sample = slice(None, None, CHECK_EVERY)
            if np.array_equal(probabilities[sample], self.probabilities(matrix[sample])):
                return probabilities, walk.effects(self, matrix, probabilities)
        probabilities = self.probabilities(matrix)
        return probabilities, self.effects(matrix, probabilities)

    def _changed_rows(self, matrix: FloatArray, j: int) -> BoolArray | None:
        """Rows whose known value of column ``j`` differs from its reference (None: no rows)."""
        reference = self._reference[j]
        if math.isnan(reference):
            return None  # never seen in training, so the model cannot use it
        column = matrix[:, j]
        # NaN != x is True, hence both tests: missing values are not explained.
        changed = ~np.isnan(column) & (column != reference)
        return changed if changed.any() else None

    def effects_by_prediction(self, matrix: FloatArray, probabilities: FloatArray) -> FloatArray:
        """Effects through the public API: one batched prediction per column."""
        effects = np.zeros(matrix.shape)
        for j, reference in enumerate(self._reference):
            changed = self._changed_rows(matrix, j)
            if changed is None:
                continue
            replaced = matrix[changed]
            replaced[:, j] = reference
            effects[changed, j] = probabilities[changed] - self.probabilities(replaced)
        return effects

    def effects_by_tree(self, matrix: FloatArray, probabilities: FloatArray) -> FloatArray | None:
        """The same effects, many times faster, or None if that is not possible.

        See :class:`_Walk`. This reaches into scikit-learn's internals, so it
        checks itself on every call: the probabilities it rebuilds from the
        rows' paths must equal ``probabilities`` (the public ``predict_proba``
        ones), or it gives up and the caller uses :meth:`effects_by_prediction`.
        A test holds the two paths equal.
        """
        walk = _Walk.of(self, matrix)
        if walk is None or not np.allclose(walk.probabilities(), probabilities, rtol=0, atol=1e-9):
            return None
        return walk.effects(self, matrix, probabilities)


#: :meth:`Learner.explain` checks every this-many-th row against the public API.
CHECK_EVERY: Final = 50


#: A tree with more splits than this is explained the public way (:class:`_Walk`
#: tabulates 2**splits outcomes per tree; the learner's trees have at most 7).
MAX_SPLITS: Final = 12


class _Walk:
    """Every row's path through every tree of a fitted learner, as bits.

    A tree's output for a row depends only on which way the row goes at each of
    the tree's splits. Numbering a tree's splits 0, 1, 2..., a row's *code* has
    bit k set when it goes left at split k (its value is at most the threshold,
    or it is missing and missing values go left, as scikit-learn decides), and a
    table of the tree's 2**splits codes gives its output. Setting column j to its
    reference ``r`` then only changes the bits of the splits on j, to the
    direction ``r`` takes there, whatever the row's own value: the tree's new
    output is the table at the code with those bits replaced. So every effect
    is a few array operations per tree and column, with no tree walked again.

    This reaches into scikit-learn's internals (the booster's ``_predictors``
    and ``_baseline_prediction``, the trees' ``nodes`` and the fitted
    calibrator); :meth:`of` gives None when they are not as expected, and the
    callers check the probabilities rebuilt here against the public API.
    """

    def __init__(
        self,
        calibrator: Any,
        codes: np.ndarray[Any, np.dtype[np.uint16]],
        tables: list[FloatArray],
        baseline: float,
        moves: dict[int, list[tuple[int, int, int]]],
    ) -> None:
        self.calibrator, self.codes, self.tables, self.moves = calibrator, codes, tables, moves
        self.outputs = np.array([table[code] for table, code in zip(tables, codes, strict=True)])
        # The booster's sum, in its order: zeros, plus the baseline, plus each tree.
        raw = np.zeros(codes.shape[1])
        raw += baseline
        for output in self.outputs:
            raw += output
        self.raw = raw

    @classmethod
    def of(cls, learner: Learner, matrix: FloatArray) -> _Walk | None:
        """Work out every row's code in every tree of ``learner``, or None if its
        internals are not as this code expects (or a split is on a category)."""
        try:
            (pair,) = learner._estimator.calibrated_classifiers_
            booster = pair.estimator
            (calibrator,) = pair.calibrators
            trees = [predictors[0] for predictors in booster._predictors]
            baseline = float(np.asarray(booster._baseline_prediction).ravel()[0])
            columns = np.asfortranarray(matrix)  # one column at a time below
            missing = np.isnan(columns)
            codes = np.zeros((len(trees), len(matrix)), dtype=np.uint16)
            tables = []
            moves: dict[int, list[tuple[int, int, int]]] = {}
            for t, tree in enumerate(trees):
                nodes = tree.nodes
                splits = np.flatnonzero(nodes["is_leaf"] == 0).tolist()
                if len(splits) > MAX_SPLITS or nodes["is_categorical"].any():
                    return None
                feature = nodes["feature_idx"].tolist()
                threshold = nodes["num_threshold"].tolist()
                missing_left = nodes["missing_go_to_left"].tolist()
                code = codes[t]
                for k, node in enumerate(splits):
                    j = feature[node]
                    left = columns[:, j] <= threshold[node]
                    if missing_left[node]:
                        left |= missing[:, j]
                    code |= left.astype(np.uint16) << k
                tables.append(_outputs_by_code(nodes, splits))
                for j, keep, force in _overrides(splits, feature, threshold, learner._reference):
                    moves.setdefault(j, []).append((t, keep, force))
            walk = cls(calibrator, codes, tables, baseline, moves)
            walk.probabilities()
        except (AttributeError, TypeError, ValueError, IndexError, KeyError):
            return None
        return walk

    def calibrated(self, raw: FloatArray) -> FloatArray:
        return np.asarray(self.calibrator.predict(raw), dtype=np.float64)

    def probabilities(self) -> FloatArray:
        """The calibrated probabilities, from the codes."""
        return self.calibrated(self.raw)

    def effects(
        self, learner: Learner, matrix: FloatArray, probabilities: FloatArray
    ) -> FloatArray:
        """Each column's effect on each row's probability (see :meth:`Learner.effects`)."""
        effects = np.zeros(matrix.shape)
        for j in range(len(learner._reference)):
            changed = learner._changed_rows(matrix, j)
            if changed is None or j not in self.moves:
                continue
            shift = np.zeros(matrix.shape[0])
            for t, keep, force in self.moves[j]:
                shift += self.tables[t][(self.codes[t] & keep) | force]
                shift -= self.outputs[t]
            effects[changed, j] = probabilities[changed] - self.calibrated(
                self.raw[changed] + shift[changed]
            )
        return effects


def _outputs_by_code(nodes: Any, splits: list[int]) -> FloatArray:
    """A tree's output for every code (bit k set: left at split ``splits[k]``)."""
    codes = np.arange(2 ** len(splits))
    bit = np.zeros(len(nodes), dtype=np.int64)
    bit[splits] = np.arange(len(splits))
    left, right = nodes["left"].astype(np.int64), nodes["right"].astype(np.int64)
    is_leaf = nodes["is_leaf"].astype(bool)
    at = np.zeros(len(codes), dtype=np.int64)
    for _ in range(len(splits)):  # no path is longer than the number of splits
        goes_left = (codes >> bit[at]) & 1 == 1
        at = np.where(is_leaf[at], at, np.where(goes_left, left[at], right[at]))
    if not is_leaf[at].all():
        raise ValueError("a path through the tree is longer than its number of splits")
    return np.asarray(nodes["value"][at], dtype=np.float64)


def _overrides(
    splits: list[int], feature: list[int], threshold: list[float], reference: FloatArray
) -> list[tuple[int, int, int]]:
    """For each column a tree splits on, the code bits to keep and to set when that
    column is set to its reference: ``(column, keep mask, bits set)``.

    At a split on column j the reference ``r`` goes left when ``r`` is at most
    the threshold. Columns whose reference is NaN (never known in training) are
    never explained and left out.
    """
    found: dict[int, tuple[int, int]] = {}
    for k, node in enumerate(splits):
        j = feature[node]
        r = float(reference[j])
        if math.isnan(r):
            continue
        clear, force = found.get(j, (0, 0))
        found[j] = (clear | 1 << k, force | (1 << k if r <= threshold[node] else 0))
    every = (1 << len(splits)) - 1
    return [(j, every & ~clear, force) for j, (clear, force) in found.items()]
