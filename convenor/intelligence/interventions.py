"""The clocks of statutory intervention casework: pure rules, dataclasses in, dates out.

Nothing here touches Django or the database. Models and services describe a case as
the facts dataclasses below (:class:`NoticeFacts`, :class:`IebFacts`,
:class:`ConcernFacts`); the clock functions say, "as at" a date, what is due, what is
overdue, whether the powers window is open, and build the case's timeline.

Every statutory period is configuration with the date it took effect and its source
(DOMAIN.md section and confidence marker: V verified, S secondary, U uncertain):
:data:`NOTICE_RULES`, :data:`POWER_RULES`, :data:`IEB_RULES`. Periods the law does not
set (how long a trust has to answer the LA, when to chase the DfE) are local policy,
in :class:`LocalPolicy`.

"As at" means what was known on that day: a fact dated after it (an outcome recorded
later, a copy sent later) counts as not yet happened, so an old date shows the case as
it stood then.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

# --- Vocabulary -------------------------------------------------------------------------


class NoticeKind(StrEnum):
    PERFORMANCE_STANDARDS_AND_SAFETY = "s60"
    PAY_AND_CONDITIONS = "s60a"


class Ground(StrEnum):
    """The grounds of a performance standards and safety warning notice, s60(2)(a)-(c)."""

    LOW_STANDARDS = "a"
    MANAGEMENT_OR_GOVERNANCE = "b"
    SAFETY = "c"


class Issuer(StrEnum):
    LOCAL_AUTHORITY = "la"
    SECRETARY_OF_STATE = "sos"


class Outcome(StrEnum):
    COMPLIED = "complied"
    NOT_COMPLIED = "not_complied"
    WITHDRAWN = "withdrawn"
    # s60(4B): a Secretary of State's notice ends any earlier LA notice.
    SUPERSEDED = "superseded"


class Recipient(StrEnum):
    HEAD_TEACHER = "head_teacher"
    DIOCESAN_AUTHORITY = "diocesan_authority"
    FOUNDATION_APPOINTER = "foundation_appointer"
    SECRETARY_OF_STATE = "secretary_of_state"


class Power(StrEnum):
    ARRANGEMENTS = "s63"
    ADDITIONAL_GOVERNORS = "s64"
    INTERIM_EXECUTIVE_BOARD = "s65"
    SUSPEND_BUDGET = "s66"


class EligibilityGround(StrEnum):
    """Why a school is eligible for intervention (s59(2)); an IEB rests on one of these."""

    WARNING_NOTICE = "s60"
    PAY_WARNING_NOTICE = "s60a"
    COASTING = "s60b"
    SIGNIFICANT_IMPROVEMENT = "s61"
    SPECIAL_MEASURES = "s62"


class ConsentDecision(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class ConcernStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


NOTICE_KIND_LABELS: Mapping[NoticeKind, str] = {
    NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY: "Performance standards and safety (s60)",
    NoticeKind.PAY_AND_CONDITIONS: "Teachers' pay and conditions (s60A)",
}
GROUND_LABELS: Mapping[Ground, str] = {
    Ground.LOW_STANDARDS: "(a) Pupils' standards of performance are unacceptably low",
    Ground.MANAGEMENT_OR_GOVERNANCE: "(b) Serious breakdown in management or governance",
    Ground.SAFETY: "(c) The safety of pupils or staff is threatened",
}
ISSUER_LABELS: Mapping[Issuer, str] = {
    Issuer.LOCAL_AUTHORITY: "The local authority",
    Issuer.SECRETARY_OF_STATE: "The Secretary of State (regional director)",
}
OUTCOME_LABELS: Mapping[Outcome, str] = {
    Outcome.COMPLIED: "Complied",
    Outcome.NOT_COMPLIED: "Not complied",
    Outcome.WITHDRAWN: "Withdrawn",
    Outcome.SUPERSEDED: "Superseded by a Secretary of State's notice",
}
RECIPIENT_LABELS: Mapping[Recipient, str] = {
    Recipient.HEAD_TEACHER: "The head teacher",
    Recipient.DIOCESAN_AUTHORITY: "The diocesan authority",
    Recipient.FOUNDATION_APPOINTER: "Whoever appoints the foundation governors",
    Recipient.SECRETARY_OF_STATE: "The Secretary of State",
}
POWER_LABELS: Mapping[Power, str] = {
    Power.ARRANGEMENTS: "Require the governing body to enter into arrangements (s63)",
    Power.ADDITIONAL_GOVERNORS: "Appoint additional governors (s64)",
    Power.INTERIM_EXECUTIVE_BOARD: "Interim executive board in place of the governing body (s65)",
    Power.SUSPEND_BUDGET: "Suspend the right to a delegated budget (s66)",
}
ELIGIBILITY_LABELS: Mapping[EligibilityGround, str] = {
    EligibilityGround.WARNING_NOTICE: "Warning notice not complied with (s60)",
    EligibilityGround.PAY_WARNING_NOTICE: "Pay warning notice not complied with (s60A)",
    EligibilityGround.COASTING: "Coasting, notified by the Secretary of State (s60B)",
    EligibilityGround.SIGNIFICANT_IMPROVEMENT: "Requires significant improvement (s61)",
    EligibilityGround.SPECIAL_MEASURES: "Requires special measures (s62)",
}
CONSENT_LABELS: Mapping[ConsentDecision, str] = {
    ConsentDecision.GRANTED: "Granted",
    ConsentDecision.REFUSED: "Refused",
}
CONCERN_STATUS_LABELS: Mapping[ConcernStatus, str] = {
    ConcernStatus.OPEN: "Open",
    ConcernStatus.RESOLVED: "Resolved",
    ConcernStatus.CLOSED: "Closed without resolution",
}


Choice = TypeVar("Choice", bound=StrEnum)


def choices(labels: Mapping[Choice, str]) -> list[tuple[str, str]]:
    """``(value, label)`` pairs for a model or form field, in the enum's order."""
    return [(str(value), label) for value, label in labels.items()]


