"""From brokerage rows to the matching engine and back: a run over an LA's open requests.

:func:`matching_inputs` reads the rows and builds the plain records of
:mod:`convenor.analytics.matching`; :func:`run_matching` calls the engine (a min-cost
flow over places, which is exact, with the greedy baseline beside it), turns its result into
:class:`~convenor.brokerage.services.ProposedMatch` values and stores the run through
:func:`~convenor.brokerage.services.store_matching_run`. Who may run it is the view's
business (LA officers, for their LA).

How rows become records:

- **Areas of need and expertise.** Brokerage's controlled list (ADR 0011, 17 terms) is
  finer than the engine's (12 areas, the Ofsted report-card areas and a few more), so
  each term is read as one engine area (:data:`ENGINE_AREA`). Terms Ofsted's framework
  puts together share an area (leadership and governance; attendance and behaviour;
  SEND and disadvantaged pupils, both "inclusion"); KS2 and KS4 maths are both
  mathematics (the phase keeps them apart); English, writing and assessment are
  "achievement"; science and the curriculum are "curriculum and teaching". The
  proposal keeps the fit term by term (``covers`` and ``lacks``) for the board to see.
- **Phases.** A school's support phase is :func:`~convenor.brokerage.models.phase_of`
  its register phase and type; "alternative" is the engine's "alternative_provision".
  A request whose school has no phase the engine knows is left out, with its reason.
- **Places.** A provider's capacity is places a term by intensity band
  (:mod:`convenor.brokerage.capacity`); a request takes one place of its intensity's
  band. The engine is given, for each band, the places offered less those the
  provider's live assignments hold (approved matches whose request is still matched),
  never below 0, so a stored run never takes a provider past its places. A request's
  days (rounded up to whole days) still cost days times the cost a day.
- **Location.** The school's easting and northing from the register (none: the
  engine counts the distance as ``max_km``); the provider's own.
- **Independence.** A school's trust is its register group of a trust type
  (``GroupMembership``); its clusters are the brokerage clusters it belongs to on the
  run's date. A provider's are those of its home school. A school is *in concern*
  when its latest category decision on or before the date is a category eligible for
  brokered support, or the most serious category (highest order above 1) of its
  framework (the academy track's "Cause for concern", which is not brokered).
- **Urgency.** Urgent 2, this term 1, next term 0.
- **Track record.** The mean of the provider's ratings over the number of ratings.
- **Price.** The cost a day in pounds. A provider priced only in credits is costed at
  the engine's reference price (neither favoured nor penalised); one with neither
  charges nothing (an LA adviser, say).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db.models import Avg, Count, Max

from convenor.analytics import matching as engine
from convenor.analytics.matching.records import INTENSITIES, IndependenceRule, Intensity, Places
from convenor.brokerage.models import (
    Expertise,
    Match,
    MatchingRun,
    PartnershipKind,
    PartnershipMembership,
    SupportPhase,
    SupportProvider,
    SupportRequest,
    Urgency,
    phase_of,
)
from convenor.brokerage.services import ProposedMatch, store_matching_run
from convenor.core.services import Actor
from convenor.intelligence.categorisation import current_decisions
from convenor.intelligence.models import Category, CategoryDecision
from convenor.schools.models import Establishment, GroupMembership
from convenor.schools.querysets import TRUST_GROUP_TYPES

#: Each brokerage term (ADR 0011) as one of the engine's areas (see the module's notes).
ENGINE_AREA: dict[str, str] = {
    Expertise.LEADERSHIP: "leadership_and_governance",
    Expertise.GOVERNANCE: "leadership_and_governance",
    Expertise.SAFEGUARDING: "safeguarding",
    Expertise.SEND: "inclusion_and_send",
    Expertise.DISADVANTAGED: "inclusion_and_send",
    Expertise.EARLY_YEARS: "early_years",
    Expertise.PHONICS_READING: "reading_and_phonics",
    Expertise.KS2_MATHS: "mathematics",
    Expertise.KS4_MATHS: "mathematics",
    Expertise.KS2_WRITING: "achievement",
    Expertise.KS4_ENGLISH: "achievement",
    Expertise.ASSESSMENT: "achievement",
    Expertise.KS4_SCIENCE: "curriculum_and_teaching",
    Expertise.CURRICULUM: "curriculum_and_teaching",
    Expertise.ATTENDANCE: "attendance_and_behaviour",
    Expertise.BEHAVIOUR: "attendance_and_behaviour",
    Expertise.FINANCE: "finance_and_staffing",
}

#: Each support phase as the engine's phase.
ENGINE_PHASE: dict[str, str] = {
    SupportPhase.NURSERY: "nursery",
    SupportPhase.PRIMARY: "primary",
    SupportPhase.SECONDARY: "secondary",
    SupportPhase.ALL_THROUGH: "all_through",
    SupportPhase.SPECIAL: "special",
    SupportPhase.POST_16: "post_16",
    SupportPhase.ALTERNATIVE: "alternative_provision",
}

URGENCY_LEVEL: dict[str, int] = {Urgency.URGENT: 2, Urgency.THIS_TERM: 1, Urgency.NEXT_TERM: 0}

INDEPENDENCE_RULES = ("strict", "penalised", "off")

#: What a run's totals say it counted capacity in (runs over days stored nothing).
CAPACITY = "places by band"


@dataclass(frozen=True)
class LeftOut:
    """A request the engine cannot be given, and why (it shows with the unmatched)."""

    request_id: int
    reason: str
    detail: str


@dataclass(frozen=True)
class Inputs:
    """What one run takes: the engine's records, and the rows they came from."""

    la_code: int
    as_at: date
    requests: tuple[engine.Request, ...]
    providers: tuple[engine.Provider, ...]
    left_out: tuple[LeftOut, ...]
    rows: Mapping[int, SupportRequest]


