"""Brokerage matching: support requests to providers, optimally, with explanations.

    result = match(requests, providers, Settings(independence="strict"))

Stages (each usable on its own, e.g. by the benchmark):

1. :func:`build_problem` prunes each request to its cheapest fitting providers with a
   place in its intensity band and costs every candidate arc (numpy, a grid over the
   coordinates).
2. :func:`solve_flow` solves it exactly by OR-Tools min-cost flow: each request takes
   one place in its band at one provider, a transportation problem, so the flow is
   integral and optimal. Bands never meet, so :func:`solve` does both steps band by
   band, one band in a second process when the problem is large.
3. :func:`greedy` is the baseline; :func:`solve_milp` an independent exact MILP for tests.
4. :func:`explain` says why each provider, lists the next best alternatives and why they
   lost, and why any request went unmatched.

See docs/adr/0010-brokerage-matching.md for the model and its decisions.
"""

from __future__ import annotations

from collections.abc import Sequence

from .bands import solve
from .candidates import Problem, build_problem
from .exact import solve_milp
from .explain import explain
from .flow import solve_flow
from .greedy import greedy
from .records import (
    AREAS_OF_NEED,
    BAND_DAYS,
    INTENSITIES,
    PHASES,
    SCALE,
    Alternative,
    CostBreakdown,
    IndependenceRule,
    Intensity,
    Match,
    MatchingResult,
    Places,
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
    solution = solve(requests, providers, settings or Settings())
    return explain(solution, greedy(solution.problem))


__all__ = [
    "AREAS_OF_NEED",
    "BAND_DAYS",
    "INTENSITIES",
    "PHASES",
    "SCALE",
    "UNMATCHED",
    "Alternative",
    "CostBreakdown",
    "IndependenceRule",
    "Intensity",
    "Match",
    "MatchingResult",
    "Places",
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
    "solve",
    "solve_flow",
    "solve_milp",
]
