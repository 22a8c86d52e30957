"""From brokerage rows to the matching engine and back (convenor.brokerage.matching)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from convenor.analytics import matching as engine
from convenor.analytics.matching.records import Places
from convenor.brokerage import matching as glue
from convenor.brokerage.models import (
    Expertise,
    Match,
    MatchingRun,
    MatchStatus,
    PartnershipKind,
    SupportPhase,
    Urgency,
)
from convenor.brokerage.services import log_visit, rate_support
from convenor.brokerage.tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    SupportProviderFactory,
    SupportRequestFactory,
    approved_match,
    hampshire_school,
    latest_event,
    live_plan,
)
from convenor.brokerage.tests.pages import decide
from convenor.intelligence.models import CategoryTrack
from convenor.schools.tests.factories import GroupFactory, GroupMembershipFactory

pytestmark = pytest.mark.django_db
AS_AT = date(2019, 10, 1)
SETTINGS = engine.Settings()


def test_it_reads_every_brokerage_term_and_phase_as_one_the_engine_knows() -> None:
    assert set(glue.ENGINE_AREA) == set(Expertise.values)
    assert set(glue.ENGINE_AREA.values()) <= set(engine.AREAS_OF_NEED)
    assert set(glue.ENGINE_PHASE) == set(SupportPhase.values)
    assert set(glue.ENGINE_PHASE.values()) <= set(engine.PHASES)
    assert set(glue.URGENCY_LEVEL) == set(Urgency.values)


def test_it_builds_a_request_from_its_school_trust_clusters_and_category() -> None:
    school = hampshire_school(easting=450100, northing=130200, phase="Secondary")
    GroupFactory.create(uid=77)
    GroupMembershipFactory.create(urn=school.urn, group_uid=77)
    cluster = PartnershipFactory.create(kind=PartnershipKind.CLUSTER)
    MembershipFactory.create(partnership=cluster, urn=school.urn)
    board = PartnershipFactory.create(kind=PartnershipKind.AREA_BOARD)
    MembershipFactory.create(partnership=board, urn=school.urn)  # not a cluster: ignored
    decide(school.urn, 3)  # "Support and challenge": brokered
    row = SupportRequestFactory.create(
        urn=school.urn,
        areas=[Expertise.KS4_MATHS, Expertise.GOVERNANCE],
        urgency=Urgency.URGENT,
        days_per_term=Decimal("6.5"),
    )
    inputs = glue.matching_inputs(850, AS_AT, SETTINGS)
    (request,) = inputs.requests
    assert request == engine.Request(
        id=row.pk,
        urn=school.urn,
        phase="secondary",
        areas=frozenset({"mathematics", "leadership_and_governance"}),
        intensity="high",
        days=7,  # 6.5 rounded up: a run never promises a provider's days twice
        urgency=2,
        location=(450100.0, 130200.0),
        trust_uid=77,
        cluster_ids=frozenset({cluster.pk}),
        in_concern=True,
    )
    assert inputs.left_out == ()


def test_it_leaves_out_a_request_whose_school_has_no_phase_it_knows() -> None:
    school = hampshire_school(phase="Not applicable", type_name="Other independent school")
    row = SupportRequestFactory.create(urn=school.urn)
    inputs = glue.matching_inputs(850, AS_AT, SETTINGS)
    assert inputs.requests == ()
    assert [(u.request_id, u.reason) for u in inputs.left_out] == [(row.pk, "no_phase")]


@pytest.mark.parametrize(
    ("order", "track", "concern"),
    [
        (1, CategoryTrack.MAINTAINED, False),
        (2, CategoryTrack.MAINTAINED, False),
        (3, CategoryTrack.MAINTAINED, True),
        (4, CategoryTrack.MAINTAINED, True),
        (1, CategoryTrack.ACADEMY, False),
        (2, CategoryTrack.ACADEMY, True),  # "Cause for concern": the track's worst, not brokered
    ],
)
def test_it_counts_a_brokered_or_the_worst_category_as_concern(
    order: int, track: str, concern: bool
) -> None:
    school = hampshire_school()
    decide(school.urn, order, track=track)
    assert glue.concern_of([school.urn], AS_AT) == {school.urn: concern}


def test_it_ignores_a_category_decided_on_later_evidence() -> None:
    school = hampshire_school()
    decide(school.urn, 4, as_at=date(2019, 12, 1))
    assert glue.concern_of([school.urn], AS_AT) == {}


def test_it_builds_a_provider_with_places_left_ratings_price_and_home_groups() -> None:
    home = hampshire_school()
    GroupFactory.create(uid=88)
    GroupMembershipFactory.create(urn=home.urn, group_uid=88)
    provider = SupportProviderFactory.create(
        home_urn=home.urn,
        places_high=1,
        places_medium=2,
        places_low=1,
        expertise=[Expertise.SEND, Expertise.DISADVANTAGED, Expertise.FINANCE],
        phases=[SupportPhase.PRIMARY, SupportPhase.ALTERNATIVE],
        cost_per_day=Decimal("480"),
    )
    plan = live_plan(provider=provider, request=SupportRequestFactory.create(days_per_term=7.5))
    approved_match(provider=provider, request=SupportRequestFactory.create(intensity="medium"))
    log_visit(plan, actor="test", visited_on=date(2019, 10, 8), days=1)
    rate_support(plan, actor="test", score=4, rated_on=date(2019, 10, 9))
    credits_only = SupportProviderFactory.create(cost_per_day=None, credits_per_day=5)
    free = SupportProviderFactory.create(cost_per_day=None)
    gone = SupportProviderFactory.create(available_to=date(2019, 8, 31))
    records = {p.id: p for p in glue.matching_inputs(850, AS_AT, SETTINGS).providers}
    assert gone.pk not in records
    found = records[provider.pk]
    # The plan's high request holds the high place whatever its days; the approved medium
    # match one of the two medium places.
    assert found.places == Places(high=0, medium=1, low=1)
    assert found.expertise == frozenset({"inclusion_and_send", "finance_and_staffing"})
    assert found.phases == frozenset({"primary", "alternative_provision"})
    assert (found.trust_uid, found.home_urn, found.location) == (88, home.urn, (450000.0, 130000.0))
    assert (found.mean_rating, found.completed_plans, found.price_per_day) == (4.0, 1, 480.0)
    assert records[credits_only.pk].price_per_day == SETTINGS.price_reference
    assert records[free.pk].price_per_day == 0.0


def test_it_stores_a_run_with_explanations_beside_the_greedy_baseline() -> None:
    near = SupportProviderFactory.create(name="Near", places_high=1, places_low=0)
    far = SupportProviderFactory.create(name="Far", easting=470000, northing=140000)
    by_near = hampshire_school(easting=450500, northing=130500)
    by_far = hampshire_school(easting=469500, northing=139500)
    first = SupportRequestFactory.create(urn=by_near.urn, urgency=Urgency.URGENT)
    second = SupportRequestFactory.create(urn=by_far.urn, urgency=Urgency.NEXT_TERM)
    nobody = SupportRequestFactory.create(areas=[Expertise.KS4_SCIENCE])
    run = glue.run_matching(actor="test", la_code=850, as_at=AS_AT)
    assert isinstance(run, MatchingRun)
    proposals = {m.request_id: m for m in Match.objects.filter(run=run)}
    assert {r: m.provider_id for r, m in proposals.items()} == {
        first.pk: near.pk,
        second.pk: far.pk,
    }
    ex = proposals[first.pk].explanation
    assert set(ex["cost"]) >= {"distance", "expertise", "track_record", "price", "per_day"}
    assert ex["covers"] == [Expertise.LEADERSHIP] and ex["lacks"] == []
    assert [a["provider"] for a in ex["alternatives"]] == [far.pk]
    assert proposals[first.pk].cost == ex["cost"]["total"]
    t = run.totals
    assert (t["requests"], t["matched"], t["proposals"]) == (3, 2, 2)
    assert t["objective"] <= t["greedy_cost"] and t["capacity"] == glue.CAPACITY
    assert not {"lower_bound", "proven_optimal", "split_requests"} & set(t)
    assert [(u["request"], u["reason"]) for u in t["unmatched"]] == [(nobody.pk, "no_candidate")]
    assert run.settings["independence"] == "strict"
    assert latest_event("matching_run.stored").detail["totals"]["matched"] == 2


def test_it_never_offers_more_places_than_a_provider_has_left_in_a_band() -> None:
    provider = SupportProviderFactory.create(places_high=1, places_medium=1, places_low=1)
    approved_match(provider=provider)  # holds the high place
    high = SupportRequestFactory.create()
    medium, urgent = (
        SupportRequestFactory.create(intensity="medium", days_per_term=6, urgency=urgency)
        for urgency in (Urgency.NEXT_TERM, Urgency.URGENT)
    )
    low = SupportRequestFactory.create(intensity="low", days_per_term=Decimal("2.5"))
    run = glue.run_matching(actor="test", la_code=850, as_at=AS_AT)
    chosen = set(Match.objects.filter(run=run).values_list("request_id", flat=True))
    # One medium place: the urgent request takes it. No high place is left.
    assert chosen == {urgent.pk, low.pk}
    unmatched = {u["request"]: u["reason"] for u in run.totals["unmatched"]}
    assert set(unmatched) == {high.pk, medium.pk} and unmatched[medium.pk] == "capacity"


def test_places_left_never_go_below_nothing() -> None:
    provider = SupportProviderFactory.build(places_high=1, places_medium=0, places_low=2)
    assert glue.places_of(provider, {"high": 3, "low": 1}) == Places(high=0, medium=0, low=1)
    assert glue.places_of(provider) == Places(high=1, medium=0, low=2)


def test_strict_independence_keeps_a_school_in_concern_from_its_own_cluster() -> None:
    school = hampshire_school()
    home = hampshire_school()
    cluster = PartnershipFactory.create(kind=PartnershipKind.CLUSTER)
    for urn in (school.urn, home.urn):
        MembershipFactory.create(partnership=cluster, urn=urn)
    decide(school.urn, 4)
    inside = SupportProviderFactory.create(home_urn=home.urn)
    outside = SupportProviderFactory.create(easting=470000, northing=140000)
    SupportRequestFactory.create(urn=school.urn)
    strict = glue.run_matching(actor="test", la_code=850, as_at=AS_AT)
    assert Match.objects.get(run=strict).provider_id == outside.pk
    penalised = glue.run_matching(actor="test", la_code=850, as_at=AS_AT, independence="penalised")
    proposal = Match.objects.get(run=penalised)
    alternative = proposal.explanation["alternatives"][0]
    assert alternative["provider"] == inside.pk and alternative["cost"]["independence"] > 0
    assert Match.objects.get(run=strict).status == MatchStatus.SUPERSEDED


def test_it_refuses_an_unknown_independence_rule() -> None:
    with pytest.raises(ValueError, match="independence"):
        glue.run_matching(actor="test", la_code=850, as_at=AS_AT, independence="lenient")
