"""Import kinds for place planning: pupils by year group, LA places scorecards."""

from __future__ import annotations

from convenor.core.importing import (
    ImportKind,
    Target,
    records_plan,
    register,
)
from convenor.core.rows import Fields
from convenor.intelligence.loaders import measures_plan
from convenor.places.models import PlaceScorecard, YearGroupCount
from convenor.sources import census, scorecards

register(
    ImportKind(
        "year-groups",
        "Pupils by national curriculum year group, January 2023 census (SPC)",
        measures_plan(census.read_year_groups, YearGroupCount, "year_groups"),
        ("spc_helios/spc_school_level_underlying_data_23112023.csv",),
        order=63,
    )
)


def _scorecard_fields(r: scorecards.ScorecardRecord) -> Fields:
    return {
        "la_code": r.la_code,
        "year": r.year,
        "values": dict(r.values),
        "missing": dict(r.missing),
    }


register(
    ImportKind(
        "scorecards",
        "DfE school places scorecards by LA: forecast accuracy, places, quality, cost",
        records_plan(
            scorecards.read_scorecards,
            Target(PlaceScorecard, ("la_code", "year")),
            _scorecard_fields,
            area=lambda r: ("national", "ENG") if r.la_code == 0 else ("la", str(r.la_code)),
        ),
        (
            "school_places_scorecards_2021_dfe/scorecards_data.csv",
            "school_places_scorecards_dfe/scorecards_data_2022.csv",
            "school_places_scorecards_dfe/scorecards_data_2023.csv",
            "school_places_scorecards_dfe/scorecards_data_2024.csv",
            "school_places_scorecards_dfe/scorecard_data_2025_2023.csv",
        ),
        order=70,
    )
)
