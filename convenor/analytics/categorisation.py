"""Categorisation: propose a category for each school from rules over named inputs.

An LA's categorisation framework (DOMAIN.md section 2: "categories of support") is a
list of categories, from least to most concern, and rules. Each rule proposes one
category when its condition holds. A condition is a list of clauses, each comparing one
named input with a number (``last_grade >= 3``), combined with "all" or "any". The
proposal for a school is the most serious category whose rule fires; when no rule
fires, it is the framework's least serious category, its default.

Conditions are data, never code: an input name, an operator from :data:`OPERATORS`
and a number. Nothing is evaluated as Python.

**Unknown inputs.** An input that is missing, ``None`` or not a number (NaN) is not
known. A clause over an unknown input never holds, whatever its operator (``!=``
included), so a missing figure can never make a school look worse; the proposal lists
the unknown inputs the rules asked about, and the rules that might have proposed a more
serious category had they been known (:attr:`Proposal.undecided`).

The Django side (:mod:`convenor.intelligence.categorisation`) gathers the inputs (the
early-warning features of :mod:`convenor.intelligence.asat`, soft intelligence counts,
model risk) and stores frameworks and decisions. Nothing here touches a database.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

#: The comparisons a clause may make, by the symbol stored in the clause.
OPERATORS: Final[Mapping[str, Callable[[float, float], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}

#: How each operator reads in a sentence ("last grade is at least 3").
OPERATOR_WORDS: Final[Mapping[str, str]] = {
    "<": "is less than",
    "<=": "is at most",
    "=": "is",
    "!=": "is not",
    ">=": "is at least",
    ">": "is more than",
}

#: How each operator is printed in a compact condition ("last_grade ≥ 3").
OPERATOR_SYMBOLS: Final[Mapping[str, str]] = {
    "<": "<",
    "<=": "≤",
    "=": "=",
    "!=": "≠",
    ">=": "≥",
    ">": ">",
}


class Match(StrEnum):
    """How a rule combines its clauses."""

    ALL = "all"
    ANY = "any"


Value = float | None


def known(value: object) -> float | None:
    """``value`` as a number, or None when it is not known (None, NaN, not a number).

    Booleans read as 1 and 0, as the early-warning features store them.
    """
    if value is None or isinstance(value, str):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def format_number(value: float | None) -> str:
    """A number as reasons show it: whole numbers without a decimal point, others to two
    places; ``"not known"`` for None."""
    if value is None:
        return "not known"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


# --- Frameworks -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clause:
    """One comparison: ``input op value`` (``last_grade >= 3``)."""

    input: str
    op: str
    value: float

    def holds(self, actual: float | None) -> bool | None:
        """Whether the clause holds for ``actual``; None when ``actual`` is not known."""
        if actual is None:
            return None
        return OPERATORS[self.op](actual, self.value)

    def describe(self) -> str:
        """Compact, e.g. ``"last_grade ≥ 3"``."""
        return f"{self.input} {OPERATOR_SYMBOLS[self.op]} {format_number(self.value)}"


@dataclass(frozen=True, slots=True)
class Rule:
    """Proposes ``category`` (a :attr:`Category.key`) when its clauses hold.

    ``key`` identifies the rule within its framework (the database id on the Django
    side); ``description`` says in plain words why the rule exists.
    """

    key: str
    category: str
    clauses: tuple[Clause, ...]
    match: Match = Match.ALL
    description: str = ""

    @property
    def inputs(self) -> tuple[str, ...]:
        """The input names the rule reads, in clause order, each once."""
        return tuple(dict.fromkeys(clause.input for clause in self.clauses))

    def describe(self) -> str:
        """The condition, e.g. ``"last_grade ≥ 3 and ks2_rwm_exp_trend < 0"``."""
        joiner = " and " if self.match == Match.ALL else " or "
        return joiner.join(clause.describe() for clause in self.clauses)


@dataclass(frozen=True, slots=True)
class Category:
    """One category; a higher ``severity`` is more concern."""

    key: str
    label: str
    severity: int


@dataclass(frozen=True)
class Framework:
    """Categories (any order; ranked by severity) and the rules that propose them."""

    categories: tuple[Category, ...]
    rules: tuple[Rule, ...]

    def category(self, key: str) -> Category:
        """The category with ``key``; ``KeyError`` when there is none."""
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(key)

    @property
    def default(self) -> Category:
        """The least serious category: what a school gets when no rule fires."""
        if not self.categories:
            raise ValueError("a framework needs at least one category")
        return min(self.categories, key=lambda c: (c.severity, c.key))


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a framework: where (``"rule 2, clause 1"``) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def check_framework(framework: Framework, inputs: Collection[str] | None = None) -> list[Problem]:
    """Every problem with ``framework``, as sentences; an empty list means it can be used.

    A framework needs at least two categories with distinct keys, labels and
    severities; each rule must propose one of them and have at least one clause;
    each clause must use a known operator, a finite number and (when ``inputs`` is
    given) one of ``inputs``.
    """
    problems: list[Problem] = []
    categories = framework.categories
    if len(categories) < 2:
        problems.append(Problem("", "A framework needs at least two categories."))
    for attribute, words in (("key", "key"), ("label", "name"), ("severity", "order")):
        values = [getattr(c, attribute) for c in categories]
        repeated = sorted({str(v) for v in values if values.count(v) > 1})
        if repeated:
            problems.append(
                Problem(
                    "", f"Each category needs its own {words}; repeated: {', '.join(repeated)}."
                )
            )
    if any(not c.label.strip() for c in categories):
        problems.append(Problem("", "Every category needs a name."))
    keys = {c.key for c in categories}
    for n, rule in enumerate(framework.rules, start=1):
        where = f"Rule {n}"
        if rule.category not in keys:
            problems.append(Problem(where, "it proposes a category the framework does not have."))
        if rule.match not in tuple(Match):
            problems.append(Problem(where, f"“{rule.match}” is neither “all” nor “any”."))
        if not rule.clauses:
            problems.append(Problem(where, "it needs at least one condition."))
        for m, clause in enumerate(rule.clauses, start=1):
            at = f"{where}, condition {m}"
            if clause.op not in OPERATORS:
                problems.append(Problem(at, f"“{clause.op}” is not a comparison."))
            number = known(clause.value)
            if number is None or math.isinf(number):
                problems.append(Problem(at, "the value must be a number."))
            if inputs is not None and clause.input not in inputs:
                problems.append(Problem(at, f"there is no input called “{clause.input}”."))
    return problems


# --- Proposals --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolInputs:
    """One school's inputs: a name maps to a number, or None when not known.

    A name left out counts the same as None.
    """

    urn: int
    values: Mapping[str, object]

    def value(self, name: str) -> float | None:
        return known(self.values.get(name))


@dataclass(frozen=True, slots=True)
class ClauseResult:
    """A clause as it came out for one school: the school's value and whether it held
    (None: the value is not known)."""

    clause: Clause
    actual: float | None
    holds: bool | None

    def describe(self) -> str:
        """E.g. ``"last_grade = 4 (rule: ≥ 3)"`` or ``"ks4_p8 not known (rule: ≤ -0.5)"``."""
        symbol = OPERATOR_SYMBOLS[self.clause.op]
        rule = f"(rule: {symbol} {format_number(self.clause.value)})"
        if self.actual is None:
            return f"{self.clause.input} not known {rule}"
        return f"{self.clause.input} = {format_number(self.actual)} {rule}"


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule for one school: whether it fired, and each clause's outcome."""

    rule: Rule
    fired: bool
    clauses: tuple[ClauseResult, ...]

    @property
    def unknown(self) -> tuple[str, ...]:
        """The inputs of this rule that are not known for the school."""
        return tuple(dict.fromkeys(c.clause.input for c in self.clauses if c.holds is None))

    @property
    def could_fire(self) -> bool:
        """Not fired, but would have with some values of its unknown inputs."""
        if self.fired or not self.unknown:
            return False
        outcomes = [c.holds for c in self.clauses]
        if self.rule.match == Match.ALL:
            return False not in outcomes
        return True not in outcomes


