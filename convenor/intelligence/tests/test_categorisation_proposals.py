"""Proposals from the database: the inputs as at a date, the framework in force, and
model risk from a stored score run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from convenor.analytics.early_warning import Score
from convenor.intelligence import categorisation as service
from convenor.intelligence.models import CategoryTrack
from convenor.intelligence.tests.categorisation_world import (
    ACADEMY_GOOD,
    ACADEMY_RI,
    AS_AT,
    GOOD,
    INADEQUATE,
    LA,
    NEW,
    RI,
    escalate,
    inspection,
    label,
    new_version,
    proposal,
    store_scores,
    world,
)
from convenor.intelligence.tests.factories import KS2ResultFactory, SoftIntelligenceEntryFactory
from convenor.schools.tests.factories import open_school

pytestmark = pytest.mark.django_db


def test_it_proposes_a_category_for_every_open_school_from_its_latest_inspection() -> None:
    world()
    proposals = {p.school.urn: p for p in service.propose(AS_AT, LA)}
    assert {urn: p.category.label for urn, p in proposals.items() if p.category} == {
        GOOD: "Light touch",
        RI: "Support and challenge",
        INADEQUATE: "Support and challenge+",
        NEW: "Light touch",
        ACADEMY_GOOD: "No concern",
        ACADEMY_RI: "Cause for concern",
    }
    inadequate = proposals[INADEQUATE].proposal
    assert inadequate is not None
    (fired,) = inadequate.deciding
    assert fired.description == "Inadequate at the latest inspection"
    assert fired.inputs == (("last_grade", 4.0),)


def test_it_says_what_it_does_not_know_and_never_guesses() -> None:
    world()
    new = proposal(NEW).proposal
    assert new is not None and new.by_default
    assert "last_grade" in new.unknown and "model_rank_percentile" in new.unknown
    # The inspection rules might propose more, were the grade known.
    assert "Inadequate at the latest inspection" in [r.description for r in new.undecided]


def test_it_uses_only_inspections_public_by_the_date() -> None:
    world()
    inspection(GOOD, date(2019, 8, 20), 4)  # its report came out after 1 September
    assert label(proposal(GOOD)) == "Light touch"
    assert label(proposal(GOOD, date(2019, 12, 1))) == "Support and challenge+"


def test_it_proposes_support_when_ks2_is_well_below_england_and_falling() -> None:
    world()
    other = open_school(urn=110099, district="Gosport")
    for period, own in (("2016/17", 55.0), ("2017/18", 40.0)):
        KS2ResultFactory.create(
            urn=GOOD, period=period, values={"rwm_expected_pct": own, "pupils": 30.0}, missing={}
        )
        KS2ResultFactory.create(
            urn=other.urn,
            period=period,
            values={"rwm_expected_pct": 80.0, "pupils": 600.0},
            missing={},
        )
    proposed = proposal(GOOD)
    assert label(proposed) == "Support and challenge"
    assert proposed.proposal is not None
    (fired,) = proposed.proposal.deciding
    assert [name for name, _value in fired.inputs] == [
        "ks2_rwm_exp_vs_england",
        "ks2_rwm_exp_trend",
    ]
    assert all(value is not None and value < 0 for _name, value in fired.inputs)


def test_it_counts_every_live_entry_and_the_escalation_for_the_soft_intelligence_rule() -> None:
    world()
    escalate(GOOD, restricted=True)
    proposed = proposal(GOOD)
    assert proposed.inputs.value("soft_intelligence_count") == 3
    assert proposed.inputs.value("concern_escalated") == 1
    assert label(proposed) == "Light touch+"
    assert proposed.reasons()["fired"][0]["soft"] is True
    # The same entries, withdrawn or expired, no longer count.
    assert proposal(GOOD, AS_AT + timedelta(days=800)).inputs.value("concern_escalated") == 0


def test_it_counts_live_entries_when_the_la_has_no_escalation_rule() -> None:
    world()
    SoftIntelligenceEntryFactory.create(urn=RI, observed_on=AS_AT - timedelta(days=10))
    proposed = proposal(RI)
    assert proposed.inputs.value("soft_intelligence_count") == 1
    assert proposed.inputs.value("concern_escalated") == 0


def test_it_leaves_model_risk_unknown_without_a_score_run_and_says_so() -> None:
    world()
    proposed = proposal(GOOD)
    assert proposed.inputs.value("model_probability") is None
    assert proposed.model_note == service.MODEL_NOT_AVAILABLE
    assert "Early-warning" in proposed.reasons()["model"]


def test_it_reads_model_risk_from_a_score_run_when_given_one() -> None:
    world()
    scores = [Score(GOOD, 0.8, 1, ())] + [
        Score(900000 + n, 0.1, n + 2, ()) for n in range(19)
    ]  # 20 schools scored: rank 1 is the top 5%
    proposed = proposal(GOOD, scores=scores, scored_as_at=AS_AT)
    assert proposed.inputs.value("model_rank_percentile") == 5.0
    assert proposed.inputs.value("model_probability") == 0.8
    assert label(proposed) == "Support and challenge"
    assert proposed.model_note == "Early-warning model risk from the score run as at 1 Sep 2019."


# --- Model risk from stored score runs ----------------------------------------------


def test_it_reads_the_newest_stored_run_dated_on_or_before_the_date() -> None:
    world()
    store_scores(date(2018, 8, 31), {RI: 1}, schools=20)
    newest = store_scores(date(2019, 8, 31), {GOOD: 1}, schools=20)
    store_scores(date(2019, 9, 2), {INADEQUATE: 1}, schools=20)  # after the date
    model = service.stored_model_run(AS_AT)
    assert model is not None and (model.run, model.as_at) == (newest.pk, date(2019, 8, 31))
    proposed = proposal(GOOD, model=model)
    assert proposed.inputs.value("model_rank_percentile") == 5.0
    assert label(proposed) == "Support and challenge"
    assert proposed.model_note == "Early-warning model risk from the score run as at 31 Aug 2019."
    reasons = proposed.reasons()
    assert reasons["score_run"] == newest.pk
    fired = [f["description"] for f in reasons["fired"]]
    assert fired == ["Early-warning risk in the top 10%", "Early-warning risk in the top 20%"]


def test_it_uses_no_run_dated_after_the_date() -> None:
    world()
    store_scores(date(2019, 9, 2), {GOOD: 1}, schools=20)
    assert service.stored_model_run(AS_AT) is None
    proposed = proposal(GOOD, model=service.stored_model_run(AS_AT))
    assert proposed.model_note == service.MODEL_NOT_AVAILABLE
    assert label(proposed) == "Light touch"


def test_the_rank_percentile_is_over_every_school_the_run_ranked() -> None:
    world()
    store_scores(date(2019, 8, 31), {GOOD: 30}, schools=200)
    model = service.stored_model_run(AS_AT, [GOOD])
    assert model is not None and len(model.scores) == 1 and model.schools == 200
    proposed = proposal(GOOD, model=model)
    assert proposed.inputs.value("model_rank_percentile") == 15.0  # not 30 / 1
    assert label(proposed) == "Light touch+"  # the top 20%, not the top 10%


def test_a_school_the_run_did_not_score_has_model_risk_not_known() -> None:
    world()
    store_scores(date(2019, 8, 31), {GOOD: 1}, schools=20)
    proposed = proposal(NEW, model=service.stored_model_run(AS_AT))
    assert proposed.inputs.value("model_probability") is None
    assert "model_rank_percentile" in proposed.reasons()["unknown"]
    assert label(proposed) == "Light touch"


def test_it_uses_the_framework_in_force_on_the_date() -> None:
    frameworks = world()
    spec = service.spec_of(frameworks[CategoryTrack.MAINTAINED])
    renamed = [
        service.CategorySpec(c.order, f"Band {c.order}", c.visits_per_year, False)
        for c in spec.categories
    ]
    new_version("Bands", date(2019, 1, 1), categories=renamed)
    assert label(proposal(RI, date(2018, 12, 31))) == "Support and challenge"
    assert label(proposal(RI, date(2019, 1, 1))) == "Band 3"