# --- Which schools -------------------------------------------------------------------

# EIA 2006 s59(1): the schools Part 4 calls "maintained" (DOMAIN.md 1.2 [V]), as the
# register names their types. Pupil referral units are not in the list.
MAINTAINED_TYPES = frozenset(
    {
        "Community school",
        "Foundation school",
        "Voluntary aided school",
        "Voluntary controlled school",
        "Community special school",
        "Foundation special school",
        "Local authority nursery school",
    }
)
# Foundation and voluntary schools: their notices are copied to the diocese or to
# whoever appoints the foundation governors (s60(6), DOMAIN.md 1.3 [V]).
FOUNDATION_OR_VOLUNTARY_TYPES = frozenset(
    {"Foundation school", "Voluntary aided school", "Voluntary controlled school"}
)
# s60(6)(b) names the diocesan authority for Church of England and Roman Catholic
# schools; other foundation or voluntary schools get the foundation governors'
# appointer (the same split as s67(2) and s69(2), read on legislation.gov.uk).
DIOCESAN_CHARACTERS = ("church of england", "roman catholic", "catholic")


def is_maintained(type_name: str) -> bool:
    """Whether a register type is a maintained school in the sense of EIA 2006 s59(1)."""
    return type_name in MAINTAINED_TYPES


def required_copies(
    issuer: Issuer, type_name: str, religious_character: str
) -> tuple[Recipient, ...]:
    """Who must get a copy of a warning notice, at the same time as the governing body.

    The head teacher always; for a foundation or voluntary school the diocesan
    authority (Church of England and Roman Catholic schools) or whoever appoints the
    foundation governors; and, for a local authority's notice, the Secretary of State
    (s60(6), (6A); DOMAIN.md 1.3 [V]).
    """
    recipients = [Recipient.HEAD_TEACHER]
    if type_name in FOUNDATION_OR_VOLUNTARY_TYPES:
        character = religious_character.lower()
        if any(name in character for name in DIOCESAN_CHARACTERS):
            recipients.append(Recipient.DIOCESAN_AUTHORITY)
        else:
            recipients.append(Recipient.FOUNDATION_APPOINTER)
    if issuer == Issuer.LOCAL_AUTHORITY:
        recipients.append(Recipient.SECRETARY_OF_STATE)
    return tuple(recipients)


# --- Statutory rules, by the date they took effect ------------------------------------


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


# --- Case facts ----------------------------------------------------------------------


@dataclass(frozen=True)
class CopyFact:
    recipient: Recipient
    sent_on: date


@dataclass(frozen=True)
class PowerFact:
    power: Power
    used_on: date
    dfe_notified_on: date | None = None


