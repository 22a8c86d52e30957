"""Import kinds for hard data over time: inspections, results, census, absence, exclusions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from convenor.core.importing import (
    ImportContext,
    ImportKind,
    Item,
    Merge,
    Plan,
    Target,
    plan_from,
    records_plan,
    register,
    source_name,
)
from convenor.core.rows import Fields, fill_blanks, same_source_or_fill
from convenor.intelligence.loaders import area_items, measures_plan
from convenor.intelligence.models import (
    AbsenceRecord,
    CensusRecord,
    ExclusionRecord,
    Inspection,
    KS2Result,
    KS4Result,
    PreferenceRecord,
)
from convenor.schools.models import Establishment
from convenor.sources import (
    absence,
    admissions,
    census,
    exclusions,
    inspections,
    ks2,
    ks2_levels,
    ks4,
)
from convenor.sources.base import ReadResult
from convenor.sources.measures import SchoolMeasures


def _inspection_fields(r: inspections.InspectionRecord) -> Fields:
    return {
        "urn": r.urn,
        "inspection_date": r.inspection_date,
        "grade": r.grade,
        "rating": r.rating,
        "framework": r.framework,
    }


def inspection_plan(
    reader: Callable[[Path], ReadResult[inspections.InspectionRecord]],
    merge: Merge | None = same_source_or_fill,
) -> Callable[[Path, ImportContext], Plan]:
    return records_plan(
        reader,
        Target(Inspection, ("urn", "inspection_date"), merge=merge),
        _inspection_fields,
        urns=lambda r: (r.urn,),
    )


register(
    ImportKind(
        "inspections",
        "Every graded Ofsted inspection, September 2005 to February 2020",
        inspection_plan(inspections.read_inspections),
        ("ofsted_history_waiky8/ofsted_ratings_2018.csv",),
        order=40,
    )
)
register(
    ImportKind(
        "latest-inspections",
        "Latest inspection per school to March 2020 (2018/19 KS2/KS4 final files)",
        # The same inspection is often already known from the full history:
        # that copy is kept, this one only fills gaps.
        inspection_plan(inspections.read_latest_inspections, merge=fill_blanks),
        (
            "perf_england_2019_waiky8/england_ks2final.csv",
            "perf_england_2019_waiky8/england_ks4final.csv",
        ),
        order=41,
    )
)
register(
    ImportKind(
        "ks2",
        "KS2 results for England (performance-tables extracts, 2015/16 to 2017/18)",
        measures_plan(ks2.read_ks2_perf, KS2Result, "ks2"),
        (
            "perf_england_waiky8/ks2_perf_2016.csv",
            "perf_england_waiky8/ks2_perf_2017.csv",
            "perf_england_waiky8/ks2_perf_2018.csv",
        ),
        order=50,
    )
)
register(
    ImportKind(
        "ks2-2019",
        "KS2 results for England, 2018/19 final",
        measures_plan(ks2.read_ks2_final_2019, KS2Result, "ks2"),
        ("perf_england_2019_waiky8/england_ks2final.csv",),
        order=51,
    )
)
register(
    ImportKind(
        "ks2-full",
        "KS2 results, every DfE column, for one LA (<first year>-<LA>-ks2.csv)",
        measures_plan(ks2.read_ks2_dfe, KS2Result, "ks2", dataset="ks2_final_full"),
        ("ks2_hants_surrey/*-ks2.csv",),
        order=52,
    )
)


def _ks2_levels_reader(path: Path) -> ReadResult[SchoolMeasures]:
    # The file's LA rows carry no LA code; the register tells which LA their schools are in.
    la_of_urn = {
        urn: str(la)
        for urn, la in Establishment.objects.filter(la_code__isnull=False).values_list(
            "urn", "la_code"
        )
    }
    return ks2_levels.read_ks2_levels(path, la_of_urn=la_of_urn)


register(
    ImportKind(
        "ks2-levels",
        "KS2 results 2012/13 (levels era; not comparable with 2015/16 on)",
        measures_plan(_ks2_levels_reader, KS2Result, "ks2"),
        ("perf_tables_ralpan/england_ks2final_primary_relevent_columns.csv",),
        order=53,
    )
)
register(
    ImportKind(
        "ks4",
        "KS4 results for England (performance-tables extracts, 2015/16 to 2017/18)",
        measures_plan(ks4.read_ks4_perf, KS4Result, "ks4"),
        (
            "perf_england_waiky8/ks4_perf_2016.csv",
            "perf_england_waiky8/ks4_perf_2017.csv",
            "perf_england_waiky8/ks4_perf_2018.csv",
        ),
        order=54,
    )
)
register(
    ImportKind(
        "ks4-2019",
        "KS4 results for England, 2018/19 final",
        measures_plan(ks4.read_ks4_final_2019, KS4Result, "ks4"),
        ("perf_england_2019_waiky8/england_ks4final.csv",),
        order=55,
    )
)
register(
    ImportKind(
        "ks4-provisional",
        "KS4 provisional results (October release), 2016/17 and 2018/19",
        measures_plan(ks4.read_ks4_provisional, KS4Result, "ks4"),
        (
            "perf_tables_2017_avisionh/england_ks4provisional.csv",
            "perf_tables_2019_kspdev/england_ks4provisional.csv",
        ),
        order=56,
    )
)
register(
    ImportKind(
        "ks4-la-provisional",
        "KS4 provisional results downloaded for one LA (815_<year>_ks4.csv)",
        measures_plan(ks4.read_ks4_provisional, KS4Result, "ks4"),
        ("perf_tables_la815_north_yorkshire/815_*_ks4.csv",),
        order=57,
    )
)
register(
    ImportKind(
        "ks4-full",
        "KS4 final results, every DfE column, for one LA (815_2017_ks4_fullcolumns.csv ...)",
        measures_plan(ks4.read_ks4_dfe_final, KS4Result, "ks4", dataset="ks4_final_full"),
        (
            "perf_tables_la815_north_yorkshire/815_*_ks4_fullcolumns.csv",
            "perf_tables_la815_north_yorkshire/815_*_ks4final.csv",
        ),
        order=58,
    )
)
register(
    ImportKind(
        "census",
        "January school census: pupils, SEN, EAL, FSM (2017, 2019, 2023; North Yorkshire 2017-19)",
        measures_plan(census.read_census, CensusRecord, "census"),
        (
            "perf_tables_2017_avisionh/england_census.csv",
            "perf_tables_2019_kspdev/england_census.csv",
            "census_2023_dfe_academies_api/2022-2023_england_census.csv",
            "perf_tables_la815_north_yorkshire/815_*_census.csv",
        ),
        order=60,
    )
)
register(
    ImportKind(
        "absence",
        "Overall and persistent absence by school (2012/13, 2016/17, 2018/19)",
        measures_plan(absence.read_absence, AbsenceRecord, "absence"),
        (
            "perf_tables_ralpan/england_abs.csv",
            "perf_tables_2017_avisionh/england_abs.csv",
            "perf_tables_2019_kspdev/england_abs.csv",
        ),
        order=61,
    )
)
register(
    ImportKind(
        "absence-reasons",
        "Pupils missing sessions by reason, by school, 2012/13 to 2016/17 (EES zip)",
        measures_plan(absence.read_absence_by_reason, AbsenceRecord, "absence"),
        ("ees_test_data_dfe/absence_number_missing_at_least_one_session_by_reason.zip",),
        order=62,
    )
)


def _exclusions_plan(path: Path, context: ImportContext) -> Plan:
    """Exclusions are keyed by LAESTAB; the URN is found in the same year's absence file.

    The absence-by-reason file (imported first) gives each year's LAESTAB to
    URN map; years before it begin use its first year. A row no map knows is
    still stored, with its LAESTAB and no URN, so nothing is lost.
    """
    result = exclusions.read_exclusions(path)
    pairs = AbsenceRecord.objects.filter(
        dataset=absence.REASON_DATASET, laestab__isnull=False, urn__isnull=False
    ).values_list("period", "laestab", "urn")
    laestab_map = {
        (period, laestab): urn
        for period, laestab, urn in pairs
        if laestab is not None and urn is not None
    }
    resolved, _unresolved = exclusions.resolve_urns(result.records, laestab_map)
    urn_of = {(m.laestab, m.period, m.segment): m.urn for m in resolved}
    target = Target(ExclusionRecord, ("dataset", "period", "segment", "laestab"))
    source = source_name(path)
    items = []
    for line, r in zip(result.lines, result.records, strict=True):
        urn = urn_of.get((r.laestab, r.period, r.segment))
        items.append(
            Item(
                line,
                target,
                {
                    "urn": urn,
                    "laestab": r.laestab,
                    "period": r.period,
                    "dataset": exclusions.EXCLUSIONS_DATASET,
                    "segment": r.segment,
                    "values": dict(r.values),
                    "missing": dict(r.missing),
                    "source_file": source,
                },
                urns=(urn,) if urn is not None else (),
                # Rows with no URN are scoped by the LA code inside the LAESTAB.
                area=None if urn is not None else ("la", str(r.laestab // 10000)),
            )
        )
    items += area_items("exclusions", exclusions.EXCLUSIONS_DATASET, result.aggregates, source)
    return plan_from(result, items)


register(
    ImportKind(
        "exclusions",
        "Permanent and fixed-period exclusions by school, 2006/07 to 2016/17 (EES zip)",
        _exclusions_plan,
        ("ees_test_data_dfe/exclusions_by_geographic_level.zip",),
        order=64,
    )
)


def _preferences_reader(path: Path) -> ReadResult[SchoolMeasures]:
    return admissions.read_school_preferences(
        path, path.with_name("dim_school.csv"), path.with_name("dim_la.csv")
    )


register(
    ImportKind(
        "preferences",
        "Applications and offers by school and year of entry, 2014/15 to 2022/23",
        measures_plan(_preferences_reader, PreferenceRecord, "preferences"),
        ("admissions_school_level_clarelgibson/fct_school_year.csv",),
        order=65,
    )
)
