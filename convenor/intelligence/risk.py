"""The risk dashboard's rows: every school in a reader's scope with its category, its
early-warning risk and ranks from a stored score run, the trend since the run before,
the main reasons and the last inspection, all as at one date.

Pages never fit the model: the run shown is the newest stored on or before the date
(:func:`convenor.intelligence.scores.latest_run`), and "the run before" is the newest
one dated before that run. Who may see it is the category review's scope (ADR 0008):
model risk is part of the evidence officers and boards review. A fixed number of
queries, however many schools.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q

from convenor.analytics.concern import day_words
from convenor.core.views_audit import csv_cell
from convenor.intelligence.categorisation import INPUT_LABELS, CategoryScope, current_decisions
from convenor.intelligence.forms_risk import BANDS, NOT_CATEGORISED
from convenor.intelligence.models import CategoryDecision, Inspection, RiskScore, ScoreRun
from convenor.schools.models import Establishment, UrnLookup

#: Reasons shown per school: the run keeps up to three, largest effect first.
REASONS_SHOWN = 3

_SCHOOL_FIELDS = ("urn", "name", "la_code", "district", "phase", "type_name", "is_academy")
_GRADE_WORDS = {1: "outstanding", 2: "good", 3: "requires improvement", 4: "inadequate"}


def feature_label(name: str) -> str:
    """A model feature in plain words: the label categorisation gives the same input
    (ADR 0008), else the name made readable ("new_feature" -> "New feature")."""
    label = INPUT_LABELS.get(name)
    return label if label else name.replace("_", " ").strip().capitalize()


def reason_words(reason: Mapping[str, Any]) -> str:
    """One stored reason (``{"feature", "value", "effect"}``) as a sentence:
    "Latest Ofsted grade: requires improvement (adds 8.1 points)"."""
    name = str(reason.get("feature", ""))
    label = feature_label(name)
    value = reason.get("value")
    if name in ("last_grade", "previous_grade") and value in _GRADE_WORDS:
        label, shown = label.split(" (")[0], _GRADE_WORDS[int(value)]
    elif value is None:
        shown = "not known"
    elif float(value).is_integer():
        shown = f"{int(value):,}"
    else:
        shown = f"{float(value):.2f}"
    effect = float(reason.get("effect") or 0.0) * 100
    verb = "adds" if effect >= 0 else "takes off"
    return f"{label}: {shown} ({verb} {abs(effect):.1f} points)"


def training_words(run: ScoreRun) -> str:
    """How the run's model was trained, for the page: "12,345 inspected schools, windows
    as at 31 Aug 2017 and 31 Aug 2018, 14.2% below good"."""
    windows = [day_words(date.fromisoformat(str(w))) for w in run.training_windows]
    when = ""
    if windows:
        listed = " and ".join([", ".join(windows[:-1]), windows[-1]] if windows[:-1] else windows)
        when = f", windows as at {listed}"
    return (
        f"{run.training_rows:,} inspected schools{when}, "
        f"{run.training_base_rate:.1%} of them judged below good"
    )


@dataclass(frozen=True)
class RiskRow:
    """One school on the dashboard."""

    school: Establishment
    probability: float
    rank: int
    la_rank: int | None
    la_scored: int
    decision: CategoryDecision | None
    previous: tuple[float, int] | None  # probability and rank in the run before
    reasons: tuple[str, ...]
    inspection: Inspection | None

    @property
    def category(self) -> str:
        return self.decision.decided_category.label if self.decision else NOT_CATEGORISED

    @property
    def category_order(self) -> int:
        return self.decision.decided_category.order if self.decision else 0

    @property
    def governance(self) -> str:
        return "Academy" if self.school.is_academy else "Maintained"

    @property
    def risk_pct(self) -> str:
        return f"{self.probability:.1%}"

    @property
    def change_points(self) -> float | None:
        """The change in risk since the run before, in percentage points."""
        return None if self.previous is None else (self.probability - self.previous[0]) * 100

    @property
    def rank_change(self) -> int | None:
        """Places moved up the national ranking (towards rank 1) since the run before."""
        return None if self.previous is None else self.previous[1] - self.rank

    def trend_words(self, previous_run: ScoreRun | None) -> str:
        if previous_run is None:
            return "No earlier run"
        points, places = self.change_points, self.rank_change
        if points is None or places is None:
            return f"Not scored on {day_words(previous_run.as_at)}"
        risk = f"{points:+.1f} points"
        if places == 0:
            return f"{risk}, same rank"
        direction = "up" if places > 0 else "down"
        return f"{risk}, {direction} {abs(places):,} place{'' if abs(places) == 1 else 's'}"

    @property
    def inspection_words(self) -> str:
        if self.inspection is None:
            return "None on record"
        return f"{self.inspection.rating}, {day_words(self.inspection.inspection_date)}"


