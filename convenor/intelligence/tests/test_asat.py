"""Indicators as at a date: who is open, what is known, and that nothing later leaks in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from convenor.intelligence import asat, publication
from convenor.intelligence.tests.factories import (
    AbsenceRecordFactory,
    CensusRecordFactory,
    ExclusionRecordFactory,
    InspectionFactory,
    KS2ResultFactory,
    KS4ResultFactory,
    PreferenceRecordFactory,
)
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    EstablishmentLinkFactory,
    GroupFactory,
    GroupMembershipFactory,
)
from convenor.sources.inspections import framework_for

AS_AT = date(2017, 8, 31)

# The URNs of the small world below.
PRIMARY, OTHER_PRIMARY, SECONDARY = 110001, 110002, 137001


def school(urn: int, **fields: Any) -> Any:
    """An open, state-funded establishment (a Hampshire community primary by default)."""
    defaults: dict[str, Any] = {"is_state_funded": True, "is_academy": False}
    return EstablishmentFactory(urn=urn, **(defaults | fields))


def inspection(urn: int, day: date, grade: int) -> Any:
    words = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}
    return InspectionFactory(
        urn=urn,
        inspection_date=day,
        grade=grade,
        rating=words[grade],
        framework=framework_for(day),
    )


def ks2(urn: int, period: str, rwm: float, pupils: float = 30.0, **more: float) -> Any:
    values = {"rwm_expected_pct": rwm, "pupils": pupils, **more}
    return KS2ResultFactory(urn=urn, period=period, values=values, missing={})


def known_world() -> None:
    """What was public by 31 August 2017, and some of what came before."""
    school(PRIMARY, open_date=date(2001, 9, 1))
    school(OTHER_PRIMARY)
    school(SECONDARY, phase="Secondary", type_name="Academy converter", is_academy=True)
    inspection(PRIMARY, date(2013, 3, 5), 2)
    inspection(PRIMARY, date(2016, 5, 10), 3)
    inspection(SECONDARY, date(2015, 1, 20), 1)
    ks2(PRIMARY, "2015/16", 60.0, pupils=30.0, reading_progress=-1.5)
    ks2(OTHER_PRIMARY, "2015/16", 40.0, pupils=10.0)
    KS4ResultFactory(
        urn=SECONDARY,
        period="2015/16",
        values={"attainment8": 50.0, "progress8": 0.2, "pupils": 100.0},
    )
    CensusRecordFactory(
        urn=PRIMARY,
        period="2016/17",
        values={"pupils": 300.0, "fsm_pct": 20.0, "ehc_plan_pct": 1.5, "sen_support_pct": 12.0},
    )
    AbsenceRecordFactory(
        urn=PRIMARY,
        period="2012/13",
        values={
            "overall_absence_pct": 4.5,
            "persistent_absence_pct": 3.0,
            "persistent_threshold_pct": 15.0,
        },
        missing={},
    )
    ExclusionRecordFactory(
        urn=PRIMARY,
        laestab=8502000,
        period="2015/16",
        segment="primary",
        values={"headcount": 300.0, "fixed_period": 6.0, "permanent": 0.0},
        missing={},
    )
    for period, first in (("2015/16", 20.0), ("2016/17", 25.0), ("2017/18", 30.0)):
        PreferenceRecordFactory(
            urn=PRIMARY,
            period=period,
            segment="primary",
            values={"first_prefs": first, "places_offered": 30.0},
        )


def later_world() -> None:
    """Everything that became public, or happened, only after 31 August 2017."""
    # Inspected before the date, but the report came out after it.
    inspection(PRIMARY, date(2017, 8, 10), 4)
    inspection(PRIMARY, date(2017, 11, 1), 1)
    inspection(OTHER_PRIMARY, date(2018, 2, 1), 4)
    # Results, census, absence, exclusions and offers published later.
    ks2(PRIMARY, "2016/17", 90.0)
    ks2(OTHER_PRIMARY, "2016/17", 10.0, pupils=500.0)
    KS4ResultFactory(
        urn=SECONDARY,
        period="2016/17",
        dataset="ks4_provisional",
        values={"attainment8": 20.0, "progress8": -2.0},
    )
    CensusRecordFactory(urn=PRIMARY, period="2017/18", values={"pupils": 900.0, "fsm_pct": 60.0})
    CensusRecordFactory(urn=PRIMARY, period="2018/19", values={"pupils": 50.0, "fsm": 40.0})
    AbsenceRecordFactory(
        urn=PRIMARY,
        period="2016/17",
        values={"overall_absence_pct": 9.9, "persistent_threshold_pct": 10.0},
        missing={},
    )
    ExclusionRecordFactory(
        urn=PRIMARY,
        laestab=8502000,
        period="2016/17",
        segment="primary",
        values={"headcount": 300.0, "fixed_period": 90.0, "permanent": 3.0},
        missing={},
    )
    PreferenceRecordFactory(
        urn=PRIMARY,
        period="2018/19",
        segment="primary",
        values={"first_prefs": 2.0, "places_offered": 30.0},
    )
    # A school that opened after the date, and one that converted to an academy after it.
    school(140001, open_date=date(2017, 9, 1))
    inspection(140001, date(2017, 6, 1), 4)  # a bad record: before it opened
    school(145001, open_date=date(2017, 10, 1), is_academy=True, type_name="Academy converter")
    EstablishmentLinkFactory(
        urn=145001, link_urn=OTHER_PRIMARY, link_type="Predecessor", established=date(2017, 10, 1)
    )
    trust = GroupFactory()
    GroupMembershipFactory(urn=145001, group_uid=trust.uid, joined_date=date(2017, 10, 1))
    # The secondary joined a trust after the date.
    GroupMembershipFactory(urn=SECONDARY, group_uid=trust.uid, joined_date=date(2018, 1, 1))


def features(as_at: date = AS_AT) -> dict[int, Mapping[str, float | None]]:
    return {f.urn: f.values for f in asat.school_features(as_at)}


def leaks(as_at: date, sources: Mapping[int, asat.Sources]) -> list[str]:
    """Every fact behind a feature that was not public by ``as_at``.

    The date is worked out here from the fact itself, not taken from the
    feature code: a dataset's year by the publication calendar, an inspection
    by its date and the report lag, a register or trust fact by its own date.
    """
    found = []
    for urn, by_feature in sources.items():
        for feature, facts in by_feature.items():
            assert facts, f"{urn} {feature}: a value with no source"
            for fact in facts:
                if fact.kind == publication.INSPECTIONS:
                    public = publication.inspection_published(date.fromisoformat(fact.period))
                elif fact.kind in ("register", "trust"):
                    public = date.fromisoformat(fact.period)
                elif fact.kind in ("england", "la"):
                    public = fact.published
                else:
                    public = publication.published_on(fact.kind, fact.period) or date.max
                if public > as_at:
                    found.append(f"{urn} {feature}: {fact.kind} {fact.period} public {public}")
    return found


@pytest.mark.django_db
def test_it_uses_nothing_published_after_the_date() -> None:
    known_world()
    before = features()
    before_sources = asat.feature_sources(AS_AT)
    later_world()

    after = features()
    sources = asat.feature_sources(AS_AT)

    assert after == before
    assert sources == before_sources
    assert leaks(AS_AT, sources) == []
    # Every traced fact carries the day it became public, on or before the date.
    assert all(
        fact.published <= AS_AT
        for by_feature in sources.values()
        for facts in by_feature.values()
        for fact in facts
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("broken", "replacement"),
    [
        ("is_public", lambda dataset, period, as_at: True),
        ("latest_public_inspection", lambda as_at: date.max),
    ],
    ids=["results-published-later", "inspections-published-later"],
)
def test_the_leakage_check_catches_a_feature_reading_later_publications(
    monkeypatch: pytest.MonkeyPatch, broken: str, replacement: Any
) -> None:
    known_world()
    before = features()
    later_world()
    # A bug in the feature code: it stops looking at publication dates.
    monkeypatch.setattr(publication, broken, replacement)

    assert features() != before
    assert leaks(AS_AT, asat.feature_sources(AS_AT)) != []


@pytest.mark.django_db
def test_it_computes_each_feature_from_the_latest_public_figures() -> None:
    known_world()
    later_world()
    f = features()[PRIMARY]

    assert (f["last_grade"], f["previous_grade"], f["grade_change"]) == (3.0, 2.0, 1.0)
    assert f["days_since_inspection"] == (AS_AT - date(2016, 5, 10)).days
    assert f["last_framework"] == 4.0  # the common inspection framework (2015)
    assert f["ks2_rwm_exp"] == 60.0
    # England: (60 x 30 + 40 x 10) / 40 pupils = 55; the LA is the same two schools.
    assert f["ks2_rwm_exp_vs_england"] == pytest.approx(5.0)
    assert f["ks2_rwm_exp_vs_la"] == pytest.approx(5.0)
    assert f["ks2_rwm_exp_trend"] is None  # one year of results
    assert f["ks2_read_progress"] == -1.5
    assert f["ks2_writ_progress"] is None
    assert (f["pupils"], f["fsm_pct"], f["sen_pct"]) == (300.0, 20.0, 13.5)
    assert f["eal_pct"] is None
    assert f["absence_overall"] == 4.5
    assert f["absence_persistent"] is None  # 2012/13 used the 15% threshold
    assert f["exclusion_fixed_rate"] == pytest.approx(2.0)
    assert f["exclusion_perm_rate"] == 0.0
    assert f["first_preference_ratio"] == pytest.approx(1.0)
    assert f["first_preference_trend"] == pytest.approx(1 / 6)
    assert (f["is_primary"], f["is_secondary"], f["is_special"]) == (1.0, 0.0, 0.0)
    assert (f["is_academy"], f["in_trust"], f["trust_schools"]) == (0.0, 0.0, None)
    assert f["ks4_a8"] is None

    s = features()[SECONDARY]
    assert (s["ks4_a8"], s["ks4_p8"], s["ks4_a8_vs_england"]) == (50.0, 0.2, 0.0)
    assert (s["is_academy"], s["in_trust"], s["last_grade"]) == (1.0, 0.0, 1.0)


@pytest.mark.django_db
def test_it_gives_trends_against_england_over_three_years() -> None:
    school(PRIMARY)
    school(OTHER_PRIMARY)
    for period, mine, theirs in (
        ("2015/16", 50.0, 50.0),
        ("2016/17", 60.0, 50.0),
        ("2017/18", 70.0, 50.0),
    ):
        ks2(PRIMARY, period, mine)
        ks2(OTHER_PRIMARY, period, theirs)
    f = features(date(2019, 8, 31))[PRIMARY]
    # England is the pupil-weighted mean of both: gaps 0, +5, +10 points.
    assert f["ks2_rwm_exp_vs_england"] == pytest.approx(10.0)
    assert f["ks2_rwm_exp_trend"] == pytest.approx(5.0)


@pytest.mark.django_db
def test_it_gives_no_england_figure_for_a_year_only_one_la_published() -> None:
    for urn, rwm in ((PRIMARY, 60.0), (OTHER_PRIMARY, 50.0), (110003, 40.0)):
        school(urn)
        ks2(urn, "2016/17", rwm)
    # Only the LA's full file has this school's 2017/18 figure.
    KS2ResultFactory(
        urn=PRIMARY,
        period="2017/18",
        dataset="ks2_final_full",
        values={"rwm_expected_pct": 70.0, "pupils": 30.0},
        missing={},
    )
    f = features(date(2019, 8, 31))[PRIMARY]

    assert f["ks2_rwm_exp"] == 70.0
    assert f["ks2_rwm_exp_vs_england"] is None
    assert f["ks2_rwm_exp_vs_la"] == 0.0


@pytest.mark.django_db
def test_it_counts_schools_open_on_the_date_not_as_the_register_stands_now() -> None:
    school(120001, status="Closed", close_date=date(2018, 3, 31))  # closed later: was open
    school(120002, open_date=date(2017, 9, 1))  # opened the next day
    school(120003, status="Closed", close_date=date(2017, 7, 31))  # closed before
    school(120004, open_date=date(1900, 1, 1))  # GIAS's placeholder: long open
    school(120005, is_state_funded=False)  # independent
    school(120006, close_date=date(2017, 8, 31))  # its last day is the date

    open_urns = set(features())

    assert open_urns == {120001, 120004, 120006}


@pytest.mark.django_db
def test_it_follows_the_predecessor_urn_for_the_latest_grade() -> None:
    school(110500, status="Closed", close_date=date(2016, 8, 31))
    school(145500, open_date=date(2016, 9, 1), is_academy=True, type_name="Academy converter")
    EstablishmentLinkFactory(
        urn=145500, link_urn=110500, link_type="Predecessor", established=date(2016, 9, 1)
    )
    inspection(110500, date(2015, 1, 14), 3)
    ks2(110500, "2015/16", 55.0)

    f = features()
    sources = asat.feature_sources(AS_AT)

    assert 110500 not in f
    assert (f[145500]["last_grade"], f[145500]["ks2_rwm_exp"]) == (3.0, 55.0)
    assert {s.urn for s in sources[145500]["last_grade"]} == {110500}

    inspection(145500, date(2017, 3, 2), 2)
    academy = features()[145500]
    assert (academy["last_grade"], academy["previous_grade"], academy["grade_change"]) == (
        2.0,
        3.0,
        -1.0,
    )


@pytest.mark.django_db
def test_it_rebuilds_a_predecessor_missing_from_the_register() -> None:
    school(145600, open_date=date(2016, 12, 1), is_academy=True, type_name="Academy converter")
    # GIAS writes the conversion from both sides; the old URN closed before 2017.
    EstablishmentLinkFactory(
        urn=145600, link_urn=115600, link_type="Predecessor", established=date(2016, 12, 1)
    )
    EstablishmentLinkFactory(
        urn=115600, link_urn=145600, link_type="Successor", established=date(2016, 11, 30)
    )
    ks2(115600, "2015/16", 48.0)

    in_2016 = features(date(2016, 11, 30))
    in_2017 = features(date(2017, 8, 31))

    assert set(in_2016) == {115600}
    assert (in_2016[115600]["is_academy"], in_2016[115600]["is_primary"]) == (0.0, 1.0)
    assert set(in_2017) == {145600}
    assert in_2017[145600]["ks2_rwm_exp"] == 48.0


@pytest.mark.django_db
def test_it_takes_the_first_graded_inspection_in_the_window() -> None:
    for urn in (130001, 130002, 130003, 130004, 130005):
        school(urn)
    inspection(130001, date(2017, 10, 2), 3)  # below good ...
    inspection(130001, date(2018, 5, 1), 2)  # ... then good: the first counts
    inspection(130002, date(2018, 9, 10), 4)  # after the window
    inspection(130003, date(2018, 1, 15), 2)
    inspection(130005, date(2018, 8, 20), 4)  # in the window, reported after it
    # 130004 converts mid-window; the academy's inspection is the school's outcome.
    school(146004, open_date=date(2018, 1, 1), is_academy=True)
    EstablishmentLinkFactory(
        urn=146004, link_urn=130004, link_type="Predecessor", established=date(2018, 1, 1)
    )
    inspection(146004, date(2018, 6, 1), 4)
    # 130006 converts on the window's first day: the outcome is its old URN's, which
    # is the one with features as at the day before.
    school(130006, close_date=date(2017, 8, 31))
    school(146006, open_date=date(2017, 9, 1), is_academy=True)
    EstablishmentLinkFactory(
        urn=146006, link_urn=130006, link_type="Predecessor", established=date(2017, 9, 1)
    )
    inspection(146006, date(2018, 3, 1), 3)
    # A school that opened on the window's first day had no features the day before.
    school(146007, open_date=date(2017, 9, 1))
    inspection(146007, date(2018, 4, 1), 4)

    window = (date(2017, 9, 1), date(2018, 8, 31))
    outcomes = asat.graded_outcomes(*window)
    known_at_end = asat.graded_outcomes(*window, known_by=date(2018, 8, 31))

    assert outcomes == {130001: True, 130003: False, 130004: True, 130005: True, 130006: True}
    assert known_at_end == {130001: True, 130003: False, 130004: True, 130006: True}
    assert set(outcomes) <= set(features(date(2017, 8, 31)))


@pytest.mark.django_db
def test_it_keeps_a_school_merged_into_another_later_apart_until_then() -> None:
    school(130010)
    school(130011)
    # 130010 merged into 130011, an existing school, in 2019.
    EstablishmentLinkFactory(
        urn=130011, link_urn=130010, link_type="Predecessor - merged", established=date(2019, 9, 1)
    )
    inspection(130010, date(2017, 2, 1), 4)
    inspection(130011, date(2016, 3, 9), 1)
    inspection(130011, date(2018, 2, 5), 2)

    before = features()[130011]
    after = features(date(2019, 9, 1))[130011]

    assert (before["last_grade"], before["previous_grade"]) == (1.0, None)
    assert (after["last_grade"], after["previous_grade"]) == (2.0, 4.0)
    # The merged-into school's 2018 inspection is not the other school's outcome.
    assert asat.graded_outcomes(date(2017, 9, 1), date(2018, 8, 31)) == {130011: False}


def test_it_trains_only_on_windows_ended_by_the_date() -> None:
    assert asat.training_windows(date(2018, 8, 30)) == [
        asat.Window(date(2015, 8, 31), date(2016, 8, 31)),
        asat.Window(date(2016, 8, 31), date(2017, 8, 31)),
    ]
    assert [w.as_at for w in asat.training_windows(date(2019, 8, 31))] == [
        date(2015, 8, 31),
        date(2016, 8, 31),
        date(2017, 8, 31),
        date(2018, 8, 31),
    ]
    assert asat.training_windows(date(2016, 8, 30)) == []


@pytest.mark.django_db
def test_it_trains_on_the_windows_with_outcomes_known_by_the_date() -> None:
    school(130020)
    school(130021)
    inspection(130020, date(2016, 11, 3), 3)  # in the window after 31 August 2016
    inspection(130021, date(2017, 7, 24), 2)  # same window, reported on 2 September 2017

    early = asat.Assembler().training(date(2017, 8, 31))
    late = asat.Assembler().training(date(2017, 9, 2))

    assert [(t.as_at, dict(t.below_good)) for t in early] == [(date(2016, 8, 31), {130020: True})]
    assert [dict(t.below_good) for t in late] == [{130020: True, 130021: False}]
    assert {f.urn for f in early[0].schools} == {130020, 130021}


# --- The real Hampshire extract ---------------------------------------------


@pytest.fixture(scope="module")
def hampshire(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        call_command("demo", "load", "--la", "850", "--no-progress", stdout=StringIO())
        yield
        call_command("flush", "--no-input", verbosity=0)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("as_at", [date(2015, 8, 31), date(2017, 8, 31), date(2019, 8, 31)])
def test_no_feature_of_a_real_school_uses_later_figures(hampshire: None, as_at: date) -> None:
    built = asat.build(as_at, trace=True)

    assert len(built.features) > 450
    assert leaks(as_at, built.sources) == []
    # Tracing changes nothing.
    assert [f.values for f in asat.build(as_at).features] == [f.values for f in built.features]
