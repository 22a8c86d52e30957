"""Synthetic intervention cases for the demo: made up from a seed, and labelled so.

No public data records an LA's casework, so the demo makes a few cases up, as it does
soft intelligence (:mod:`convenor.demo.synthetic`; DESIGN.md, "Synthetic data"):

- five warning notices (two complied with, one followed by an intervention power, one
  followed by an interim executive board with the Secretary of State's consent, and one
  whose outcome was never recorded, so it is overdue) at maintained schools, and two
  concerns about academies (one the trust resolved, one referred to the regional
  director);
- the schools and dates drawn from a fixed seed (``random.Random``), so every build is
  the same. Schools are drawn uniformly from the LA's state-funded maintained schools
  and academies (in a trust) open throughout the period, using only their URNs, types,
  trusts and open and close dates. Inspections, results and every other outcome are
  never read, so an early-warning backtest cannot learn them back from these cases;
- recorded through the casework services, so each step has its audit event, by the
  named process that loads the demo;
- labelled: every case's text begins with :data:`MARK`, which is also how a re-run
  knows the LA has them already.

Cases fall between :data:`~convenor.demo.synthetic.PERIOD_START` and
:data:`~convenor.demo.synthetic.PERIOD_END`, the span the demo's public data covers
(``/interventions/?as_at=2020-03-31&status=all``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q

from convenor.core.services import Actor
from convenor.demo.synthetic import DEFAULT_SEED, PERIOD_END, PERIOD_START
from convenor.intelligence import interventions as clocks
from convenor.intelligence import services_interventions as services
from convenor.intelligence.models import AcademyConcern, InterimExecutiveBoard, WarningNotice
from convenor.schools.models import Establishment

MARK = "Synthetic demo case, made up from a seed: not real casework."
# What happens to each warning notice, and to each concern, in the order they are drawn.
NOTICE_STORIES = ("complied", "complied", "power", "board", "overdue")
CONCERN_STORIES = ("resolved", "referred")
# Every step of a case falls within this many days of its first, so within the period.
LONGEST_CASE_DAYS = 130
COMPLIANCE_DAYS = (42, 56, 70)
# Powers a demo notice may be followed by; an IEB has its own story.
POWERS = (clocks.Power.ARRANGEMENTS, clocks.Power.ADDITIONAL_GOVERNORS)

GROUND_MATTERS = {
    clocks.Ground.LOW_STANDARDS: "the LA's adviser judged pupils' progress too slow",
    clocks.Ground.MANAGEMENT_OR_GOVERNANCE: "governors have not held leaders to account",
    clocks.Ground.SAFETY: "site security and supervision fell short at a visit",
}


@dataclass(frozen=True)
class PlannedNotice:
    """A warning notice to record and what follows it (``story``, one of
    :data:`NOTICE_STORIES`)."""

    urn: int
    story: str
    issued_on: date
    compliance_ends_on: date
    grounds: tuple[str, ...]
    power: str = ""
    members: int = 0


@dataclass(frozen=True)
class PlannedConcern:
    """A concern to raise with an academy's trust and what follows (``story``, one of
    :data:`CONCERN_STORIES`)."""

    urn: int
    story: str
    raised_on: date


@dataclass(frozen=True)
class CasePlan:
    notices: tuple[PlannedNotice, ...]
    concerns: tuple[PlannedConcern, ...]

    @property
    def urns(self) -> list[int]:
        """The chosen schools, in order."""
        return sorted({*(n.urn for n in self.notices), *(c.urn for c in self.concerns)})


def _start(rng: random.Random) -> date:
    latest = PERIOD_END - timedelta(days=LONGEST_CASE_DAYS)
    return PERIOD_START + timedelta(days=rng.randint(0, (latest - PERIOD_START).days))


def _notice(rng: random.Random, urn: int, story: str) -> PlannedNotice:
    issued_on = _start(rng)
    grounds = sorted(rng.sample(sorted(clocks.Ground), k=rng.choice((1, 1, 2))))
    return PlannedNotice(
        urn=urn,
        story=story,
        issued_on=issued_on,
        compliance_ends_on=issued_on + timedelta(days=rng.choice(COMPLIANCE_DAYS)),
        grounds=tuple(str(g) for g in grounds),
        power=str(rng.choice(POWERS)) if story == "power" else "",
        members=rng.randint(3, 5) if story == "board" else 0,
    )


def plan_cases(
    maintained: Sequence[int], academies: Sequence[int], seed: str | int = DEFAULT_SEED
) -> CasePlan:
    """The synthetic cases for these schools, from ``seed`` alone; no database access.

    The same URNs (in any order) and seed always give the same plan. With fewer schools
    than stories, the later stories are left out.
    """
    rng = random.Random(f"interventions-{seed}")
    notice_urns = rng.sample(sorted(set(maintained)), k=min(len(NOTICE_STORIES), len(maintained)))
    concern_urns = rng.sample(sorted(set(academies)), k=min(len(CONCERN_STORIES), len(academies)))
    notices = tuple(
        _notice(rng, urn, s) for urn, s in zip(notice_urns, NOTICE_STORIES, strict=False)
    )
    concerns = tuple(
        PlannedConcern(urn, story, _start(rng))
        for urn, story in zip(concern_urns, CONCERN_STORIES, strict=False)
    )
    return CasePlan(notices, concerns)


def _open_throughout() -> Q:
    return (Q(open_date__isnull=True) | Q(open_date__lte=PERIOD_START)) & (
        Q(close_date__isnull=True) | Q(close_date__gt=PERIOD_END)
    )


def eligible_schools(la_code: int) -> tuple[list[int], list[int]]:
    """The LA's state-funded maintained schools and academies in a trust, open throughout
    the period.

    Only URNs, types, trusts and open and close dates are read: nothing about how a
    school did.
    """
    schools = Establishment.objects.in_la(la_code).filter(_open_throughout(), is_state_funded=True)
    maintained = (
        schools.filter(type_name__in=clocks.MAINTAINED_TYPES)
        .exclude(is_academy=True)
        .order_by("urn")
        .values_list("urn", flat=True)
    )
    # A concern is raised with the trust, so an academy the register names no trust for is
    # left out.
    academies = (
        schools.filter(is_academy=True)
        .exclude(trust_name="")
        .order_by("urn")
        .values_list("urn", flat=True)
    )
    return list(maintained), list(academies)


def already_seeded(la_code: int) -> bool:
    """Whether the LA's schools have synthetic cases: any case whose text carries :data:`MARK`."""
    urns = Establishment.objects.in_la(la_code).values("urn")
    return (
        WarningNotice.objects.filter(urn__in=urns, reasons__startswith=MARK).exists()
        or InterimExecutiveBoard.objects.filter(urn__in=urns, note__startswith=MARK).exists()
        or AcademyConcern.objects.filter(urn__in=urns, concern__startswith=MARK).exists()
    )


