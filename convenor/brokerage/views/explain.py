"""A stored proposal's explanation as the pages show it: why this provider (the cost
components and the fit, term by term) and the next best alternatives with why each lost.

The explanation is what :mod:`convenor.brokerage.matching` stored from the engine; costs
are points (lower is better) for a day of support and for the request's days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from convenor.brokerage.models import Expertise, Match, SupportProvider
from convenor.brokerage.views.common import labels

COMPONENTS = (
    ("distance", "Distance"),
    ("expertise", "Expertise fit"),
    ("track_record", "Track record"),
    ("price", "Price"),
    ("independence", "Independence"),
)
REASONS = {
    "dearer": "Costs more",
    "full": "No place left in the band",
    "tie": "Costs the same",
}
UNMATCHED_REASONS = {
    "no_candidate": "No provider fits",
    "capacity": "Every provider that fits has no place left in the band",
    "dearer": "Costs more to match than to leave",
    "no_phase": "Phase not known",
}


@dataclass(frozen=True)
class Part:
    label: str
    points: float


@dataclass(frozen=True)
class Costing:
    km: str
    parts: tuple[Part, ...]
    per_day: float
    total: float
    covers: str
    lacks: str


@dataclass(frozen=True)
class AlternativeView:
    name: str
    href: str
    reason: str
    detail: str
    costing: Costing
    more: float


@dataclass(frozen=True)
class ExplanationView:
    costing: Costing
    alternatives: tuple[AlternativeView, ...]


def _costing(cost: Mapping[str, Any], fit: Mapping[str, Any]) -> Costing:
    km = cost.get("km")
    return Costing(
        km="distance not known (a location is missing)" if km is None else f"{km:.1f} km away",
        parts=tuple(Part(label, float(cost.get(key, 0.0))) for key, label in COMPONENTS),
        per_day=float(cost.get("per_day", 0.0)),
        total=float(cost.get("total", 0.0)),
        covers=labels(fit.get("covers", []), Expertise),
        lacks=labels(fit.get("lacks", []), Expertise),
    )


_WORSE = {
    "distance": "further",
    "expertise": "weaker expertise fit",
    "track_record": "weaker track record",
    "price": "dearer per day",
    "independence": "inside the school's own trust or cluster",
}


def why_not(alt: Mapping[str, Any], chosen: Mapping[str, Any]) -> str:
    """Why an alternative lost, in points. The engine's own words for a dearer one count
    in its internal units, so that case is said again here from the components."""
    if alt.get("reason") != "dearer":
        return str(alt.get("detail", ""))
    cost, mine = alt.get("cost", {}), chosen.get("cost", {})
    more = float(cost.get("total", 0.0)) - float(mine.get("total", 0.0))
    parts = [
        f"{label} (+{float(cost.get(key, 0.0)) - float(mine.get(key, 0.0)):.2f})"
        for key, label in _WORSE.items()
        if float(cost.get(key, 0.0)) - float(mine.get(key, 0.0)) > 0.005
    ]
    return f"costs {more:.2f} points more for the request's days: " + ", ".join(
        parts or ["overall"]
    )


def reason_words(reason: str) -> str:
    """Why an alternative lost, in words; a reason no longer given (a run stored before
    capacity was places) reads as its own words."""
    return REASONS.get(reason) or reason.replace("_", " ").capitalize()


def alternative_ids(matches: Iterable[Match]) -> set[int]:
    return {
        int(alt["provider"])
        for m in matches
        for alt in (m.explanation or {}).get("alternatives", [])
        if "provider" in alt
    }


def explanation_view(
    match: Match, providers: Mapping[int, SupportProvider]
) -> ExplanationView | None:
    """The proposal's explanation, or None for a match the engine did not propose
    (one chosen instead of a proposal)."""
    found = match.explanation or {}
    if "cost" not in found:
        return None
    chosen = _costing(found["cost"], found)
    alternatives = []
    for alt in found.get("alternatives", []):
        provider = providers.get(int(alt["provider"]))
        costing = _costing(alt.get("cost", {}), alt)
        alternatives.append(
            AlternativeView(
                name=provider.name if provider else f"Provider {alt['provider']}",
                href=reverse("brokerage:provider", kwargs={"pk": alt["provider"]}),
                reason=reason_words(str(alt.get("reason", ""))),
                detail=why_not(alt, found),
                costing=costing,
                more=round(costing.total - chosen.total, 2),
            )
        )
    return ExplanationView(chosen, tuple(alternatives))
