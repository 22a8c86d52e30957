"""Impact evaluation: difference in differences against similar unsupported schools."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convenor.analytics.impact import (
    MINUS,
    ImpactResult,
    Indicator,
    MatchSettings,
    SchoolData,
    Status,
    SupportedSchool,
    Verdict,
    evaluate,
    evaluate_each,
    format_value,
    t_quantile,
    window_mean,
)
from convenor.sources.ks2 import read_ks2_dfe, read_ks2_final_2019, read_ks2_perf

KS2 = Indicator("rwm_expected_pct", "KS2 expected standard")
BEFORE, AFTER = "2016/17", "2018/19"
SMALL = MatchSettings(neighbours=20, min_neighbours=2, min_comparisons=2)


def _school(urn, before, after, phase="primary", la="850", fsm=""):
    return SchoolData(urn, phase, {BEFORE: before, AFTER: after}, la_code=la, fsm_band=fsm)


def _supported(urn, plan="", provider=""):
    return SupportedSchool(urn, (BEFORE,), (AFTER,), plan=plan, provider=provider)


def _synthetic(seed, comparisons, supported, effect, noise=6.0):
    """Starting points 30-90, regression to the mean, noise; ``effect`` added to the supported."""
    rng = np.random.default_rng(seed)
    schools, rows = [], []
    for i in range(comparisons + supported):
        start = float(rng.uniform(30, 90))
        change = 0.3 * (60 - start) + float(rng.normal(0, noise))
        treated = i >= comparisons
        schools.append(_school(100000 + i, start, start + change + (effect if treated else 0)))
        if treated:
            rows.append(_supported(100000 + i))
    return schools, rows


def _estimated(result: ImpactResult) -> tuple[float, float, float]:
    assert result.status is Status.ESTIMATED, result.summary
    assert result.estimate is not None and result.interval is not None
    return result.estimate, *result.interval


# --- synthetic data --------------------------------------------------------------


def test_it_recovers_a_known_effect():
    schools, rows = _synthetic(seed=1, comparisons=300, supported=40, effect=5.0)
    result = evaluate(KS2, rows, schools)
    estimate, low, high = _estimated(result)
    assert estimate == pytest.approx(5.0, abs=1.5)
    assert 0 < low < 5.0 < high
    assert result.verdict is Verdict.BETTER
    assert result.supported_count == 40
    assert result.summary.startswith("KS2 expected standard at 40 supported schools rose ")
    assert result.summary.endswith(": clearly better than at similar schools")


def test_a_zero_effect_gives_an_interval_covering_zero():
    schools, rows = _synthetic(seed=2, comparisons=300, supported=40, effect=0.0)
    result = evaluate(KS2, rows, schools)
    _estimate, low, high = _estimated(result)
    assert low < 0 < high
    assert result.verdict is Verdict.UNCLEAR
    assert result.summary.endswith(": not clearly different from no effect")


def test_one_school_intervals_cover_a_zero_effect_about_95_times_in_100():
    covered = 0
    for seed in range(200):
        schools, rows = _synthetic(seed=seed, comparisons=150, supported=1, effect=0.0)
        _estimate, low, high = _estimated(evaluate(KS2, rows, schools))
        covered += low <= 0 <= high
    assert 0.90 <= covered / 200 <= 0.99


def test_one_school_with_a_large_effect_is_clearly_better():
    schools, rows = _synthetic(seed=3, comparisons=150, supported=1, effect=40.0, noise=4.0)
    result = evaluate(KS2, rows, schools)
    assert result.verdict is Verdict.BETTER
    assert result.comparison_count == 10
    assert result.summary.startswith("KS2 expected standard rose ")
    assert " more than at 10 similar schools not supported (95% interval " in result.summary


def test_swapping_the_groups_flips_the_sign():
    a = [_school(1, 50, 56), _school(2, 60, 61), _school(3, 40, 47), _school(4, 55, 55)]
    b = [_school(11, 52, 50), _school(12, 58, 60), _school(13, 45, 44), _school(14, 62, 59)]
    forward = evaluate(KS2, [_supported(s.urn) for s in a], a + b, settings=SMALL)
    backward = evaluate(KS2, [_supported(s.urn) for s in b], a + b, settings=SMALL)
    # Every school is compared with the whole other group, so the estimate is the
    # difference of mean changes: (6 + 1 + 7 + 0) / 4 - (-2 + 2 - 1 - 3) / 4 = 4.5.
    assert _estimated(forward)[0] == pytest.approx(4.5)
    assert _estimated(backward)[0] == pytest.approx(-4.5)


def test_a_change_of_one_unit_is_worded_in_the_singular():
    # Comparisons change by 4 and 6 (mean 5); the supported school by 6: one point more.
    points = Indicator("progress", "KS2 reading progress", unit="points", decimals=0)
    comparisons = [_school(10 + i, 50, 54 if i % 2 else 56) for i in range(4)]
    result = evaluate(points, [_supported(1)], [_school(1, 50, 56), *comparisons], settings=SMALL)
    assert _estimated(result)[0] == pytest.approx(1.0)
    assert result.summary.startswith("KS2 reading progress rose 1 point more than at 4 ")


# --- matching ---------------------------------------------------------------------


def test_it_compares_with_the_nearest_starting_values_in_the_same_phase():
    schools = [
        _school(1, 50, 60),
        _school(2, 48, 50),  # 2 away
        _school(3, 53, 52),  # 3 away
        _school(4, 47, 47),  # 3 away too: the tie goes to the lower URN, 3
        _school(5, 60, 70),  # 10 away
        _school(6, 50, 40, phase="secondary"),  # nearest, but another phase
    ]
    result = evaluate(
        KS2,
        [_supported(1)],
        schools,
        settings=MatchSettings(neighbours=2, min_neighbours=2, min_comparisons=2),
    )
    (school,) = result.schools
    assert school.comparisons == (2, 3)
    # Supported change 10; comparisons (2 - 1) / 2.
    assert _estimated(result)[0] == pytest.approx(9.5)
    assert result.supported_change == pytest.approx(10)
    assert result.comparison_change == pytest.approx(0.5)


def test_it_can_require_the_same_la_fsm_band_and_a_caliper():
    schools = [
        _school(1, 50, 60, la="850", fsm="high"),
        _school(2, 50, 51, la="850", fsm="high"),
        _school(3, 51, 52, la="936", fsm="high"),
        _school(4, 52, 53, la="850", fsm="low"),
        _school(5, 58, 57, la="850", fsm="high"),
        _school(6, 70, 65, la="850", fsm="high"),
    ]
    rows = [_supported(1)]

    def comparisons(**kw):
        return evaluate(KS2, rows, schools, settings=MatchSettings(2, 2, 2, **kw)).schools

    assert comparisons()[0].comparisons == (2, 3)
    assert comparisons(same_la=True)[0].comparisons == (2, 4)
    assert comparisons(same_la=True, same_fsm_band=True)[0].comparisons == (2, 5)
    result = evaluate(
        KS2,
        rows,
        schools,
        settings=MatchSettings(2, 2, 2, same_la=True, same_fsm_band=True, caliper=5),
    )
    assert result.status is Status.TOO_FEW_COMPARISONS
    assert result.left_out[0].reason.startswith("only 1 similar unsupported schools")


def test_it_never_compares_with_a_supported_or_excluded_school():
    schools = [_school(u, 50 + u, 55 + u) for u in range(1, 9)]
    plans = [
        SupportedSchool(1, (BEFORE,), (AFTER,), plan="P1", provider="A"),
        SupportedSchool(2, (BEFORE,), (AFTER,), plan="P2", provider="B"),
    ]
    results = evaluate_each(KS2, plans, schools, by="plan", exclude=[3], settings=SMALL)
    for result in results.values():
        used = {u for s in result.schools for u in s.comparisons}
        assert used == {4, 5, 6, 7, 8}


# --- missing and suppressed values ----------------------------------------------------


def test_it_averages_the_years_it_has_and_skips_suppressed_values():
    assert window_mean({"2015/16": None, "2016/17": 60.0}, ("2015/16", "2016/17")) == 60.0
    assert window_mean({"2017/18": 40.0, "2018/19": 60.0}, ("2017/18", "2018/19")) == 50.0
    assert window_mean({"2015/16": None}, ("2015/16", "2014/15")) is None
    years = ("2015/16", "2016/17"), ("2017/18", "2018/19")
    schools = [
        SchoolData(1, "primary", {"2015/16": None, "2016/17": 50.0, "2017/18": 60.0}),
        SchoolData(2, "primary", {"2015/16": 48.0, "2016/17": 52.0, "2018/19": 52.0}),
        SchoolData(3, "primary", {"2016/17": 49.0, "2017/18": None, "2018/19": 51.0}),
        SchoolData(4, "primary", {"2016/17": 49.0, "2017/18": None}),  # nothing after
    ]
    result = evaluate(KS2, [SupportedSchool(1, *years)], schools, settings=SMALL)
    (school,) = result.schools
    assert (school.before, school.after, school.comparisons) == (50.0, 60.0, (2, 3))
    assert _estimated(result)[0] == pytest.approx(10 - (2 + 2) / 2)


def test_it_leaves_out_a_school_without_a_value_and_says_why():
    schools, rows = _synthetic(seed=4, comparisons=50, supported=2, effect=0.0)
    schools.append(SchoolData(9, "primary", {BEFORE: None, AFTER: 50.0}))
    schools.append(SchoolData(8, "primary", {BEFORE: 50.0}))
    rows += [_supported(9, plan="P9"), _supported(8, plan="P8"), _supported(7, plan="P7")]
    result = evaluate(KS2, rows, schools)
    assert result.status is Status.ESTIMATED
    assert result.supported_count == 2
    assert [(x.urn, x.plan, x.reason) for x in result.left_out] == [
        (9, "P9", "no KS2 expected standard value for 2016/17 (before support)"),
        (8, "P8", "no KS2 expected standard value for 2018/19 (after support)"),
        (7, "P7", "no data held for this school"),
    ]
    assert result.summary.endswith("(3 supported schools left out)")


def test_it_says_there_are_too_few_comparisons_rather_than_estimating():
    schools = [_school(1, 50, 60), _school(2, 51, 52), _school(3, 49, 47), _school(4, 40, 42)]
    result = evaluate(KS2, [_supported(1)], schools)  # 3 comparisons; 5 needed
    assert result.status is Status.TOO_FEW_COMPARISONS
    assert (result.estimate, result.interval, result.verdict) == (None, None, None)
    assert result.comparison_count == 3
    assert result.summary == (
        "Not estimated: too few similar schools not supported to compare with (3 found with "
        "KS2 expected standard for the same years; at least 5 needed)"
    )
    lonely = evaluate(KS2, [_supported(1)], schools[:2])
    assert lonely.status is Status.TOO_FEW_COMPARISONS
    assert lonely.supported_count == 0


def test_it_says_when_no_supported_school_has_data():
    result = evaluate(KS2, [_supported(1)], [SchoolData(1, "primary", {BEFORE: None})])
    assert result.status is Status.NO_DATA
    assert result.summary.startswith("Not estimated: no supported school has KS2")


# --- pooling and wording ------------------------------------------------------------


def test_a_provider_pools_its_plans_each_over_its_own_years():
    early, late = (("2015/16",), ("2016/17",)), (("2017/18",), ("2018/19",))
    y = ("2015/16", "2016/17", "2017/18", "2018/19")

    def school(urn, *values):
        return SchoolData(urn, "primary", dict(zip(y, values, strict=True)))

    schools = [
        school(1, 50, 58, 58, 58),  # supported early: +8
        school(2, 50, 50, 50, 54),  # supported late: +4
        school(3, 50, 52, 50, 50),  # +2 early, 0 late
        school(4, 51, 51, 52, 53),  # 0 early, +1 late
        school(5, 70, 70, 70, 70),
    ]
    plans = [
        SupportedSchool(1, *early, plan="P1", provider="A"),
        SupportedSchool(2, *late, plan="P2", provider="A"),
        SupportedSchool(5, *late, plan="P3", provider="B"),
    ]
    s = MatchSettings(neighbours=2, min_neighbours=2, min_comparisons=2)
    pooled = evaluate_each(KS2, plans, schools, by="provider", settings=s)["A"]
    # P1: 8 - (2 + 0) / 2 = 7; P2: 4 - (0 + 1) / 2 = 3.5; pooled (7 + 3.5) / 2.
    assert _estimated(pooled)[0] == pytest.approx(5.25)
    assert pooled.supported_count == 2
    assert pooled.comparison_count == 2
    per_plan = evaluate_each(KS2, plans, schools, by="plan", settings=s)
    assert _estimated(per_plan["P1"])[0] == pytest.approx(7)
    assert _estimated(per_plan["P2"])[0] == pytest.approx(3.5)


def test_falling_absence_reads_as_better():
    absence = Indicator("overall_absence_pct", "Absence", higher_is_better=False)
    rng = np.random.default_rng(5)
    schools = [_school(i, 5.0 + i % 7, 5.0 + i % 7 + float(rng.normal(0, 0.3))) for i in range(60)]
    schools.append(_school(100, 8.0, 5.0))
    result = evaluate(absence, [_supported(100)], schools)
    assert result.verdict is Verdict.BETTER
    assert result.summary.startswith("Absence fell ")


def test_it_writes_negative_numbers_with_a_minus_sign():
    assert format_value(-1.24, 1) == MINUS + "1.2"
    assert format_value(-0.04, 1) == "0.0"
    assert format_value(13.35, 2) == "13.35"


@pytest.mark.parametrize(
    ("df", "table"), [(1, 12.706), (2, 4.303), (3, 3.182), (5, 2.571), (10, 2.228), (30, 2.042)]
)
def test_t_quantiles_match_the_tables(df, table):
    assert t_quantile(0.975, df) == pytest.approx(table, abs=0.006)


def test_it_refuses_settings_that_cannot_give_an_interval():
    with pytest.raises(ValueError, match="min_neighbours"):
        MatchSettings(min_neighbours=1)
    with pytest.raises(ValueError, match="before and after"):
        SupportedSchool(1, (), (AFTER,))


# --- properties --------------------------------------------------------------------

PROPERTY = settings(max_examples=80, deadline=None)
PROPERTY_MATCH = MatchSettings(neighbours=4, min_neighbours=2, min_comparisons=2)
panels = st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=3, max_size=25)


def _panel(values, shift=0, effect=0, treated=1):
    schools = [
        _school(i, b + shift, a + shift + (effect if i < treated else 0))
        for i, (b, a) in enumerate(values)
    ]
    return [_supported(i) for i in range(min(treated, len(values)))], schools


@PROPERTY
@given(panels, st.integers(-50, 50), st.integers(1, 3))
def test_adding_a_constant_to_every_value_changes_nothing(values, shift, treated):
    plain = evaluate(KS2, *_panel(values, treated=treated), settings=PROPERTY_MATCH)
    moved = evaluate(KS2, *_panel(values, shift, treated=treated), settings=PROPERTY_MATCH)
    assert moved.status == plain.status
    assert [s.comparisons for s in moved.schools] == [s.comparisons for s in plain.schools]
    assert (moved.estimate, moved.interval) == (plain.estimate, plain.interval)


@PROPERTY
@given(panels, st.integers(1, 3))
def test_the_interval_contains_the_estimate(values, treated):
    result = evaluate(KS2, *_panel(values, treated=treated), settings=PROPERTY_MATCH)
    if result.status is Status.ESTIMATED:
        estimate, low, high = _estimated(result)
        assert low <= estimate <= high


@PROPERTY
@given(panels, st.integers(-20, 20), st.integers(1, 3))
def test_an_effect_added_after_support_moves_the_estimate_by_that_much(values, effect, treated):
    plain = evaluate(KS2, *_panel(values, treated=treated), settings=PROPERTY_MATCH)
    lifted = evaluate(KS2, *_panel(values, effect=effect, treated=treated), settings=PROPERTY_MATCH)
    if plain.status is Status.ESTIMATED:
        assert _estimated(lifted)[0] == pytest.approx(_estimated(plain)[0] + effect)
        assert lifted.standard_error == pytest.approx(plain.standard_error)


# --- real data ------------------------------------------------------------------------


def _ks2_panel(fixtures_dir: Path, measure: str) -> dict[int, dict[str, float | None]]:
    """Every committed KS2 fixture, read by the project's readers, as URN -> year -> value."""
    records = [
        r
        for year in (2016, 2017, 2018)
        for r in [
            *read_ks2_perf(fixtures_dir / "perf_england_waiky8" / f"ks2_perf_{year}.csv").records,
            *read_ks2_dfe(fixtures_dir / "ks2_hants_surrey" / f"{year}-850-ks2.csv").records,
        ]
    ]
    final = fixtures_dir / "perf_england_2019_waiky8" / "england_ks2final.csv"
    records += read_ks2_final_2019(final).records
    panel: dict[int, dict[str, float | None]] = {}
    for r in records:
        if measure not in r.values:
            continue
        years = panel.setdefault(r.urn, {})
        old, new = years.get(r.period), r.values[measure]
        if old is not None and new is not None:
            assert old == new, (r.urn, r.period)  # two files, one school-year: they agree
        years[r.period] = new if new is not None else old
    return panel


