"""Explanations: why each provider, the next best alternatives, and why requests went unmatched."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .candidates import Problem
from .records import (
    Alternative,
    AlternativeReason,
    CostBreakdown,
    Match,
    MatchingResult,
    Provider,
    Unmatched,
)
from .solution import UNMATCHED, Solution, used_days

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


def _why(problem: Problem, i: int, cost: CostBreakdown, provider: Provider) -> str:
    request = problem.requests[i]
    where = "distance unknown" if cost.km is None else f"{cost.km:.1f} km away"
    covered = sorted(request.areas & provider.expertise)
    rated = (
        f"rated {provider.mean_rating:.1f} over {provider.completed_plans} plans"
        if provider.mean_rating is not None
        else "not yet rated"
    )
    text = (
        f"{provider.designation}, {where}, covers {len(covered)} of {len(request.areas)} "
        f"areas of need ({', '.join(covered)}), {rated}, {provider.price_per_day:g} a day"
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
    context: tuple[list[int], dict[int, list[int]]],
) -> Alternative:
    residual, served = context
    p = int(problem.prov[alt])
    need = int(problem.days[i])
    reason: AlternativeReason
    taken: tuple[int, ...] = ()
    if cost.per_day > chosen.per_day:
        reason, detail = "dearer", _dearer(chosen, cost)
    elif residual[p] < need:
        taken = tuple(sorted(problem.requests[j].id for j in served[p]))
        reason = "full"
        detail = (
            f"{residual[p]} days left of {int(problem.capacity[p])}, {need} needed: "
            "its days went to other requests"
        )
    elif cost.per_day == chosen.per_day:
        reason, detail = "tie", "costs the same; the solver chose the other"
    else:
        reason = "not_moved"
        detail = "cheaper with room left; the result is within its stated gap"
    return Alternative(problem.providers[p].id, cost, reason, detail, taken)


def _no_candidate(problem: Problem, i: int) -> str:
    r = problem.requests[i]
    s = problem.settings
    provs = problem.providers
    phase = [p for p in provs if r.phase in p.phases]
    need = [p for p in phase if r.areas & p.expertise]
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
    if not need:
        return f"no {r.phase} provider offers any of: {', '.join(sorted(r.areas))}"
    if not near:
        return f"no provider with the right phase and expertise within {s.max_km:g} km"
    if not others:
        return "the only providers that fit are based at the school itself"
    return (
        f"the {len(others)} providers that fit are inside the school's own trust or cluster, "
        "and the independence rule is strict"
    )


def _unmatched(problem: Problem, i: int, residual: list[int]) -> Unmatched:
    arcs = problem.candidates_of(i)
    rid = problem.requests[i].id
    if len(arcs) == 0:
        return Unmatched(rid, "no_candidate", _no_candidate(problem, i))
    ids = tuple(problem.providers[int(problem.prov[a])].id for a in arcs)
    left = [residual[int(problem.prov[a])] for a in arcs]
    detail = (
        f"all {len(ids)} providers that fit are full: at most {max(left)} days left, "
        f"{int(problem.days[i])} needed"
    )
    return Unmatched(rid, "capacity", detail, ids)


def explain(solution: Solution, baseline: Solution) -> MatchingResult:
    """Turn a solution into matches with reasons, unmatched requests with reasons, totals."""
    problem = solution.problem
    arc_of = solution.arc_of
    residual = (problem.capacity - used_days(problem, arc_of)).tolist()
    served: dict[int, list[int]] = defaultdict(list)
    for i, arc in enumerate(arc_of.tolist()):
        if arc != UNMATCHED:
            served[int(problem.prov[arc])].append(i)
    matched = [(i, arc) for i, arc in enumerate(arc_of.tolist()) if arc != UNMATCHED]
    nexts = {i: _next_best(problem, i, arc) for i, arc in matched}
    costs = breakdowns(problem, [a for i, arc in matched for a in (arc, *nexts[i])])
    matches = []
    for i, arc in matched:
        cost = costs[arc]
        provider = problem.providers[int(problem.prov[arc])]
        alternatives = tuple(
            _alternative(problem, i, cost, alt, costs[alt], (residual, served)) for alt in nexts[i]
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
        _unmatched(problem, i, residual)
        for i, arc in enumerate(arc_of.tolist())
        if arc == UNMATCHED
    ]
    return MatchingResult(
        matches=tuple(matches),
        unmatched=tuple(unmatched),
        cost=solution.cost,
        match_cost=solution.match_cost,
        lower_bound=solution.lower_bound,
        proven_optimal=solution.proven_optimal,
        method=solution.method,
        arcs=problem.arcs,
        split_requests=solution.split_requests,
        greedy_cost=baseline.cost,
        greedy_matched=baseline.matched,
        settings=problem.settings,
    )
