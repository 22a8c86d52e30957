"""Everything the school profile reads, fetched in a fixed number of queries.

:func:`profile_data_for` runs one query per table (plus the walk along the school's URN
links), whatever the number of inspections or years, so the page's query count does not
grow with a school's history. The sections are built from the result without touching
the database (``convenor.schools.profile_sections``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from convenor.intelligence.models import (
    AbsenceRecord,
    AreaStatistic,
    CensusRecord,
    ExclusionRecord,
    Inspection,
    KS2Result,
    KS4Result,
    PreferenceRecord,
)
from convenor.places.models import YearGroupCount
from convenor.schools.models import (
    Establishment,
    EstablishmentLink,
    Group,
    GroupMembership,
    LocalAuthority,
)
from convenor.schools.querysets import lineage_of

ENGLAND_CODES = ("ENG", "E92000001")
PROFILE_AREA_LEVELS = ("la", "national")


@dataclass(frozen=True)
class Membership:
    """A GIAS group the school belongs to (``group`` is None when it is not imported)."""

    membership: GroupMembership
    group: Group | None


@dataclass(frozen=True)
class ProfileData:
    """The rows behind one school's profile, all of its URNs included."""

    school: Establishment
    lineage: tuple[int, ...]  # oldest first, the school's own URN among them
    establishments: dict[int, Establishment]  # the lineage URNs in the register
    links: tuple[EstablishmentLink, ...]
    la: LocalAuthority | None
    memberships: tuple[Membership, ...]
    inspections: tuple[Inspection, ...]  # newest first
    ks2: tuple[KS2Result, ...]
    ks4: tuple[KS4Result, ...]
    census: tuple[CensusRecord, ...]
    absence: tuple[AbsenceRecord, ...]
    exclusions: tuple[ExclusionRecord, ...]
    preferences: tuple[PreferenceRecord, ...]
    year_groups: tuple[YearGroupCount, ...]
    areas: tuple[AreaStatistic, ...]

    @property
    def urn_order(self) -> tuple[int, ...]:
        """The lineage URNs by closeness to this school: itself, then its nearest
        predecessor or successor, and so on (the later URN first on a tie)."""
        here = self.lineage.index(self.school.urn)
        return tuple(
            sorted(self.lineage, key=lambda urn: (abs(self.lineage.index(urn) - here), -urn))
        )


def links_for_profile(urns: tuple[int, ...], school_urn: int) -> list[EstablishmentLink]:
    """The links among a school's URNs, and every other link of the school itself."""
    rows = EstablishmentLink.objects.filter(Q(urn__in=urns) | Q(link_urn=school_urn)).order_by(
        "established", "urn", "link_urn"
    )
    return [row for row in rows if row.link_urn in urns or school_urn in (row.urn, row.link_urn)]


def memberships_for_profile(urn: int) -> list[Membership]:
    """The school's GIAS group memberships (trusts, federations...), with their groups."""
    memberships = list(GroupMembership.objects.filter(urn=urn).order_by("joined_date"))
    groups = Group.objects.in_bulk([m.group_uid for m in memberships])
    return [Membership(m, groups.get(m.group_uid)) for m in memberships]


def area_statistics_for_profile(la_code: int | None) -> list[AreaStatistic]:
    """The England rows, and the LA's rows, of every family the profile compares with."""
    areas = Q(level="national", area_code__in=ENGLAND_CODES)
    if la_code is not None:
        areas |= Q(level="la", area_code=str(la_code))
    return list(AreaStatistic.objects.filter(areas))


def profile_data_for(school: Establishment) -> ProfileData:
    """Read everything the profile of ``school`` shows, across all of its URNs."""
    lineage = tuple(lineage_of(school.urn)) or (school.urn,)
    urns = list(lineage)
    la = (
        LocalAuthority.objects.filter(code=school.la_code).first()
        if school.la_code is not None
        else None
    )
    return ProfileData(
        school=school,
        lineage=lineage,
        establishments=Establishment.objects.in_bulk(urns),
        links=tuple(links_for_profile(lineage, school.urn)),
        la=la,
        memberships=tuple(memberships_for_profile(school.urn)),
        inspections=tuple(
            Inspection.objects.filter(urn__in=urns).order_by("-inspection_date", "-urn")
        ),
        ks2=tuple(KS2Result.objects.filter(urn__in=urns)),
        ks4=tuple(KS4Result.objects.filter(urn__in=urns)),
        census=tuple(CensusRecord.objects.filter(urn__in=urns)),
        absence=tuple(AbsenceRecord.objects.filter(urn__in=urns)),
        exclusions=tuple(ExclusionRecord.objects.filter(urn__in=urns)),
        preferences=tuple(PreferenceRecord.objects.filter(urn__in=urns)),
        year_groups=tuple(YearGroupCount.objects.filter(urn__in=urns)),
        areas=tuple(area_statistics_for_profile(school.la_code)),
    )
