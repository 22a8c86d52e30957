"""Synthetic soft intelligence for the demo: made up from a seed, and labelled so.

No public data records what an LA hears about its schools, so the demo makes some up
(DESIGN.md, "Synthetic data"). It is:

- generated from a fixed seed (``random.Random``), so every build is the same;
- stored with ``synthetic=True`` and shown with a "Synthetic" tag wherever it appears;
- never derived from outcomes a model is tested on. Schools are drawn uniformly from
  the register's state-funded schools open on :data:`PERIOD_END` (known by then),
  using only their URNs and open and close dates. Inspections, results and every other
  outcome are never read, so an early-warning backtest cannot learn them back from
  these entries.

Entries fall between :data:`PERIOD_START` and :data:`PERIOD_END`, the span the demo's
public data covers, so the register of concern shows them as at 31 March 2020
(``/intelligence/concerns/?as_at=2020-03-31``). They are written by an inactive
account, ``synthetic-data``, that cannot sign in, through the same services as real
entries (so each has its audit event).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from convenor.core.services import record_audit
from convenor.intelligence.models import (
    ConcernRule,
    Sensitivity,
    SoftIntelligenceEntry,
    SoftIntelligenceKind,
)
from convenor.intelligence.services import default_rule_values, record_entry, set_concern_rule
from convenor.schools.models import Establishment

DEFAULT_SEED = 2020
SYNTHETIC_USERNAME = "synthetic-data"
PERIOD_START = date(2018, 4, 1)
PERIOD_END = date(2020, 3, 31)
# The demo LA's escalation rule takes effect before the first synthetic entry.
RULE_FROM = date(2017, 9, 1)
# About one school in seven has something on the log.
SHARE_OF_SCHOOLS = 0.15
# How many entries a school on the log has: mostly one, a few several.
ENTRIES_PER_SCHOOL = (1, 2, 3, 4, 5)
ENTRIES_WEIGHTS = (40, 25, 17, 11, 7)
# Half the schools with several entries have them close together (one difficult spell).
CLUSTER_CHANCE = 0.5
CLUSTER_DAYS = 150

K = SoftIntelligenceKind
KIND_WEIGHTS: dict[str, int] = {
    K.PARENTAL_COMPLAINT: 20,
    K.ESCALATED_COMPLAINT: 6,
    K.STAFF_TURNOVER: 10,
    K.VACANCIES_SICKNESS: 10,
    K.GOVERNANCE: 8,
    K.FINANCE: 9,
    K.SAFEGUARDING: 5,
    K.LEADERSHIP_CHANGE: 8,
    K.LA_GOVERNOR_REPORT: 7,
    K.NETWORK_ABSENCE: 8,
    K.PUPILS_MOVING_OUT: 6,
    K.OTHER: 3,
}
# Kinds that are often about named staff, so sometimes restricted. Safeguarding always is.
OFTEN_RESTRICTED = {K.STAFF_TURNOVER, K.VACANCIES_SICKNESS}

SOURCES: dict[str, tuple[str, ...]] = {
    K.PARENTAL_COMPLAINT: ("Parent, by email", "Parent, by phone to the LA", "Parent, in writing"),
    K.ESCALATED_COMPLAINT: ("Local councillor", "MP's office", "Local newspaper enquiry"),
    K.STAFF_TURNOVER: ("LA HR adviser", "School improvement visit", "Head teacher, at a meeting"),
    K.VACANCIES_SICKNESS: ("LA HR adviser", "Teaching vacancy adverts", "School business manager"),
    K.GOVERNANCE: ("Clerk to governors", "LA governor services", "Chair of governors"),
    K.FINANCE: ("LA schools finance team", "Budget monitoring return"),
    K.SAFEGUARDING: ("LA designated officer", "Children's services"),
    K.LEADERSHIP_CHANGE: ("Chair of governors", "Head teacher", "Trust chief executive"),
    K.LA_GOVERNOR_REPORT: ("LA governor report to the LA",),
    K.NETWORK_ABSENCE: ("Cluster meeting register", "Network lead"),
    K.PUPILS_MOVING_OUT: ("Admissions team", "In-year transfer requests"),
    K.OTHER: ("School improvement visit", "Neighbouring head teacher"),
}

SUMMARIES: dict[str, tuple[str, ...]] = {
    K.PARENTAL_COMPLAINT: (
        "Complaint about how a bullying allegation was handled.",
        "Several parents unhappy with communication about changes to the school day.",
        "Complaint about support for a pupil with SEND.",
    ),
    K.ESCALATED_COMPLAINT: (
        "Councillor passed on parents' concerns about behaviour at the school.",
        "Enquiry about a complaint that parents say the school did not answer.",
    ),
    K.STAFF_TURNOVER: (
        "Several teachers leaving at the end of term.",
        "Deputy head and two middle leaders resigned this year.",
    ),
    K.VACANCIES_SICKNESS: (
        "Long-term sickness absence in the senior team.",
        "Maths post unfilled after two rounds of advertising.",
    ),
    K.GOVERNANCE: (
        "Several governor vacancies; meetings not quorate.",
        "Governors have not challenged the school's self-evaluation.",
    ),
    K.FINANCE: (
        "Budget shows an in-year deficit.",
        "Request for a licensed deficit.",
    ),
    K.SAFEGUARDING: (
        "Safeguarding concern referred to the LA designated officer.",
        "Single central record found incomplete at a visit.",
    ),
    K.LEADERSHIP_CHANGE: (
        "Head teacher leaving; interim arrangements not yet agreed.",
        "Acting head in post while governors recruit.",
    ),
    K.LA_GOVERNOR_REPORT: (
        "LA governor reports weak monitoring of pupil progress.",
        "LA governor reports concerns about the accuracy of attendance data.",
    ),
    K.NETWORK_ABSENCE: (
        "School missed the last three cluster meetings.",
        "No one from the school at the partnership's leadership network this term.",
    ),
    K.PUPILS_MOVING_OUT: (
        "Several in-year transfer requests to neighbouring schools.",
        "First preferences down on last year.",
    ),
    K.OTHER: ("Local concern reported at a visit; details to be confirmed.",),
}

FOLLOW_UPS = (
    "School improvement adviser to discuss at the next visit.",
    "Ask the head teacher for an update.",
    "Raise at the next partnership board.",
)
FOLLOW_UP_CHANCE = 0.3


@dataclass(frozen=True)
class PlannedEntry:
    """One synthetic entry, before it is recorded."""

    urn: int
    kind: str
    source: str
    observed_on: date
    sensitivity: str
    summary: str
    follow_up: str = ""
    follow_up_due: date | None = None


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _planned_entry(rng: random.Random, urn: int, observed_on: date) -> PlannedEntry:
    kinds = sorted(KIND_WEIGHTS)
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    restricted = kind == K.SAFEGUARDING or (kind in OFTEN_RESTRICTED and rng.random() < 0.5)
    follow_up, due = "", None
    if rng.random() < FOLLOW_UP_CHANCE:
        follow_up = rng.choice(FOLLOW_UPS)
        due = observed_on + timedelta(days=rng.choice((14, 28, 42)))
    return PlannedEntry(
        urn=urn,
        kind=kind,
        source=rng.choice(SOURCES[kind]),
        observed_on=observed_on,
        sensitivity=Sensitivity.RESTRICTED if restricted else Sensitivity.STANDARD,
        summary=rng.choice(SUMMARIES[kind]),
        follow_up=follow_up,
        follow_up_due=due,
    )


def plan_entries(urns: Sequence[int], seed: int = DEFAULT_SEED) -> list[PlannedEntry]:
    """The synthetic entries for these schools, from ``seed`` alone; no database access.

    The same URNs and seed always give the same entries, in the same order.
    """
    rng = random.Random(seed)
    pool = sorted(set(urns))
    chosen = sorted(rng.sample(pool, k=round(len(pool) * SHARE_OF_SCHOOLS)))
    planned: list[PlannedEntry] = []
    for urn in chosen:
        count = rng.choices(ENTRIES_PER_SCHOOL, weights=ENTRIES_WEIGHTS)[0]
        start, end = PERIOD_START, PERIOD_END
        if count > 1 and rng.random() < CLUSTER_CHANCE:
            start = _day_between(rng, PERIOD_START, PERIOD_END - timedelta(days=CLUSTER_DAYS))
            end = start + timedelta(days=CLUSTER_DAYS)
        days = sorted(_day_between(rng, start, end) for _ in range(count))
        planned.extend(_planned_entry(rng, urn, day) for day in days)
    return planned


def eligible_urns(la_code: int) -> list[int]:
    """The LA's state-funded schools open on :data:`PERIOD_END` by the register's dates.

    Only URNs and open and close dates are read: nothing about how a school did.
    """
    open_then = (Q(open_date__isnull=True) | Q(open_date__lte=PERIOD_END)) & (
        Q(close_date__isnull=True) | Q(close_date__gt=PERIOD_END)
    )
    return list(
        Establishment.objects.in_la(la_code)
        .filter(open_then, is_state_funded=True)
        .order_by("urn")
        .values_list("urn", flat=True)
    )


def synthetic_author() -> User:
    """The account synthetic entries are written by: inactive, no password, no role."""
    user, created = User.objects.get_or_create(
        username=SYNTHETIC_USERNAME,
        defaults={"first_name": "Synthetic", "last_name": "data", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record_audit(
            "user.created",
            actor="demo loader",
            object_type="user",
            object_id=user.pk,
            username=user.username,
        )
    return user


@dataclass(frozen=True)
class SeedReport:
    la_code: int
    entries: int
    schools: int
    already_seeded: bool
    rule_set: bool

    def summary(self) -> str:
        """One line for the command's output."""
        rule = " and the default escalation rule (3 in 2 terms)" if self.rule_set else ""
        if self.already_seeded:
            what = "synthetic soft intelligence already present"
        else:
            what = f"{self.entries} synthetic soft intelligence entries for {self.schools} schools"
        return (
            f"LA {self.la_code}: {what}{rule}; see /intelligence/concerns/?as_at="
            f"{PERIOD_END.isoformat()}"
        )


