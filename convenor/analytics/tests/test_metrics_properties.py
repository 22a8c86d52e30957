"""Property tests: ranking metrics keep their meaning for any scores and outcomes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from convenor.analytics.early_warning import Ranking, evaluate
from convenor.analytics.metrics import (
    BELOW_GOOD,
    NOT_BELOW_GOOD,
    UNKNOWN,
    calibration_table,
    cut_off,
    top_k,
)

SETTINGS = settings(max_examples=100, deadline=None)

codes = st.lists(st.sampled_from([UNKNOWN, NOT_BELOW_GOOD, BELOW_GOOD]), min_size=1, max_size=300)


def _in_unit(value: float | None) -> bool:
    return value is None or 0.0 <= value <= 1.0


@SETTINGS
@given(codes)
def test_recall_at_20_is_never_below_recall_at_10(ranked):
    inspected = [c for c in ranked if c != UNKNOWN]
    for population in (ranked, inspected):
        if BELOW_GOOD in population:
            at_10, at_20 = cut_off(population, 0.1).recall, cut_off(population, 0.2).recall
            assert at_10 is not None and at_20 is not None
            assert at_20 >= at_10


@SETTINGS
@given(codes, st.sampled_from([0.05, 0.1, 0.2, 0.5, 1.0]))
def test_every_measure_is_a_fraction(ranked, fraction):
    c = cut_off(ranked, fraction)
    assert c.hits <= c.inspected <= c.k <= len(ranked)
    assert all(_in_unit(v) for v in (c.recall, c.precision, c.inspected_share, c.best_recall))


@SETTINGS
@given(codes, st.sampled_from([0.1, 0.2]))
def test_a_perfect_ranking_reaches_the_best_possible_recall(ranked, fraction):
    perfect = sorted(ranked, key=lambda c: c != BELOW_GOOD)  # below-good schools first
    positives = perfect.count(BELOW_GOOD)
    if positives:
        c = cut_off(perfect, fraction)
        assert c.recall == min(1.0, top_k(len(perfect), fraction) / positives)
        assert c.recall == c.best_recall


@SETTINGS
@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.sampled_from([UNKNOWN, NOT_BELOW_GOOD, BELOW_GOOD])),
        min_size=1,
        max_size=200,
    ),
    st.integers(1, 3),
)
def test_pooled_recall_lies_between_the_folds(rows, folds):
    parts = []
    for f in range(folds):
        chunk = rows[f::folds] or rows
        parts.append(
            Ranking(
                urns=np.arange(len(chunk), dtype=np.int64),
                scores=np.array([r[0] for r in chunk]),
                outcomes=np.array([r[1] for r in chunk], dtype=np.int64),
            )
        )
    recalls = [evaluate([p]).all_schools[0].recall for p in parts]
    pooled = evaluate(parts).all_schools[0].recall
    defined = [r for r in recalls if r is not None]
    if defined:
        assert pooled is not None
        assert min(defined) - 1e-12 <= pooled <= max(defined) + 1e-12
    else:
        assert pooled is None


@SETTINGS
@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=200),
    st.integers(1, 12),
)
def test_calibration_table_accounts_for_every_school(rows, bins):
    p = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows])
    table = calibration_table(y, p, bins=bins)
    assert sum(b.count for b in table) == len(rows)
    assert len(table) == min(bins, len(rows))
    assert max(b.count for b in table) - min(b.count for b in table) <= 1
    weighted = sum(b.count * b.mean_predicted for b in table) / len(rows)
    assert abs(weighted - p.mean()) < 1e-9
    # The mean of equal values can differ from them in the last bit.
    assert all(b.low - 1e-12 <= b.mean_predicted <= b.high + 1e-12 for b in table)
    assert all(table[i].high <= table[i + 1].low for i in range(len(table) - 1))
