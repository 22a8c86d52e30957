"""Candidate pruning: for each request, the cheapest providers that can serve it.

A provider is a candidate for a request when it has a place in the request's intensity
band, supports the request's phase, has at least one of its areas of need, is within
``Settings.max_km`` (straight line, or either end has no location), is not the school's own
provider, and, under the "strict" independence rule, is not inside the trust or a cluster
of a school in a concern category. Of those, the ``Settings.candidates`` cheapest per day
are kept.

Everything is vectorised with numpy. :mod:`.pairs` finds the pairs that fit band, phase,
area and distance (a grid, so the work grows with nearby pairs, not requests times
providers). Here they lose the school's own provider and, when strict, its own groups;
each is costed per day; and each request keeps its cheapest ``Settings.candidates``. The
ranking sorts one packed integer per pair (request, cost, provider), which is several times
faster than an argsort and needs no permutation: the kept pairs' cost components are then
computed again, by the same function, for those pairs only.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .pairs import F64, I8, I32, I64, Mask, Side, distances, fitting_pairs, locations, mask_of
from .records import AREAS_OF_NEED, INTENSITIES, PHASES, SCALE, Provider, Request, Settings

_AREA_BIT = tuple((area, 1 << i) for i, area in enumerate(AREAS_OF_NEED))
_PHASE_BIT = {phase: 1 << i for i, phase in enumerate(PHASES)}
_NO_GROUP = -1
#: Number of intensity bands: places are counted per (provider, band), at provider * BANDS + band.
BANDS = len(INTENSITIES)
_BAND_INDEX = {band: b for b, band in enumerate(INTENSITIES)}


@dataclass(frozen=True)
class Problem:
    """A pruned matching problem: requests by band then id, providers by id, arcs as arrays.

    Requests of a band never compete with another band's, and ordering them by band first
    makes each band a block of requests and of arcs, so bands built and solved apart join
    by concatenation (:mod:`.bands`). Candidate arcs are grouped by request and, within a
    request, ordered by cost per day then provider id: request ``i``'s candidates are
    ``start[i]:start[i + 1]``. Component arrays are points per day (before :data:`SCALE`);
    ``km`` is NaN where unknown.
    ``band[i]`` is request ``i``'s band (its index in :data:`INTENSITIES`). ``capacity``
    is the places of each (provider, band) "slot", flat: slot ``p * BANDS + b``.
    ``order`` lists the requests most urgent first, then schools in a concern category,
    then by id: the greedy order.
    """

    requests: tuple[Request, ...]
    providers: tuple[Provider, ...]
    settings: Settings
    days: I64
    band: I64
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

    def slot(self, arcs: I64) -> I64:
        """The (provider, band) slot each arc would take a place from."""
        slots: I64 = self.prov[arcs].astype(np.int64) * BANDS + self.band[self.req[arcs]]
        return slots

    def candidates_of(self, i: int) -> range:
        """Positions of request ``i``'s candidate arcs, cheapest first."""
        return range(int(self.start[i]), int(self.start[i + 1]))

    def match_cost(self, arc: int) -> int:
        """Cost of matching the arc's request to the arc's provider."""
        return int(self.per_day[arc] * self.days[self.req[arc]])

    def unmatched_cost(self, i: int) -> int:
        """Cost of leaving request ``i`` unmatched."""
        return int(self.unmatched_per_day[i] * self.days[i])


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


@functools.lru_cache(maxsize=4096)
def _needs(values: frozenset[str]) -> int:
    return mask_of(values, _AREA_BIT, "area of need")


@functools.lru_cache(maxsize=4096)
def _expertise(values: frozenset[str]) -> int:
    return mask_of(values, _AREA_BIT, "expertise")


@functools.lru_cache(maxsize=256)
def _phases(values: frozenset[str]) -> int:
    return mask_of(values, tuple(_PHASE_BIT.items()), "phase")


