"""Factories for intervention casework.

The case factories write rows directly, for tests of pages and reads; tests of the
rules go through :mod:`convenor.intelligence.services_interventions`.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from factory.declarations import LazyFunction, SubFactory
from factory.django import DjangoModelFactory

from convenor.core.models import Role
from convenor.core.tests.factories import sign_in_with_role
from convenor.intelligence.models import (
    AcademyConcern,
    InterimExecutiveBoard,
    InterventionPowerUse,
    WarningNotice,
    WarningNoticeCopy,
)
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import LocalAuthorityFactory, open_school


def maintained_school(**fields: Any) -> Establishment:
    """An open Hampshire community primary unless told otherwise."""
    return open_school(**({"type_name": "Community school"} | fields))


def academy(**fields: Any) -> Establishment:
    """An open Hampshire converter academy in a trust unless told otherwise."""
    defaults: dict[str, Any] = {
        "type_name": "Academy converter",
        "type_group": "Academies",
        "is_academy": True,
        "trust_name": "Solent Learning Trust",
    }
    return open_school(**(defaults | fields))


def page_text(response: Any) -> str:
    """A page's words: tags removed, entities decoded, spaces collapsed."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


def sign_in_officer(client: Client, la_code: int = 850) -> User:
    """A new LA officer for ``la_code``, signed in."""
    LocalAuthorityFactory.create(code=la_code)
    return sign_in_with_role(client, Role.LA_OFFICER, la_code=la_code)


def sign_in_school_leader(client: Client, school: Establishment) -> User:
    """A new leader of ``school``, signed in."""
    return sign_in_with_role(client, Role.SCHOOL_LEADER, school_urn=school.urn)


class WarningNoticeFactory(DjangoModelFactory[WarningNotice]):
    """An LA's performance standards and safety notice (ground a) given on 2 September 2019,
    with a compliance period to 31 October 2019, at a new maintained school."""

    class Meta:
        model = WarningNotice

    urn = LazyFunction(lambda: maintained_school().urn)
    kind = "s60"
    ground_low_standards = True
    issued_on = date(2019, 9, 2)
    issued_by = "la"
    reasons = "Key stage 2 results well below comparable schools for three years."
    action_required = "Agree and carry out a plan with the LA's adviser."
    compliance_ends_on = date(2019, 10, 31)


class WarningNoticeCopyFactory(DjangoModelFactory[WarningNoticeCopy]):
    class Meta:
        model = WarningNoticeCopy

    notice = SubFactory(WarningNoticeFactory)
    recipient = "head_teacher"
    sent_on = date(2019, 9, 2)


class InterventionPowerUseFactory(DjangoModelFactory[InterventionPowerUse]):
    class Meta:
        model = InterventionPowerUse

    notice = SubFactory(
        WarningNoticeFactory,
        outcome="not_complied",
        outcome_on=date(2019, 11, 4),
        reasonable_notice_on=date(2019, 11, 5),
    )
    power = "s63"
    used_on = date(2019, 11, 20)


class InterimExecutiveBoardFactory(DjangoModelFactory[InterimExecutiveBoard]):
    """A board proposed on 1 December 2019 for a school in special measures."""

    class Meta:
        model = InterimExecutiveBoard

    urn = LazyFunction(lambda: maintained_school().urn)
    ground = "s62"
    proposed_on = date(2019, 12, 1)


class AcademyConcernFactory(DjangoModelFactory[AcademyConcern]):
    """A concern raised with an academy's trust on 6 January 2020."""

    class Meta:
        model = AcademyConcern

    urn = LazyFunction(lambda: academy().urn)
    trust_name = "Solent Learning Trust"
    concern = "Three head teachers in two years; governors' minutes not published."
    raised_with_trust_on = date(2020, 1, 6)
