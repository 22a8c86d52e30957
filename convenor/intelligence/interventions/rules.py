"""The statutory periods and powers, each with the date it took effect and its source, the
LA's local policy for periods the law does not set, and the date arithmetic they need."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from convenor.intelligence.interventions.vocabulary import Issuer, NoticeKind, Power


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: the law, the DOMAIN.md section, and how sure we are."""

    law: str
    domain: str
    confidence: str

    def __str__(self) -> str:
        return f"{self.law} ({self.domain} [{self.confidence}])"


@dataclass(frozen=True)
class NoticeRules:
    """What a warning notice given on or after ``effective_from`` must satisfy."""

    effective_from: date
    issuers: Mapping[NoticeKind, frozenset[Issuer]]
    # The compliance period's least length in working days beginning with the day of the
    # notice; None where the issuing authority sets it freely.
    min_compliance_working_days: int | None
    # Who hears representations against the notice, where the law allowed them.
    representations_to: Mapping[NoticeKind, str]
    source: Source

    @property
    def kinds(self) -> frozenset[NoticeKind]:
        return frozenset(self.issuers)


LA_ONLY = frozenset({Issuer.LOCAL_AUTHORITY})

NOTICE_RULES: tuple[NoticeRules, ...] = (
    NoticeRules(
        effective_from=date(2007, 4, 1),
        issuers={NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY: LA_ONLY},
        min_compliance_working_days=15,
        representations_to={NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY: "Ofsted"},
        source=Source(
            "EIA 2006 s60 as enacted, in force 1 April 2007 (SI 2007/935)",
            "DOMAIN.md 1.3: the fixed 15 working days and representations to Ofsted, "
            "both removed in 2016; that representations fell within the compliance period",
            "V; U",
        ),
    ),
    NoticeRules(
        effective_from=date(2010, 1, 12),
        issuers={
            NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY: LA_ONLY,
            NoticeKind.PAY_AND_CONDITIONS: LA_ONLY,
        },
        min_compliance_working_days=15,
        representations_to={
            NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY: "Ofsted",
            NoticeKind.PAY_AND_CONDITIONS: "the local authority",
        },
        source=Source(
            "s60A inserted by ASCLA 2009 Sch 13, in force 12 January 2010 (SI 2009/3317)",
            "DOMAIN.md 1.2, 1.3",
            "V",
        ),
    ),
    NoticeRules(
        effective_from=date(2016, 4, 18),
        issuers={
            NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY: frozenset(Issuer),
            NoticeKind.PAY_AND_CONDITIONS: LA_ONLY,
        },
        min_compliance_working_days=None,
        representations_to={},
        source=Source(
            "Education and Adoption Act 2016 ss2-3, in force 18 April 2016 (SI 2016/466 "
            "reg 2); a notice given before then keeps the old rules (reg 4)",
            "DOMAIN.md 1.3: compliance period set by the authority, no representations, "
            "s60A by the LA only",
            "V",
        ),
    ),
)


def notice_rules(issued_on: date) -> NoticeRules | None:
    """The rules for a notice given on ``issued_on``; None before EIA 2006 Part 4."""
    in_force = [rules for rules in NOTICE_RULES if rules.effective_from <= issued_on]
    return max(in_force, key=lambda rules: rules.effective_from) if in_force else None


@dataclass(frozen=True)
class PowerRule:
    """An LA intervention power (EIA 2006 ss63-66) and its window in warning-notice cases."""

    power: Power
    effective_from: date
    available_for: frozenset[NoticeKind]
    # Exercisable only within this many months after the end of the compliance period,
    # when the school is eligible through a notice of one of ``window_for`` kinds.
    window_months: int
    window_for: frozenset[NoticeKind]
    # Whether the window is read in the Act itself; an unverified one warns but does
    # not stop a power being recorded.
    window_verified: bool
    source: Source


BOTH_KINDS = frozenset(NoticeKind)
S60_ONLY = frozenset({NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY})
PART_4_IN_FORCE = date(2007, 4, 1)