@dataclass(frozen=True)
class NoticeFacts:
    """A warning notice as recorded: enough to run its clock."""

    kind: NoticeKind
    issuer: Issuer
    issued_on: date
    compliance_ends_on: date
    required_copies: tuple[Recipient, ...] = ()
    copies: tuple[CopyFact, ...] = ()
    outcome: Outcome | None = None
    outcome_on: date | None = None
    reasonable_notice_on: date | None = None
    powers: tuple[PowerFact, ...] = ()
    representations_on: date | None = None


@dataclass(frozen=True)
class IebFacts:
    """An interim executive board as recorded. ``window_closes_on`` is the last day of the
    powers window of the warning notice it rests on, if any (s65 in a notice case)."""

    proposed_on: date
    consent_requested_on: date | None = None
    consent_decision: ConsentDecision | None = None
    consent_decision_on: date | None = None
    constituted_on: date | None = None
    member_count: int | None = None
    ended_on: date | None = None
    window_closes_on: date | None = None


@dataclass(frozen=True)
class ConcernFacts:
    """A concern about an academy raised with its trust and, if need be, the regional director."""

    raised_on: date
    trust_response_on: date | None = None
    referred_on: date | None = None
    rd_response_on: date | None = None
    status: ConcernStatus = ConcernStatus.OPEN
    closed_on: date | None = None


# --- Clock output --------------------------------------------------------------------


class DeadlineState(StrEnum):
    MET = "met"
    UPCOMING = "upcoming"
    OVERDUE = "overdue"
    # A window that closed unused: nothing was owed, but the chance has gone.
    LAPSED = "lapsed"


class Severity(StrEnum):
    OVERDUE = "overdue"
    WARNING = "warning"
    INFO = "info"


class WindowState(StrEnum):
    NOT_STARTED = "not_started"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


@dataclass(frozen=True)
class Deadline:
    """Something due by a date (inclusive). ``lapses`` marks a window's end rather than an
    action owed: it lapses instead of becoming overdue."""

    key: str
    text: str
    due: date
    state: DeadlineState
    days_remaining: int
    met_on: date | None = None
    lapses: bool = False
    source: str = ""

    @property
    def pending(self) -> bool:
        """Not met and still to come, or overdue: what a next deadline is chosen from."""
        return self.state in (DeadlineState.UPCOMING, DeadlineState.OVERDUE)


def deadline(
    key: str,
    text: str,
    due: date,
    as_at: date,
    *,
    met_on: date | None = None,
    lapses: bool = False,
    source: str = "",
) -> Deadline:
    """A deadline's state on ``as_at``: met if done by then (``met_on`` on or before
    ``as_at``), else overdue (or lapsed) once ``as_at`` is after ``due``, else upcoming."""
    met = met_on if met_on is not None and met_on <= as_at else None
    if met is not None:
        state = DeadlineState.MET
    elif as_at > due:
        state = DeadlineState.LAPSED if lapses else DeadlineState.OVERDUE
    else:
        state = DeadlineState.UPCOMING
    return Deadline(key, text, due, state, (due - as_at).days, met, lapses, source)


@dataclass(frozen=True)
class Flag:
    key: str
    text: str
    severity: Severity


@dataclass(frozen=True)
class Window:
    """The powers window after a notice is not complied with, on the as-at date."""

    opens_on: date
    closes_on: date
    state: WindowState
    days_remaining: int


@dataclass(frozen=True)
class Event:
    """Something that happened, on the day it happened."""

    on: date
    text: str


