"""The categorisation rule engine: exact cases, then properties over random frameworks."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from convenor.analytics.categorisation import (
    OPERATORS,
    Category,
    Clause,
    Framework,
    Match,
    Rule,
    SchoolInputs,
    check_framework,
    evaluate_rule,
    propose,
    propose_all,
)

LIGHT = Category("lt", "Light touch", 1)
LIGHT_PLUS = Category("ltp", "Light touch+", 2)
SUPPORT = Category("sc", "Support and challenge", 3)
SUPPORT_PLUS = Category("scp", "Support and challenge+", 4)

INADEQUATE = Rule("1", "scp", (Clause("last_grade", ">=", 4),), description="Inadequate")
REQUIRES_IMPROVEMENT = Rule("2", "sc", (Clause("last_grade", "=", 3),), description="RI")
KS2_FALLING = Rule(
    "3",
    "sc",
    (Clause("ks2_rwm_exp_vs_england", "<=", -10), Clause("ks2_rwm_exp_trend", "<", 0)),
    description="KS2 well below England and falling",
)
ESCALATED = Rule("4", "ltp", (Clause("concern_escalated", "=", 1),), description="Escalated")
MODEL_OR_ESCALATED = Rule(
    "5",
    "ltp",
    (Clause("model_rank_percentile", "<=", 20), Clause("concern_escalated", "=", 1)),
    match=Match.ANY,
)

FRAMEWORK = Framework(
    categories=(SUPPORT_PLUS, LIGHT, SUPPORT, LIGHT_PLUS),  # any order: severity ranks them
    rules=(INADEQUATE, REQUIRES_IMPROVEMENT, KS2_FALLING, ESCALATED, MODEL_OR_ESCALATED),
)


def school(**values: object) -> SchoolInputs:
    return SchoolInputs(100001, values)


# --- Exact cases --------------------------------------------------------------


def test_it_proposes_the_default_category_when_no_rule_fires() -> None:
    proposal = propose(FRAMEWORK, school(last_grade=2, concern_escalated=0))
    assert proposal.category == LIGHT
    assert proposal.by_default and proposal.fired == ()


def test_it_proposes_the_most_serious_category_whose_rule_fires() -> None:
    proposal = propose(FRAMEWORK, school(last_grade=4, concern_escalated=1))
    assert proposal.category == SUPPORT_PLUS
    # Every fired rule is a reason, the deciding ones are those of the winning category.
    assert [f.rule.key for f in proposal.fired] == ["1", "4", "5"]
    assert [f.rule.key for f in proposal.deciding] == ["1"]


def test_it_reports_each_fired_rules_inputs_with_their_values() -> None:
    proposal = propose(
        FRAMEWORK, school(last_grade=2, ks2_rwm_exp_vs_england=-12.5, ks2_rwm_exp_trend=-1.25)
    )
    assert proposal.category == SUPPORT
    (fired,) = proposal.deciding
    assert fired.description == "KS2 well below England and falling"
    assert fired.inputs == (("ks2_rwm_exp_vs_england", -12.5), ("ks2_rwm_exp_trend", -1.25))
    assert [c.describe() for c in fired.clauses] == [
        "ks2_rwm_exp_vs_england = -12.50 (rule: ≤ -10)",
        "ks2_rwm_exp_trend = -1.25 (rule: < 0)",
    ]


def test_it_needs_every_clause_of_an_all_rule() -> None:
    proposal = propose(FRAMEWORK, school(ks2_rwm_exp_vs_england=-12.0, ks2_rwm_exp_trend=0.5))
    assert proposal.category == LIGHT


def test_it_needs_one_clause_of_an_any_rule() -> None:
    proposal = propose(FRAMEWORK, school(model_rank_percentile=7.0))
    assert proposal.category == LIGHT_PLUS
    assert [f.rule.key for f in proposal.fired] == ["5"]


def test_it_reads_booleans_as_one_and_zero() -> None:
    assert propose(FRAMEWORK, school(concern_escalated=True)).category == LIGHT_PLUS
    assert propose(FRAMEWORK, school(concern_escalated=False)).category == LIGHT


def test_it_never_fires_a_clause_on_an_unknown_input_and_says_it_is_not_known() -> None:
    not_three = Rule("9", "scp", (Clause("last_grade", "!=", 3),))
    framework = Framework(FRAMEWORK.categories, (not_three,))
    for missing in ({}, {"last_grade": None}, {"last_grade": math.nan}, {"last_grade": "x"}):
        proposal = propose(framework, school(**missing))
        assert proposal.category == LIGHT
        assert proposal.unknown == ("last_grade",)
    result = evaluate_rule(not_three, school())
    assert result.clauses[0].holds is None
    assert result.clauses[0].describe() == "last_grade not known (rule: ≠ 3)"


def test_it_lists_rules_that_could_propose_more_if_an_input_were_known() -> None:
    proposal = propose(FRAMEWORK, school(ks2_rwm_exp_vs_england=-15.0, concern_escalated=1))
    assert proposal.category == LIGHT_PLUS
    assert set(proposal.unknown) == {"last_grade", "ks2_rwm_exp_trend", "model_rank_percentile"}
    # The inspection rules and the KS2 rule could have fired; a false clause rules one out.
    assert [rule.key for rule in proposal.undecided] == ["1", "2", "3"]
    falling_known = propose(
        FRAMEWORK,
        school(
            ks2_rwm_exp_vs_england=-15.0,
            ks2_rwm_exp_trend=1.0,
            last_grade=2,
            concern_escalated=1,
        ),
    )
    assert falling_known.category == LIGHT_PLUS
    assert falling_known.undecided == ()


def test_it_proposes_for_each_school_in_order() -> None:
    schools = [SchoolInputs(2, {"last_grade": 4}), SchoolInputs(1, {})]
    assert [(p.urn, p.category.key) for p in propose_all(FRAMEWORK, schools)] == [
        (2, "scp"),
        (1, "lt"),
    ]


def test_it_passes_a_sound_framework() -> None:
    inputs = {"last_grade", "ks2_rwm_exp_vs_england", "ks2_rwm_exp_trend"}
    inputs |= {"concern_escalated", "model_rank_percentile"}
    assert check_framework(FRAMEWORK, inputs) == []


def test_it_reports_every_problem_with_a_framework() -> None:
    broken = Framework(
        categories=(LIGHT, Category("x", "Light touch", 1)),
        rules=(
            Rule("1", "nope", (Clause("last_grade", ">=", 4),)),
            Rule("2", "lt", ()),
            Rule("3", "lt", (Clause("made_up", "~", math.inf),)),
        ),
    )
    problems = [str(p) for p in check_framework(broken, {"last_grade"})]
    assert problems == [
        "Each category needs its own name; repeated: Light touch.",
        "Each category needs its own order; repeated: 1.",
        "Rule 1: it proposes a category the framework does not have.",
        "Rule 2: it needs at least one condition.",
        "Rule 3, condition 1: “~” is not a comparison.",
        "Rule 3, condition 1: the value must be a number.",
        "Rule 3, condition 1: there is no input called “made_up”.",
    ]
    assert [str(p) for p in check_framework(Framework((LIGHT,), ()))] == [
        "A framework needs at least two categories."
    ]


def test_it_skips_a_rule_naming_a_missing_category() -> None:
    framework = Framework((LIGHT, SUPPORT), (Rule("1", "gone", (Clause("a", "=", 1),)),))
    assert propose(framework, school(a=1)).category == LIGHT


# --- Properties ---------------------------------------------------------------

INPUTS = ("a", "b", "c", "d")
numbers = st.one_of(st.none(), st.integers(min_value=-3, max_value=3).map(float), st.just(math.nan))
clauses = st.builds(
    Clause,
    input=st.sampled_from(INPUTS),
    op=st.sampled_from(sorted(OPERATORS)),
    value=st.integers(min_value=-3, max_value=3).map(float),
)


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    size = draw(st.integers(min_value=2, max_value=5))
    categories = tuple(Category(f"c{n}", f"Category {n}", n) for n in range(size))
    rules = draw(
        st.lists(
            st.builds(
                Rule,
                key=st.text(alphabet="xyz", min_size=1, max_size=3),
                category=st.sampled_from([c.key for c in categories]),
                clauses=st.lists(clauses, min_size=1, max_size=3).map(tuple),
                match=st.sampled_from(list(Match)),
            ),
            max_size=6,
        )
    )
    return Framework(categories, tuple(rules))


schools = st.builds(
    SchoolInputs,
    urn=st.integers(min_value=100000, max_value=999999),
    values=st.dictionaries(st.sampled_from(INPUTS), numbers),
)


@given(frameworks(), schools, st.randoms(use_true_random=False))
def test_it_is_deterministic_whatever_the_order_of_rules_and_categories(
    framework: Framework, inputs: SchoolInputs, rnd: random.Random
) -> None:
    first = propose(framework, inputs)
    assert propose(framework, inputs) == first
    rules, categories = list(framework.rules), list(framework.categories)
    rnd.shuffle(rules)
    rnd.shuffle(categories)
    shuffled = propose(Framework(tuple(categories), tuple(rules)), inputs)
    assert shuffled.category == first.category
    assert sorted(f.rule.key for f in shuffled.fired) == sorted(f.rule.key for f in first.fired)


@given(frameworks(), schools, st.data())
def test_adding_a_firing_rule_never_makes_the_proposal_less_serious(
    framework: Framework, inputs: SchoolInputs, data: st.DataObject
) -> None:
    before = propose(framework, inputs)
    category = data.draw(st.sampled_from(framework.categories))
    known = {k: v for k, v in inputs.values.items() if inputs.value(k) is not None}
    if known:
        name = data.draw(st.sampled_from(sorted(known)))
        clause = Clause(name, "=", float(inputs.value(name) or 0.0))
    else:
        clause = Clause("a", "=", 0.0)
        inputs = SchoolInputs(inputs.urn, {**inputs.values, "a": 0.0})
        before = propose(framework, inputs)
    extra = Rule("new", category.key, (clause,))
    rules = list(framework.rules)
    rules.insert(data.draw(st.integers(min_value=0, max_value=len(rules))), extra)
    after = propose(Framework(framework.categories, tuple(rules)), inputs)
    assert "new" in [f.rule.key for f in after.fired]
    assert after.category.severity >= before.category.severity
    assert after.category.severity >= category.severity


@given(frameworks(), schools, st.sampled_from(INPUTS))
def test_an_unknown_input_never_fires_a_clause_and_is_reported(
    framework: Framework, inputs: SchoolInputs, missing: str
) -> None:
    without = SchoolInputs(inputs.urn, {**inputs.values, missing: None})
    proposal = propose(framework, without)
    for fired in proposal.fired:
        for result in fired.clauses:
            if result.clause.input == missing:
                assert result.holds is None and result.actual is None
    # A rule that reads only the missing input never fires.
    only_missing = [r for r in framework.rules if set(r.inputs) == {missing}]
    assert not {r.key for r in only_missing} & {
        f.rule.key for f in proposal.fired if set(f.rule.inputs) == {missing}
    }
    if any(missing in rule.inputs for rule in framework.rules):
        assert missing in proposal.unknown


@given(frameworks(), schools, st.sampled_from(INPUTS))
def test_forgetting_an_input_never_makes_the_proposal_more_serious_by_an_all_rule(
    framework: Framework, inputs: SchoolInputs, missing: str
) -> None:
    # With "all" rules only, knowing less can only stop rules firing.
    all_only = Framework(
        framework.categories, tuple(r for r in framework.rules if r.match == Match.ALL)
    )
    before = propose(all_only, inputs)
    after = propose(all_only, SchoolInputs(inputs.urn, {**inputs.values, missing: None}))
    assert after.category.severity <= before.category.severity
