"""One school's timeline: every case's events and pending deadlines in date order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from convenor.intelligence.interventions.cases import CaseClock, DeadlineState


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
