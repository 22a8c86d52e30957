"""Explanations: why each provider, the next best alternatives, and why requests went unmatched.

The result is an exact optimum, so every alternative that is cheaper than the chosen
provider is full in the request's band, and every request left unmatched with candidates
found them all full (or, with a penalty set below what a match costs, not worth it).
Anything else is a bug and raises.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .candidates import BANDS, Problem
from .records import (
    INTENSITIES,
    SCALE,
    Alternative,
    AlternativeReason,
    CostBreakdown,
    Match,
    MatchingResult,
    Provider,
    Unmatched,
)
from .solution import UNMATCHED, Solution, used_places

ALTERNATIVES = 3

_COMPONENTS = (
    ("distance", "further"),
    ("expertise", "weaker expertise fit"),
    ("track_record", "weaker track record"),
    ("price", "dearer per day"),
    ("independence", "inside the school's own trust or cluster"),
)


def breakdowns(problem: Problem, arcs: list[int]) -> dict[int, CostBreakdown]:
    """The cost components of candidate arcs, rounded for display (vectorised)."""
    index = np.array(arcs, dtype=np.int64)
    km = np.round(problem.km[index], 1)
    parts = [np.round(getattr(problem, name)[index], 2).tolist() for name, _ in _COMPONENTS]
    per_day = problem.per_day[index]
    total = (per_day * problem.days[problem.req[index]]).tolist()
    out = {}
    for k, (arc, d) in enumerate(zip(arcs, km.tolist(), strict=True)):
        out[arc] = CostBreakdown(
            km=None if d != d else d,  # NaN: a location is missing
            distance=parts[0][k],
            expertise=parts[1][k],
            track_record=parts[2][k],
            price=parts[3][k],
            independence=parts[4][k],
            per_day=int(per_day[k]),
            total=total[k],
        )
    return out


def _band(problem: Problem, i: int) -> str:
    return f"{INTENSITIES[int(problem.band[i])]}-intensity"


def _requests(ids: list[int]) -> str:
    return ("request " if len(ids) == 1 else "requests ") + ", ".join(map(str, ids))


def _why(problem: Problem, i: int, cost: CostBreakdown, provider: Provider) -> str:
    request = problem.requests[i]
    places = provider.places.of(request.intensity)
    where = "distance unknown" if cost.km is None else f"{cost.km:.1f} km away"
    covered = sorted(request.areas & provider.expertise)
    rated = (
        f"rated {provider.mean_rating:.1f} over {provider.completed_plans} plans"
        if provider.mean_rating is not None
        else "not yet rated"
    )
    text = (
        f"{provider.designation}, {where}, covers {len(covered)} of {len(request.areas)} "
        f"areas of need ({', '.join(covered)}), {rated}, {provider.price_per_day:g} a day; "
        f"takes one of its {places} {_band(problem, i)} places"
    )
    if cost.independence > 0:
        text += "; inside the school's own trust or cluster (penalised)"
    return text


def _dearer(chosen: CostBreakdown, alt: CostBreakdown) -> str:
    parts = []
    for name, label in _COMPONENTS:
        diff = getattr(alt, name) - getattr(chosen, name)
        if diff > 0.005:
            parts.append(f"{label} (+{diff:.2f})")
    return f"costs {alt.total - chosen.total} more for the request's days: " + ", ".join(
        parts or ["overall"]
    )


@dataclass(frozen=True)
class _Taken:
    """Where the places went, as plain lists (numpy scalars are slow one at a time).

    ``slot[a]`` is the (provider, band) slot of arc ``a``; ``left`` and ``capacity`` are
    per slot; ``holders[slot]`` are the ids of the requests holding its places, in order.
    """

    prov: list[int]
    slot: list[int]
    left: list[int]
    capacity: list[int]
    holders: dict[int, tuple[int, ...]]

    @classmethod
    def of(cls, solution: Solution) -> _Taken:
        problem, arc_of = solution.problem, solution.arc_of
        slot = problem.slot(np.arange(problem.arcs)).tolist()
        served: dict[int, list[int]] = defaultdict(list)
        for r, arc in zip(problem.requests, arc_of.tolist(), strict=True):
            if arc != UNMATCHED:
                served[slot[arc]].append(r.id)  # requests are in id order
        return cls(
            prov=problem.prov.tolist(),
            slot=slot,
            left=(problem.capacity - used_places(problem, arc_of)).tolist(),
            capacity=problem.capacity.tolist(),
            holders={k: tuple(ids) for k, ids in served.items()},
        )


def _next_best(problem: Problem, i: int, arc: int) -> list[int]:
    """The cheapest candidates of request ``i`` other than ``arc``."""
    first = int(problem.start[i])
    near = range(first, min(first + ALTERNATIVES + 1, int(problem.start[i + 1])))
    return [a for a in near if a != arc][:ALTERNATIVES]


def _alternative(
    problem: Problem,
    i: int,
    chosen: CostBreakdown,
    alt: int,
    cost: CostBreakdown,
    taken_places: _Taken,
) -> Alternative:
    slot = taken_places.slot[alt]
    reason: AlternativeReason
    taken: tuple[int, ...] = ()
    if cost.per_day > chosen.per_day:
        reason, detail = "dearer", _dearer(chosen, cost)
    elif taken_places.left[slot] == 0:
        taken = taken_places.holders[slot]
        reason = "full"
        detail = (
            f"no {_band(problem, i)} places left ({len(taken)} of "
            f"{taken_places.capacity[slot]} taken by {_requests(list(taken))})"
        )
    elif cost.per_day == chosen.per_day:
        reason, detail = "tie", "costs the same and has a place left; the solver chose the other"
    else:
        # Moving the request there would cost less: the flow's optimum rules this out.
        raise AssertionError(f"request {problem.requests[i].id} has a cheaper free candidate")
    return Alternative(problem.providers[taken_places.prov[alt]].id, cost, reason, detail, taken)


def _no_candidate(problem: Problem, i: int) -> str:
    """Which filter left request ``i`` with no candidate, in the order they narrow down."""
    r = problem.requests[i]
    s = problem.settings
    phase = [p for p in problem.providers if r.phase in p.phases]
    band = [p for p in phase if p.places.of(r.intensity) > 0]
    need = [p for p in band if r.areas & p.expertise]
    near = [
        p
        for p in need
        if r.location is None
        or p.location is None
        or np.hypot(r.location[0] - p.location[0], r.location[1] - p.location[1]) / 1000 <= s.max_km
    ]
    others = [p for p in near if p.home_urn != r.urn]
    if not phase:
        return f"no provider supports the {r.phase} phase"
    if not band:
        return f"no {r.phase} provider offers {_band(problem, i)} places"
    if not need:
        return (
            f"no {r.phase} provider with {_band(problem, i)} places offers any of: "
            f"{', '.join(sorted(r.areas))}"
        )
    if not near:
        return f"no provider with the right phase, places and expertise within {s.max_km:g} km"
    if not others:
        return "the only providers that fit are based at the school itself"
    return (
        f"the {len(others)} providers that fit are inside the school's own trust or cluster, "
        "and the independence rule is strict"
    )


def _unmatched(problem: Problem, i: int, residual: list[int]) -> Unmatched:
    """Why request ``i`` is unmatched: no candidate, every candidate full, or not worth it."""
    arcs = problem.candidates_of(i)
    rid = problem.requests[i].id
    if len(arcs) == 0:
        return Unmatched(rid, "no_candidate", _no_candidate(problem, i))
    ids = tuple(problem.providers[int(problem.prov[a])].id for a in arcs)
    band = int(problem.band[i])
    slots = [int(problem.prov[a]) * BANDS + band for a in arcs]
    free = [a for a, slot in zip(arcs, slots, strict=True) if residual[slot] > 0]
    if free:
        cheapest = problem.match_cost(free[0])
        if cheapest < problem.unmatched_cost(i):
            raise AssertionError(f"request {rid} left out with a free candidate it could use")
        detail = (
            f"the cheapest provider that fits with a place left would cost {cheapest / SCALE:g} "
            f"points, no less than the {problem.unmatched_cost(i) / SCALE:g} of leaving it "
            "unmatched"
        )
        return Unmatched(rid, "dearer", detail, ids)
    places = sum(int(problem.capacity[slot]) for slot in slots)
    where = "the provider that fits" if len(ids) == 1 else f"any of the {len(ids)} that fit"
    detail = f"no {_band(problem, i)} places left at {where} (all {places} taken)"
    return Unmatched(rid, "capacity", detail, ids)


def explain(solution: Solution, baseline: Solution) -> MatchingResult:
    """Turn a solution into matches with reasons, unmatched requests with reasons, totals.

    ``solution`` must be optimal (the flow's): an alternative cheaper than the chosen
    provider with a place left, or a request left out that a free candidate could serve
    at less than its penalty, raises.
    """
    problem = solution.problem
    arc_of = solution.arc_of
    taken = _Taken.of(solution)
    matched = [(i, arc) for i, arc in enumerate(arc_of.tolist()) if arc != UNMATCHED]
    nexts = {i: _next_best(problem, i, arc) for i, arc in matched}
    costs = breakdowns(problem, [a for i, arc in matched for a in (arc, *nexts[i])])
    matches = []
    for i, arc in matched:
        cost = costs[arc]
        provider = problem.providers[taken.prov[arc]]
        alternatives = tuple(
            _alternative(problem, i, cost, alt, costs[alt], taken) for alt in nexts[i]
        )
        matches.append(
            Match(
                request_id=problem.requests[i].id,
                provider_id=provider.id,
                days=int(problem.days[i]),
                cost=cost,
                why=_why(problem, i, cost, provider),
                alternatives=alternatives,
            )
        )
    unmatched = [
        _unmatched(problem, i, taken.left)
        for i, arc in enumerate(arc_of.tolist())
        if arc == UNMATCHED
    ]
    # Requests are in band order in the problem; people read them by id.
    return MatchingResult(
        matches=tuple(sorted(matches, key=lambda m: m.request_id)),
        unmatched=tuple(sorted(unmatched, key=lambda u: u.request_id)),
        cost=solution.cost,
        match_cost=solution.match_cost,
        method=solution.method,
        arcs=problem.arcs,
        greedy_cost=baseline.cost,
        greedy_matched=baseline.matched,
        settings=problem.settings,
    )
