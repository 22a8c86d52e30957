"""Optimal matching by min-cost flow over days, then whole requests.

1. **Bound.** :func:`~.network.days_flow` sends every request's days to its candidates
   at least cost. Flows are integral but a request's days may be split between providers,
   so this is the relaxation of "each request from one provider": its optimum is a lower
   bound on any real assignment, and most requests come out whole. If none is split, the
   flow is the optimum and nothing else runs.
2. **Repair** (:mod:`.repair`). Whole requests are kept and the split ones matched again
   where a provider has room for all their days, then greedily. The greedy assignment is
   a second starting point (the better is kept), so the result is never dearer than
   greedy. Then, until nothing improves: moves to cheaper candidates with room; one flow
   re-matching requests into slots of their size (chains of moves that make room);
   and, for a request still unmatched, moving one request out of a full candidate.
3. **Exact.** When the result is above the bound and the problem has at most
   ``Settings.exact_arc_limit`` arcs, CP-SAT solves the whole problem from it.

See docs/adr/0010-brokerage-matching.md.
"""

from __future__ import annotations

import numpy as np

from .candidates import Problem
from .exact import solve_cpsat
from .greedy import greedy
from .network import days_flow
from .repair import GLOBAL_ARCS, descend, eject, improve, repair
from .solution import UNMATCHED, Solution, total_cost, used_days

#: Rounds of improvement: two when every request takes part (LA scale gains 0.2%), one
#: above :data:`~.repair.GLOBAL_ARCS` (nationally a second gained 0.005% for 0.25 s).
IMPROVE_ROUNDS = 2


def solve_flow(problem: Problem) -> Solution:
    """Match every request to one candidate (or none) at least cost; see the module doc."""
    n = len(problem.requests)
    arc_of = np.full(n, UNMATCHED, dtype=np.int64)
    no_candidates = np.flatnonzero(np.diff(problem.start) == 0)
    everyone = np.setdiff1d(np.arange(n, dtype=np.int64), no_candidates)
    all_arcs = np.arange(problem.arcs, dtype=np.int64)
    flows, bound = days_flow(problem, everyone, all_arcs, problem.capacity)
    bound += sum(problem.unmatched_cost(int(i)) for i in no_candidates)
    whole = np.flatnonzero(flows == problem.days[problem.req])
    arc_of[problem.req[whole]] = whole
    touched = np.bincount(problem.req, weights=flows > 0, minlength=n)
    split = np.flatnonzero((arc_of == UNMATCHED) & (touched > 0))
    if split.size:
        repair(problem, arc_of, split)
        # The repair can be led astray by which of several equally cheap splits the flow
        # picked; the greedy assignment is a second starting point, and the better is kept.
        baseline = greedy(problem).arc_of
        if total_cost(problem, baseline) < total_cost(problem, arc_of):
            arc_of = baseline
        for _ in range(IMPROVE_ROUNDS if problem.arcs <= GLOBAL_ARCS else 1):
            descend(problem, arc_of)
            improved = improve(problem, arc_of)
            if improved is arc_of:
                break
            arc_of = improved
        eject(problem, arc_of)
    cost = total_cost(problem, arc_of)
    method = "flow" if split.size == 0 else "flow+repair"
    result = Solution(problem, arc_of, method, bound, cost == bound, int(split.size))
    if cost > bound and problem.arcs <= problem.settings.exact_arc_limit:
        exact = solve_cpsat(problem, arc_of, problem.settings.exact_time_limit)
        if exact.cost <= cost:
            result = Solution(
                problem,
                exact.arc_of,
                "flow+exact",
                max(bound, exact.lower_bound),
                exact.proven_optimal,
                int(split.size),
            )
    if (used_days(problem, result.arc_of) > problem.capacity).any():
        raise AssertionError("a provider's capacity was exceeded")  # a bug, never data
    return result