@dataclass(frozen=True)
class Dashboard:
    """The rows as at one date, from ``run`` (None when there is no run by then)."""

    as_at: date
    run: ScoreRun | None
    previous: ScoreRun | None
    rows: list[RiskRow]


@dataclass(frozen=True)
class Filters:
    """What the reader asked for; blank means any."""

    la: str = ""
    phase: str = ""
    category: str = ""
    governance: str = ""
    band: str = ""
    q: str = ""


def _latest_inspections(urns: Sequence[int], as_at: date) -> dict[int, Inspection]:
    """Each school's latest graded inspection on or before ``as_at``, under its URN or an
    earlier one (GIAS's URN lookup). Two queries."""
    owner = {urn: urn for urn in urns}
    for old, latest in UrnLookup.objects.filter(latest_urn__in=urns).values_list(
        "old_urn", "latest_urn"
    ):
        owner.setdefault(old, latest)
    found: dict[int, Inspection] = {}
    for inspection in Inspection.objects.filter(
        urn__in=list(owner), inspection_date__lte=as_at
    ).order_by("-inspection_date", "-pk"):
        found.setdefault(owner[inspection.urn], inspection)
    return found


def _la_ranks(scores: Iterable[tuple[int, int]], la_of: Mapping[int, int]) -> dict[int, int]:
    """Each school's place among its LA's schools in the run, by national rank."""
    by_la: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for urn, rank in scores:
        if urn in la_of:
            by_la[la_of[urn]].append((rank, urn))
    ranks: dict[int, int] = {}
    for ranked in by_la.values():
        for place, (_rank, urn) in enumerate(sorted(ranked), start=1):
            ranks[urn] = place
    return ranks


def build_dashboard(scope: CategoryScope, as_at: date, filters: Filters) -> Dashboard:
    """Every school in ``scope`` scored by the newest run on or before ``as_at``, with
    what the dashboard shows, filtered; in national rank order."""
    from convenor.intelligence.scores import latest_run  # loads the model's libraries

    run = latest_run(as_at)
    if run is None:
        return Dashboard(as_at, None, None, [])
    previous = latest_run(run.as_at - timedelta(days=1))
    scored = RiskScore.objects.filter(run=run).values("urn")
    schools_q = Establishment.objects.filter(
        urn__in=scope.reviewable_schools().values("urn")
    ).filter(urn__in=scored)
    if filters.la:
        schools_q = schools_q.filter(la_code=int(filters.la))
    if filters.phase:
        schools_q = schools_q.filter(phase=filters.phase)
    if filters.governance == "academy":
        schools_q = schools_q.filter(is_academy=True)
    elif filters.governance == "maintained":
        schools_q = schools_q.exclude(is_academy=True)
    if filters.q:
        schools_q = schools_q.search(filters.q)
    schools = {s.urn: s for s in schools_q.only(*_SCHOOL_FIELDS).order_by()}
    if not schools:
        return Dashboard(as_at, run, previous, [])
    las = {s.la_code for s in schools.values() if s.la_code is not None}
    la_of: dict[int, int] = {
        urn: la
        for urn, la in Establishment.objects.filter(la_code__in=las, urn__in=scored).values_list(
            "urn", "la_code"
        )
        if la is not None
    }
    scores = {
        s.urn: s
        for s in RiskScore.objects.filter(run=run)
        .filter(Q(urn__in=list(la_of)) | Q(urn__in=list(schools)))
        .only("urn", "rank", "probability", "reasons")
    }
    la_ranks = _la_ranks(((urn, s.rank) for urn, s in scores.items()), la_of)
    la_counts: defaultdict[int, int] = defaultdict(int)
    for la in la_of.values():
        la_counts[la] += 1
    urns = list(schools)
    before: dict[int, tuple[float, int]] = {}
    if previous is not None:
        before = {
            urn: (probability, rank)
            for urn, probability, rank in RiskScore.objects.filter(
                run=previous, urn__in=urns
            ).values_list("urn", "probability", "rank")
        }
    decisions = current_decisions(urns, on=as_at)
    inspections = _latest_inspections(urns, as_at)
    rows = []
    for urn, school in schools.items():
        score = scores[urn]
        rows.append(
            RiskRow(
                school=school,
                probability=score.probability,
                rank=score.rank,
                la_rank=la_ranks.get(urn),
                la_scored=la_counts.get(school.la_code or 0, 0),
                decision=decisions.get(urn),
                previous=before.get(urn),
                reasons=tuple(reason_words(r) for r in (score.reasons or [])[:REASONS_SHOWN]),
                inspection=inspections.get(urn),
            )
        )
    rows = [row for row in rows if _keeps(row, filters, run)]
    rows.sort(key=lambda row: (row.rank, row.school.urn))
    return Dashboard(as_at, run, previous, rows)


