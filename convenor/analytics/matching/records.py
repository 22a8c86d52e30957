"""What the matching engine takes in and gives back: plain, documented dataclasses.

The Django brokerage app converts its rows into :class:`Request`, :class:`Provider` and
:class:`Settings`, calls :func:`convenor.analytics.matching.match`, and stores or shows the
:class:`MatchingResult`. Nothing here knows about Django.

Units: locations are British National Grid easting and northing in metres (as the register
stores them); distances are straight-line kilometres; days are days of support in one term;
a provider's capacity is places by intensity band (:class:`Places`); costs are integer
"points" scaled by :data:`SCALE` (see :class:`Settings` for how each component is weighted).
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

#: The intensity bands, most intensive first: the order of :class:`Places` and of the
#: engine's (provider, band) places.
INTENSITIES: tuple[Intensity, ...] = ("high", "medium", "low")

#: Default days of support in a term for each intensity band, as the brokerage app's
#: (ADR 0011). A request carries its own ``days``; these are what a new request starts with.
BAND_DAYS: dict[str, int] = {"high": 12, "medium": 6, "low": 3}

IndependenceRule = Literal["strict", "penalised", "off"]


@dataclass(frozen=True, slots=True)
class Places:
    """How many schools a provider can take on in a term, by intensity band.

    A place is one package of support at that band's intensity (the tariff bands of the
    brokerage app, ADR 0011): a request in band "high" takes one "high" place, whatever
    its exact days. Counting capacity in places makes matching a transportation problem,
    which min-cost flow solves exactly (docs/adr/0010-brokerage-matching.md).
    """

    high: int = 0
    medium: int = 0
    low: int = 0

    def of(self, band: Intensity) -> int:
        """Places in ``band``."""
        return int(getattr(self, band))

    @property
    def total(self) -> int:
        """Places in every band."""
        return self.high + self.medium + self.low

    @property
    def days(self) -> int:
        """The days of support these places stand for at the default band days."""
        return sum(self.of(band) * BAND_DAYS[band] for band in INTENSITIES)


Location = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Request:
    """A school's request for support in one term.

    ``areas`` come from :data:`AREAS_OF_NEED`; ``phase`` from :data:`PHASES`. A request
    takes one place in its ``intensity`` band at the one provider it is matched to.
    ``days`` is the support it needs in the term: a match costs ``days`` times the
    provider's cost per day, but days do not count against capacity. ``urgency`` is
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
    :data:`PHASES`. ``places`` is how many schools it can take on in the term, by
    intensity band (a request takes one place in its own band). ``trust_uid``,
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
    places: Places
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

    ``candidates`` is how many of the cheapest fitting providers are kept per request;
    only providers with a place in the request's band fit. See
    docs/adr/0010-brokerage-matching.md.
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


AlternativeReason = Literal["dearer", "full", "tie"]


@dataclass(frozen=True, slots=True)
class Alternative:
    """A next-best provider for a matched request and why it was not chosen.

    ``reason`` is "dearer" (it costs more), "full" (cheaper or as cheap, but its places
    in the request's band all went to other requests, listed in ``taken_by``) or "tie"
    (the same cost with a place left; the solver's choice). A cheaper candidate with a
    place left cannot happen: the result is an exact optimum.
    """

    provider_id: int
    cost: CostBreakdown
    reason: AlternativeReason
    detail: str
    taken_by: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """A request matched to one provider (one place in its band), with why and the
    alternatives."""

    request_id: int
    provider_id: int
    days: int
    cost: CostBreakdown
    why: str
    alternatives: tuple[Alternative, ...]


UnmatchedReason = Literal["no_candidate", "capacity", "dearer"]


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A request left unmatched, and why.

    ``reason`` is "no_candidate" (no provider fits it at all), "capacity" (every provider
    that fits, listed in ``candidates``, has given all its places in the request's band to
    other requests) or "dearer" (a provider that fits has a place left, but every such
    match costs more than leaving the request unmatched: only possible when
    ``Settings.unmatched_points`` is set below what a match can cost).
    """

    request_id: int
    reason: UnmatchedReason
    detail: str
    candidates: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchingResult:
    """Every request either matched or unmatched with a reason, plus the totals.

    ``cost`` is the objective (match costs plus unmatched penalties, in ``SCALE`` units),
    and it is the exact optimum over the pruned candidates: counted in places, matching is
    a transportation problem, which min-cost flow solves exactly. ``method`` names the
    solver; ``arcs`` counts the candidate arcs. ``greedy_*`` is the baseline run beside it
    on the same candidates.
    """

    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    cost: int
    match_cost: int
    method: str
    arcs: int
    greedy_cost: int
    greedy_matched: int
    settings: Settings = field(default_factory=Settings)
