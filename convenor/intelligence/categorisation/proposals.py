"""Proposals: every school's inputs as at a date, run through the framework in force.

Model risk comes from a score run: pages read the newest one stored on or before
their date (:func:`stored_model_run`) and never fit a model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import F

from convenor.analytics import categorisation as engine
from convenor.analytics.concern import ConcernAssessment, assess_concern, day_words
from convenor.intelligence.categorisation.frameworks import engine_framework, frameworks_in_force
from convenor.intelligence.categorisation.inputs import MODEL_INPUTS
from convenor.intelligence.categorisation.reasons import reasons_json
from convenor.intelligence.models import (
    Category,
    CategoryFramework,
    CategoryTrack,
    SoftIntelligenceEntry,
)
from convenor.intelligence.services import entry_facts, rule_facts, rules_in_force
from convenor.schools.models import Establishment, UrnLookup

if TYPE_CHECKING:
    from convenor.analytics.early_warning import Score


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
    the date. ``model_note`` says whether model risk was known, and from which run;
    ``score_run`` is the stored run's id when it came from one.
    """

    school: Establishment
    as_at: date
    track: str
    framework: CategoryFramework | None
    inputs: engine.SchoolInputs
    proposal: engine.Proposal | None
    concern: ConcernAssessment
    model_note: str
    score_run: int | None = None

    @property
    def track_label(self) -> str:
        return str(CategoryTrack(self.track).label)

    @property
    def model_known(self) -> bool:
        """Whether a score run was given (a school it did not score still lacks values)."""
        return self.model_note != MODEL_NOT_AVAILABLE

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
    "Early-warning model risk is not known: no score run dated on or before this date has "
    "been stored, and pages never train the model. Rules on model risk do not fire."
)


@dataclass(frozen=True)
class ModelRun:
    """One early-warning score run as proposals read it.

    ``schools`` is how many schools the run ranked: the denominator of the rank
    percentile. ``scores`` may hold only the schools a page shows, and over those
    alone the percentile would be wrong (a school shown on its own would be 100).
    ``run`` is the stored :class:`~convenor.intelligence.models.ScoreRun`'s id, None
    for a run held only in memory; ``as_at`` is the run's date, None when not known.
    """

    as_at: date | None
    schools: int
    scores: Sequence[Score]
    run: int | None = None

    @property
    def note(self) -> str:
        """What proposals say of model risk: the run it came from."""
        when = f" as at {day_words(self.as_at)}" if self.as_at else ""
        return f"Early-warning model risk from the score run{when}."


def stored_model_run(as_at: date, urns: Iterable[int] | None = None) -> ModelRun | None:
    """The newest stored score run dated on or before ``as_at``, with the scores of
    ``urns`` (every school scored, for None); None when no run is that old.

    This only reads what ``convenor model score`` stored: it never fits a model, so a
    page may call it. Two queries.
    """
    # The scores module loads the model's libraries: import it on first use, as
    # input_specs does, rather than when the URLs load.
    from convenor.intelligence.scores import latest_run, run_scores

    run = latest_run(as_at)
    if run is None:
        return None
    return ModelRun(run.as_at, run.schools, run_scores(run, urns), run.pk)


def model_words(model: ModelRun | None) -> str:
    """What a page says of model risk with ``model`` (or with no run)."""
    return model.note if model is not None else MODEL_NOT_AVAILABLE


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


def model_inputs(
    scores: Sequence[Score], *, schools: int | None = None
) -> dict[int, dict[str, float]]:
    """``model_probability`` and ``model_rank_percentile`` (rank / schools scored x 100,
    so the riskiest tenth is 10 or less) for each school of one score run.

    ``schools`` is how many schools the run ranked; give it whenever ``scores`` holds
    only some of them (it defaults to ``len(scores)``, right only for a whole run).
    """
    count = schools or len(scores)
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
    model: ModelRun | None = None,
    scores: Sequence[Score] | None = None,
    scored_as_at: date | None = None,
) -> list[SchoolProposal]:
    """A proposal for every open state-funded school of the LA as at ``as_at`` (or for
    those of ``urns``), by URN, each from the framework in force for its track then.

    ``model`` is the early-warning score run giving the model inputs (pages pass
    :func:`stored_model_run`); without it they are not known. A caller holding a
    whole run in memory may pass its ``scores`` and date (``scored_as_at``) instead.
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
    if model is None and scores:
        model = ModelRun(scored_as_at, len(scores), scores)
    risk = model_inputs(model.scores, schools=model.schools) if model else {}
    note, run = model_words(model), model.run if model else None
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
        values.update(risk.get(features_of.urn, {}))
        inputs = engine.SchoolInputs(features_of.urn, values)
        track = track_of(values)
        framework = frameworks.get(track)
        proposal = engine.propose(engines[track], inputs) if framework else None
        found.append(
            SchoolProposal(school, as_at, track, framework, inputs, proposal, concern, note, run)
        )
    return found


def _has_rule(concern: ConcernAssessment) -> bool:
    # assess_concern says this when no rule was in force; the count is then every live entry.
    return not concern.reason.startswith("No escalation rule")


def propose_one(
    school: Establishment,
    as_at: date,
    *,
    model: ModelRun | None = None,
    scores: Sequence[Score] | None = None,
    scored_as_at: date | None = None,
) -> SchoolProposal | None:
    """:func:`propose` for one school; None when it was not open and state-funded then
    (or has no LA)."""
    if school.la_code is None:
        return None
    found = propose(
        as_at,
        school.la_code,
        urns=[school.urn],
        model=model,
        scores=scores,
        scored_as_at=scored_as_at,
    )
    return found[0] if found else None
