"""The greedy baseline: most urgent request first, each to its cheapest provider with room."""

from __future__ import annotations

import numpy as np

from .candidates import I64, Problem
from .solution import UNMATCHED, Solution, total_cost, urgency_order


def fill(problem: Problem, order: I64, residual: I64, arc_of: I64) -> None:
    """Give each request in ``order`` its cheapest candidate with enough days left.

    Updates ``residual`` (days left per provider) and ``arc_of`` in place; requests with no
    candidate that has room stay unmatched.
    """
    if order.size == 0:
        return
    start, stop = problem.start[order], problem.start[order + 1]
    counts = stop - start
    ends = np.cumsum(counts).tolist()
    first = np.repeat(np.cumsum(counts) - counts - start, counts)
    arcs = np.arange(int(counts.sum()), dtype=np.int64) - first
    prov = problem.prov[arcs].tolist()
    arc_list = arcs.tolist()
    days = problem.days[order].tolist()
    left = residual.tolist()
    begin = 0
    for k, i in enumerate(order.tolist()):
        need, end = days[k], ends[k]
        for j in range(begin, end):
            p = prov[j]
            if left[p] >= need:
                left[p] -= need
                arc_of[i] = arc_list[j]
                break
        begin = end
    residual[:] = left


def greedy(problem: Problem) -> Solution:
    """Requests in urgency order, each to its cheapest candidate with capacity left."""
    arc_of = np.full(len(problem.requests), UNMATCHED, dtype=np.int64)
    fill(problem, urgency_order(problem), problem.capacity.copy(), arc_of)
    return Solution(
        problem=problem,
        arc_of=arc_of,
        method="greedy",
        lower_bound=total_cost(problem, arc_of),
        proven_optimal=False,
    )