def _check_settings(s: Settings) -> None:
    weights = (s.distance_weight, s.expertise_weight, s.track_record_weight, s.price_weight)
    if min(*weights, s.independence_penalty, s.unmatched_points) < 0 or s.max_km <= 0:
        raise ValueError("weights and penalties must be >= 0 and max_km > 0")
    if s.candidates < 1 or s.price_reference <= 0 or s.unknown_km < 0:
        raise ValueError("candidates >= 1, price_reference > 0 and unknown distance >= 0")


def _check_ids(ids: I64, what: str) -> None:
    if np.unique(ids).size != ids.size:
        raise ValueError(f"duplicate {what} ids")


@dataclass(frozen=True)
class _Requests:
    """The requests' fields as arrays (one pass over the records), checked."""

    ids: I64
    days: I64
    band: I64
    urn: I64
    urgency: I64
    concern: Mask
    need: F64
    side: Side

    @classmethod
    def of(cls, reqs: tuple[Request, ...]) -> _Requests:
        for r in reqs:  # unknown names first, for a message that names them
            if r.intensity not in _BAND_INDEX:
                raise ValueError(f"request {r.id} has an unknown intensity band: {r.intensity}")
            if r.phase not in _PHASE_BIT:
                raise ValueError(f"unknown phase: {r.phase}")
        table = np.array(
            [
                (
                    r.id,
                    r.days,
                    _BAND_INDEX[r.intensity],
                    r.urn,
                    r.urgency,
                    r.in_concern,
                    len(r.areas),
                    _needs(r.areas),
                    _PHASE_BIT[r.phase],
                )
                for r in reqs
            ],
            dtype=np.int64,
        ).reshape(len(reqs), 9)
        ids, days, band, urn, urgency, concern, need, areas, phases = table.T
        _check_ids(ids, "request")
        bad = np.flatnonzero((days <= 0) | (need == 0) | (urgency < 0))
        if bad.size:
            raise ValueError(
                f"request {ids[bad[0]]} needs days > 0, an area of need and urgency >= 0"
            )
        x, y, located = locations([r.location for r in reqs])
        return cls(
            ids=ids.copy(),
            days=days.copy(),
            band=band.copy(),
            urn=urn.copy(),
            urgency=urgency.copy(),
            concern=concern.astype(np.bool_),
            need=need.astype(np.float64),
            side=Side(areas=areas.copy(), phases=phases.copy(), x=x, y=y, located=located),
        )


@dataclass(frozen=True)
class _Providers:
    """The providers' fields as arrays (one pass over the records), checked."""

    places: I64  # (provider, band)
    home: I64
    price: F64
    rating: F64  # NaN when never rated
    plans: F64
    side: Side

    @classmethod
    def of(cls, provs: tuple[Provider, ...]) -> _Providers:
        table = np.array(
            [
                (
                    p.id,
                    p.places.high,
                    p.places.medium,
                    p.places.low,
                    _or(p.home_urn, _NO_GROUP),
                    _expertise(p.expertise),
                    _phases(p.phases),
                )
                for p in provs
            ],
            dtype=np.int64,
        ).reshape(len(provs), 7)
        ids, home, areas, phases = table[:, 0], table[:, 4], table[:, 5], table[:, 6]
        numbers = np.array(
            [(p.price_per_day, _or(p.mean_rating, np.nan), p.completed_plans) for p in provs],
            dtype=np.float64,
        ).reshape(len(provs), 3)
        _check_ids(ids, "provider")
        places = table[:, 1:4].copy()
        bad = np.flatnonzero((places < 0).any(axis=1) | (numbers[:, 0] < 0))
        if bad.size:
            raise ValueError(f"provider {ids[bad[0]]} has negative places or price")
        x, y, located = locations([p.location for p in provs])
        return cls(
            places=places,
            home=home.copy(),
            price=numbers[:, 0].copy(),
            rating=numbers[:, 1].copy(),
            plans=numbers[:, 2].copy(),
            side=Side(areas=areas.copy(), phases=phases.copy(), x=x, y=y, located=located),
        )


