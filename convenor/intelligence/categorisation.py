"""Categorisation, the Django side: frameworks, proposals, decisions and who sees what.

An LA's framework (DOMAIN.md section 2) is stored per LA and per track (maintained
schools; academies, DOMAIN.md 1.8) in :class:`~convenor.intelligence.models.CategoryFramework`
versions, each in force from its date until the next. :func:`propose` gathers every
open state-funded school's inputs as at a date and runs the pure rule engine
(:mod:`convenor.analytics.categorisation`) with the framework in force then:

- the early-warning features of :func:`convenor.intelligence.asat.school_features`
  (``last_grade``, ``ks2_rwm_exp_vs_england``...), which use only what was public
  by the date;
- soft intelligence, counted by the system over every live entry (restricted ones
  included): ``soft_intelligence_count`` and ``concern_escalated``, from the LA's
  escalation rule in force (ADR 0006);
- the early-warning model's risk, ``model_probability`` and
  ``model_rank_percentile``, when the caller passes a score run. Pages never train a
  model, so on a page they are not known and rules on them do not fire.

A person confirms or changes the proposal with :func:`confirm_category`; decisions
are only added. :func:`set_framework` makes a new version (administrators only).
Every change writes its audit event. Who may read, decide and configure is
docs/adr/0008-categorisation-framework.md, worked out by :func:`category_scope`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from convenor.analytics import categorisation as engine
from convenor.analytics.concern import ConcernAssessment, assess_concern, day_words
from convenor.core.models import Role, RoleAssignment
from convenor.core.permissions import active_roles
from convenor.core.services import Actor, actor_fields, record_audit
from convenor.intelligence.models import (
    AcademyConcern,
    Category,
    CategoryColour,
    CategoryDecision,
    CategoryFramework,
    CategoryRule,
    CategoryTrack,
    DecidedAs,
    SoftIntelligenceEntry,
)
from convenor.intelligence.querysets import NOWHERE, intelligence_scope
from convenor.intelligence.services import VIEWED, entry_facts, rule_facts, rules_in_force
from convenor.schools.models import Establishment, LocalAuthority, UrnLookup
from convenor.schools.querysets import lineage_of

if TYPE_CHECKING:
    from convenor.analytics.early_warning import Score

# --- Inputs -------------------------------------------------------------------------

SOFT_INPUTS: tuple[str, ...] = ("soft_intelligence_count", "concern_escalated")
MODEL_INPUTS: tuple[str, ...] = ("model_probability", "model_rank_percentile")

# Plain words for the inputs a rule may read. A feature the early-warning code adds
# later without a label here is still offered, under its own name.
_LABELS: Mapping[str, str] = {
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
        specs[name] = InputSpec(name, _LABELS.get(name, name), source)
    return specs


def input_label(name: str) -> str:
    """An input's label, or its name when it has none (an input since removed)."""
    spec = input_specs().get(name)
    return spec.label if spec else name


# --- Framework specifications and the defaults ---------------------------------------


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


# --- Proposals -----------------------------------------------------------------------


def track_of(values: Mapping[str, object]) -> str:
    """The track a school's inputs put it on: academies (``is_academy`` 1) or maintained."""
    return (
        CategoryTrack.ACADEMY
        if engine.known(values.get("is_academy")) == 1
        else (CategoryTrack.MAINTAINED)
    )


@dataclass(frozen=True)
class SchoolProposal:
    """What convenor proposes for one school as at a date, and everything behind it.

    ``proposal`` is None when no framework is in force for the school's track on
    the date. ``model_note`` says whether model risk was known.
    """

    school: Establishment
    as_at: date
    track: str
    framework: CategoryFramework | None
    inputs: engine.SchoolInputs
    proposal: engine.Proposal | None
    concern: ConcernAssessment
    model_note: str

    @property
    def track_label(self) -> str:
        return str(CategoryTrack(self.track).label)

    @property
    def category(self) -> Category | None:
        """The proposed category as stored, or None without a framework."""
        if self.proposal is None or self.framework is None:
            return None
        return category_by_key(self.framework, self.proposal.category.key)

    def reasons(self) -> dict[str, Any]:
        """The proposal as :attr:`CategoryDecision.reasons` keeps it (JSON)."""
        return reasons_json(self)


