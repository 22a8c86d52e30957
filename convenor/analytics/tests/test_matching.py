"""Brokerage matching on small, named examples around Winchester (synthetic schools)."""

from __future__ import annotations

import pytest

from convenor.analytics.matching import (
    Provider,
    Request,
    Settings,
    build_problem,
    match,
    solve_milp,
)

# British National Grid, metres: a line of places east of Winchester, 1 km apart.
ORIGIN = (448_000.0, 129_000.0)


def at(km_east: float) -> tuple[float, float]:
    return (ORIGIN[0] + km_east * 1000, ORIGIN[1])


def school(
    id: int,
    name_urn: int,
    km: float | None,
    *,
    days: int = 10,
    urgency: int = 0,
    phase: str = "primary",
    areas: frozenset[str] = frozenset({"mathematics"}),
    trust: int | None = None,
    clusters: frozenset[int] = frozenset(),
    concern: bool = False,
) -> Request:
    return Request(
        id=id,
        urn=name_urn,
        phase=phase,
        areas=areas,
        intensity="medium",
        days=days,
        urgency=urgency,
        location=None if km is None else at(km),
        trust_uid=trust,
        cluster_ids=clusters,
        in_concern=concern,
    )


def provider(
    id: int,
    km: float | None,
    *,
    capacity: int = 20,
    trust: int | None = None,
    clusters: frozenset[int] = frozenset(),
    home: int | None = None,
    rating: float | None = 4.0,
    plans: int = 5,
    expertise: frozenset[str] = frozenset({"mathematics", "leadership_and_governance"}),
) -> Provider:
    return Provider(
        id=id,
        designation="LLE",
        expertise=expertise,
        phases=frozenset({"primary"}),
        capacity_days=capacity,
        location=None if km is None else at(km),
        trust_uid=trust,
        cluster_ids=clusters,
        home_urn=home,
        mean_rating=rating,
        completed_plans=plans,
        price_per_day=450.0,
    )


WESTGATE = 116_001  # Westgate Primary (synthetic): in a concern category, in trust 7
KINGS_WORTHY = 116_002  # Kings Worthy Primary (synthetic)
OAKLEY = 116_003  # Oakley Junior (synthetic)


def _by_request(result):
    return {m.request_id: m for m in result.matches}


def test_it_matches_a_school_to_the_nearest_fitting_provider():
    result = match([school(1, KINGS_WORTHY, 0)], [provider(10, 30), provider(11, 3)])
    (m,) = result.matches
    assert m.provider_id == 11
    assert m.cost.km == 3.0
    assert "3.0 km away" in m.why and "covers 1 of 1 areas" in m.why
    (alt,) = m.alternatives
    assert alt.provider_id == 10 and alt.reason == "dearer"
    assert "further" in alt.detail
    assert result.proven_optimal and result.cost == m.cost.total


def test_it_never_supports_a_concern_school_from_inside_its_own_trust_when_strict():
    westgate = school(1, WESTGATE, 0, trust=7, concern=True)
    own_trust, outside = provider(10, 2, trust=7), provider(11, 35)
    result = match([westgate], [own_trust, outside], Settings(independence="strict"))
    assert _by_request(result)[1].provider_id == 11
    assert all(a.provider_id != 10 for a in result.matches[0].alternatives)


def test_it_penalises_a_match_inside_the_trust_when_penalised():
    westgate = school(1, WESTGATE, 0, trust=7, concern=True)
    own_trust, outside = provider(10, 2, trust=7), provider(11, 35)
    heavy = match([westgate], [own_trust, outside], Settings(independence="penalised"))
    assert heavy.matches[0].provider_id == 11
    assert heavy.matches[0].alternatives[0].cost.independence == 20.0
    light = Settings(independence="penalised", independence_penalty=5.0)
    (m,) = match([westgate], [own_trust, outside], light).matches
    assert m.provider_id == 10 and m.cost.independence == 5.0
    assert "inside the school's own trust or cluster" in m.why


def test_the_independence_rule_only_binds_schools_in_a_concern_category():
    settled = school(1, WESTGATE, 0, trust=7, clusters=frozenset({3}), concern=False)
    same_cluster = provider(10, 2, clusters=frozenset({3}))
    (m,) = match([settled], [same_cluster, provider(11, 35)]).matches
    assert m.provider_id == 10 and m.cost.independence == 0
    concern = school(1, WESTGATE, 0, clusters=frozenset({3}), concern=True)
    assert match([concern], [same_cluster, provider(11, 35)]).matches[0].provider_id == 11


