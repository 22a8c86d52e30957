"""An assignment of requests to candidate arcs, whichever solver produced it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .candidates import Problem
from .pairs import I64

UNMATCHED = -1


@dataclass(frozen=True)
class Solution:
    """``arc_of[i]`` is request ``i``'s chosen candidate arc, or :data:`UNMATCHED`.

    ``method`` names the solver ("min-cost flow", "greedy", "milp").
    """

    problem: Problem
    arc_of: I64
    method: str

    @property
    def matched(self) -> int:
        """How many requests are matched."""
        return int((self.arc_of != UNMATCHED).sum())

    @property
    def match_cost(self) -> int:
        """The cost of the matches alone."""
        return match_cost(self.problem, self.arc_of)

    @property
    def cost(self) -> int:
        """The objective: match costs plus the penalties of unmatched requests."""
        return total_cost(self.problem, self.arc_of)

    def provider_of(self) -> dict[int, int | None]:
        """Request id to provider id (None when unmatched)."""
        p = self.problem
        return {
            r.id: None if a == UNMATCHED else p.providers[int(p.prov[a])].id
            for r, a in zip(p.requests, self.arc_of.tolist(), strict=True)
        }


def match_cost(problem: Problem, arc_of: I64) -> int:
    """Sum of days times cost per day over matched requests."""
    arcs = arc_of[arc_of != UNMATCHED]
    return int((problem.per_day[arcs] * problem.days[problem.req[arcs]]).sum())


def total_cost(problem: Problem, arc_of: I64) -> int:
    """Match costs plus the unmatched penalties."""
    left = arc_of == UNMATCHED
    penalty = int((problem.unmatched_per_day[left] * problem.days[left]).sum())
    return match_cost(problem, arc_of) + penalty


def used_places(problem: Problem, arc_of: I64) -> I64:
    """Places taken from each (provider, band) slot by the matched requests (flat, as
    ``Problem.capacity``)."""
    arcs = arc_of[arc_of != UNMATCHED]
    used: I64 = np.bincount(problem.slot(arcs), minlength=problem.capacity.size).astype(np.int64)
    return used


def check_places(problem: Problem, arc_of: I64) -> None:
    """Raise if any (provider, band) gives more places than it has: a bug, never data."""
    if (used_places(problem, arc_of) > problem.capacity).any():
        raise AssertionError("a provider's places in a band were exceeded")


def urgency_order(problem: Problem) -> I64:
    """Requests most urgent first, schools in a concern category next, then by id."""
    return problem.order
