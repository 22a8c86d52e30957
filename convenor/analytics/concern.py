"""The register of concern, as a pure calculation over plain facts (no Django).

Soft intelligence (DOMAIN.md section 2) puts a school on the register of concern when
it "surfaces" often enough: N or more live entries within a window ending on the as-at
date. Who may read the entries, and how rules are stored and versioned, is
docs/adr/0006-soft-intelligence-access.md; :mod:`convenor.intelligence.services` turns
stored entries and rules into the facts here and calls :func:`assess_concern`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


def day_words(day: date) -> str:
    """A date as pages show it: "1 Sep 2019"."""
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class EntryFacts:
    """What the register needs to know about one entry."""

    observed_on: date
    expires_on: date
    kind: str
    withdrawn: bool = False
    follow_up_due: date | None = None
    follow_up_done_on: date | None = None

    def is_live(self, on: date) -> bool:
        """Counts on ``on``: observed by then, not yet expired, never withdrawn."""
        return not self.withdrawn and self.observed_on <= on < self.expires_on


@dataclass(frozen=True)
class RuleFacts:
    """An escalation rule: ``threshold`` or more entries of ``kinds`` (empty: every kind)
    observed within the ``window_days`` ending on the as-at date."""

    threshold: int
    window_days: int
    kinds: frozenset[str] = frozenset()
    window_words: str = ""
    description: str = ""

    def counts(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class ConcernAssessment:
    """One school on the register as at a date, and why the rule fires or not."""

    live: int
    counted: int
    fires: bool
    overdue_follow_ups: int
    last_observed: date | None
    reason: str


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def assess_concern(
    entries: Iterable[EntryFacts], rule: RuleFacts | None, as_at: date
) -> ConcernAssessment:
    """Whether one school's soft intelligence proposes a category review as at ``as_at``.

    Only live entries count (observed on or before ``as_at``, not expired, not
    withdrawn). The rule counts those of its kinds observed in the window of
    ``rule.window_days`` days ending on ``as_at`` (the first day in the window is
    ``as_at - window_days + 1``) and fires at ``rule.threshold`` or more. A follow-up
    is overdue when its due date is before ``as_at`` and it was not done by then.
    With no rule in force nothing fires. No database access.
    """
    live = [entry for entry in entries if entry.is_live(as_at)]
    overdue = sum(
        1
        for entry in live
        if entry.follow_up_due is not None
        and entry.follow_up_due < as_at
        and (entry.follow_up_done_on is None or entry.follow_up_done_on > as_at)
    )
    last = max((entry.observed_on for entry in live), default=None)
    if rule is None:
        reason = f"No escalation rule was in force on {day_words(as_at)}."
        return ConcernAssessment(len(live), 0, False, overdue, last, reason)
    window_starts = as_at - timedelta(days=rule.window_days - 1)
    counted = sum(1 for e in live if e.observed_on >= window_starts and rule.counts(e.kind))
    fires = counted >= rule.threshold
    of_kinds = " of the kinds it counts" if rule.kinds else ""
    found = f"{_entries(counted)}{of_kinds} in the last {rule.window_words}"
    needs = "" if fires else f"; the rule needs {rule.threshold}"
    reason = f"{found}{needs} (rule: {rule.description})"
    return ConcernAssessment(len(live), counted, fires, overdue, last, reason)
