"""The (request, provider) pairs that fit before costing: band, phase, area of need, distance.

Requests are taken a (phase, band) at a time against the providers with that phase and a
place in that band, so a provider with no place in a band never makes a pair at all (the
cheapest cut: it removes pairs before any work is done on them).

Located pairs come from a grid of square cells ``max_km / REACH`` wide. A request looks
only at the cells that can hold a provider within ``max_km``: the 9 columns around its
own, each a run of rows, the corners dropped where even their nearest points are too far.
Cells are keyed column by column, so each column's run is one range of the providers
sorted by key: two binary searches per column. With ``REACH = 4`` this visits 15% fewer
pairs than a 5 x 5 block of half-``max_km`` cells (4.6 million instead of 5.4 million at
national scale), for 18 searches a request instead of 50.

Everything is numpy. Pair indices are numpy's native ``intp`` (64-bit), not 32-bit: they
index many arrays, and numpy converts any other index type on every gather, which made
each gather over the millions of national pairs about 2.6 times slower.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

REACH = 4  # grid cells are max_km / REACH wide


def _half_heights(reach: int) -> I64:
    """Rows either side of a request's row to look at, per column offset -reach..reach.

    Column ``dx`` and row ``dy`` away, the nearest points of two cells are
    ``max(|dx| - 1, 0)`` and ``max(|dy| - 1, 0)`` cells apart in each direction; the cell
    is needed when that distance is below ``reach`` cells (``max_km``).
    """
    gap = np.maximum(np.abs(np.arange(-reach, reach + 1)) - 1, 0)
    room = reach**2 - gap**2  # always > 0
    rows: I64 = np.ceil(np.sqrt(room)).astype(np.int64)  # largest k, k * k < room: rows - 1
    return rows


_HALF = _half_heights(REACH)


@dataclass(frozen=True)
class Side:
    """Per-request (or per-provider) arrays the pair search needs.

    ``areas`` is the bit mask of areas of need (or expertise), ``phases`` the bit mask of
    phases; ``x`` and ``y`` are metres (0 where ``located`` is false).
    """

    areas: I64
    phases: I64
    x: F64
    y: F64
    located: Mask


@functools.lru_cache(maxsize=4096)
def mask_of(values: frozenset[str], bits: tuple[tuple[str, int], ...], what: str) -> int:
    """The bit mask of ``values`` (an area or phase set); ``bits`` maps each name to its bit."""
    known = dict(bits)
    unknown = values - known.keys()
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(sorted(unknown))}")
    out = 0
    for value in values:
        out |= known[value]
    return out


def locations(points: Sequence[tuple[float, float] | None]) -> tuple[F64, F64, Mask]:
    """Eastings, northings (0 where unknown) and whether each point is known."""
    nowhere = (np.nan, np.nan)
    xy = np.array([nowhere if p is None else p for p in points], dtype=np.float64)
    xy = xy.reshape(len(points), 2)
    located = ~np.isnan(xy[:, 0])
    xy = np.nan_to_num(xy)
    return xy[:, 0].copy(), xy[:, 1].copy(), located


def _grid_pairs(r: Side, r_idx: I64, p: Side, p_idx: I64, cell: float) -> tuple[I64, I64]:
    """All (request, provider) pairs in cells that can be within ``REACH`` cells."""
    if r_idx.size == 0 or p_idx.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    pcx = np.floor(p.x[p_idx] / cell).astype(np.int64)
    pcy = np.floor(p.y[p_idx] / cell).astype(np.int64)
    rcx = np.floor(r.x[r_idx] / cell).astype(np.int64)
    rcy = np.floor(r.y[r_idx] / cell).astype(np.int64)
    low_x = min(int(pcx.min()), int(rcx.min())) - REACH
    low_y = min(int(pcy.min()), int(rcy.min())) - REACH
    # Rows are padded by REACH either side, so a run of rows never spills into a column.
    height = max(int(pcy.max()), int(rcy.max())) - low_y + REACH + 1
    pkey = (pcx - low_x) * height + (pcy - low_y)
    order = np.argsort(pkey, kind="stable")
    skey = pkey[order]
    base = (rcx - low_x) * height + (rcy - low_y)
    column = np.arange(-REACH, REACH + 1, dtype=np.int64) * height
    centre = base[:, None] + column[None, :]
    lo = np.searchsorted(skey, centre - _HALF, side="left").ravel()
    counts = np.searchsorted(skey, centre + _HALF, side="right").ravel() - lo
    owner = np.repeat(np.repeat(r_idx, column.size), counts)
    first = np.cumsum(counts) - counts - lo
    pos = np.arange(int(counts.sum()), dtype=np.intp) - np.repeat(first, counts)
    return owner, p_idx[order][pos]


def _all_pairs(r_idx: I64, p_idx: I64) -> tuple[I64, I64]:
    return np.repeat(r_idx, p_idx.size), np.tile(p_idx, r_idx.size)


def fitting_pairs(
    r: Side, band: I64, p: Side, places: I64, max_km: float
) -> tuple[I64, I64, F64, I8]:
    """Pairs that fit band, phase, at least one area of need and distance.

    ``band`` is each request's band index, ``places`` the providers' places as (provider,
    band). Returns request and provider indices grouped by (phase, band), km (NaN when
    either end has no location) and how many of the request's areas the provider covers.
    """
    bands = places.shape[1]
    limit = (max_km * 1000.0) ** 2
    group = r.phases * bands + band  # a request has one phase, so one bit
    parts = []
    for key in np.unique(group).tolist():
        bit, b = divmod(key, bands)
        r_all = np.flatnonzero(group == key)
        p_all = np.flatnonzero(((p.phases & bit) != 0) & (places[:, b] > 0))
        r_here, p_here = r_all[r.located[r_all]], p_all[p.located[p_all]]
        for located, (ri, pi) in (
            (True, _grid_pairs(r, r_here, p, p_here, max_km * 1000.0 / REACH)),
            (False, _all_pairs(r_here, p_all[~p.located[p_all]])),
            (False, _all_pairs(r_all[~r.located[r_all]], p_all)),
        ):
            covered = np.bitwise_count(r.areas[ri] & p.areas[pi]).astype(np.int8)
            keep = covered > 0
            if located:
                dx = r.x[ri] - p.x[pi]
                dy = r.y[ri] - p.y[pi]
                d2 = np.square(dx, out=dx)
                d2 += np.square(dy, out=dy)
                keep &= d2 <= limit
                km = np.sqrt(d2[keep]) / 1000.0
            else:
                km = np.full(int(keep.sum()), np.nan)
            parts.append((ri[keep], pi[keep], km, covered[keep]))
    if not parts:
        none = np.zeros(0, dtype=np.intp)
        return none, none, np.zeros(0), np.zeros(0, dtype=np.int8)
    return (
        np.concatenate([part[0] for part in parts]),
        np.concatenate([part[1] for part in parts]),
        np.concatenate([part[2] for part in parts]),
        np.concatenate([part[3] for part in parts]),
    )


def distances(r: Side, p: Side, ri: I64, pi: I64) -> F64:
    """km between each pair, NaN when either end has no location.

    The same arithmetic as :func:`fitting_pairs`, so the same pair gets the same km.
    """
    dx = r.x[ri] - p.x[pi]
    dy = r.y[ri] - p.y[pi]
    d2 = np.square(dx, out=dx)
    d2 += np.square(dy, out=dy)
    km: F64 = np.sqrt(d2) / 1000.0
    km[~(r.located[ri] & p.located[pi])] = np.nan
    return km