def _days(day: date, count: int) -> date:
    return day + timedelta(days=count)


def _record_notice(school: Establishment, plan: PlannedNotice, actor: Actor) -> None:
    matters = "; ".join(GROUND_MATTERS[clocks.Ground(g)] for g in plan.grounds)
    notice = services.give_warning_notice(
        school,
        actor=actor,
        kind=clocks.NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY,
        grounds=plan.grounds,
        issued_on=plan.issued_on,
        issued_by=clocks.Issuer.LOCAL_AUTHORITY,
        compliance_ends_on=plan.compliance_ends_on,
        reasons=f"{MARK} Invented matters: {matters}.",
        action_required=f"{MARK} Agree and carry out an improvement plan with the LA's adviser.",
    )
    for recipient in services.required_copies(notice, school):
        services.record_copy_sent(notice, actor=actor, recipient=recipient, sent_on=plan.issued_on)
    ended = plan.compliance_ends_on
    if plan.story == "overdue":
        return  # the outcome is never recorded, so the decision is overdue
    if plan.story == "complied":
        services.record_outcome(
            notice,
            actor=actor,
            outcome=clocks.Outcome.COMPLIED,
            decided_on=_days(ended, 5),
            note=f"{MARK} The plan was agreed and followed.",
        )
        return
    services.record_outcome(
        notice,
        actor=actor,
        outcome=clocks.Outcome.NOT_COMPLIED,
        decided_on=_days(ended, 3),
        note=f"{MARK} The plan was not agreed.",
    )
    services.record_reasonable_notice(
        notice, actor=actor, given_on=_days(ended, 7), note=f"{MARK} Powers proposed."
    )
    if plan.story == "power":
        services.record_power_used(
            notice,
            actor=actor,
            power=plan.power,
            used_on=_days(ended, 24),
            dfe_notified_on=_days(ended, 31),
            note=MARK,
        )
        return
    board = services.propose_ieb(
        school,
        actor=actor,
        ground=clocks.EligibilityGround.WARNING_NOTICE,
        proposed_on=_days(ended, 10),
        warning_notice=notice,
        note=f"{MARK} Proposed after the governing body did not comply.",
    )
    services.request_ieb_consent(board, actor=actor, requested_on=_days(ended, 14))
    services.record_ieb_consent(
        board, actor=actor, decision=clocks.ConsentDecision.GRANTED, decided_on=_days(ended, 35)
    )
    services.constitute_ieb(
        board,
        actor=actor,
        constituted_on=_days(ended, 49),
        member_count=plan.members,
        members=f"{MARK} {plan.members} invented members.",
    )
    board_power = notice.powers.get(power=clocks.Power.INTERIM_EXECUTIVE_BOARD)
    services.record_dfe_notified(board_power, actor=actor, notified_on=_days(ended, 56))


