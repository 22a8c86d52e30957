"""The transportation network the engine solves with OR-Tools' min-cost flow.

Nodes: one per request, one per (provider, band) slot, and a sink. Each request with a
candidate supplies one unit and sends it either to a slot of its band (one arc per
candidate, capacity 1, cost its days times the candidate's cost per day) or straight to
the sink along an "unmatched" arc (capacity 1, cost its penalty), so the flow is always
feasible. Each slot passes at most its places to the sink. Every capacity and supply is an
integer, so the optimal flow is integral: each request goes whole to one provider or to
"unmatched", and the flow's optimum is the assignment's exact optimum.

A request reaches only slots of its own band, so the network falls apart into one
independent network per band, and the optimum is the three optima side by side.
:func:`band_network` builds one (numpy only, no loop over arcs); solving them apart is a
little faster than solving them together. Its costs are divided by their greatest common
divisor (at least the band's days when every request has its band's default days): the
same optimum, with fewer of OR-Tools' cost-scaling rounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from .candidates import BANDS, Problem
from .pairs import I32, I64


@dataclass(frozen=True)
class Network:
    """One band's network, ready for OR-Tools; ``arcs`` are the candidate arcs it covers.

    Nodes are the band's requests that have a candidate (``0..requests - 1``), then one
    per provider (the band's slot of that provider), then the sink.
    """

    band: int
    unit: int
    arcs: I64
    tails: I32
    heads: I32
    capacities: I64
    costs: I64
    supplies: I64

    @property
    def size(self) -> int:
        """Arcs in the network (the measure of its work)."""
        return int(self.tails.size)

    def solve(self) -> tuple[I64, int]:
        """The candidate arcs the optimum uses, and its cost (penalties included).

        Raises RuntimeError unless OR-Tools reports an optimum (the network is always
        feasible, so anything else is a failure, not an answer).
        """
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(
            self.tails, self.heads, self.capacities, self.costs
        )
        smcf.set_nodes_supplies(np.arange(self.supplies.size, dtype=np.int32), self.supplies)
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            raise RuntimeError(f"min-cost flow did not reach an optimum: {status}")
        flows: npt.NDArray[np.int64] = smcf.flows(np.arange(self.arcs.size, dtype=np.int32))
        chosen: I64 = self.arcs[flows == 1]
        return chosen, int(smcf.optimal_cost()) * self.unit


def band_network(problem: Problem, band: int) -> Network:
    """The network of the requests in ``band`` (see the module docstring)."""
    m = len(problem.providers)
    arcs = np.flatnonzero(problem.band[problem.req] == band)
    requests = np.flatnonzero((problem.band == band) & (problem.start[1:] > problem.start[:-1]))
    count = requests.size
    sink = count + m
    places = problem.capacity[band::BANDS]
    open_slots = np.flatnonzero(places > 0)
    local = np.searchsorted(requests, problem.req[arcs])  # request index -> node
    tails = np.concatenate([local, np.arange(count), count + open_slots]).astype(np.int32)
    heads = np.empty(tails.size, dtype=np.int32)
    heads[: arcs.size] = count + problem.prov[arcs]
    heads[arcs.size :] = sink
    capacities = np.ones(tails.size, dtype=np.int64)
    capacities[arcs.size + count :] = places[open_slots]
    costs = np.zeros(tails.size, dtype=np.int64)
    costs[: arcs.size] = problem.per_day[arcs] * problem.days[problem.req[arcs]]
    costs[arcs.size : arcs.size + count] = (
        problem.unmatched_per_day[requests] * problem.days[requests]
    )
    unit = max(int(np.gcd.reduce(costs)), 1)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:count] = 1
    supplies[sink] = -count
    return Network(band, unit, arcs, tails, heads, capacities, costs // unit, supplies)
