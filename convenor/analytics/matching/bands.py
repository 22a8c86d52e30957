"""Solving the intensity bands apart, and two at once on two cores.

A request's candidates are providers with a place in its band, and its part of the
network holds only its band's places, so requests of different bands never meet: the
problem is one problem per band, side by side. :func:`solve` builds and solves one band
in a forked child process while this process builds and solves the others, then joins
the two, by concatenation, into the problem and solution that
``solve_flow(build_problem(...))`` gives for all requests at once (tests check they are
identical).

Why a process: OR-Tools holds Python's global lock while it solves, so threads would take
turns rather than share the cores. Why fork: the child inherits the records and needs no
copy of them; it only sends back its arrays. Small problems (every LA) are solved here
in one go, as starting a process costs more than it saves; so is everything where fork
is unavailable, and the child's part is solved here if the child cannot start or dies.
The answer is the same every way. See docs/adr/0010-brokerage-matching.md.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from .candidates import BANDS, Problem, build_problem, greedy_order
from .flow import METHOD, solve_flow
from .pairs import I64
from .records import INTENSITIES, Provider, Request, Settings
from .solution import UNMATCHED, Solution, check_places

#: Requests from which one band is solved in a second process. A national run (20,000)
#: saves a quarter to a third of its time on two cores; an LA's few hundred would lose.
PARALLEL_REQUESTS = 5_000

_ARC_FIELDS = (
    "req",
    "prov",
    "per_day",
    "km",
    "distance",
    "expertise",
    "track_record",
    "price",
    "independence",
)
_REQUEST_FIELDS = ("days", "band", "unmatched_per_day")


def solve(
    requests: Sequence[Request], providers: Sequence[Provider], settings: Settings
) -> Solution:
    """The optimal matching of ``requests``, a band in a second process when large."""
    ids = [r.id for r in requests]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate request ids")
    mine, theirs = _split(requests, providers)
    if (
        len(requests) < PARALLEL_REQUESTS
        or not theirs
        or not mine
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return solve_flow(build_problem(requests, providers, settings))
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_solve_and_send, args=(theirs, providers, settings, send), daemon=True
    )
    try:
        child.start()
    except OSError:  # no second process to be had
        return solve_flow(build_problem(requests, providers, settings))
    send.close()
    try:
        here = solve_flow(build_problem(mine, providers, settings))
        try:
            answer: Any = receive.recv()
        except EOFError:  # the child died without answering: do its part here
            answer = _arrays(solve_flow(build_problem(theirs, providers, settings)))
    finally:
        receive.close()
        child.join()
    if isinstance(answer, Exception):
        raise answer
    there = _rebuild(answer, theirs, providers, settings)
    return merge([here, there])


def _split(
    requests: Sequence[Request], providers: Sequence[Provider]
) -> tuple[list[Request], list[Request]]:
    """This process's requests and the child's: the band whose pairs come nearest half.

    The work grows with the pairs to look at: a band's requests times the providers with
    a place in it.
    """
    offering = {b: sum(1 for p in providers if p.places.of(b) > 0) for b in INTENSITIES}
    count = {b: sum(1 for r in requests if r.intensity == b) for b in INTENSITIES}
    work = {b: count[b] * offering[b] for b in INTENSITIES}
    total = sum(work.values())
    band = min(INTENSITIES, key=lambda b: max(work[b], total - work[b]))
    return [r for r in requests if r.intensity != band], [
        r for r in requests if r.intensity == band
    ]


def _solve_and_send(
    requests: list[Request], providers: Sequence[Provider], settings: Settings, send: Connection
) -> None:
    """The child: solve its band and send back the arrays (or the error, to be raised)."""
    try:
        send.send(_arrays(solve_flow(build_problem(requests, providers, settings))))
    except Exception as error:  # passed to the parent, which raises it
        send.send(error)
    finally:
        send.close()


def _arrays(solution: Solution) -> dict[str, Any]:
    """What the child sends back: the arrays, not the records the parent already has."""
    problem = solution.problem
    fields = (*_ARC_FIELDS, *_REQUEST_FIELDS, "capacity", "start", "order")
    return {"arc_of": solution.arc_of} | {name: getattr(problem, name) for name in fields}


def _rebuild(
    arrays: dict[str, Any],
    requests: list[Request],
    providers: Sequence[Provider],
    settings: Settings,
) -> Solution:
    fields = {name: value for name, value in arrays.items() if name != "arc_of"}
    problem = Problem(
        requests=tuple(sorted(requests, key=lambda r: (INTENSITIES.index(r.intensity), r.id))),
        providers=tuple(sorted(providers, key=lambda p: p.id)),
        settings=settings,
        **fields,
    )
    return Solution(problem, arrays["arc_of"], METHOD)


def merge(parts: Sequence[Solution]) -> Solution:
    """Join solutions of disjoint bands over the same providers into one.

    Each part's requests are in band order, so each band is a block of requests and of
    arcs: the joined problem is the blocks side by side in band order, which is the one
    :func:`build_problem` gives for all the requests at once.
    """
    blocks = sorted(
        (band, solution, int(edges[band]), int(edges[band + 1]))
        for solution in parts
        for edges in [np.searchsorted(solution.problem.band, np.arange(BANDS + 1))]
        for band in range(BANDS)
        if edges[band + 1] > edges[band]
    )
    if len({band for band, *_ in blocks}) != len(blocks):
        raise ValueError("two parts hold requests of the same band")
    requests: list[Request] = []
    arc_parts: dict[str, list[Any]] = {name: [] for name in (*_ARC_FIELDS, *_REQUEST_FIELDS)}
    starts, chosen = [], []
    for _, solution, r0, r1 in blocks:
        p = solution.problem
        a0, a1 = int(p.start[r0]), int(p.start[r1])
        offset_r, offset_a = len(requests), sum(x.size for x in arc_parts["per_day"])
        requests.extend(p.requests[r0:r1])
        for name in _ARC_FIELDS:
            arc_parts[name].append(getattr(p, name)[a0:a1])
        arc_parts["req"][-1] = arc_parts["req"][-1] - r0 + offset_r
        for name in _REQUEST_FIELDS:
            arc_parts[name].append(getattr(p, name)[r0:r1])
        starts.append(p.start[r0:r1] - a0 + offset_a)
        local = solution.arc_of[r0:r1]
        chosen.append(np.where(local == UNMATCHED, UNMATCHED, local - a0 + offset_a))
    arcs = sum(x.size for x in arc_parts["per_day"])
    first = parts[0].problem
    problem = Problem(
        requests=tuple(requests),
        providers=first.providers,
        settings=first.settings,
        capacity=first.capacity,
        start=np.concatenate([*starts, [arcs]]).astype(np.int64),
        order=greedy_order(requests),
        **{name: np.concatenate(arrays) for name, arrays in arc_parts.items()},
    )
    arc_of: I64 = np.concatenate(chosen).astype(np.int64)
    check_places(problem, arc_of)
    return Solution(problem, arc_of, METHOD)