def category_by_key(framework: CategoryFramework, key: str) -> Category:
    """The framework's category whose id is ``key`` (from its prefetched categories)."""
    for category in framework.categories.all():
        if str(category.pk) == key:
            return category
    raise KeyError(key)


#: Said on every proposal when no early-warning score run was given.
MODEL_NOT_AVAILABLE = (
    "Early-warning model risk is not known: no score run is available to this page, and "
    "pages never train the model. Rules on model risk do not fire."
)


def soft_intelligence_inputs(
    la_code: int, urns: Iterable[int], as_at: date
) -> dict[int, ConcernAssessment]:
    """Each school's register-of-concern assessment as at ``as_at``, over every live
    entry (restricted ones included: a system calculation, never shown as such).

    Entries made under a school's earlier URN count for it (GIAS's URN lookup).
    Three queries, however many schools.
    """
    wanted = set(urns)
    earlier = dict(
        UrnLookup.objects.filter(latest_urn__in=wanted)
        .exclude(old_urn=F("latest_urn"))
        .values_list("old_urn", "latest_urn")
    )
    rule = rules_in_force([la_code], as_at).get(la_code)
    facts = rule_facts(rule) if rule else None
    grouped: defaultdict[int, list[SoftIntelligenceEntry]] = defaultdict(list)
    for entry in SoftIntelligenceEntry.objects.live_on(as_at).filter(urn__in=wanted | set(earlier)):
        urn = entry.urn if entry.urn in wanted else earlier[entry.urn]
        grouped[urn].append(entry)
    return {
        urn: assess_concern((entry_facts(e) for e in grouped.get(urn, ())), facts, as_at)
        for urn in wanted
    }


def model_inputs(scores: Sequence[Score]) -> dict[int, dict[str, float]]:
    """``model_probability`` and ``model_rank_percentile`` (rank / schools scored x 100,
    so the riskiest tenth is 10 or less) for each school of one score run."""
    count = len(scores)
    return {
        s.urn: {
            "model_probability": s.probability,
            "model_rank_percentile": 100.0 * s.rank / count,
        }
        for s in scores
    }


def propose(
    as_at: date,
    la_code: int,
    *,
    urns: Iterable[int] | None = None,
    scores: Sequence[Score] | None = None,
    scored_as_at: date | None = None,
) -> list[SchoolProposal]:
    """A proposal for every open state-funded school of the LA as at ``as_at`` (or for
    those of ``urns``), by URN, each from the framework in force for its track then.

    ``scores`` is one early-warning score run (as ``convenor model score`` makes,
    ``scored_as_at`` its date) giving the model inputs; without it they are not known.
    A fixed number of queries, whatever the number of schools.
    """
    from convenor.intelligence.asat import school_features

    schools = Establishment.objects.filter(la_code=la_code)
    if urns is not None:
        schools = schools.filter(urn__in=list(urns))
    by_urn = schools.in_bulk()
    features = school_features(as_at, by_urn.keys()) if by_urn else []
    frameworks = frameworks_in_force(la_code, as_at)
    engines = {track: engine_framework(fw) for track, fw in frameworks.items()}
    concerns = soft_intelligence_inputs(la_code, [f.urn for f in features], as_at)
    model = model_inputs(scores) if scores else {}
    if scores:
        when = f" as at {day_words(scored_as_at)}" if scored_as_at else ""
        model_note = f"Early-warning model risk from the score run{when}."
    else:
        model_note = MODEL_NOT_AVAILABLE
    found: list[SchoolProposal] = []
    for features_of in sorted(features, key=lambda f: f.urn):
        school = by_urn.get(features_of.urn)
        if school is None:
            continue
        concern = concerns[features_of.urn]
        values: dict[str, object] = dict(features_of.values)
        values["soft_intelligence_count"] = concern.counted if _has_rule(concern) else concern.live
        values["concern_escalated"] = 1.0 if concern.fires else 0.0
        values.update(dict.fromkeys(MODEL_INPUTS))
        values.update(model.get(features_of.urn, {}))
        inputs = engine.SchoolInputs(features_of.urn, values)
        track = track_of(values)
        framework = frameworks.get(track)
        proposal = engine.propose(engines[track], inputs) if framework else None
        found.append(
            SchoolProposal(school, as_at, track, framework, inputs, proposal, concern, model_note)
        )
    return found


