"""An assignment of requests to candidate arcs, whichever solver produced it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .candidates import I64, Problem

UNMATCHED = -1


@dataclass(frozen=True)
class Solution:
    """``arc_of[i]`` is request ``i``'s chosen candidate arc, or :data:`UNMATCHED`.

    ``lower_bound`` is a cost no assignment can beat (the split-allowed flow optimum, or the
    cost itself when an exact solver proved it); ``proven_optimal`` says the cost reaches it.
    """

    problem: Problem
    arc_of: I64
    method: str
    lower_bound: int
    proven_optimal: bool
    split_requests: int = 0

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


def used_days(problem: Problem, arc_of: I64) -> I64:
    """Days taken from each provider by the matched requests."""
    arcs = arc_of[arc_of != UNMATCHED]
    return np.bincount(
        problem.prov[arcs],
        weights=problem.days[problem.req[arcs]],
        minlength=len(problem.providers),
    ).astype(np.int64)


def urgency_order(problem: Problem) -> I64:
    """Requests most urgent first, schools in a concern category next, then by id."""
    return problem.order
