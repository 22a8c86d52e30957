"""Synthetic schools whose risk depends on known features, for testing the model.

Generated with numpy from a seed; nothing here is real data. The true chance
that a school's next inspection is below good is a logistic function in which
``absence_persistent`` dominates, ``last_grade`` and results matter less, and
``noise_a`` and ``noise_b`` do not matter at all. Which schools are inspected
is random, or with ``selective`` depends on the last grade and ``noise_a``.
Results are ``None`` where a phase has none (KS2 for secondaries, KS4 for
primaries) and some values are missing at random, as in the real data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np

from convenor.analytics.early_warning import Fold, SchoolFeatures, TrainingSet

DRIVER = "absence_persistent"
#: Drives the chance of inspection in selective outcomes, and nothing else.
SELECTOR = "noise_a"


def true_risk(values: Mapping[str, float | None]) -> float:
    """The chance, by construction, that this school's next inspection is below good."""
    logit = -2.0 + 0.6 * ((values[DRIVER] or 10.0) - 10.0)
    if values["last_grade"] is not None:
        logit += 0.4 * (values["last_grade"] - 2)
    if values["ks2_rwm_exp"] is not None:
        logit -= 3.0 * (values["ks2_rwm_exp"] - 0.65)
    if values["ks4_p8"] is not None:
        logit -= 0.8 * values["ks4_p8"]
    return float(1 / (1 + np.exp(-logit)))


def make_schools(
    n: int, *, seed: int, first_urn: int = 100_000, missing: float = 0.05
) -> tuple[list[SchoolFeatures], np.ndarray]:
    """``n`` schools with URNs from ``first_urn``, and each one's true risk."""
    rng = np.random.default_rng(seed)
    schools = []
    risks = []
    for i in range(n):
        primary = bool(rng.random() < 0.8)
        values: dict[str, float | None] = {
            "is_primary": float(primary),
            "is_secondary": float(not primary),
            "last_grade": float(rng.choice([1, 2, 3, 4], p=[0.2, 0.6, 0.15, 0.05])),
            "days_since_inspection": float(rng.integers(100, 3000)),
            DRIVER: float(max(0.0, rng.normal(10, 4))),
            "ks2_rwm_exp": float(np.clip(rng.normal(0.65, 0.12), 0, 1)) if primary else None,
            "ks4_p8": float(rng.normal(0, 0.5)) if not primary else None,
            "fsm_pct": float(np.clip(rng.normal(15, 8), 0, 100)),
            "noise_a": float(rng.normal()),
            "noise_b": float(rng.normal()),
        }
        for name in ("last_grade", "ks2_rwm_exp", "ks4_p8", "fsm_pct"):
            if rng.random() < missing:
                values[name] = None
        risks.append(true_risk(values))
        schools.append(SchoolFeatures(urn=first_urn + i, values=values))
    return schools, np.array(risks)


def inspection_chance(values: Mapping[str, float | None]) -> float:
    """The chance, by construction, of a graded inspection when selection is selective.

    Schools judged below good last time are nearly always inspected, outstanding
    ones rarely, and ``SELECTOR`` (which has no bearing on the outcome) raises
    the chance strongly: about 30% of schools are inspected overall.
    """
    logit = -1.6 + 1.5 * ((values["last_grade"] or 2.0) - 2) + 1.5 * (values[SELECTOR] or 0.0)
    return float(1 / (1 + np.exp(-logit)))


def make_outcomes(
    schools: list[SchoolFeatures],
    risks: np.ndarray,
    *,
    seed: int,
    inspected: float = 0.3,
    selective: bool = False,
) -> dict[int, bool]:
    """Outcomes for some schools, drawn from their true risk.

    The inspected schools are a random ``inspected`` share, or with
    ``selective`` drawn by :func:`inspection_chance`.
    """
    rng = np.random.default_rng(seed)
    chance = np.array([inspection_chance(s.values) for s in schools]) if selective else inspected
    chosen = rng.random(len(schools)) < chance
    below = rng.random(len(schools)) < risks
    return {s.urn: bool(below[i]) for i, s in enumerate(schools) if chosen[i]}


def make_training_set(
    n: int, *, seed: int, as_at: date, inspected: float = 0.3, selective: bool = False
) -> TrainingSet:
    """A training set of ``n`` schools, about ``inspected`` of them with an outcome
    (chosen by :func:`inspection_chance` with ``selective``)."""
    schools, risks = make_schools(n, seed=seed)
    return TrainingSet(
        as_at=as_at,
        schools=schools,
        below_good=make_outcomes(
            schools, risks, seed=seed + 1, inspected=inspected, selective=selective
        ),
    )


def make_fold(
    n: int, *, seed: int, as_at: date, training: list[TrainingSet], selective: bool = False
) -> Fold:
    """A test fold of ``n`` open schools, about 30% of them inspected in the window."""
    schools, risks = make_schools(n, seed=seed)
    return Fold(
        as_at=as_at,
        training=training,
        schools=schools,
        outcomes=make_outcomes(schools, risks, seed=seed + 1, selective=selective),
    )
