"""One school's intelligence timeline: hard data and soft entries, newest first.

Every event is a dated fact about the school, under any URN it has had: graded
inspections, results and census publications (dated by the publication calendar, so
"as at" a date shows only what was public then), openings, closures and trust joins
from the register, category decisions (dated by their evidence), intervention case
steps, early-warning scores from stored runs, and soft intelligence entries.

The builders (``*_events``) are pure: rows in, :class:`TimelineEvent` values out.
:func:`read_timeline` reads the rows and leaves out what the reader may not see, as
:class:`Visibility` says; the view works that out from the existing scopes (ADR
0006, 0007, 0008). Soft intelligence is read through
:func:`convenor.intelligence.services.read_school_entries`, which audits the read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from django.urls import reverse
from django.utils import timezone

from convenor.analytics.concern import day_words
from convenor.intelligence.models import (
    CategoryDecision,
    CensusRecord,
    Inspection,
    KS2Result,
    KS4Result,
    RiskScore,
    Sensitivity,
    SoftIntelligenceEntry,
)
from convenor.intelligence.publication import published_on, rule_for
from convenor.intelligence.risk import REASONS_SHOWN, reason_words
from convenor.schools.models import Establishment, Group, GroupMembership

if TYPE_CHECKING:
    from convenor.core.services import Actor
    from convenor.intelligence.querysets import IntelligenceScope
    from convenor.intelligence.views_interventions import CaseRow


class Kind(StrEnum):
    """What an event is; the order here breaks ties between events of one day."""

    SOFT = "soft"
    INTERVENTION = "intervention"
    CATEGORY = "category"
    INSPECTION = "inspection"
    SCORE = "score"
    RESULTS = "results"
    CENSUS = "census"
    REGISTER = "register"


KIND_LABELS: Mapping[Kind, str] = {
    Kind.SOFT: "Soft intelligence",
    Kind.INTERVENTION: "Intervention",
    Kind.CATEGORY: "Category",
    Kind.INSPECTION: "Inspection",
    Kind.SCORE: "Early warning",
    Kind.RESULTS: "Results",
    Kind.CENSUS: "Census",
    Kind.REGISTER: "Register",
}
KIND_COLOURS: Mapping[Kind, str] = {
    Kind.SOFT: "pink",
    Kind.INTERVENTION: "red",
    Kind.CATEGORY: "purple",
    Kind.INSPECTION: "blue",
    Kind.SCORE: "orange",
    Kind.RESULTS: "turquoise",
    Kind.CENSUS: "grey",
    Kind.REGISTER: "grey",
}
_KIND_ORDER = {kind: n for n, kind in enumerate(Kind)}


@dataclass(frozen=True)
class TimelineEvent:
    """One dated fact. ``tags`` are said beside it ("Restricted", "Synthetic")."""

    on: date
    kind: Kind
    title: str
    detail: str = ""
    link: str = ""
    tags: tuple[str, ...] = ()
    order: int = field(default=0, compare=False)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def colour(self) -> str:
        return KIND_COLOURS[self.kind]


def arrange(events: Iterable[TimelineEvent], as_at: date) -> list[TimelineEvent]:
    """The events dated on or before ``as_at``, newest first; on one day, in
    :class:`Kind` order, then as each builder ordered them."""
    kept = [e for e in events if e.on <= as_at]
    return sorted(kept, key=lambda e: (-e.on.toordinal(), _KIND_ORDER[e.kind], e.order))


def _number(value: object, places: int = 1, suffix: str = "") -> str:
    if not isinstance(value, int | float):
        return "not published"
    if float(value).is_integer() and not suffix:
        return f"{int(value):,}"
    return f"{value:.{places}f}{suffix}"


def _signed(value: object) -> str:
    return f"{value:+.2f}" if isinstance(value, int | float) else "not published"


def _under(urn: int, school_urn: int) -> str:
    return "" if urn == school_urn else f" (under URN {urn})"


# --- Hard data ---------------------------------------------------------------------------


def inspection_events(inspections: Iterable[Inspection], school_urn: int) -> list[TimelineEvent]:
    """Each graded inspection, on the day it happened."""
    return [
        TimelineEvent(
            i.inspection_date,
            Kind.INSPECTION,
            f"Inspected: {i.rating}",
            f"Grade {i.grade}, {i.framework}{_under(i.urn, school_urn)}",
        )
        for i in inspections
    ]


R = TypeVar("R", KS2Result, KS4Result, CensusRecord)

# Of two files of one publication (KS2's final and final full tables), the fuller.
_PREFERRED = {"ks2_final_full": 0, "ks4_final_full": 0}


def _one_per_publication(records: Iterable[R], school_urn: int) -> list[tuple[date, R]]:
    """One record per publication family and period (the school's own URN, then the
    fuller file), with the day it was published; unpublished ones are left out."""
    chosen: dict[tuple[str, str], tuple[tuple[int, int], date, R]] = {}
    for record in records:
        rule = rule_for(record.dataset)
        published = published_on(record.dataset, record.period)
        if rule is None or published is None or record.segment != "all":
            continue
        rank = (0 if record.urn == school_urn else 1, _PREFERRED.get(record.dataset, 1))
        key = (rule.family, record.period)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, published, record)
    return [(published, record) for _rank, published, record in chosen.values()]


def results_events(
    ks2: Iterable[KS2Result], ks4: Iterable[KS4Result], school_urn: int
) -> list[TimelineEvent]:
    """Each KS2 and KS4 publication's headline measures, on the day it was published."""
    events = []
    for published, r in _one_per_publication(ks2, school_urn):
        progress = ", ".join(
            f"{subject} {_signed(r.value(f'{subject}_progress'))}"
            for subject in ("reading", "writing", "maths")
        )
        detail = (
            f"Expected standard in reading, writing and maths: "
            f"{_number(r.value('rwm_expected_pct'), 0, '%')}; progress: {progress}"
        )
        events.append(
            TimelineEvent(
                published,
                Kind.RESULTS,
                f"KS2 results {r.period} published",
                detail + _under(r.urn or school_urn, school_urn),
            )
        )
    for published, k in _one_per_publication(ks4, school_urn):
        which = " (provisional)" if k.dataset == "ks4_provisional" else ""
        detail = (
            f"Attainment 8: {_number(k.value('attainment8'), 1, '')}; "
            f"Progress 8: {_signed(k.value('progress8'))}"
        )
        events.append(
            TimelineEvent(
                published,
                Kind.RESULTS,
                f"KS4 results {k.period}{which} published",
                detail + _under(k.urn or school_urn, school_urn),
                order=1,
            )
        )
    return events


