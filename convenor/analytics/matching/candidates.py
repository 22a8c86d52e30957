"""Candidate pruning: for each request, the cheapest providers that can serve it.

A provider is a candidate for a request when it supports the request's phase, has at least
one of its areas of need, is within ``Settings.max_km`` (straight line, or either end has no
location), is not the school's own provider, and, under the "strict" independence rule,
is not inside the trust or a cluster of a school in a concern category. Of those, the
``Settings.candidates`` cheapest per day are kept.

Everything is vectorised with numpy. Located pairs come from a grid of cells
``max_km`` wide: a request only looks at providers in its own and the eight neighbouring
cells, so the work grows with the number of nearby pairs, not requests times providers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .records import AREAS_OF_NEED, PHASES, SCALE, Provider, Request, Settings

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

_AREA_BIT = tuple((area, 1 << i) for i, area in enumerate(AREAS_OF_NEED))
_PHASE_BIT = tuple((phase, 1 << i) for i, phase in enumerate(PHASES))
_NO_GROUP = -1
_REACH = 2  # grid cells are max_km / _REACH wide


@dataclass(frozen=True)
class Problem:
    """A pruned matching problem: requests and providers in id order, candidates as arrays.

    Candidate arcs are grouped by request and, within a request, ordered by cost per day
    then provider id: request ``i``'s candidates are ``start[i]:start[i + 1]``. Component
    arrays are points per day (before :data:`SCALE`); ``km`` is NaN where unknown.
    ``order`` lists the requests most urgent first, then schools in a concern category,
    then by id: the greedy order.
    """

    requests: tuple[Request, ...]
    providers: tuple[Provider, ...]
    settings: Settings
    days: I64
    capacity: I64
    unmatched_per_day: I64
    req: I32
    prov: I32
    per_day: I64
    km: F64
    distance: F64
    expertise: F64
    track_record: F64
    price: F64
    independence: F64
    start: I64
    order: I64

    @property
    def arcs(self) -> int:
        """Number of candidate arcs (request to provider)."""
        return int(self.req.size)

    def candidates_of(self, i: int) -> range:
        """Positions of request ``i``'s candidate arcs, cheapest first."""
        return range(int(self.start[i]), int(self.start[i + 1]))

    def match_cost(self, arc: int) -> int:
        """Cost of serving the arc's request whole from the arc's provider."""
        return int(self.per_day[arc] * self.days[self.req[arc]])

    def unmatched_cost(self, i: int) -> int:
        """Cost of leaving request ``i`` unmatched."""
        return int(self.unmatched_per_day[i] * self.days[i])


@functools.lru_cache(maxsize=4096)
def _mask(values: frozenset[str], bits: tuple[tuple[str, int], ...], what: str) -> int:
    """The bit mask of ``values`` (an area or phase set); ``bits`` maps each name to its bit."""
    known = dict(bits)
    unknown = values - known.keys()
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(sorted(unknown))}")
    out = 0
    for value in values:
        out |= known[value]
    return out


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _groups(sets: Sequence[frozenset[int]]) -> I64:
    width = max([len(s) for s in sets] + [1])
    out = np.full((len(sets), width), _NO_GROUP, dtype=np.int64)
    for i, s in enumerate(sets):
        out[i, : len(s)] = sorted(s)
    return out


def _locations(points: Sequence[tuple[float, float] | None]) -> tuple[F64, Mask]:
    nowhere = (np.nan, np.nan)
    xy = np.array([nowhere if p is None else p for p in points], dtype=np.float64)
    xy = xy.reshape(len(points), 2)
    located = ~np.isnan(xy[:, 0])
    return np.nan_to_num(xy), located


def _validate(requests: Sequence[Request], providers: Sequence[Provider], s: Settings) -> None:
    weights = (s.distance_weight, s.expertise_weight, s.track_record_weight, s.price_weight)
    if min(*weights, s.independence_penalty, s.unmatched_points) < 0 or s.max_km <= 0:
        raise ValueError("weights and penalties must be >= 0 and max_km > 0")
    if s.candidates < 1 or s.price_reference <= 0 or s.unknown_km < 0:
        raise ValueError("candidates >= 1, price_reference > 0 and unknown distance >= 0")
    request_ids = [r.id for r in requests]
    provider_ids = [p.id for p in providers]
    for ids, what in ((request_ids, "request"), (provider_ids, "provider")):
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate {what} ids")
    for r in requests:
        if r.days <= 0 or not r.areas or r.urgency < 0:
            raise ValueError(f"request {r.id} needs days > 0, an area of need and urgency >= 0")
    for p in providers:
        if p.capacity_days < 0 or p.price_per_day < 0:
            raise ValueError(f"provider {p.id} has negative capacity or price")


