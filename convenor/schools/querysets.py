"""Reads of the register, named for their use."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, NullIf, Replace, Upper

if TYPE_CHECKING:
    from convenor.schools.models import Establishment  # noqa: F401 - named in a string below

# GIAS group types that are academy trusts (the others are sponsors and federations).
TRUST_GROUP_TYPES = ("Multi-academy trust", "Single-academy trust", "Trust")

# The school census rows that count every pupil (convenor.sources.census.CENSUS_DATASET).
CENSUS_DATASET = "census"
CENSUS_SEGMENT = "all"

# A whole postcode or its start: "SO23", "SO238", "SO238UJ" (spaces already removed).
POSTCODE_START = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?(?:[0-9][A-Z]{0,2})?")

# Stands in for "never closed" when comparing inspection dates with a close date.
_OPEN_ENDED = date(9999, 12, 31)


def _lineage_inspections() -> models.QuerySet[Any]:
    """The graded inspections of an annotated establishment's school, newest first.

    A school keeps its history across URNs: the inspections counted are those of
    its own URN and of every URN that GIAS's lookup maps to the same latest URN
    (predecessors before academy conversion, say). A closed URN counts only
    inspections up to its closure, so a predecessor never shows its successor's
    verdict. Expects the ``lineage_urn`` and ``inspection_cutoff`` annotations.
    """
    from convenor.intelligence.models import Inspection
    from convenor.schools.models import UrnLookup

    earlier = UrnLookup.objects.filter(latest_urn=OuterRef(OuterRef("lineage_urn"))).values(
        "old_urn"
    )
    return Inspection.objects.filter(
        Q(urn=OuterRef("urn")) | Q(urn__in=earlier),
        inspection_date__lte=OuterRef("inspection_cutoff"),
    ).order_by("-inspection_date", "-pk")


class EstablishmentQuerySet(models.QuerySet["Establishment"]):
    def in_la(self, la_code: int) -> EstablishmentQuerySet:
        return self.filter(la_code=la_code)

    def open(self) -> EstablishmentQuerySet:
        return self.filter(status__startswith="Open")

    def closed(self) -> EstablishmentQuerySet:
        return self.filter(status__startswith="Closed")

    def state_funded(self) -> EstablishmentQuerySet:
        return self.filter(is_state_funded=True)

    def for_api_list(self) -> EstablishmentQuerySet:
        """What the API's list of establishments shows, in name order.

        URN breaks ties between namesakes, so pages neither repeat nor skip a school.
        """
        return self.only(
            "urn", "name", "la_code", "phase", "type_name", "status", "is_academy", "trust_name"
        ).order_by("name", "urn")

    def maintained(self) -> EstablishmentQuerySet:
        """State-funded schools that are not academies: the LA maintains them."""
        return self.filter(is_state_funded=True, is_academy=False)

    def academies(self) -> EstablishmentQuerySet:
        """Academies and free schools."""
        return self.filter(is_academy=True)

    def not_state_funded(self) -> EstablishmentQuerySet:
        """Independent schools, colleges, non-maintained special schools, and any unknown."""
        return self.exclude(is_state_funded=True).exclude(is_academy=True)

    def in_trust(self, group_uid: int) -> EstablishmentQuerySet:
        """Members of one academy trust (a GIAS group)."""
        from convenor.schools.models import GroupMembership

        members = GroupMembership.objects.filter(
            group_uid=group_uid, group_type__in=TRUST_GROUP_TYPES
        ).values("urn")
        return self.filter(urn__in=members)

    def search(self, text: str) -> EstablishmentQuerySet:
        """Schools whose name contains ``text``, or whose URN, LAESTAB or postcode is it.

        A postcode, or its first part ("SO23"), matches with or without its space
        and in any case; a LAESTAB may be written ``8502005`` or ``850/2005``.
        """
        words = " ".join(text.split())
        if not words:
            return self
        condition = Q(name__icontains=words)
        compact = words.replace(" ", "").upper()
        number = compact.replace("/", "", 1) if compact.count("/") == 1 else compact
        # isdigit() alone admits digits int() refuses, such as "²".
        if number.isascii() and number.isdigit():
            condition |= Q(urn=int(number)) | Q(laestab=int(number))
        if POSTCODE_START.fullmatch(compact):
            postcode = Upper(Replace("postcode", Value(" "), Value("")))
            return self.annotate(postcode_compact=postcode).filter(
                condition | Q(postcode_compact__startswith=compact)
            )
        return self.filter(condition)

    def with_latest_inspection(self) -> EstablishmentQuerySet:
        """Annotate each school's latest graded inspection across its URNs.

        Adds ``latest_inspection_date``, ``latest_grade`` (1 to 4) and
        ``latest_rating`` (the framework's own word), each ``None`` when the
        school has no graded inspection on record.
        """
        inspections = _lineage_inspections()
        return self.annotate(
            lineage_urn=Coalesce(
                Subquery(_urn_lookup(OuterRef("urn")).values("latest_urn")[:1]), F("urn")
            ),
            inspection_cutoff=Coalesce("close_date", Value(_OPEN_ENDED)),
        ).annotate(
            latest_inspection_date=Subquery(inspections.values("inspection_date")[:1]),
            latest_grade=Subquery(inspections.values("grade")[:1]),
            latest_rating=Subquery(inspections.values("rating")[:1]),
        )

    def with_latest_census(self) -> EstablishmentQuerySet:
        """Annotate ``census_pupils`` and ``census_period`` from each school's latest
        January census return that counted its pupils (``None`` when there is none)."""
        from convenor.intelligence.models import CensusRecord

        # A return without a headcount ("NA", as 16 to 19 academies have) is passed over.
        census = (
            CensusRecord.objects.filter(
                urn=OuterRef("urn"),
                dataset=CENSUS_DATASET,
                segment=CENSUS_SEGMENT,
                values__has_key="pupils",
            )
            .exclude(values__pupils=None)
            .order_by("-period")
        )
        return self.annotate(
            census_pupils=Subquery(
                census.values(pupils=Cast(KT("values__pupils"), models.FloatField()))[:1]
            ),
            census_period=Subquery(census.values("period")[:1]),
        )

    def with_trust(self) -> EstablishmentQuerySet:
        """Annotate ``trust_uid`` and ``trust`` (its name) from the GIAS group links.

        The register's own ``trust_name`` is the fall-back name: it is upper case
        and blank for some academies, where the group links are not.
        """
        from convenor.schools.models import Group, GroupMembership

        membership = GroupMembership.objects.filter(
            urn=OuterRef("urn"), group_type__in=TRUST_GROUP_TYPES
        ).order_by("-joined_date", "-group_uid")
        return self.annotate(
            trust_uid=Subquery(membership.values("group_uid")[:1]),
        ).annotate(
            trust=Coalesce(
                Subquery(Group.objects.filter(uid=OuterRef("trust_uid")).values("name")[:1]),
                NullIf("trust_name", Value("")),
            ),
        )

    def for_school_list(self) -> EstablishmentQuerySet:
        """What the school list and its CSV show: register facts, latest inspection,
        latest census headcount and trust, in name order."""
        return (
            self.only(*SCHOOL_LIST_FIELDS)
            .with_latest_inspection()
            .with_latest_census()
            .with_trust()
            .order_by("name", "urn")
        )

    def for_home_summary(self) -> models.QuerySet[Any, dict[str, Any]]:
        """One row per school of what the home page counts by (:data:`HOME_SUMMARY_FIELDS`).

        The counting is left to Python: grouping in the database would work out
        each school's latest inspection and census several times over.
        """
        rows: models.QuerySet[Any, dict[str, Any]] = (
            self.with_latest_inspection()
            .with_latest_census()
            .values(*HOME_SUMMARY_FIELDS)
            .order_by()
        )
        return rows

    def latest_grade_is(self, grade: int | None) -> EstablishmentQuerySet:
        """Schools whose latest graded inspection gave ``grade``; ``None``: not inspected.

        Needs :meth:`with_latest_inspection` first.
        """
        return self.filter(Q(latest_grade__isnull=True) if grade is None else Q(latest_grade=grade))

    def filter_options(self) -> list[tuple[str, str, str]]:
        """The distinct (phase, type group, district) combinations, for filter choices."""
        rows = self.values_list("phase", "type_group", "district").distinct().order_by()
        return list(rows)

    def trusts(self) -> models.QuerySet[Any, dict[str, Any]]:
        """The academy trusts these schools belong to: ``uid``, ``name`` and ``schools``
        (how many of these schools), most schools first."""
        from convenor.schools.models import Group, GroupMembership

        names = Group.objects.filter(uid=OuterRef("group_uid")).values("name")[:1]
        return (
            GroupMembership.objects.filter(
                urn__in=self.values("urn"), group_type__in=TRUST_GROUP_TYPES
            )
            .values(uid=F("group_uid"))
            .annotate(schools=Count("urn"), name=Subquery(names))
            .order_by("-schools", "name", "uid")
        )


# What the home page counts by, and the dates of the facts (annotations from
# with_latest_inspection and with_latest_census among them).
HOME_SUMMARY_FIELDS = (
    "phase",
    "type_group",
    "is_state_funded",
    "is_academy",
    "latest_grade",
    "latest_inspection_date",
    "census_pupils",
    "census_period",
    "register_as_at",
)

SCHOOL_LIST_FIELDS = (
    "urn",
    "laestab",
    "la_code",
    "name",
    "type_name",
    "type_group",
    "phase",
    "status",
    "open_date",
    "close_date",
    "district",
    "town",
    "postcode",
    "trust_name",
    "is_state_funded",
    "is_academy",
    "register_as_at",
)


def _urn_lookup(urn: Any) -> models.QuerySet[Any]:
    from convenor.schools.models import UrnLookup

    return UrnLookup.objects.filter(old_urn=urn)


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
