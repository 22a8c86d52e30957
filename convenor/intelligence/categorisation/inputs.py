"""The inputs a categorisation rule may read, and their labels (ADR 0008).

The early-warning features of :mod:`convenor.intelligence.asat` come first, then soft
intelligence (counted over every live entry, restricted ones included) and the
early-warning model's risk from a score run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

SOFT_INPUTS: tuple[str, ...] = ("soft_intelligence_count", "concern_escalated")
MODEL_INPUTS: tuple[str, ...] = ("model_probability", "model_rank_percentile")

# Plain words for the inputs a rule may read. A feature the early-warning code adds
# later without a label here is still offered, under its own name.
INPUT_LABELS: Mapping[str, str] = {
    "last_grade": "Latest Ofsted grade (1 outstanding, 2 good, 3 requires improvement, "
    "4 inadequate)",
    "previous_grade": "Previous Ofsted grade",
    "grade_change": "Change in Ofsted grade since the previous inspection (above 0 is worse)",
    "days_since_inspection": "Days since the latest inspection",
    "last_framework": "Inspection framework of the latest inspection (number)",
    "ks2_rwm_exp": "KS2: % meeting the expected standard in reading, writing and maths",
    "ks2_rwm_exp_vs_england": "KS2: RWM expected standard, points above or below England",
    "ks2_rwm_exp_vs_la": "KS2: RWM expected standard, points above or below the LA",
    "ks2_rwm_exp_trend": "KS2: trend of the gap to England (points a year; below 0 is falling)",
    "ks2_read_progress": "KS2: reading progress score",
    "ks2_writ_progress": "KS2: writing progress score",
    "ks2_mat_progress": "KS2: maths progress score",
    "ks4_p8": "KS4: Progress 8",
    "ks4_a8": "KS4: Attainment 8",
    "ks4_a8_vs_england": "KS4: Attainment 8, points above or below England",
    "ks4_a8_vs_la": "KS4: Attainment 8, points above or below the LA",
    "ks4_a8_trend": "KS4: trend of the Attainment 8 gap to England (points a year)",
    "absence_overall": "Overall absence (% of sessions)",
    "absence_persistent": "Persistent absence (% of pupils)",
    "exclusion_fixed_rate": "Suspensions per 100 pupils",
    "exclusion_perm_rate": "Permanent exclusions per 100 pupils",
    "pupils": "Pupils on roll",
    "pupils_change": "Change in pupils on roll (% a year)",
    "fsm_pct": "Pupils eligible for free school meals (%)",
    "sen_pct": "Pupils with SEN (%)",
    "eal_pct": "Pupils with English as an additional language (%)",
    "first_preference_ratio": "First preferences per place offered",
    "first_preference_trend": "Trend of first preferences per place (a year)",
    "is_academy": "Academy or free school (1 yes, 0 no)",
    "in_trust": "In a multi-academy trust (1 yes, 0 no)",
    "trust_schools": "Schools in its trust",
    "is_primary": "Primary (1 yes, 0 no)",
    "is_secondary": "Secondary (1 yes, 0 no)",
    "is_special": "Special school (1 yes, 0 no)",
    "soft_intelligence_count": "Soft intelligence: live entries in the escalation window",
    "concern_escalated": "Soft intelligence: escalation rule fires (1 yes, 0 no)",
    "model_probability": "Early-warning model: chance the next inspection is below good (0 to 1)",
    "model_rank_percentile": "Early-warning model: rank as a percentile (top 10% is 10 or less)",
}


@dataclass(frozen=True)
class InputSpec:
    """An input a rule may read: its name, its label, and where it comes from
    (``"data"``, ``"soft"`` for soft intelligence, ``"model"``)."""

    name: str
    label: str
    source: str


@cache
def input_specs() -> dict[str, InputSpec]:
    """Every input a rule may read, in the order forms offer them.

    The early-warning features come first; importing them loads the model's
    libraries, so it happens on first use rather than when the URLs load.
    """
    from convenor.intelligence.asat import FEATURES

    specs: dict[str, InputSpec] = {}
    for name in (*FEATURES, *SOFT_INPUTS, *MODEL_INPUTS):
        source = "soft" if name in SOFT_INPUTS else "model" if name in MODEL_INPUTS else "data"
        specs[name] = InputSpec(name, INPUT_LABELS.get(name, name), source)
    return specs


def input_label(name: str) -> str:
    """An input's label, or its name when it has none (an input since removed)."""
    spec = input_specs().get(name)
    return spec.label if spec else name
