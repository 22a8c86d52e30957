"""The publication calendar: the date each school-level figure became public.

An analysis "as at" a date may use only what had been published by then. The
indicator tables keep each figure's period (the academic year it describes) and
its publication (``dataset``), not the day it was released, so this module says
when each dataset's figures for a period went public:

- a **rule** per dataset family ("KS2 school-level tables in mid-December after
  the summer of the tests"), used for any period without a known date;
- **known dates** for periods where a public page gives the actual release day,
  which override the rule.

Every rule and date carries its source, marked as DOMAIN.md marks facts: **[S]**
from a secondary or official page found by search (not re-read against the
primary document), **[U]** an assumption with no source found here. Where the
rule's day is uncertain it is set late rather than early, so that an "as at"
analysis never uses a figure before it could have been seen.

Inspections have no publication date in the data held here (the Ofsted history
gives the inspection date only), so an inspection counts as public
:data:`INSPECTION_REPORT_LAG` days after it happened.

A dataset missing from the calendar is never public (:func:`published_on`
returns ``None``): a new publication must be added here before an "as at"
analysis uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from convenor.sources.years import AcademicYear

# Ofsted's handbook: the final report is normally published within 19 working days
# of the end of the inspection, and within 28 working days when it is subject to
# further quality assurance (in practice, most category-of-concern reports).
# 28 working days is about 40 calendar days; the later bound is used so that no
# outcome is counted before it could have been public.
INSPECTION_REPORT_LAG = timedelta(days=40)
INSPECTION_SOURCE = (
    "[S] School inspection handbook (2019), paras 124-125, as quoted at "
    "https://community.tes.com/threads/inspections-how-long-before-results-given.791331/ "
    "(report published within 19 working days, 28 with further quality assurance); "
    "the 40-day lag (28 working days) is the project's choice"
)
INSPECTIONS = "inspections"


@dataclass(frozen=True)
class Rule:
    """When a dataset family's school-level figures for a period become public.

    ``anchor`` says which calendar year of the academic year ``year_offset``
    counts from: ``"end"`` for results and returns that describe a finished
    year (KS2 2016/17 is published in December 2017, the year it ends), and
    ``"start"`` for admissions, whose period is the year of entry (offers for
    entry in September 2016, period 2016/17, are published in June 2016).
    """

    family: str
    datasets: tuple[str, ...]
    description: str
    anchor: Literal["start", "end"]
    year_offset: int
    month: int
    day: int
    source: str
    known: Mapping[str, tuple[date, str]] = field(default_factory=dict)

    def by_rule(self, period: str) -> date:
        """The date the rule gives for ``period`` ("2016/17"), ignoring known dates."""
        year = AcademicYear.from_label(period)
        base = year.start if self.anchor == "start" else year.start + 1
        return date(base + self.year_offset, self.month, self.day)

    def published(self, period: str) -> date:
        """The known release date for ``period`` if there is one, else the rule's."""
        known = self.known.get(period)
        return known[0] if known is not None else self.by_rule(period)


