"""Brokerage matching speed and quality: pruning and min-cost flow, against greedy.

    python benchmarks/matching.py --scale la|national [--json] [--repeat N] [--seed 1]

Synthetic instances from a fixed seed (nothing is read from disk). "la" is 500 requests
and 150 providers over a 60 km square around Winchester. "national" is 20,000 requests
and 5,000 providers inside a rough outline of England, half spread evenly and half
around fourteen cities. Each request asks for its 50 cheapest candidates (1M arcs
nationally); ``arcs`` is how many survive pruning. What is drawn, and how, is in
:func:`synthetic`.

``seconds`` is pruning + graph building + the min-cost flow as the engine runs them
(:func:`solve`: nationally one band in a second process), the median of ``--repeat``
runs (the machine is shared, so take the median). ``prune_seconds`` and ``flow_seconds``
time the two steps alone, one after another in this process. ``peak_mb`` is the
process's peak resident memory (getrusage), which includes OR-Tools' C++ allocations
that tracemalloc cannot see; ``child_peak_mb`` is the same for the second process. The
table's ratios are to the greedy matcher on the same pruned candidates in the same
process. At LA scale the problem is also solved once as a MILP with SCIP, an independent
check that the flow's result is the optimum.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convenor.analytics.matching import (  # noqa: E402
    AREAS_OF_NEED,
    BAND_DAYS,
    INTENSITIES,
    Places,
    Provider,
    Request,
    Settings,
    build_problem,
    explain,
    greedy,
    solve,
    solve_flow,
    solve_milp,
)
from convenor.analytics.matching.bands import PARALLEL_REQUESTS  # noqa: E402
from convenor.analytics.matching.network import band_network  # noqa: E402

SCALES = {"la": (500, 150), "national": (20_000, 5_000)}
#: Places a provider offers in a term, 2 to 8 drawn evenly (5 on average): 1.25 places
#: per request nationally (5,000 providers, 20,000 requests), 1.5 in the LA (150, 500).
PLACES = (2, 8)
#: Which bands a provider offers and how its places split between them. Most offer all
#: three; the rest only some. Overall about 20% high, 39% medium, 41% low, as demand.
OFFERS = [
    (0.60, (0.20, 0.40, 0.40)),  # every band
    (0.15, (0.50, 0.50, 0.00)),  # high and medium only (intensive work)
    (0.15, (0.00, 0.50, 0.50)),  # medium and low only
    (0.10, (0.00, 0.00, 1.00)),  # low only (light-touch)
]

# British National Grid (metres): a rough outline of England (clockwise from Berwick), and
# cities to cluster around.
ENGLAND = [
    (400_000, 655_000), (435_000, 570_000), (455_000, 525_000), (490_000, 510_000),
    (525_000, 470_000), (540_000, 410_000), (560_000, 365_000), (620_000, 342_000),
    (655_000, 295_000), (625_000, 230_000), (590_000, 185_000), (640_000, 170_000),
    (632_000, 140_000), (608_000, 117_000), (530_000, 103_000), (485_000, 93_000),
    (450_000, 75_000), (368_000, 78_000), (335_000, 92_000), (282_000, 37_000),
    (170_000, 12_000), (134_000, 25_000), (180_000, 60_000), (222_000, 125_000),
    (297_000, 146_000), (350_000, 180_000), (355_000, 195_000), (330_000, 260_000),
    (335_000, 300_000), (340_000, 365_000), (325_000, 390_000), (330_000, 410_000),
    (330_000, 435_000), (340_000, 470_000), (300_000, 480_000), (296_000, 512_000),
    (300_000, 535_000), (330_000, 565_000), (360_000, 580_000), (370_000, 600_000),
]  # fmt: skip
CITIES = [
    (530_000, 180_000, 4.0),  # London
    (407_000, 287_000, 1.5),  # Birmingham
    (384_000, 398_000, 1.5),  # Manchester
    (430_000, 433_000, 1.0),  # Leeds
    (335_000, 390_000, 1.0),  # Liverpool
    (425_000, 564_000, 1.0),  # Newcastle
    (359_000, 173_000, 1.0),  # Bristol
    (435_000, 387_000, 1.0),  # Sheffield
    (457_000, 340_000, 0.7),  # Nottingham
    (458_000, 304_000, 0.7),  # Leicester
    (442_000, 112_000, 0.7),  # Southampton
    (248_000, 55_000, 0.5),  # Plymouth
    (623_000, 308_000, 0.5),  # Norwich
    (509_000, 429_000, 0.5),  # Hull
]
WINCHESTER = (448_000.0, 129_000.0)
SPREAD = 0.5  # share of points spread evenly over England; the rest around cities
AREA_WEIGHTS = np.array([4, 4, 3, 2, 1, 2, 1, 1, 1, 2, 2, 1], dtype=float)
DESIGNATIONS = [("NLE", 600), ("LLE", 450), ("SLE", 350), ("LA adviser", 500), ("trust", 550)]


def _in_england(xy: np.ndarray) -> np.ndarray:
    """Even-odd ray casting against the outline."""
    inside = np.zeros(len(xy), dtype=bool)
    x, y = xy[:, 0], xy[:, 1]
    for (x1, y1), (x2, y2) in zip(ENGLAND, ENGLAND[1:] + ENGLAND[:1], strict=True):
        crosses = (y1 > y) != (y2 > y)
        at = x1 + (y - y1) * (x2 - x1) / ((y2 - y1) or 1)
        inside ^= crosses & (x < at)
    return inside


def _points(rng: np.random.Generator, n: int, scale: str) -> np.ndarray:
    if scale == "la":
        return np.array(WINCHESTER) + rng.uniform(-30_000, 30_000, size=(n, 2))
    xs, ys = [p[0] for p in ENGLAND], [p[1] for p in ENGLAND]
    weights = np.array([c[2] for c in CITIES])
    centres = np.array([(c[0], c[1]) for c in CITIES], dtype=float)
    out = np.zeros((0, 2))
    while len(out) < n:
        spread = np.column_stack(
            [rng.uniform(min(xs), max(xs), n), rng.uniform(min(ys), max(ys), n)]
        )
        city = rng.choice(len(CITIES), size=n, p=weights / weights.sum())
        clustered = centres[city] + rng.normal(0, 20_000, size=(n, 2))
        batch = np.where((rng.random(n) < SPREAD)[:, None], spread, clustered)
        out = np.concatenate([out, batch[_in_england(batch)]])
    return out[:n]


def _areas(rng: np.random.Generator, k: int) -> frozenset[str]:
    weights = AREA_WEIGHTS / AREA_WEIGHTS.sum()
    picked = rng.choice(len(AREAS_OF_NEED), size=k, replace=False, p=weights)
    return frozenset(AREAS_OF_NEED[int(j)] for j in picked)


def _places(rng: np.random.Generator) -> Places:
    total = int(rng.integers(PLACES[0], PLACES[1] + 1))
    offer = OFFERS[int(rng.choice(len(OFFERS), p=[o[0] for o in OFFERS]))][1]
    high, medium, low = (int(k) for k in rng.multinomial(total, offer))
    return Places(high=high, medium=medium, low=low)


def synthetic(scale: str, seed: int = 1) -> tuple[list[Request], list[Provider]]:
    """Requests and providers for a scale.

    Requests: 75% primary, 18% secondary, 4% special, 3% all-through; one to three areas
    of need (leadership, curriculum and achievement most often); intensity high 20%,
    medium 40%, low 40% with the default days (12 / 6 / 3); urgency routine 60%, soon 30%,
    urgent 10%; 30% in a concern category; 40% in a trust. Providers: primary 50%,
    secondary 20%, both 25%, special and primary 5%; three to six areas of expertise;
    2 to 8 places a term (1.25 per request nationally, 1.5 in the LA), split between the
    bands it offers (:data:`OFFERS`: 60% offer all three, the rest two or one); 30%
    unrated; prices by designation. Clusters are 10 km grid cells, so nearby providers are
    often inside a school's own cluster.
    """
    n_req, n_prov = SCALES[scale]
    rng = np.random.default_rng(seed)
    trusts = 40 if scale == "la" else 1_500

    def cluster(x: float, y: float) -> frozenset[int]:
        return frozenset({int(x // 10_000) * 1_000 + int(y // 10_000)})

    def trust() -> int | None:
        return int(rng.integers(trusts)) + 1 if rng.random() < 0.4 else None

    requests = []
    phases = ["primary", "secondary", "special", "all_through"]
    for i, (x, y) in enumerate(_points(rng, n_req, scale).tolist()):
        band = INTENSITIES[int(rng.choice(3, p=[0.2, 0.4, 0.4]))]
        requests.append(
            Request(
                id=i + 1,
                urn=100_000 + i,
                phase=str(rng.choice(phases, p=[0.75, 0.18, 0.04, 0.03])),
                areas=_areas(rng, int(rng.integers(1, 4))),
                intensity=band,
                days=BAND_DAYS[band],
                urgency=int(rng.choice(3, p=[0.6, 0.3, 0.1])),
                location=(x, y),
                trust_uid=trust(),
                cluster_ids=cluster(x, y),
                in_concern=bool(rng.random() < 0.3),
            )
        )
    offers = [
        frozenset({"primary"}),
        frozenset({"secondary"}),
        frozenset({"primary", "secondary", "all_through"}),
        frozenset({"special", "primary"}),
    ]
    providers = []
    for j, (x, y) in enumerate(_points(rng, n_prov, scale).tolist()):
        designation, price = DESIGNATIONS[int(rng.integers(len(DESIGNATIONS)))]
        rated = rng.random() >= 0.3
        providers.append(
            Provider(
                id=j + 1,
                designation=designation,
                expertise=_areas(rng, int(rng.integers(3, 7))),
                phases=offers[int(rng.choice(4, p=[0.5, 0.2, 0.25, 0.05]))],
                places=_places(rng),
                location=(x, y),
                trust_uid=trust(),
                cluster_ids=cluster(x, y),
                home_urn=500_000 + j,
                mean_rating=float(np.clip(rng.normal(4.0, 0.6), 1, 5)) if rated else None,
                completed_plans=int(rng.integers(1, 21)) if rated else 0,
                price_per_day=float(price + rng.integers(-50, 51)),
            )
        )
    return requests, providers


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run(scale: str, repeat: int, seed: int) -> dict[str, Any]:
    """Time pruning + flow ``repeat`` times, then each step alone, greedy and explanations."""
    requests, providers = synthetic(scale, seed)
    settings = Settings()
    times, costs = [], set()
    for _ in range(repeat):
        start = time.perf_counter()
        solution = solve(requests, providers, settings)
        times.append(time.perf_counter() - start)
        costs.add(solution.cost)
    # The steps one after another in this process, to show where the time goes.
    prune_times, flow_times = [], []
    for _ in range(min(repeat, 3)):
        start = time.perf_counter()
        problem = build_problem(requests, providers, settings)
        pruned = time.perf_counter()
        serial = solve_flow(problem)
        flow_times.append(time.perf_counter() - pruned)
        prune_times.append(pruned - start)
        costs.add(serial.cost)
    if len(costs) != 1:
        raise SystemExit(f"not deterministic: costs {sorted(costs)}")
    if not np.array_equal(serial.arc_of, solution.arc_of):
        raise SystemExit("the band-parallel solution differs from the serial one")
    band_seconds = []
    for band in range(len(INTENSITIES)):
        start = time.perf_counter()
        band_network(problem, band).solve()
        band_seconds.append(time.perf_counter() - start)
    start = time.perf_counter()
    baseline = greedy(problem)
    greedy_seconds = time.perf_counter() - start
    start = time.perf_counter()
    result = explain(solution, baseline)
    explain_seconds = time.perf_counter() - start
    per_request = np.diff(problem.start)
    places = {band: sum(p.places.of(band) for p in providers) for band in INTENSITIES}
    demand = {band: sum(r.intensity == band for r in requests) for band in INTENSITIES}
    exact: dict[str, Any] = {}
    if scale == "la":
        # An independent optimum (a MILP solved by SCIP) to check the flow's against.
        start = time.perf_counter()
        optimum = solve_milp(problem)
        exact = {
            "milp_seconds": round(time.perf_counter() - start, 3),
            "milp_cost": optimum.cost,
            "milp_agrees": optimum.cost == solution.cost,
        }
    return {
        "seconds": round(statistics.median(times), 4),
        "arcs": problem.arcs,
        "cost": solution.cost,
        "greedy_cost": baseline.cost,
        "peak_mb": round(_peak_mb(), 1),
        "child_peak_mb": round(_peak_mb(resource.RUSAGE_CHILDREN), 1),
        "requests": len(requests),
        "providers": len(providers),
        "arcs_asked": len(requests) * settings.candidates,
        "full_candidates": int((per_request == settings.candidates).sum()),
        "with_candidates": int((per_request > 0).sum()),
        "places": places,
        "demand": demand,
        "prune_seconds": round(statistics.median(prune_times), 4),
        "flow_seconds": round(statistics.median(flow_times), 4),
        "band_flow_seconds": [round(t, 4) for t in band_seconds],
        "parallel": len(requests) >= PARALLEL_REQUESTS,
        "greedy_seconds": round(greedy_seconds, 4),
        "explain_seconds": round(explain_seconds, 4),
        "matched": solution.matched,
        "greedy_matched": baseline.matched,
        "match_cost": solution.match_cost,
        "greedy_match_cost": baseline.match_cost,
        "unmatched_capacity": sum(u.reason == "capacity" for u in result.unmatched),
        "method": result.method,
        "runs": [round(t, 3) for t in times],
        **exact,
    }


def _table(r: dict[str, Any]) -> str:
    base = max(r["greedy_seconds"], 1e-9)
    gap = (r["greedy_cost"] - r["cost"]) / r["cost"] if r["cost"] else 0.0
    two = ", a band in a second process" if r["parallel"] else ""
    rows = [
        ("pruning (candidates and costs), alone", r["prune_seconds"]),
        ("graph + min-cost flow + checks, alone", r["flow_seconds"]),
        ("pruning + graph + flow" + two, r["seconds"]),
        ("greedy on the same candidates (baseline)", r["greedy_seconds"]),
        ("explanations for every request", r["explain_seconds"]),
    ]
    places = ", ".join(f"{b} {r['places'][b]:,} for {r['demand'][b]:,}" for b in INTENSITIES)
    lines = [
        f"{r['requests']:,} requests x {r['providers']:,} providers; places by band: {places}",
        f"{r['arcs']:,} arcs of {r['arcs_asked']:,} asked for; {r['full_candidates']:,} "
        f"requests keep the full 50 (median of {len(r['runs'])}: {r['runs']})",
        f"{'step':<48} {'seconds':>8} {'ratio':>7}",
    ]
    lines += [f"{name:<48} {sec:>8.3f} {sec / base:>6.1f}x" for name, sec in rows]
    lines += [
        f"cost {r['cost']:,} (matched {r['matched']:,} of {r['with_candidates']:,} with a "
        f"candidate; {r['unmatched_capacity']} left out for want of places; {r['method']})",
        f"greedy {r['greedy_cost']:,} (matched {r['greedy_matched']:,}): "
        f"{gap:.2%} dearer than the optimum above",
        f"match cost alone: {r['match_cost']:,} against greedy's {r['greedy_match_cost']:,}",
        f"peak memory {r['peak_mb']:.0f} MB"
        + (f" (the second process's: {r['child_peak_mb']:.0f} MB)" if r["parallel"] else ""),
    ]
    if "milp_cost" in r:
        agree = "agrees" if r["milp_agrees"] else "DISAGREES"
        lines.append(
            f"MILP optimum (SCIP) {r['milp_cost']:,} in {r['milp_seconds']:.1f} s: "
            f"the flow's result {agree}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="la")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run(args.scale, max(args.repeat, 1), args.seed)
    print(json.dumps(result) if args.json else _table(result))


if __name__ == "__main__":
    main()
