"""The publication calendar: when each dataset's school-level figures became public."""

from __future__ import annotations

from datetime import date

import pytest

from convenor.intelligence import asat, publication
from convenor.sources.years import AcademicYear


@pytest.mark.parametrize(
    ("dataset", "period", "published"),
    [
        # KS2 tables in mid-December after the tests; 2017/18 on its known day.
        ("ks2_final", "2016/17", date(2017, 12, 15)),
        ("ks2_final", "2017/18", date(2018, 12, 13)),
        ("ks2_final_full", "2018/19", date(2019, 12, 15)),
        # KS4: provisional in October, final in late January of the next year.
        ("ks4_provisional", "2018/19", date(2019, 10, 16)),
        ("ks4_final", "2015/16", date(2017, 1, 19)),
        ("ks4_final", "2017/18", date(2019, 1, 25)),
        # The January census in late June of the same year.
        ("census", "2016/17", date(2017, 6, 28)),
        ("census", "2018/19", date(2019, 6, 27)),
        # Full-year absence in March, exclusions in July, of the following year.
        ("absence", "2016/17", date(2018, 3, 22)),
        ("absence_by_reason", "2015/16", date(2017, 3, 26)),
        ("exclusions", "2015/16", date(2017, 7, 31)),
        ("exclusions", "2017/18", date(2019, 7, 25)),
        # Offers for entry in September 2019 (period 2019/20) in June 2019.
        ("admissions", "2019/20", date(2019, 6, 17)),
        ("admissions", "2018/19", date(2018, 6, 14)),
    ],
)
def test_it_dates_each_publication(dataset: str, period: str, published: date) -> None:
    assert publication.published_on(dataset, period) == published


def test_it_makes_an_inspection_public_forty_days_after_it() -> None:
    assert publication.inspection_published(date(2017, 7, 20)) == date(2017, 8, 29)
    assert publication.latest_public_inspection(date(2017, 8, 29)) == date(2017, 7, 20)


def test_it_counts_a_figure_public_from_its_publication_day() -> None:
    assert not publication.is_public("ks2_final", "2016/17", date(2017, 12, 14))
    assert publication.is_public("ks2_final", "2016/17", date(2017, 12, 15))


def test_it_treats_an_unknown_dataset_or_period_as_never_public() -> None:
    assert publication.published_on("ks5_final", "2016/17") is None
    assert publication.published_on("census", "January 2017") is None
    assert not publication.is_public("ks5_final", "2016/17", date(2099, 1, 1))


def test_it_knows_every_dataset_the_features_read() -> None:
    families = (
        asat.KS2,
        asat.KS4,
        asat.CENSUS,
        asat.ABSENCE,
        asat.ENROLMENTS,
        asat.EXCLUSIONS,
        asat.PREFERENCES,
    )
    unknown = [d for f in families for d in f.datasets if publication.rule_for(d) is None]
    assert unknown == []


@pytest.mark.parametrize("rule", publication.RULES, ids=lambda r: r.family)
def test_it_never_publishes_a_year_before_it_could_be_known(rule: publication.Rule) -> None:
    for start in range(2012, 2025):
        period = str(AcademicYear(start))
        published = rule.published(period)
        if rule.family == "census":
            floor = date(start + 1, 1, 31)  # after the January census day
        elif rule.family == "admissions":
            floor = date(start, 3, 1)  # after national offer day for secondary places
        else:
            floor = date(start + 1, 8, 31)  # after the tests, exams or school year
        assert published > floor, (rule.family, period, published)


@pytest.mark.parametrize("rule", publication.RULES, ids=lambda r: r.family)
def test_it_gives_every_rule_and_known_date_a_marked_source(rule: publication.Rule) -> None:
    assert rule.source.startswith(("[S]", "[U]"))
    for period, (day, source) in rule.known.items():
        assert source.startswith(("[S]", "[U]")), period
        # A known date is close to the rule's: a typo in either would show here.
        assert abs((day - rule.by_rule(period)).days) <= 20, period
