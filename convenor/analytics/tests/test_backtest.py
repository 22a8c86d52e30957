"""The rolling-origin backtest and its report, on synthetic folds."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import numpy as np
import pytest

from convenor.analytics.early_warning import (
    Fold,
    Ranking,
    RiskModel,
    SchoolFeatures,
    TrainingSet,
    backtest,
    evaluate,
)
from convenor.analytics.metrics import BELOW_GOOD, UNKNOWN
from convenor.analytics.tests.synthetic import make_fold, make_training_set

HEADLINE = {
    "recall_at_10",
    "recall_at_20",
    "precision_at_10",
    "roc_auc",
    "pr_auc",
    "brier",
    "base_rate",
}
BASELINES = {"inspection_history", "latest_results", "last_grade_rule"}

AUG_2016, AUG_2017, AUG_2018 = date(2016, 8, 31), date(2017, 8, 31), date(2018, 8, 31)


def _folds(n: int = 3000) -> list[Fold]:
    first = make_training_set(n, seed=1, as_at=AUG_2016)
    second = make_training_set(n, seed=3, as_at=AUG_2017)
    return [
        make_fold(n, seed=10, as_at=AUG_2017, training=[first]),
        make_fold(n, seed=20, as_at=AUG_2018, training=[first, second]),
    ]


@pytest.fixture(scope="module")
def folds() -> list[Fold]:
    return _folds()


@pytest.fixture(scope="module")
def report(folds):
    return backtest(folds, seed=0)


def _fractions_or_none(block: dict[str, Any], keys: set[str]) -> list[str]:
    """Keys whose value is not None or a number from 0 to 1."""
    return [k for k in keys if block[k] is not None and not 0 <= block[k] <= 1]


def test_its_dict_has_the_required_keys_with_fractions(report):
    d = json.loads(json.dumps(report.to_dict()))  # JSON-ready, and read back
    assert set(d) == {"folds", "overall", "baselines"}
    assert set(d["overall"]) >= HEADLINE
    assert all(d["overall"][k] is not None for k in HEADLINE)
    assert _fractions_or_none(d["overall"], HEADLINE) == []
    assert [f["as_at"] for f in d["folds"]] == ["2017-08-31", "2018-08-31"]
    for fold in d["folds"]:
        assert _fractions_or_none(fold, HEADLINE) == []
        assert _fractions_or_none(fold["inspected_only"], set(fold["inspected_only"])) == []
        assert len(fold["calibration"]) == 10
    assert set(d["baselines"]) == BASELINES
    for name, baseline in d["baselines"].items():
        assert set(baseline) >= HEADLINE, name
        assert _fractions_or_none(baseline, HEADLINE) == [], name
        assert len(baseline["folds"]) == 2
    assert d["baselines"]["last_grade_rule"]["brier"] is None
    assert d["baselines"]["inspection_history"]["features"] == [
        "days_since_inspection",
        "last_grade",
    ]
    assert d["baselines"]["latest_results"]["features"] == ["ks2_rwm_exp", "ks4_p8"]


def test_its_headline_ranks_all_open_schools(report):
    overall = report.to_dict()["overall"]
    all10, _ = report.overall.all_schools
    ins10, _ = report.overall.inspected
    assert overall["recall_at_10"] == round(all10.recall, 4)
    assert overall["inspected_only"]["recall_at_10"] == round(ins10.recall, 4)
    assert all10.k == 600  # 10% of 2 x 3,000 open schools, each fold rounded up


def test_it_pools_the_folds_by_adding_hits(report):
    folds = [f.evaluation for f in report.folds]
    for i in (0, 1):  # top 10% and top 20%
        hits = sum(e.all_schools[i].hits for e in folds)
        positives = sum(e.all_schools[i].positives for e in folds)
        assert report.overall.all_schools[i].recall == pytest.approx(hits / positives)
    assert report.overall.n_inspected == sum(e.n_inspected for e in folds)
    assert report.overall.n_below_good == sum(e.n_below_good for e in folds)


def test_the_model_beats_its_baselines_when_the_signal_is_elsewhere(report):
    # Synthetic risk is driven by absence, which no baseline sees.
    overall = report.overall
    for baseline in report.baselines:
        assert overall.roc_auc > baseline.overall.roc_auc + 0.1, baseline.name
        assert overall.all_schools[0].recall > baseline.overall.all_schools[0].recall
    assert overall.brier < overall.brier_base_rate


def test_it_trains_each_fold_only_on_what_it_was_given(report):
    first, second = report.folds
    assert first.training_as_at == (AUG_2016,)
    assert second.training_as_at == (AUG_2016, AUG_2017)
    assert second.training_rows > first.training_rows


def test_its_text_reports_each_fold_the_pooled_result_and_the_published_figures(report):
    text = report.to_text()
    for expected in (
        "Fold 1: as at 31 Aug 2017",
        "Fold 2: as at 31 Aug 2018",
        "Overall: 2 folds pooled",
        "All open schools ranked (top 10% = 300 schools)",
        "Inspected schools ranked",
        "recall, top 20%",
        "precision, top 10% (of inspected)",
        "share of top 10% inspected",
        "ROC AUC",
        "PR AUC (average precision)",
        "Brier score",
        "forecasting the base rate",
        "Calibration of the model",
        "65%",
        "85%",
        "grade+time",
        "results",
        "rule",
    ):
        assert expected in text, expected
    header = next(line for line in text.splitlines() if "grade+time" in line)
    assert header.split() == ["model", "grade+time", "results", "rule", "best"]


def test_it_is_deterministic():
    folds = _folds(800)
    assert backtest(folds, seed=3).to_dict() == backtest(folds, seed=3).to_dict()


def test_it_refuses_training_from_the_fold_date_or_later(folds):
    fold = folds[0]
    leaky = Fold(
        as_at=fold.as_at,
        training=[*fold.training, make_training_set(500, seed=5, as_at=fold.as_at)],
        schools=fold.schools,
        outcomes=fold.outcomes,
    )
    with pytest.raises(ValueError, match="training must come from before the fold"):
        backtest([leaky])
    with pytest.raises(ValueError, match="at least one fold"):
        backtest([])


def _without_results(ts: TrainingSet) -> TrainingSet:
    schools = [
        SchoolFeatures(s.urn, {k: v for k, v in s.values.items() if not k.startswith("ks")})
        for s in ts.schools
    ]
    return TrainingSet(ts.as_at, schools, ts.below_good)


def test_it_leaves_out_a_baseline_with_no_features_and_says_so():
    fold = _folds(1500)[0]
    no_results = Fold(
        as_at=fold.as_at,
        training=[_without_results(ts) for ts in fold.training],
        schools=fold.schools,  # results when scoring are ignored: training never saw them
        outcomes=fold.outcomes,
    )
    report = backtest([no_results])
    assert set(report.to_dict()["baselines"]) == {"inspection_history", "last_grade_rule"}
    assert report.unavailable_baselines == ("latest_results",)
    assert "latest_results: not run" in report.to_text()


def test_it_counts_outcomes_for_schools_not_in_the_list_and_reports_progress():
    fold = _folds(1500)[0]
    extra = Fold(fold.as_at, fold.training, fold.schools, {**fold.outcomes, 999_999: True})
    messages: list[str] = []
    report = backtest([extra], progress=messages.append)
    assert report.folds[0].outcomes_without_features == 1
    assert report.folds[0].evaluation.n_inspected == len(fold.outcomes)
    assert "1 test outcome was for schools not in the list" in report.to_text()
    assert messages[0] == "as at 2017-08-31: fitting the model"
    assert len(messages) == 3  # the model and the two learned baselines


def test_it_ranks_all_open_schools_by_the_joint_chance_and_the_inspected_by_the_conditional():
    first = make_training_set(3000, seed=1, as_at=AUG_2016, selective=True)
    fold = make_fold(3000, seed=10, as_at=AUG_2017, training=[first], selective=True)
    report = backtest([fold])
    model = RiskModel.fit(fold.training)
    inspection, if_inspected = model.predict_parts(fold.schools)
    urns = np.array([s.urn for s in fold.schools])
    codes = np.array(
        [
            UNKNOWN if (o := fold.outcomes.get(u)) is None else (BELOW_GOOD if o else 0)
            for u in urns.tolist()
        ]
    )
    conditional = evaluate([Ranking(urns, if_inspected, codes)])
    joint = evaluate([Ranking(urns, if_inspected, codes, all_scores=inspection * if_inspected)])
    assert report.overall.all_schools == joint.all_schools
    assert report.overall.inspected == conditional.inspected
    assert report.overall.roc_auc == conditional.roc_auc
    # Selection depends on known features, so the joint chance finds more among all schools.
    joint_recall, conditional_recall = (
        joint.all_schools[0].recall,
        conditional.all_schools[0].recall,
    )
    assert joint_recall is not None and conditional_recall is not None
    assert joint_recall > conditional_recall + 0.05