def _groups(sets: Sequence[frozenset[int]]) -> I64:
    """One row per set, padded with :data:`_NO_GROUP` (order within a row is irrelevant)."""
    lengths = np.fromiter((len(s) for s in sets), np.int64, len(sets))
    out = np.full((len(sets), max(int(lengths.max(initial=0)), 1)), _NO_GROUP, dtype=np.int64)
    flat = np.fromiter(itertools.chain.from_iterable(sets), np.int64, int(lengths.sum()))
    rows = np.repeat(np.arange(len(sets)), lengths)
    out[rows, np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)] = flat
    return out


class _Independence:
    """Which pairs would support a school in a concern category from its own group."""

    def __init__(self, reqs: tuple[Request, ...], provs: tuple[Provider, ...], concern: Mask):
        self.concern = concern
        self.r_trust = np.array([_or(r.trust_uid, _NO_GROUP) for r in reqs], dtype=np.int64)
        self.p_trust = np.array([_or(p.trust_uid, _NO_GROUP) for p in provs], dtype=np.int64)
        self.r_clusters = _groups([r.cluster_ids for r in reqs])
        self.p_clusters = _groups([p.cluster_ids for p in provs])

    def conflicts(self, ri: I64, pi: I64) -> Mask:
        """True where the provider is in the trust or a cluster of a school in concern."""
        out = np.zeros(ri.size, dtype=np.bool_)
        sel = np.flatnonzero(self.concern[ri])
        if sel.size == 0:
            return out
        a, b = ri[sel], pi[sel]
        hit = (self.r_trust[a] == self.p_trust[b]) & (self.r_trust[a] != _NO_GROUP)
        rc, pc = self.r_clusters[a], self.p_clusters[b]
        same = (rc[:, :, None] == pc[:, None, :]) & (rc[:, :, None] != _NO_GROUP)
        hit |= same.any(axis=(1, 2))
        out[sel] = hit
        return out


class _Costs:
    """Each pair's cost per day, by component (points) and in total (``SCALE`` units).

    :meth:`per_day` costs both the millions of fitting pairs (to rank them) and the kept
    candidates, so a kept arc's stored cost is, to the last bit, the one it was ranked by.
    """

    def __init__(self, s: Settings, r: _Requests, p: _Providers):
        self.s = s
        self.need = r.need
        rating = np.where(np.isnan(p.rating), s.rating_prior, p.rating)
        shrunk = (p.plans * rating + s.prior_plans * s.rating_prior) / np.maximum(
            p.plans + s.prior_plans, 1e-9
        )
        self.track = s.track_record_weight * (5.0 - np.clip(shrunk, 1.0, 5.0)) / 4.0
        self.price = s.price_weight * p.price / s.price_reference
        # Track record and price depend on the provider alone: add them once per provider.
        self.own = self.track + self.price

    def distance(self, km: F64) -> F64:
        s = self.s
        distance: F64 = s.distance_weight * np.where(np.isnan(km), s.unknown_km, km) / s.max_km
        return distance

    def expertise(self, ri: I64, covered: I8) -> F64:
        expertise: F64 = self.s.expertise_weight * (1.0 - covered / self.need[ri])
        return expertise

    def independence(self, conflict: Mask) -> F64:
        s = self.s
        penalty: F64 = np.where(
            conflict & (s.independence == "penalised"), s.independence_penalty, 0.0
        )
        return penalty

    def per_day(self, ri: I64, pi: I64, km: F64, covered: I8, conflict: Mask) -> I64:
        """Cost per day in ``SCALE`` units: the rounded sum of the components."""
        total = self.distance(km)
        total += self.expertise(ri, covered)
        total += self.own[pi]
        if conflict.any():
            total += self.independence(conflict)
        total *= SCALE
        per_day: I64 = np.rint(total, out=total).astype(np.int64)
        return per_day