@dataclass(frozen=True)
class CaseClock:
    """A case as at one date: open or not, its deadlines, flags, window and past events."""

    as_at: date
    is_open: bool
    deadlines: tuple[Deadline, ...]
    flags: tuple[Flag, ...] = ()
    events: tuple[Event, ...] = ()
    window: Window | None = None
    eligible_on: date | None = None

    @property
    def next_deadline(self) -> Deadline | None:
        """The earliest deadline not yet met (overdue ones come first, being earlier)."""
        pending = [d for d in self.deadlines if d.pending]
        return min(pending, key=lambda d: (d.due, d.key)) if pending else None

    @property
    def days_remaining(self) -> int | None:
        """Days from the as-at date to the next deadline; negative when it has passed."""
        upcoming = self.next_deadline
        return None if upcoming is None else upcoming.days_remaining

    @property
    def overdue(self) -> bool:
        return any(d.state == DeadlineState.OVERDUE for d in self.deadlines) or any(
            f.severity == Severity.OVERDUE for f in self.flags
        )

    @property
    def overdue_deadlines(self) -> tuple[Deadline, ...]:
        return tuple(d for d in self.deadlines if d.state == DeadlineState.OVERDUE)


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter lowered, so "The Secretary of State"
    becomes "the Secretary of State" and keeps its capitals."""
    return label[:1].lower() + label[1:]


def long_date(day: date) -> str:
    """A date as GOV.UK writes it: 7 November 2019."""
    return f"{day.day} {day:%B %Y}"


def _known(day: date | None, as_at: date) -> date | None:
    return day if day is not None and day <= as_at else None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- Warning notices -----------------------------------------------------------------

# What a person records; "superseded" is only ever the effect of a Secretary of State's notice.
RECORDABLE_OUTCOMES = (Outcome.COMPLIED, Outcome.NOT_COMPLIED, Outcome.WITHDRAWN)
RESOLVING_OUTCOMES = frozenset({Outcome.COMPLIED, Outcome.WITHDRAWN, Outcome.SUPERSEDED})


def _window_state(opens_on: date, closes_on: date, as_at: date, policy: LocalPolicy) -> Window:
    left = (closes_on - as_at).days
    if as_at < opens_on:
        state = WindowState.NOT_STARTED
    elif as_at > closes_on:
        state = WindowState.CLOSED
    elif left <= policy.window_closing_days:
        state = WindowState.CLOSING
    else:
        state = WindowState.OPEN
    return Window(opens_on, closes_on, state, left)


def notice_window(facts: NoticeFacts, as_at: date, policy: LocalPolicy = DEFAULT_POLICY) -> Window:
    """The notice's powers window on ``as_at`` (EIA 2006 ss63(3), 64(2))."""
    opens_on, closes_on = powers_window(facts.compliance_ends_on)
    return _window_state(opens_on, closes_on, as_at, policy)


def window_applies(power: Power, kind: NoticeKind) -> bool:
    """Whether the 2-month window limits ``power`` for a notice of ``kind``."""
    return kind in POWER_RULES[power].window_for


