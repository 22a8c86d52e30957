"""Factories for the register: local authorities, establishments and links between URNs."""

from __future__ import annotations

from datetime import date
from typing import Any

from factory.declarations import LazyAttribute, Sequence
from factory.django import DjangoModelFactory
from factory.faker import Faker

from convenor.schools.models import (
    Establishment,
    EstablishmentLink,
    Group,
    GroupMembership,
    LocalAuthority,
    UrnLookup,
)


class LocalAuthorityFactory(DjangoModelFactory[LocalAuthority]):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = 850
    name = LazyAttribute(lambda la: "Hampshire" if la.code == 850 else f"LA {la.code}")
    source_file = "factory"


class EstablishmentFactory(DjangoModelFactory[Establishment]):
    """An open Hampshire primary in Winchester unless told otherwise."""

    class Meta:
        model = Establishment

    urn = Sequence(lambda n: 900000 + n)
    la_code = 850
    name = Faker("company", locale="en_GB")
    type_name = "Community school"
    phase = "Primary"
    status = "Open"
    district = "Winchester"
    town = Faker("city", locale="en_GB")
    postcode = Faker("postcode", locale="en_GB")
    register_as_at = date(2019, 11, 7)
    source_file = "factory"


class EstablishmentLinkFactory(DjangoModelFactory[EstablishmentLink]):
    """``link_urn`` is ``urn``'s ``link_type``: by default its predecessor."""

    class Meta:
        model = EstablishmentLink

    link_type = "Predecessor"
    source_file = "factory"


class GroupFactory(DjangoModelFactory[Group]):
    """An open multi-academy trust."""

    class Meta:
        model = Group

    uid = Sequence(lambda n: 50000 + n)
    name = Faker("company", locale="en_GB")
    group_type = "Multi-academy trust"
    status = "Open"
    source_file = "factory"


class GroupMembershipFactory(DjangoModelFactory[GroupMembership]):
    """``urn`` belongs to the group ``group_uid``; ``group_type`` should match the group's."""

    class Meta:
        model = GroupMembership

    group_type = "Multi-academy trust"
    source_file = "factory"


class UrnLookupFactory(DjangoModelFactory[UrnLookup]):
    """GIAS's map of ``old_urn`` to the newest URN it led to."""

    class Meta:
        model = UrnLookup

    source_file = "factory"


def open_school(**fields: Any) -> Establishment:
    """An open, LA-maintained Hampshire primary unless told otherwise."""
    defaults: dict[str, Any] = {
        "is_state_funded": True,
        "is_academy": False,
        "type_group": "Local authority maintained schools",
    }
    return EstablishmentFactory.create(**(defaults | fields))