def engine_areas(terms: Iterable[str]) -> frozenset[str]:
    """Brokerage terms as the engine's areas."""
    return frozenset(ENGINE_AREA[term] for term in terms if term in ENGINE_AREA)


def engine_phases(phases: Iterable[str]) -> frozenset[str]:
    return frozenset(ENGINE_PHASE[p] for p in phases if p in ENGINE_PHASE)


def school_phase(school: Establishment | None) -> str | None:
    """The engine's phase of a school, or None when the register gives none it knows."""
    if school is None:
        return None
    phase = phase_of(school.phase, school.type_group, school.type_name)
    return None if phase is None else ENGINE_PHASE.get(phase)


def trusts_of(urns: Iterable[int]) -> dict[int, int]:
    """Each school's trust (the register's group uid), for the schools in one."""
    rows = GroupMembership.objects.filter(urn__in=set(urns), group_type__in=TRUST_GROUP_TYPES)
    return dict(rows.order_by("urn", "group_uid").values_list("urn", "group_uid"))


def clusters_of(urns: Iterable[int], on: date) -> dict[int, frozenset[int]]:
    """Each school's brokerage clusters in force on ``on``."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = PartnershipMembership.objects.in_force(on).filter(
        urn__in=set(urns), partnership__kind=PartnershipKind.CLUSTER
    )
    for urn, partnership_id in rows.values_list("urn", "partnership_id"):
        found[urn].add(partnership_id)
    return {urn: frozenset(ids) for urn, ids in found.items()}


def in_concern(decision: CategoryDecision | None, most_serious: Mapping[int, int]) -> bool:
    """A school is in concern when its category is brokered, or its framework's worst."""
    if decision is None:
        return False
    category = decision.decided_category
    worst = most_serious.get(category.framework_id, 1)
    return category.eligible_for_brokered_support or (
        category.order > 1 and category.order == worst
    )


def concern_of(urns: Iterable[int], on: date) -> dict[int, bool]:
    """Whether each school is in concern on ``on`` (see :func:`in_concern`)."""
    decisions = current_decisions(urns, on)
    frameworks = {d.decided_category.framework_id for d in decisions.values()}
    most_serious = dict(
        Category.objects.filter(framework_id__in=frameworks)
        .order_by()
        .values("framework_id")
        .annotate(top=Max("order"))
        .values_list("framework_id", "top")
    )
    return {urn: in_concern(decision, most_serious) for urn, decision in decisions.items()}


