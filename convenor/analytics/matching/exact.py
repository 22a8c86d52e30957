"""An exact MILP of the same problem, solved with SCIP: the tests' independent oracle.

It chooses, for each request, one candidate arc or "unmatched", keeps each (provider,
band) within its places, and minimises match costs plus unmatched penalties. It shares
nothing with the flow but the pruned candidates, so agreeing with it checks the network.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.linear_solver import pywraplp

from .candidates import Problem
from .solution import UNMATCHED, Solution


def _by_slot(problem: Problem) -> dict[int, list[int]]:
    arcs: dict[int, list[int]] = defaultdict(list)
    for arc, slot in enumerate(problem.slot(np.arange(problem.arcs)).tolist()):
        arcs[slot].append(arc)
    return arcs


def solve_milp(problem: Problem, solver_id: str = "SCIP") -> Solution:
    """Solve the problem as a MILP with SCIP (or CBC) to a zero gap."""
    solver = pywraplp.Solver.CreateSolver(solver_id)
    if solver is None:
        raise RuntimeError(f"no {solver_id} solver in this OR-Tools build")
    n = len(problem.requests)
    x = [solver.BoolVar(f"x{a}") for a in range(problem.arcs)]
    u = [solver.BoolVar(f"u{i}") for i in range(n)]
    for i in range(n):
        solver.Add(sum(x[a] for a in problem.candidates_of(i)) + u[i] == 1)
    for slot, arcs in _by_slot(problem).items():
        solver.Add(sum(x[a] for a in arcs) <= int(problem.capacity[slot]))
    solver.Minimize(
        sum(problem.match_cost(a) * x[a] for a in range(problem.arcs))
        + sum(problem.unmatched_cost(i) * u[i] for i in range(n))
    )
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)  # the default 1e-4 is not exact
    if solver.Solve(params) != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("the MILP was not solved to optimality")
    arc_of = np.full(n, UNMATCHED, dtype=np.int64)
    req = problem.req.tolist()
    for a in range(problem.arcs):
        if x[a].solution_value() > 0.5:
            arc_of[req[a]] = a
    return Solution(problem, arc_of, "milp")