def build_problem(
    requests: Sequence[Request], providers: Sequence[Provider], settings: Settings
) -> Problem:
    """Prune to each request's cheapest fitting providers and cost every candidate arc."""
    s = settings
    _check_settings(s)
    reqs = tuple(sorted(requests, key=_band_then_id))
    provs = tuple(sorted(providers, key=lambda p: p.id))
    r, p = _Requests.of(reqs), _Providers.of(provs)
    n = len(reqs)
    weight = (1 + r.urgency) * np.where(r.concern, 2, 1)
    unmatched_total = np.rint(s.unmatched_points * SCALE).astype(np.int64) * weight
    unmatched_per_day = -(-unmatched_total // np.maximum(r.days, 1))  # ceiling division

    independence = None if s.independence == "off" else _Independence(reqs, provs, r.concern)

    ri, pi, km, covered = fitting_pairs(r.side, r.band, p.side, p.places, s.max_km)
    # Never the school's own provider; under the strict rule, never its own groups.
    drop = r.urn[ri] == p.home[pi]
    if independence is not None and s.independence == "strict":
        drop |= independence.conflicts(ri, pi)
    if drop.any():
        keep = ~drop
        ri, pi, km, covered = ri[keep], pi[keep], km[keep], covered[keep]
    if independence is not None and s.independence == "penalised":
        conflict = independence.conflicts(ri, pi)
    else:  # strict left none; off never penalises
        conflict = np.zeros(ri.size, dtype=np.bool_)
    costs = _Costs(s, r, p)
    req, prov, per_day = _cheapest(ri, pi, costs.per_day(ri, pi, km, covered, conflict), s)
    del ri, pi, km, covered, conflict  # the kept few are costed again below

    km = distances(r.side, p.side, req, prov)
    covered = np.bitwise_count(r.side.areas[req] & p.side.areas[prov]).astype(np.int8)
    if independence is not None and s.independence == "penalised":
        conflict = independence.conflicts(req, prov)
    else:  # strict left none; off never penalises
        conflict = np.zeros(req.size, dtype=np.bool_)
    if not np.array_equal(costs.per_day(req, prov, km, covered, conflict), per_day):
        raise AssertionError("a candidate's cost changed between ranking and costing")
    counts = np.bincount(req, minlength=n)
    return Problem(
        requests=reqs,
        providers=provs,
        settings=s,
        days=r.days,
        band=r.band,
        capacity=p.places.reshape(-1),
        unmatched_per_day=unmatched_per_day.astype(np.int64),
        req=req.astype(np.int32),
        prov=prov.astype(np.int32),
        per_day=per_day,
        km=km,
        distance=costs.distance(km),
        expertise=costs.expertise(req, covered),
        track_record=costs.track[prov],
        price=costs.price[prov],
        independence=costs.independence(conflict),
        start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        order=np.lexsort((r.ids, ~r.concern, -r.urgency)).astype(np.int64),
    )


def _band_then_id(r: Request) -> tuple[int, int]:
    return _BAND_INDEX.get(r.intensity, BANDS), r.id  # an unknown band is rejected later


def greedy_order(reqs: Sequence[Request]) -> I64:
    """Positions of ``reqs`` most urgent first, then schools in a concern category, then id."""
    keys = np.array([(r.id, not r.in_concern, -r.urgency) for r in reqs], dtype=np.int64)
    order: I64 = np.lexsort(keys.reshape(len(reqs), 3).T).astype(np.int64)
    return order


def _cheapest(ri: I64, pi: I64, per_day: I64, s: Settings) -> tuple[I64, I64, I64]:
    """Order pairs by (request, cost, provider) and keep each request's first ``candidates``.

    Pairs are unique, so the order is total: the same input always keeps the same arcs.
    """
    if ri.size == 0:
        none = np.zeros(0, dtype=np.intp)
        return none, none, np.zeros(0, dtype=np.int64)
    counts = np.bincount(ri)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    keep = (np.arange(ri.size) - first) < s.candidates  # by rank within each request
    bits = [max(int(x.max()).bit_length(), 1) for x in (ri, per_day, pi)]
    if sum(bits) <= 63:
        cost_shift, req_shift = bits[2], bits[1] + bits[2]
        key = (ri << req_shift) | (per_day << cost_shift) | pi
        key.sort()
        key = key[keep]
        req: I64 = key >> req_shift
        cost: I64 = (key >> cost_shift) & ((1 << bits[1]) - 1)
        prov: I64 = key & ((1 << bits[2]) - 1)
        return req, prov, cost
    order = np.lexsort((pi, per_day, ri))[keep]  # costs too large to pack
    return ri[order], pi[order], per_day[order]
