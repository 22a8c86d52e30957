"""Completed plans and stored results into the impact analysis, and the report back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from statistics import mean

import pytest

from convenor.analytics.impact import Status
from convenor.brokerage.impact import (
    INDICATORS,
    academic_year,
    ended_on,
    impact_report,
    plan_windows,
    shift_year,
    supported_schools,
    values_by_school,
)
from convenor.brokerage.models import SupportPlan, SupportProvider
from convenor.brokerage.services import (
    approve_match,
    create_plan,
    log_visit,
    rate_support,
    review_plan,
)
from convenor.brokerage.tests.factories import (
    MatchFactory,
    SupportProviderFactory,
    SupportRequestFactory,
    hampshire_school,
)
from convenor.intelligence.models import KS2Result, KS4Result
from convenor.schools.models import Establishment
from convenor.sources.ks2 import read_ks2_dfe


def test_it_names_academic_years_as_results_do() -> None:
    assert academic_year(date(2017, 9, 1)) == "2017/18"
    assert academic_year(date(2018, 8, 31)) == "2017/18"
    assert academic_year(date(1999, 12, 1)) == "1999/00"
    assert shift_year("2017/18", -2) == "2015/16"
    assert shift_year("2019/20", 1) == "2020/21"


def test_it_takes_the_years_ended_before_the_start_and_begun_after_the_end() -> None:
    assert plan_windows(date(2017, 10, 2), date(2018, 7, 20)) == (
        ("2015/16", "2016/17"),
        ("2018/19", "2019/20"),
    )
    # A plan ending on 1 September has the whole of that academic year inside it.
    assert plan_windows(date(2017, 9, 1), date(2018, 9, 1), 1, 1) == (("2016/17",), ("2019/20",))


def completed_plan(
    school: Establishment,
    *,
    provider: SupportProvider | None = None,
    completed: date = date(2018, 7, 20),
    decision: str = "complete",
) -> SupportPlan:
    """A plan from 2 October 2017, reviewed (completed by default) on ``completed``."""
    request = SupportRequestFactory.create(urn=school.urn, raised_on=date(2017, 9, 4))
    provider = provider or SupportProviderFactory.create(available_from=date(2017, 1, 1))
    match = approve_match(
        MatchFactory.create(request=request, provider=provider), actor="test", on=date(2017, 9, 20)
    )
    plan = create_plan(
        match,
        actor="test",
        objectives="Raise reading.",
        starts=date(2017, 10, 2),
        ends=date(2018, 7, 31),
        next_review_on=date(2018, 1, 15),
    )
    log_visit(plan, actor="test", visited_on=date(2017, 10, 10), days=1)
    review_plan(plan, actor="test", decision=decision, reason="Done.", reviewed_on=completed)
    plan.refresh_from_db()
    return plan


def ks2(urn: int, **by_year: float | None) -> None:
    """Store KS2 % at the expected standard for ``urn``: ``y2016=50`` is 2016/17."""
    for key, value in by_year.items():
        first = int(key[1:])
        KS2Result.objects.create(
            urn=urn,
            period=f"{first}/{(first + 1) % 100:02d}",
            dataset="ks2_final",
            values={"rwm_expected_pct": value},
            source_file="test",
        )


@pytest.mark.django_db
def test_a_plan_ends_on_the_review_that_completed_it() -> None:
    plan = completed_plan(hampshire_school(), completed=date(2018, 3, 1))
    assert ended_on([plan]) == {plan.pk: date(2018, 3, 1)}
    (row,) = supported_schools([plan], years_before=1, years_after=1)
    assert (row.urn, row.before, row.after) == (plan.urn, ("2016/17",), ("2018/19",))
    assert (row.plan, row.provider) == (str(plan.pk), str(plan.provider_id))


@pytest.mark.django_db
def test_it_prefers_the_final_results_and_skips_withheld_values() -> None:
    KS4Result.objects.create(
        urn=1, period="2018/19", dataset="ks4_provisional", values={"progress8": 0.5}
    )
    KS4Result.objects.create(
        urn=1, period="2018/19", dataset="ks4_final", values={"progress8": 0.4}
    )
    KS4Result.objects.create(
        urn=2, period="2018/19", dataset="ks4_final", values={"progress8": None}
    )
    KS4Result.objects.create(
        urn=2, period="2018/19", dataset="ks4_provisional", values={"progress8": -0.1}
    )
    KS4Result.objects.create(urn=3, period="2017/18", dataset="ks4_final", values={"progress8": 1})
    KS4Result.objects.create(
        urn=4, period="2015/16", dataset="ks4_final", values={"attainment8": 40.0}
    )
    found = values_by_school(INDICATORS["ks4_p8"], ["2018/19"])
    assert found == {1: {"2018/19": 0.4}, 2: {"2018/19": -0.1}}
    # Attainment 8 changed scale in 2016/17: earlier years are never read.
    assert values_by_school(INDICATORS["ks4_a8"], ["2015/16"]) == {}


@pytest.mark.django_db
def test_it_estimates_each_completed_plan_against_the_nearest_unsupported_schools() -> None:
    supported = hampshire_school()
    ks2(supported.urn, y2015=48, y2016=52, y2018=60)  # before 50, after 60: +10
    changes = [1.0, 3.0, 2.0, 4.0, 0.0, 2.0, 5.0, -1.0, 3.0, 1.0, 30.0, 30.0]
    for n, change in enumerate(changes, start=1):
        school = hampshire_school()
        ks2(school.urn, y2015=50 + n, y2016=50 + n, y2018=50 + n + change)
    # Supported under a live plan: never a comparison, though nearest of all.
    other = hampshire_school()
    ks2(other.urn, y2015=50, y2016=50, y2018=90)
    provider = SupportProviderFactory.create(available_from=date(2017, 1, 1), name="A Provider")
    plan = completed_plan(supported, provider=provider)
    rate_support(plan, actor="test", score=4, rated_on=date(2018, 7, 25))
    live = approve_match(
        MatchFactory.create(request=SupportRequestFactory.create(urn=other.urn)),
        actor="test",
        on=date(2019, 9, 10),
    )
    create_plan(
        live,
        actor="test",
        objectives="Go on.",
        starts=date(2019, 10, 1),
        ends=date(2020, 7, 1),
        next_review_on=date(2020, 1, 1),
    )
    secondary = hampshire_school(phase="Secondary")
    completed_plan(secondary)

    (report,) = impact_report(SupportPlan.objects.all(), ["ks2_rwm"])
    (row,) = report.plans  # the secondary school's plan is not measured by KS2
    result = row.result
    assert result.status is Status.ESTIMATED
    assert result.estimate == pytest.approx(10 - mean(changes[:10]))
    assert other.urn not in result.schools[0].comparisons
    assert result.supported_count == 1 and result.comparison_count == 10
    assert "rose" in result.summary and "at 10 similar schools not supported" in result.summary
    assert row.rating is not None and row.rating.score == 4
    (by_provider,) = report.providers
    assert by_provider.provider == provider and by_provider.plans == 1
    assert by_provider.result.estimate == pytest.approx(result.estimate)
    assert (by_provider.rating_mean, by_provider.rating_count) == (4.0, 1)


@pytest.mark.django_db
def test_a_stopped_plan_is_not_reported() -> None:
    completed_plan(hampshire_school(), decision="stop")
    (report,) = impact_report(SupportPlan.objects.all(), ["ks2_rwm"])
    assert report.plans == () and report.providers == ()


@pytest.mark.django_db
def test_it_reads_the_committed_real_ks2_files(fixtures_dir: Path) -> None:
    """Hampshire's real KS2 results (three years, eleven schools each) through the glue.

    Only Newtown CE VC Primary (116336) has results in all three files, so its plan has
    values before and after but no comparison with values for the same years: the report
    says so rather than estimating.
    """
    for year in (2016, 2017, 2018):
        read = read_ks2_dfe(fixtures_dir / "ks2_hants_surrey" / f"{year}-850-ks2.csv")
        for r in read.records:
            KS2Result.objects.create(
                urn=r.urn, period=r.period, dataset=r.dataset, values=dict(r.values)
            )
    found = values_by_school(INDICATORS["ks2_rwm"], ["2016/17", "2017/18", "2018/19"])
    assert found[116336] == {"2016/17": 58.0, "2017/18": 40.0, "2018/19": 60.0}
    assert 116407 not in found  # suppressed in the file: no value, not zero
    plan = completed_plan(hampshire_school(urn=116336))
    (report,) = impact_report(SupportPlan.objects.filter(pk=plan.pk), ["ks2_rwm"], years_before=1)
    (row,) = report.plans
    assert row.result.status is Status.TOO_FEW_COMPARISONS
    assert row.result.left_out[0].reason.startswith("only 0 similar unsupported schools")
    assert row.result.summary.startswith("Not estimated: too few similar schools")
