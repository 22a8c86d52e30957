"""The greedy baseline: most urgent request first, each to its cheapest candidate with a
place left in its band."""

from __future__ import annotations

import numpy as np

from .candidates import Problem
from .solution import UNMATCHED, Solution, urgency_order


def greedy(problem: Problem) -> Solution:
    """Requests in urgency order, each to its cheapest candidate with a place left in its
    band; a request whose candidates are all full stays unmatched."""
    arc_of = np.full(len(problem.requests), UNMATCHED, dtype=np.int64)
    order = urgency_order(problem).tolist()
    start = problem.start.tolist()
    slot = problem.slot(np.arange(problem.arcs, dtype=np.int64)).tolist()
    left = problem.capacity.tolist()
    chosen = arc_of.tolist()
    for i in order:
        # Candidates are cheapest first, so the first slot with a place left is the one.
        for arc in range(start[i], start[i + 1]):
            if left[slot[arc]] > 0:
                left[slot[arc]] -= 1
                chosen[i] = arc
                break
    return Solution(problem, np.array(chosen, dtype=np.int64), "greedy")