def warning_notice_clock(
    facts: NoticeFacts, as_at: date, policy: LocalPolicy = DEFAULT_POLICY
) -> CaseClock:
    """A warning notice as at ``as_at``.

    Deadlines: each required copy is due the day the notice is given (s60(6), (6A):
    "at the same time"); the decision on compliance is due when the compliance period
    ends; once the notice is not complied with, reasonable written notice of the
    proposed powers and their use fall due by the end of the powers window (they lapse
    rather than become overdue: the LA may choose not to intervene). Flags: a late
    copy to the Secretary of State, the window closing, a power used without telling
    the DfE, or used outside the window.
    """
    issued = facts.issued_on
    deadlines: list[Deadline] = []
    flags: list[Flag] = []
    events = [Event(issued, f"Warning notice given: {NOTICE_KIND_LABELS[facts.kind]}")]

    sent = {c.recipient: c.sent_on for c in facts.copies if c.sent_on <= as_at}
    for recipient in facts.required_copies:
        deadlines.append(
            deadline(
                f"copy-{recipient}",
                f"Send a copy to {in_sentence(RECIPIENT_LABELS[recipient])}",
                issued,
                as_at,
                met_on=sent.get(recipient),
                source="EIA 2006 s60(6), (6A) (DOMAIN.md 1.3 [V])",
            )
        )
    for recipient, sent_on in sent.items():
        events.append(Event(sent_on, f"Copy sent to {in_sentence(RECIPIENT_LABELS[recipient])}"))
        if sent_on > issued and recipient == Recipient.SECRETARY_OF_STATE:
            late = (sent_on - issued).days
            flags.append(
                Flag(
                    "late-copy",
                    f"The copy to the Secretary of State was sent {_plural(late, 'day')} "
                    "after the notice; the law asks for it at the same time",
                    Severity.WARNING,
                )
            )

    rules = notice_rules(issued)
    reviewer = rules.representations_to.get(facts.kind) if rules else None
    representations = _known(facts.representations_on, as_at)
    if representations is not None:
        events.append(Event(representations, f"Representations made to {reviewer or 'a reviewer'}"))

    outcome_on = _known(facts.outcome_on, as_at)
    outcome = facts.outcome if outcome_on is not None else None
    deadlines.append(
        deadline(
            "outcome",
            "Decide whether the governing body complied",
            facts.compliance_ends_on,
            as_at,
            met_on=outcome_on,
            source="EIA 2006 s60(1)(b), (c)",
        )
    )
    if facts.compliance_ends_on <= as_at:
        events.append(Event(facts.compliance_ends_on, "Compliance period ended"))
    if outcome is not None and outcome_on is not None:
        events.append(Event(outcome_on, f"Outcome: {in_sentence(OUTCOME_LABELS[outcome])}"))

    window: Window | None = None
    eligible_on: date | None = None
    if outcome not in RESOLVING_OUTCOMES:
        window = notice_window(facts, as_at, policy)
        window_source = f"EIA 2006 s63(3), s64(2); {MONTHS_SOURCE}"
        notice_on = _known(facts.reasonable_notice_on, as_at)
        powers = sorted(
            (p for p in facts.powers if p.used_on <= as_at), key=lambda p: (p.used_on, p.power)
        )
        if outcome == Outcome.NOT_COMPLIED:
            deadlines.append(
                deadline(
                    "reasonable-notice",
                    "Give reasonable written notice of the powers proposed",
                    window.closes_on,
                    as_at,
                    met_on=notice_on,
                    lapses=True,
                    source="EIA 2006 s60(1)(d)",
                )
            )
            deadlines.append(
                deadline(
                    "powers",
                    "Use intervention powers, if the LA will",
                    window.closes_on,
                    as_at,
                    met_on=powers[0].used_on if powers else None,
                    lapses=True,
                    source=window_source,
                )
            )
            if notice_on is not None:
                eligible_on = max(facts.compliance_ends_on + timedelta(days=1), notice_on)
                events.append(Event(notice_on, "Reasonable notice of powers given"))
                events.append(Event(eligible_on, "School eligible for intervention (s60(1))"))
        if window.state == WindowState.CLOSING and not powers:
            flags.append(
                Flag(
                    "window-closing",
                    f"The powers window closes in {_plural(window.days_remaining, 'day')}",
                    Severity.WARNING,
                )
            )
        if window.state == WindowState.CLOSED and not powers and outcome is not None:
            flags.append(
                Flag(
                    "window-closed",
                    "The powers window closed with no power used",
                    Severity.INFO,
                )
            )
        for used in powers:
            events.append(Event(used.used_on, f"Power used: {POWER_LABELS[used.power]}"))
            notified = _known(used.dfe_notified_on, as_at)
            if notified is None:
                flags.append(
                    Flag(
                        f"dfe-{used.power}",
                        f"Tell the DfE that the {used.power} power was used",
                        Severity.WARNING,
                    )
                )
            else:
                events.append(Event(notified, f"DfE told of the {used.power} power"))
            outside = used.used_on > window.closes_on or used.used_on < window.opens_on
            if outside and window_applies(used.power, facts.kind):
                flags.append(
                    Flag(
                        f"outside-{used.power}",
                        f"The {used.power} power was used outside the powers window",
                        Severity.WARNING,
                    )
                )

    is_open = outcome is None or (
        outcome == Outcome.NOT_COMPLIED
        and window is not None
        and window.state != WindowState.CLOSED
    )
    if not is_open:
        # A closed case owes nothing more: it keeps what was met, and windows that lapsed.
        deadlines = [d for d in deadlines if not d.pending]
    return CaseClock(
        as_at=as_at,
        is_open=is_open,
        deadlines=tuple(deadlines),
        flags=tuple(flags),
        events=tuple(events),
        window=window,
        eligible_on=eligible_on,
    )


@dataclass(frozen=True)
class PowerCheck:
    """What the law says about using a power on a date under a notice.

    ``problem`` stops the record (the Act forbids it); ``field`` says what it is about:
    ``"power"``, ``"used_on"``, or ``""`` for the case as a whole. ``warning`` is shown
    but lets the record through (a window DOMAIN.md only believes applies).
    """

    problem: str = ""
    field: str = ""
    warning: str = ""


