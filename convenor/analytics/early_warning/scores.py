"""What the early-warning model gives each school: a :class:`Score` and its :class:`Reason` list.

Plain records, importable without scikit-learn, so that code which only reads
stored scores (:mod:`convenor.intelligence.scores`, the pages) does not load
the learner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Reasons with a smaller effect than this are not shown: they would print as "+0.00".
MIN_REASON_EFFECT: Final = 0.005
#: How many reasons each score carries at most.
MAX_REASONS: Final = 3


@dataclass(frozen=True, slots=True)
class Reason:
    """One feature that raises a school's score, and by how much.

    ``effect`` is the school's probability (:attr:`Score.probability`) minus
    its probability with this feature set to the typical (training median)
    value: +0.12 means the feature adds 12 percentage points.
    """

    feature: str
    value: float | None
    effect: float

    def describe(self) -> str:
        """Short plain English, e.g. ``"last_grade = 3 (+0.12)"``."""
        return f"{self.feature} = {_format_value(self.value)} ({self.effect:+.2f})"


@dataclass(frozen=True, slots=True)
class Score:
    """A school's calibrated risk and its place in the ranking.

    ``probability`` is the estimated chance that the school has a graded
    inspection in the year after the date *and* is judged below good at it:
    ``inspection`` (the chance of a graded inspection) times ``if_inspected``
    (the chance it is below good if there is one). ``rank`` 1 is the highest
    ``probability``; equal ones are ranked by lower URN first. ``reasons``
    holds up to three features that raise ``probability`` most, largest first
    (empty when explanations were not asked for or nothing raises it
    noticeably). ``inspection`` and ``if_inspected`` are None only in scores
    built by hand.
    """

    urn: int
    probability: float
    rank: int
    reasons: tuple[Reason, ...]
    if_inspected: float | None = None
    inspection: float | None = None


def _format_value(value: float | None) -> str:
    if value is None:
        return "unknown"
    if float(value).is_integer():
        return str(int(value))
    if abs(value) >= 1000:
        return f"{value:.0f}"
    return f"{value:.3g}"
