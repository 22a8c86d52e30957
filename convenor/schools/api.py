"""The register in the JSON API: ``/api/v1/schools`` and ``/api/v1/schools/{urn}``.

The register is published data: any caller whose user holds a role may list
and read every establishment, as on the school list page.
"""

# No ``from __future__ import annotations``: ninja reads the operations' signatures at run
# time, and string annotations behind its ``paginate`` wrapper do not resolve.

from typing import Any

from django.http import HttpRequest
from ninja import Field, ModelSchema, Query, Router, Schema
from ninja.pagination import paginate
from ninja.params import P, PathEx

from convenor.core.api import PRINTABLE, PageNumbers, error_responses, load_school
from convenor.schools.models import Establishment
from convenor.schools.querysets import EstablishmentQuerySet, lineage_of

router = Router(tags=["schools"])

# The largest value a URN column holds (PositiveIntegerField); beyond it no school can exist.
URN = P(ge=1, le=2_147_483_647, description="Unique reference number (GIAS)", example=116336)


class SchoolSummary(ModelSchema):
    """One establishment in a list."""

    class Meta:
        model = Establishment
        # The fields EstablishmentQuerySet.for_api_list reads.
        fields = [
            "urn",
            "name",
            "la_code",
            "phase",
            "type_name",
            "status",
            "is_academy",
            "trust_name",
        ]


class LineageEntry(Schema):
    """One URN the school has had; name and status when the register holds that URN."""

    urn: int
    name: str | None
    status: str | None


class SchoolDetail(ModelSchema):
    """An establishment as the register describes it, with every URN it has had."""

    lineage: list[LineageEntry] = Field(
        description="Every URN of the school over time (predecessors and successors), "
        "oldest first, so its history survives academy conversion"
    )

    class Meta:
        model = Establishment
        exclude = ["other_urn"]

    @staticmethod
    def resolve_lineage(establishment: Establishment) -> list[LineageEntry]:
        urns = lineage_of(establishment.urn)
        known = {
            urn: (name, status)
            for urn, name, status in Establishment.objects.filter(urn__in=urns).values_list(
                "urn", "name", "status"
            )
        }
        # A URN GIAS links to but this register does not hold keeps its place, unnamed.
        entries = []
        for urn in urns:
            name, status = known.get(urn, (None, None))
            entries.append(LineageEntry(urn=urn, name=name, status=status))
        return entries


class SchoolFilters(Schema):
    """Which establishments to list; every filter may be left out."""

    la: int | None = Field(None, ge=100, le=999, description="Three-digit DfE LA code, e.g. 850")
    phase: str | None = Field(
        None, max_length=60, pattern=PRINTABLE, description="Phase, exactly (e.g. Primary)"
    )
    status: str | None = Field(
        None, max_length=60, pattern=PRINTABLE, description="Status, exactly (e.g. Open)"
    )
    q: str | None = Field(
        None,
        max_length=100,
        pattern=PRINTABLE,
        description="Part of the name, or a whole URN, LAESTAB or postcode",
    )

    def apply(self, schools: EstablishmentQuerySet) -> EstablishmentQuerySet:
        if self.la is not None:
            schools = schools.in_la(self.la)
        if self.phase:
            schools = schools.filter(phase__iexact=self.phase)
        if self.status:
            schools = schools.filter(status__iexact=self.status)
        if self.q:
            schools = schools.search(self.q)
        return schools


@router.get(
    "",
    response={200: list[SchoolSummary], **error_responses(422)},
    url_name="schools",
    summary="List establishments",
)
@paginate(PageNumbers)
def list_schools(request: HttpRequest, filters: Query[SchoolFilters]) -> Any:
    """Establishments in the register by name, 50 to a page unless ``page_size`` says."""
    return filters.apply(Establishment.objects.for_api_list())


@router.get(
    "/{urn}",
    response={200: SchoolDetail, **error_responses(404, 422)},
    url_name="school",
    summary="One establishment",
)
def school(request: HttpRequest, urn: PathEx[int, URN]) -> Any:
    """One establishment, with every URN the school has had (404 when the URN is unknown)."""
    return load_school(request, urn)
