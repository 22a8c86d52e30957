"""Cases as rows with their clocks, loaded in a fixed number of queries, and the tags and
words the templates show them with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from convenor.intelligence import forms_interventions as f
from convenor.intelligence import interventions as clocks
from convenor.intelligence import services_interventions as services
from convenor.intelligence.models import AcademyConcern, InterimExecutiveBoard, WarningNotice
from convenor.schools.models import Establishment

AnyCase = WarningNotice | InterimExecutiveBoard | AcademyConcern


# --- Cases as rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """One case as the list, the school page and the CSV show it."""

    kind: str
    title: str
    href: str
    urn: int
    school: str
    started_on: date
    clock: clocks.CaseClock

    @property
    def status(self) -> str:
        return "Open" if self.clock.is_open else "Closed"

    @property
    def next_deadline(self) -> clocks.Deadline | None:
        return self.clock.next_deadline


def with_as_at(href: str, as_at: date, today: date) -> str:
    return href if as_at == today else f"{href}?as_at={as_at.isoformat()}"


def notice_title(notice: WarningNotice) -> str:
    return f"{notice.get_kind_display()} warning notice, {clocks.long_date(notice.issued_on)}"


def board_title(board: InterimExecutiveBoard) -> str:
    return f"Interim executive board, proposed {clocks.long_date(board.proposed_on)}"


def concern_title(concern: AcademyConcern) -> str:
    return f"Concern raised with the trust, {clocks.long_date(concern.raised_with_trust_on)}"


def board_window(board: InterimExecutiveBoard) -> date | None:
    """The last day of the powers window of the notice the board rests on, if the s65
    window applies to it."""
    notice = board.warning_notice
    if notice is None:
        return None
    if not clocks.window_applies(
        clocks.Power.INTERIM_EXECUTIVE_BOARD, clocks.NoticeKind(notice.kind)
    ):
        return None
    return clocks.powers_window(notice.compliance_ends_on)[1]


def notice_clock(notice: WarningNotice, school: Establishment, as_at: date) -> clocks.CaseClock:
    return clocks.warning_notice_clock(
        notice.facts(services.required_copies(notice, school)), as_at
    )


def board_clock(board: InterimExecutiveBoard, as_at: date) -> clocks.CaseClock:
    return clocks.ieb_clock(board.facts(board_window(board)), as_at)


def concern_clock(concern: AcademyConcern, as_at: date) -> clocks.CaseClock:
    return clocks.academy_concern_clock(concern.facts(), as_at)


def load_cases(
    urns: Any, as_at: date, kinds: Iterable[str] = ("warning_notice", "ieb", "academy_concern")
) -> list[CaseRow]:
    """Every case begun by ``as_at`` at the schools ``urns`` (a list or a subquery), each
    with its clock; a fixed number of queries, however many cases."""
    wanted = set(kinds)
    today = timezone.localdate()
    notices: list[WarningNotice] = []
    boards: list[InterimExecutiveBoard] = []
    concerns: list[AcademyConcern] = []
    if "warning_notice" in wanted:
        notices = list(
            WarningNotice.objects.filter(urn__in=urns, issued_on__lte=as_at).prefetch_related(
                "copies", "powers"
            )
        )
    if "ieb" in wanted:
        boards = list(
            InterimExecutiveBoard.objects.filter(
                urn__in=urns, proposed_on__lte=as_at
            ).select_related("warning_notice")
        )
    if "academy_concern" in wanted:
        concerns = list(
            AcademyConcern.objects.filter(urn__in=urns, raised_with_trust_on__lte=as_at)
        )
    cases: list[AnyCase] = [*notices, *boards, *concerns]
    involved = {c.urn for c in cases}
    schools = {
        s.urn: s
        for s in Establishment.objects.filter(urn__in=involved).only(
            "urn", "name", "type_name", "religious_character"
        )
    }
    rows: list[CaseRow] = []

    def add(
        kind: str, case: AnyCase, title: str, url: str, started: date, clock: clocks.CaseClock
    ) -> None:
        school = schools[case.urn]
        href = with_as_at(reverse(url, kwargs={"pk": case.pk}), as_at, today)
        rows.append(CaseRow(kind, title, href, case.urn, school.name, started, clock))

    for notice in notices:
        clock = notice_clock(notice, schools[notice.urn], as_at)
        add(
            "Warning notice",
            notice,
            notice_title(notice),
            "interventions:warning-notice",
            notice.issued_on,
            clock,
        )
    for board in boards:
        add(
            "Interim executive board",
            board,
            board_title(board),
            "interventions:ieb",
            board.proposed_on,
            board_clock(board, as_at),
        )
    for concern in concerns:
        clock = concern_clock(concern, as_at)
        add(
            "Academy concern",
            concern,
            concern_title(concern),
            "interventions:academy-concern",
            concern.raised_with_trust_on,
            clock,
        )
    return sorted(rows, key=_row_order)


def _row_order(row: CaseRow) -> tuple[date, str, date]:
    upcoming = row.next_deadline
    return (upcoming.due if upcoming else date.max, row.school, row.started_on)


# --- What the templates are given ---------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str


STATE_TAGS = {
    clocks.DeadlineState.MET: "green",
    clocks.DeadlineState.UPCOMING: "blue",
    clocks.DeadlineState.OVERDUE: "red",
    clocks.DeadlineState.LAPSED: "grey",
}
ENTRY_TAGS = {
    clocks.EntryState.DONE: Tag("Done", "green"),
    clocks.EntryState.UPCOMING: Tag("To come", "blue"),
    clocks.EntryState.OVERDUE: Tag("Overdue", "red"),
    clocks.EntryState.LAPSED: Tag("Lapsed", "grey"),
}
SEVERITY_COLOURS = {
    clocks.Severity.OVERDUE: "red",
    clocks.Severity.WARNING: "orange",
    clocks.Severity.INFO: "grey",
}
WINDOW_WORDS = {
    clocks.WindowState.NOT_STARTED: "not yet open",
    clocks.WindowState.OPEN: "open",
    clocks.WindowState.CLOSING: "closing soon",
    clocks.WindowState.CLOSED: "closed",
}


def days_words(days: int) -> str:
    """Days to a deadline in words: "due today", "3 days left", "1 day overdue"."""
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'' if days == 1 else 's'} left"
    return f"{-days} day{'' if days == -1 else 's'} overdue"


def deadline_tag(due: clocks.Deadline) -> Tag:
    if due.state == clocks.DeadlineState.MET and due.met_on is not None:
        text = f"Met {clocks.long_date(due.met_on)}"
    elif due.state == clocks.DeadlineState.LAPSED:
        text = "Lapsed"
    else:
        text = days_words(due.days_remaining).capitalize()
    return Tag(text, STATE_TAGS[due.state])


def row_tags(row: CaseRow) -> list[Tag]:
    """The tags a case row carries: open or closed, and overdue."""
    tags = [Tag(row.status, "blue" if row.clock.is_open else "grey")]
    if row.clock.overdue:
        tags.append(Tag("Overdue", "red"))
    return tags


@dataclass(frozen=True)
class RowView:
    row: CaseRow
    tags: list[Tag]
    next_text: str
    next_due: str
    next_days: str
    school_href: str


def row_views(rows: Iterable[CaseRow], as_at: date, today: date) -> list[RowView]:
    views = []
    for row in rows:
        upcoming = row.next_deadline
        views.append(
            RowView(
                row,
                row_tags(row),
                upcoming.text if upcoming else "",
                clocks.long_date(upcoming.due) if upcoming else "",
                days_words(upcoming.days_remaining) if upcoming else "",
                with_as_at(reverse("interventions:school", kwargs={"urn": row.urn}), as_at, today),
            )
        )
    return views


def as_at_of(request: HttpRequest) -> tuple[f.AsAtForm, date, date]:
    today = timezone.localdate()
    form = f.AsAtForm(request.GET)
    return form, form.as_at_or(today), today