REAL_BEFORE, REAL_AFTER = ("2015/16", "2016/17"), ("2017/18", "2018/19")


def test_on_real_ks2_progress_the_estimate_equals_a_hand_calculation(fixtures_dir):
    panel = _ks2_panel(fixtures_dir, "reading_progress")
    assert panel[116336] == {"2016/17": 2.3, "2017/18": -2.1, "2018/19": -3.2}
    assert panel[132801] == {"2016/17": 0.8, "2018/19": 0.1}
    assert panel[115854] == {"2016/17": 2.4, "2018/19": -0.9}
    assert panel[115920] == {"2016/17": 2.8, "2017/18": 2.9}
    assert panel[116268] == {"2016/17": None, "2017/18": None}  # suppressed both years
    schools = [SchoolData(urn, "primary", years) for urn, years in panel.items()]
    plans = [
        SupportedSchool(116336, REAL_BEFORE, REAL_AFTER, plan="P1", provider="Synthetic NLE"),
        SupportedSchool(132801, REAL_BEFORE, REAL_AFTER, plan="P2", provider="Synthetic NLE"),
    ]
    reading = Indicator("reading_progress", "KS2 reading progress")
    s = MatchSettings(neighbours=5, min_neighbours=2, min_comparisons=2)
    result = evaluate_each(reading, plans, schools, by="provider", settings=s)["Synthetic NLE"]

    # Only 115854 and 115920 have a value on both sides of the windows.
    comparison_change = ((-0.9 - 2.4) + (2.9 - 2.8)) / 2  # -1.6
    by_hand = (((-2.1 - 3.2) / 2 - 2.3) - comparison_change + (0.1 - 0.8) - comparison_change) / 2
    estimate, low, high = _estimated(result)
    assert estimate == pytest.approx(by_hand) == pytest.approx(-1.225)
    assert [s.comparisons for s in result.schools] == [(115854, 115920), (115854, 115920)]
    # One distinct set of two changes (spread 1.7 each side of -1.6), weights 1/2 each.
    assert result.standard_error == pytest.approx((2 * 1.7**2 * (1 / 2 + 2 * 0.25)) ** 0.5)
    assert result.degrees_of_freedom == 1
    assert low < 0 < high
    assert result.summary.startswith(
        "KS2 reading progress at 2 supported schools fell 1.2 points more than at 2 similar "
        "schools not supported (95% interval "
    )


def test_on_real_ks2_attainment_it_reports_too_few_comparisons(fixtures_dir):
    panel = _ks2_panel(fixtures_dir, "rwm_expected_pct")
    schools = [SchoolData(urn, "primary", years) for urn, years in panel.items()]
    supported = [SupportedSchool(116336, REAL_BEFORE, REAL_AFTER, plan="P1")]
    result = evaluate(KS2, supported, schools)
    assert result.status is Status.TOO_FEW_COMPARISONS
    assert result.left_out[0].reason.startswith("only 2 similar unsupported schools")
    relaxed = evaluate(KS2, supported, schools, settings=SMALL)
    # 116336: 58 -> (40 + 60) / 2; 115854: 82 -> 60; 115920: 80 -> 69.
    assert _estimated(relaxed)[0] == pytest.approx((50 - 58) - ((60 - 82) + (69 - 80)) / 2)
