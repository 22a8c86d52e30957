"""Early warning: rank schools by the chance of being found below good within the year.

The Django side builds, for a date, one :class:`SchoolFeatures` per school:
numbers known as at that date (inspection history, results, attendance,
pupils...), ``None`` where a number is unknown or does not apply. This module
learns from earlier dates whose outcomes are known (:class:`TrainingSet`),
scores schools (:class:`RiskModel`) and checks the whole approach against
history (:func:`backtest`). It takes whatever feature names it is given: the
union across the training schools, nothing hard-coded.

A school's score is the chance that it has a graded inspection in the year
after the date *and* is judged below good at it: P(graded inspection) x
P(below good | graded inspection), each from its own calibrated learner
(:mod:`.model` says why: most open schools have no graded inspection in a
year, so the conditional chance alone ranks all schools badly). Modules:
:mod:`.features` (records in, the feature matrix), :mod:`.learner` (one
calibrated booster and its explanations), :mod:`.model` (:class:`RiskModel`),
:mod:`.evaluation`, :mod:`.backtesting` and :mod:`.report`; :mod:`.scores` holds
the :class:`Score` and :class:`Reason` records.

Importing this package does not import scikit-learn: the records (features,
training sets, folds, scores) load at once, and the learner, the model, the
evaluation and the backtest only when one of their names is first used. Code
that builds or stores features, or reads stored scores (the web pages), so
never pays the second or so scikit-learn takes to import.

The notes below apply to both learners.

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
school's score minus its score with that one feature set to the training
median (over every training school) in both learners. Only features the
school has a value for are explained: for a missing value the question
"what if it were typical?" often has no meaning (a typical Progress 8 for a
primary school), and a reason such as "ks4_p8 = unknown" would mislead.
Effects are not additive (they do not sum to the probability), but they
answer the question an officer asks: "what about this school pushes its risk
up?"
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from convenor.analytics.early_warning.features import (
    FeatureTable,
    Fold,
    SchoolFeatures,
    TrainingSet,
    feature_matrix,
    feature_union,
)
from convenor.analytics.early_warning.scores import MAX_REASONS, MIN_REASON_EFFECT, Reason, Score

if TYPE_CHECKING:
    from convenor.analytics.early_warning.backtesting import (
        BASELINES,
        INSPECTION_FEATURES,
        RESULTS_PREFIXES,
        backtest,
        rule_scores,
    )
    from convenor.analytics.early_warning.evaluation import (
        CUT_OFFS,
        Evaluation,
        Ranking,
        evaluate,
    )
    from convenor.analytics.early_warning.learner import (
        CALIBRATION_FOLDS,
        DEFAULT_THREADS,
        LEARNER_PARAMS,
    )
    from convenor.analytics.early_warning.model import RiskModel
    from convenor.analytics.early_warning.report import (
        PUBLISHED_COMPARISON,
        BacktestReport,
        BaselineResult,
        FoldResult,
    )

#: The names that need scikit-learn, and the module each comes from.
_LAZY = {
    **dict.fromkeys(
        ("BASELINES", "INSPECTION_FEATURES", "RESULTS_PREFIXES", "backtest", "rule_scores"),
        "backtesting",
    ),
    **dict.fromkeys(("CUT_OFFS", "Evaluation", "Ranking", "evaluate"), "evaluation"),
    **dict.fromkeys(("CALIBRATION_FOLDS", "DEFAULT_THREADS", "LEARNER_PARAMS"), "learner"),
    "RiskModel": "model",
    **dict.fromkeys(
        ("PUBLISHED_COMPARISON", "BacktestReport", "BaselineResult", "FoldResult"), "report"
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


__all__ = [
    "BASELINES",
    "CALIBRATION_FOLDS",
    "CUT_OFFS",
    "DEFAULT_THREADS",
    "INSPECTION_FEATURES",
    "LEARNER_PARAMS",
    "MAX_REASONS",
    "MIN_REASON_EFFECT",
    "PUBLISHED_COMPARISON",
    "RESULTS_PREFIXES",
    "BacktestReport",
    "BaselineResult",
    "Evaluation",
    "FeatureTable",
    "Fold",
    "FoldResult",
    "Ranking",
    "Reason",
    "RiskModel",
    "SchoolFeatures",
    "Score",
    "TrainingSet",
    "backtest",
    "evaluate",
    "feature_matrix",
    "feature_union",
    "rule_scores",
]
