"""The demo's synthetic support: category decisions, requests, a matching run and its
decisions, plans with visits, reviews, ratings, funding; the credits exchange and traded
services. Called by :func:`convenor.demo.synthetic_brokerage.seed_brokerage`; the rules
of the made-up data (seeded, labelled, blind to outcomes) are that module's."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from convenor.brokerage import services as s
from convenor.brokerage.capacity import BANDS
from convenor.brokerage.models import (
    Band,
    Fund,
    FundingSource,
    Match,
    Partnership,
    SupportPlan,
    SupportProvider,
    SupportRequest,
    Urgency,
)
from convenor.brokerage.services import ProposedMatch
from convenor.demo.synthetic import synthetic_author
from convenor.demo.synthetic_brokerage import (
    ACTOR,
    MARK,
    SHARED_AREAS,
    BrokerageReport,
    Cohort,
    _areas_for,
    _phase,
)
from convenor.intelligence.categorisation import confirm_category, propose
from convenor.intelligence.models import CategoryDecision, DecidedAs
from convenor.schools.models import Establishment

VISIT_DAYS: dict[str, Decimal] = {
    Band.HIGH: Decimal(2),
    Band.MEDIUM: Decimal(1),
    Band.LOW: Decimal("0.5"),
}


# --- Decisions and requests --------------------------------------------------------------


def decisions(
    rng: random.Random, la_code: int, cohort: Cohort, pool: Sequence[Establishment]
) -> list[CategoryDecision]:
    """Support-and-challenge decisions as at the cohort's date: those the LA has then,
    else new ones at schools drawn from ``pool`` by the seed alone."""
    urns = [school.urn for school in pool]
    found = list(
        CategoryDecision.objects.filter(
            urn__in=urns,
            as_at__gt=cohort.decided - timedelta(days=90),
            as_at__lte=cohort.decided,
            decided_category__eligible_for_brokered_support=True,
        ).order_by("as_at", "pk")[: cohort.schools]
    )
    if found:
        return found
    drawn = rng.sample(urns, min(len(urns), cohort.schools * 3))
    proposals = {p.school.urn: p for p in propose(cohort.decided, la_code, urns=drawn)}
    author = synthetic_author()
    for urn in drawn:
        proposal = proposals.get(urn)
        if proposal is None or proposal.framework is None or proposal.track != "maintained":
            continue
        order = 4 if rng.random() < 0.25 else 3
        found.append(
            confirm_category(
                proposal,
                actor=author,
                decided_category=proposal.framework.categories.get(order=order),
                decided_as=DecidedAs.OFFICER,
                rationale=f"{MARK} Decided for the demo, not a real judgement.",
            )
        )
        if len(found) == cohort.schools:
            break
    return found


def raise_requests(
    rng: random.Random,
    prompted: Sequence[CategoryDecision],
    schools: Mapping[int, Establishment],
    report: BrokerageReport,
) -> None:
    for decision in prompted:
        high = decision.decided_category.order >= 4
        phase = _phase(schools[decision.urn])
        areas = [str(rng.choice(SHARED_AREAS))]
        areas += [a for a in _areas_for(rng, phase, 2) if a not in areas][:1]
        s.raise_request(
            actor=ACTOR,
            urn=decision.urn,
            areas=areas,
            intensity=Band.HIGH if high else rng.choice((Band.MEDIUM, Band.MEDIUM, Band.LOW)),
            urgency=Urgency.URGENT if high else Urgency.THIS_TERM,
            funding_source=FundingSource.BOARD_FUND
            if rng.random() < 0.8
            else FundingSource.SCHOOL_BUDGET,
            raised_on=decision.as_at + timedelta(days=4),
            notes=f"{MARK} Invented needs analysis.",
            prompted_by=decision,
            synthetic=True,
        )
        report.requests += 1


# --- Proposals ----------------------------------------------------------------------------


def _km(school: Establishment, provider: SupportProvider) -> float | None:
    if school.easting is None or school.northing is None:
        return None
    return math.hypot(school.easting - provider.easting, school.northing - provider.northing) / 1e3


def candidates(
    request: SupportRequest,
    school: Establishment,
    providers: Sequence[SupportProvider],
    cluster_of: Mapping[int, Partnership],
) -> list[tuple[float, SupportProvider, dict[str, Any]]]:
    """Providers fitting the request (phase, at least one area, places in its band, not
    from the school's own cluster: the strict independence rule), cheapest first, with
    their costs."""
    found = []
    own = cluster_of.get(school.urn)
    for p in providers:
        if _phase(school) not in p.phases or p.home_urn == school.urn:
            continue
        if not p.places[request.intensity]:
            continue
        if own is not None and p.home_urn is not None and cluster_of.get(p.home_urn) == own:
            continue
        covers = [a for a in request.areas if a in p.expertise]
        if not covers:
            continue
        km = _km(school, p)
        parts = {
            "km": None if km is None else round(km, 1),
            "distance": round((km or 20.0) * 0.2, 2),
            "expertise": 10.0 * (len(request.areas) - len(covers)),
            "track_record": 0.0,
            "price": float(p.cost_per_day or 0) / 100,
            "independence": 0.0,
        }
        per_day = round(sum(v for k, v in parts.items() if k != "km" and v is not None), 2)
        total = round(per_day * float(request.days_per_term), 2)
        fit = {"covers": covers, "lacks": [a for a in request.areas if a not in covers]}
        found.append((total, p, {**parts, "per_day": per_day, "total": total, **fit}))
    found.sort(key=lambda c: (c[0], c[1].pk))
    return found


def places_left(providers: Iterable[SupportProvider]) -> dict[int, dict[str, int]]:
    """Each provider's places left by band: offered less those live assignments hold."""
    rows = list(providers)
    held = Match.objects.places_held(p.pk for p in rows)
    return {p.pk: {b: max(p.places[b] - held[p.pk][b], 0) for b in BANDS} for p in rows}


def _alternative(
    candidate: tuple[float, SupportProvider, dict[str, Any]],
    chosen_total: float,
    band: str,
    left: Mapping[str, int],
    taken_by: Sequence[int],
) -> dict[str, Any]:
    """An alternative as the engine explains one: cheaper (or as cheap) but with no place
    left in the band is "full", as cheap with a place a "tie", the rest "dearer"."""
    cost, provider, parts = candidate
    taken: list[int] = []
    if cost <= chosen_total and left[band] < 1:
        taken = list(taken_by)
        held = "taken by earlier requests of this run" if taken else "held by approved matches"
        reason, detail = "full", f"no {band}-intensity place left: {held}"
    elif cost == chosen_total:
        reason, detail = "tie", "costs the same; the other came first"
    else:
        reason, detail = "dearer", f"costs {cost - chosen_total:.2f} points more"
    fit = {k: parts[k] for k in ("covers", "lacks")}
    return {
        "provider": provider.pk,
        "reason": reason,
        "detail": detail,
        "taken_by": taken,
        "cost": {k: v for k, v in parts.items() if k not in fit},
        **fit,
    }


def build_proposals(
    requests: Sequence[SupportRequest],
    schools: Mapping[int, Establishment],
    providers: Sequence[SupportProvider],
    cluster_of: Mapping[int, Partnership],
) -> list[ProposedMatch]:
    """The cheapest fitting provider with a place left in the request's band for each
    request, oldest first, explained as the brokerage board shows a run's proposals:
    the next three fitting providers, those cheaper ones whose places in the band went
    first being "full"."""
    left = places_left(providers)
    took: dict[tuple[int, str], list[int]] = defaultdict(list)
    made = []
    for request in requests:
        band = request.intensity
        fitting = candidates(request, schools[request.urn], providers, cluster_of)
        chosen = next((c for c in fitting if left[c[1].pk][band] >= 1), None)
        if chosen is None:
            continue
        total, provider, cost = chosen
        others = [c for c in fitting if c[1].pk != provider.pk][:3]
        alternatives = [
            _alternative(c, total, band, left[c[1].pk], took[(c[1].pk, band)]) for c in others
        ]
        left[provider.pk][band] -= 1
        took[(provider.pk, band)].append(request.pk)
        fit = {k: cost.pop(k) for k in ("covers", "lacks")}
        explanation = {
            "why": f"The nearest fitting provider with a {band}-intensity place left: it "
            f"covers {len(fit['covers'])} of {len(request.areas)} areas of need.",
            "days": int(Decimal(request.days_per_term)),
            "cost": cost,
            **fit,
            "alternatives": alternatives,
            "synthetic": True,
        }
        made.append(ProposedMatch(request.pk, provider.pk, total, explanation))
    return made


# --- Plans --------------------------------------------------------------------------------


def _fund_for(plan: SupportPlan, school: Establishment, funds: Mapping[str, Fund]) -> Fund | None:
    if plan.request.funding_source != FundingSource.BOARD_FUND:
        return None
    return funds.get(school.district)


def run_plan(
    rng: random.Random,
    match: Match,
    cohort: Cohort,
    school: Establishment,
    funds: Mapping[str, Fund],
    *,
    outcome: str,
    report: BrokerageReport,
) -> SupportPlan:
    """A plan for an approved match, its visits, reviews, funding and (once it is over, or
    for a live plan by chance) its rating. ``outcome``: complete, stop or live."""
    first, *later = cohort.reviews
    plan = s.create_plan(
        match,
        actor=ACTOR,
        objectives=f"{MARK} Invented objectives: secure leadership of the areas of need.",
        starts=cohort.starts,
        ends=cohort.ends,
        next_review_on=first,
        milestones=[
            ("Action plan agreed", cohort.starts + timedelta(days=21)),
            ("Progress checked with governors", first - timedelta(days=7)),
        ],
    )
    report.plans += 1
    fund = _fund_for(plan, school, funds)
    if fund is not None and s.fund_position(fund).uncommitted < plan.tariff_amount:
        fund = None  # the board's fund is spoken for: the plan goes unfunded from it
    if fund is not None:
        s.commit_funds(plan, fund, actor=ACTOR, amount=plan.tariff_amount, committed_on=plan.starts)
    stop_on = later[0] if outcome == "stop" else cohort.last_visit
    day = cohort.starts + timedelta(days=7)
    while day <= min(stop_on, cohort.last_visit):
        s.log_visit(plan, actor=ACTOR, visited_on=day, days=VISIT_DAYS[plan.tariff_band], note=MARK)
        day += timedelta(days=21)
    reviews = [first] if outcome == "live" else cohort.reviews[: 2 if outcome == "stop" else 3]
    spent = Decimal(0)
    for n, on in enumerate(reviews):
        last = n == len(reviews) - 1
        decision = "continue" if not last or outcome == "live" else outcome
        following = cohort.reviews[n + 1] if decision == "continue" else None
        s.review_plan(
            plan,
            actor=ACTOR,
            decision=decision,
            reason=f"{MARK} Invented review.",
            reviewed_on=on,
            next_review_on=following,
        )
        if fund is not None:
            amount = (
                (plan.tariff_amount - spent)
                if last and outcome == "complete"
                else ((plan.tariff_amount * Decimal("0.4")).quantize(Decimal("0.01")))
            )
            s.record_spend(
                plan, fund, actor=ACTOR, amount=amount, spent_on=on - timedelta(days=7), note=MARK
            )
            spent += amount
    if fund is not None and outcome == "stop":
        s.release_funds(
            plan, fund, actor=ACTOR, amount=plan.tariff_amount - spent, released_on=reviews[-1]
        )
    if outcome != "live" or rng.random() < 0.3:
        s.rate_support(
            plan,
            actor=ACTOR,
            score=rng.choice((3, 4, 4, 5, 5)),
            review=f"{MARK} Invented review of the support.",
            rated_on=reviews[-1] + timedelta(days=10),
        )
    report.completed += outcome == "complete"
    return plan


def _override_to(
    match: Match,
    school: Establishment,
    providers: Sequence[SupportProvider],
    cluster_of: Mapping[int, Partnership],
    prefer: set[int],
) -> SupportProvider | None:
    band = match.request.intensity
    fitting = [p for _, p, _ in candidates(match.request, school, providers, cluster_of)]
    left = places_left(fitting)
    fitting = [p for p in fitting if p.pk != match.provider_id and left[p.pk][band] >= 1]
    preferred = [p for p in fitting if p.pk in prefer]
    found = preferred or fitting
    return found[0] if found else None


def board_roles(count: int, *, later: bool, preferred: set[int], full: set[int]) -> list[str]:
    """What the board does with each of a run's ``count`` proposals, in order.

    The second is rejected. In 2019 (``later``) all but eight are left for the board,
    those with a "full" alternative first (so the board shows one), then the last. One
    of the rest is overridden: the first that a provider the demo system leader manages
    could take (``preferred``), else the first. In 2017 the fourth and seventh are
    approved and their plans stopped; every other is approved.
    """
    roles = ["approve"] * count
    if count > 1:
        roles[1] = "reject"
    if later and count > 8:
        open_ = [n for n in range(2, count)]
        chosen = [n for n in open_ if n in full] + sorted(open_, reverse=True)
        for n in list(dict.fromkeys(chosen))[: count - 8]:
            roles[n] = "leave"
    elif not later:
        for n in (3, 6):
            if n < count:
                roles[n] = "stop"
    free = [n for n, role in enumerate(roles) if role == "approve"]
    if free:
        roles[next((n for n in free if n in preferred), free[0])] = "override"
    return roles


def seed_cohort(
    draw: random.Random,
    rng: random.Random,
    la_code: int,
    cohort: Cohort,
    pool: Sequence[Establishment],
    providers: Sequence[SupportProvider],
    cluster_of: Mapping[int, Partnership],
    funds: Mapping[str, Fund],
    *,
    prefer: set[int],
    report: BrokerageReport,
) -> list[int]:
    """One cohort, from decisions to plans: what the board does with each proposal is
    :func:`board_roles`' (one overridden, one rejected; in 2017 the rest approved, two
    plans stopped at a review and the rest completed; in 2019 eight decided and the rest
    left for the board). Returns the schools supported.

    ``draw`` chooses the schools and their needs and nothing else, so which schools are
    in difficulty never depends on the providers, and so on inspections; ``rng`` makes
    up the rest (ratings)."""
    schools = {school.urn: school for school in pool}
    prompted = decisions(draw, la_code, cohort, pool)
    raise_requests(draw, prompted, schools, report)
    waiting = list(SupportRequest.objects.for_matching(la_code, cohort.run_as_at))
    schools |= Establishment.objects.in_bulk([r.urn for r in waiting if r.urn not in schools])
    proposals = build_proposals(waiting, schools, providers, cluster_of)
    run = s.store_matching_run(
        actor=ACTOR,
        la_code=la_code,
        as_at=cohort.run_as_at,
        method="demo: nearest fitting provider",
        proposals=proposals,
        settings={"independence": "strict", "synthetic": True},
        totals={"requests": len(waiting), "matched": len(proposals), "synthetic": True},
    )
    later = cohort.reviews[0].year >= 2020
    matches = list(run.matches.select_related("request", "provider").order_by("pk"))
    preferred = {
        n
        for n, m in enumerate(matches)
        if (other := _override_to(m, schools[m.request.urn], providers, cluster_of, prefer))
        and other.pk in prefer
    }
    full = {
        n
        for n, m in enumerate(matches)
        if any(a["reason"] == "full" for a in m.explanation.get("alternatives", []))
    }
    roles = board_roles(len(matches), later=later, preferred=preferred, full=full)
    approved: list[tuple[Match, str]] = []
    for n, match in enumerate(matches):
        role, school = roles[n], schools[match.request.urn]
        other = _override_to(match, school, providers, cluster_of, prefer)
        if role == "override" and other is not None:
            chosen = s.override_match(
                match,
                actor=ACTOR,
                provider=other,
                reason=f"{MARK} Knows the school's context.",
                on=cohort.decide_on,
            )
            approved.append((chosen, "live" if later else "complete"))
        elif role == "reject":
            s.reject_match(
                match, actor=ACTOR, reason=f"{MARK} Too far to travel.", on=cohort.decide_on
            )
        elif role == "leave":
            continue  # left for the board to decide
        elif places_left([match.provider])[match.provider_id][match.request.intensity] < 1:
            continue  # an override took the provider's last place in the band: the board decides
        else:
            s.approve_match(match, actor=ACTOR, on=cohort.decide_on)
            approved.append((match, "live" if later else "stop" if role == "stop" else "complete"))
    for match, outcome in approved:
        match.refresh_from_db()
        run_plan(
            rng, match, cohort, schools[match.request.urn], funds, outcome=outcome, report=report
        )
    return [d.urn for d in prompted]


# --- Credits and traded services ----------------------------------------------------------
