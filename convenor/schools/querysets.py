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


def lineage_of(urn: int) -> list[int]:
    """Every URN of one school over time (predecessors and successors), oldest first.

    Follows the GIAS links stored in the register, so a school's history
    survives academy conversion, re-brokering or amalgamation.
    """
    from convenor.schools.models import EstablishmentLink
    from convenor.sources.links import LinkRecord, lineage

    seen = {urn}
    frontier = {urn}
    records: dict[tuple[int, int, str], LinkRecord] = {}
    while frontier:
        rows = EstablishmentLink.objects.filter(
            models.Q(urn__in=frontier) | models.Q(link_urn__in=frontier)
        ).values_list("urn", "link_urn", "link_type", "established", "link_name")
        reached: set[int] = set()
        for a, b, kind, established, name in rows:
            records[(a, b, kind)] = LinkRecord(a, b, kind, established, name or None)
            reached.update((a, b))
        frontier = reached - seen
        seen |= reached
    return lineage(urn, records.values())
