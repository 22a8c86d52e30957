"""Property tests of brokerage matching on small random instances (issue 5, "Must show")."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from convenor.analytics.matching import (
    BAND_DAYS,
    MatchingResult,
    Places,
    Problem,
    Provider,
    Request,
    Settings,
    bands,
    build_problem,
    match,
    solve_flow,
    solve_milp,
)
from convenor.analytics.matching.records import Intensity

SETTINGS = settings(max_examples=80, deadline=None)
AREAS = ["leadership_and_governance", "mathematics", "inclusion_and_send", "early_years"]
PHASES = ["primary", "secondary"]
BANDS: list[Intensity] = ["high", "medium", "low"]

locations = st.one_of(
    st.none(),
    st.tuples(st.integers(400_000, 460_000), st.integers(100_000, 160_000)).map(
        lambda xy: (float(xy[0]), float(xy[1]))
    ),
)
groups = st.frozensets(st.integers(1, 3), max_size=2)
trusts = st.one_of(st.none(), st.integers(1, 2))


@st.composite
def requests(draw: st.DrawFn, i: int) -> Request:
    band: Intensity = draw(st.sampled_from(BANDS))
    return Request(
        id=i,
        urn=100_000 + i,
        phase=draw(st.sampled_from(PHASES)),
        areas=draw(st.frozensets(st.sampled_from(AREAS), min_size=1, max_size=3)),
        intensity=band,
        days=BAND_DAYS[band],
        urgency=draw(st.integers(0, 2)),
        location=draw(locations),
        trust_uid=draw(trusts),
        cluster_ids=draw(groups),
        in_concern=draw(st.booleans()),
    )


@st.composite
def providers(draw: st.DrawFn, j: int) -> Provider:
    rated = draw(st.booleans())
    return Provider(
        id=j,
        designation=draw(st.sampled_from(["NLE", "LLE", "SLE", "LA adviser"])),
        expertise=draw(st.frozensets(st.sampled_from(AREAS), min_size=1, max_size=4)),
        phases=draw(st.frozensets(st.sampled_from(PHASES), min_size=1)),
        places=Places(
            high=draw(st.integers(0, 2)),
            medium=draw(st.integers(0, 3)),
            low=draw(st.integers(0, 3)),
        ),
        location=draw(locations),
        trust_uid=draw(trusts),
        cluster_ids=draw(groups),
        # Sometimes a provider's home school is one of the requesting schools.
        home_urn=draw(st.one_of(st.none(), st.integers(100_001, 100_010))),
        mean_rating=draw(st.floats(1, 5)) if rated else None,
        completed_plans=draw(st.integers(1, 12)) if rated else 0,
        price_per_day=float(draw(st.integers(0, 900))),
    )


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Request], list[Provider], Settings]:
    n = draw(st.integers(1, 9))
    m = draw(st.integers(1, 5))
    reqs = [draw(requests(i + 1)) for i in range(n)]
    provs = [draw(providers(j + 1)) for j in range(m)]
    config = Settings(
        max_km=draw(st.sampled_from([15.0, 40.0, 90.0])),
        candidates=draw(st.sampled_from([2, 50])),
        independence=draw(st.sampled_from(["strict", "penalised", "off"])),
    )
    return reqs, provs, config


def _km(r: Request, p: Provider) -> float | None:
    if r.location is None or p.location is None:
        return None
    return math.dist(r.location, p.location) / 1000


def _same_group(r: Request, p: Provider) -> bool:
    return (r.trust_uid is not None and r.trust_uid == p.trust_uid) or bool(
        r.cluster_ids & p.cluster_ids
    )


def _check_feasible(reqs: list[Request], provs: list[Provider], s: Settings, res: MatchingResult):
    by_id = {r.id: r for r in reqs}
    prov = {p.id: p for p in provs}
    used: dict[tuple[int, Intensity], int] = defaultdict(int)
    seen = [m.request_id for m in res.matches] + [u.request_id for u in res.unmatched]
    assert sorted(seen) == sorted(by_id)
    for m in res.matches:
        r, p = by_id[m.request_id], prov[m.provider_id]
        used[p.id, r.intensity] += 1
        assert m.days == r.days
        assert r.phase in p.phases and r.areas & p.expertise
        km = _km(r, p)
        assert km is None or km <= s.max_km + 1e-9
        assert p.home_urn != r.urn
        if s.independence == "strict" and r.in_concern:
            assert not _same_group(r, p)
    for (pid, band), taken in used.items():
        assert taken <= prov[pid].places.of(band)


@SETTINGS
@given(instances())
def test_it_never_exceeds_a_providers_places_in_a_band_or_breaks_the_rules(instance):
    reqs, provs, s = instance
    _check_feasible(reqs, provs, s, match(reqs, provs, s))


@SETTINGS
@given(instances())
def test_it_never_supports_a_concern_school_from_its_own_group_when_strict(instance):
    reqs, provs, s = instance
    strict = Settings(max_km=s.max_km, independence="strict")
    res = match(reqs, provs, strict)
    by_id = {r.id: r for r in reqs}
    prov = {p.id: p for p in provs}
    for m in res.matches:
        r = by_id[m.request_id]
        assert not (r.in_concern and _same_group(r, prov[m.provider_id]))
        assert m.cost.independence == 0


@SETTINGS
@given(instances())
def test_it_is_never_worse_than_greedy(instance):
    res = match(*instance)
    assert res.cost <= res.greedy_cost


@SETTINGS
@given(instances())
def test_it_reaches_the_exact_milp_optimum(instance):
    reqs, provs, s = instance
    res = match(reqs, provs, s)
    assert res.cost == solve_milp(build_problem(reqs, provs, s)).cost


def _candidates(problem: Problem) -> dict[int, list[tuple[int, int]]]:
    """Each request id's candidates as (provider id, cost per day), cheapest first."""
    return {
        r.id: [
            (problem.providers[int(problem.prov[a])].id, int(problem.per_day[a]))
            for a in problem.candidates_of(i)
        ]
        for i, r in enumerate(problem.requests)
    }


