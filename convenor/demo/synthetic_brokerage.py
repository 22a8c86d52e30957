"""Synthetic brokerage for the demo: partnerships, system leaders, requests, matching
decisions, plans, funds, credits and traded services, made up from a seed and labelled so.

No public data records an LA's partnerships or brokered support, so the demo makes them
up (DESIGN.md, "Synthetic data"; ADR 0011), as it does soft intelligence:

- drawn from a fixed seed (``random.Random``) and the register's URNs, districts, types,
  phases and open dates only, so every build is the same. The schools whose category
  decisions prompt requests are drawn uniformly from the LA's maintained schools;
  inspections, results and every other outcome are never read for them, so neither the
  early-warning backtest nor the impact report can learn an outcome back. The one
  exception is the one issue 5 asks for: **system leaders are placed at real good and
  outstanding schools** (their latest inspection by :data:`STARTS`);
- recorded through the services (``convenor.brokerage.services``, and
  ``confirm_category`` for the decisions), each with its audit event, by the named process
  that loads the demo; category decisions, which need a person, by the inactive
  ``synthetic-data`` account;
- labelled: roots carry ``synthetic=True`` (structures, providers, requests, funds, credit
  postings, services, subscriptions) and texts begin with :data:`MARK`. A re-run adds
  nothing: an LA with synthetic structures has been seeded.

The story: from September 2017 a three-tier partnership (strategic partnership, an area
board per district, two or three clusters a board; some schools only on a learning
network's list, some in nothing); 2017 decisions put some schools in "Support and
challenge", a matching run proposes providers, a board approves, overrides or rejects,
and the plans run to July 2018 (most completed, so the impact report has rows: results
for 2015/16 and 2016/17 before, 2018/19 after). In autumn 2019 a second cohort is
matched (some proposals left for the board), the networks meet for a term, the credits
exchange starts and two traded services sell.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from convenor.brokerage import services as s
from convenor.brokerage.models import (
    Designation,
    Expertise,
    Partnership,
    ProviderKind,
    SupportPhase,
    SupportProvider,
    TariffBand,
    phase_of,
)
from convenor.core.services import record_audit
from convenor.demo.synthetic import DEFAULT_SEED
from convenor.intelligence import interventions as clocks
from convenor.intelligence.models import Inspection
from convenor.schools.models import Establishment

MARK = "Synthetic demo data, made up from a seed."
ACTOR = "demo loader"
STARTS = date(2017, 9, 1)
FUND_ENDS = date(2020, 8, 31)
SYSTEM_LEADER = "system"  # the demo system leader of `convenor demo users`
HEAD_URN = 116336  # the demo school leader's school, given an account and a subscription
E = Expertise
PRIMARY_AREAS = (E.PHONICS_READING, E.KS2_MATHS, E.KS2_WRITING, E.EARLY_YEARS, E.ASSESSMENT)
SECONDARY_AREAS = (E.KS4_ENGLISH, E.KS4_MATHS, E.KS4_SCIENCE, E.CURRICULUM, E.ASSESSMENT)
SHARED_AREAS = (E.LEADERSHIP, E.GOVERNANCE, E.SEND, E.ATTENDANCE, E.BEHAVIOUR, E.DISADVANTAGED)
FIRST = "Amara Ben Carys Dev Elin Femi Gareth Hana Idris Jo Kit Leah Mo Nia Owen Priya Rhys"
LAST = "Ashdown Brook Carrow Dunmore Ellery Fenwick Garside Holt Ingram Jessop Kemble Lowry"
FIRST_NAMES, LAST_NAMES = FIRST.split(), (LAST + " Marden Norcott Oakes Pryor Quill").split()
PERSONS = [Designation.NLE] * 8 + [Designation.LLE] * 16 + [Designation.SLE] * 16
PERSONS += [Designation.LEAD_HEAD] * 6
# Places a term (high, medium, low) a system leader may offer, one drawn per leader. Only
# NLEs and the traded service offer high places, and each leader only one or two places,
# so requests compete for the nearest providers' places and the board shows alternatives
# that were full; the LA's advisers and traded service take the rest, so every request
# the demo makes is matched.
PLACES: dict[str, tuple[tuple[int, int, int], ...]] = {
    Designation.NLE: ((1, 1, 0), (1, 0, 1), (1, 1, 1)),
    Designation.LLE: ((0, 1, 1), (0, 1, 0), (0, 2, 0)),
    Designation.SLE: ((0, 1, 1), (0, 0, 2), (0, 1, 0)),
    Designation.LEAD_HEAD: ((0, 1, 0), (0, 0, 1)),
}
ADVISER_PLACES = (0, 1, 2)
SERVICE_PLACES = (2, 4, 5)  # the traded service: every shared area, so it fits any request


@dataclass(frozen=True)
class Cohort:
    """One round of support: decisions as at ``decided``, a run, decisions on its
    proposals, plans from ``starts`` with their first review."""

    decided: date
    schools: int
    run_as_at: date
    decide_on: date
    starts: date
    ends: date
    reviews: tuple[date, ...]
    last_visit: date


COHORT_2017 = Cohort(
    date(2017, 9, 15),
    12,
    date(2017, 9, 29),
    date(2017, 10, 2),
    date(2017, 10, 9),
    date(2018, 7, 13),
    (date(2018, 1, 22), date(2018, 4, 23), date(2018, 7, 13)),
    date(2018, 7, 6),
)
COHORT_2019 = Cohort(
    date(2019, 9, 16),
    10,
    date(2019, 9, 30),
    date(2019, 10, 7),
    date(2019, 10, 14),
    date(2020, 7, 17),
    (date(2020, 1, 20), date(2020, 4, 20)),
    date(2020, 3, 13),
)


@dataclass
class BrokerageReport:
    la_code: int
    structures: int = 0
    memberships: int = 0
    meetings: int = 0
    providers: int = 0
    requests: int = 0
    plans: int = 0
    completed: int = 0
    funds: int = 0
    accounts: int = 0
    exchanges: int = 0
    subscriptions: int = 0
    already_seeded: bool = False

    def summary(self) -> str:
        """One line for the command's output."""
        if self.already_seeded:
            what = "synthetic brokerage already present"
        else:
            what = (
                f"synthetic brokerage: {self.structures} structures with {self.memberships} "
                f"memberships and {self.meetings} meetings, {self.providers} providers, "
                f"{self.requests} requests, {self.plans} plans ({self.completed} completed), "
                f"{self.funds} funds, {self.accounts} credit accounts with {self.exchanges} "
                f"exchanges, 2 traded services with {self.subscriptions} subscriptions"
            )
        return f"LA {self.la_code}: {what}; see /partnerships/connectedness/?as_at=2020-03-31"