def _grid_pairs(rxy: F64, r_idx: I64, pxy: F64, p_idx: I64, cell: float) -> tuple[I32, I32]:
    """All (request, provider) pairs within two grid cells of each other."""
    if r_idx.size == 0 or p_idx.size == 0:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty
    pc = np.floor(pxy[p_idx] / cell).astype(np.int64)
    rc = np.floor(rxy[r_idx] / cell).astype(np.int64)
    low = np.minimum(pc.min(axis=0), rc.min(axis=0)) - _REACH
    pc -= low
    rc -= low
    height = int(max(pc[:, 1].max(), rc[:, 1].max())) + _REACH + 1
    pkey = pc[:, 0] * height + pc[:, 1]
    order = np.argsort(pkey, kind="stable")
    skey = pkey[order]
    steps = range(-_REACH, _REACH + 1)
    offsets = np.array([dx * height + dy for dx in steps for dy in steps])
    keys = (rc[:, 0] * height + rc[:, 1])[:, None] + offsets[None, :]
    lo = np.searchsorted(skey, keys, side="left").ravel()
    counts = np.searchsorted(skey, keys, side="right").ravel() - lo
    # 32-bit indices halve the memory traffic over millions of pairs.
    owner = np.repeat(np.repeat(r_idx.astype(np.int32), offsets.size), counts)
    first = (np.cumsum(counts) - counts - lo).astype(np.int32)
    pos = np.arange(int(counts.sum()), dtype=np.int32) - np.repeat(first, counts)
    return owner, p_idx[order].astype(np.int32)[pos]


def _all_pairs(r_idx: I64, p_idx: I64) -> tuple[I32, I32]:
    r32, p32 = r_idx.astype(np.int32), p_idx.astype(np.int32)
    return np.repeat(r32, p_idx.size), np.tile(p32, r_idx.size)


def _fitting_pairs(
    reqs: tuple[Request, ...], provs: tuple[Provider, ...], max_km: float
) -> tuple[I32, I32, F64, I64]:
    """Pairs that fit phase, at least one area of need and distance; km NaN if unknown.

    Located pairs are found per phase on a grid of cells half of ``max_km`` wide, so each
    request looks only at providers of its phase in the 5 x 5 cells around its own.
    Also returns how many of each pair's areas of need the provider covers.
    """
    r_need = np.array([_mask(r.areas, _AREA_BIT, "area of need") for r in reqs], np.int64)
    r_phase = np.array([_mask(frozenset({r.phase}), _PHASE_BIT, "phase") for r in reqs], np.int64)
    p_exp = np.array([_mask(p.expertise, _AREA_BIT, "expertise") for p in provs], np.int64)
    p_phase = np.array([_mask(p.phases, _PHASE_BIT, "phase") for p in provs], np.int64)
    rxy, r_loc = _locations([r.location for r in reqs])
    pxy, p_loc = _locations([p.location for p in provs])
    r_need, p_exp = r_need.astype(np.int16), p_exp.astype(np.int16)
    rx, ry = rxy[:, 0].copy(), rxy[:, 1].copy()
    px, py = pxy[:, 0].copy(), pxy[:, 1].copy()
    limit = (max_km * 1000.0) ** 2
    parts = []
    for bit in np.unique(r_phase).tolist():
        r_all = np.flatnonzero(r_phase == bit)
        p_all = np.flatnonzero((p_phase & bit) != 0)
        r_here, p_here = r_all[r_loc[r_all]], p_all[p_loc[p_all]]
        for located, (ri, pi) in (
            (True, _grid_pairs(rxy, r_here, pxy, p_here, max_km * 1000.0 / _REACH)),
            (False, _all_pairs(r_here, p_all[~p_loc[p_all]])),
            (False, _all_pairs(r_all[~r_loc[r_all]], p_all)),
        ):
            covered = np.bitwise_count(r_need[ri] & p_exp[pi])
            keep = covered > 0
            ri, pi, covered = ri[keep], pi[keep], covered[keep]
            if located:
                d2 = np.square(rx[ri] - px[pi]) + np.square(ry[ri] - py[pi])
                keep = d2 <= limit
                ri, pi, covered = ri[keep], pi[keep], covered[keep]
                km = np.sqrt(d2[keep]) / 1000.0
            else:
                km = np.full(ri.size, np.nan)
            parts.append((ri, pi, km, covered.astype(np.int64)))
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]),
    )


