"""The words of intervention casework: kinds, grounds, outcomes, powers and their labels,
and which schools EIA 2006 Part 4 covers."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

# --- Vocabulary -------------------------------------------------------------------------


class NoticeKind(StrEnum):
    PERFORMANCE_STANDARDS_AND_SAFETY = "s60"
    PAY_AND_CONDITIONS = "s60a"


class Ground(StrEnum):
    """The grounds of a performance standards and safety warning notice, s60(2)(a)-(c)."""

    LOW_STANDARDS = "a"
    MANAGEMENT_OR_GOVERNANCE = "b"
    SAFETY = "c"


class Issuer(StrEnum):
    LOCAL_AUTHORITY = "la"
    SECRETARY_OF_STATE = "sos"


class Outcome(StrEnum):
    COMPLIED = "complied"
    NOT_COMPLIED = "not_complied"
    WITHDRAWN = "withdrawn"
    # s60(4B): a Secretary of State's notice ends any earlier LA notice.
    SUPERSEDED = "superseded"


class Recipient(StrEnum):
    HEAD_TEACHER = "head_teacher"
    DIOCESAN_AUTHORITY = "diocesan_authority"
    FOUNDATION_APPOINTER = "foundation_appointer"
    SECRETARY_OF_STATE = "secretary_of_state"


class Power(StrEnum):
    ARRANGEMENTS = "s63"
    ADDITIONAL_GOVERNORS = "s64"
    INTERIM_EXECUTIVE_BOARD = "s65"
    SUSPEND_BUDGET = "s66"


class EligibilityGround(StrEnum):
    """Why a school is eligible for intervention (s59(2)); an IEB rests on one of these."""

    WARNING_NOTICE = "s60"
    PAY_WARNING_NOTICE = "s60a"
    COASTING = "s60b"
    SIGNIFICANT_IMPROVEMENT = "s61"
    SPECIAL_MEASURES = "s62"


class ConsentDecision(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class ConcernStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


NOTICE_KIND_LABELS: Mapping[NoticeKind, str] = {
    NoticeKind.PERFORMANCE_STANDARDS_AND_SAFETY: "Performance standards and safety (s60)",
    NoticeKind.PAY_AND_CONDITIONS: "Teachers' pay and conditions (s60A)",
}
GROUND_LABELS: Mapping[Ground, str] = {
    Ground.LOW_STANDARDS: "(a) Pupils' standards of performance are unacceptably low",
    Ground.MANAGEMENT_OR_GOVERNANCE: "(b) Serious breakdown in management or governance",
    Ground.SAFETY: "(c) The safety of pupils or staff is threatened",
}
ISSUER_LABELS: Mapping[Issuer, str] = {
    Issuer.LOCAL_AUTHORITY: "The local authority",
    Issuer.SECRETARY_OF_STATE: "The Secretary of State (regional director)",
}
OUTCOME_LABELS: Mapping[Outcome, str] = {
    Outcome.COMPLIED: "Complied",
    Outcome.NOT_COMPLIED: "Not complied",
    Outcome.WITHDRAWN: "Withdrawn",
    Outcome.SUPERSEDED: "Superseded by a Secretary of State's notice",
}
RECIPIENT_LABELS: Mapping[Recipient, str] = {
    Recipient.HEAD_TEACHER: "The head teacher",
    Recipient.DIOCESAN_AUTHORITY: "The diocesan authority",
    Recipient.FOUNDATION_APPOINTER: "Whoever appoints the foundation governors",
    Recipient.SECRETARY_OF_STATE: "The Secretary of State",
}
POWER_LABELS: Mapping[Power, str] = {
    Power.ARRANGEMENTS: "Require the governing body to enter into arrangements (s63)",
    Power.ADDITIONAL_GOVERNORS: "Appoint additional governors (s64)",
    Power.INTERIM_EXECUTIVE_BOARD: "Interim executive board in place of the governing body (s65)",
    Power.SUSPEND_BUDGET: "Suspend the right to a delegated budget (s66)",
}
ELIGIBILITY_LABELS: Mapping[EligibilityGround, str] = {
    EligibilityGround.WARNING_NOTICE: "Warning notice not complied with (s60)",
    EligibilityGround.PAY_WARNING_NOTICE: "Pay warning notice not complied with (s60A)",
    EligibilityGround.COASTING: "Coasting, notified by the Secretary of State (s60B)",
    EligibilityGround.SIGNIFICANT_IMPROVEMENT: "Requires significant improvement (s61)",
    EligibilityGround.SPECIAL_MEASURES: "Requires special measures (s62)",
}
CONSENT_LABELS: Mapping[ConsentDecision, str] = {
    ConsentDecision.GRANTED: "Granted",
    ConsentDecision.REFUSED: "Refused",
}
CONCERN_STATUS_LABELS: Mapping[ConcernStatus, str] = {
    ConcernStatus.OPEN: "Open",
    ConcernStatus.RESOLVED: "Resolved",
    ConcernStatus.CLOSED: "Closed without resolution",
}


Choice = TypeVar("Choice", bound=StrEnum)


def choices(labels: Mapping[Choice, str]) -> list[tuple[str, str]]:
    """``(value, label)`` pairs for a model or form field, in the enum's order."""
    return [(str(value), label) for value, label in labels.items()]


# --- Which schools -------------------------------------------------------------------

# EIA 2006 s59(1): the schools Part 4 calls "maintained" (DOMAIN.md 1.2 [V]), as the
# register names their types. Pupil referral units are not in the list.
MAINTAINED_TYPES = frozenset(
    {
        "Community school",
        "Foundation school",
        "Voluntary aided school",
        "Voluntary controlled school",
        "Community special school",
        "Foundation special school",
        "Local authority nursery school",
    }
)
# Foundation and voluntary schools: their notices are copied to the diocese or to
# whoever appoints the foundation governors (s60(6), DOMAIN.md 1.3 [V]).
FOUNDATION_OR_VOLUNTARY_TYPES = frozenset(
    {"Foundation school", "Voluntary aided school", "Voluntary controlled school"}
)
# s60(6)(b) names the diocesan authority for Church of England and Roman Catholic
# schools; other foundation or voluntary schools get the foundation governors'
# appointer (the same split as s67(2) and s69(2), read on legislation.gov.uk).
DIOCESAN_CHARACTERS = ("church of england", "roman catholic", "catholic")


def is_maintained(type_name: str) -> bool:
    """Whether a register type is a maintained school in the sense of EIA 2006 s59(1)."""
    return type_name in MAINTAINED_TYPES


def required_copies(
    issuer: Issuer, type_name: str, religious_character: str
) -> tuple[Recipient, ...]:
    """Who must get a copy of a warning notice, at the same time as the governing body.

    The head teacher always; for a foundation or voluntary school the diocesan
    authority (Church of England and Roman Catholic schools) or whoever appoints the
    foundation governors; and, for a local authority's notice, the Secretary of State
    (s60(6), (6A); DOMAIN.md 1.3 [V]).
    """
    recipients = [Recipient.HEAD_TEACHER]
    if type_name in FOUNDATION_OR_VOLUNTARY_TYPES:
        character = religious_character.lower()
        if any(name in character for name in DIOCESAN_CHARACTERS):
            recipients.append(Recipient.DIOCESAN_AUTHORITY)
        else:
            recipients.append(Recipient.FOUNDATION_APPOINTER)
    if issuer == Issuer.LOCAL_AUTHORITY:
        recipients.append(Recipient.SECRETARY_OF_STATE)
    return tuple(recipients)
