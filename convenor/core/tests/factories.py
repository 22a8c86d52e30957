"""Factories for users and their roles. Roles are given through the service, as in the app."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.test import Client
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.faker import Faker

from convenor.core.models import ROLE_SCOPE, Role, RoleAssignment
from convenor.core.services import assign_role
from convenor.schools.models import Establishment
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

PASSWORD = "a long test pass phrase"


@cache
def _password_hash() -> str:
    # The production hasher (scrypt) is slow by design; hash the one test password once.
    return make_password(PASSWORD)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = Sequence(lambda n: f"user{n}")
    first_name = Faker("first_name", locale="en_GB")
    last_name = Faker("last_name", locale="en_GB")
    email = LazyAttribute(lambda u: f"{u.username}@example.org")
    password = LazyFunction(_password_hash)


def _needs(role: str, field: str) -> bool:
    return field in ROLE_SCOPE[role].required


class RoleAssignmentFactory(DjangoModelFactory[RoleAssignment]):
    """A role in the scope it needs: LA 850, area Winchester, a fresh Winchester school.

    The register rows the scope names are created as needed, so
    ``RoleAssignmentFactory(role=Role.BOARD_MEMBER)`` just works.
    """

    class Meta:
        model = RoleAssignment

    user = SubFactory(UserFactory)
    role = Role.LA_OFFICER
    la_code = LazyAttribute(
        lambda a: LocalAuthorityFactory(code=850).code if _needs(a.role, "la_code") else None
    )
    area = LazyAttribute(lambda a: "Winchester" if _needs(a.role, "area") else "")
    school_urn = LazyAttribute(
        lambda a: EstablishmentFactory().urn if _needs(a.role, "school_urn") else None
    )
    remit = ""
    starts = None
    ends = None

    @classmethod
    def _create(cls, model_class: type[RoleAssignment], *args: Any, **kwargs: Any) -> Any:
        user = kwargs.pop("user")
        role = kwargs.pop("role")
        la_code, area = kwargs.get("la_code"), kwargs.get("area")
        if area and not Establishment.objects.filter(la_code=la_code, district=area).exists():
            # The service checks a board's area against the register's districts.
            EstablishmentFactory(la_code=la_code, district=area)
        return assign_role(user, role, actor="test factory", **kwargs)


def sign_in_with_role(client: Client, role: Role = Role.LA_OFFICER, **scope: Any) -> User:
    """A new user holding ``role`` (scope as :class:`RoleAssignmentFactory` takes it), signed in."""
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=role, **scope)
    client.force_login(user)
    return user