def build_problem(
    requests: Sequence[Request], providers: Sequence[Provider], settings: Settings
) -> Problem:
    """Prune to each request's cheapest fitting providers and cost every candidate arc."""
    _validate(requests, providers, settings)
    reqs = tuple(sorted(requests, key=lambda r: r.id))
    provs = tuple(sorted(providers, key=lambda p: p.id))
    s = settings
    days = np.array([r.days for r in reqs], dtype=np.int64)
    capacity = np.array([p.capacity_days for p in provs], dtype=np.int64)
    weight = np.array([(1 + r.urgency) * (2 if r.in_concern else 1) for r in reqs], np.int64)
    unmatched_total = np.rint(s.unmatched_points * SCALE).astype(np.int64) * weight
    unmatched_per_day = -(-unmatched_total // np.maximum(days, 1))  # ceiling division

    ri32, pi32, km, covered = _fitting_pairs(reqs, provs, s.max_km)
    ri, pi = ri32.astype(np.int64), pi32.astype(np.int64)
    r_urn = np.array([r.urn for r in reqs], dtype=np.int64)
    p_home = np.array([_NO_GROUP if p.home_urn is None else p.home_urn for p in provs], np.int64)
    keep = r_urn[ri] != p_home[pi]
    conflict = _conflicts(reqs, provs, ri, pi)
    if s.independence == "strict":
        keep &= ~conflict
    ri, pi, km, covered, conflict = ri[keep], pi[keep], km[keep], covered[keep], conflict[keep]

    need_count = np.array([len(r.areas) for r in reqs], dtype=np.float64)[ri]
    prior = s.prior_plans * s.rating_prior
    shrunk = np.array(
        [
            (p.completed_plans * _or(p.mean_rating, s.rating_prior) + prior)
            / max(p.completed_plans + s.prior_plans, 1e-9)
            for p in provs
        ],
        dtype=np.float64,
    )
    price = np.array([p.price_per_day for p in provs], dtype=np.float64)
    distance = s.distance_weight * np.where(np.isnan(km), s.unknown_km, km) / s.max_km
    expertise = s.expertise_weight * (1.0 - covered / need_count)
    track = s.track_record_weight * (5.0 - np.clip(shrunk, 1.0, 5.0)) / 4.0
    track_arc = track[pi]
    price_arc = s.price_weight * price[pi] / s.price_reference
    penalty = np.where(conflict & (s.independence == "penalised"), s.independence_penalty, 0.0)
    per_day = np.rint((distance + expertise + track_arc + price_arc + penalty) * SCALE)
    per_day = per_day.astype(np.int64)

    order, ri = _cheapest(ri, pi, per_day, s.candidates)
    counts = np.bincount(ri, minlength=len(reqs))
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Problem(
        requests=reqs,
        providers=provs,
        settings=s,
        days=days,
        capacity=capacity,
        unmatched_per_day=unmatched_per_day.astype(np.int64),
        req=ri.astype(np.int32),
        prov=pi[order].astype(np.int32),
        per_day=per_day[order],
        km=km[order],
        distance=distance[order],
        expertise=expertise[order],
        track_record=track_arc[order],
        price=price_arc[order],
        independence=penalty[order],
        start=start,
        order=np.lexsort(
            (
                np.arange(len(reqs)),
                np.array([not r.in_concern for r in reqs]),
                np.array([-r.urgency for r in reqs]),
            )
        ).astype(np.int64),
    )


def _conflicts(reqs: tuple[Request, ...], provs: tuple[Provider, ...], ri: I64, pi: I64) -> Mask:
    """Arcs where a school in a concern category would be supported from its own group."""
    concern = np.array([r.in_concern for r in reqs], dtype=np.bool_)
    out = np.zeros(ri.size, dtype=np.bool_)
    sel = np.flatnonzero(concern[ri])
    if sel.size == 0:
        return out
    r_trust = np.array([_NO_GROUP if r.trust_uid is None else r.trust_uid for r in reqs])
    p_trust = np.array([_NO_GROUP if p.trust_uid is None else p.trust_uid for p in provs])
    a, b = ri[sel], pi[sel]
    hit = (r_trust[a] == p_trust[b]) & (r_trust[a] != _NO_GROUP)
    rc = _groups([r.cluster_ids for r in reqs])[a]
    pc = _groups([p.cluster_ids for p in provs])[b]
    same = (rc[:, :, None] == pc[:, None, :]) & (rc[:, :, None] != _NO_GROUP)
    hit |= same.any(axis=(1, 2))
    out[sel] = hit
    return out


def _cheapest(ri: I64, pi: I64, per_day: I64, k: int) -> tuple[I64, I64]:
    """Order arcs by (request, cost, provider) and keep the first ``k`` of each request."""
    if ri.size == 0:
        return np.zeros(0, dtype=np.int64), ri
    bits = [int(x.max()).bit_length() for x in (ri, per_day, pi)]
    if sum(bits) <= 62:
        key = (ri << (bits[1] + bits[2])) | (per_day << bits[2]) | pi
        order = np.argsort(key)  # keys are unique, so any sort gives the same order
    else:
        order = np.lexsort((pi, per_day, ri))
    sri = ri[order]
    counts = np.bincount(sri)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    keep = (np.arange(sri.size) - first) < k
    return order[keep], sri[keep]
