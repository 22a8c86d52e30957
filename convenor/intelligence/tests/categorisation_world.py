"""A small Hampshire world for the categorisation tests, and helpers over it.

Six schools in Gosport and Fareham with their latest inspections, the default
frameworks, the users who review them, soft intelligence that escalates, and stored
early-warning score runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User

from convenor.analytics.early_warning import Score
from convenor.core.models import Role
from convenor.core.services import Actor, assign_role
from convenor.core.tests.factories import UserFactory
from convenor.intelligence import categorisation as service
from convenor.intelligence.models import (
    Category,
    CategoryDecision,
    CategoryFramework,
    CategoryTrack,
    DecidedAs,
    ScoreRun,
    Sensitivity,
    SoftIntelligenceKind,
)
from convenor.intelligence.scores import store_run
from convenor.intelligence.tests.factories import (
    ConcernRuleFactory,
    InspectionFactory,
    SoftIntelligenceEntryFactory,
)
from convenor.schools.tests.factories import LocalAuthorityFactory, open_school
from convenor.sources.inspections import framework_for

LA = 850
AS_AT = date(2019, 9, 1)
FRAMEWORKS_FROM = date(2015, 9, 1)
# A good, an RI, an inadequate and an uninspected primary; a good and an RI academy.
GOOD, RI, INADEQUATE, NEW = 110001, 110002, 110003, 110004
ACADEMY_GOOD, ACADEMY_RI = 140001, 140002
GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}


def inspection(urn: int, day: date, grade: int) -> Any:
    return InspectionFactory.create(
        urn=urn,
        inspection_date=day,
        grade=grade,
        rating=GRADES[grade],
        framework=framework_for(day),
    )


def world() -> dict[str, CategoryFramework]:
    """Hampshire with six schools in Gosport and Fareham, and the default frameworks."""
    LocalAuthorityFactory.create(code=LA)
    for urn, district in ((GOOD, "Gosport"), (RI, "Gosport"), (INADEQUATE, "Fareham")):
        open_school(urn=urn, district=district, name=f"School {urn}")
    open_school(urn=NEW, district="Gosport", name="New School")
    for urn in (ACADEMY_GOOD, ACADEMY_RI):
        open_school(
            urn=urn,
            district="Gosport",
            name=f"Academy {urn}",
            is_academy=True,
            type_name="Academy converter",
        )
    for urn, grade in (
        (GOOD, 2),
        (RI, 3),
        (INADEQUATE, 4),
        (ACADEMY_GOOD, 1),
        (ACADEMY_RI, 3),
    ):
        inspection(urn, date(2018, 11, 6), grade)
    made = service.install_default_frameworks(
        actor="test", la_code=LA, effective_from=FRAMEWORKS_FROM
    )
    return {framework.track: framework for framework in made}


def user_with(role: Role, username: str = "", **scope: Any) -> User:
    user = UserFactory.create(username=username or role.value)
    assign_role(user, role, actor="test", **scope)
    return user


def officer() -> User:
    return user_with(Role.LA_OFFICER, "officer", la_code=LA)


def board_member(area: str = "Gosport") -> User:
    return user_with(Role.BOARD_MEMBER, f"board-{area}".lower(), la_code=LA, area=area)


def escalate(urn: int, *, restricted: bool = False) -> None:
    """Three live entries in two terms: the register of concern's rule fires."""
    ConcernRuleFactory.create(la_code=LA)
    for n in range(3):
        SoftIntelligenceEntryFactory.create(
            urn=urn,
            observed_on=AS_AT - timedelta(days=30 * (n + 1)),
            kind=SoftIntelligenceKind.SAFEGUARDING if restricted else SoftIntelligenceKind.FINANCE,
            sensitivity=Sensitivity.RESTRICTED if restricted else Sensitivity.STANDARD,
        )


def proposal(urn: int, as_at: date = AS_AT, **kwargs: Any) -> service.SchoolProposal:
    found = [p for p in service.propose(as_at, LA, **kwargs) if p.school.urn == urn]
    assert len(found) == 1
    return found[0]


def cat(proposed: service.SchoolProposal) -> Category:
    """The proposed category, which these tests' schools always have."""
    assert proposed.category is not None
    return proposed.category


def label(proposed: service.SchoolProposal) -> str:
    return cat(proposed).label


def category(framework: CategoryFramework, name: str) -> Category:
    return framework.categories.get(label=name)


def decide(
    proposed: service.SchoolProposal,
    actor: User,
    decided_category: Category | None = None,
    decided_as: str = DecidedAs.OFFICER,
    **kwargs: Any,
) -> CategoryDecision:
    """:func:`confirm_category`, confirming the proposal as an officer unless told."""
    return service.confirm_category(
        proposed,
        actor=actor,
        decided_category=decided_category or cat(proposed),
        decided_as=decided_as,
        **kwargs,
    )


def new_version(
    name: str,
    effective_from: date,
    *,
    track: str = CategoryTrack.MAINTAINED,
    spec: service.FrameworkSpec | None = None,
    actor: Actor = "test",
    **content: Any,
) -> CategoryFramework:
    """:func:`set_framework` for Hampshire: ``spec`` (the track's default unless given)
    with any ``categories`` or ``rules`` given instead."""
    spec = spec or service.DEFAULTS[track]
    return service.set_framework(
        actor=actor,
        la_code=LA,
        track=track,
        name=name,
        effective_from=effective_from,
        categories=content.pop("categories", spec.categories),
        rules=content.pop("rules", spec.rules),
        **content,
    )


def store_scores(as_at: date, ranks: Mapping[int, int], *, schools: int) -> ScoreRun:
    """A stored run as at ``as_at`` ranking ``schools`` schools: those of ``ranks``
    (URN to rank) and others elsewhere in England; the chance falls with the rank."""
    urns = {rank: urn for urn, rank in ranks.items()}
    scores = [
        Score(urns.get(rank, 900000 + rank), round(1 - rank / (schools + 1), 4), rank, ())
        for rank in range(1, schools + 1)
    ]
    return store_run(
        as_at,
        scores,
        training_windows=[date(as_at.year - 1, 8, 31)],
        training_rows=1000,
        training_base_rate=0.1,
        features=["last_grade"],
        seed=0,
        actor="test",
    )
