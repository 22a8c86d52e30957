"""The clock of a warning notice, its powers window, and whether a power may be used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from convenor.intelligence.interventions.cases import (
    CaseClock,
    Deadline,
    Event,
    Flag,
    NoticeFacts,
    Severity,
    Window,
    WindowState,
    case_clock,
    deadline,
    in_sentence,
    known,
    long_date,
    plural,
)
from convenor.intelligence.interventions.rules import (
    DEFAULT_POLICY,
    MONTHS_SOURCE,
    POWER_RULES,
    LocalPolicy,
    notice_rules,
    powers_window,
)
from convenor.intelligence.interventions.vocabulary import (
    NOTICE_KIND_LABELS,
    OUTCOME_LABELS,
    POWER_LABELS,
    RECIPIENT_LABELS,
    NoticeKind,
    Outcome,
    Power,
    Recipient,
)

# What a person records; "superseded" is only ever the effect of a Secretary of State's notice.
RECORDABLE_OUTCOMES = (Outcome.COMPLIED, Outcome.NOT_COMPLIED, Outcome.WITHDRAWN)
RESOLVING_OUTCOMES = frozenset({Outcome.COMPLIED, Outcome.WITHDRAWN, Outcome.SUPERSEDED})


def _window_state(opens_on: date, closes_on: date, as_at: date, policy: LocalPolicy) -> Window:
    left = (closes_on - as_at).days
    if as_at < opens_on:
        state = WindowState.NOT_STARTED
    elif as_at > closes_on:
        state = WindowState.CLOSED
    elif left <= policy.window_closing_days:
        state = WindowState.CLOSING
    else:
        state = WindowState.OPEN
    return Window(opens_on, closes_on, state, left)


def notice_window(facts: NoticeFacts, as_at: date, policy: LocalPolicy = DEFAULT_POLICY) -> Window:
    """The notice's powers window on ``as_at`` (EIA 2006 ss63(3), 64(2))."""
    opens_on, closes_on = powers_window(facts.compliance_ends_on)
    return _window_state(opens_on, closes_on, as_at, policy)


def window_applies(power: Power, kind: NoticeKind) -> bool:
    """Whether the 2-month window limits ``power`` for a notice of ``kind``."""
    return kind in POWER_RULES[power].window_for


def warning_notice_clock(
    facts: NoticeFacts, as_at: date, policy: LocalPolicy = DEFAULT_POLICY
) -> CaseClock:
    """A warning notice as at ``as_at``.

    Deadlines: each required copy is due the day the notice is given (s60(6), (6A):
    "at the same time"); the decision on compliance is due when the compliance period
    ends; once the notice is not complied with, reasonable written notice of the
    proposed powers and their use fall due by the end of the powers window (they lapse
    rather than become overdue: the LA may choose not to intervene). Flags: a late
    copy to the Secretary of State, the window closing, a power used without telling
    the DfE, or used outside the window.
    """
    issued = facts.issued_on
    deadlines: list[Deadline] = []
    flags: list[Flag] = []
    events = [Event(issued, f"Warning notice given: {NOTICE_KIND_LABELS[facts.kind]}")]

    sent = {c.recipient: c.sent_on for c in facts.copies if c.sent_on <= as_at}
    for recipient in facts.required_copies:
        deadlines.append(
            deadline(
                f"copy-{recipient}",
                f"Send a copy to {in_sentence(RECIPIENT_LABELS[recipient])}",
                issued,
                as_at,
                met_on=sent.get(recipient),
                source="EIA 2006 s60(6), (6A) (DOMAIN.md 1.3 [V])",
            )
        )
    for recipient, sent_on in sent.items():
        events.append(Event(sent_on, f"Copy sent to {in_sentence(RECIPIENT_LABELS[recipient])}"))
        if sent_on > issued and recipient == Recipient.SECRETARY_OF_STATE:
            late = (sent_on - issued).days
            flags.append(
                Flag(
                    "late-copy",
                    f"The copy to the Secretary of State was sent {plural(late, 'day')} "
                    "after the notice; the law asks for it at the same time",
                    Severity.WARNING,
                )
            )

    rules = notice_rules(issued)
    reviewer = rules.representations_to.get(facts.kind) if rules else None
    representations = known(facts.representations_on, as_at)
    if representations is not None:
        events.append(Event(representations, f"Representations made to {reviewer or 'a reviewer'}"))

    outcome_on = known(facts.outcome_on, as_at)
    outcome = facts.outcome if outcome_on is not None else None
    deadlines.append(
        deadline(
            "outcome",
            "Decide whether the governing body complied",
            facts.compliance_ends_on,
            as_at,
            met_on=outcome_on,
            source="EIA 2006 s60(1)(b), (c)",
        )
    )
    if facts.compliance_ends_on <= as_at:
        events.append(Event(facts.compliance_ends_on, "Compliance period ended"))
    if outcome is not None and outcome_on is not None:
        events.append(Event(outcome_on, f"Outcome: {in_sentence(OUTCOME_LABELS[outcome])}"))

    window: Window | None = None
    eligible_on: date | None = None
    if outcome not in RESOLVING_OUTCOMES:
        window = notice_window(facts, as_at, policy)
        window_source = f"EIA 2006 s63(3), s64(2); {MONTHS_SOURCE}"
        notice_on = known(facts.reasonable_notice_on, as_at)
        powers = sorted(
            (p for p in facts.powers if p.used_on <= as_at), key=lambda p: (p.used_on, p.power)
        )
        if outcome == Outcome.NOT_COMPLIED:
            deadlines.append(
                deadline(
                    "reasonable-notice",
                    "Give reasonable written notice of the powers proposed",
                    window.closes_on,
                    as_at,
                    met_on=notice_on,
                    lapses=True,
                    source="EIA 2006 s60(1)(d)",
                )
            )
            deadlines.append(
                deadline(
                    "powers",
                    "Use intervention powers, if the LA will",
                    window.closes_on,
                    as_at,
                    met_on=powers[0].used_on if powers else None,
                    lapses=True,
                    source=window_source,
                )
            )
            if notice_on is not None:
                eligible_on = max(facts.compliance_ends_on + timedelta(days=1), notice_on)
                events.append(Event(notice_on, "Reasonable notice of powers given"))
                events.append(Event(eligible_on, "School eligible for intervention (s60(1))"))
        if window.state == WindowState.CLOSING and not powers:
            flags.append(
                Flag(
                    "window-closing",
                    f"The powers window closes in {plural(window.days_remaining, 'day')}",
                    Severity.WARNING,
                )
            )
        if window.state == WindowState.CLOSED and not powers and outcome is not None:
            flags.append(
                Flag(
                    "window-closed",
                    "The powers window closed with no power used",
                    Severity.INFO,
                )
            )
        for used in powers:
            events.append(Event(used.used_on, f"Power used: {POWER_LABELS[used.power]}"))
            notified = known(used.dfe_notified_on, as_at)
            if notified is None:
                flags.append(
                    Flag(
                        f"dfe-{used.power}",
                        f"Tell the DfE that the {used.power} power was used",
                        Severity.WARNING,
                    )
                )
            else:
                events.append(Event(notified, f"DfE told of the {used.power} power"))
            outside = used.used_on > window.closes_on or used.used_on < window.opens_on
            if outside and window_applies(used.power, facts.kind):
                flags.append(
                    Flag(
                        f"outside-{used.power}",
                        f"The {used.power} power was used outside the powers window",
                        Severity.WARNING,
                    )
                )

    is_open = outcome is None or (
        outcome == Outcome.NOT_COMPLIED
        and window is not None
        and window.state != WindowState.CLOSED
    )
    return case_clock(
        as_at, is_open, deadlines, flags, events, window=window, eligible_on=eligible_on
    )


