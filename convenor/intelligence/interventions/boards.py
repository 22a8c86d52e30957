"""The clock of an interim executive board."""

from __future__ import annotations

from datetime import date, timedelta

from convenor.intelligence.interventions.cases import (
    CaseClock,
    Deadline,
    Event,
    Flag,
    IebFacts,
    Severity,
    case_clock,
    deadline,
    in_sentence,
    known,
)
from convenor.intelligence.interventions.rules import (
    DEFAULT_POLICY,
    IEB_RULES,
    POWER_RULES,
    LocalPolicy,
)
from convenor.intelligence.interventions.vocabulary import (
    CONSENT_LABELS,
    ConsentDecision,
    Power,
)


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
    requested = known(facts.consent_requested_on, as_at)
    decided_on = known(facts.consent_decision_on, as_at)
    decision = facts.consent_decision if decided_on is not None else None
    constituted = known(facts.constituted_on, as_at)
    ended = known(facts.ended_on, as_at)

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
    # A board run without consent stays flagged when it is over.
    return case_clock(
        as_at, is_open, deadlines, flags, events, keeps_when_closed=lambda f: f.key == "no-consent"
    )
