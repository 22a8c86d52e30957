"""The clocks of statutory intervention casework: pure rules, dataclasses in, dates out.

Nothing here touches Django or the database. Models and services describe a case as
the facts dataclasses (:class:`NoticeFacts`, :class:`IebFacts`,
:class:`ConcernFacts`); the clock functions say, "as at" a date, what is due, what is
overdue, whether the powers window is open, and build the case's timeline.

Every statutory period is configuration with the date it took effect and its source
(DOMAIN.md section and confidence marker: V verified, S secondary, U uncertain):
:data:`NOTICE_RULES`, :data:`POWER_RULES`, :data:`IEB_RULES`. Periods the law does not
set (how long a trust has to answer the LA, when to chase the DfE) are local policy,
in :class:`LocalPolicy`.

"As at" means what was known on that day: a fact dated after it (an outcome recorded
later, a copy sent later) counts as not yet happened, so an old date shows the case as
it stood then.

The modules, each imported from here: ``vocabulary`` (kinds, grounds, outcomes, powers,
their labels, which schools are maintained), ``rules`` (statutory rules by date, local
policy, date arithmetic), ``cases`` (facts in, clock out), ``notices``, ``boards`` and
``concerns`` (one clock each), ``timelines`` (a school's timeline).
"""

from __future__ import annotations

from convenor.intelligence.interventions.boards import (
    ieb_clock,
)
from convenor.intelligence.interventions.cases import (
    CaseClock,
    ConcernFacts,
    CopyFact,
    Deadline,
    DeadlineState,
    Event,
    Flag,
    IebFacts,
    NoticeFacts,
    PowerFact,
    Severity,
    Window,
    WindowState,
    case_clock,
    deadline,
    in_sentence,
    known,
    long_date,
    plural,
)
from convenor.intelligence.interventions.concerns import (
    academy_concern_clock,
)
from convenor.intelligence.interventions.notices import (
    RECORDABLE_OUTCOMES,
    RESOLVING_OUTCOMES,
    PowerCheck,
    notice_window,
    power_use_problems,
    warning_notice_clock,
    window_applies,
)
from convenor.intelligence.interventions.rules import (
    BOTH_KINDS,
    DEFAULT_POLICY,
    IEB_RULES,
    LA_ONLY,
    MONTHS_SOURCE,
    NOTICE_RULES,
    PART_4_IN_FORCE,
    POWER_RULES,
    S60_ONLY,
    IebRules,
    LocalPolicy,
    NoticeRules,
    PowerRule,
    Source,
    add_months,
    add_working_days,
    earliest_compliance_end,
    notice_rules,
    powers_window,
)
from convenor.intelligence.interventions.timelines import (
    EntryState,
    TimelineEntry,
    timeline,
)
from convenor.intelligence.interventions.vocabulary import (
    CONCERN_STATUS_LABELS,
    CONSENT_LABELS,
    DIOCESAN_CHARACTERS,
    ELIGIBILITY_LABELS,
    FOUNDATION_OR_VOLUNTARY_TYPES,
    GROUND_LABELS,
    ISSUER_LABELS,
    MAINTAINED_TYPES,
    NOTICE_KIND_LABELS,
    OUTCOME_LABELS,
    POWER_LABELS,
    RECIPIENT_LABELS,
    Choice,
    ConcernStatus,
    ConsentDecision,
    EligibilityGround,
    Ground,
    Issuer,
    NoticeKind,
    Outcome,
    Power,
    Recipient,
    choices,
    is_maintained,
    required_copies,
)

__all__ = [
    "BOTH_KINDS",
    "CONCERN_STATUS_LABELS",
    "CONSENT_LABELS",
    "DEFAULT_POLICY",
    "DIOCESAN_CHARACTERS",
    "ELIGIBILITY_LABELS",
    "FOUNDATION_OR_VOLUNTARY_TYPES",
    "GROUND_LABELS",
    "IEB_RULES",
    "ISSUER_LABELS",
    "LA_ONLY",
    "MAINTAINED_TYPES",
    "MONTHS_SOURCE",
    "NOTICE_KIND_LABELS",
    "NOTICE_RULES",
    "OUTCOME_LABELS",
    "PART_4_IN_FORCE",
    "POWER_LABELS",
    "POWER_RULES",
    "RECIPIENT_LABELS",
    "RECORDABLE_OUTCOMES",
    "RESOLVING_OUTCOMES",
    "S60_ONLY",
    "CaseClock",
    "Choice",
    "ConcernFacts",
    "ConcernStatus",
    "ConsentDecision",
    "CopyFact",
    "Deadline",
    "DeadlineState",
    "EligibilityGround",
    "EntryState",
    "Event",
    "Flag",
    "Ground",
    "IebFacts",
    "IebRules",
    "Issuer",
    "LocalPolicy",
    "NoticeFacts",
    "NoticeKind",
    "NoticeRules",
    "Outcome",
    "Power",
    "PowerCheck",
    "PowerFact",
    "PowerRule",
    "Recipient",
    "Severity",
    "Source",
    "TimelineEntry",
    "Window",
    "WindowState",
    "academy_concern_clock",
    "add_months",
    "add_working_days",
    "case_clock",
    "choices",
    "deadline",
    "earliest_compliance_end",
    "ieb_clock",
    "in_sentence",
    "is_maintained",
    "known",
    "long_date",
    "notice_rules",
    "notice_window",
    "plural",
    "power_use_problems",
    "powers_window",
    "required_copies",
    "timeline",
    "warning_notice_clock",
    "window_applies",
]
