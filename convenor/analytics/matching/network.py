"""The two networks the engine solves with OR-Tools' min-cost flow.

- :func:`days_flow`: requests' days over candidate providers, split allowed. Each request
  node supplies its days and sends them to its candidates (arc capacity: its days; cost:
  the candidate's cost per day) or along an "unmatched" arc straight to the sink (cost:
  its penalty per day), so the flow is always feasible; each provider passes at most its
  capacity to the sink.
- :func:`slot_flow`: one unit per request into (provider, request size) slots; integral,
  so every request is whole, and the slots keep providers within capacity.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .candidates import I64, Problem


def min_cost_flow_of(
    tails: I64, heads: I64, capacities: I64, costs: I64, supplies: I64
) -> tuple[I64, int]:
    """Solve one network with OR-Tools; returns the flow on each arc and the total cost."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities, costs
    )
    smcf.set_nodes_supplies(np.arange(supplies.size, dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    flows: I64 = smcf.flows(np.arange(tails.size, dtype=np.int32))
    return flows, int(smcf.optimal_cost())


def days_flow(problem: Problem, requests: I64, arcs: I64, room: I64) -> tuple[I64, int]:
    """Each request's days over its candidate ``arcs`` within ``room``, split allowed.

    Over every request and arc this is stage 1, whose optimum bounds any real assignment.
    Returns the days on each of ``arcs`` and the optimal cost, which includes the
    penalties of days sent to "unmatched".

    The unit of flow is the greatest common divisor of the requests' days (3 with the
    default bands): every use of a provider is a multiple of it, so its capacity counts
    in whole units, rounded down. The answer is the same; the bound is tighter and fewer
    requests split, as the flow can no longer fill the odd days no request could use.
    """
    n, m = len(problem.requests), len(problem.providers)
    sink = n + m
    unit = int(np.gcd.reduce(problem.days)) if problem.days.size else 1
    units = problem.days // unit
    req = problem.req[arcs].astype(np.int64)
    flows, cost = min_cost_flow_of(
        tails=np.concatenate([req, requests, np.arange(n, sink)]),
        heads=np.concatenate(
            [problem.prov[arcs].astype(np.int64) + n, np.full(requests.size + m, sink)]
        ),
        capacities=np.concatenate([units[req], units[requests], room // unit]),
        costs=np.concatenate(
            [
                problem.per_day[arcs] * unit,
                problem.unmatched_per_day[requests] * unit,
                np.zeros(m, np.int64),
            ]
        ),
        supplies=supplies_of(units, requests, sink),
    )
    on_arcs: I64 = flows[: arcs.size] * unit
    return on_arcs, cost


def supplies_of(units: I64, requests: I64, sink: int) -> I64:
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[requests] = units[requests]
    supplies[sink] = -int(units[requests].sum())
    return supplies


def arcs_of(problem: Problem, requests: I64) -> I64:
    """All candidate arcs of ``requests``."""
    start = problem.start[requests]
    counts = problem.start[requests + 1] - start
    first = np.cumsum(counts) - counts
    arcs: I64 = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(first, counts)
    return arcs + np.repeat(start, counts)


def slot_flow(problem: Problem, requests: I64, slots: I64, size: I64) -> I64:
    """Re-match ``requests`` one unit each into (provider, size) slots; returns chosen arcs."""
    n, m = len(problem.requests), len(problem.providers)
    n_sizes = slots.size // max(m, 1)
    arcs = arcs_of(problem, requests)
    slot = problem.prov[arcs].astype(np.int64) * n_sizes + size[problem.req[arcs]]
    arcs, slot = arcs[slots[slot] > 0], slot[slots[slot] > 0]
    open_slots = np.flatnonzero(slots)
    sink = n + slots.size
    req = problem.req[arcs].astype(np.int64)
    days = problem.days
    flows, _ = min_cost_flow_of(
        tails=np.concatenate([req, requests, n + open_slots]),
        heads=np.concatenate([n + slot, np.full(requests.size + open_slots.size, sink)]),
        capacities=np.concatenate(
            [np.ones(arcs.size + requests.size, np.int64), slots[open_slots]]
        ),
        costs=np.concatenate(
            [
                problem.per_day[arcs] * days[req],
                problem.unmatched_per_day[requests] * days[requests],
                np.zeros(open_slots.size, np.int64),
            ]
        ),
        supplies=supplies_of(np.ones(n, np.int64), requests, sink),
    )
    chosen: I64 = arcs[flows[: arcs.size] == 1]
    return chosen