def already_seeded(la_code: int) -> bool:
    return Partnership.objects.filter(la_code=la_code, synthetic=True).exists()


def eligible_schools(la_code: int) -> list[Establishment]:
    """The LA's open state-funded schools with a district, open by :data:`STARTS`."""
    return list(
        Establishment.objects.in_la(la_code)
        .open()
        .filter(is_state_funded=True)
        .exclude(district="")
        .filter(Q(open_date__isnull=True) | Q(open_date__lte=STARTS))
        .order_by("urn")
    )


def _phase(school: Establishment) -> str:
    return phase_of(school.phase, school.type_group, school.type_name) or ""


# --- Providers ---------------------------------------------------------------------------


def good_schools(urns: Sequence[int], on: date) -> list[int]:
    """Those of ``urns`` whose latest inspection by ``on`` was good or outstanding."""
    latest: dict[int, int] = {}
    rows = Inspection.objects.filter(urn__in=list(urns), inspection_date__lte=on)
    for urn, grade in rows.order_by("urn", "-inspection_date").values_list("urn", "grade"):
        latest.setdefault(urn, grade)
    return sorted(urn for urn, grade in latest.items() if grade <= 2)


def _areas_for(rng: random.Random, phase: str, k: int) -> list[str]:
    own = PRIMARY_AREAS if phase != SupportPhase.SECONDARY else SECONDARY_AREAS
    return [str(a) for a in rng.sample([*own, *SHARED_AREAS], k)]


def demo_system_leader() -> User:
    """The demo's system leader account; `convenor demo users` gives it a password and
    its role, so until then it cannot sign in."""
    user, created = User.objects.get_or_create(username=SYSTEM_LEADER)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record_audit("user.created", actor=ACTOR, object_type="user", object_id=user.pk)
    return user


