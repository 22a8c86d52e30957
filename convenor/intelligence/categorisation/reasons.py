"""The reasons of a proposal: as a decision keeps them, and as one reader may see them.

Reasons drawn from soft intelligence are shown only to readers of restricted entries
(ADR 0006, ADR 0008), and showing them is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from convenor.analytics import categorisation as engine
from convenor.core.services import Actor, record_audit
from convenor.intelligence.categorisation.inputs import (
    MODEL_INPUTS,
    SOFT_INPUTS,
    input_label,
    input_specs,
)
from convenor.intelligence.services import VIEWED

if TYPE_CHECKING:
    from convenor.intelligence.categorisation.proposals import SchoolProposal


def _is_soft(names: Iterable[str]) -> bool:
    return any(name in SOFT_INPUTS for name in names)


def set_aside(proposed: SchoolProposal) -> set[str]:
    """Unknown inputs not worth listing for this school: results of a key stage the
    school does not teach (KS4 for a primary school, KS2 for a secondary school), and
    model risk when no score run was given (the model note says so once)."""
    inputs = proposed.inputs
    primary, secondary = inputs.value("is_primary"), inputs.value("is_secondary")
    aside: set[str] = set()
    names = input_specs()
    if primary == 1 and secondary == 0:
        aside |= {name for name in names if name.startswith("ks4_")}
    if secondary == 1 and primary == 0:
        aside |= {name for name in names if name.startswith("ks2_")}
    if not proposed.model_known:
        aside |= set(MODEL_INPUTS)
    return aside


def reasons_json(proposed: SchoolProposal) -> dict[str, Any]:
    """The reasons of a proposal, as a decision keeps them: every rule that fired with
    each clause's input, the school's value and the threshold; the inputs not known;
    the rules that might have proposed more had an input been known."""
    proposal = proposed.proposal
    if proposal is None or proposed.framework is None:
        return {}
    by_key = {str(c.pk): c for c in proposed.framework.categories.all()}
    aside = set_aside(proposed)
    return {
        "framework": proposed.framework.pk,
        "category": proposal.category.label,
        "default": proposal.by_default,
        "fired": [
            {
                "rule": int(f.rule.key),
                "description": f.description,
                "category": by_key[f.category.key].label,
                "match": str(f.rule.match),
                "soft": _is_soft(f.rule.inputs),
                "clauses": [
                    {
                        "input": c.clause.input,
                        "op": c.clause.op,
                        "value": c.clause.value,
                        "actual": c.actual,
                        "holds": c.holds,
                    }
                    for c in f.clauses
                ],
            }
            for f in proposal.fired
        ],
        "unknown": [name for name in proposal.unknown if name not in aside],
        "undecided": [
            {
                "rule": int(r.key),
                "description": r.description or r.describe(),
                "category": by_key[r.category].label,
                "soft": _is_soft(r.inputs),
            }
            for r in proposal.undecided
            if any(proposed.inputs.value(n) is None and n not in aside for n in r.inputs)
        ],
        "soft_intelligence_count": proposed.inputs.value("soft_intelligence_count"),
        "model": proposed.model_note,
        "score_run": proposed.score_run,
    }


@dataclass(frozen=True)
class ReasonLine:
    """One fired rule as a page shows it."""

    description: str
    category: str
    clauses: tuple[str, ...]
    soft: bool


@dataclass(frozen=True)
class ShownReasons:
    """The reasons one reader may see: soft intelligence ones only for readers of it."""

    lines: tuple[ReasonLine, ...]
    withheld: int
    unknown: tuple[str, ...]
    undecided: tuple[str, ...]
    by_default: bool
    model: str
    soft_shown: bool = False


def _clause_words(clause: Mapping[str, Any]) -> str:
    name = str(clause.get("input", ""))
    op = engine.OPERATOR_SYMBOLS.get(str(clause.get("op")), str(clause.get("op")))
    threshold = engine.format_number(engine.known(clause.get("value")))
    actual = engine.known(clause.get("actual"))
    shown = "not known" if actual is None else engine.format_number(actual)
    return f"{input_label(name)}: {shown} (rule: {op} {threshold})"


def shown_reasons(reasons: Mapping[str, Any], *, reads_soft: bool) -> ShownReasons:
    """``reasons`` (as :func:`reasons_json` made them) for one reader.

    Without ``reads_soft``, a rule that reads soft intelligence is left out and
    counted in ``withheld``: its description and values would tell the reader what the
    LA has heard (ADR 0006, ADR 0008).
    """
    lines = []
    withheld = 0
    for fired in reasons.get("fired", ()):
        if fired.get("soft") and not reads_soft:
            withheld += 1
            continue
        clauses = [_clause_words(c) for c in fired.get("clauses", ())]
        read = {c.get("input") for c in fired.get("clauses", ())}
        count = reasons.get("soft_intelligence_count")
        if fired.get("soft") and "soft_intelligence_count" not in read and count is not None:
            # An escalation says more with the number of entries behind it.
            number = engine.format_number(engine.known(count))
            clauses.append(f"{input_label('soft_intelligence_count')}: {number}")
        lines.append(
            ReasonLine(
                description=str(fired.get("description", "")),
                category=str(fired.get("category", "")),
                clauses=tuple(clauses),
                soft=bool(fired.get("soft")),
            )
        )
    undecided = tuple(
        f"{u.get('description', '')} ({u.get('category', '')})"
        for u in reasons.get("undecided", ())
        if reads_soft or not u.get("soft")
    )
    return ShownReasons(
        lines=tuple(lines),
        withheld=withheld,
        unknown=tuple(input_label(str(n)) for n in reasons.get("unknown", ())),
        undecided=undecided,
        by_default=bool(reasons.get("default")),
        model=str(reasons.get("model", "")),
        soft_shown=any(line.soft for line in lines),
    )


def audit_soft_reasons_shown(actor: Actor, urn: int, entries: int | None) -> None:
    """A ``soft_intelligence.viewed`` event (ADR 0006) for reasons drawn from soft
    intelligence shown on the category pages: the number counted, never what they say."""
    record_audit(
        VIEWED,
        actor=actor,
        object_type="school",
        object_id=urn,
        urn=urn,
        entries=int(entries or 0),
        via="category review",
    )