@transaction.atomic
def seed_soft_intelligence(
    la_code: int, *, seed: int = DEFAULT_SEED, actor: str = "demo loader"
) -> SeedReport:
    """Record the synthetic soft intelligence for one LA, and its escalation rule.

    Safe to re-run: an LA that already has synthetic entries gets none added, and an
    LA that has any rule keeps its rules. The seed is combined with the LA code, so
    each LA gets its own entries.
    """
    rule_set = False
    if not ConcernRule.objects.filter(la_code=la_code).exists():
        set_concern_rule(
            actor=actor, la_code=la_code, effective_from=RULE_FROM, **default_rule_values()
        )
        rule_set = True
    urns = eligible_urns(la_code)
    if SoftIntelligenceEntry.objects.filter(synthetic=True, urn__in=urns).exists():
        return SeedReport(la_code, 0, 0, already_seeded=True, rule_set=rule_set)
    author = synthetic_author()
    planned = plan_entries(urns, seed=seed * 1000 + la_code)
    schools = Establishment.objects.in_bulk({p.urn for p in planned})
    for entry in planned:
        record_entry(
            schools[entry.urn],
            actor=author,
            kind=entry.kind,
            source=entry.source,
            observed_on=entry.observed_on,
            summary=entry.summary,
            sensitivity=entry.sensitivity,
            follow_up=entry.follow_up,
            follow_up_due=entry.follow_up_due,
            synthetic=True,
        )
    return SeedReport(la_code, len(planned), len(schools), already_seeded=False, rule_set=rule_set)