def evaluate_rule(rule: Rule, school: SchoolInputs) -> RuleResult:
    """Whether ``rule`` fires for ``school``.

    "all" fires when every clause holds; "any" when at least one does. A clause over
    an unknown input never holds, and a rule with no clauses never fires.
    """
    results: list[ClauseResult] = []
    for clause in rule.clauses:
        actual = school.value(clause.input)
        results.append(ClauseResult(clause, actual, clause.holds(actual)))
    outcomes = [r.holds for r in results]
    if not results:
        fired = False
    elif rule.match == Match.ALL:
        fired = all(outcome is True for outcome in outcomes)
    else:
        fired = any(outcome is True for outcome in outcomes)
    return RuleResult(rule, fired, tuple(results))


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that fired for a school, with the school's value of each input it read."""

    rule: Rule
    category: Category
    clauses: tuple[ClauseResult, ...]

    @property
    def description(self) -> str:
        return self.rule.description or self.rule.describe()

    @property
    def inputs(self) -> tuple[tuple[str, float | None], ...]:
        """(input, the school's value) for each input the rule read, in clause order."""
        seen: dict[str, float | None] = {}
        for result in self.clauses:
            seen.setdefault(result.clause.input, result.actual)
        return tuple(seen.items())


@dataclass(frozen=True, slots=True)
class Proposal:
    """The category proposed for one school, and why.

    ``fired`` lists every rule that fired (in the framework's rule order), not only
    those proposing the winning category. ``unknown`` names the inputs the rules read
    that are not known for this school. ``undecided`` lists the rules proposing a more
    serious category than ``category`` that did not fire only because an input is not
    known: knowing it could change the proposal.
    """

    urn: int
    category: Category
    fired: tuple[FiredRule, ...]
    unknown: tuple[str, ...]
    undecided: tuple[Rule, ...] = ()

    @property
    def by_default(self) -> bool:
        """No rule fired: the proposal is the framework's default category."""
        return not self.fired

    @property
    def deciding(self) -> tuple[FiredRule, ...]:
        """The fired rules that propose the winning category."""
        return tuple(f for f in self.fired if f.category.key == self.category.key)