@SETTINGS
@given(instances())
def test_no_request_could_move_to_a_cheaper_free_place_or_take_one_when_left_out(instance):
    """The checks an exact optimum must pass (and a heuristic often fails): no matched
    request has a cheaper candidate with a place left in its band, and a request left
    out with candidates finds every one of them full in its band."""
    reqs, provs, s = instance
    res = match(reqs, provs, s)
    candidates = _candidates(build_problem(reqs, provs, s))
    band = {r.id: r.intensity for r in reqs}
    places = {p.id: p.places for p in provs}
    used: dict[tuple[int, Intensity], int] = defaultdict(int)
    for m in res.matches:
        used[m.provider_id, band[m.request_id]] += 1

    def free(pid: int, rid: int) -> bool:
        return bool(used[pid, band[rid]] < places[pid].of(band[rid]))

    for m in res.matches:
        cheaper = [pid for pid, cost in candidates[m.request_id] if cost < m.cost.per_day]
        assert not [pid for pid in cheaper if free(pid, m.request_id)]
    for u in res.unmatched:
        assert all(not free(pid, u.request_id) for pid, _ in candidates[u.request_id])
        assert u.reason == ("capacity" if candidates[u.request_id] else "no_candidate")


@SETTINGS
@given(instances())
def test_every_request_is_matched_to_a_candidate_or_unmatched_with_a_reason(instance):
    reqs, provs, s = instance
    res = match(reqs, provs, s)
    problem = build_problem(reqs, provs, s)
    index = {r.id: i for i, r in enumerate(problem.requests)}
    candidates = {
        r.id: [problem.providers[int(problem.prov[a])].id for a in problem.candidates_of(i)]
        for r, i in ((r, index[r.id]) for r in problem.requests)
    }
    band = {r.id: r.intensity for r in reqs}
    places = {p.id: p.places for p in provs}
    holders: dict[tuple[int, str], list[int]] = defaultdict(list)
    for m in res.matches:
        assert m.provider_id in candidates[m.request_id]
        holders[m.provider_id, band[m.request_id]].append(m.request_id)
    for u in res.unmatched:
        assert u.detail
        if u.reason == "no_candidate":
            assert candidates[u.request_id] == []
        else:
            assert u.reason == "capacity"
            assert list(u.candidates) == candidates[u.request_id]
            assert f"{band[u.request_id]}-intensity places" in u.detail
    total = sum(m.cost.total for m in res.matches)
    assert total == res.match_cost
    for m in res.matches:
        for alt in m.alternatives:
            assert alt.provider_id != m.provider_id
            assert alt.provider_id in candidates[m.request_id]
            held = holders[alt.provider_id, band[m.request_id]]
            if alt.reason == "dearer":
                assert alt.cost.per_day > m.cost.per_day
            elif alt.reason == "full":
                assert alt.cost.per_day <= m.cost.per_day
                assert list(alt.taken_by) == sorted(held)
                assert len(held) == places[alt.provider_id].of(band[m.request_id])
            else:
                assert alt.reason == "tie" and alt.cost.per_day == m.cost.per_day
                assert len(held) < places[alt.provider_id].of(band[m.request_id])


@SETTINGS
@given(instances(), st.randoms(use_true_random=False))
def test_it_gives_the_same_result_for_the_same_input_in_any_order(instance, rnd: random.Random):
    reqs, provs, s = instance
    first = match(reqs, provs, s)
    shuffled_reqs, shuffled_provs = list(reqs), list(provs)
    rnd.shuffle(shuffled_reqs)
    rnd.shuffle(shuffled_provs)
    assert match(shuffled_reqs, shuffled_provs, s) == first
    assert match(reqs, provs, s) == first


def _fits(r: Request, p: Provider, s: Settings) -> bool:
    """Whether ``p`` may serve ``r``, checked pair by pair (no grid, no arrays)."""
    if r.location is not None and p.location is not None:
        dx, dy = r.location[0] - p.location[0], r.location[1] - p.location[1]
        if dx * dx + dy * dy > (s.max_km * 1000) ** 2:
            return False
    strict = s.independence == "strict" and r.in_concern and _same_group(r, p)
    return (
        r.phase in p.phases
        and p.places.of(r.intensity) > 0
        and bool(r.areas & p.expertise)
        and p.home_urn != r.urn
        and not strict
    )


@SETTINGS
@given(instances())
def test_pruning_keeps_the_cheapest_of_exactly_the_providers_that_fit(instance):
    reqs, provs, s = instance
    candidates = _candidates(build_problem(reqs, provs, s))
    for r in reqs:
        fitting = {p.id for p in provs if _fits(r, p, s)}
        kept = [pid for pid, _ in candidates[r.id]]
        assert set(kept) <= fitting
        assert len(kept) == min(len(fitting), s.candidates)
        costs = [cost for _, cost in candidates[r.id]]
        assert costs == sorted(costs)


@SETTINGS
@given(instances())
def test_solving_each_band_apart_and_joining_is_solving_them_at_once(instance):
    reqs, provs, s = instance
    whole = solve_flow(build_problem(reqs, provs, s))
    parts = [
        solve_flow(build_problem([r for r in reqs if r.intensity == band], provs, s))
        for band in BANDS
        if any(r.intensity == band for r in reqs)
    ]
    joined = bands.merge(parts)
    assert joined.cost == whole.cost
    assert joined.provider_of() == whole.provider_of()
    assert np.array_equal(joined.problem.per_day, whole.problem.per_day)