RULES: tuple[Rule, ...] = (
    Rule(
        family="ks2",
        datasets=("ks2_final", "ks2_final_full"),
        description=(
            "KS2 school-level results: the primary performance tables, with the revised "
            "statistics, in mid-December after the summer of the tests"
        ),
        anchor="end",
        year_offset=0,
        month=12,
        day=15,
        source="[S] https://gov.uk/government/statistics/key-stage-2-and-multi-academy-"
        "trust-performance-2018-revised (13 December 2018); day for other years [U]",
        known={
            "2012/13": (
                date(2013, 12, 12),
                "[S] https://www.gov.uk/government/statistics/2013-primary-school-"
                "performance-tables (published 12 December 2013)",
            ),
            "2015/16": (
                date(2016, 12, 15),
                "[S] http://www.naht.org.uk/news-and-opinion/news/curriculum-and-assessment-"
                "news/revised-data-on-key-stage-two-national-curriculum-assessments/ "
                "(15 December 2016: performance tables went live)",
            ),
            "2017/18": (
                date(2018, 12, 13),
                "[S] https://gov.uk/government/statistics/key-stage-2-and-multi-academy-"
                "trust-performance-2018-revised (published 13 December 2018)",
            ),
        },
    ),
    Rule(
        family="ks4 provisional",
        datasets=("ks4_provisional",),
        description="KS4 provisional school-level results: mid-October after the summer exams",
        anchor="end",
        year_offset=0,
        month=10,
        day=16,
        source="[S] https://vdocuments.us/provisional-gcse-and-equivalent-results-in-"
        "england-qualifications-only-the.html (2017/18 provisional: 16 October 2018); "
        "day for other years [U]",
        known={
            "2017/18": (
                date(2018, 10, 16),
                "[S] Provisional GCSE and equivalent results in England, 2017 to 2018, "
                "16 October 2018 (same page)",
            ),
        },
    ),
    Rule(
        family="ks4 final",
        datasets=("ks4_final", "ks4_final_full"),
        description=(
            "KS4 final (revised) school-level results: the secondary performance tables "
            "in late January after the summer exams"
        ),
        anchor="end",
        year_offset=1,
        month=1,
        day=25,
        source="[S] https://vdocuments.us/revised-gcse-and-equivalent-results-in-england-"
        "2016-1-revised-gcse-and-equivalent.html (SFR01/2018, 25 January 2018); "
        "day for other years [U]",
        known={
            "2015/16": (
                date(2017, 1, 19),
                "[S] https://vdocuments.site/revised-gcse-and-equivalent-results-in-england-"
                "2015-to-2016-provisional-data-we.html (SFR03/2017, 19 January 2017)",
            ),
            "2016/17": (
                date(2018, 1, 25),
                "[S] Revised GCSE and equivalent results in England, 2016 to 2017, "
                "SFR01/2018, 25 January 2018",
            ),
        },
    ),
    Rule(
        family="census",
        datasets=("census",),
        description=(
            "January school census (pupils, FSM, SEN, first language): 'Schools, pupils "
            "and their characteristics' in late June of the census year"
        ),
        anchor="end",
        year_offset=0,
        month=6,
        day=28,
        source="[S] https://wixlib.com/document/2a2da_schools-pupils-and-their-"
        "characteristics-january-2016-gov-uk.html (January 2016 census: 28 June 2016); "
        "day for other years [U]",
        known={
            "2014/15": (
                date(2015, 6, 11),
                "[S] https://pdfslide.net/documents/schools-pupils-and-their-characteristics-"
                "january-2014-limit-of-30-pupils-in-one-teacher.html (SFR 16/2015, 11 June 2015)",
            ),
            "2015/16": (
                date(2016, 6, 28),
                "[S] SFR 20/2016, 28 June 2016 (page above)",
            ),
            "2018/19": (
                date(2019, 6, 27),
                "[S] https://pdfslide.net/documents/schools-pupils-and-their-characteristics-"
                "january-2019-schools-pupils-and-their.html (27 June 2019)",
            ),
            "2019/20": (
                date(2020, 6, 25),
                "[S] https://www.fenews.co.uk/press-releases/217-resources/50047-schools-"
                "pupils-and-their-characteristics-january-2020 (25 June 2020)",
            ),
        },
    ),
    Rule(
        family="absence",
        datasets=("absence", "absence_by_reason"),
        description=(
            "Full-year pupil absence by school: 'Pupil absence in schools in England' in "
            "late March of the year after the academic year"
        ),
        anchor="end",
        year_offset=1,
        month=3,
        day=26,
        source="[S] https://fly1.wordsworth.site/government/statistics/pupil-absence-in-"
        "schools-in-england-2016-to-2017 (published 22 March 2018); day for other years [U]",
        known={
            "2016/17": (
                date(2018, 3, 22),
                "[S] https://fly1.wordsworth.site/government/statistics/pupil-absence-in-"
                "schools-in-england-2016-to-2017 (published 22 March 2018)",
            ),
            "2018/19": (
                date(2020, 3, 26),
                "[S] https://cdn-4.fenews.co.uk/press-releases/217-resources/44475-pupil-"
                "absence-in-schools-in-england-2018-to-2019 (26 March 2020)",
            ),
        },
    ),
    Rule(
        family="exclusions",
        datasets=("exclusions",),
        description=(
            "Permanent and fixed-period exclusions by school: late July of the year after "
            "the academic year"
        ),
        anchor="end",
        year_offset=1,
        month=7,
        day=31,
        source="[S] https://gov.uk/government/statistics/permanent-and-fixed-period-"
        "exclusions-in-england-2017-to-2018 (published 25 July 2019); the rule's 31 July "
        "is the latest day seen, day for other years [U]",
        known={
            "2017/18": (
                date(2019, 7, 25),
                "[S] https://gov.uk/government/statistics/permanent-and-fixed-period-"
                "exclusions-in-england-2017-to-2018 (published 25 July 2019)",
            ),
            "2018/19": (
                date(2020, 7, 30),
                "[S] https://www.fenews.co.uk/press-releases/217-resources/52379-permanent-"
                "and-fixed-period-exclusions-in-england-2018-to-2019 (30 July 2020)",
            ),
        },
    ),
    Rule(
        family="admissions",
        datasets=("admissions",),
        description=(
            "Applications and offers for entry in September (period = year of entry): "
            "'Secondary and primary school applications and offers' in mid-June before entry"
        ),
        anchor="start",
        year_offset=0,
        month=6,
        day=17,
        source="[S] https://www.gov.uk/government/statistics/secondary-and-primary-school-"
        "application-and-offers-2018 (14 June 2018, LA level); that school-level figures "
        "were public on the same day [U]",
        known={
            "2016/17": (
                date(2016, 6, 14),
                "[S] https://www.gov.uk/government/statistics/secondary-and-primary-school-"
                "applications-and-offers-2016 (published 14 June 2016)",
            ),
            "2018/19": (
                date(2018, 6, 14),
                "[S] https://www.gov.uk/government/statistics/secondary-and-primary-school-"
                "application-and-offers-2018 (published 14 June 2018)",
            ),
            "2020/21": (
                date(2020, 6, 11),
                "[S] https://www.fenews.co.uk/resources/secondary-and-primary-school-"
                "application-and-offers-2020/ (published 11 June 2020)",
            ),
            "2021/22": (
                date(2021, 6, 17),
                "[S] https://www.fenews.co.uk/press-releases/217-resources/70741-secondary-"
                "and-primary-school-applications-and-offers-2021 (17 June 2021)",
            ),
        },
    ),
)

