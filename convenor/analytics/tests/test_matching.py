"""Brokerage matching on small, named examples around Winchester (synthetic schools)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from convenor.analytics.matching import (
    Places,
    Provider,
    Request,
    Settings,
    bands,
    build_problem,
    match,
    solve_flow,
)
from convenor.analytics.matching.records import Intensity

# British National Grid, metres: a line of places east of Winchester, 1 km apart.
ORIGIN = (448_000.0, 129_000.0)


def at(km_east: float) -> tuple[float, float]:
    return (ORIGIN[0] + km_east * 1000, ORIGIN[1])


def school(
    id: int,
    name_urn: int,
    km: float | None,
    *,
    days: int = 6,
    band: Intensity = "medium",
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
        intensity=band,
        days=days,
        urgency=urgency,
        location=None if km is None else at(km),
        trust_uid=trust,
        cluster_ids=clusters,
        in_concern=concern,
    )


TWO_MEDIUM = Places(medium=2)


def provider(
    id: int,
    km: float | None,
    *,
    places: Places = TWO_MEDIUM,
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
        places=places,
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
    assert result.method == "min-cost flow" and result.cost == m.cost.total


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
    p, q = provider(10, 0, places=Places(medium=1)), provider(11, 7, places=Places(medium=1))
    result = match([oakley, kings_worthy], [p, q])
    chosen = _by_request(result)
    assert chosen[1].provider_id == 11 and chosen[2].provider_id == 10
    assert result.cost < result.greedy_cost  # greedy gives P to the urgent school first
    (alt,) = chosen[1].alternatives
    assert alt.provider_id == 10 and alt.reason == "full" and alt.taken_by == (2,)
    assert alt.detail == "no medium-intensity places left (1 of 1 taken by request 2)"


def test_it_leaves_a_request_unmatched_when_no_provider_covers_its_phase():
    secondary = school(1, OAKLEY, 0, phase="secondary")
    result = match([secondary], [provider(10, 1)])
    (u,) = result.unmatched
    assert u.reason == "no_candidate" and "secondary" in u.detail
    assert result.matches == ()


def test_it_says_the_fitting_providers_were_full():
    urgent, routine = school(1, OAKLEY, 0, urgency=2), school(2, KINGS_WORTHY, 0)
    result = match([urgent, routine], [provider(10, 1, places=Places(medium=1, low=3))])
    assert result.matches[0].request_id == 1
    (u,) = result.unmatched
    assert u.request_id == 2 and u.reason == "capacity" and u.candidates == (10,)
    assert u.detail == "no medium-intensity places left at the provider that fits (all 1 taken)"


def test_it_never_matches_a_provider_to_its_own_school():
    result = match([school(1, OAKLEY, 0)], [provider(10, 0, home=OAKLEY)])
    (u,) = result.unmatched
    assert u.reason == "no_candidate" and "based at the school itself" in u.detail


def test_it_says_when_only_the_schools_own_group_could_help():
    westgate = school(1, WESTGATE, 0, trust=7, concern=True)
    result = match([westgate], [provider(10, 2, trust=7)])
    (u,) = result.unmatched
    assert u.reason == "no_candidate" and "own trust or cluster" in u.detail


def test_a_request_takes_one_place_in_its_band_whatever_its_days():
    # Two places for high-intensity support: a 20-day and a 3-day request each take one,
    # and the third high-intensity request is left out, though only 23 days are used.
    requests = [
        school(1, OAKLEY, 0, band="high", days=20, urgency=2),
        school(2, KINGS_WORTHY, 1, band="high", days=3, urgency=1),
        school(3, WESTGATE, 2, band="high", days=3),
    ]
    result = match(requests, [provider(10, 0, places=Places(high=2, medium=5))])
    assert sorted(m.request_id for m in result.matches) == [1, 2]
    assert {m.request_id: m.days for m in result.matches} == {1: 20, 2: 3}
    (u,) = result.unmatched
    assert u.request_id == 3 and u.reason == "capacity"
    assert "no high-intensity places left" in u.detail and "all 2 taken" in u.detail


def test_a_match_still_costs_its_days_times_the_cost_per_day():
    (m,) = match([school(1, OAKLEY, 0, days=9)], [provider(10, 4)]).matches
    assert m.cost.total == 9 * m.cost.per_day


def test_places_in_one_band_never_serve_another():
    low_only = provider(10, 1, places=Places(low=5))
    result = match([school(1, OAKLEY, 0, band="high", days=12)], [low_only])
    (u,) = result.unmatched
    assert u.reason == "no_candidate"
    assert u.detail == "no primary provider offers high-intensity places"


def test_it_takes_the_nearest_provider_with_a_place_in_the_band():
    near_but_medium = provider(10, 1, places=Places(medium=3))
    far_with_high = provider(11, 20, places=Places(high=1))
    (m,) = match(
        [school(1, OAKLEY, 0, band="high", days=12)], [near_but_medium, far_with_high]
    ).matches
    assert m.provider_id == 11 and m.alternatives == ()
    assert "takes one of its 1 high-intensity places" in m.why


def test_it_says_a_tie_when_an_equally_cheap_provider_has_a_place_left():
    (m,) = match([school(1, OAKLEY, 0)], [provider(10, 3), provider(11, 3)]).matches
    assert m.provider_id == 10  # ties go to the lower provider id
    (alt,) = m.alternatives
    assert alt.provider_id == 11 and alt.reason == "tie" and alt.taken_by == ()


def test_it_leaves_a_request_out_when_every_match_costs_more_than_the_penalty():
    lone = school(1, OAKLEY, 0, days=5)
    result = match([lone], [provider(10, 30)], Settings(unmatched_points=1))
    (u,) = result.unmatched
    assert u.reason == "dearer" and u.candidates == (10,)
    assert "would cost 66.55 points, no less than the 1 of leaving it unmatched" in u.detail
    assert result.cost == 100  # 1 point, in hundredths


def test_it_rejects_negative_places():
    with pytest.raises(ValueError, match="provider 10 has negative places"):
        match([school(1, OAKLEY, 0)], [provider(10, 0, places=Places(medium=-1))])


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


def _mixed_bands() -> tuple[list[Request], list[Provider]]:
    """Forty schools of every band around Winchester, and ten providers short of places."""
    bands: tuple[Intensity, ...] = ("high", "medium", "low")
    requests = [
        school(i, 116_000 + i, (i * 7) % 30, band=bands[i % 3], days=(12, 6, 3)[i % 3])
        for i in range(1, 41)
    ]
    providers = [
        provider(100 + j, j * 3, places=Places(high=j % 2, medium=2, low=(j + 1) % 3))
        for j in range(10)
    ]
    return requests, providers


def test_solving_a_band_in_a_second_process_gives_the_same_result(monkeypatch):
    requests, providers = _mixed_bands()
    monkeypatch.setattr(bands, "PARALLEL_REQUESTS", 10**9)
    alone = match(requests, providers)
    monkeypatch.setattr(bands, "PARALLEL_REQUESTS", 1)
    rebuilt: list[object] = []
    monkeypatch.setattr(bands, "_rebuild", _spy(bands._rebuild, rebuilt))
    assert match(requests, providers) == alone
    assert len(rebuilt) == 1  # the child's band came back from the child
    assert alone.unmatched  # places run short, so the bands' optima had work to do


def test_the_joined_problem_is_the_one_built_for_all_requests_at_once():
    requests, providers = _mixed_bands()
    whole = build_problem(requests, providers, Settings())
    parts = [
        solve_flow(build_problem([r for r in requests if r.intensity == b], providers, Settings()))
        for b in ("low", "high", "medium")
    ]
    joined = bands.merge(parts)
    for name in ("req", "prov", "per_day", "start", "order", "days", "band", "distance"):
        assert np.array_equal(getattr(joined.problem, name), getattr(whole, name)), name
    assert np.array_equal(joined.arc_of, solve_flow(whole).arc_of)


def test_a_child_that_dies_has_its_band_solved_here(monkeypatch):
    requests, providers = _mixed_bands()
    expected = match(requests, providers)
    monkeypatch.setattr(bands, "PARALLEL_REQUESTS", 1)
    monkeypatch.setattr(bands, "_solve_and_send", lambda *args: os._exit(3))
    assert match(requests, providers) == expected


def test_a_childs_error_is_raised_here(monkeypatch):
    requests, providers = _mixed_bands()
    monkeypatch.setattr(bands, "PARALLEL_REQUESTS", 1)

    def fail(requests, providers, settings, send):
        send.send(RuntimeError("min-cost flow did not reach an optimum"))
        send.close()

    monkeypatch.setattr(bands, "_solve_and_send", fail)
    with pytest.raises(RuntimeError, match="did not reach an optimum"):
        match(requests, providers)


def _spy(function, calls):
    def spy(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return spy
