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
  ``model_rank_percentile``, from a score run. Pages read the newest stored run
  dated on or before their date (:func:`stored_model_run`) and never train a model;
  without one, model risk is not known and rules on it do not fire.

A person confirms or changes the proposal with :func:`confirm_category`; decisions
are only added. :func:`set_framework` makes a new version (administrators only).
Every change writes its audit event. Who may read, decide and configure is
docs/adr/0008-categorisation-framework.md, worked out by :func:`category_scope`.

The modules, each importable on its own, and every public name from here:

- :mod:`.inputs`: the inputs a rule may read and their labels;
- :mod:`.specs`: framework content as values, and the defaults;
- :mod:`.frameworks`: stored versions, the one in force, making a new one;
- :mod:`.proposals`: a proposal for every school as at a date;
- :mod:`.reasons`: the reasons, as kept on a decision and as one reader sees them;
- :mod:`.scope`: who may read and decide (ADR 0008);
- :mod:`.decisions`: confirming or changing a proposal, and the decisions in force.
"""

from convenor.intelligence.categorisation.decisions import (
    REVIEW_AFTER,
    confirm_category,
    current_decisions,
    decisions_for,
)
from convenor.intelligence.categorisation.frameworks import (
    DEMO_FRAMEWORKS_FROM,
    engine_framework,
    framework_with_content,
    frameworks_for_page,
    frameworks_in_force,
    install_default_frameworks,
    install_defaults,
    set_framework,
    spec_of,
    stored_clauses,
)
from convenor.intelligence.categorisation.inputs import (
    INPUT_LABELS,
    MODEL_INPUTS,
    SOFT_INPUTS,
    InputSpec,
    input_label,
    input_specs,
)
from convenor.intelligence.categorisation.proposals import (
    MODEL_NOT_AVAILABLE,
    ModelRun,
    SchoolProposal,
    category_by_key,
    model_inputs,
    model_words,
    propose,
    propose_one,
    soft_intelligence_inputs,
    stored_model_run,
    track_of,
)
from convenor.intelligence.categorisation.reasons import (
    ReasonLine,
    ShownReasons,
    audit_soft_reasons_shown,
    reasons_json,
    set_aside,
    shown_reasons,
)
from convenor.intelligence.categorisation.scope import CategoryScope, category_scope
from convenor.intelligence.categorisation.specs import (
    DEFAULT_ACADEMY,
    DEFAULT_MAINTAINED,
    DEFAULTS,
    CategorySpec,
    FrameworkSpec,
    RuleSpec,
)

__all__ = [
    "DEFAULTS",
    "DEFAULT_ACADEMY",
    "DEFAULT_MAINTAINED",
    "DEMO_FRAMEWORKS_FROM",
    "INPUT_LABELS",
    "MODEL_INPUTS",
    "MODEL_NOT_AVAILABLE",
    "REVIEW_AFTER",
    "SOFT_INPUTS",
    "CategoryScope",
    "CategorySpec",
    "FrameworkSpec",
    "InputSpec",
    "ModelRun",
    "ReasonLine",
    "RuleSpec",
    "SchoolProposal",
    "ShownReasons",
    "audit_soft_reasons_shown",
    "category_by_key",
    "category_scope",
    "confirm_category",
    "current_decisions",
    "decisions_for",
    "engine_framework",
    "framework_with_content",
    "frameworks_for_page",
    "frameworks_in_force",
    "input_label",
    "input_specs",
    "install_default_frameworks",
    "install_defaults",
    "model_inputs",
    "model_words",
    "propose",
    "propose_one",
    "reasons_json",
    "set_aside",
    "set_framework",
    "shown_reasons",
    "soft_intelligence_inputs",
    "spec_of",
    "stored_clauses",
    "stored_model_run",
    "track_of",
]
