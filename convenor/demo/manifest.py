"""Which public files the demo extract takes, and how rows are picked from each."""

from __future__ import annotations

from dataclasses import dataclass

# --- What is extracted -------------------------------------------------------

# Small reference lists, copied whole.
WHOLE_FILES: tuple[str, ...] = (
    "admissions_school_level_clarelgibson/dim_la.csv",
    "perf_tables_2019_kspdev/la_and_region_codes_meta.csv",
    "gias_links_witan/edubasealldata20250422-establishment-types.csv",
    "ks2_hants_surrey/meta_*/ks2_meta.csv",
    "perf_tables_2017_avisionh/meta/*.csv",
)

SPINE = "perf_england_waiky8/2017-2018_england_spine.xlsx"
SPINE_SHEET = "england"
NY_SPINE = "perf_tables_la815_north_yorkshire/815_spine.csv"
SCHOOL_DETAILS = "ofsted_history_waiky8/school_details_2018.csv"
GIAS_FILES: tuple[str, ...] = (
    "gias_hants_surrey/2021-gias.csv",
    "gias_hants_surrey/20220419-gias.csv",
    "gias_hants_surrey/20220420_gias.csv",
)
DIM_LA = "admissions_school_level_clarelgibson/dim_la.csv"
DIM_SCHOOL = "admissions_school_level_clarelgibson/dim_school.csv"
FCT_SCHOOL = "admissions_school_level_clarelgibson/fct_school.csv"
FCT_SCHOOL_YEAR = "admissions_school_level_clarelgibson/fct_school_year.csv"

LINK_FILES: tuple[str, ...] = (
    "gias_links_witan/links_edubasealldata20230421.csv",
    "gias_links_witan/links_edubasealldata20250422.csv",
)
GROUP_LINKS = "gias_groups_ajb1970/group_links.csv"
GROUPS = "gias_groups_ajb1970/groups.csv"
LOOKUP = "gias_groups_ajb1970/lookup.csv"

# Files that only ever hold one LA's schools: kept whole when they are this LA's.
KS2_LA_FILES = "ks2_hants_surrey/*-ks2.csv"
NY_LA = 815
NY_FILES: tuple[str, ...] = (
    "perf_tables_la815_north_yorkshire/815_*_census.csv",
    "perf_tables_la815_north_yorkshire/815_*_ks4*.csv",
)

EES_ZIPS: tuple[str, ...] = (
    "ees_test_data_dfe/exclusions_by_geographic_level.zip",
    "ees_test_data_dfe/absence_number_missing_at_least_one_session_by_reason.zip",
)
SCORECARDS: tuple[str, ...] = (
    "school_places_scorecards_2021_dfe/scorecards_data.csv",
    "school_places_scorecards_dfe/scorecards_data_2022.csv",
    "school_places_scorecards_dfe/scorecards_data_2023.csv",
    "school_places_scorecards_dfe/scorecards_data_2024.csv",
    "school_places_scorecards_dfe/scorecard_data_2025_2023.csv",
)

CP1252 = "cp1252"
UTF8 = "utf-8"


@dataclass(frozen=True)
class _UrnFile:
    """A school-level file filtered by URN, and how its aggregate rows are marked."""

    path: str
    urn: str = "URN"
    la: str | None = None  # the column holding the DfE LA code, if the file has one
    rectype_la: frozenset[str] = frozenset()
    rectype_national: frozenset[str] = frozenset()


def _ks2(path: str) -> _UrnFile:
    """A DfE KS2 file: RECTYPE 3 is an LA row, 4 and 5 are England."""
    return _UrnFile(path, rectype_la=frozenset({"3"}), rectype_national=frozenset({"4", "5"}))


def _ks4(path: str, la: str | None = None) -> _UrnFile:
    """A DfE KS4 file: RECTYPE 4 is an LA row, 5 and 7 are England."""
    return _UrnFile(
        path, la=la, rectype_la=frozenset({"4"}), rectype_national=frozenset({"5", "7"})
    )


URN_FILES: tuple[_UrnFile, ...] = (
    _UrnFile("ofsted_history_waiky8/ofsted_ratings_2018.csv"),
    _ks2("perf_england_2019_waiky8/england_ks2final.csv"),
    _ks4("perf_england_2019_waiky8/england_ks4final.csv"),
    _UrnFile("perf_england_waiky8/ks2_perf_2016.csv"),
    _UrnFile("perf_england_waiky8/ks2_perf_2017.csv"),
    _UrnFile("perf_england_waiky8/ks2_perf_2018.csv"),
    _UrnFile("perf_england_waiky8/ks4_perf_2016.csv"),
    _UrnFile("perf_england_waiky8/ks4_perf_2017.csv"),
    _UrnFile("perf_england_waiky8/ks4_perf_2018.csv"),
    _ks4("perf_tables_2017_avisionh/england_ks4provisional.csv", la="LEA"),
    _UrnFile("perf_tables_2017_avisionh/england_census.csv", la="LA"),
    _UrnFile("perf_tables_2017_avisionh/england_abs.csv", la="LA"),
    _ks4("perf_tables_2019_kspdev/england_ks4provisional.csv", la="LEA"),
    _UrnFile("perf_tables_2019_kspdev/england_census.csv", la="LA"),
    _UrnFile("perf_tables_2019_kspdev/england_abs.csv", la="LA"),
    _UrnFile("census_2023_dfe_academies_api/2022-2023_england_census.csv", la="LA"),
    _UrnFile("perf_tables_ralpan/england_abs.csv", la="LA"),
    # No LA column: its LA rows (RECTYPE 3) come after each LA's schools.
    _ks2("perf_tables_ralpan/england_ks2final_primary_relevent_columns.csv"),
    _UrnFile(
        "spc_helios/spc_school_level_underlying_data_23112023.csv", urn="urn", la="old_la_code"
    ),
)

# Census files whose LA column places URNs in the LA (with SPC and the registers).
CENSUS_SEEDS: tuple[tuple[str, str, str], ...] = (
    ("perf_tables_2017_avisionh/england_census.csv", "URN", "LA"),
    ("perf_tables_2019_kspdev/england_census.csv", "URN", "LA"),
    ("census_2023_dfe_academies_api/2022-2023_england_census.csv", "URN", "LA"),
    ("spc_helios/spc_school_level_underlying_data_23112023.csv", "urn", "old_la_code"),
)

MANIFEST: tuple[str, ...] = (
    *WHOLE_FILES,
    SPINE,
    NY_SPINE,
    SCHOOL_DETAILS,
    *GIAS_FILES,
    DIM_SCHOOL,
    FCT_SCHOOL,
    FCT_SCHOOL_YEAR,
    *LINK_FILES,
    GROUP_LINKS,
    GROUPS,
    LOOKUP,
    *(f.path for f in URN_FILES),
    KS2_LA_FILES,
    *NY_FILES,
    *EES_ZIPS,
    *SCORECARDS,
)

# Sixth-form-centre links join partner schools, not one school's successive URNs.
_LINK_TYPES_NOT_FOLLOWED = frozenset({"Sixth Form Centre School", "Sixth Form Centre Link"})
