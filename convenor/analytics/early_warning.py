"""Early warning: rank schools by the chance their next graded inspection is below good.

The Django side builds, for a date, one :class:`SchoolFeatures` per school:
numbers known as at that date (inspection history, results, attendance,
pupils...), ``None`` where a number is unknown or does not apply. This module
learns from earlier dates whose outcomes are known (:class:`TrainingSet`),
scores schools (:class:`RiskModel`) and checks the whole approach against
history (:func:`backtest`). It takes whatever feature names it is given: the
union across the training schools, nothing hard-coded.

The learner is scikit-learn's histogram gradient boosting, which is strong on
tables of mixed numbers and treats a missing value as information (it learns,
at each split, which side schools with no value should go), wrapped in
sigmoid (Platt) calibration so that "0.3" means roughly three in ten such
schools were below good. Why these choices:

* **Sigmoid rather than isotonic calibration.** Sigmoid is a smooth,
  strictly increasing map of the boosted score, so it keeps the model's
  ranking exactly and creates no ties; isotonic regression is a step function
  that turns many distinct scores into the same probability, which would
  leave the top-10% cut-off to be settled by URN order and make explanations
  coarse (an effect is exactly zero within a step). Two parameters are also
  stable with the few thousand graded inspections a year the real data has
  (about 3,000), where isotonic's extra flexibility is mostly noise; on a
  rough real-data check it gave a slightly worse Brier score and PR AUC.
* **One calibrated model, not an ensemble of the cross-validation models**
  (``ensemble=False``): the calibration is fitted on out-of-fold predictions
  and the booster refitted on everything. Scoring is one model, so
  explanations stay cheap.
* **Cross-validation folds grouped by URN**, so a school that appears in two
  training years is never on both sides of a calibration split.
* **No missingness indicators**: the booster already routes missing values
  at every split, so an indicator adds nothing a tree can use.
* **No monotonic constraint by default.** In the real inspection history
  (2016-2020) a previously good school that had a graded inspection was *more*
  often judged below good than a previously "requires improvement" one
  (about 49% against 39% in 2017/18), because good schools mostly had a full
  inspection only when a short one raised concerns. Forcing "worse last grade
  means higher risk" would fight the data (on a rough real-data check it
  changed nothing measurable). ``monotonic=`` is there for experiments.
* **No class weighting**, which would distort the probabilities.

Explanations are model-agnostic: a feature's effect for a school is the
school's probability minus its probability with that one feature set to the
training median. Only features the school has a value for are explained: for
a missing value the
question "what if it were typical?" often has no meaning (a typical Progress 8
for a primary school), and a reason such as "ks4_p8 = unknown" would mislead.
Effects are not additive (they do not sum to the probability), but they
answer the question an officer asks: "what about this school pushes its risk
up?"
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedGroupKFold  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from convenor.analytics.metrics import (
    BELOW_GOOD,
    NOT_BELOW_GOOD,
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

#: Features of the "previous grade and time since inspection" baseline.
INSPECTION_FEATURES: Final = ("last_grade", "days_since_inspection")
#: Features starting with these make up the "latest results only" baseline.
RESULTS_PREFIXES: Final = ("ks2_", "ks4_")

#: The cut-offs every ranking is judged at: the top 10% and the top 20%.
CUT_OFFS: Final = (0.1, 0.2)

#: Reasons with a smaller effect than this are not shown: they would print as "+0.00".
MIN_REASON_EFFECT: Final = 0.005
#: How many reasons each score carries at most.
MAX_REASONS: Final = 3

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

#: The published figures the backtest is compared with.
PUBLISHED_COMPARISON: Final = (
    "Published comparison: the Behavioural Insights Team reported 65% (top 10%) and "
    "85% (top 20%) for Ofsted's model, read here as recall of below-good outcomes."
)


# --- Records in and out -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolFeatures:
    """One school's indicators as known at a date.

    ``values`` maps a feature name to a number, or to ``None`` when it is
    unknown or does not apply (a primary school has no KS4 results). A name
    left out counts the same as ``None``. Booleans are read as 1 and 0.
    """

    urn: int
    values: Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """What was known at ``as_at`` and how the next inspections then turned out.

    ``below_good`` holds, for each school with a graded inspection in the
    window after ``as_at``, whether that inspection was below good (grade 3
    or 4). Schools without an inspection in the window are left out of it and
    do not take part in training.
    """

    as_at: date
    schools: Sequence[SchoolFeatures]
    below_good: Mapping[int, bool]


@dataclass(frozen=True, slots=True)
class Reason:
    """One feature that raises a school's risk, and by how much.

    ``effect`` is the school's probability minus its probability with this
    feature set to the typical (training median) value: +0.12 means the
    feature adds 12 percentage points.
    """

    feature: str
    value: float | None
    effect: float

    def describe(self) -> str:
        """Short plain English, e.g. ``"last_grade = 3 (+0.12)"``."""
        return f"{self.feature} = {_format_value(self.value)} ({self.effect:+.2f})"


@dataclass(frozen=True, slots=True)
class Score:
    """A school's calibrated risk and its place in the ranking.

    ``probability`` is the estimated chance that the school's next graded
    inspection is below good. ``rank`` 1 is the highest risk; equal
    probabilities are ranked by lower URN first. ``reasons`` holds up to
    three features that raise the risk most, largest first (empty when
    explanations were not asked for or nothing raises it noticeably).
    """

    urn: int
    probability: float
    rank: int
    reasons: tuple[Reason, ...]


def _format_value(value: float | None) -> str:
    if value is None:
        return "unknown"
    if float(value).is_integer():
        return str(int(value))
    if abs(value) >= 1000:
        return f"{value:.0f}"
    return f"{value:.3g}"


# --- The model -----------------------------------------------------------------


def feature_union(schools: Sequence[SchoolFeatures]) -> tuple[str, ...]:
    """Every feature name that has a value for at least one school, sorted."""
    names: set[str] = set()
    for school in schools:
        names.update(name for name, value in school.values.items() if value is not None)
    return tuple(sorted(names))


def feature_matrix(schools: Sequence[SchoolFeatures], names: Sequence[str]) -> FloatArray:
    """A schools x features array of floats, NaN where a value is None or absent.

    Raises ValueError naming the school when a value is not a number or is
    infinite, so bad input is never silently treated as missing.
    """
    rows = [list(map(school.values.get, names)) for school in schools]
    # numpy would silently read the text "3" as 3.0; refuse text outright.
    kinds = {type(value) for row in rows for value in row}
    if any(issubclass(kind, str | bytes) for kind in kinds):
        _raise_for_bad_value(schools, names, lambda value: isinstance(value, str | bytes))
    try:
        # numpy reads None as NaN in a float array.
        matrix = np.array(rows, dtype=np.float64).reshape(len(schools), len(names))
    except (TypeError, ValueError):
        _raise_for_bad_value(schools, names, _not_a_number)
        raise
    if np.isinf(matrix).any():
        i, j = np.argwhere(np.isinf(matrix))[0]
        raise ValueError(f"URN {schools[i].urn}: {names[j]} is infinite")
    return matrix


def _not_a_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    return False


def _raise_for_bad_value(
    schools: Sequence[SchoolFeatures], names: Sequence[str], bad: Callable[[object], bool]
) -> None:
    for school in schools:
        for name in names:
            value = school.values.get(name)
            if value is not None and bad(value):
                raise ValueError(f"URN {school.urn}: {name} = {value!r} is not a number")


def _check_unique(schools: Sequence[SchoolFeatures], where: str) -> None:
    seen: set[int] = set()
    for school in schools:
        if school.urn in seen:
            raise ValueError(f"URN {school.urn} appears twice in {where}")
        seen.add(school.urn)


def _labelled_rows(
    training: Sequence[TrainingSet],
) -> tuple[list[SchoolFeatures], BoolArray, IntArray, int]:
    """Training schools with an outcome, their outcomes, URNs, and outcomes with no schools."""
    rows: list[SchoolFeatures] = []
    labels: list[bool] = []
    unmatched = 0
    for ts in training:
        _check_unique(ts.schools, f"the training set as at {ts.as_at}")
        urns = set()
        for school in ts.schools:
            urns.add(school.urn)
            outcome = ts.below_good.get(school.urn)
            if outcome is not None:
                rows.append(school)
                labels.append(bool(outcome))
        unmatched += sum(1 for urn in ts.below_good if urn not in urns)
    groups = np.array([school.urn for school in rows], dtype=np.int64)
    return rows, np.array(labels, dtype=bool), groups, unmatched


def _reference_values(matrix: FloatArray) -> FloatArray:
    """Each column's median over known values; NaN for a column never known."""
    reference = np.full(matrix.shape[1], np.nan)
    for j in range(matrix.shape[1]):
        column = matrix[:, j]
        known = column[~np.isnan(column)]
        if len(known):
            reference[j] = float(np.median(known))
    return reference


