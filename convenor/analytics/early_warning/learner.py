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
        """The same effects, about four times faster, or None if that is not possible.

        Replacing column j only changes the trees that split on j (a tree of
        8 leaves uses four or five of ~30 features), so keep each tree's
        output per school and re-evaluate only those trees. This reaches into
        scikit-learn's internals (the booster's ``_predictors``, ``_bin_mapper``
        and ``_baseline_prediction``, and the fitted calibrator), so it checks
        itself on every call: the probabilities it rebuilds must equal the
        public ``predict_proba`` ones, or it gives up and the caller uses
        :meth:`effects_by_prediction`. A test holds the two paths equal.
        """
        try:
            (pair,) = self._estimator.calibrated_classifiers_
            booster = pair.estimator
            (calibrator,) = pair.calibrators
            trees = [predictors[0] for predictors in booster._predictors]
            bitsets, feature_map = booster._bin_mapper.make_known_categories_bitsets()
            per_tree = np.empty((len(trees), len(matrix)))
            for t, tree in enumerate(trees):
                per_tree[t] = tree.predict(matrix, bitsets, feature_map, self.threads)
            baseline = float(np.asarray(booster._baseline_prediction).ravel()[0])
            raw = baseline + per_tree.sum(axis=0)

            def calibrated(values: FloatArray) -> FloatArray:
                return np.asarray(calibrator.predict(values), dtype=np.float64)

            if not np.allclose(calibrated(raw), probabilities, rtol=0, atol=1e-9):
                return None
            splits_on = [
                set(tree.nodes["feature_idx"][tree.nodes["is_leaf"] == 0].tolist())
                for tree in trees
            ]
        except (AttributeError, TypeError, ValueError, IndexError, KeyError):
            return None
        effects = np.zeros(matrix.shape)
        for j, reference in enumerate(self._reference):
            changed = self._changed_rows(matrix, j)
            affected = [t for t, used in enumerate(splits_on) if j in used]
            if changed is None or not affected:
                continue
            replaced = matrix[changed]
            replaced[:, j] = reference
            new_raw = raw[changed] - per_tree[affected][:, changed].sum(axis=0)
            for t in affected:
                new_raw += trees[t].predict(replaced, bitsets, feature_map, self.threads)
            effects[changed, j] = probabilities[changed] - calibrated(new_raw)
        return effects