def power_use_problems(facts: NoticeFacts, power: Power, used_on: date) -> PowerCheck:
    """Whether ``power`` may be recorded as used on ``used_on`` under this notice."""
    rule = POWER_RULES[power]
    if facts.kind not in rule.available_for:
        return PowerCheck(
            f"The {power} power is not available when a school is eligible only through a "
            "teachers' pay and conditions warning notice (EIA 2006 s63(1)).",
            "power",
        )
    if facts.outcome != Outcome.NOT_COMPLIED:
        return PowerCheck(
            "The school is not eligible for intervention under this notice: record that "
            "the governing body did not comply first."
        )
    if facts.reasonable_notice_on is None:
        return PowerCheck(
            "A power can be used only after reasonable written notice that the authority "
            "proposes to use it (EIA 2006 s60(1)(d)): record that notice first."
        )
    if used_on < facts.reasonable_notice_on:
        return PowerCheck(
            "A power can be used only after reasonable written notice that the authority "
            f"proposes to use it, given on {long_date(facts.reasonable_notice_on)} "
            "(EIA 2006 s60(1)(d)).",
            "used_on",
        )
    opens_on, closes_on = powers_window(facts.compliance_ends_on, rule.window_months)
    if used_on < opens_on:
        return PowerCheck(
            "A power can be used only after the compliance period has ended "
            f"({long_date(facts.compliance_ends_on)}).",
            "used_on",
        )
    if window_applies(power, facts.kind) and used_on > closes_on:
        text = (
            f"{long_date(used_on)} is after the powers window closed on {long_date(closes_on)}: "
            f"{rule.source.law} allows the {power} power only within "
            f"{rule.window_months} months after the compliance period."
        )
        if rule.window_verified:
            return PowerCheck(text, "used_on")
        return PowerCheck(
            warning=f"{text} DOMAIN.md is not sure this window applies; check before relying on it."
        )
    return PowerCheck()


# --- Interim executive boards -----------------------------------------------------------


def ieb_clock(facts: IebFacts, as_at: date, policy: LocalPolicy = DEFAULT_POLICY) -> CaseClock:
    """An interim executive board as at ``as_at``.

    The Secretary of State's consent is required (s65, DOMAIN.md 1.4 [V]): until it is
    asked for, a flag says so; once asked, the decision is chased after
    ``policy.consent_chase_days`` (local policy). In a warning-notice case the board
    must be in place by the end of the powers window, which lapses unmet. A board
    constituted without consent is flagged as overdue whatever else holds.
    """
    deadlines: list[Deadline] = []
    flags: list[Flag] = []
    events = [Event(facts.proposed_on, "Interim executive board proposed")]
    requested = _known(facts.consent_requested_on, as_at)
    decided_on = _known(facts.consent_decision_on, as_at)
    decision = facts.consent_decision if decided_on is not None else None
    constituted = _known(facts.constituted_on, as_at)
    ended = _known(facts.ended_on, as_at)

    if requested is not None:
        events.append(Event(requested, "Secretary of State's consent requested"))
        deadlines.append(
            deadline(
                "consent",
                "Chase the Secretary of State's decision on consent",
                requested + timedelta(days=policy.consent_chase_days),
                as_at,
                met_on=decided_on,
                source="local policy",
            )
        )
    elif constituted is None:
        flags.append(
            Flag(
                "consent-not-requested",
                "The Secretary of State's consent has not been requested (EIA 2006 s65)",
                Severity.WARNING,
            )
        )
    if decision is not None and decided_on is not None:
        events.append(Event(decided_on, f"Consent {in_sentence(CONSENT_LABELS[decision])}"))
    if facts.window_closes_on is not None and decision != ConsentDecision.REFUSED:
        deadlines.append(
            deadline(
                "constitute",
                "Constitute the board (the warning notice's powers window closes)",
                facts.window_closes_on,
                as_at,
                met_on=constituted,
                lapses=True,
                source=str(POWER_RULES[Power.INTERIM_EXECUTIVE_BOARD].source),
            )
        )
    if constituted is not None:
        members = "" if facts.member_count is None else f" with {facts.member_count} members"
        events.append(Event(constituted, f"Interim executive board constituted{members}"))
        if decision != ConsentDecision.GRANTED or (decided_on and decided_on > constituted):
            flags.append(
                Flag(
                    "no-consent",
                    "Constituted without the Secretary of State's consent (EIA 2006 s65)",
                    Severity.OVERDUE,
                )
            )
        if facts.member_count is not None and facts.member_count < IEB_RULES.min_members:
            flags.append(
                Flag(
                    "members",
                    f"An interim executive board needs at least {IEB_RULES.min_members} "
                    "members (EIA 2006 Sch 6 para 4(1))",
                    Severity.WARNING,
                )
            )
    elif decision == ConsentDecision.GRANTED:
        flags.append(
            Flag("awaiting-constitution", "Consent granted; not yet constituted", Severity.INFO)
        )
    if ended is not None:
        events.append(Event(ended, "Interim executive board ended"))
    is_open = ended is None and decision != ConsentDecision.REFUSED
    if not is_open:
        # A finished case owes nothing more; a board run without consent stays flagged.
        deadlines = [d for d in deadlines if not d.pending]
        flags = [f for f in flags if f.key == "no-consent"]
    return CaseClock(
        as_at=as_at,
        is_open=is_open,
        deadlines=tuple(deadlines),
        flags=tuple(flags),
        events=tuple(events),
    )