def places_of(provider: SupportProvider, held: Mapping[str, int] | None = None) -> Places:
    """The engine's places for a provider: those it offers in each band less ``held``
    (the places its live assignments hold), never below 0."""
    held = held or {}
    offered = provider.places
    high, medium, low = (max(offered[band] - held.get(band, 0), 0) for band in INTENSITIES)
    return Places(high=high, medium=medium, low=low)


def _price(provider: SupportProvider, settings: engine.Settings) -> float:
    if provider.cost_per_day is not None:
        return float(provider.cost_per_day)
    return settings.price_reference if provider.credits_per_day is not None else 0.0


def _location(easting: int | None, northing: int | None) -> tuple[float, float] | None:
    return None if easting is None or northing is None else (float(easting), float(northing))


def _requests(
    rows: Sequence[SupportRequest], on: date
) -> tuple[list[engine.Request], list[LeftOut]]:
    urns = {row.urn for row in rows}
    schools = Establishment.objects.in_bulk(urns)
    trusts, clusters, concern = trusts_of(urns), clusters_of(urns, on), concern_of(urns, on)
    records, left_out = [], []
    for row in rows:
        school = schools.get(row.urn)
        phase = school_phase(school)
        if school is None or phase is None:
            what = "is not in the register" if school is None else "has no phase matching knows"
            left_out.append(
                LeftOut(row.pk, "no_phase", f"the school {what}, so no provider can be fitted")
            )
            continue
        records.append(
            engine.Request(
                id=row.pk,
                urn=row.urn,
                phase=phase,
                areas=engine_areas(row.areas),
                intensity=cast(Intensity, row.intensity),
                days=math.ceil(Decimal(row.days_per_term)),
                urgency=URGENCY_LEVEL.get(row.urgency, 0),
                location=_location(school.easting, school.northing),
                trust_uid=trusts.get(row.urn),
                cluster_ids=clusters.get(row.urn, frozenset()),
                in_concern=concern.get(row.urn, False),
            )
        )
    return records, left_out


def _providers(
    rows: Sequence[SupportProvider], on: date, settings: engine.Settings
) -> list[engine.Provider]:
    homes = {row.home_urn for row in rows if row.home_urn is not None}
    trusts, clusters = trusts_of(homes), clusters_of(homes, on)
    held = Match.objects.places_held(row.pk for row in rows)
    records = []
    for row in rows:
        home = row.home_urn
        records.append(
            engine.Provider(
                id=row.pk,
                designation=row.get_designation_display(),
                expertise=engine_areas(row.expertise),
                phases=engine_phases(row.phases),
                places=places_of(row, held[row.pk]),
                location=_location(row.easting, row.northing),
                trust_uid=None if home is None else trusts.get(home),
                cluster_ids=frozenset() if home is None else clusters.get(home, frozenset()),
                home_urn=home,
                mean_rating=getattr(row, "rating_mean", None),
                completed_plans=getattr(row, "rating_count", 0),
                price_per_day=_price(row, settings),
            )
        )
    return records


def matching_inputs(la_code: int, as_at: date, settings: engine.Settings) -> Inputs:
    """The engine's records for an LA's open requests raised by ``as_at`` and the
    providers of its directory available on that day."""
    rows = list(SupportRequest.objects.for_matching(la_code, as_at))
    providers = list(
        SupportProvider.objects.available_on(as_at)
        .filter(la_code=la_code)
        .annotate(rating_count=Count("ratings"), rating_mean=Avg("ratings__score"))
        .order_by("pk")
    )
    requests, left_out = _requests(rows, as_at)
    return Inputs(
        la_code=la_code,
        as_at=as_at,
        requests=tuple(requests),
        providers=tuple(_providers(providers, as_at, settings)),
        left_out=tuple(left_out),
        rows={row.pk: row for row in rows},
    )


def points(value: int) -> float:
    """An engine cost (whole units of 1/SCALE of a point) in points."""
    return round(value / engine.SCALE, 2)


def cost_json(cost: engine.CostBreakdown) -> dict[str, Any]:
    """A candidate's cost per day by component, in points, and its total for the request."""
    return {
        "km": cost.km,
        "distance": cost.distance,
        "expertise": cost.expertise,
        "track_record": cost.track_record,
        "price": cost.price,
        "independence": cost.independence,
        "per_day": points(cost.per_day),
        "total": points(cost.total),
    }


