"""The clock of a concern about an academy, raised with its trust and the regional director."""

from __future__ import annotations

from datetime import date, timedelta

from convenor.intelligence.interventions.cases import (
    CaseClock,
    ConcernFacts,
    Deadline,
    DeadlineState,
    Event,
    Flag,
    Severity,
    case_clock,
    deadline,
    in_sentence,
    known,
)
from convenor.intelligence.interventions.rules import DEFAULT_POLICY, LocalPolicy
from convenor.intelligence.interventions.vocabulary import CONCERN_STATUS_LABELS


def academy_concern_clock(
    facts: ConcernFacts, as_at: date, policy: LocalPolicy = DEFAULT_POLICY
) -> CaseClock:
    """A concern about an academy as at ``as_at``.

    The LA has no intervention powers over academies; concerns go to the trust, then
    to the regional director (DOMAIN.md 1.8 [S]). The trust's answer is expected within
    ``policy.trust_response_days`` of raising it and the regional director's within
    ``policy.regional_director_response_days`` of referral: local policy, not statute.
    """
    deadlines: list[Deadline] = []
    flags: list[Flag] = []
    events = [Event(facts.raised_on, "Concern raised with the trust")]
    answered = known(facts.trust_response_on, as_at)
    referred = known(facts.referred_on, as_at)
    rd_answered = known(facts.rd_response_on, as_at)
    closed = known(facts.closed_on, as_at)
    trust = deadline(
        "trust-response",
        "The trust responds",
        facts.raised_on + timedelta(days=policy.trust_response_days),
        as_at,
        met_on=answered,
        source="local policy (DOMAIN.md 1.8: responses commonly within 15 days [S])",
    )
    deadlines.append(trust)
    if answered is not None:
        events.append(Event(answered, "Trust responded"))
    if referred is not None:
        events.append(Event(referred, "Referred to the regional director"))
        deadlines.append(
            deadline(
                "rd-response",
                "The regional director responds",
                referred + timedelta(days=policy.regional_director_response_days),
                as_at,
                met_on=rd_answered,
                source="local policy",
            )
        )
        if rd_answered is not None:
            events.append(Event(rd_answered, "Regional director responded"))
    elif trust.state == DeadlineState.OVERDUE:
        flags.append(
            Flag(
                "consider-referral",
                "No answer from the trust: consider referring to the regional director",
                Severity.INFO,
            )
        )
    if closed is not None:
        events.append(Event(closed, f"Concern {in_sentence(CONCERN_STATUS_LABELS[facts.status])}"))
    is_open = closed is None
    return case_clock(as_at, is_open, deadlines, flags, events, keeps_when_closed=lambda _: False)
