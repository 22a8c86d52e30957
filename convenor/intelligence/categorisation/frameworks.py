"""Stored frameworks: reading the version in force, making a new one, the defaults.

Versions are never edited; :func:`set_framework` adds one (administrators only) and
writes its audit event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from convenor.analytics import categorisation as engine
from convenor.analytics.concern import day_words
from convenor.core.models import Role
from convenor.core.permissions import active_roles
from convenor.core.services import Actor, actor_fields, record_audit
from convenor.intelligence.categorisation.inputs import input_specs
from convenor.intelligence.categorisation.specs import (
    DEFAULTS,
    CategorySpec,
    FrameworkSpec,
    RuleSpec,
)
from convenor.intelligence.models import (
    Category,
    CategoryColour,
    CategoryDecision,
    CategoryFramework,
    CategoryRule,
    CategoryTrack,
)
from convenor.schools.models import LocalAuthority


def spec_of(framework: CategoryFramework) -> FrameworkSpec:
    """A stored framework's content, to start a new version from."""
    categories = list(framework.categories.all())
    order_of = {c.pk: c.order for c in categories}
    return FrameworkSpec(
        name=framework.name,
        notes=framework.notes,
        categories=tuple(
            CategorySpec(
                c.order,
                c.label,
                c.visits_per_year,
                c.eligible_for_brokered_support,
                c.colour,
                c.description,
            )
            for c in categories
        ),
        rules=tuple(
            RuleSpec(
                r.order,
                order_of[r.category_id],
                tuple(stored_clauses(r.clauses)),
                r.description,
                r.match,
            )
            for r in framework.rules.all()
        ),
    )


def stored_clauses(clauses: Any) -> list[engine.Clause]:
    """A rule's stored clauses (JSON) as the engine's; a value that is not a number reads 0
    (the service never stores one)."""
    found = []
    for clause in clauses or ():
        value = engine.known(clause.get("value"))
        found.append(
            engine.Clause(str(clause.get("input", "")), str(clause.get("op", "")), value or 0.0)
        )
    return found


def engine_framework(framework: CategoryFramework) -> engine.Framework:
    """The stored framework as the rule engine reads it: categories and rules keyed by
    their database ids. Prefetch ``categories`` and ``rules`` first."""
    return engine.Framework(
        categories=tuple(
            engine.Category(str(c.pk), c.label, c.order) for c in framework.categories.all()
        ),
        rules=tuple(
            engine.Rule(
                key=str(r.pk),
                category=str(r.category_id),
                clauses=tuple(stored_clauses(r.clauses)),
                match=engine.Match(r.match),
                description=r.description,
            )
            for r in framework.rules.all()
        ),
    )


# --- Frameworks in force ---------------------------------------------------------------


def _with_content(frameworks: QuerySet[CategoryFramework]) -> QuerySet[CategoryFramework]:
    return frameworks.prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("order")),
        Prefetch("rules", queryset=CategoryRule.objects.order_by("order")),
    )


def frameworks_in_force(la_code: int, on: date) -> dict[str, CategoryFramework]:
    """The LA's framework in force on ``on`` for each track (the latest version whose
    ``effective_from`` is on or before it), with its categories and rules; a track
    with none is left out. Four queries."""
    latest: dict[str, int] = {}
    versions = (
        CategoryFramework.objects.filter(la_code=la_code, effective_from__lte=on)
        .order_by("track", "-effective_from", "-pk")
        .values_list("track", "pk")
    )
    for track, pk in versions:
        latest.setdefault(track, pk)
    in_force = _with_content(CategoryFramework.objects.filter(pk__in=latest.values()))
    return {framework.track: framework for framework in in_force}


def frameworks_for_page(la_codes: Iterable[int] | None) -> QuerySet[CategoryFramework]:
    """Every version of the given LAs' frameworks (every LA for None), newest first
    within each LA and track."""
    frameworks = CategoryFramework.objects.select_related("created_by").order_by(
        "la_code", "track", "-effective_from", "-pk"
    )
    return frameworks if la_codes is None else frameworks.filter(la_code__in=list(la_codes))


def framework_with_content(pk: int) -> CategoryFramework:
    """One version with its categories and rules; ``DoesNotExist`` when there is none."""
    return _with_content(CategoryFramework.objects.select_related("created_by")).get(pk=pk)


def _is_administrator(actor: Actor) -> bool:
    if actor is None or isinstance(actor, str):
        return True  # a named system process (the demo loader, a migration)
    return any(a.role == Role.ADMINISTRATOR for a in active_roles(actor))


def _framework_problems(categories: Sequence[CategorySpec], rules: Sequence[RuleSpec]) -> list[str]:
    matches = set(engine.Match)
    checked = engine.Framework(
        categories=tuple(
            engine.Category(str(c.order), c.label.strip(), c.order) for c in categories
        ),
        rules=tuple(
            engine.Rule(
                str(r.order),
                str(r.category),
                r.clauses,
                engine.Match(r.match) if r.match in matches else engine.Match.ALL,
            )
            for r in rules
        ),
    )
    problems = [str(p) for p in engine.check_framework(checked, input_specs().keys())]
    for n, rule in enumerate(rules, start=1):
        if rule.match not in matches:
            problems.append(f"Rule {n}: choose whether all or any of its conditions must hold.")
        if not rule.description.strip():
            problems.append(f"Rule {n}: say in words what the rule is for.")
    for category in categories:
        if category.order < 1:
            problems.append(f"Category {category.label}: the order starts at 1.")
        if not 0 <= category.visits_per_year <= 52:
            problems.append(f"Category {category.label}: visits a year must be 0 to 52.")
        if category.colour not in CategoryColour.values:
            problems.append(f"Category {category.label}: choose a colour from the list.")
    orders = [r.order for r in rules]
    if len(set(orders)) != len(orders):
        problems.append("Each rule needs its own order.")
    return problems


