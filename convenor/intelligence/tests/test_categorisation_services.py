"""Categorisation services: proposals from the database, confirming categories, frameworks.

The helpers at the top build a small Hampshire world; the page tests import them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from convenor.analytics.categorisation import Clause
from convenor.analytics.early_warning import Score
from convenor.core.models import AuditEvent, Role
from convenor.core.services import assign_role
from convenor.core.tests.factories import UserFactory
from convenor.intelligence import categorisation as service
from convenor.intelligence.models import (
    AcademyConcern,
    Category,
    CategoryDecision,
    CategoryFramework,
    CategoryTrack,
    DecidedAs,
    Sensitivity,
    SoftIntelligenceKind,
)
from convenor.intelligence.tests.factories import (
    ConcernRuleFactory,
    InspectionFactory,
    KS2ResultFactory,
    SoftIntelligenceEntryFactory,
)
from convenor.schools.tests.factories import LocalAuthorityFactory, open_school
from convenor.sources.inspections import framework_for

pytestmark = pytest.mark.django_db

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


# --- Proposals ----------------------------------------------------------------------


def test_it_proposes_a_category_for_every_open_school_from_its_latest_inspection() -> None:
    world()
    proposals = {p.school.urn: p for p in service.propose(AS_AT, LA)}
    assert {urn: p.category.label for urn, p in proposals.items() if p.category} == {
        GOOD: "Light touch",
        RI: "Support and challenge",
        INADEQUATE: "Support and challenge+",
        NEW: "Light touch",
        ACADEMY_GOOD: "No concern",
        ACADEMY_RI: "Cause for concern",
    }
    inadequate = proposals[INADEQUATE].proposal
    assert inadequate is not None
    (fired,) = inadequate.deciding
    assert fired.description == "Inadequate at the latest inspection"
    assert fired.inputs == (("last_grade", 4.0),)


def test_it_says_what_it_does_not_know_and_never_guesses() -> None:
    world()
    new = proposal(NEW).proposal
    assert new is not None and new.by_default
    assert "last_grade" in new.unknown and "model_rank_percentile" in new.unknown
    # The inspection rules might propose more, were the grade known.
    assert "Inadequate at the latest inspection" in [r.description for r in new.undecided]


def test_it_uses_only_inspections_public_by_the_date() -> None:
    world()
    inspection(GOOD, date(2019, 8, 20), 4)  # its report came out after 1 September
    assert label(proposal(GOOD)) == "Light touch"
    assert label(proposal(GOOD, date(2019, 12, 1))) == "Support and challenge+"


def test_it_proposes_support_when_ks2_is_well_below_england_and_falling() -> None:
    world()
    other = open_school(urn=110099, district="Gosport")
    for period, own in (("2016/17", 55.0), ("2017/18", 40.0)):
        KS2ResultFactory.create(
            urn=GOOD, period=period, values={"rwm_expected_pct": own, "pupils": 30.0}, missing={}
        )
        KS2ResultFactory.create(
            urn=other.urn,
            period=period,
            values={"rwm_expected_pct": 80.0, "pupils": 600.0},
            missing={},
        )
    proposed = proposal(GOOD)
    assert label(proposed) == "Support and challenge"
    assert proposed.proposal is not None
    (fired,) = proposed.proposal.deciding
    assert [name for name, _value in fired.inputs] == [
        "ks2_rwm_exp_vs_england",
        "ks2_rwm_exp_trend",
    ]
    assert all(value is not None and value < 0 for _name, value in fired.inputs)


def test_it_counts_every_live_entry_and_the_escalation_for_the_soft_intelligence_rule() -> None:
    world()
    escalate(GOOD, restricted=True)
    proposed = proposal(GOOD)
    assert proposed.inputs.value("soft_intelligence_count") == 3
    assert proposed.inputs.value("concern_escalated") == 1
    assert label(proposed) == "Light touch+"
    assert proposed.reasons()["fired"][0]["soft"] is True
    # The same entries, withdrawn or expired, no longer count.
    assert proposal(GOOD, AS_AT + timedelta(days=800)).inputs.value("concern_escalated") == 0


def test_it_counts_live_entries_when_the_la_has_no_escalation_rule() -> None:
    world()
    SoftIntelligenceEntryFactory.create(urn=RI, observed_on=AS_AT - timedelta(days=10))
    proposed = proposal(RI)
    assert proposed.inputs.value("soft_intelligence_count") == 1
    assert proposed.inputs.value("concern_escalated") == 0


def test_it_leaves_model_risk_unknown_without_a_score_run_and_says_so() -> None:
    world()
    proposed = proposal(GOOD)
    assert proposed.inputs.value("model_probability") is None
    assert proposed.model_note == service.MODEL_NOT_AVAILABLE
    assert "Early-warning" in proposed.reasons()["model"]


def test_it_reads_model_risk_from_a_score_run_when_given_one() -> None:
    world()
    scores = [Score(GOOD, 0.8, 1, ())] + [
        Score(900000 + n, 0.1, n + 2, ()) for n in range(19)
    ]  # 20 schools scored: rank 1 is the top 5%
    proposed = proposal(GOOD, scores=scores, scored_as_at=AS_AT)
    assert proposed.inputs.value("model_rank_percentile") == 5.0
    assert proposed.inputs.value("model_probability") == 0.8
    assert label(proposed) == "Support and challenge"
    assert proposed.model_note == "Early-warning model risk from the score run as at 1 Sep 2019."


def test_it_uses_the_framework_in_force_on_the_date() -> None:
    frameworks = world()
    spec = service.spec_of(frameworks[CategoryTrack.MAINTAINED])
    renamed = [
        service.CategorySpec(c.order, f"Band {c.order}", c.visits_per_year, False)
        for c in spec.categories
    ]
    service.set_framework(
        actor="test",
        la_code=LA,
        track=CategoryTrack.MAINTAINED,
        name="Bands",
        effective_from=date(2019, 1, 1),
        categories=renamed,
        rules=spec.rules,
    )
    assert label(proposal(RI, date(2018, 12, 31))) == "Support and challenge"
    assert label(proposal(RI, date(2019, 1, 1))) == "Band 3"


def test_it_proposes_nothing_before_the_first_framework() -> None:
    world()
    proposed = proposal(RI, date(2015, 8, 31))
    assert proposed.framework is None and proposed.proposal is None and proposed.category is None
    with pytest.raises(ValidationError, match="No categorisation framework"):
        service.confirm_category(
            proposed,
            actor=officer(),
            decided_category=Category.objects.first(),  # type: ignore[arg-type]
            decided_as=DecidedAs.OFFICER,
        )


# --- Confirming categories ----------------------------------------------------------------


def test_it_confirms_the_proposal_without_a_rationale_and_keeps_the_reasons() -> None:
    world()
    user = officer()
    proposed = proposal(INADEQUATE)
    decision = service.confirm_category(
        proposed, actor=user, decided_category=cat(proposed), decided_as=DecidedAs.OFFICER
    )
    assert decision.decided_category == decision.proposed_category == proposed.category
    assert not decision.changed and decision.rationale == ""
    assert decision.as_at == AS_AT and decision.decided_by == user
    assert decision.review_due == timezone.localdate() + timedelta(days=365)
    assert decision.reasons["fired"][0]["clauses"] == [
        {"input": "last_grade", "op": ">=", "value": 4.0, "actual": 4.0, "holds": True}
    ]
    event = AuditEvent.objects.get(action="category.decided")
    assert event.actor == user and event.object_id == str(decision.pk)
    assert event.detail | {"review_due": None} == {
        "urn": INADEQUATE,
        "framework": proposed.framework.pk,  # type: ignore[union-attr]
        "track": "maintained",
        "as_at": "2019-09-01",
        "proposed": "Support and challenge+",
        "decided": "Support and challenge+",
        "changed": False,
        "decided_as": "officer",
        "review_due": None,
        "academy_concern": None,
    }


def test_it_refuses_a_change_without_a_rationale() -> None:
    frameworks = world()
    proposed = proposal(RI)
    with pytest.raises(ValidationError) as raised:
        service.confirm_category(
            proposed,
            actor=board_member(),
            decided_category=category(frameworks["maintained"], "Light touch+"),
            decided_as=DecidedAs.BOARD,
            rationale="   ",
        )
    assert raised.value.message_dict == {
        "rationale": ["Say why the category differs from the proposal (Support and challenge)."]
    }
    assert not CategoryDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="category.decided").exists()


def test_it_records_a_change_with_its_rationale_but_keeps_it_out_of_the_audit_trail() -> None:
    frameworks = world()
    proposed = proposal(RI)
    decision = service.confirm_category(
        proposed,
        actor=board_member(),
        decided_category=category(frameworks["maintained"], "Light touch+"),
        decided_as=DecidedAs.BOARD,
        rationale="New head in post; the board's review found strong improvement.",
        review_due=date(2030, 3, 1),
    )
    assert decision.changed and decision.decided_as == "board"
    assert decision.review_due == date(2030, 3, 1)
    event = AuditEvent.objects.get(action="category.decided")
    assert event.detail["changed"] is True
    assert "New head" not in str(event.detail)


def test_the_database_refuses_a_change_without_a_rationale() -> None:
    from django.db import IntegrityError

    frameworks = world()
    light, support = (
        category(frameworks["maintained"], n) for n in ("Light touch", "Support and challenge")
    )
    with pytest.raises(IntegrityError):
        CategoryDecision.objects.create(
            urn=RI,
            framework=frameworks["maintained"],
            as_at=AS_AT,
            proposed_category=support,
            decided_category=light,
            decided_as="officer",
            decided_by=officer(),
            review_due=date(2030, 1, 1),
        )


def test_it_refuses_a_category_of_another_framework_and_a_review_before_the_evidence() -> None:
    frameworks = world()
    proposed = proposal(RI)
    with pytest.raises(ValidationError) as raised:
        service.confirm_category(
            proposed,
            actor=officer(),
            decided_category=category(frameworks["academy"], "Cause for concern"),
            decided_as=DecidedAs.OFFICER,
            rationale="Wrong list",
            review_due=AS_AT,
        )
    assert sorted(raised.value.message_dict) == ["decided_category", "review_due"]


def test_it_records_each_decision_and_the_latest_is_the_schools_category() -> None:
    frameworks = world()
    user = officer()
    maintained = frameworks["maintained"]
    first = service.confirm_category(
        proposal(RI, date(2019, 1, 1)),
        actor=user,
        decided_category=category(maintained, "Support and challenge"),
        decided_as=DecidedAs.OFFICER,
    )
    second = service.confirm_category(
        proposal(RI),
        actor=user,
        decided_category=category(maintained, "Support and challenge+"),
        decided_as=DecidedAs.OFFICER,
        rationale="Safeguarding concerns found on a visit.",
    )
    assert list(service.decisions_for([RI])) == [second, first]
    assert service.current_decisions([RI]) == {RI: second}
    assert service.current_decisions([RI], on=date(2019, 6, 1)) == {RI: first}
    first.refresh_from_db()
    assert first.decided_category.label == "Support and challenge"  # never edited


def test_each_decision_keeps_the_framework_in_force_on_its_evidence_date() -> None:
    frameworks = world()
    spec = service.spec_of(frameworks["maintained"])
    later = service.set_framework(
        actor="test",
        la_code=LA,
        track="maintained",
        name="2019 revision",
        effective_from=date(2019, 4, 1),
        categories=spec.categories,
        rules=spec.rules,
    )
    user = officer()
    early, late = (proposal(RI, day) for day in (date(2019, 3, 1), AS_AT))
    decisions = [
        service.confirm_category(
            p, actor=user, decided_category=cat(p), decided_as=DecidedAs.OFFICER
        )
        for p in (early, late)
    ]
    assert [d.framework for d in decisions] == [frameworks["maintained"], later]
    assert decisions[0].decided_category.framework == frameworks["maintained"]


# --- The academies track ----------------------------------------------------------------------


def test_academies_get_cause_for_concern_or_no_concern_only() -> None:
    world()
    escalate(ACADEMY_GOOD)
    good = proposal(ACADEMY_GOOD)
    assert good.track == "academy"
    assert label(good) == "Cause for concern"
    assert [f["description"] for f in good.reasons()["fired"]] == ["Soft intelligence escalated"]
    assert {c.label for c in good.framework.categories.all()} == {  # type: ignore[union-attr]
        "No concern",
        "Cause for concern",
    }


def test_only_officers_decide_for_academies_and_link_the_referral() -> None:
    world()
    proposed = proposal(ACADEMY_RI)
    with pytest.raises(ValidationError, match="decided by LA officers"):
        service.confirm_category(
            proposed,
            actor=board_member(),
            decided_category=cat(proposed),
            decided_as=DecidedAs.BOARD,
        )
    concern = AcademyConcern.objects.create(
        urn=ACADEMY_RI, concern="Results falling", raised_with_trust_on=date(2019, 7, 1)
    )
    decision = service.confirm_category(
        proposed,
        actor=officer(),
        decided_category=cat(proposed),
        decided_as=DecidedAs.OFFICER,
        academy_concern=concern,
    )
    assert decision.academy_concern == concern
    assert AuditEvent.objects.get(action="category.decided").detail["academy_concern"] == concern.pk


def test_it_links_a_concern_only_to_the_academy_it_is_about() -> None:
    world()
    other = AcademyConcern.objects.create(
        urn=ACADEMY_GOOD, concern="x", raised_with_trust_on=date(2019, 7, 1)
    )
    for urn, field in ((ACADEMY_RI, "academy_concern"), (RI, "academy_concern")):
        proposed = proposal(urn)
        with pytest.raises(ValidationError) as raised:
            service.confirm_category(
                proposed,
                actor=officer() if urn == ACADEMY_RI else UserFactory.create(),
                decided_category=cat(proposed),
                decided_as=DecidedAs.OFFICER,
                academy_concern=other,
            )
        assert list(raised.value.message_dict) == [field]


# --- Frameworks ----------------------------------------------------------------------------


def test_it_installs_the_defaults_once_with_an_audit_event_per_track() -> None:
    frameworks = world()
    maintained = frameworks["maintained"]
    assert [c.label for c in maintained.categories.order_by("order")] == [
        "Light touch",
        "Light touch+",
        "Support and challenge",
        "Support and challenge+",
    ]
    assert [c.visits_per_year for c in maintained.categories.order_by("order")] == [1, 2, 4, 6]
    assert maintained.rules.count() == 7
    assert service.install_default_frameworks(actor="test", la_code=LA, effective_from=AS_AT) == []
    events = AuditEvent.objects.filter(action="category_framework.set")
    assert sorted(e.detail["track"] for e in events) == ["academy", "maintained"]


def test_the_demo_installs_the_defaults_and_says_so_each_time() -> None:
    LocalAuthorityFactory.create(code=LA)
    first = service.install_defaults(LA, actor="demo loader", on=service.DEMO_FRAMEWORKS_FROM)
    assert first == (
        "Categorisation frameworks for LA 850, in force from 1 Sep 2015: "
        "Categories of support (default); Academies: cause for concern (default)."
    )
    again = service.install_defaults(LA, actor="demo loader", on=service.DEMO_FRAMEWORKS_FROM)
    assert again == "Categorisation frameworks: LA 850 has them already."
    assert CategoryFramework.objects.count() == 2


def test_only_administrators_set_frameworks() -> None:
    world()
    spec = service.DEFAULT_MAINTAINED
    arguments: dict[str, Any] = {
        "la_code": LA,
        "track": "maintained",
        "name": "Mine",
        "effective_from": date(2030, 1, 1),
        "categories": spec.categories,
        "rules": spec.rules,
    }
    with pytest.raises(ValidationError, match="Only administrators"):
        service.set_framework(actor=officer(), **arguments)
    admin = user_with(Role.ADMINISTRATOR, "admin")
    framework = service.set_framework(actor=admin, **arguments)
    assert framework.created_by == admin


def test_it_refuses_an_unsafe_or_broken_framework_with_every_problem() -> None:
    world()
    categories = [
        service.CategorySpec(1, "Fine", 1, False),
        service.CategorySpec(2, "Worse", 60, True, colour="tartan"),
    ]
    rules = [
        service.RuleSpec(1, 3, (Clause("last_grade", ">=", 3),), "Proposes a missing category"),
        service.RuleSpec(2, 2, (Clause("__import__('os')", "=", 1),), "Names no input"),
        service.RuleSpec(3, 2, (Clause("last_grade", "in", 1),), "Bad comparison", match="most"),
        service.RuleSpec(4, 2, (), ""),
    ]
    with pytest.raises(ValidationError) as raised:
        service.set_framework(
            actor="test",
            la_code=LA,
            track="maintained",
            name="",
            effective_from=FRAMEWORKS_FROM,
            categories=categories,
            rules=rules,
        )
    errors = raised.value.message_dict
    assert errors["name"] == ["Enter a name for the framework."]
    assert errors["effective_from"][0].startswith("LA 850 already has a version taking effect")
    assert errors["categories"] == [
        "Category Worse: visits a year must be 0 to 52.",
        "Category Worse: choose a colour from the list.",
    ]
    assert errors["rules"] == [
        "Rule 1: it proposes a category the framework does not have.",
        "Rule 2, condition 1: there is no input called “__import__('os')”.",
        "Rule 3, condition 1: “in” is not a comparison.",
        "Rule 4: it needs at least one condition.",
        "Rule 3: choose whether all or any of its conditions must hold.",
        "Rule 4: say in words what the rule is for.",
    ]
    assert CategoryFramework.objects.count() == 2


def test_a_new_version_must_take_effect_after_every_decision_already_made() -> None:
    world()
    proposed = proposal(RI)
    service.confirm_category(
        proposed, actor=officer(), decided_category=cat(proposed), decided_as="officer"
    )
    spec = service.DEFAULT_MAINTAINED
    with pytest.raises(ValidationError) as raised:
        service.set_framework(
            actor="test",
            la_code=LA,
            track="maintained",
            name="Too early",
            effective_from=AS_AT,
            categories=spec.categories,
            rules=spec.rules,
        )
    assert raised.value.message_dict["effective_from"] == [
        "Categories have been decided on evidence as at 1 Sep 2019 under the framework then "
        "in force: a new version must take effect after that date."
    ]
    # The academies track has no decisions, so a version from that day is fine.
    service.set_framework(
        actor="test",
        la_code=LA,
        track="academy",
        name="Academies 2019",
        effective_from=AS_AT,
        categories=service.DEFAULT_ACADEMY.categories,
        rules=service.DEFAULT_ACADEMY.rules,
    )


# --- Who sees what -------------------------------------------------------------------------


def test_soft_intelligence_reasons_are_withheld_from_readers_without_restricted_access() -> None:
    world()
    escalate(INADEQUATE)
    reasons = proposal(INADEQUATE).reasons()
    full = service.shown_reasons(reasons, reads_soft=True)
    partial = service.shown_reasons(reasons, reads_soft=False)
    assert [line.description for line in full.lines] == [
        "Inadequate at the latest inspection",
        "Soft intelligence escalated",
    ]
    assert full.soft_shown and full.withheld == 0
    assert [line.description for line in partial.lines] == ["Inadequate at the latest inspection"]
    assert partial.withheld == 1 and not partial.soft_shown
    assert "Soft intelligence" not in str(partial)


def test_the_scope_gives_officers_both_tracks_boards_maintained_schools_and_leaders_nothing() -> (
    None
):
    world()
    from convenor.core.permissions import active_roles
    from convenor.schools.models import Establishment

    def scope(user: User) -> service.CategoryScope:
        return service.category_scope(active_roles(user))

    good, fareham, academy = (
        Establishment.objects.get(urn=u) for u in (GOOD, INADEQUATE, ACADEMY_RI)
    )
    head_on_board = board_member()
    assign_role(head_on_board, Role.SCHOOL_LEADER, actor="test", school_urn=GOOD)
    officer_scope, board_scope, head_scope = (
        scope(u) for u in (officer(), board_member("Fareham"), head_on_board)
    )
    assert officer_scope.capacity(academy, "academy") == "officer"
    assert officer_scope.reads_soft(good)
    assert board_scope.capacity(fareham, "maintained") == "board"
    assert board_scope.capacity(good, "maintained") is None  # another area
    assert not board_scope.reads_soft(fareham)
    assert head_scope.leads(good) and not head_scope.can_review(good)
    assert head_scope.capacity(good, "maintained") is None
    assert head_scope.capacity(academy, "academy") is None  # boards never decide academies
