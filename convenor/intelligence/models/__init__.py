"""The intelligence app's models, one module a subject.

- :mod:`.indicators`: inspections and indicators over time (hard data);
- :mod:`.soft`: soft intelligence and the register of concern's rules;
- :mod:`.interventions`: warning notices, interim executive boards, academy concerns;
- :mod:`.categorisation`: categorisation frameworks, rules and decisions;
- :mod:`.scores`: stored early-warning score runs.
"""

from convenor.intelligence.models.categorisation import (
    Category,
    CategoryColour,
    CategoryDecision,
    CategoryFramework,
    CategoryRule,
    CategoryTrack,
    DecidedAs,
)
from convenor.intelligence.models.indicators import (
    AbsenceRecord,
    AreaStatistic,
    CensusRecord,
    ExclusionRecord,
    Inspection,
    KS2Result,
    KS4Result,
    PreferenceRecord,
    SchoolIndicator,
)
from convenor.intelligence.models.interventions import (
    AcademyConcern,
    InterimExecutiveBoard,
    InterventionPowerUse,
    WarningNotice,
    WarningNoticeCopy,
)
from convenor.intelligence.models.scores import FeatureSnapshot, RiskScore, ScoreRun
from convenor.intelligence.models.soft import (
    DEFAULT_EXPIRY_DAYS,
    TERM_DAYS,
    ConcernRule,
    Sensitivity,
    SoftIntelligenceEntry,
    SoftIntelligenceKind,
    WindowUnit,
    expiry_days,
)

__all__ = [
    "DEFAULT_EXPIRY_DAYS",
    "TERM_DAYS",
    "AbsenceRecord",
    "AcademyConcern",
    "AreaStatistic",
    "Category",
    "CategoryColour",
    "CategoryDecision",
    "CategoryFramework",
    "CategoryRule",
    "CategoryTrack",
    "CensusRecord",
    "ConcernRule",
    "DecidedAs",
    "ExclusionRecord",
    "FeatureSnapshot",
    "Inspection",
    "InterimExecutiveBoard",
    "InterventionPowerUse",
    "KS2Result",
    "KS4Result",
    "PreferenceRecord",
    "RiskScore",
    "SchoolIndicator",
    "ScoreRun",
    "Sensitivity",
    "SoftIntelligenceEntry",
    "SoftIntelligenceKind",
    "WarningNotice",
    "WarningNoticeCopy",
    "WindowUnit",
    "expiry_days",
]