class RiskModel:
    """A fitted, calibrated early-warning model. Build one with :meth:`fit`.

    ``feature_names`` are the features it uses, in column order;
    ``reference`` the typical value each is compared against when
    explaining; ``training_rows`` how many outcomes it learnt from (a school
    inspected after two training dates counts twice) and
    ``training_base_rate`` the share of them that were below good.
    ``outcomes_without_features`` counts outcomes in the training sets for
    URNs that had no features row (left out; worth checking if it is large).
    """

    feature_names: tuple[str, ...]

    def __init__(
        self,
        *,
        feature_names: tuple[str, ...],
        estimator: Any,
        reference: FloatArray,
        training_rows: int,
        training_base_rate: float,
        outcomes_without_features: int,
        threads: int = DEFAULT_THREADS,
    ) -> None:
        self.feature_names = feature_names
        self.threads = threads
        self._estimator = estimator
        self._reference = reference
        self.training_rows = training_rows
        self.training_base_rate = training_base_rate
        self.outcomes_without_features = outcomes_without_features

    @property
    def reference(self) -> Mapping[str, float | None]:
        """The value each feature is replaced by when explaining (None: missing)."""
        return {
            name: None if math.isnan(value) else float(value)
            for name, value in zip(self.feature_names, self._reference, strict=True)
        }

    @classmethod
    def fit(
        cls,
        training: Sequence[TrainingSet],
        *,
        features: Sequence[str] | None = None,
        seed: int = 0,
        monotonic: Mapping[str, int] | None = None,
        threads: int = DEFAULT_THREADS,
    ) -> RiskModel:
        """Learn from the inspected schools of every training set.

        ``features`` restricts the model to those names (in that order);
        by default it uses every name with a value for at least one training
        school, sorted by name. Either way a feature is dropped when some
        calibration split has no value for it (it could not be learnt).

        ``monotonic`` optionally forces a feature's effect to rise (+1) or
        fall (-1) with its value. ``threads`` caps the booster's OpenMP
        threads, when fitting and scoring. The same inputs and ``seed`` give
        the same model. Raises ValueError when no feature is left or there are
        fewer than two schools with each outcome.
        """
        rows, labels, groups, unmatched = _labelled_rows(training)
        names = feature_union(rows) if features is None else tuple(dict.fromkeys(features))
        if not names:
            raise ValueError("no features to learn from")
        positives = int(labels.sum())
        negatives = len(labels) - positives
        n_splits = min(CALIBRATION_FOLDS, positives, negatives, len(set(groups.tolist())))
        if n_splits < 2:
            raise ValueError(
                "training needs at least two inspected schools with each outcome "
                f"(has {positives} below good, {negatives} good or better)"
            )
        matrix = feature_matrix(rows, names)
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = list(splitter.split(matrix, labels, groups))
        # A feature with no value among the schools a booster learns from (all of
        # them, or one calibration split's) gives it nothing to learn and makes it fail.
        known = np.asarray(~np.isnan(matrix).all(axis=0), dtype=np.bool_)
        for train, _ in splits:
            known &= np.asarray(~np.isnan(matrix[train]).all(axis=0), dtype=np.bool_)
        names = tuple(name for name, keep in zip(names, known.tolist(), strict=True) if keep)
        matrix = matrix[:, known]
        if not names:
            raise ValueError("no feature has values in the training sets")
        constraints = None
        if monotonic:
            constraints = [int(monotonic.get(name, 0)) for name in names]
        booster = HistGradientBoostingClassifier(
            **LEARNER_PARAMS, monotonic_cst=constraints, random_state=seed
        )
        estimator = CalibratedClassifierCV(booster, method="sigmoid", cv=splits, ensemble=False)
        with threadpool_limits(limits=threads, user_api="openmp"):
            estimator.fit(matrix, labels)
        return cls(
            feature_names=names,
            estimator=estimator,
            reference=_reference_values(matrix),
            training_rows=len(labels),
            training_base_rate=positives / len(labels),
            outcomes_without_features=unmatched,
            threads=threads,
        )

    def _probabilities(self, matrix: FloatArray) -> FloatArray:
        if not len(matrix):
            return np.zeros(0)
        return np.asarray(self._estimator.predict_proba(matrix)[:, 1], dtype=np.float64)

    def predict(self, schools: Sequence[SchoolFeatures]) -> FloatArray:
        """Calibrated probabilities for ``schools``, in the order given.

        Features the model does not know are ignored; features it knows but a
        school lacks are treated as missing.
        """
        with threadpool_limits(limits=self.threads, user_api="openmp"):
            return self._probabilities(feature_matrix(schools, self.feature_names))

    def effects(self, schools: Sequence[SchoolFeatures]) -> FloatArray:
        """Each feature's effect on each school's probability (schools x features).

        The effect is the school's probability minus its probability with that
        feature set to the reference value; 0 where the school's value is
        missing or already equal to the reference. One batched prediction per
        feature, over only the schools whose value it changes (and, where
        scikit-learn's internals allow, only the trees that use the feature).
        """
        matrix = feature_matrix(schools, self.feature_names)
        with threadpool_limits(limits=self.threads, user_api="openmp"):
            return self._effects(matrix, self._probabilities(matrix))

    def _effects(self, matrix: FloatArray, probabilities: FloatArray) -> FloatArray:
        fast = self._effects_by_tree(matrix, probabilities)
        return fast if fast is not None else self._effects_by_prediction(matrix, probabilities)

    def _changed_rows(self, matrix: FloatArray, j: int) -> BoolArray | None:
        """Rows whose known value of feature ``j`` differs from its reference (None: no rows)."""
        reference = self._reference[j]
        if math.isnan(reference):
            return None  # never seen in training, so the model cannot use it
        column = matrix[:, j]
        # NaN != x is True, hence both tests: missing values are not explained.
        changed = ~np.isnan(column) & (column != reference)
        return changed if changed.any() else None

    def _effects_by_prediction(self, matrix: FloatArray, probabilities: FloatArray) -> FloatArray:
        """Effects through the public API: one batched prediction per feature."""
        effects = np.zeros(matrix.shape)
        for j, reference in enumerate(self._reference):
            changed = self._changed_rows(matrix, j)
            if changed is None:
                continue
            replaced = matrix[changed]
            replaced[:, j] = reference
            effects[changed, j] = probabilities[changed] - self._probabilities(replaced)
        return effects

    def _effects_by_tree(self, matrix: FloatArray, probabilities: FloatArray) -> FloatArray | None:
        """The same effects, about four times faster, or None if that is not possible.

        Replacing feature j only changes the trees that split on j (a tree of
        8 leaves uses four or five of ~30 features), so keep each tree's
        output per school and re-evaluate only those trees. This reaches into
        scikit-learn's internals (the booster's ``_predictors``, ``_bin_mapper``
        and ``_baseline_prediction``, and the fitted calibrator), so it checks
        itself on every call: the probabilities it rebuilds must equal the
        public ``predict_proba`` ones, or it gives up and the caller uses
        :meth:`_effects_by_prediction`. A test holds the two paths equal.
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

    def score(self, schools: Sequence[SchoolFeatures], *, explain: bool = True) -> list[Score]:
        """Score and rank ``schools``, highest risk first.

        With ``explain`` each score carries up to three reasons: the features
        that raise its probability most (by at least 0.005), largest first.
        Raises ValueError if a URN appears twice.
        """
        _check_unique(schools, "the schools to score")
        matrix = feature_matrix(schools, self.feature_names)
        with threadpool_limits(limits=self.threads, user_api="openmp"):
            probabilities = self._probabilities(matrix)
            effects = self._effects(matrix, probabilities) if explain else None
        urns = np.array([school.urn for school in schools], dtype=np.int64)
        order = order_by_risk(probabilities, urns)
        reasons: list[tuple[Reason, ...]] = [()] * len(schools)
        if effects is not None and len(schools):
            # Stable sort on the negated effects: ties go to the feature named first.
            top = np.argsort(-effects, axis=1, kind="stable")[:, :MAX_REASONS]
            # Plain lists: this loop runs for every school, and numpy scalars are slow here.
            top_effects = np.take_along_axis(effects, top, axis=1).tolist()
            top_values = np.take_along_axis(matrix, top, axis=1).tolist()
            names = self.feature_names
            for i, columns in enumerate(top.tolist()):
                found = []
                for j, effect, value in zip(columns, top_effects[i], top_values[i], strict=True):
                    if effect < MIN_REASON_EFFECT:
                        break
                    # An explained value is always known (missing values get no effect).
                    found.append(Reason(feature=names[j], value=value, effect=effect))
                reasons[i] = tuple(found)
        return [
            Score(
                urn=int(urns[i]),
                probability=float(probabilities[i]),
                rank=rank,
                reasons=reasons[i],
            )
            for rank, i in enumerate(order, start=1)
        ]


# --- Backtest -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fold:
    """One backtest origin: train on earlier outcomes, rank every open school, compare.

    ``training`` holds only training sets from before ``as_at`` (their
    windows must end by then); ``schools`` every open state-funded school as
    at ``as_at``; ``outcomes`` whether each school with a graded inspection
    in the test window was below good.
    """

    as_at: date
    training: Sequence[TrainingSet]
    schools: Sequence[SchoolFeatures]
    outcomes: Mapping[int, bool]


@dataclass(frozen=True, slots=True)
class Ranking:
    """One ranking to evaluate: URNs, scores and outcome codes, all in the same order.

    Outcome codes are :data:`.metrics.BELOW_GOOD`, ``NOT_BELOW_GOOD`` or
    ``UNKNOWN`` (no graded inspection in the window).
    """

    urns: IntArray
    scores: FloatArray
    outcomes: IntArray


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

    Pooling: each fold is ranked on its own and its top-k counts are added
    (so pooled recall@10 is all hits over all below-good outcomes); AUCs,
    Brier score and calibration use every fold's inspected schools together.
    """
    all_cuts: list[list[CutOff]] = [[] for _ in CUT_OFFS]
    inspected_cuts: list[list[CutOff]] = [[] for _ in CUT_OFFS]
    inspected_scores: list[FloatArray] = []
    inspected_outcomes: list[BoolArray] = []
    for part in parts:
        ranked = part.outcomes[order_by_risk(part.scores, part.urns)]
        known = ranked[ranked != UNKNOWN]
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


def _ranked(fold: Fold, scores: FloatArray) -> Ranking:
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
    return Ranking(urns=urns, scores=scores, outcomes=outcomes)


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
    _check_unique(fold.schools, f"the schools of the fold as at {fold.as_at}")


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
            "Early-warning backtest: the chance that a school's next graded inspection "
            "is below good",
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
        lines.append("  model: every feature, gradient boosting with sigmoid calibration.")
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


def backtest(
    folds: Sequence[Fold],
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    threads: int = DEFAULT_THREADS,
) -> BacktestReport:
    """Rolling-origin backtest of the model and the naive baselines.

    For each fold: fit on its training sets only, rank every open school as
    at its date, and measure against the outcomes of its test window. The
    baselines are fitted and measured on exactly the same folds; a learned
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
        ranked = _ranked(fold, model.predict(fold.schools))
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
            baseline_parts[spec.name].append(_ranked(fold, baseline.predict(fold.schools)))
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
