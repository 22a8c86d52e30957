"""A case's facts as recorded, and what a clock says of it as at a date: deadlines, flags,
windows and past events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from convenor.intelligence.interventions.vocabulary import (
    ConcernStatus,
    ConsentDecision,
    Issuer,
    NoticeKind,
    Outcome,
    Power,
    Recipient,
)

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


def _keep_every_flag(_: Flag) -> bool:
    return True


def case_clock(
    as_at: date,
    is_open: bool,
    deadlines: Sequence[Deadline],
    flags: Sequence[Flag],
    events: Sequence[Event],
    *,
    keeps_when_closed: Callable[[Flag], bool] = _keep_every_flag,
    window: Window | None = None,
    eligible_on: date | None = None,
) -> CaseClock:
    """The clock a case's rules found. A closed case owes nothing more: it keeps the
    deadlines it met and the windows that lapsed, and the flags ``keeps_when_closed``."""
    if not is_open:
        deadlines = [d for d in deadlines if not d.pending]
        flags = [f for f in flags if keeps_when_closed(f)]
    return CaseClock(
        as_at=as_at,
        is_open=is_open,
        deadlines=tuple(deadlines),
        flags=tuple(flags),
        events=tuple(events),
        window=window,
        eligible_on=eligible_on,
    )


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter lowered, so "The Secretary of State"
    becomes "the Secretary of State" and keeps its capitals."""
    return label[:1].lower() + label[1:]


def long_date(day: date) -> str:
    """A date as GOV.UK writes it: 7 November 2019."""
    return f"{day.day} {day:%B %Y}"


def known(day: date | None, as_at: date) -> date | None:
    return day if day is not None and day <= as_at else None


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