def _keeps(row: RiskRow, filters: Filters, run: ScoreRun) -> bool:
    if filters.category and row.category != filters.category:
        return False
    if filters.band:
        return row.rank * 100 <= BANDS[filters.band] * run.schools
    return True


# --- Sorting -------------------------------------------------------------------------


def _sort_key(sort: str) -> Any:
    last = float("inf")
    keys: dict[str, Any] = {
        "rank": lambda r: (r.rank,),
        "name": lambda r: (r.school.name.lower(), r.school.urn),
        "category": lambda r: (r.category_order, r.category, -r.rank),
        "la_rank": lambda r: (r.la_rank if r.la_rank is not None else last, r.rank),
        "change": lambda r: (r.change_points if r.change_points is not None else -last, -r.rank),
        "inspected": lambda r: (
            r.inspection.inspection_date.toordinal() if r.inspection else 0,
            -r.rank,
        ),
    }
    return keys.get(sort, keys["rank"])


def sort_rows(rows: list[RiskRow], sort: str, order: str) -> list[RiskRow]:
    """``rows`` by one column. Rank, LA rank and name read best ascending; category,
    change and inspection date are "most serious/most recent first" when descending."""
    return sorted(rows, key=_sort_key(sort), reverse=order == "desc")


# --- CSV -----------------------------------------------------------------------------

CSV_HEAD = (
    "urn",
    "school",
    "la_code",
    "district",
    "phase",
    "maintained_or_academy",
    "category",
    "category_decided_on_evidence_as_at",
    "scores_as_at",
    "probability",
    "national_rank",
    "schools_scored",
    "la_rank",
    "la_schools_scored",
    "previous_scores_as_at",
    "previous_probability",
    "previous_rank",
    "change_points",
    "reasons",
    "last_inspection_date",
    "last_inspection_grade",
    "last_inspection_rating",
)


def csv_rows(dashboard: Dashboard) -> Iterator[Sequence[object]]:
    """The header, then one row per school, in the page's order."""
    yield CSV_HEAD
    run, previous = dashboard.run, dashboard.previous
    for row in dashboard.rows:
        school, decision, inspection = row.school, row.decision, row.inspection
        points = row.change_points
        yield (
            school.urn,
            csv_cell(school.name),
            school.la_code or "",
            csv_cell(school.district),
            csv_cell(school.phase),
            row.governance,
            csv_cell(row.category),
            decision.as_at.isoformat() if decision else "",
            run.as_at.isoformat() if run else "",
            f"{row.probability:.4f}",
            row.rank,
            run.schools if run else "",
            row.la_rank or "",
            row.la_scored,
            previous.as_at.isoformat() if previous else "",
            f"{row.previous[0]:.4f}" if row.previous else "",
            row.previous[1] if row.previous else "",
            f"{points:+.1f}" if points is not None else "",
            csv_cell("; ".join(row.reasons)),
            inspection.inspection_date.isoformat() if inspection else "",
            inspection.grade if inspection else "",
            csv_cell(inspection.rating) if inspection else "",
        )
