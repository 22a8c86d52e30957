"""Framework content as plain values, and convenor's default frameworks.

:func:`~convenor.intelligence.categorisation.set_framework` takes these; the defaults
follow DOMAIN.md section 2 and are configurable, not statute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from convenor.analytics import categorisation as engine
from convenor.intelligence.models import CategoryColour, CategoryTrack


@dataclass(frozen=True)
class CategorySpec:
    """A category as :func:`set_framework` takes it; ``order`` 1 is the least concern."""

    order: int
    label: str
    visits_per_year: int
    eligible_for_brokered_support: bool
    colour: str = CategoryColour.GREY
    description: str = ""


@dataclass(frozen=True)
class RuleSpec:
    """A rule as :func:`set_framework` takes it: it proposes the category of order
    ``category``."""

    order: int
    category: int
    clauses: tuple[engine.Clause, ...]
    description: str
    match: str = engine.Match.ALL


@dataclass(frozen=True)
class FrameworkSpec:
    """A whole framework's content, as the defaults and the framework form give it."""

    name: str
    categories: tuple[CategorySpec, ...]
    rules: tuple[RuleSpec, ...]
    notes: str = ""


def _when(*conditions: str) -> tuple[engine.Clause, ...]:
    """Clauses written ``"last_grade >= 3"``: a name, an operator and a number."""
    clauses = []
    for condition in conditions:
        name, op, value = condition.split()
        clauses.append(engine.Clause(name, op, float(value)))
    return tuple(clauses)


_C = CategoryColour

#: The default for maintained schools: four categories in the style of the SAfE
#: partnership's (DOMAIN.md section 2). The visits a year, brokered support and the
#: thresholds are configurable defaults, not statute.
DEFAULT_MAINTAINED = FrameworkSpec(
    name="Categories of support (default)",
    notes=(
        "convenor's default, in the style of the SAfE categories (DOMAIN.md section 2). "
        "Visits a year, brokered support and every threshold are local choices to review, "
        "not statute."
    ),
    categories=(
        CategorySpec(
            1, "Light touch", 1, False, _C.GREEN, "Good or outstanding, no known concerns."
        ),
        CategorySpec(
            2,
            "Light touch+",
            2,
            False,
            _C.BLUE,
            "Good or outstanding, but capacity is limited (a new head, temporary staffing) "
            "or the risk of decline is rising.",
        ),
        CategorySpec(
            3,
            "Support and challenge",
            4,
            True,
            _C.ORANGE,
            "Requires improvement, or vulnerable to decline, or data shows serious risk.",
        ),
        CategorySpec(
            4,
            "Support and challenge+",
            6,
            True,
            _C.RED,
            "Inadequate, likely to be inadequate, or other serious concerns.",
        ),
    ),
    rules=(
        RuleSpec(1, 4, _when("last_grade >= 4"), "Inadequate at the latest inspection"),
        RuleSpec(2, 3, _when("last_grade = 3"), "Requires improvement at the latest inspection"),
        RuleSpec(
            3,
            3,
            _when("ks2_rwm_exp_vs_england <= -10", "ks2_rwm_exp_trend < 0"),
            "KS2 reading, writing and maths 10 or more points below England, and falling",
        ),
        RuleSpec(
            4,
            3,
            _when("ks4_a8_vs_england <= -5", "ks4_a8_trend < 0"),
            "KS4 Attainment 8 5 or more points below England, and falling",
        ),
        RuleSpec(5, 3, _when("model_rank_percentile <= 10"), "Early-warning risk in the top 10%"),
        RuleSpec(6, 2, _when("concern_escalated = 1"), "Soft intelligence escalated"),
        RuleSpec(7, 2, _when("model_rank_percentile <= 20"), "Early-warning risk in the top 20%"),
    ),
)

#: The default for academies: the simple two-way track LAs use for academies, over
#: which they have no intervention powers (DOMAIN.md 1.8, Staffordshire's scheme).
DEFAULT_ACADEMY = FrameworkSpec(
    name="Academies: cause for concern (default)",
    notes=(
        "convenor's default for academies (DOMAIN.md 1.8): a concern is raised with the "
        "trust and, if need be, the DfE regional director; the LA has no powers to intervene."
    ),
    categories=(
        CategorySpec(1, "No concern", 0, False, _C.GREEN, "No known concerns."),
        CategorySpec(
            2,
            "Cause for concern",
            0,
            False,
            _C.RED,
            "Raised with the trust and, if it is not resolved, the DfE regional director.",
        ),
    ),
    rules=(
        RuleSpec(1, 2, _when("last_grade >= 3"), "Below good at the latest inspection"),
        RuleSpec(2, 2, _when("concern_escalated = 1"), "Soft intelligence escalated"),
        RuleSpec(3, 2, _when("model_rank_percentile <= 10"), "Early-warning risk in the top 10%"),
    ),
)

DEFAULTS: Mapping[str, FrameworkSpec] = {
    CategoryTrack.MAINTAINED: DEFAULT_MAINTAINED,
    CategoryTrack.ACADEMY: DEFAULT_ACADEMY,
}
