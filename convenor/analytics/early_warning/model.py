"""The early-warning model: the chance a school is found below good within the year.

Ranking every open school needs more than the chance that a graded inspection
is below good: most schools have no graded inspection in a year (in 2017-2020
good schools mostly had short, ungraded ones), so a school with a high chance
of a poor grade *if* inspected may well not be inspected. The model therefore
has two calibrated learners, fitted on the same features:

* **inspection**: P(a graded inspection in the window), learnt from every
  school of every training set (inspected: the URN has an outcome);
* **if inspected**: P(below good | a graded inspection), learnt from the
  inspected schools only, as before.

A school's score, :attr:`Score.probability`, is their product: the chance of
being *found* below good at a graded inspection in the year after the date.
That is what ranks all open schools; the conditional part stays available
(:attr:`Score.if_inspected`, :meth:`RiskModel.predict_parts`) and is what
ranks schools already known to be inspected. The windows the model learns
from are a year long, so for a longer test window the inspection part is an
underestimate; the ranking is what matters there.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from convenor.analytics.early_warning.features import (
    FeatureTable,
    SchoolFeatures,
    TrainingSet,
    check_unique,
    feature_matrix,
    feature_union,
    reference_values,
)
from convenor.analytics.early_warning.learner import (
    DEFAULT_THREADS,
    Learner,
    calibration_splits,
    learnable,
)
from convenor.analytics.early_warning.scores import MAX_REASONS, MIN_REASON_EFFECT, Reason, Score
from convenor.analytics.metrics import BoolArray, FloatArray, IntArray, order_by_risk


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the scores are built.

    Scoring England makes about 85,000 small objects (scores, reasons, tuples),
    none of them in a reference cycle; each 700 new objects start a collection,
    and some of those walk every object in the process, which took about a
    third of the time of scoring with reasons. Nothing here can become cyclic
    garbage, so nothing is lost by collecting later.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _largest(effects: FloatArray, k: int) -> IntArray:
    """Each row's ``k`` largest columns, largest first, ties to the column named first.

    The same as a stable sort of the negated rows cut to ``k`` columns, by
    ``k`` passes of argmax (which gives the first of equal values), several
    times faster for a few of 30-odd columns.
    """
    left = effects.copy()
    rows = np.arange(len(left))
    top = np.empty((len(left), min(k, left.shape[1])), dtype=np.intp)
    for column in range(top.shape[1]):
        top[:, column] = np.argmax(left, axis=1)
        left[rows, top[:, column]] = -np.inf
    return top


#: What the model scores: schools one by one, or the same as one table.
Schools = Sequence[SchoolFeatures] | FeatureTable


def _rows(
    training: Sequence[TrainingSet],
) -> tuple[list[SchoolFeatures], BoolArray, BoolArray, IntArray, int]:
    """Every training school, whether it was inspected, whether below good, URNs,
    and outcomes with no school."""
    rows: list[SchoolFeatures] = []
    inspected: list[bool] = []
    below: list[bool] = []
    unmatched = 0
    for ts in training:
        check_unique(ts.schools, f"the training set as at {ts.as_at}")
        urns = set()
        for school in ts.schools:
            urns.add(school.urn)
            outcome = ts.below_good.get(school.urn)
            rows.append(school)
            inspected.append(outcome is not None)
            below.append(bool(outcome))
        unmatched += sum(1 for urn in ts.below_good if urn not in urns)
    groups = np.array([school.urn for school in rows], dtype=np.int64)
    return (
        rows,
        np.array(inspected, dtype=bool),
        np.array(below, dtype=bool),
        groups,
        unmatched,
    )


class RiskModel:
    """A fitted, calibrated early-warning model. Build one with :meth:`fit`.

    ``feature_names`` are the features it uses, in column order (the same
    for both learners); ``reference`` the typical value each is compared
    against when explaining (the median over every training school);
    ``training_rows`` how many outcomes the "if inspected" learner learnt
    from (a school inspected after two training dates counts twice) and
    ``training_base_rate`` the share of them that were below good;
    ``inspection_rows`` how many schools the inspection learner learnt from
    and ``inspection_rate`` the share of them with a graded inspection.
    ``outcomes_without_features`` counts outcomes in the training sets for
    URNs that had no features row (left out; worth checking if it is large).
    When every training school (or all but one) was inspected the inspection
    learner cannot be fitted; the chance of inspection is then
    ``inspection_rate`` for every school.
    """

    feature_names: tuple[str, ...]

    def __init__(
        self,
        *,
        feature_names: tuple[str, ...],
        outcome: Learner,
        inspection: Learner | None,
        reference: FloatArray,
        training_rows: int,
        training_base_rate: float,
        inspection_rows: int,
        inspection_rate: float,
        outcomes_without_features: int,
        threads: int = DEFAULT_THREADS,
    ) -> None:
        self.feature_names = feature_names
        self.threads = threads
        self._outcome = outcome
        self._inspection = inspection
        self._reference = reference
        self.training_rows = training_rows
        self.training_base_rate = training_base_rate
        self.inspection_rows = inspection_rows
        self.inspection_rate = inspection_rate
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
        """Learn from every school of every training set.

        The "if inspected" learner uses the inspected schools (those with an
        outcome); the inspection learner every school, inspected or not.
        ``features`` restricts the model to those names (in that order); by
        default it uses every name with a value for at least one inspected
        training school, sorted by name. Either way a feature is dropped when
        some calibration split of either learner has no value for it (it
        could not be learnt).

        ``monotonic`` optionally forces a feature's effect on the "if
        inspected" chance to rise (+1) or fall (-1) with its value (the
        inspection chance is left free). ``threads`` caps the booster's
        OpenMP threads, when fitting and scoring. The same inputs and
        ``seed`` give the same model. Raises ValueError when no feature is
        left or there are fewer than two inspected schools with each outcome.
        """
        rows, inspected, below, groups, unmatched = _rows(training)
        labelled = [school for school, seen in zip(rows, inspected, strict=True) if seen]
        labels = below[inspected]
        names = feature_union(labelled) if features is None else tuple(dict.fromkeys(features))
        if not names:
            raise ValueError("no features to learn from")
        outcome_splits = calibration_splits(labels, groups[inspected], seed)
        if outcome_splits is None:
            positives = int(labels.sum())
            raise ValueError(
                "training needs at least two inspected schools with each outcome "
                f"(has {positives} below good, {len(labels) - positives} good or better)"
            )
        inspection_splits = calibration_splits(inspected, groups, seed)
        matrix = feature_matrix(rows, names)
        known = learnable(matrix[inspected], outcome_splits)
        if inspection_splits is not None:
            known &= learnable(matrix, inspection_splits)
        names = tuple(name for name, keep in zip(names, known.tolist(), strict=True) if keep)
        matrix = matrix[:, known]
        if not names:
            raise ValueError("no feature has values in the training sets")
        # One reference for both learners, so that their effects combine exactly.
        reference = reference_values(matrix)
        constraints = [int(monotonic.get(name, 0)) for name in names] if monotonic else None
        outcome = Learner.fit(
            matrix[inspected],
            labels,
            outcome_splits,
            reference=reference,
            seed=seed,
            monotonic=constraints,
            threads=threads,
        )
        inspection = None
        if inspection_splits is not None:
            inspection = Learner.fit(
                matrix,
                inspected,
                inspection_splits,
                reference=reference,
                seed=seed,
                monotonic=None,
                threads=threads,
            )
        return cls(
            feature_names=names,
            outcome=outcome,
            inspection=inspection,
            reference=reference,
            training_rows=len(labels),
            training_base_rate=float(labels.mean()),
            inspection_rows=len(rows),
            inspection_rate=float(inspected.mean()),
            outcomes_without_features=unmatched,
            threads=threads,
        )

    def _parts(self, matrix: FloatArray) -> tuple[FloatArray, FloatArray]:
        if_inspected = self._outcome.probabilities(matrix)
        if self._inspection is None:
            return np.full(len(matrix), self.inspection_rate), if_inspected
        return self._inspection.probabilities(matrix), if_inspected

    def _matrix(self, schools: Schools) -> FloatArray:
        """The model's columns of ``schools``' features, NaN where missing."""
        if isinstance(schools, FeatureTable):
            return schools.columns(self.feature_names)
        return feature_matrix(schools, self.feature_names)

    def predict_parts(self, schools: Schools) -> tuple[FloatArray, FloatArray]:
        """The chance of a graded inspection, and of below good if inspected, in order.

        Features the model does not know are ignored; features it knows but a
        school lacks are treated as missing.
        """
        with threadpool_limits(limits=self.threads, user_api="openmp"):
            return self._parts(self._matrix(schools))

    def predict(self, schools: Schools) -> FloatArray:
        """Each school's :attr:`Score.probability`, in the order given: the product
        of the two parts of :meth:`predict_parts`."""
        inspection, if_inspected = self.predict_parts(schools)
        return inspection * if_inspected

    def effects(self, schools: Schools) -> FloatArray:
        """Each feature's effect on each school's probability (schools x features).

        The effect is the school's probability minus its probability with that
        feature set to the reference value in both learners; 0 where the
        school's value is missing or already equal to the reference.
        """
        matrix = self._matrix(schools)
        with threadpool_limits(limits=self.threads, user_api="openmp"):
            return self._explained(matrix)[2]

    def _explained(self, matrix: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Both parts, as :meth:`_parts`, and the effects on their product."""
        if_inspected, outcome = self._outcome.explain(matrix)
        if self._inspection is None:
            inspection = np.full(len(matrix), self.inspection_rate)
            return inspection, if_inspected, inspection[:, None] * outcome
        inspection, chance = self._inspection.explain(matrix)
        # With each learner's effect e = p - p', the product's is
        # p_i * p_c - (p_i - e_i) * (p_c - e_c).
        p_i, p_c = inspection[:, None], if_inspected[:, None]
        return inspection, if_inspected, p_i * p_c - (p_i - chance) * (p_c - outcome)

    def score(self, schools: Schools, *, explain: bool = True) -> list[Score]:
        """Score and rank ``schools``, highest :attr:`Score.probability` first.

        ``schools`` is a sequence of :class:`SchoolFeatures` or the same as a
        :class:`FeatureTable` (the scores are the same). With ``explain`` each
        score carries up to three reasons: the features that raise its
        probability most (by at least 0.005), largest first. Raises ValueError
        if a URN appears twice.
        """
        check_unique(schools, "the schools to score")
        matrix = self._matrix(schools)
        effects: FloatArray | None = None
        with threadpool_limits(limits=self.threads, user_api="openmp"):
            if explain:
                inspection, if_inspected, effects = self._explained(matrix)
            else:
                inspection, if_inspected = self._parts(matrix)
        probabilities = inspection * if_inspected
        if isinstance(schools, FeatureTable):
            urns = schools.urns
        else:
            urns = np.array([school.urn for school in schools], dtype=np.int64)
        order = order_by_risk(probabilities, urns)
        with _collector_paused():
            return self._scores(matrix, effects, urns, order, inspection, if_inspected)

    def _scores(
        self,
        matrix: FloatArray,
        effects: FloatArray | None,
        urns: IntArray,
        order: IntArray,
        inspection: FloatArray,
        if_inspected: FloatArray,
    ) -> list[Score]:
        """The :class:`Score` objects, in ``order``, with reasons when ``effects`` are given."""
        probabilities = inspection * if_inspected
        reasons: list[tuple[Reason, ...]] = [()] * len(urns)
        if effects is not None and len(urns):
            top = _largest(effects, MAX_REASONS)
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
        # Plain lists again: indexing numpy arrays per school is slow.
        urn_list, chance = urns.tolist(), probabilities.tolist()
        parts = if_inspected.tolist(), inspection.tolist()
        return [
            Score(
                urn=urn_list[i],
                probability=chance[i],
                rank=rank,
                reasons=reasons[i],
                if_inspected=parts[0][i],
                inspection=parts[1][i],
            )
            for rank, i in enumerate(order.tolist(), start=1)
        ]