def _record_concern(school: Establishment, plan: PlannedConcern, actor: Actor) -> None:
    raised = plan.raised_on
    concern = services.raise_academy_concern(
        school,
        actor=actor,
        raised_with_trust_on=raised,
        concern=f"{MARK} Invented concern: high staff turnover and unpublished governance minutes.",
    )
    if plan.story == "resolved":
        services.record_trust_response(
            concern,
            actor=actor,
            responded_on=_days(raised, 10),
            response=f"{MARK} The trust set out a recruitment plan.",
        )
        services.close_academy_concern(
            concern,
            actor=actor,
            status=clocks.ConcernStatus.RESOLVED,
            closed_on=_days(raised, 45),
            note=MARK,
        )
        return
    services.refer_to_regional_director(
        concern,
        actor=actor,
        referred_on=_days(raised, 21),
        note=f"{MARK} No answer from the trust.",
    )
    services.record_rd_response(
        concern,
        actor=actor,
        responded_on=_days(raised, 42),
        response=f"{MARK} The regional director will raise it with the trust.",
    )


@dataclass(frozen=True)
class CaseReport:
    la_code: int
    notices: int
    boards: int
    concerns: int
    schools: int
    already_seeded: bool

    def summary(self) -> str:
        """One line for the command's output."""
        if self.already_seeded:
            what = "synthetic intervention cases already present"
        else:
            board = "board" if self.boards == 1 else "boards"
            what = (
                f"synthetic intervention cases at {self.schools} schools: "
                f"{self.notices} warning notices, {self.boards} interim executive {board} "
                f"and {self.concerns} academy concerns"
            )
        return (
            f"LA {self.la_code}: {what}; see /interventions/?as_at={PERIOD_END.isoformat()}"
            "&status=all"
        )


@transaction.atomic
def seed_interventions(
    la_code: int, *, seed: int = DEFAULT_SEED, actor: str = "demo loader"
) -> CaseReport:
    """Record the synthetic intervention cases for one LA through the casework services.

    Safe to re-run: an LA whose schools have synthetic cases gets none added. The seed
    is combined with the LA code, so each LA gets its own cases.
    """
    if already_seeded(la_code):
        return CaseReport(la_code, 0, 0, 0, 0, already_seeded=True)
    maintained, academies = eligible_schools(la_code)
    plan = plan_cases(maintained, academies, seed=f"{seed}-{la_code}")
    schools = Establishment.objects.in_bulk(plan.urns)
    for notice in plan.notices:
        _record_notice(schools[notice.urn], notice, actor)
    for concern in plan.concerns:
        _record_concern(schools[concern.urn], concern, actor)
    boards = sum(1 for n in plan.notices if n.story == "board")
    return CaseReport(
        la_code,
        len(plan.notices),
        boards,
        len(plan.concerns),
        len(plan.urns),
        already_seeded=False,
    )