def census_events(census: Iterable[CensusRecord], school_urn: int) -> list[TimelineEvent]:
    """Pupils on roll in each January census, with the change on the year before, on the
    day the census was published."""
    found = sorted(
        (
            (record.period, published, record)
            for published, record in _one_per_publication(census, school_urn)
            if isinstance(record.value("pupils"), int | float)
        ),
        key=lambda found: found[0],
    )
    events = []
    before: float | None = None
    for period, published, record in found:
        pupils = float(record.value("pupils"))
        change = "" if before is None else f"; {pupils - before:+,.0f} on the year before"
        month = f"January {int(period[:4]) + 1}" if period[:4].isdigit() else period
        events.append(
            TimelineEvent(
                published,
                Kind.CENSUS,
                f"School census, {month}: {pupils:,.0f} pupils",
                f"Published for {period}{change}{_under(record.urn or school_urn, school_urn)}",
            )
        )
        before = pupils
    return events


def register_events(
    establishments: Sequence[Establishment],
    memberships: Iterable[GroupMembership],
    groups: Mapping[int, Group],
) -> list[TimelineEvent]:
    """Openings and closures of each of the school's URNs, oldest URN first, and the
    dates it joined a trust or other group, where the register gives them."""
    events = []
    for n, school in enumerate(establishments):
        what = f"{school.name} (URN {school.urn})" + (
            f", {school.type_name}" if school.type_name else ""
        )
        if school.open_date:
            converted = school.is_academy and n > 0
            title = "Opened as an academy" if converted else "Opened"
            events.append(TimelineEvent(school.open_date, Kind.REGISTER, title, what, order=1))
        if school.close_date:
            events.append(TimelineEvent(school.close_date, Kind.REGISTER, "Closed", what))
    for membership in memberships:
        if membership.joined_date is None:
            continue
        group = groups.get(membership.group_uid)
        name = group.name if group else f"group {membership.group_uid}"
        events.append(
            TimelineEvent(
                membership.joined_date,
                Kind.REGISTER,
                f"Joined {name}",
                f"{membership.group_type} (URN {membership.urn})",
                order=2,
            )
        )
    return events


# --- Casework and the model -----------------------------------------------------------------


def category_events(
    decisions: Iterable[CategoryDecision], *, full: bool, link: str
) -> list[TimelineEvent]:
    """Each category decision, dated by its evidence. ``full`` (category reviewers) adds
    what convenor proposed; a school's leader sees the decision only (ADR 0008)."""
    events = []
    for d in decisions:
        detail = (
            f"Decided {day_words(timezone.localdate(d.decided_at))} "
            f"({d.get_decided_as_display()}); review due {day_words(d.review_due)}"
        )
        if full and d.changed:
            detail += f"; convenor proposed {d.proposed_category.label}"
        events.append(
            TimelineEvent(
                d.as_at, Kind.CATEGORY, f"Category: {d.decided_category.label}", detail, link
            )
        )
    return events