@dataclass(frozen=True)
class PowerCheck:
    """What the law says about using a power on a date under a notice.

    ``problem`` stops the record (the Act forbids it); ``field`` says what it is about:
    ``"power"``, ``"used_on"``, or ``""`` for the case as a whole. ``warning`` is shown
    but lets the record through (a window DOMAIN.md only believes applies).
    """

    problem: str = ""
    field: str = ""
    warning: str = ""


def power_use_problems(facts: NoticeFacts, power: Power, used_on: date) -> PowerCheck:
    """Whether ``power`` may be recorded as used on ``used_on`` under this notice."""
    rule = POWER_RULES[power]
    if facts.kind not in rule.available_for:
        return PowerCheck(
            f"The {power} power is not available when a school is eligible only through a "
            "teachers' pay and conditions warning notice (EIA 2006 s63(1)).",
            "power",
        )
    if facts.outcome != Outcome.NOT_COMPLIED:
        return PowerCheck(
            "The school is not eligible for intervention under this notice: record that "
            "the governing body did not comply first."
        )
    if facts.reasonable_notice_on is None:
        return PowerCheck(
            "A power can be used only after reasonable written notice that the authority "
            "proposes to use it (EIA 2006 s60(1)(d)): record that notice first."
        )
    if used_on < facts.reasonable_notice_on:
        return PowerCheck(
            "A power can be used only after reasonable written notice that the authority "
            f"proposes to use it, given on {long_date(facts.reasonable_notice_on)} "
            "(EIA 2006 s60(1)(d)).",
            "used_on",
        )
    opens_on, closes_on = powers_window(facts.compliance_ends_on, rule.window_months)
    if used_on < opens_on:
        return PowerCheck(
            "A power can be used only after the compliance period has ended "
            f"({long_date(facts.compliance_ends_on)}).",
            "used_on",
        )
    if window_applies(power, facts.kind) and used_on > closes_on:
        text = (
            f"{long_date(used_on)} is after the powers window closed on {long_date(closes_on)}: "
            f"{rule.source.law} allows the {power} power only within "
            f"{rule.window_months} months after the compliance period."
        )
        if rule.window_verified:
            return PowerCheck(text, "used_on")
        return PowerCheck(
            warning=f"{text} DOMAIN.md is not sure this window applies; check before relying on it."
        )
    return PowerCheck()