POWER_RULES: Mapping[Power, PowerRule] = {
    Power.ARRANGEMENTS: PowerRule(
        Power.ARRANGEMENTS,
        PART_4_IN_FORCE,
        available_for=S60_ONLY,
        window_months=2,
        window_for=S60_ONLY,
        window_verified=True,
        source=Source(
            "EIA 2006 s63(1), (3)",
            "DOMAIN.md 1.4: not for s60A; 2 months after the end of the compliance period",
            "V",
        ),
    ),
    Power.ADDITIONAL_GOVERNORS: PowerRule(
        Power.ADDITIONAL_GOVERNORS,
        PART_4_IN_FORCE,
        available_for=BOTH_KINDS,
        window_months=2,
        window_for=BOTH_KINDS,
        window_verified=True,
        source=Source(
            "EIA 2006 s64(2), read on legislation.gov.uk",
            "DOMAIN.md 1.4 marks the s64-66 window [U]",
            "V",
        ),
    ),
    Power.INTERIM_EXECUTIVE_BOARD: PowerRule(
        Power.INTERIM_EXECUTIVE_BOARD,
        PART_4_IN_FORCE,
        available_for=BOTH_KINDS,
        window_months=2,
        window_for=BOTH_KINDS,
        window_verified=False,
        source=Source("EIA 2006 s65", "DOMAIN.md 1.4: window believed to apply", "U"),
    ),
    Power.SUSPEND_BUDGET: PowerRule(
        Power.SUSPEND_BUDGET,
        PART_4_IN_FORCE,
        available_for=BOTH_KINDS,
        window_months=2,
        window_for=BOTH_KINDS,
        window_verified=False,
        source=Source("EIA 2006 s66", "DOMAIN.md 1.4: window believed to apply", "U"),
    ),
}


@dataclass(frozen=True)
class IebRules:
    effective_from: date
    consent_required: bool
    min_members: int
    source: Source


IEB_RULES = IebRules(
    effective_from=PART_4_IN_FORCE,
    consent_required=True,
    min_members=2,
    source=Source(
        "EIA 2006 s65 (Secretary of State's consent); Sch 6 para 4(1) (at least two members)",
        "DOMAIN.md 1.4",
        "V",
    ),
)

# The window's months are calendar months counted by the corresponding-date rule
# (Interpretation Act 1978 Sch 1; Dodds v Walker [1981] 1 WLR 1027): not in
# DOMAIN.md, so marked uncertain.
MONTHS_SOURCE = Source(
    "calendar months, corresponding-date rule (Interpretation Act 1978 Sch 1; Dodds v Walker)",
    "not in DOMAIN.md",
    "U",
)


@dataclass(frozen=True)
class LocalPolicy:
    """Periods the law does not set: the LA's own expectations, in calendar days.

    ``trust_response_days`` follows the 15 days commonly given for responses on the
    academy intervention ladder (DOMAIN.md 1.8 [S]); the others are working defaults.
    """

    trust_response_days: int = 15
    regional_director_response_days: int = 28
    consent_chase_days: int = 28
    window_closing_days: int = 14


DEFAULT_POLICY = LocalPolicy()


# --- Date arithmetic -----------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` moved on by calendar months: the same day of the month, or the month's
    last day when it has no such day (31 December + 2 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_working_days(start: date, count: int, holidays: frozenset[date] = frozenset()) -> date:
    """The ``count``-th working day of a period beginning with ``start`` (``start`` itself
    is the first if it is a working day). Weekends and ``holidays`` do not count.

    Without the bank holidays the answer can be a day or two early, which makes a
    minimum period checked with it lenient, never strict.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    counted = 0
    while True:
        if day.weekday() < 5 and day not in holidays:
            counted += 1
            if counted == count:
                return day
        day += timedelta(days=1)


def earliest_compliance_end(kind: NoticeKind, issued_on: date) -> date:
    """The earliest last day of the compliance period a notice given on ``issued_on`` may set.

    Before 18 April 2016 the period was 15 working days beginning with the day of the
    notice; since then the issuing authority sets it, and it may not end before the
    notice was given.
    """
    rules = notice_rules(issued_on)
    if rules is None or rules.min_compliance_working_days is None:
        return issued_on
    return add_working_days(issued_on, rules.min_compliance_working_days)


def powers_window(compliance_ends_on: date, months: int = 2) -> tuple[date, date]:
    """The first and last days on which a power may be used after a notice is not complied
    with: from the day after the compliance period to ``months`` calendar months after it."""
    return compliance_ends_on + timedelta(days=1), add_months(compliance_ends_on, months)
