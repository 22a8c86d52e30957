"""Exact formulations of the same problem: CP-SAT (used by the engine) and a MILP (tests).

Both choose, for each request, one candidate arc or "unmatched", keep each provider's days
within its capacity, and minimise match costs plus unmatched penalties: a generalized
assignment problem over the pruned candidates.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .candidates import I64, Problem
from .solution import UNMATCHED, Solution, total_cost


def _by_provider(problem: Problem) -> dict[int, list[int]]:
    arcs: dict[int, list[int]] = defaultdict(list)
    for arc, p in enumerate(problem.prov.tolist()):
        arcs[p].append(arc)
    return arcs


def solve_cpsat(problem: Problem, hint: I64 | None, deterministic_seconds: float) -> Solution:
    """Solve the whole problem with CP-SAT on one worker (deterministic), from ``hint``.

    ``deterministic_seconds`` is CP-SAT's deterministic time limit, so the same input always
    gives the same answer. When the limit stops the search the best assignment found is
    returned with ``proven_optimal`` false and CP-SAT's bound as ``lower_bound``.
    """
    model = cp_model.CpModel()
    n = len(problem.requests)
    x = [model.new_bool_var(f"x{a}") for a in range(problem.arcs)]
    u = [model.new_bool_var(f"u{i}") for i in range(n)]
    for i in range(n):
        model.add_exactly_one([x[a] for a in problem.candidates_of(i)] + [u[i]])
    days = problem.days.tolist()
    req = problem.req.tolist()
    for p, arcs in _by_provider(problem).items():
        model.add(sum(days[req[a]] * x[a] for a in arcs) <= int(problem.capacity[p]))
    model.minimize(
        sum(problem.match_cost(a) * x[a] for a in range(problem.arcs))
        + sum(problem.unmatched_cost(i) * u[i] for i in range(n))
    )
    if hint is not None:
        for i, arc in enumerate(hint.tolist()):
            model.add_hint(u[i], arc == UNMATCHED)
        chosen = set(hint.tolist())
        for a in range(problem.arcs):
            model.add_hint(x[a], a in chosen)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = deterministic_seconds
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT found no assignment ({solver.status_name(status)})")
    arc_of = np.full(n, UNMATCHED, dtype=np.int64)
    for a in range(problem.arcs):
        if solver.boolean_value(x[a]):
            arc_of[req[a]] = a
    optimal = status == cp_model.OPTIMAL
    cost = total_cost(problem, arc_of)
    bound = cost if optimal else int(np.ceil(solver.best_objective_bound))
    return Solution(problem, arc_of, "exact", bound, optimal)


def solve_milp(problem: Problem, solver_id: str = "SCIP") -> Solution:
    """Solve the same problem as a MILP with SCIP (or CBC): the tests' independent oracle."""
    solver = pywraplp.Solver.CreateSolver(solver_id)
    if solver is None:
        raise RuntimeError(f"no {solver_id} solver in this OR-Tools build")
    n = len(problem.requests)
    x = [solver.BoolVar(f"x{a}") for a in range(problem.arcs)]
    u = [solver.BoolVar(f"u{i}") for i in range(n)]
    for i in range(n):
        solver.Add(sum(x[a] for a in problem.candidates_of(i)) + u[i] == 1)
    days = problem.days.tolist()
    req = problem.req.tolist()
    for p, arcs in _by_provider(problem).items():
        solver.Add(sum(days[req[a]] * x[a] for a in arcs) <= int(problem.capacity[p]))
    solver.Minimize(
        sum(problem.match_cost(a) * x[a] for a in range(problem.arcs))
        + sum(problem.unmatched_cost(i) * u[i] for i in range(n))
    )
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)  # the default 1e-4 is not exact
    if solver.Solve(params) != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("the MILP was not solved to optimality")
    arc_of = np.full(n, UNMATCHED, dtype=np.int64)
    for a in range(problem.arcs):
        if x[a].solution_value() > 0.5:
            arc_of[req[a]] = a
    cost = total_cost(problem, arc_of)
    return Solution(problem, arc_of, "milp", cost, True)
