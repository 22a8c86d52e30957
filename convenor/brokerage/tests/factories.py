"""Factories for brokerage, by default in Hampshire (LA 850) in the 2019/20 school year.

Model factories build rows directly, for tests that need a starting state. The
helpers at the bottom (:func:`approved_match`, :func:`live_plan`) go through the
services, so the state they leave is one the services could have made.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.faker import Faker

from convenor.brokerage.models import (
    AccountKind,
    Band,
    CreditAccount,
    Designation,
    Expertise,
    FeeRule,
    Fund,
    FundingSource,
    Match,
    MemberRole,
    PackageKind,
    Partnership,
    PartnershipKind,
    PartnershipMembership,
    ProviderKind,
    Strength,
    SupportPhase,
    SupportPlan,
    SupportProvider,
    SupportRequest,
    TradedService,
    Urgency,
)
from convenor.brokerage.services import approve_match, create_plan
from convenor.core.models import AuditEvent
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

YEAR_START = date(2019, 9, 1)


def hampshire_school(**values: Any) -> Establishment:
    """An open Hampshire primary in Winchester with a location (LA 850 made if need be)."""
    LocalAuthorityFactory.create(code=850)
    fields: dict[str, Any] = {"easting": 448000, "northing": 129000, "pupils": 210}
    return EstablishmentFactory.create(**{**fields, **values})


class PartnershipFactory(DjangoModelFactory[Partnership]):
    """A Winchester cluster running since September 2018."""

    class Meta:
        model = Partnership

    la_code = 850
    kind = PartnershipKind.CLUSTER
    name = Sequence(lambda n: f"Cluster {n}")
    area = "Winchester"
    starts = date(2018, 9, 1)


class MembershipFactory(DjangoModelFactory[PartnershipMembership]):
    class Meta:
        model = PartnershipMembership

    partnership = SubFactory(PartnershipFactory)
    urn = LazyFunction(lambda: hampshire_school().urn)
    role = MemberRole.MEMBER
    strength = Strength.FORMAL
    starts = date(2018, 9, 1)


class SupportProviderFactory(DjangoModelFactory[SupportProvider]):
    """A primary leadership NLE in Winchester from January 2018 with two places a term in
    each intensity band (42 days)."""

    class Meta:
        model = SupportProvider

    la_code = 850
    name = Faker("name", locale="en_GB")
    kind = ProviderKind.PERSON
    designation = Designation.NLE
    expertise = LazyFunction(lambda: [Expertise.LEADERSHIP.value])
    phases = LazyFunction(lambda: [SupportPhase.PRIMARY.value])
    places_high = 2
    places_medium = 2
    places_low = 2
    easting = 450000
    northing = 130000
    available_from = date(2018, 1, 1)
    cost_per_day = Decimal("450")


class SupportRequestFactory(DjangoModelFactory[SupportRequest]):
    """An open high-intensity leadership request from a new Hampshire school."""

    class Meta:
        model = SupportRequest

    urn = LazyFunction(lambda: hampshire_school().urn)
    la_code = 850
    areas = LazyFunction(lambda: [Expertise.LEADERSHIP.value])
    intensity = Band.HIGH
    urgency = Urgency.THIS_TERM
    funding_source = FundingSource.BOARD_FUND
    days_per_term = Decimal("12")
    raised_on = YEAR_START


class MatchFactory(DjangoModelFactory[Match]):
    """A proposal awaiting a decision (no run: tests of runs make their own)."""

    class Meta:
        model = Match

    request = SubFactory(SupportRequestFactory)
    provider = SubFactory(SupportProviderFactory)
    cost = 1.0
    explanation = LazyFunction(dict)


class FundFactory(DjangoModelFactory[Fund]):
    """A Winchester board's £100,000 fund for the 2019/20 financial year."""

    class Meta:
        model = Fund

    la_code = 850
    partnership = SubFactory(
        PartnershipFactory, kind=PartnershipKind.AREA_BOARD, name="Winchester board"
    )
    name = "Winchester board fund"
    period_start = date(2019, 4, 1)
    period_end = date(2020, 3, 31)
    budget = Decimal("100000")


class CreditAccountFactory(DjangoModelFactory[CreditAccount]):
    """A school's credits account, opened in September 2019."""

    class Meta:
        model = CreditAccount

    la_code = 850
    kind = AccountKind.SCHOOL
    urn = LazyFunction(lambda: hampshire_school().urn)
    name = LazyAttribute(lambda a: f"School {a.urn}" if a.urn else "Credits scheme")
    opened_on = YEAR_START


class TradedServiceFactory(DjangoModelFactory[TradedService]):
    """Tower Hamlets-style membership: £5 a pupil, capped at £1,500, for 2019/20."""

    class Meta:
        model = TradedService

    la_code = 850
    name = "School improvement membership"
    package = PackageKind.BUY_BACK
    fee_rule = FeeRule.PER_PUPIL
    per_pupil_fee = Decimal("5")
    fee_cap = Decimal("1500")
    period_start = date(2019, 4, 1)
    period_end = date(2020, 3, 31)


def approved_match(actor: Any = "test", on: date = date(2019, 9, 10), **values: Any) -> Match:
    """A proposal (made by :class:`MatchFactory` with ``values``) approved through the service."""
    return approve_match(MatchFactory.create(**values), actor=actor, on=on)


def live_plan(actor: Any = "test", **values: Any) -> SupportPlan:
    """A plan for an approved high-band match, from 1 October 2019 to 31 July 2020."""
    return create_plan(
        approved_match(actor, **values),
        actor=actor,
        objectives="Stabilise leadership and raise KS2 reading.",
        starts=date(2019, 10, 1),
        ends=date(2020, 7, 31),
        next_review_on=date(2020, 1, 15),
        milestones=[("Leadership review done", date(2019, 11, 30))],
    )


def latest_event(action: str) -> AuditEvent:
    """The newest audit event of ``action`` (one must exist)."""
    event = AuditEvent.objects.filter(action=action).order_by("-pk").first()
    assert event is not None, f"no {action} event"
    return event