def seed_providers(
    rng: random.Random,
    la_code: int,
    homes: Sequence[Establishment],
    report: BrokerageReport,
) -> list[SupportProvider]:
    """System leaders at the given (good and outstanding) schools, LA advisers and the
    LA's traded service; the demo system leader manages one NLE and one LLE."""
    system = demo_system_leader()
    names = rng.sample([(f, la) for f in FIRST_NAMES for la in LAST_NAMES], len(PERSONS) + 4)
    made = []
    managed: set[str] = set()
    for designation, home, (first, last) in zip(PERSONS, homes, names, strict=False):
        phase = _phase(home) or SupportPhase.PRIMARY
        areas = _areas_for(rng, phase, 3 if designation != Designation.SLE else 2)
        if designation != Designation.SLE and E.LEADERSHIP not in areas:
            areas[0] = E.LEADERSHIP
        manage = designation in (Designation.NLE, Designation.LLE) and designation not in managed
        managed |= {designation} if manage else set()
        high, medium, low = rng.choice(PLACES[designation])
        made.append(
            s.add_provider(
                actor=ACTOR,
                la_code=la_code,
                name=f"{first} {last}",
                kind=ProviderKind.PERSON,
                designation=designation,
                expertise=areas,
                phases=[phase],
                places_high=high,
                places_medium=medium,
                places_low=low,
                available_from=STARTS,
                home_urn=home.urn,
                cost_per_day=Decimal(rng.choice((350, 400, 450, 500, 550))),
                credits_per_day=rng.choice((None, 4, 5)),
                summary=f"{MARK} Invented offer at a real good or outstanding school.",
                managers=[system] if manage else [],
                synthetic=True,
            )
        )
    office = (448000, 129700)  # an invented county office location
    for n, (first, last) in enumerate(names[len(PERSONS) :]):
        made.append(
            s.add_provider(
                actor=ACTOR,
                la_code=la_code,
                name=f"{first} {last}",
                kind=ProviderKind.PERSON,
                designation=Designation.LA_ADVISER,
                expertise=[str(a) for a in (*SHARED_AREAS[:3], E.CURRICULUM, E.ASSESSMENT)],
                phases=[SupportPhase.PRIMARY, SupportPhase.SECONDARY],
                places_high=ADVISER_PLACES[0],
                places_medium=ADVISER_PLACES[1],
                places_low=ADVISER_PLACES[2],
                available_from=STARTS,
                easting=office[0] + 4000 * n,
                northing=office[1],
                cost_per_day=Decimal(450),
                summary=f"{MARK} Invented LA adviser.",
                synthetic=True,
            )
        )
    made.append(
        s.add_provider(
            actor=ACTOR,
            la_code=la_code,
            name="School Improvement Service",
            kind=ProviderKind.ORGANISATION,
            designation=Designation.TRADED_SERVICE,
            expertise=[str(a) for a in SHARED_AREAS],
            phases=[SupportPhase.PRIMARY, SupportPhase.SECONDARY, SupportPhase.SPECIAL],
            places_high=SERVICE_PLACES[0],
            places_medium=SERVICE_PLACES[1],
            places_low=SERVICE_PLACES[2],
            available_from=STARTS,
            easting=office[0],
            northing=office[1],
            cost_per_day=Decimal(500),
            summary=f"{MARK} Invented traded service.",
            synthetic=True,
        )
    )
    report.providers = len(made)
    return made


# --- The whole story -----------------------------------------------------------------------


def request_pool(schools: Sequence[Establishment]) -> list[Establishment]:
    """Maintained primaries and secondaries: categorised on the maintained track."""
    return [
        school
        for school in schools
        if not school.is_academy
        and school.type_name in clocks.MAINTAINED_TYPES
        and _phase(school) in (SupportPhase.PRIMARY, SupportPhase.SECONDARY)
    ]


@transaction.atomic
def seed_brokerage(la_code: int, *, seed: int = DEFAULT_SEED) -> BrokerageReport:
    """Record the LA's synthetic brokerage through the services (see the module).

    Safe to re-run: an LA with synthetic structures gets nothing added. The seed is
    combined with the LA code, so each LA gets its own.
    """
    from convenor.demo import synthetic_brokerage_support as support
    from convenor.demo import synthetic_partnerships as partnerships

    report = BrokerageReport(la_code)
    if already_seeded(la_code):
        report.already_seeded = True
        return report
    schools = eligible_schools(la_code)
    if not schools:
        return report

    def rng(part: str) -> random.Random:
        # One stream a part, so no part's draws move another's: above all, the schools
        # drawn for requests never depend on how many good schools host providers.
        return random.Random(f"brokerage-{part}-{seed}-{la_code}")

    if not TariffBand.objects.filter(la_code=la_code).exists():
        s.install_default_tariffs(actor=ACTOR, la_code=la_code, effective_from=date(2017, 4, 1))
    boards, cluster_of = partnerships.seed_partnerships(
        rng("partnerships"), la_code, schools, report
    )
    good = set(good_schools([school.urn for school in schools], STARTS))
    homes = [school for school in schools if school.urn in good]
    offers = rng("providers")
    chosen = offers.sample(homes, min(len(PERSONS), len(homes)))
    providers = seed_providers(offers, la_code, chosen, report)
    system = demo_system_leader()
    prefer = {p.pk for p in providers if p.managers.filter(user=system).exists()}
    funds = {
        area: s.create_fund(
            actor=ACTOR,
            la_code=la_code,
            name=f"{board.name} fund",
            period_start=STARTS,
            period_end=FUND_ENDS,
            budget=Decimal(150000),
            partnership=board,
            synthetic=True,
        )
        for area, board in sorted(boards.items())
    }
    report.funds = len(funds)
    pool = request_pool(schools)
    draw, plans = rng("requests"), rng("plans")
    helped = support.seed_cohort(
        draw,
        plans,
        la_code,
        COHORT_2017,
        pool,
        providers,
        cluster_of,
        funds,
        prefer=prefer,
        report=report,
    )
    later = [school for school in pool if school.urn not in helped]
    support.seed_cohort(
        draw,
        plans,
        la_code,
        COHORT_2019,
        later,
        providers,
        cluster_of,
        funds,
        prefer=prefer,
        report=report,
    )
    partnerships.seed_meetings(rng("meetings"), la_code, report)
    urns = [school.urn for school in schools]
    credits = rng("credits")
    members = credits.sample(sorted(cluster_of), min(30, len(cluster_of)))
    head = HEAD_URN if HEAD_URN in urns else None
    partnerships.seed_credits(
        credits, la_code, sorted({*members, *([head] if head else [])}), report
    )
    partnerships.seed_traded(rng("traded"), la_code, schools, head, report)
    return report