def propose(framework: Framework, school: SchoolInputs) -> Proposal:
    """The most serious category whose rule fires for ``school``, with the reasons.

    With no rule firing, the framework's default (least serious) category. Rules
    naming a category the framework lacks are skipped (:func:`check_framework`
    reports them). Deterministic: the category does not depend on the order of
    the rules or categories.
    """
    by_key = {category.key: category for category in framework.categories}
    fired: list[FiredRule] = []
    unknown: dict[str, None] = {}
    pending: list[tuple[Rule, Category]] = []
    for rule in framework.rules:
        category = by_key.get(rule.category)
        if category is None:
            continue
        result = evaluate_rule(rule, school)
        unknown.update(dict.fromkeys(result.unknown))
        if result.fired:
            fired.append(FiredRule(rule, category, result.clauses))
        elif result.could_fire:
            pending.append((rule, category))
    if fired:
        winner = max((f.category for f in fired), key=lambda c: (c.severity, c.key))
    else:
        winner = framework.default
    undecided = tuple(rule for rule, c in pending if c.severity > winner.severity)
    return Proposal(school.urn, winner, tuple(fired), tuple(unknown), undecided)


def propose_all(framework: Framework, schools: Iterable[SchoolInputs]) -> list[Proposal]:
    """:func:`propose` for each school, in the order given."""
    return [propose(framework, school) for school in schools]
