"""Optimal matching: min-cost flow over places (:mod:`.network`), one network per band.

Each request takes one place in its intensity band at one provider, so matching is a
transportation problem. Its min-cost flow is integral, so the flow's optimum is the
exact optimum of the assignment over the pruned candidates: no repair and no bound.
See docs/adr/0010-brokerage-matching.md.
"""

from __future__ import annotations

import numpy as np

from .candidates import BANDS, Problem
from .network import band_network
from .solution import UNMATCHED, Solution, check_places, total_cost

METHOD = "min-cost flow"


def solve_flow(problem: Problem) -> Solution:
    """Match every request to one candidate (or none) at the least total cost.

    Afterwards it checks that no (provider, band) gives more places than it has and that
    the flow's cost is the assignment's; either failing is a bug, never bad data.
    """
    has_candidate = problem.start[1:] > problem.start[:-1]
    arc_of = np.full(len(problem.requests), UNMATCHED, dtype=np.int64)
    flow_cost = 0
    for band in range(BANDS):
        if (has_candidate & (problem.band == band)).any():
            chosen, cost = band_network(problem, band).solve()
            arc_of[problem.req[chosen]] = chosen
            flow_cost += cost
    check_places(problem, arc_of)
    left_out = ~has_candidate
    outside = int((problem.unmatched_per_day[left_out] * problem.days[left_out]).sum())
    if flow_cost + outside != total_cost(problem, arc_of):
        raise AssertionError("the flow's cost and the assignment's cost disagree")
    return Solution(problem, arc_of, METHOD)
