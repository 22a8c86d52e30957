"""Turning the split flow into whole requests, and improving the result.

Every step keeps each provider within its capacity and never makes the total dearer;
:func:`convenor.analytics.matching.flow.solve_flow` runs them in order.
"""

from __future__ import annotations

import numpy as np

from .candidates import I64, Problem
from .greedy import fill
from .network import arcs_of, days_flow, slot_flow
from .solution import UNMATCHED, total_cost, urgency_order, used_days

REPAIR_ROUNDS = 3
#: Up to this many arcs, the improvement step re-matches every request at once (a few
#: milliseconds at LA scale); above it, only the neighbourhoods of unmatched requests.
GLOBAL_ARCS = 200_000


def repair(problem: Problem, arc_of: I64, split: I64) -> None:
    """Match split requests whole where a provider has room, by smaller flows, then greedily."""
    pending = split
    for _ in range(REPAIR_ROUNDS):
        room = problem.capacity - used_days(problem, arc_of)
        arcs = arcs_of(problem, pending)
        arcs = arcs[room[problem.prov[arcs]] >= problem.days[problem.req[arcs]]]
        if arcs.size == 0:
            break
        flows, _ = days_flow(problem, pending, arcs, room)
        whole = arcs[flows == problem.days[problem.req[arcs]]]
        arc_of[problem.req[whole]] = whole
        pending = pending[arc_of[pending] == UNMATCHED]
    order = urgency_order(problem)
    left = order[np.isin(order, split) & (arc_of[order] == UNMATCHED)]
    fill(problem, left, problem.capacity - used_days(problem, arc_of), arc_of)


def slots_of(problem: Problem, arc_of: I64, group: I64, size: I64) -> I64:
    """Whole-request slots per (provider, request size) for re-matching ``group``.

    Each provider keeps a slot for every request of ``group`` it serves now, plus one more
    of each size (largest first) while its room lasts. The slots' days never exceed the
    provider's capacity, so any use of them keeps within it.
    """
    sizes = np.unique(problem.days)
    m = len(problem.providers)
    outside = arc_of.copy()
    outside[group] = UNMATCHED
    room = problem.capacity - used_days(problem, outside)
    served = group[arc_of[group] != UNMATCHED]
    key = problem.prov[arc_of[served]].astype(np.int64) * sizes.size + size[served]
    slots = np.bincount(key, minlength=m * sizes.size).reshape(m, sizes.size)
    left = room - (slots * sizes).sum(axis=1)
    for c in range(sizes.size - 1, -1, -1):
        extra = left >= sizes[c]
        slots[:, c] += extra
        left -= extra * sizes[c]
    return slots.ravel()


def improve(problem: Problem, arc_of: I64) -> I64:
    """Re-match requests together into slots: every request in a problem of at most
    :data:`GLOBAL_ARCS` arcs, otherwise the unmatched ones and everyone on their candidates.

    The current assignment fits the slots, so the result is never dearer; moves of any
    length between slots of the same size (a request moving out to make room for another)
    are found by one flow.
    """
    has_candidates = np.diff(problem.start) > 0
    unmatched = np.flatnonzero((arc_of == UNMATCHED) & has_candidates)
    if problem.arcs <= GLOBAL_ARCS:
        group = np.flatnonzero(has_candidates)
    elif unmatched.size == 0:
        return arc_of
    else:
        near = np.zeros(len(problem.providers), dtype=np.bool_)
        near[problem.prov[arcs_of(problem, unmatched)]] = True
        matched = np.flatnonzero(arc_of != UNMATCHED)
        group = np.union1d(unmatched, matched[near[problem.prov[arc_of[matched]]]])
    size = np.searchsorted(np.unique(problem.days), problem.days)
    chosen = slot_flow(problem, group, slots_of(problem, arc_of, group, size), size)
    better = arc_of.copy()
    better[group] = UNMATCHED
    better[problem.req[chosen]] = chosen
    order = urgency_order(problem)
    left = order[np.isin(order, group) & (better[order] == UNMATCHED)]
    fill(problem, left, problem.capacity - used_days(problem, better), better)
    return better if total_cost(problem, better) < total_cost(problem, arc_of) else arc_of


def descend(problem: Problem, arc_of: I64) -> None:
    """Move matched requests to cheaper candidates with room, and fill the unmatched.

    Candidates are sorted by cost, so a request's cheaper candidates are the arcs before
    its own. Moves free room for others, so passes repeat until nothing moves.
    """
    order = problem.order
    while True:
        room = problem.capacity - used_days(problem, arc_of)
        matched = arc_of[problem.req] != UNMATCHED
        cheaper = np.flatnonzero(
            matched
            & (np.arange(problem.arcs) < arc_of[problem.req])
            & (room[problem.prov] >= problem.days[problem.req])
        )
        if cheaper.size == 0:
            break
        options: dict[int, list[tuple[int, int]]] = {}
        for arc, r, p in zip(
            cheaper.tolist(),
            problem.req[cheaper].tolist(),
            problem.prov[cheaper].tolist(),
            strict=True,
        ):
            options.setdefault(r, []).append((arc, p))
        left = room.tolist()
        for i in order[np.isin(order, list(options))].tolist():
            need, current = int(problem.days[i]), int(arc_of[i])
            for arc, p in options[i]:
                if left[p] >= need:
                    left[int(problem.prov[current])] += need
                    left[p] -= need
                    arc_of[i] = arc
                    break
    unmatched = order[arc_of[order] == UNMATCHED]
    fill(problem, unmatched, problem.capacity - used_days(problem, arc_of), arc_of)


def eject(problem: Problem, arc_of: I64) -> None:
    """Fit each unmatched request by moving one request out of a full candidate.

    For an unmatched request, a candidate short of ``k`` days can make room by sending
    one of its requests of at least ``k`` days to that request's cheapest other candidate
    with room. The best such move is made when it saves more than it costs. This catches
    what the slots cannot: a request of one size moving out for one of another.
    """
    has_candidates = np.diff(problem.start) > 0
    order = problem.order
    waiting = order[(arc_of[order] == UNMATCHED) & has_candidates[order]]
    if waiting.size == 0:
        return
    room = (problem.capacity - used_days(problem, arc_of)).tolist()
    prov = problem.prov
    days = problem.days.tolist()
    on: dict[int, list[int]] = {}
    for i in np.flatnonzero(arc_of != UNMATCHED).tolist():
        on.setdefault(int(prov[arc_of[i]]), []).append(i)
    for r in waiting.tolist():
        best: tuple[int, int, int, int] | None = None
        for a in problem.candidates_of(r):
            p = int(prov[a])
            gain = problem.unmatched_cost(r) - problem.match_cost(a)
            short = days[r] - room[p]
            for q in on.get(p, []) if short > 0 else []:
                if days[q] < short:
                    continue
                for b in problem.candidates_of(q):
                    there = int(prov[b])
                    if there != p and room[there] >= days[q]:
                        net = gain - problem.match_cost(b) + problem.match_cost(int(arc_of[q]))
                        if net > 0 and (best is None or net > best[0]):
                            best = (net, a, q, b)
                        break
        if best is None:
            continue
        _, a, q, b = best
        p, there = int(prov[a]), int(prov[b])
        on[p].remove(q)
        on.setdefault(there, []).append(q)
        on[p].append(r)
        room[there] -= days[q]
        room[p] += days[q] - days[r]
        arc_of[q], arc_of[r] = b, a
