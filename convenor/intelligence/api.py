"""Hard data about a school in the JSON API: inspections and indicators over time.

Both cover every URN the school has had (see ``lineage`` in the school's
detail), so its history survives academy conversion; each row names its URN.
These are published figures, open to any caller whose user holds a role.
A withheld measure is ``null`` in ``values`` with its code in ``missing``
(``SUPP``, ``NE``, ``LOWCOV``, ``x`` ...), never zero.
"""

# No ``from __future__ import annotations``: ninja reads the operations' signatures at run
# time, and string annotations behind its ``paginate`` wrapper do not resolve.

from datetime import date
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.params import PathEx

from convenor.core.api import error_responses, load_school
from convenor.intelligence.models import (
    AbsenceRecord,
    CensusRecord,
    ExclusionRecord,
    Inspection,
    KS2Result,
    KS4Result,
    PreferenceRecord,
    SchoolIndicator,
)
from convenor.schools.api import URN
from convenor.schools.querysets import lineage_of

router = Router(tags=["intelligence"])


class InspectionOut(Schema):
    """A graded Ofsted inspection."""

    urn: int
    inspection_date: date
    grade: int = Field(description="1 Outstanding, 2 Good, 3 Requires improvement, 4 Inadequate")
    rating: str = Field(description="The grade as the framework of the day named it")
    framework: str
    source_file: str


class Family(StrEnum):
    """A family of indicators, one table each."""

    KS2 = "ks2"
    KS4 = "ks4"
    CENSUS = "census"
    ABSENCE = "absence"
    EXCLUSIONS = "exclusions"
    PREFERENCES = "preferences"


FAMILY_MODELS: dict[Family, type[SchoolIndicator]] = {
    Family.KS2: KS2Result,
    Family.KS4: KS4Result,
    Family.CENSUS: CensusRecord,
    Family.ABSENCE: AbsenceRecord,
    Family.EXCLUSIONS: ExclusionRecord,
    Family.PREFERENCES: PreferenceRecord,
}


class IndicatorRow(Schema):
    """One school's measures for one period of one publication."""

    urn: int
    period: str = Field(description="Academic year, e.g. 2016/17")
    dataset: str = Field(description="The publication, e.g. ks4_provisional or ks4_final")
    segment: str = Field(description="The pupil group the row stands for; 'all' unless split")
    values: dict[str, float | None] = Field(
        description="Measures by canonical name; null where the file withheld the figure"
    )
    missing: dict[str, str] = Field(
        description="For each null measure, the code it was withheld with (SUPP, NE, x ...)"
    )
    source_file: str


@router.get(
    "/{urn}/inspections",
    response={200: list[InspectionOut], **error_responses(404, 422)},
    url_name="school-inspections",
    summary="A school's inspections",
)
def inspections(request: HttpRequest, urn: PathEx[int, URN]) -> Any:
    """Graded inspections of the school under every URN it has had, newest first."""
    load_school(request, urn)
    return Inspection.objects.filter(urn__in=lineage_of(urn)).order_by("-inspection_date", "urn")


@router.get(
    "/{urn}/indicators",
    response={200: list[IndicatorRow], **error_responses(404, 422)},
    url_name="school-indicators",
    summary="A school's indicators of one family",
)
def indicators(request: HttpRequest, urn: PathEx[int, URN], family: Family) -> Any:
    """One family of indicators for the school under every URN it has had, by period.

    Exclusions are published by LAESTAB; rows whose LAESTAB no register of the
    same year maps to a URN cannot be attributed to a school and are not shown.
    """
    load_school(request, urn)
    model = FAMILY_MODELS[family]
    return (
        model._default_manager.filter(urn__in=lineage_of(urn))
        .order_by("period", "dataset", "segment", "urn")
        .values("urn", "period", "dataset", "segment", "values", "missing", "source_file")
    )