def test_it_gives_a_contested_provider_to_the_school_where_it_saves_most():
    # Oakley is urgent and between both providers; Kings Worthy is routine and only near P.
    oakley = school(1, OAKLEY, 2, urgency=2)
    kings_worthy = school(2, KINGS_WORTHY, -1, urgency=0)
    p, q = provider(10, 0, capacity=10), provider(11, 7, capacity=10)
    result = match([oakley, kings_worthy], [p, q])
    chosen = _by_request(result)
    assert chosen[1].provider_id == 11 and chosen[2].provider_id == 10
    assert result.cost < result.greedy_cost  # greedy gives P to the urgent school first
    (alt,) = chosen[1].alternatives
    assert alt.provider_id == 10 and alt.reason == "full" and alt.taken_by == (2,)
    assert "0 days left of 10" in alt.detail


def test_it_leaves_a_request_unmatched_when_no_provider_covers_its_phase():
    secondary = school(1, OAKLEY, 0, phase="secondary")
    result = match([secondary], [provider(10, 1)])
    (u,) = result.unmatched
    assert u.reason == "no_candidate" and "secondary" in u.detail
    assert result.matches == ()


def test_it_says_the_fitting_providers_were_full():
    urgent, routine = school(1, OAKLEY, 0, urgency=2), school(2, KINGS_WORTHY, 0)
    result = match([urgent, routine], [provider(10, 1, capacity=10)])
    assert result.matches[0].request_id == 1
    (u,) = result.unmatched
    assert u.request_id == 2 and u.reason == "capacity" and u.candidates == (10,)
    assert "0 days left" in u.detail


def test_it_never_matches_a_provider_to_its_own_school():
    result = match([school(1, OAKLEY, 0)], [provider(10, 0, home=OAKLEY)])
    (u,) = result.unmatched
    assert u.reason == "no_candidate" and "based at the school itself" in u.detail


def test_it_says_when_only_the_schools_own_group_could_help():
    westgate = school(1, WESTGATE, 0, trust=7, concern=True)
    result = match([westgate], [provider(10, 2, trust=7)])
    (u,) = result.unmatched
    assert u.reason == "no_candidate" and "own trust or cluster" in u.detail


def test_it_keeps_requests_whole_when_the_flow_would_split_one():
    # 30 days of requests and 30 days of capacity, but no two 10-day requests fit in 15.
    # A 5-day secondary request (no provider fits it) makes the flow count in 5-day units.
    requests = [school(i, 116_000 + i, i, urgency=2 if i < 3 else 0) for i in (1, 2, 3)]
    requests.append(school(4, 116_004, 0, days=5, phase="secondary"))
    providers = [provider(10, 0, capacity=15), provider(11, 4, capacity=15)]
    result = match(requests, providers)
    assert sorted(m.request_id for m in result.matches) == [1, 2]
    assert [u.request_id for u in result.unmatched] == [3, 4]
    assert result.split_requests >= 1
    assert result.method == "flow+exact" and result.proven_optimal
    used: dict[int, int] = {}
    for m in result.matches:
        used[m.provider_id] = used.get(m.provider_id, 0) + m.days
    assert all(days <= 15 for days in used.values())

    repaired = match(requests, providers, Settings(exact_arc_limit=0))
    assert repaired.method == "flow+repair" and not repaired.proven_optimal
    assert repaired.lower_bound < repaired.cost  # the flow's bound counts a split request
    milp = solve_milp(build_problem(requests, providers, Settings()))
    assert repaired.cost == result.cost == milp.cost


def test_the_flow_counts_in_the_days_every_request_is_a_multiple_of():
    # With only 10-day requests a 15-day provider can take one: nothing splits.
    requests = [school(i, 116_000 + i, i) for i in (1, 2, 3)]
    providers = [provider(10, 0, capacity=15), provider(11, 4, capacity=15)]
    result = match(requests, providers)
    assert result.split_requests == 0 and result.method == "flow"
    assert result.proven_optimal and len(result.matches) == 2


def test_it_prefers_the_better_track_record_all_else_equal():
    proven = provider(10, 5, rating=4.8, plans=12)
    untried = provider(11, 5, rating=None, plans=0)
    (m,) = match([school(1, OAKLEY, 0)], [untried, proven]).matches
    assert m.provider_id == 10
    assert m.alternatives[0].cost.track_record > m.cost.track_record


def test_a_provider_without_a_location_counts_as_at_the_distance_limit():
    anywhere = provider(10, None)
    (m,) = match([school(1, OAKLEY, 0)], [anywhere], Settings(max_km=40)).matches
    assert m.cost.km is None and m.cost.distance == 10.0
    assert "distance unknown" in m.why


def test_it_rejects_an_area_of_need_outside_the_controlled_list():
    odd = school(1, OAKLEY, 0, areas=frozenset({"astrology"}))
    with pytest.raises(ValueError, match="astrology"):
        match([odd], [provider(10, 0)])


def test_it_rejects_duplicate_request_ids():
    with pytest.raises(ValueError, match="duplicate request ids"):
        match([school(1, OAKLEY, 0), school(1, KINGS_WORTHY, 0)], [provider(10, 0)])