def case_events(rows: Iterable[CaseRow]) -> list[TimelineEvent]:
    """Every step of every intervention case, from each case's clock."""
    return [
        TimelineEvent(event.on, Kind.INTERVENTION, event.text, row.title, row.href, order=n)
        for row in rows
        for n, event in enumerate(row.clock.events)
    ]


def score_events(scores: Iterable[RiskScore]) -> list[TimelineEvent]:
    """The school's early-warning score in each stored run (select ``run``); of several
    runs on one date, the newest, as pages show."""
    newest: dict[date, RiskScore] = {}
    for score in scores:
        kept = newest.get(score.run.as_at)
        if kept is None or (score.run.created_at, score.run.pk) > (
            kept.run.created_at,
            kept.run.pk,
        ):
            newest[score.run.as_at] = score
    events = []
    for on, score in newest.items():
        reasons = "; ".join(reason_words(r) for r in (score.reasons or [])[:REASONS_SHOWN])
        events.append(
            TimelineEvent(
                on,
                Kind.SCORE,
                f"Early-warning risk {score.probability:.1%}, rank {score.rank:,} of "
                f"{score.run.schools:,} scored",
                f"Main reasons: {reasons}" if reasons else "",
            )
        )
    return events


def soft_events(
    entries: Iterable[SoftIntelligenceEntry], link: str, as_at: date
) -> list[TimelineEvent]:
    """Each soft intelligence entry, on the day it was observed, tagged "Withdrawn" when
    it had been withdrawn by ``as_at`` (a later withdrawal was not yet known)."""
    events = []
    for entry in entries:
        tags = []
        if entry.sensitivity == Sensitivity.RESTRICTED:
            tags.append("Restricted")
        if entry.synthetic:
            tags.append("Synthetic")
        if entry.withdrawn_at is not None and timezone.localdate(entry.withdrawn_at) <= as_at:
            tags.append("Withdrawn")
        events.append(
            TimelineEvent(
                entry.observed_on,
                Kind.SOFT,
                entry.get_kind_display(),
                f"{entry.summary} (source: {entry.source})",
                link,
                tuple(tags),
                order=-entry.pk,
            )
        )
    return events


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """What one reader may see on one school's timeline, besides published data."""

    categories: bool = False  # decided categories (reviewers and the school's leaders)
    proposals: bool = False  # what convenor proposed (category reviewers only)
    cases: bool = False  # intervention casework (ADR 0007)
    scores: bool = False  # early-warning model risk (category reviewers, ADR 0008)
    soft: IntelligenceScope | None = None  # soft intelligence, read through this scope


def read_timeline(
    school: Establishment,
    lineage: Sequence[int],
    as_at: date,
    visibility: Visibility,
    *,
    actor: Actor,
) -> list[TimelineEvent]:
    """Every event of ``school`` (under each URN of ``lineage``) the reader may see,
    dated on or before ``as_at``, newest first. Reading soft intelligence writes a
    ``soft_intelligence.viewed`` event (ADR 0006)."""
    urns = list(lineage) or [school.urn]
    registered = Establishment.objects.in_bulk(urns)
    establishments = [registered[u] for u in urns if u in registered]
    memberships = list(GroupMembership.objects.filter(urn__in=urns))
    groups = Group.objects.in_bulk([m.group_uid for m in memberships])
    events = [
        *inspection_events(Inspection.objects.filter(urn__in=urns), school.urn),
        *results_events(
            KS2Result.objects.filter(urn__in=urns),
            KS4Result.objects.filter(urn__in=urns),
            school.urn,
        ),
        *census_events(CensusRecord.objects.filter(urn__in=urns, dataset="census"), school.urn),
        *register_events(establishments, memberships, groups),
    ]
    if visibility.categories:
        from convenor.intelligence.categorisation import decisions_for

        link = reverse("categories:school", kwargs={"urn": school.urn})
        events += category_events(decisions_for(urns), full=visibility.proposals, link=link)
    if visibility.cases:
        from convenor.intelligence.views_interventions import load_cases

        events += case_events(load_cases(urns, as_at))
    if visibility.scores:
        scores = RiskScore.objects.filter(urn__in=urns, run__as_at__lte=as_at).select_related("run")
        events += score_events(scores)
    if visibility.soft is not None:
        from convenor.intelligence.services import read_school_entries

        entries = read_school_entries(
            school, urns, visibility.soft, actor=actor, via="timeline", on_or_before=as_at
        )
        link = reverse("intelligence:school", kwargs={"urn": school.urn})
        events += soft_events(entries, link, as_at)
    return arrange(events, as_at)
