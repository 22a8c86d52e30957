"""Synthetic partnerships for the demo: the three tiers, their meetings, the credits
exchange and traded services, made up from a seed and labelled so.

Part of the demo's synthetic brokerage (:mod:`convenor.demo.synthetic_brokerage`, whose
docstring tells the story and the rules every part keeps).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from convenor.brokerage import services as s
from convenor.brokerage.models import (
    AccountKind,
    CreditAccount,
    MemberRole,
    Partnership,
    PartnershipKind,
    Strength,
)
from convenor.demo.synthetic_brokerage import ACTOR, MARK, STARTS, BrokerageReport
from convenor.schools.models import Establishment

# --- Partnerships ------------------------------------------------------------------------


def _partnership(
    report: BrokerageReport,
    *,
    la_code: int,
    kind: str,
    name: str,
    area: str = "",
    parent: Partnership | None = None,
) -> Partnership:
    report.structures += 1
    return s.create_partnership(
        actor=ACTOR,
        la_code=la_code,
        kind=kind,
        name=name,
        area=area,
        parent=parent,
        starts=STARTS,
        synthetic=True,
    )


def _member(
    report: BrokerageReport,
    p: Partnership,
    urn: int,
    role: str = MemberRole.MEMBER,
    strength: str = Strength.FORMAL,
) -> None:
    report.memberships += 1
    s.add_member(p, actor=ACTOR, urn=urn, starts=STARTS, role=role, strength=strength)


def seed_partnerships(
    rng: random.Random, la_code: int, schools: Sequence[Establishment], report: BrokerageReport
) -> tuple[dict[str, Partnership], dict[int, Partnership]]:
    """The three tiers and a learning network; returns boards by area and each clustered
    school's cluster."""
    by_area: dict[str, list[int]] = defaultdict(list)
    for school in schools:
        by_area[school.district].append(school.urn)
    strategic = _partnership(
        report, la_code=la_code, kind=PartnershipKind.STRATEGIC, name="Schools Partnership"
    )
    network = _partnership(
        report, la_code=la_code, kind=PartnershipKind.LEARNING_NETWORK, name="Maths network"
    )
    boards: dict[str, Partnership] = {}
    cluster_of: dict[int, Partnership] = {}
    for n, (area, urns) in enumerate(sorted(by_area.items())):
        board = _partnership(
            report,
            la_code=la_code,
            kind=PartnershipKind.AREA_BOARD,
            name=f"{area} Board",
            area=area,
            parent=strategic,
        )
        boards[area] = board
        shuffled = rng.sample(urns, len(urns))
        outside = max(1, round(len(shuffled) * 0.15))
        for k, urn in enumerate(shuffled[:outside]):
            if k % 2 == 0:  # half on the network's list only, half in nothing at all
                _member(report, network, urn, strength=Strength.WEAK)
        clustered = shuffled[outside:]
        count = 3 if len(clustered) >= 45 else 2
        for c in range(count):
            members = clustered[c::count]
            if not members:
                continue
            cluster = _partnership(
                report,
                la_code=la_code,
                kind=PartnershipKind.CLUSTER,
                name=f"{area} Cluster {'ABC'[c]}",
                area=area,
                parent=board,
            )
            for k, urn in enumerate(members):
                role = (MemberRole.CHAIR, MemberRole.LEAD_HEAD)[k] if k < 2 else MemberRole.MEMBER
                weak = k >= 2 and rng.random() < 0.1
                _member(
                    report, cluster, urn, role=role, strength=Strength.WEAK if weak else "formal"
                )
                cluster_of[urn] = cluster
            _member(report, board, members[0], role=MemberRole.CHAIR if c == 0 else "member")
        _member(report, strategic, clustered[0], role=MemberRole.CHAIR if n == 0 else "member")
    return boards, cluster_of


def seed_meetings(rng: random.Random, la_code: int, report: BrokerageReport) -> None:
    """Autumn term 2019: two meetings of each cluster and board, one of the strategic
    partnership. Each school has a keenness drawn from the seed: most come nearly always,
    a quarter seldom."""
    keen: dict[int, float] = {}
    plan = {
        PartnershipKind.CLUSTER: (date(2019, 10, 2), date(2019, 11, 27)),
        PartnershipKind.AREA_BOARD: (date(2019, 10, 16), date(2019, 12, 4)),
        PartnershipKind.STRATEGIC: (date(2019, 12, 11),),
    }
    for p in Partnership.objects.filter(la_code=la_code, synthetic=True).order_by("pk"):
        for first in plan.get(PartnershipKind(p.kind), ()):
            day = first + timedelta(days=rng.randint(0, 6))
            members = sorted(p.memberships.in_force(day).values_list("urn", flat=True))
            for urn in members:
                keen.setdefault(urn, 0.9 if rng.random() < 0.75 else 0.35)
            attendance = {urn: rng.random() < keen[urn] for urn in members}
            s.record_meeting(
                p, actor=ACTOR, held_on=day, title=f"{p.name} meeting", attendance=attendance
            )
            report.meetings += 1


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
