"""The controlled lists brokerage shares: expertise (and areas of need), phases, bands
(with their default days a term).

Expertise and areas of need are one list, so a request's needs and a provider's
offer can be compared term for term. The list is closed (with "Other" left out on
purpose: a need nobody can match is a need the LA should name).
"""

from __future__ import annotations

from django.db import models


class Expertise(models.TextChoices):
    """Areas of expertise a provider offers, and areas of need a request names."""

    LEADERSHIP = "leadership", "Leadership"
    GOVERNANCE = "governance", "Governance"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SEND = "send", "SEND"
    EARLY_YEARS = "early_years", "Early years"
    PHONICS_READING = "phonics_reading", "Phonics and reading"
    KS2_MATHS = "ks2_maths", "KS2 maths"
    KS2_WRITING = "ks2_writing", "KS2 writing"
    KS4_ENGLISH = "ks4_english", "KS4 English"
    KS4_MATHS = "ks4_maths", "KS4 maths"
    KS4_SCIENCE = "ks4_science", "KS4 science"
    ATTENDANCE = "attendance", "Attendance"
    BEHAVIOUR = "behaviour", "Behaviour"
    CURRICULUM = "curriculum", "Curriculum"
    FINANCE = "finance", "Finance"
    ASSESSMENT = "assessment", "Assessment"
    DISADVANTAGED = "disadvantaged", "Disadvantaged pupils"


class SupportPhase(models.TextChoices):
    """The phases a provider works in, and a school's phase for matching."""

    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special"
    POST_16 = "post_16", "16 plus"
    ALTERNATIVE = "alternative", "Alternative provision"


# The register's (GIAS) phase names, read as a support phase.
_GIAS_PHASES = {
    "nursery": SupportPhase.NURSERY,
    "primary": SupportPhase.PRIMARY,
    "middle deemed primary": SupportPhase.PRIMARY,
    "secondary": SupportPhase.SECONDARY,
    "middle deemed secondary": SupportPhase.SECONDARY,
    "all-through": SupportPhase.ALL_THROUGH,
    "16 plus": SupportPhase.POST_16,
}


def phase_of(phase: str, type_group: str = "", type_name: str = "") -> str | None:
    """The support phase of a school from its register phase and type, or None.

    Special schools and pupil referral units mostly have the phase "Not applicable"
    in the register, so their type decides first.
    """
    kind = f"{type_group} {type_name}".lower()
    if "special" in kind:
        return SupportPhase.SPECIAL
    if "pupil referral" in kind or "alternative provision" in kind:
        return SupportPhase.ALTERNATIVE
    found = _GIAS_PHASES.get(phase.strip().lower())
    return None if found is None else str(found)


class Band(models.TextChoices):
    """How intensive a school's need is; it sets the plan's tariff (West Sussex bands)."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Days a term a request needs by default, by band: enough for a visit a week (high),
# a visit a fortnight (medium) or a few visits a term (low). The person raising it may
# say otherwise. A provider's capacity is places by band; these days are what its places
# stand for when the directory shows them as days, and what a term's limit is checked on.
DEFAULT_DAYS_PER_TERM: dict[str, int] = {Band.HIGH: 12, Band.MEDIUM: 6, Band.LOW: 3}


def choice_problems(values: object, choices: type[models.TextChoices], what: str) -> list[str]:
    """Messages for a list of choices: not a list, empty, repeated or not in the list."""
    if not isinstance(values, list | tuple) or not values:
        return [f"Choose at least one {what}."]
    unknown = [str(v) for v in values if v not in choices.values]
    problems = []
    if unknown:
        problems.append(f"Choose {what} from the list; not known: {', '.join(unknown)}.")
    if len(set(values)) != len(values):
        problems.append(f"Give each {what} once.")
    return problems