@transaction.atomic
def set_framework(
    *,
    actor: Actor,
    la_code: int,
    track: str,
    name: str,
    effective_from: date,
    categories: Sequence[CategorySpec],
    rules: Sequence[RuleSpec],
    notes: str = "",
    based_on: CategoryFramework | None = None,
) -> CategoryFramework:
    """Put a new version of an LA's framework for one track in force from
    ``effective_from``. Administrators only (or a named system process).

    Versions are never edited. A new one must take effect after the evidence date
    of every decision already made on the track, so each decision keeps the
    framework that was in force on its date. Raises ``ValidationError`` keyed by
    argument name (``categories`` and ``rules`` carry one sentence per problem).
    Writes a ``category_framework.set`` audit event.
    """
    if not _is_administrator(actor):
        raise ValidationError("Only administrators set categorisation frameworks.")
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if track not in CategoryTrack.values:
        add("track", "Choose maintained schools or academies.")
    if not name.strip():
        add("name", "Enter a name for the framework.")
    elif len(name.strip()) > 120:
        add("name", "The name must be 120 characters or fewer.")
    if not LocalAuthority.objects.filter(code=la_code).exists():
        add("la_code", f"There is no local authority {la_code} in the register.")
    elif CategoryFramework.objects.filter(
        la_code=la_code, track=track, effective_from=effective_from
    ).exists():
        add(
            "effective_from",
            f"LA {la_code} already has a version taking effect on {day_words(effective_from)}. "
            "Versions are never changed: choose another date.",
        )
    else:
        last = (
            CategoryDecision.objects.filter(framework__la_code=la_code, framework__track=track)
            .order_by("-as_at")
            .values_list("as_at", flat=True)
            .first()
        )
        if last is not None and effective_from <= last:
            add(
                "effective_from",
                f"Categories have been decided on evidence as at {day_words(last)} under the "
                "framework then in force: a new version must take effect after that date.",
            )
    for problem in _framework_problems(categories, rules):
        add("rules" if problem.startswith("Rule") else "categories", problem)
    if errors:
        raise ValidationError(errors)
    user = actor_fields(actor)["actor"]
    framework = CategoryFramework.objects.create(
        la_code=la_code,
        track=track,
        name=name.strip(),
        effective_from=effective_from,
        notes=notes.strip(),
        based_on=based_on,
        created_by=user,
    )
    stored = {
        spec.order: Category.objects.create(
            framework=framework,
            order=spec.order,
            label=spec.label.strip(),
            description=spec.description.strip(),
            visits_per_year=spec.visits_per_year,
            eligible_for_brokered_support=spec.eligible_for_brokered_support,
            colour=spec.colour,
        )
        for spec in sorted(categories, key=lambda c: c.order)
    }
    for spec in sorted(rules, key=lambda r: r.order):
        CategoryRule.objects.create(
            framework=framework,
            order=spec.order,
            category=stored[spec.category],
            match=spec.match,
            clauses=[{"input": c.input, "op": c.op, "value": c.value} for c in spec.clauses],
            description=spec.description.strip(),
        )
    record_audit(
        "category_framework.set",
        actor=actor,
        object_type="category_framework",
        object_id=framework.pk,
        la_code=la_code,
        track=track,
        name=framework.name,
        effective_from=effective_from.isoformat(),
        based_on=based_on.pk if based_on else None,
        categories=[c.label for c in stored.values()],
        rules=len(rules),
    )
    return framework


def install_default_frameworks(
    *, actor: Actor, la_code: int, effective_from: date
) -> list[CategoryFramework]:
    """Put convenor's default frameworks (:data:`DEFAULTS`) in force for an LA from
    ``effective_from``, on each track that has no framework yet. Returns those made."""
    made = []
    for track, spec in DEFAULTS.items():
        if CategoryFramework.objects.filter(la_code=la_code, track=track).exists():
            continue
        made.append(
            set_framework(
                actor=actor,
                la_code=la_code,
                track=track,
                name=spec.name,
                effective_from=effective_from,
                categories=spec.categories,
                rules=spec.rules,
                notes=spec.notes,
            )
        )
    return made


#: The demo's frameworks take effect before every date its data covers (the first
#: results of the current assessment frameworks came out in 2016).
DEMO_FRAMEWORKS_FROM = date(2015, 9, 1)


def install_defaults(la_code: int, *, actor: Actor, on: date) -> str:
    """:func:`install_default_frameworks`, safe to re-run, saying what it did (for
    ``convenor demo load``)."""
    made = install_default_frameworks(actor=actor, la_code=la_code, effective_from=on)
    if not made:
        return f"Categorisation frameworks: LA {la_code} has them already."
    names = "; ".join(framework.name for framework in made)
    return f"Categorisation frameworks for LA {la_code}, in force from {day_words(on)}: {names}."
