"""Ranking metrics against small examples worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convenor.analytics.early_warning import Ranking, evaluate
from convenor.analytics.metrics import (
    BELOW_GOOD as B,
)
from convenor.analytics.metrics import (
    NOT_BELOW_GOOD as G,
)
from convenor.analytics.metrics import (
    UNKNOWN as U,
)
from convenor.analytics.metrics import (
    CutOff,
    base_rate,
    brier,
    calibration_table,
    cut_off,
    order_by_risk,
    pool_cut_offs,
    pr_auc,
    roc_auc,
    top_k,
)


@pytest.mark.parametrize(
    ("n", "fraction", "k"),
    [(10, 0.1, 1), (10, 0.2, 2), (25, 0.1, 3), (30, 0.1, 3), (5, 0.1, 1), (0, 0.1, 0), (7, 1, 7)],
)
def test_it_rounds_the_top_k_up(n, fraction, k):
    assert top_k(n, fraction) == k


@pytest.mark.parametrize("fraction", [0, -0.1, 1.5])
def test_it_rejects_a_fraction_outside_zero_to_one(fraction):
    with pytest.raises(ValueError, match="fraction"):
        top_k(10, fraction)


def test_it_ranks_highest_score_first_and_ties_by_lower_urn():
    order = order_by_risk([0.5, 0.9, 0.5, 0.1], [30, 10, 20, 5])
    assert order.tolist() == [1, 2, 0, 3]


def test_it_rejects_nan_scores():
    with pytest.raises(ValueError, match="NaN"):
        order_by_risk([0.5, math.nan], [1, 2])


def test_it_counts_hits_among_ten_inspected_schools():
    # Ranked outcomes: below good at ranks 1, 3 and 6.
    ranked = [B, G, B, G, G, B, G, G, G, G]
    top10, top20, top50 = (cut_off(ranked, f) for f in (0.1, 0.2, 0.5))
    assert (top10.k, top10.hits, top10.positives) == (1, 1, 3)
    assert top10.recall == pytest.approx(1 / 3)
    assert top10.precision == 1.0
    assert (top20.k, top20.hits) == (2, 1)
    assert top20.recall == pytest.approx(1 / 3)
    assert top20.precision == 0.5
    assert (top50.k, top50.hits) == (5, 2)
    assert top50.recall == pytest.approx(2 / 3)
    assert top50.precision == pytest.approx(2 / 5)
    assert top10.best_recall == pytest.approx(1 / 3)
    assert top50.best_recall == 1.0


def test_it_measures_precision_among_the_inspected_when_ranking_all_schools():
    ranked = [B, U, G, B, U, U, B, G, U, U]
    top20 = cut_off(ranked, 0.2)
    assert (top20.k, top20.inspected, top20.hits, top20.positives) == (2, 1, 1, 3)
    assert top20.precision == 1.0  # 1 hit of the 1 flagged school that was inspected
    assert top20.inspected_share == 0.5
    top50 = cut_off(ranked, 0.5)
    assert (top50.inspected, top50.hits) == (3, 2)
    assert top50.recall == pytest.approx(2 / 3)
    assert top50.precision == pytest.approx(2 / 3)
    assert top50.inspected_share == pytest.approx(3 / 5)


def test_it_leaves_recall_and_precision_undefined_without_cases():
    nobody_below = cut_off([G, G, U], 0.5)
    assert nobody_below.recall is None
    assert nobody_below.best_recall is None
    none_inspected = cut_off([U, U, B], 0.2)
    assert none_inspected.precision is None
    assert none_inspected.inspected_share == 0.0


def test_it_pools_cut_offs_by_adding_counts():
    a = CutOff(fraction=0.1, k=1, inspected=1, hits=1, positives=3)
    b = CutOff(fraction=0.1, k=2, inspected=2, hits=0, positives=2)
    pooled = pool_cut_offs([a, b])
    assert pooled.recall == pytest.approx(1 / 5)
    assert pooled.precision == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="different cut-offs"):
        pool_cut_offs([a, CutOff(fraction=0.2, k=2, inspected=2, hits=0, positives=2)])


def test_it_scores_probabilities_against_outcomes():
    assert base_rate([True, False, False, False]) == 0.25
    assert base_rate([]) is None
    assert brier([True, False], [0.8, 0.4]) == pytest.approx((0.2**2 + 0.4**2) / 2)
    assert roc_auc([True, False, True, False], [0.9, 0.1, 0.8, 0.2]) == 1.0
    assert roc_auc([True, False, True, False], [0.1, 0.9, 0.2, 0.8]) == 0.0
    # One below-good school between two others: it outranks one of two.
    assert roc_auc([False, True, False], [0.9, 0.5, 0.1]) == 0.5
    assert pr_auc([True, False, True, False], [0.9, 0.1, 0.8, 0.2]) == 1.0


def test_it_leaves_auc_undefined_with_one_outcome():
    assert roc_auc([True, True], [0.1, 0.2]) is None
    assert roc_auc([False, False], [0.1, 0.2]) is None
    assert pr_auc([False, False], [0.1, 0.2]) is None
    assert brier([], []) is None


def test_it_builds_a_calibration_table_of_equal_count_groups():
    table = calibration_table([False, False, True, True], [0.4, 0.1, 0.3, 0.2], bins=2)
    assert [(b.count, b.low, b.high) for b in table] == [(2, 0.1, 0.2), (2, 0.3, 0.4)]
    assert table[0].mean_predicted == pytest.approx(0.15)
    assert table[0].observed_rate == 0.5  # 0.1 good, 0.2 below good
    assert table[1].observed_rate == 0.5
    singles = calibration_table([True, False, True], [0.9, 0.1, 0.5], bins=10)
    assert [b.count for b in singles] == [1, 1, 1]
    assert [b.observed_rate for b in singles] == [0.0, 1.0, 1.0]
    assert calibration_table([], []) == ()


def _ranking(urns, scores, codes):
    return Ranking(
        urns=np.array(urns, dtype=np.int64),
        scores=np.array(scores, dtype=np.float64),
        outcomes=np.array(codes, dtype=np.int64),
    )


def test_it_pools_folds_by_hits_over_positives_not_by_averaging_recall():
    urns = list(range(1, 11))
    scores = [1 - i / 10 for i in range(10)]
    # Fold A: its one below-good school ranked first (recall@10 = 1).
    a = _ranking(urns, scores, [B, G, G, G, G, G, G, G, G, G])
    # Fold B: four below-good schools, none in its top 10% (recall@10 = 0).
    b = _ranking(urns, scores, [G, B, B, B, B, G, G, G, G, G])
    pooled = evaluate([a, b])
    assert evaluate([a]).all_schools[0].recall == 1.0
    assert evaluate([b]).all_schools[0].recall == 0.0
    assert pooled.all_schools[0].recall == pytest.approx(1 / 5)  # not the mean, 0.5
    assert (pooled.n_schools, pooled.n_inspected, pooled.n_below_good) == (20, 20, 5)
    assert pooled.base_rate == 0.25


def test_it_ranks_within_the_inspected_schools_and_within_all_schools():
    # Ten schools, six inspected; scores fall with URN.
    part = _ranking(
        list(range(1, 11)),
        [1 - i / 10 for i in range(10)],
        [U, B, G, U, B, U, G, B, U, G],
    )
    e = evaluate([part])
    all10, all20 = e.all_schools
    assert (all10.k, all10.inspected, all10.hits) == (1, 0, 0)
    assert all10.precision is None
    assert (all20.k, all20.inspected, all20.hits) == (2, 1, 1)
    ins10, ins20 = e.inspected
    # Six inspected schools: top 10% and top 20% are both 1 and 2 schools (rounded up).
    assert (ins10.k, ins10.hits, ins10.positives) == (1, 1, 3)
    assert (ins20.k, ins20.hits) == (2, 1)
    assert ins20.precision == 0.5


def test_a_rule_has_no_brier_score_or_calibration():
    part = _ranking([1, 2, 3], [3.0, 2.0, 1.0], [B, G, G])
    e = evaluate([part], probabilistic=False)
    assert e.brier is None
    assert e.calibration == ()
    assert e.roc_auc == 1.0
    assert e.to_dict()["brier"] is None
