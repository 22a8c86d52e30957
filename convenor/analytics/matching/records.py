"""What the matching engine takes in and gives back: plain, documented dataclasses.

The Django brokerage app converts its rows into :class:`Request`, :class:`Provider` and
:class:`Settings`, calls :func:`convenor.analytics.matching.match`, and stores or shows the
:class:`MatchingResult`. Nothing here knows about Django.

Units: locations are British National Grid easting and northing in metres (as the register
stores them); distances are straight-line kilometres; days are days of support in one term;
costs are integer "points" scaled by :data:`SCALE` (see :class:`Settings` for how each
component is weighted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: Costs are whole numbers: a point of cost is stored as SCALE units, so two decimals survive.
SCALE = 100

#: The controlled list of areas of need (a request's needs and a provider's expertise).
#: The first six are the evaluation areas of Ofsted's report cards (Nov 2025); the rest are
#: the other things LAs broker support for.
AREAS_OF_NEED: tuple[str, ...] = (
    "leadership_and_governance",
    "curriculum_and_teaching",
    "achievement",
    "attendance_and_behaviour",
    "personal_development_and_wellbeing",
    "inclusion_and_send",
    "early_years",
    "post_16",
    "safeguarding",
    "reading_and_phonics",
    "mathematics",
    "finance_and_staffing",
)

#: Phases of education a request comes from and a provider can support.
PHASES: tuple[str, ...] = (
    "nursery",
    "primary",
    "middle",
    "secondary",
    "all_through",
    "special",
    "alternative_provision",
    "post_16",
)

Intensity = Literal["high", "medium", "low"]

#: Default days of support in a term for each intensity band, as the brokerage app's
#: (ADR 0011). A request carries its own ``days``; these are what a new request starts with.
BAND_DAYS: dict[str, int] = {"high": 12, "medium": 6, "low": 3}

IndependenceRule = Literal["strict", "penalised", "off"]

Location = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Request:
    """A school's request for support in one term.

    ``areas`` come from :data:`AREAS_OF_NEED`; ``phase`` from :data:`PHASES`. ``days`` is
    what the intensity band needs and is taken whole from one provider. ``urgency`` is
    0 (routine), 1 (soon) or 2 (urgent): more urgent requests are the last to be left out
    when capacity runs short, and come first in the greedy baseline. ``trust_uid`` and
    ``cluster_ids`` are the school's own groups; with ``in_concern`` (the school is in a
    concern category) they drive the independence rule. ``location`` is ``(easting,
    northing)`` in metres, or None when the register has none.
    """

    id: int
    urn: int
    phase: str
    areas: frozenset[str]
    intensity: Intensity
    days: int
    urgency: int = 0
    location: Location | None = None
    trust_uid: int | None = None
    cluster_ids: frozenset[int] = frozenset()
    in_concern: bool = False


@dataclass(frozen=True, slots=True)
class Provider:
    """Someone offering support: a system leader, an LA adviser, a trust or a traded service.

    ``designation`` is free text for display (NLE, LLE, SLE, lead head teacher, LA adviser,
    trust, traded service). ``expertise`` comes from :data:`AREAS_OF_NEED`; ``phases`` from
    :data:`PHASES`. ``capacity_days`` is what it can give in the term. ``trust_uid``,
    ``cluster_ids`` and ``home_urn`` are its own groups and school (a provider never supports
    its own school). ``mean_rating`` (1 to 5, None if never rated) over
    ``completed_plans`` is its track record. ``price_per_day`` is in pounds or credits (one
    currency per run). ``location`` is ``(easting, northing)`` in metres, or None for
    providers who work anywhere; their distance counts as ``Settings.unknown_distance_km``.
    """

    id: int
    designation: str
    expertise: frozenset[str]
    phases: frozenset[str]
    capacity_days: int
    location: Location | None = None
    trust_uid: int | None = None
    cluster_ids: frozenset[int] = frozenset()
    home_urn: int | None = None
    mean_rating: float | None = None
    completed_plans: int = 0
    price_per_day: float = 0.0


@dataclass(frozen=True, slots=True)
class Settings:
    """How matches are costed and pruned.

    Every candidate is costed per day of support as the sum of weighted points:

    - distance: ``distance_weight * km / max_km`` (a day of support is a visit);
    - expertise fit: ``expertise_weight * (share of the request's areas the provider lacks)``;
    - track record: ``track_record_weight * (5 - rating) / 4``, the rating shrunk towards
      ``rating_prior`` as if it had ``prior_plans`` more plans at that rating;
    - price: ``price_weight * price_per_day / price_reference``;
    - independence: ``independence_penalty`` when the rule is "penalised" and a school in a
      concern category would be supported from inside its own trust or cluster. With
      "strict" such a provider is never a candidate; with "off" it is costed like any other.

    A match costs its request's days times its cost per day. A request left unmatched
    costs ``unmatched_points * (1 + urgency)``, doubled for a school in a concern category,
    so the engine matches every request it can and leaves out the least urgent first.

    ``candidates`` is how many of the cheapest fitting providers are kept per request.
    ``exact_arc_limit``: when the flow has to split a request between providers and the
    problem has at most this many candidate arcs (about 250 requests), the whole problem
    is solved again exactly with CP-SAT, within ``exact_time_limit`` deterministic seconds
    (one worker, so the same input gives the same answer; about 2 s of wall time at 10,000
    arcs, 10 to 20 s at 20,000). See docs/adr/0010-brokerage-matching.md.
    """

    max_km: float = 40.0
    candidates: int = 50
    distance_weight: float = 10.0
    expertise_weight: float = 10.0
    track_record_weight: float = 5.0
    price_weight: float = 5.0
    independence: IndependenceRule = "strict"
    independence_penalty: float = 20.0
    unknown_distance_km: float | None = None
    price_reference: float = 550.0
    rating_prior: float = 3.0
    prior_plans: float = 3.0
    unmatched_points: float = 1_000.0
    exact_arc_limit: int = 10_000
    exact_time_limit: float = 10.0

    @property
    def unknown_km(self) -> float:
        """The distance counted when either end has no location (``max_km`` unless set)."""
        return self.max_km if self.unknown_distance_km is None else self.unknown_distance_km


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """One candidate's cost per day, by component (points, before :data:`SCALE`).

    ``km`` is the straight-line distance, or None when a location is missing (then the
    distance points use ``Settings.unknown_distance_km``). ``per_day`` is the integer cost
    per day the solver used (``SCALE`` times the rounded sum); ``total`` is ``per_day``
    times the request's days.
    """

    km: float | None
    distance: float
    expertise: float
    track_record: float
    price: float
    independence: float
    per_day: int
    total: int


AlternativeReason = Literal["dearer", "full", "tie", "not_moved"]


@dataclass(frozen=True, slots=True)
class Alternative:
    """A next-best provider for a matched request and why it was not chosen.

    ``reason`` is "dearer" (it costs more), "full" (cheaper or as cheap, but the days it
    had left went to other requests, listed in ``taken_by``), "tie" (the same cost; the
    solver's choice) or "not_moved" (cheaper with room left: only possible when the result
    is not proven optimal, see ``MatchingResult.proven_optimal``).
    """

    provider_id: int
    cost: CostBreakdown
    reason: AlternativeReason
    detail: str
    taken_by: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """A request matched to one provider for all its days, with why and the alternatives."""

    request_id: int
    provider_id: int
    days: int
    cost: CostBreakdown
    why: str
    alternatives: tuple[Alternative, ...]


UnmatchedReason = Literal["no_candidate", "capacity"]


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A request left unmatched: no provider fits it at all, or those that fit are full."""

    request_id: int
    reason: UnmatchedReason
    detail: str
    candidates: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchingResult:
    """Every request either matched or unmatched with a reason, plus the totals.

    ``cost`` is the objective (match costs plus unmatched penalties, in ``SCALE`` units);
    ``lower_bound`` is the min-cost flow's optimum with requests allowed to split between
    providers, which no assignment can beat, so ``proven_optimal`` is true when ``cost``
    equals it or the exact solver proved optimality. ``greedy_*`` is the baseline run
    beside it on the same candidates.
    """

    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    cost: int
    match_cost: int
    lower_bound: int
    proven_optimal: bool
    method: str
    arcs: int
    split_requests: int
    greedy_cost: int
    greedy_matched: int
    settings: Settings = field(default_factory=Settings)

    @property
    def gap(self) -> float:
        """How far ``cost`` may be above the optimum, as a share of the lower bound."""
        return 0.0 if self.lower_bound <= 0 else (self.cost - self.lower_bound) / self.lower_bound
