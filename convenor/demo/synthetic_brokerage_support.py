"""The demo's synthetic support: category decisions, requests, a matching run and its
decisions, plans with visits, reviews, ratings, funding; the credits exchange and traded
services. Called by :func:`convenor.demo.synthetic_brokerage.seed_brokerage`; the rules
of the made-up data (seeded, labelled, blind to outcomes) are that module's."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from convenor.brokerage import services as s
from convenor.brokerage.models import (
    AccountKind,
    Band,
    CreditAccount,
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
    """Providers fitting the request (phase, at least one area, not from the school's
    own cluster: the strict independence rule), cheapest first, with their costs."""
    found = []
    own = cluster_of.get(school.urn)
    for p in providers:
        if _phase(school) not in p.phases or p.home_urn == school.urn:
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


def build_proposals(
    requests: Sequence[SupportRequest],
    schools: Mapping[int, Establishment],
    providers: Sequence[SupportProvider],
    cluster_of: Mapping[int, Partnership],
) -> list[ProposedMatch]:
    """The cheapest fitting provider with days left for each request, oldest first,
    explained as the brokerage board shows a run's proposals."""
    left = {
        p.pk: Decimal(p.capacity_days_per_term) - Match.objects.days_held(p.pk) for p in providers
    }
    made = []
    for request in requests:
        fitting = candidates(request, schools[request.urn], providers, cluster_of)
        days = Decimal(request.days_per_term)
        chosen = next((c for c in fitting if left[c[1].pk] >= days), None)
        if chosen is None:
            continue
        total, provider, cost = chosen
        left[provider.pk] -= days
        others = [c for c in fitting if c[1].pk != provider.pk][:3]
        fit = {k: cost.pop(k) for k in ("covers", "lacks")}
        explanation = {
            "why": f"The nearest fitting provider with days left: it covers "
            f"{len(fit['covers'])} of {len(request.areas)} areas of need.",
            "days": int(days),
            "cost": cost,
            **fit,
            "alternatives": [
                {
                    "provider": p.pk,
                    "reason": "dearer",
                    "detail": f"costs {c - total:.2f} points more",
                    "taken_by": [],
                    "cost": {k: v for k, v in alt.items() if k not in ("covers", "lacks")},
                    "covers": alt["covers"],
                    "lacks": alt["lacks"],
                }
                for c, p, alt in others
            ],
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
    days = Decimal(match.request.days_per_term)
    fitting = [
        p
        for _, p, _ in candidates(match.request, school, providers, cluster_of)
        if p.pk != match.provider_id
        and Decimal(p.capacity_days_per_term) - Match.objects.days_held(p.pk) >= days
    ]
    preferred = [p for p in fitting if p.pk in prefer]
    found = preferred or fitting
    return found[0] if found else None


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
    """One cohort, from decisions to plans. The run's first proposal is overridden (to a
    provider the demo system leader manages when one fits), the second rejected; in 2017
    every other is approved (two plans stopped at a review, the rest completed), in 2019
    six are approved and the rest left for the board. Returns the schools supported.

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
    approved: list[tuple[Match, str]] = []
    for n, match in enumerate(run.matches.select_related("request", "provider").order_by("pk")):
        school = schools[match.request.urn]
        other = _override_to(match, school, providers, cluster_of, prefer) if n == 0 else None
        if other is not None:
            chosen = s.override_match(
                match,
                actor=ACTOR,
                provider=other,
                reason=f"{MARK} Knows the school's context.",
                on=cohort.decide_on,
            )
            approved.append((chosen, "live" if later else "complete"))
        elif n == 1:
            s.reject_match(
                match, actor=ACTOR, reason=f"{MARK} Too far to travel.", on=cohort.decide_on
            )
        elif later and n >= 8:
            continue  # left for the board to decide
        else:
            s.approve_match(match, actor=ACTOR, on=cohort.decide_on)
            stop = not later and n in (3, 6)
            approved.append((match, "live" if later else "stop" if stop else "complete"))
    for match, outcome in approved:
        match.refresh_from_db()
        run_plan(
            rng, match, cohort, schools[match.request.urn], funds, outcome=outcome, report=report
        )
    return [d.urn for d in prompted]


# --- Credits and traded services ----------------------------------------------------------


def seed_credits(
    rng: random.Random, la_code: int, urns: Sequence[int], report: BrokerageReport
) -> None:
    """The credits scheme from September 2019: 20 credits a school, then exchanges through
    the autumn, each only when the taker has the credits."""
    opened = date(2019, 9, 1)
    scheme = s.open_account(actor=ACTOR, la_code=la_code, opened_on=opened)
    accounts: list[CreditAccount] = []
    for urn in urns:
        account = s.open_account(actor=ACTOR, la_code=la_code, opened_on=opened, urn=urn)
        s.post_credit_transaction(
            actor=ACTOR,
            lines=[(scheme, -20), (account, 20)],
            posted_on=date(2019, 9, 2),
            description="Yearly allocation (synthetic)",
            synthetic=True,
        )
        accounts.append(account)
    report.accounts = len(accounts) + 1
    balance = {a.pk: 20 for a in accounts}
    days = sorted(date(2019, 9, 9) + timedelta(days=rng.randint(0, 95)) for _ in range(30))
    for day in days:
        provider, taker = rng.sample(accounts, 2)
        credits = rng.randint(2, 8)
        if balance[taker.pk] < credits:
            continue
        s.post_credit_transaction(
            actor=ACTOR,
            lines=[(taker, -credits), (provider, credits)],
            posted_on=day,
            description=rng.choice(
                ("Moderation support", "Subject leader coaching", "Phonics training day")
            )
            + " (synthetic)",
            synthetic=True,
        )
        balance[taker.pk] -= credits
        balance[provider.pk] += credits
        report.exchanges += 1
    assert CreditAccount.objects.filter(la_code=la_code, kind=AccountKind.SCHEME).count() == 1


def seed_traded(
    rng: random.Random,
    la_code: int,
    schools: Sequence[Establishment],
    head: int | None,
    report: BrokerageReport,
) -> None:
    """Two services for 2019/20 (a per-pupil membership capped at £1,500 and flat-price
    governor services), each bought by some schools."""
    start, end = date(2019, 4, 1), date(2020, 3, 31)
    membership = s.create_traded_service(
        actor=ACTOR,
        la_code=la_code,
        name="School improvement membership",
        package="buy_back",
        fee_rule="per_pupil",
        per_pupil_fee=Decimal(5),
        fee_cap=Decimal(1500),
        period_start=start,
        period_end=end,
        description=MARK,
        synthetic=True,
    )
    governors = s.create_traded_service(
        actor=ACTOR,
        la_code=la_code,
        name="Governor services",
        package="core",
        fee_rule="flat",
        price=Decimal(850),
        period_start=start,
        period_end=end,
        description=MARK,
        synthetic=True,
    )
    for school in schools:
        day = start + timedelta(days=rng.randint(0, 20))
        wants_membership = school.urn == head or rng.random() < 0.45
        if wants_membership and school.pupils is not None:
            s.subscribe(membership, actor=ACTOR, urn=school.urn, subscribed_on=day, synthetic=True)
            report.subscriptions += 1
        if rng.random() < 0.35:
            s.subscribe(governors, actor=ACTOR, urn=school.urn, subscribed_on=day, synthetic=True)
            report.subscriptions += 1