def fit(request_terms: Sequence[str], provider_terms: Sequence[str]) -> dict[str, list[str]]:
    """A request's areas of need the provider covers and lacks, term by term."""
    offered = set(provider_terms)
    return {
        "covers": [t for t in request_terms if t in offered],
        "lacks": [t for t in request_terms if t not in offered],
    }


def explanation(
    found: engine.Match, request: SupportRequest, providers: Mapping[int, SupportProvider]
) -> dict[str, Any]:
    """What a stored proposal keeps of the engine's reasons: why this provider (its cost
    components and fit), and the next best alternatives with why each lost."""
    chosen = providers[found.provider_id]
    return {
        "why": found.why,
        "days": found.days,
        "cost": cost_json(found.cost),
        **fit(request.areas, chosen.expertise),
        "alternatives": [
            {
                "provider": alt.provider_id,
                "reason": alt.reason,
                "detail": alt.detail,
                "taken_by": list(alt.taken_by),
                "cost": cost_json(alt.cost),
                **fit(request.areas, providers[alt.provider_id].expertise),
            }
            for alt in found.alternatives
        ],
    }


def totals_json(result: engine.MatchingResult, inputs: Inputs) -> dict[str, Any]:
    """The run's totals beside the greedy baseline's, and every request left unmatched.

    ``capacity`` says the run counted places by band: its cost is then the least any
    matching of these requests to these places can have (the flow is exact), which the
    board says. Runs stored before kept ``lower_bound``, ``proven_optimal`` and
    ``split_requests`` instead; the board ignores those keys."""
    unmatched = [
        {"request": u.request_id, "reason": u.reason, "detail": u.detail} for u in result.unmatched
    ]
    unmatched += [
        {"request": u.request_id, "reason": u.reason, "detail": u.detail} for u in inputs.left_out
    ]
    return {
        "requests": len(inputs.rows),
        "providers": len(inputs.providers),
        "matched": len(result.matches),
        "objective": points(result.cost),
        "capacity": CAPACITY,
        "greedy_cost": points(result.greedy_cost),
        "greedy_matched": result.greedy_matched,
        "arcs": result.arcs,
        "unmatched": sorted(unmatched, key=lambda u: u["request"]),
    }


def settings_json(settings: engine.Settings) -> dict[str, Any]:
    return {**asdict(settings), "vocabulary": "ADR 0011 terms read as engine areas"}


def solve(inputs: Inputs, settings: engine.Settings) -> engine.MatchingResult:
    """The least-cost matching of the inputs to the places left, with the greedy
    baseline beside it."""
    return engine.match(inputs.requests, inputs.providers, settings)


def proposals(
    result: engine.MatchingResult, inputs: Inputs, providers: Mapping[int, SupportProvider]
) -> list[ProposedMatch]:
    """The engine's matches as the proposals a run stores, costs in points."""
    return [
        ProposedMatch(
            request_id=found.request_id,
            provider_id=found.provider_id,
            cost=points(found.cost.total),
            explanation=explanation(found, inputs.rows[found.request_id], providers),
        )
        for found in result.matches
    ]


def run_matching(
    *, actor: Actor, la_code: int, as_at: date, independence: str = "strict"
) -> MatchingRun:
    """Match every open request of an LA to its directory as at ``as_at`` and store the
    run: the least-cost proposals with their explanations, the greedy baseline's cost
    beside theirs, and why any request went unmatched. Earlier proposals still
    awaiting a decision are superseded (see :func:`store_matching_run`)."""
    if independence not in INDEPENDENCE_RULES:
        raise ValueError(f"independence must be one of {', '.join(INDEPENDENCE_RULES)}")
    settings = engine.Settings(independence=cast(IndependenceRule, independence))
    inputs = matching_inputs(la_code, as_at, settings)
    result = solve(inputs, settings)
    providers = SupportProvider.objects.in_bulk([p.id for p in inputs.providers])
    return store_matching_run(
        actor=actor,
        la_code=la_code,
        as_at=as_at,
        method=f"{result.method} over places, with greedy baseline"[:60],
        proposals=proposals(result, inputs, providers),
        settings=settings_json(settings),
        totals=totals_json(result, inputs),
    )
