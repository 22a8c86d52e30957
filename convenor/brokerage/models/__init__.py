"""The brokerage app's models, one module a subject (docs/adr/0011-brokerage-data.md).

- :mod:`.vocabulary`: expertise and areas of need, phases, bands;
- :mod:`.partnerships`: partnership structures, memberships, meetings and attendance;
- :mod:`.providers`: system leaders and the support directory;
- :mod:`.requests`: support requests, matching runs and matches;
- :mod:`.plans`: support plans, milestones, visits, reviews and ratings;
- :mod:`.funding`: tariffs, funds, commitments and spend;
- :mod:`.credits`: the credits exchange's double-entry ledger;
- :mod:`.traded`: traded services and subscriptions.
"""

from convenor.brokerage.models.credits import (
    AccountKind,
    CreditAccount,
    CreditEntry,
    CreditTransaction,
)
from convenor.brokerage.models.funding import (
    DEFAULT_TARIFFS,
    Fund,
    FundCommitment,
    FundSpend,
    TariffBand,
)
from convenor.brokerage.models.partnerships import (
    TIER_OF_KIND,
    MeetingAttendance,
    MemberRole,
    Partnership,
    PartnershipKind,
    PartnershipMeeting,
    PartnershipMembership,
    Strength,
)
from convenor.brokerage.models.plans import (
    LIVE_PLAN_STATUSES,
    PlanMilestone,
    PlanReview,
    PlanStatus,
    PlanVisit,
    ReviewDecision,
    SupportPlan,
    SupportRating,
)
from convenor.brokerage.models.providers import (
    MAX_DAYS_PER_TERM,
    ORGANISATION_DESIGNATIONS,
    PERSON_DESIGNATIONS,
    Designation,
    ProviderKind,
    ProviderManager,
    SupportProvider,
)
from convenor.brokerage.models.requests import (
    FundingSource,
    Match,
    MatchingRun,
    MatchStatus,
    RequestStatus,
    SupportRequest,
    Urgency,
)
from convenor.brokerage.models.traded import FeeRule, PackageKind, Subscription, TradedService
from convenor.brokerage.models.vocabulary import (
    DEFAULT_DAYS_PER_TERM,
    Band,
    Expertise,
    SupportPhase,
    phase_of,
)

__all__ = [
    "DEFAULT_DAYS_PER_TERM",
    "DEFAULT_TARIFFS",
    "LIVE_PLAN_STATUSES",
    "MAX_DAYS_PER_TERM",
    "ORGANISATION_DESIGNATIONS",
    "PERSON_DESIGNATIONS",
    "TIER_OF_KIND",
    "AccountKind",
    "Band",
    "CreditAccount",
    "CreditEntry",
    "CreditTransaction",
    "Designation",
    "Expertise",
    "FeeRule",
    "Fund",
    "FundCommitment",
    "FundSpend",
    "FundingSource",
    "Match",
    "MatchStatus",
    "MatchingRun",
    "MeetingAttendance",
    "MemberRole",
    "PackageKind",
    "Partnership",
    "PartnershipKind",
    "PartnershipMeeting",
    "PartnershipMembership",
    "PlanMilestone",
    "PlanReview",
    "PlanStatus",
    "PlanVisit",
    "ProviderKind",
    "ProviderManager",
    "RequestStatus",
    "ReviewDecision",
    "Strength",
    "Subscription",
    "SupportPhase",
    "SupportPlan",
    "SupportProvider",
    "SupportRating",
    "SupportRequest",
    "TariffBand",
    "TradedService",
    "Urgency",
    "phase_of",
]
