"""Scoring a :class:`FeatureTable`, and the tree-by-tree explanations behind fast scoring."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from convenor.analytics.early_warning import FeatureTable, RiskModel, SchoolFeatures
from convenor.analytics.early_warning import learner as learner_module
from convenor.analytics.early_warning.learner import CHECK_EVERY, Learner, _Walk
from convenor.analytics.early_warning.model import _largest
from convenor.analytics.tests.synthetic import DRIVER, make_schools, make_training_set


@pytest.fixture(scope="module")
def model() -> RiskModel:
    return RiskModel.fit(
        [
            make_training_set(1500, seed=1, as_at=date(2016, 8, 31)),
            make_training_set(1500, seed=3, as_at=date(2017, 8, 31)),
        ],
        seed=0,
    )


@pytest.fixture(scope="module")
def schools() -> list[SchoolFeatures]:
    return make_schools(1200, seed=10, first_urn=200_000)[0]


def names_of(schools: list[SchoolFeatures]) -> tuple[str, ...]:
    return tuple(sorted({name for school in schools for name in school.values}))


def test_it_scores_a_table_exactly_as_the_schools_one_by_one(model, schools):
    table = FeatureTable.from_schools(schools, names_of(schools))

    assert model.score(table) == model.score(schools)
    assert model.score(table, explain=False) == model.score(schools, explain=False)
    np.testing.assert_array_equal(model.predict(table), model.predict(schools))


def test_a_table_gives_back_the_schools_it_was_built_from(schools):
    table = FeatureTable.from_schools(schools, names_of(schools))

    back = table.schools()

    assert [s.urn for s in back] == [s.urn for s in schools]
    for given, got in zip(schools, back, strict=True):
        assert got.values == {name: given.values.get(name) for name in table.names}
    assert any(value is None for s in back for value in s.values.values())


def test_a_table_reads_a_feature_it_does_not_hold_as_missing(model, schools):
    names = tuple(name for name in names_of(schools) if name != DRIVER)
    table = FeatureTable.from_schools(schools, names)
    without = [SchoolFeatures(s.urn, {**s.values, DRIVER: None}) for s in schools]

    assert np.isnan(table.columns([DRIVER, "never_heard_of"])).all()
    assert model.score(table) == model.score(without)


@pytest.mark.parametrize(
    ("urns", "names", "matrix", "message"),
    [
        ([1, 2], ("a",), [[1.0]], "cannot hold a matrix"),
        ([1], ("a", "a"), [[1.0, 2.0]], "named twice"),
        ([1, 2], ("a",), [[1.0], [math.inf]], "URN 2: a is infinite"),
    ],
)
def test_it_refuses_a_table_that_does_not_add_up(urns, names, matrix, message):
    with pytest.raises(ValueError, match=message):
        FeatureTable(np.array(urns, dtype=np.int64), names, np.array(matrix))


def test_it_refuses_a_urn_twice_in_a_table(model, schools):
    table = FeatureTable.from_schools([schools[0], schools[1], schools[0]], names_of(schools))
    with pytest.raises(ValueError, match=f"URN {schools[0].urn} appears twice"):
        model.score(table)


def _learners(model: RiskModel) -> list[Learner]:
    learners = [model._outcome, model._inspection]
    return [learner for learner in learners if learner is not None]


def test_explaining_gives_exactly_the_public_probabilities_and_effects(model, schools):
    matrix = FeatureTable.from_schools(schools, names_of(schools)).columns(model.feature_names)
    with threadpool_limits(limits=1, user_api="openmp"):
        for learner in _learners(model):
            probabilities, effects = learner.explain(matrix)

            np.testing.assert_array_equal(probabilities, learner.probabilities(matrix))
            slow = learner.effects_by_prediction(matrix, probabilities)
            np.testing.assert_allclose(effects, slow, rtol=0, atol=1e-12)
            assert np.count_nonzero(effects) > len(matrix)


def test_it_explains_the_public_way_when_the_rebuilt_probabilities_differ(
    model, schools, monkeypatch
):
    matrix = FeatureTable.from_schools(schools, names_of(schools)).columns(model.feature_names)
    learner = model._outcome
    expected = learner.explain(matrix)
    rebuilt = _Walk.probabilities

    def off_on_a_checked_row(walk: _Walk) -> np.ndarray:
        probabilities = rebuilt(walk).copy()
        probabilities[CHECK_EVERY] += 1e-15  # internals that no longer mean what they did
        return probabilities

    monkeypatch.setattr(_Walk, "probabilities", off_on_a_checked_row)
    probabilities, effects = learner.explain(matrix)

    # Without the check the checked row would be off by the 1e-15.
    np.testing.assert_array_equal(probabilities, learner.probabilities(matrix))
    np.testing.assert_allclose(effects, expected[1], rtol=0, atol=1e-12)


def test_it_explains_the_public_way_when_a_tree_is_too_big_to_tabulate(model, schools, monkeypatch):
    matrix = FeatureTable.from_schools(schools, names_of(schools)).columns(model.feature_names)
    learner = model._outcome
    monkeypatch.setattr(learner_module, "MAX_SPLITS", 2)

    probabilities, effects = learner.explain(matrix)

    assert _Walk.of(learner, matrix) is None
    np.testing.assert_array_equal(probabilities, learner.probabilities(matrix))
    slow = learner.effects_by_prediction(matrix, probabilities)
    np.testing.assert_allclose(effects, slow, rtol=0, atol=1e-12)


def test_the_largest_effects_come_in_order_with_ties_to_the_first_feature():
    effects = np.array(
        [
            [0.1, 0.3, 0.3, 0.0, 0.2],
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [-0.1, 0.5, -0.2, 0.5, 0.5],
        ]
    )
    expected = np.argsort(-effects, axis=1, kind="stable")[:, :3]

    np.testing.assert_array_equal(_largest(effects, 3), expected)
    np.testing.assert_array_equal(_largest(effects, 3), [[1, 2, 4], [0, 1, 2], [1, 3, 4]])
    assert _largest(effects[:, :2], 3).shape == (3, 2)