def _has_rule(concern: ConcernAssessment) -> bool:
    # assess_concern says this when no rule was in force; the count is then every live entry.
    return not concern.reason.startswith("No escalation rule")


def propose_one(
    school: Establishment, as_at: date, *, scores: Sequence[Score] | None = None
) -> SchoolProposal | None:
    """:func:`propose` for one school; None when it was not open and state-funded then
    (or has no LA)."""
    if school.la_code is None:
        return None
    found = propose(as_at, school.la_code, urns=[school.urn], scores=scores)
    return found[0] if found else None


# --- Reasons, as kept and as shown ---------------------------------------------------


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
    if proposed.model_note == MODEL_NOT_AVAILABLE:
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


# --- Who may see and do what (ADR 0008) -------------------------------------------------


@dataclass(frozen=True)
class CategoryScope:
    """Which schools' categories one user may read, decide and read in full.

    ``officer``: LA officers' schools (their LA), who decide on both tracks.
    ``board``: board members' schools (their LA's schools in their area), who decide
    for maintained schools. ``own``: schools the user leads, under every URN, which
    they see as their school's leader (the decided category only) and never decide.
    ``soft``: where reasons drawn from soft intelligence may be shown, which is where
    the user reads restricted entries (ADR 0006), because the counts include them.
    """

    officer: Q
    board: Q
    own: frozenset[int]
    soft: Q
    la_codes: frozenset[int] = field(default_factory=frozenset)

    def _schools(self, condition: Q) -> QuerySet[Establishment]:
        return Establishment.objects.filter(condition).exclude(urn__in=self.own)

    def reviewable_schools(self) -> QuerySet[Establishment]:
        """Schools whose proposal and decisions the user may read."""
        return self._schools(self.officer | self.board)

    def can_review(self, school: Establishment) -> bool:
        return self.reviewable_schools().filter(pk=school.pk).exists()

    def leads(self, school: Establishment) -> bool:
        return school.urn in self.own

    def reads_soft(self, school: Establishment) -> bool:
        return self._schools(self.soft).filter(pk=school.pk).exists()

    def capacity(self, school: Establishment, track: str) -> str | None:
        """In which capacity the user may decide the school's category on ``track``:
        as an LA officer, as a board member (maintained schools only), or not at all."""
        if self._schools(self.officer).filter(pk=school.pk).exists():
            return DecidedAs.OFFICER
        if track == CategoryTrack.MAINTAINED and (
            self._schools(self.board).filter(pk=school.pk).exists()
        ):
            return DecidedAs.BOARD
        return None


def category_scope(assignments: Iterable[RoleAssignment]) -> CategoryScope:
    """The category scope the role assignments in force give one user (ADR 0008).
    Pass :func:`convenor.core.permissions.request_roles` so roles are read once."""
    assignments = list(assignments)
    officer = board = NOWHERE
    own: set[int] = set()
    las: set[int] = set()
    for assignment in assignments:
        if assignment.role == Role.LA_OFFICER:
            officer |= Q(la_code=assignment.la_code)
            las.add(assignment.la_code or 0)
        elif assignment.role == Role.BOARD_MEMBER:
            board |= Q(la_code=assignment.la_code, district=assignment.area)
            las.add(assignment.la_code or 0)
        elif assignment.role == Role.SCHOOL_LEADER and assignment.school_urn is not None:
            own.update(lineage_of(assignment.school_urn))
    soft = intelligence_scope(assignments).restricted
    return CategoryScope(officer, board, frozenset(own), soft, frozenset(las - {0}))


# --- Decisions ----------------------------------------------------------------------------


def decisions_for(urns: Iterable[int]) -> QuerySet[CategoryDecision]:
    """Every decision about the schools ``urns``, newest first, with what pages show."""
    return (
        CategoryDecision.objects.filter(urn__in=list(urns))
        .select_related(
            "framework", "proposed_category", "decided_category", "decided_by", "academy_concern"
        )
        .order_by("-decided_at", "-pk")
    )


