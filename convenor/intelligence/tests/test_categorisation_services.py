"""Categorisation services: confirming categories, the academies track, frameworks, and
who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from convenor.analytics.categorisation import Clause
from convenor.core.models import AuditEvent, Role
from convenor.core.services import assign_role
from convenor.core.tests.factories import UserFactory
from convenor.intelligence import categorisation as service
from convenor.intelligence.models import (
    AcademyConcern,
    Category,
    CategoryDecision,
    CategoryFramework,
    DecidedAs,
)
from convenor.intelligence.tests.categorisation_world import (
    ACADEMY_GOOD,
    ACADEMY_RI,
    AS_AT,
    FRAMEWORKS_FROM,
    GOOD,
    INADEQUATE,
    LA,
    RI,
    board_member,
    category,
    decide,
    escalate,
    label,
    new_version,
    officer,
    proposal,
    user_with,
    world,
)
from convenor.schools.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db


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
    decision = decide(proposed, user)
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
    light_touch_plus = category(frameworks["maintained"], "Light touch+")
    with pytest.raises(ValidationError) as raised:
        decide(proposed, board_member(), light_touch_plus, DecidedAs.BOARD, rationale="   ")
    assert raised.value.message_dict == {
        "rationale": ["Say why the category differs from the proposal (Support and challenge)."]
    }
    assert not CategoryDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="category.decided").exists()


def test_it_records_a_change_with_its_rationale_but_keeps_it_out_of_the_audit_trail() -> None:
    frameworks = world()
    proposed = proposal(RI)
    decision = decide(
        proposed,
        board_member(),
        category(frameworks["maintained"], "Light touch+"),
        DecidedAs.BOARD,
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
        decide(
            proposed,
            officer(),
            category(frameworks["academy"], "Cause for concern"),
            rationale="Wrong list",
            review_due=AS_AT,
        )
    assert sorted(raised.value.message_dict) == ["decided_category", "review_due"]


def test_it_records_each_decision_and_the_latest_is_the_schools_category() -> None:
    frameworks = world()
    user = officer()
    maintained = frameworks["maintained"]
    first = decide(proposal(RI, date(2019, 1, 1)), user)
    second = decide(
        proposal(RI),
        user,
        category(maintained, "Support and challenge+"),
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
    later = new_version("2019 revision", date(2019, 4, 1), spec=spec)
    user = officer()
    early, late = (proposal(RI, day) for day in (date(2019, 3, 1), AS_AT))
    decisions = [decide(p, user) for p in (early, late)]
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
        decide(proposed, board_member(), decided_as=DecidedAs.BOARD)
    concern = AcademyConcern.objects.create(
        urn=ACADEMY_RI, concern="Results falling", raised_with_trust_on=date(2019, 7, 1)
    )
    decision = decide(proposed, officer(), academy_concern=concern)
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
            decide(
                proposed,
                officer() if urn == ACADEMY_RI else UserFactory.create(),
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
    with pytest.raises(ValidationError, match="Only administrators"):
        new_version("Mine", date(2030, 1, 1), actor=officer())
    admin = user_with(Role.ADMINISTRATOR, "admin")
    framework = new_version("Mine", date(2030, 1, 1), actor=admin)
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
        new_version("", FRAMEWORKS_FROM, categories=categories, rules=rules)
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
    decide(proposed, officer())
    with pytest.raises(ValidationError) as raised:
        new_version("Too early", AS_AT)
    assert raised.value.message_dict["effective_from"] == [
        "Categories have been decided on evidence as at 1 Sep 2019 under the framework then "
        "in force: a new version must take effect after that date."
    ]
    # The academies track has no decisions, so a version from that day is fine.
    new_version("Academies 2019", AS_AT, track="academy")


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
