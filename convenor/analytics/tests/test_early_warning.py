"""The early-warning model on synthetic schools whose risk we know.

In the synthetic data (see ``synthetic.py``) ``absence_persistent`` drives
risk, ``last_grade`` and results matter less, and ``noise_a`` and ``noise_b``
not at all.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from convenor.analytics.early_warning import (
    MAX_REASONS,
    MIN_REASON_EFFECT,
    Reason,
    RiskModel,
    SchoolFeatures,
    TrainingSet,
    feature_matrix,
)
from convenor.analytics.metrics import BELOW_GOOD, cut_off
from convenor.analytics.tests.synthetic import (
    DRIVER,
    SELECTOR,
    inspection_chance,
    make_outcomes,
    make_schools,
    make_training_set,
)


@pytest.fixture(scope="module")
def training() -> list[TrainingSet]:
    """Two years of synthetic training data, about 2,400 inspected schools."""
    return [
        make_training_set(4000, seed=1, as_at=date(2016, 8, 31)),
        make_training_set(4000, seed=3, as_at=date(2017, 8, 31)),
    ]


@pytest.fixture(scope="module")
def model(training) -> RiskModel:
    return RiskModel.fit(training, seed=0)


@pytest.fixture(scope="module")
def test_schools():
    """5,000 unseen synthetic schools and their true risks."""
    return make_schools(5000, seed=10, first_urn=200_000)


def _probabilities_by_urn(scores):
    return {s.urn: s.probability for s in scores}


def test_it_ranks_high_risk_schools_first(model, test_schools):
    schools, risks = test_schools
    outcomes = make_outcomes(schools, risks, seed=11, inspected=1.0)
    scores = model.score(schools, explain=False)
    ranked = [BELOW_GOOD if outcomes[s.urn] else 0 for s in scores]
    base = sum(outcomes.values()) / len(outcomes)
    top10 = cut_off(ranked, 0.1)
    assert top10.recall is not None and top10.precision is not None
    # A random ranking finds 10%; a perfect one min(1, 0.1 / base), about 40% here.
    assert top10.recall > 2.5 * 0.1
    assert top10.precision > 2.5 * base
    risk = dict(zip((s.urn for s in schools), risks, strict=True))
    top_risk = np.mean([risk[s.urn] for s in scores[: len(scores) // 10]])
    assert top_risk > 2.5 * risks.mean()


def test_its_probabilities_are_calibrated(model, test_schools):
    schools, risks = test_schools
    _, predicted = model.predict_parts(schools)  # the chance of below good if inspected
    outcomes = make_outcomes(schools, risks, seed=11, inspected=1.0)
    y = np.array([outcomes[s.urn] for s in schools])
    base = y.mean()
    brier = np.mean((predicted - y) ** 2)
    assert brier < 0.8 * base * (1 - base)  # clearly better than forecasting the base rate
    assert abs(predicted.mean() - base) < 0.03
    # And close to the true probabilities the data was drawn from.
    assert np.mean(np.abs(predicted - risks)) < 0.06


def test_it_explains_risk_with_the_feature_that_drives_it(model, test_schools):
    schools, _ = test_schools
    scores = model.score(schools)
    top = scores[: len(scores) // 20]
    led_by_driver = sum(1 for s in top if s.reasons and s.reasons[0].feature == DRIVER)
    assert led_by_driver >= 0.8 * len(top)
    # Among the riskiest fifth, noise hardly ever leads the reasons.
    firsts = [s.reasons[0].feature for s in scores[: len(scores) // 5] if s.reasons]
    assert sum(f in ("noise_a", "noise_b") for f in firsts) < 0.05 * len(firsts)
    # And its typical effect is a small fraction of the driver's.
    effects = np.abs(model.effects(schools))
    typical = dict(zip(model.feature_names, effects.mean(axis=0), strict=True))
    assert typical[DRIVER] > 8 * max(typical["noise_a"], typical["noise_b"])


def test_its_reasons_raise_risk_largest_first(model, test_schools):
    schools, _ = test_schools
    by_urn = {s.urn: s for s in schools}
    for score in model.score(schools[:1000]):
        assert len(score.reasons) <= MAX_REASONS
        effects = [r.effect for r in score.reasons]
        assert all(e >= MIN_REASON_EFFECT for e in effects)
        assert effects == sorted(effects, reverse=True)
        for reason in score.reasons:
            assert reason.value == by_urn[score.urn].values[reason.feature]


def test_an_effect_is_the_change_from_setting_the_feature_to_its_median(model, test_schools):
    schools, _ = test_schools
    school = next(s for s in model.score(schools[:200]) if s.reasons)
    reason = school.reasons[0]
    features = next(s for s in schools if s.urn == school.urn)
    typical = SchoolFeatures(
        urn=school.urn,
        values={**features.values, reason.feature: model.reference[reason.feature]},
    )
    before, after = model.predict([features, typical])
    assert reason.effect == pytest.approx(before - after, abs=1e-12)
    assert before == pytest.approx(school.probability, abs=1e-15)


def test_the_fast_explanations_equal_the_public_ones(model, test_schools):
    schools, _ = test_schools
    matrix = feature_matrix(schools[:2000], model.feature_names)
    # The learners' methods run without the thread cap the model's public ones set.
    with threadpool_limits(limits=1, user_api="openmp"):
        for learner in (model._outcome, model._inspection):
            assert learner is not None
            probabilities = learner.probabilities(matrix)
            fast = learner.effects_by_tree(matrix, probabilities)
            assert fast is not None, "the tree-by-tree path no longer works with scikit-learn"
            slow = learner.effects_by_prediction(matrix, probabilities)
            np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)


def test_it_does_not_explain_a_missing_value(model, test_schools):
    schools, _ = test_schools
    # Secondaries have no KS2 results and primaries no KS4.
    for score in model.score(schools[:1000]):
        assert all(r.value is not None for r in score.reasons)
    effects = model.effects(schools[:1000])
    j = model.feature_names.index("ks4_p8")
    missing = np.array([s.values["ks4_p8"] is None for s in schools[:1000]])
    assert missing.any()
    assert (effects[missing, j] == 0).all()


def test_it_scores_schools_with_missing_and_absent_values(model):
    unknown = SchoolFeatures(urn=1, values={name: None for name in model.feature_names})
    empty = SchoolFeatures(urn=2, values={})
    scores = model.score([unknown, empty])
    assert scores[0].probability == scores[1].probability
    assert 0 < scores[0].probability < 1
    assert all(s.reasons == () for s in scores)


def test_it_treats_an_absent_feature_as_missing(model, test_schools):
    schools, _ = test_schools
    school = schools[0]
    as_none = SchoolFeatures(urn=1, values={**school.values, DRIVER: None})
    absent = SchoolFeatures(urn=2, values={k: v for k, v in school.values.items() if k != DRIVER})
    p_none, p_absent = model.predict([as_none, absent])
    assert p_none == p_absent


def test_it_scores_schools_that_lack_a_feature_seen_in_training(model, test_schools):
    schools, _ = test_schools
    without = [
        SchoolFeatures(urn=s.urn, values={k: v for k, v in s.values.items() if k != DRIVER})
        for s in schools[:500]
    ]
    scores = model.score(without)
    assert len(scores) == 500
    assert all(0 < s.probability < 1 for s in scores)
    assert not any(r.feature == DRIVER for s in scores for r in s.reasons)


def test_it_ignores_a_feature_seen_only_when_scoring(model, test_schools):
    schools, _ = test_schools
    extra = [
        SchoolFeatures(urn=s.urn, values={**s.values, "brand_new": 1e6}) for s in schools[:500]
    ]
    assert "brand_new" not in model.feature_names
    np.testing.assert_array_equal(model.predict(extra), model.predict(schools[:500]))


def test_it_learns_only_features_known_in_training(training):
    ts = training[0]
    with_unknown = TrainingSet(
        as_at=ts.as_at,
        schools=[SchoolFeatures(s.urn, {**s.values, "never_known": None}) for s in ts.schools],
        below_good=ts.below_good,
    )
    model = RiskModel.fit([with_unknown])
    assert "never_known" not in model.feature_names
    assert model.feature_names == tuple(sorted(model.feature_names))


def test_it_drops_a_named_feature_it_cannot_learn(training):
    ts = training[0]
    rare = TrainingSet(
        as_at=ts.as_at,
        schools=[
            SchoolFeatures(s.urn, {**s.values, "rare": 1.0 if i == 0 else None})
            for i, s in enumerate(ts.schools)
        ],
        below_good=ts.below_good,
    )
    model = RiskModel.fit([rare], features=("never_known", "rare", DRIVER))
    assert model.feature_names == (DRIVER,)
    with pytest.raises(ValueError, match="no feature has values"):
        RiskModel.fit([rare], features=("never_known",))


def test_it_uses_only_the_features_it_is_given(training, test_schools):
    schools, _ = test_schools
    model = RiskModel.fit(training, features=("last_grade", "noise_a", "last_grade"))
    assert model.feature_names == ("last_grade", "noise_a")
    changed = [
        SchoolFeatures(s.urn, {**s.values, DRIVER: 99.0, "fsm_pct": 0.0}) for s in schools[:300]
    ]
    np.testing.assert_array_equal(model.predict(changed), model.predict(schools[:300]))


def test_it_gives_identical_scores_for_the_same_inputs_and_seed(training, test_schools):
    schools, _ = test_schools
    first = RiskModel.fit(training, seed=7).score(schools[:1000])
    again = RiskModel.fit(training, seed=7).score(schools[:1000])
    assert first == again
    other_seed = RiskModel.fit(training, seed=8).score(schools[:1000])
    assert _probabilities_by_urn(other_seed) != _probabilities_by_urn(first)


def test_it_ranks_equal_probabilities_by_urn(model, test_schools):
    schools, _ = test_schools
    twins = [SchoolFeatures(urn=u, values=schools[0].values) for u in (500, 300, 400)]
    scores = model.score(twins)
    assert [(s.urn, s.rank) for s in scores] == [(300, 1), (400, 2), (500, 3)]
    assert len({s.probability for s in scores}) == 1


def test_it_returns_scores_in_rank_order(model, test_schools):
    schools, _ = test_schools
    scores = model.score(schools[:1000], explain=False)
    assert [s.rank for s in scores] == list(range(1, 1001))
    probabilities = [s.probability for s in scores]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(s.reasons == () for s in scores)
    assert model.score([]) == []


def test_explaining_does_not_change_the_scores(model, test_schools):
    schools, _ = test_schools
    plain = model.score(schools[:500], explain=False)
    explained = model.score(schools[:500])
    assert [(s.urn, s.probability, s.rank) for s in plain] == [
        (s.urn, s.probability, s.rank) for s in explained
    ]


def test_it_can_force_risk_to_rise_with_a_feature(training, test_schools):
    schools, _ = test_schools
    model = RiskModel.fit(training, monotonic={"noise_a": 1})
    base = schools[0].values
    ladder = [
        SchoolFeatures(urn=i, values={**base, "noise_a": float(x)})
        for i, x in enumerate(np.linspace(-3, 3, 25))
    ]
    _, p = model.predict_parts(ladder)  # the constraint is on the "if inspected" chance
    assert (np.diff(p) >= 0).all()


def test_it_counts_outcomes_for_schools_it_has_no_features_for(training):
    ts = training[0]
    extra = TrainingSet(ts.as_at, ts.schools, {**ts.below_good, 999_999: True, 999_998: False})
    model = RiskModel.fit([extra])
    assert model.outcomes_without_features == 2
    assert model.training_rows == len(ts.below_good)
    assert model.training_base_rate == pytest.approx(
        sum(ts.below_good.values()) / len(ts.below_good)
    )


def test_it_needs_both_outcomes_to_learn(training):
    ts = training[0]
    all_good = TrainingSet(ts.as_at, ts.schools, {u: False for u in ts.below_good})
    with pytest.raises(ValueError, match="each outcome"):
        RiskModel.fit([all_good])


def test_it_refuses_a_urn_twice(model, training):
    ts = training[0]
    doubled = TrainingSet(ts.as_at, [*ts.schools, ts.schools[0]], ts.below_good)
    with pytest.raises(ValueError, match=f"URN {ts.schools[0].urn} appears twice"):
        RiskModel.fit([doubled])
    with pytest.raises(ValueError, match="appears twice"):
        model.score([ts.schools[0], ts.schools[0]])


@pytest.mark.parametrize("bad", ["3", math.inf, -math.inf])
def test_it_refuses_a_value_that_is_not_a_finite_number(model, bad):
    school = SchoolFeatures(urn=123456, values={"last_grade": bad})
    with pytest.raises(ValueError, match="URN 123456: last_grade"):
        model.score([school])


def test_it_reads_nan_and_booleans_as_numbers(model, test_schools):
    schools, _ = test_schools
    values = dict(schools[0].values)
    as_nan = SchoolFeatures(1, {**values, DRIVER: math.nan, "is_primary": True})
    as_none = SchoolFeatures(2, {**values, DRIVER: None, "is_primary": 1.0})
    p_nan, p_none = model.predict([as_nan, as_none])
    assert p_nan == p_none


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (Reason("last_grade", 3.0, 0.1234), "last_grade = 3 (+0.12)"),
        (Reason("ks2_rwm_exp", 0.6471, 0.051), "ks2_rwm_exp = 0.647 (+0.05)"),
        (Reason("days_since_inspection", 2190.0, 0.08), "days_since_inspection = 2190 (+0.08)"),
        (Reason("pupils_change", -12.5, 0.006), "pupils_change = -12.5 (+0.01)"),
        (Reason("ks4_p8", None, 0.02), "ks4_p8 = unknown (+0.02)"),
    ],
)
def test_a_reason_describes_itself_in_plain_english(reason, text):
    assert reason.describe() == text


def test_it_can_fit_on_a_date_with_only_a_few_outcomes():
    schools = [SchoolFeatures(urn=i, values={"x": float(i % 7)}) for i in range(40)]
    outcomes = {i: i % 7 >= 5 for i in range(0, 40, 2)}
    model = RiskModel.fit([TrainingSet(date(2016, 8, 31), schools, outcomes)])
    assert model.training_rows == 20
    assert len(model.score(schools)) == 40


@pytest.fixture(scope="module")
def selective_model() -> RiskModel:
    """A model trained where the chance of inspection depends on known features."""
    return RiskModel.fit(
        [
            make_training_set(4000, seed=1, as_at=date(2016, 8, 31), selective=True),
            make_training_set(4000, seed=3, as_at=date(2017, 8, 31), selective=True),
        ],
        seed=0,
    )


def _recall_at_10(urns_in_order, outcomes) -> float:
    ranked = [BELOW_GOOD if outcomes.get(urn) else 0 for urn in urns_in_order]
    recall = cut_off(ranked, 0.1).recall
    assert recall is not None
    return recall


def test_its_score_is_the_chance_of_inspection_times_below_good_if_inspected(
    selective_model, test_schools
):
    schools, _ = test_schools
    inspection, if_inspected = selective_model.predict_parts(schools[:500])
    np.testing.assert_array_equal(selective_model.predict(schools[:500]), inspection * if_inspected)
    by_urn = {s.urn: i for i, s in enumerate(schools[:500])}
    for score in selective_model.score(schools[:500], explain=False):
        assert score.inspection == inspection[by_urn[score.urn]]
        assert score.if_inspected == if_inspected[by_urn[score.urn]]
        assert score.probability == pytest.approx(score.inspection * score.if_inspected)


def test_its_chance_of_inspection_is_calibrated(selective_model, test_schools):
    schools, _ = test_schools
    inspection, _ = selective_model.predict_parts(schools)
    truth = np.array([inspection_chance(s.values) for s in schools])
    assert abs(inspection.mean() - truth.mean()) < 0.03
    assert np.mean(np.abs(inspection - truth)) < 0.06


def test_ranking_by_the_joint_chance_finds_more_below_good_schools_among_all(
    selective_model, test_schools
):
    schools, risks = test_schools
    outcomes = make_outcomes(schools, risks, seed=11, selective=True)
    joint = [s.urn for s in selective_model.score(schools, explain=False)]
    _, if_inspected = selective_model.predict_parts(schools)
    urns = np.array([s.urn for s in schools])
    conditional = urns[np.argsort(-if_inspected, kind="stable")].tolist()
    assert _recall_at_10(joint, outcomes) > _recall_at_10(conditional, outcomes) + 0.05


def test_it_explains_the_joint_score_with_what_drives_inspection_too(selective_model, test_schools):
    schools, _ = test_schools
    effects = np.abs(selective_model.effects(schools))
    typical = dict(zip(selective_model.feature_names, effects.mean(axis=0), strict=True))
    # SELECTOR changes only the chance of inspection; noise_b changes nothing.
    assert typical[SELECTOR] > 5 * typical["noise_b"]
    school = next(s for s in selective_model.score(schools[:300]) if len(s.reasons) > 1)
    features = next(s for s in schools if s.urn == school.urn)
    for reason in school.reasons:
        typical_school = SchoolFeatures(
            school.urn,
            {**features.values, reason.feature: selective_model.reference[reason.feature]},
        )
        before, after = selective_model.predict([features, typical_school])
        assert reason.effect == pytest.approx(before - after, abs=1e-12)


def test_it_gives_every_school_the_same_chance_of_inspection_when_all_were_inspected():
    schools, risks = make_schools(600, seed=5)
    outcomes = make_outcomes(schools, risks, seed=6, inspected=1.0)
    model = RiskModel.fit([TrainingSet(date(2016, 8, 31), schools, outcomes)])
    inspection, if_inspected = model.predict_parts(schools[:50])
    assert model.inspection_rate == 1.0
    np.testing.assert_array_equal(inspection, np.ones(50))
    np.testing.assert_array_equal(model.predict(schools[:50]), if_inspected)