def current_decisions(urns: Iterable[int], on: date | None = None) -> dict[int, CategoryDecision]:
    """Each school's category decision in force: its latest decision (by evidence date,
    then when it was made) whose evidence is dated on or before ``on`` (any, for None).
    One query."""
    decisions = CategoryDecision.objects.filter(urn__in=list(urns)).select_related(
        "decided_category", "proposed_category", "decided_by"
    )
    if on is not None:
        decisions = decisions.filter(as_at__lte=on)
    current: dict[int, CategoryDecision] = {}
    for decision in decisions.order_by("urn", "-as_at", "-decided_at", "-pk"):
        current.setdefault(decision.urn, decision)
    return current


#: How long a category stands before its review, unless the decider sets a date:
#: DOMAIN.md section 2 asks for every school to be categorised at least once a year.
REVIEW_AFTER = timedelta(days=365)


def _is_administrator(actor: Actor) -> bool:
    if actor is None or isinstance(actor, str):
        return True  # a named system process (the demo loader, a migration)
    return any(a.role == Role.ADMINISTRATOR for a in active_roles(actor))


@transaction.atomic
def confirm_category(
    proposed: SchoolProposal,
    *,
    actor: AbstractBaseUser | AnonymousUser,
    decided_category: Category,
    decided_as: str,
    rationale: str = "",
    review_due: date | None = None,
    academy_concern: AcademyConcern | None = None,
) -> CategoryDecision:
    """Record ``actor``'s decision on the category of ``proposed.school``, beside
    convenor's proposal as at ``proposed.as_at``.

    The decided category must be one of the framework in force on that date for the
    school's track; a rationale is required when it differs from the proposal.
    ``review_due`` defaults to a year from today and must be after the evidence date
    and not in the past. ``academy_concern`` (the academy track only) links the
    concern case recording the referral to the trust and the regional director.
    Raises ``ValidationError`` keyed by argument name. The proposal's reasons are kept
    on the decision. Writes a ``category.decided`` audit event (never the rationale,
    which may draw on soft intelligence).
    """
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    framework, category = proposed.framework, proposed.category
    if framework is None or category is None:
        raise ValidationError(
            f"No categorisation framework for {CategoryTrack(proposed.track).label.lower()} "
            f"was in force on {day_words(proposed.as_at)}, so there is nothing to confirm."
        )
    if proposed.as_at > today:
        add("as_at", "The evidence date cannot be in the future.")
    if decided_category.framework_id != framework.pk:
        add("decided_category", "Choose a category of the framework in force on that date.")
    rationale = rationale.strip()
    if decided_category.pk != category.pk and not rationale:
        add(
            "rationale",
            f"Say why the category differs from the proposal ({category.label}).",
        )
    if decided_as not in DecidedAs.values:
        add("decided_as", "Say whether you decide as an LA officer or for the board.")
    if decided_as == DecidedAs.BOARD and proposed.track == CategoryTrack.ACADEMY:
        add("decided_as", "Academies' categories are decided by LA officers.")
    due = review_due or today + REVIEW_AFTER
    if due <= proposed.as_at:
        add("review_due", "The review must be due after the date of the evidence.")
    elif due < today:
        add("review_due", "The review date cannot be in the past.")
    if academy_concern is not None:
        if proposed.track != CategoryTrack.ACADEMY:
            add("academy_concern", "Only an academy's category links to an academy concern.")
        elif academy_concern.urn not in lineage_of(proposed.school.urn):
            add("academy_concern", "Choose a concern about this academy.")
    if errors:
        raise ValidationError(errors)
    user = actor_fields(actor)["actor"]
    decision = CategoryDecision.objects.create(
        urn=proposed.school.urn,
        framework=framework,
        as_at=proposed.as_at,
        proposed_category=category,
        reasons=proposed.reasons(),
        decided_category=decided_category,
        rationale=rationale,
        decided_as=decided_as,
        decided_by=user,
        review_due=due,
        academy_concern=academy_concern,
    )
    record_audit(
        "category.decided",
        actor=actor,
        object_type="category_decision",
        object_id=decision.pk,
        urn=decision.urn,
        framework=framework.pk,
        track=framework.track,
        as_at=decision.as_at.isoformat(),
        proposed=category.label,
        decided=decided_category.label,
        changed=decision.changed,
        decided_as=decided_as,
        review_due=due.isoformat(),
        academy_concern=academy_concern.pk if academy_concern else None,
    )
    return decision


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
