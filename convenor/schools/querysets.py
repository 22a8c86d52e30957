"""Reads of the register, named for their use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from convenor.schools.models import Establishment  # noqa: F401 - named in a string below


class EstablishmentQuerySet(models.QuerySet["Establishment"]):
    def in_la(self, la_code: int) -> EstablishmentQuerySet:
        return self.filter(la_code=la_code)

    def open(self) -> EstablishmentQuerySet:
        return self.filter(status__startswith="Open")

    def state_funded(self) -> EstablishmentQuerySet:
        return self.filter(is_state_funded=True)

    def for_register_page(self) -> EstablishmentQuerySet:
        return self.only(
            "urn", "name", "phase", "type_name", "status", "la_code", "is_academy", "trust_name"
        ).order_by("name")
