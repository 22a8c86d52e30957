"""Brokerage matching: support requests to providers, optimally, with explanations.

    result = match(requests, providers, Settings(independence="strict"))

Stages (each usable on its own, e.g. by the benchmark):

1. :func:`build_problem` prunes each request to its cheapest fitting providers and costs
   every candidate arc (numpy, a grid over the coordinates).
2. :func:`solve_flow` solves it by OR-Tools min-cost flow over days, makes whole the
   requests the flow splits between providers, and solves small problems exactly with
   CP-SAT when a repair was needed.
3. :func:`greedy` is the baseline; :func:`solve_milp` an exact MILP for tests.
4. :func:`explain` says why each provider, lists the next best alternatives and why they
   lost, and why any request went unmatched.

See docs/adr/0010-brokerage-matching.md for the model and its decisions.
"""

from __future__ import annotations

from collections.abc import Sequence

from .candidates import Problem, build_problem
from .exact import solve_cpsat, solve_milp
from .explain import explain
from .flow import solve_flow
from .greedy import greedy
from .records import (
    AREAS_OF_NEED,
    BAND_DAYS,
    PHASES,
    SCALE,
    Alternative,
    CostBreakdown,
    IndependenceRule,
    Intensity,
    Match,
    MatchingResult,
    Provider,
    Request,
    Settings,
    Unmatched,
)
from .solution import UNMATCHED, Solution


def match(
    requests: Sequence[Request], providers: Sequence[Provider], settings: Settings | None = None
) -> MatchingResult:
    """Match every request to at most one provider at least total cost, explained.

    The same input (in any order) always gives the same result. The greedy baseline is run
    on the same candidates and its totals are reported beside the optimum.
    """
    problem = build_problem(requests, providers, settings or Settings())
    return explain(solve_flow(problem), greedy(problem))


__all__ = [
    "AREAS_OF_NEED",
    "BAND_DAYS",
    "PHASES",
    "SCALE",
    "UNMATCHED",
    "Alternative",
    "CostBreakdown",
    "IndependenceRule",
    "Intensity",
    "Match",
    "MatchingResult",
    "Problem",
    "Provider",
    "Request",
    "Settings",
    "Solution",
    "Unmatched",
    "build_problem",
    "explain",
    "greedy",
    "match",
    "solve_cpsat",
    "solve_flow",
    "solve_milp",
]