_BY_DATASET: dict[str, Rule] = {dataset: rule for rule in RULES for dataset in rule.datasets}


def rule_for(dataset: str) -> Rule | None:
    """The :class:`Rule` covering ``dataset``, or None if the calendar does not know it."""
    return _BY_DATASET.get(dataset)


@lru_cache(maxsize=1024)
def published_on(dataset: str, period: str) -> date | None:
    """The date ``dataset``'s school-level figures for ``period`` became public.

    ``None`` when the calendar has no rule for the dataset (or the period is not
    an academic year label): such figures are treated as never public.
    """
    rule = _BY_DATASET.get(dataset)
    if rule is None:
        return None
    try:
        return rule.published(period)
    except ValueError:
        return None


def is_public(dataset: str, period: str, as_at: date) -> bool:
    """Whether ``dataset``'s figures for ``period`` had been published by ``as_at``."""
    published = published_on(dataset, period)
    return published is not None and published <= as_at


def inspection_published(inspection_date: date) -> date:
    """The day an inspection's outcome is taken to be public (inspection date + lag)."""
    return inspection_date + INSPECTION_REPORT_LAG


def latest_public_inspection(as_at: date) -> date:
    """The last inspection date whose outcome is public by ``as_at``."""
    return as_at - INSPECTION_REPORT_LAG