# --- Concerns about academies ------------------------------------------------------------


def academy_concern_clock(
    facts: ConcernFacts, as_at: date, policy: LocalPolicy = DEFAULT_POLICY
) -> CaseClock:
    """A concern about an academy as at ``as_at``.

    The LA has no intervention powers over academies; concerns go to the trust, then
    to the regional director (DOMAIN.md 1.8 [S]). The trust's answer is expected within
    ``policy.trust_response_days`` of raising it and the regional director's within
    ``policy.regional_director_response_days`` of referral: local policy, not statute.
    """
    deadlines: list[Deadline] = []
    flags: list[Flag] = []
    events = [Event(facts.raised_on, "Concern raised with the trust")]
    answered = _known(facts.trust_response_on, as_at)
    referred = _known(facts.referred_on, as_at)
    rd_answered = _known(facts.rd_response_on, as_at)
    closed = _known(facts.closed_on, as_at)
    trust = deadline(
        "trust-response",
        "The trust responds",
        facts.raised_on + timedelta(days=policy.trust_response_days),
        as_at,
        met_on=answered,
        source="local policy (DOMAIN.md 1.8: responses commonly within 15 days [S])",
    )
    deadlines.append(trust)
    if answered is not None:
        events.append(Event(answered, "Trust responded"))
    if referred is not None:
        events.append(Event(referred, "Referred to the regional director"))
        deadlines.append(
            deadline(
                "rd-response",
                "The regional director responds",
                referred + timedelta(days=policy.regional_director_response_days),
                as_at,
                met_on=rd_answered,
                source="local policy",
            )
        )
        if rd_answered is not None:
            events.append(Event(rd_answered, "Regional director responded"))
    elif trust.state == DeadlineState.OVERDUE:
        flags.append(
            Flag(
                "consider-referral",
                "No answer from the trust: consider referring to the regional director",
                Severity.INFO,
            )
        )
    if closed is not None:
        events.append(Event(closed, f"Concern {in_sentence(CONCERN_STATUS_LABELS[facts.status])}"))
    is_open = closed is None
    if not is_open:
        # A closed case owes nothing more: it keeps what was met, and windows that lapsed.
        deadlines = [d for d in deadlines if not d.pending]
    return CaseClock(
        as_at=as_at,
        is_open=is_open,
        deadlines=tuple(deadlines),
        flags=tuple(flags) if is_open else (),
        events=tuple(events),
    )


# --- Timelines -----------------------------------------------------------------------


class EntryState(StrEnum):
    DONE = "done"
    UPCOMING = "upcoming"
    OVERDUE = "overdue"
    LAPSED = "lapsed"


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a school's timeline: a past event, or a deadline past or to come."""

    on: date
    text: str
    state: EntryState
    case: str = ""
    order: int = field(default=0, compare=False)


def timeline(cases: Iterable[tuple[str, CaseClock]]) -> list[TimelineEntry]:
    """Every case's events and pending deadlines in date order.

    ``cases`` pairs a label for each case (shown with each line) with its clock. Met
    deadlines are not repeated: the event that met them is already there.
    """
    entries: list[TimelineEntry] = []
    for label, clock in cases:
        for number, event in enumerate(clock.events):
            entries.append(TimelineEntry(event.on, event.text, EntryState.DONE, label, number))
        for number, due in enumerate(clock.deadlines, start=len(clock.events)):
            if due.state == DeadlineState.MET:
                continue
            if due.state == DeadlineState.LAPSED:
                state = EntryState.LAPSED
            elif due.state == DeadlineState.OVERDUE:
                state = EntryState.OVERDUE
            else:
                state = EntryState.UPCOMING
            entries.append(TimelineEntry(due.due, f"Due: {due.text}", state, label, number))
    return sorted(entries, key=lambda e: (e.on, e.state != EntryState.DONE, e.case, e.order))
