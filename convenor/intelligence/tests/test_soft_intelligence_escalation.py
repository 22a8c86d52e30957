"""The register of concern: the pure escalation rule, and the register built from the database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from convenor.analytics.concern import EntryFacts, RuleFacts, assess_concern
from convenor.core.models import AuditEvent, Role
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.intelligence.models import (
    TERM_DAYS,
    ConcernRule,
    Sensitivity,
    SoftIntelligenceKind,
    WindowUnit,
)
from convenor.intelligence.querysets import intelligence_scope
from convenor.intelligence.services import register_of_concern, rule_facts
from convenor.intelligence.tests.factories import ConcernRuleFactory, SoftIntelligenceEntryFactory
from convenor.schools.tests.factories import (
    EstablishmentFactory,
    LocalAuthorityFactory,
    UrnLookupFactory,
)

AS_AT = date(2020, 3, 31)
THREE_IN_TWO_TERMS = RuleFacts(
    threshold=3,
    window_days=2 * TERM_DAYS,
    window_words="2 terms",
    description="3 in 2 terms, from 1 Sep 2019",
)


def _entry(observed_on: date, **values: object) -> EntryFacts:
    facts: dict[str, object] = {
        "observed_on": observed_on,
        "expires_on": observed_on + timedelta(days=730),
        "kind": SoftIntelligenceKind.PARENTAL_COMPLAINT,
    }
    return EntryFacts(**{**facts, **values})  # type: ignore[arg-type]


# --- The pure rule ----------------------------------------------------------------


def test_it_fires_at_three_entries_in_two_terms_and_says_why() -> None:
    entries = [_entry(date(2020, 1, 10)), _entry(date(2019, 11, 5)), _entry(date(2019, 9, 2))]
    assessment = assess_concern(entries, THREE_IN_TWO_TERMS, AS_AT)
    assert assessment.fires
    assert (assessment.live, assessment.counted) == (3, 3)
    assert assessment.last_observed == date(2020, 1, 10)
    assert assessment.reason == (
        "3 entries in the last 2 terms (rule: 3 in 2 terms, from 1 Sep 2019)"
    )


def test_it_does_not_fire_below_the_threshold_and_says_what_it_needs() -> None:
    assessment = assess_concern([_entry(date(2020, 1, 10))], THREE_IN_TWO_TERMS, AS_AT)
    assert not assessment.fires
    assert assessment.reason == (
        "1 entry in the last 2 terms; the rule needs 3 (rule: 3 in 2 terms, from 1 Sep 2019)"
    )


def test_it_counts_only_entries_inside_the_window() -> None:
    first_day = AS_AT - timedelta(days=2 * TERM_DAYS - 1)
    entries = [_entry(first_day), _entry(first_day - timedelta(days=1)), _entry(AS_AT)]
    assessment = assess_concern(entries, THREE_IN_TWO_TERMS, AS_AT)
    # All three are live (two years' expiry); the one a day before the window is not counted.
    assert (assessment.live, assessment.counted, assessment.fires) == (3, 2, False)


def test_it_counts_only_the_kinds_the_rule_names() -> None:
    rule = RuleFacts(
        threshold=2,
        window_days=365,
        kinds=frozenset({SoftIntelligenceKind.FINANCE}),
        window_words="365 days",
        description="2 in 365 days (finance or deficit only)",
    )
    entries = [
        _entry(date(2020, 1, 1), kind=SoftIntelligenceKind.FINANCE),
        _entry(date(2020, 2, 1)),
        _entry(date(2020, 3, 1)),
    ]
    assessment = assess_concern(entries, rule, AS_AT)
    assert (assessment.counted, assessment.fires) == (1, False)
    assert "of the kinds it counts" in assessment.reason


def test_it_counts_overdue_follow_ups_as_at_the_date() -> None:
    entries = [
        _entry(date(2020, 1, 1), follow_up_due=date(2020, 2, 1)),
        _entry(
            date(2020, 1, 1), follow_up_due=date(2020, 2, 1), follow_up_done_on=date(2020, 3, 1)
        ),
        _entry(
            date(2020, 1, 1), follow_up_due=date(2020, 2, 1), follow_up_done_on=date(2020, 6, 1)
        ),
        _entry(date(2020, 3, 1), follow_up_due=date(2020, 4, 30)),
    ]
    # Done after the as-at date is not done yet as at it; due after it is not overdue.
    assert assess_concern(entries, THREE_IN_TWO_TERMS, AS_AT).overdue_follow_ups == 2


def test_it_never_fires_without_a_rule() -> None:
    entries = [_entry(date(2020, 1, d)) for d in range(1, 6)]
    assessment = assess_concern(entries, None, AS_AT)
    assert not assessment.fires
    assert assessment.live == 5
    assert assessment.reason == "No escalation rule was in force on 31 Mar 2020."


days = st.dates(min_value=date(2017, 1, 1), max_value=date(2021, 12, 31))
facts = st.builds(
    EntryFacts,
    observed_on=days,
    expires_on=days,
    kind=st.sampled_from(SoftIntelligenceKind.values),
    withdrawn=st.booleans(),
    follow_up_due=st.none() | days,
    follow_up_done_on=st.none() | days,
)
rules = st.builds(
    RuleFacts,
    threshold=st.integers(1, 6),
    window_days=st.integers(1, 800),
    kinds=st.frozensets(st.sampled_from(SoftIntelligenceKind.values), max_size=3),
)


@given(st.lists(facts, max_size=12), facts, rules, days)
def test_adding_an_entry_never_unfires_the_rule(
    entries: list[EntryFacts], extra: EntryFacts, rule: RuleFacts, as_at: date
) -> None:
    before = assess_concern(entries, rule, as_at)
    after = assess_concern([*entries, extra], rule, as_at)
    assert after.counted >= before.counted
    assert after.fires or not before.fires


@given(st.lists(facts, max_size=12), facts, rules, days)
def test_expired_withdrawn_and_later_entries_never_count(
    entries: list[EntryFacts], extra: EntryFacts, rule: RuleFacts, as_at: date
) -> None:
    before = assess_concern(entries, rule, as_at)
    for ignored in (
        EntryFacts(**{**extra.__dict__, "withdrawn": True}),
        EntryFacts(**{**extra.__dict__, "expires_on": min(extra.expires_on, as_at)}),
        EntryFacts(**{**extra.__dict__, "observed_on": as_at + timedelta(days=1)}),
    ):
        assert assess_concern([*entries, ignored], rule, as_at) == before


@given(st.lists(facts, max_size=12), rules, days)
def test_it_fires_exactly_when_the_count_reaches_the_threshold(
    entries: list[EntryFacts], rule: RuleFacts, as_at: date
) -> None:
    assessment = assess_concern(entries, rule, as_at)
    assert assessment.fires == (assessment.counted >= rule.threshold)
    assert assessment.counted <= assessment.live <= len(entries)


# --- Rules in words ---------------------------------------------------------------


def test_a_rule_in_terms_counts_a_term_as_122_days() -> None:
    rule = ConcernRule(
        la_code=850,
        name="Three in two terms",
        threshold=3,
        window_length=2,
        window_unit=WindowUnit.TERMS,
        kinds=[],
        effective_from=date(2019, 9, 1),
    )
    assert rule.window_days == 244
    assert rule.description == "3 in 2 terms, from 1 Sep 2019"
    facts = rule_facts(rule)
    assert (facts.threshold, facts.window_days, facts.kinds) == (3, 244, frozenset())


def test_a_rule_in_days_names_its_kinds() -> None:
    rule = ConcernRule(
        la_code=850,
        name="Money",
        threshold=2,
        window_length=1,
        window_unit=WindowUnit.DAYS,
        kinds=[SoftIntelligenceKind.FINANCE, SoftIntelligenceKind.GOVERNANCE],
        effective_from=date(2020, 1, 6),
    )
    assert rule.window_days == 1
    assert rule.description == "2 in 1 day (governance, finance or deficit only), from 6 Jan 2020"


# --- The register from the database -----------------------------------------------


@pytest.fixture
def officer():
    LocalAuthorityFactory.create(code=850)
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=Role.LA_OFFICER)
    return user


def _scope(user):
    return intelligence_scope(user.role_assignments.all())


@pytest.mark.django_db
def test_the_register_fires_for_a_school_with_three_live_entries(officer) -> None:
    ConcernRuleFactory.create()
    busy = EstablishmentFactory.create(name="Busy Primary")
    quiet = EstablishmentFactory.create(name="Quiet Primary")
    for day in (date(2019, 10, 1), date(2020, 1, 15), date(2020, 3, 2)):
        SoftIntelligenceEntryFactory.create(urn=busy.urn, observed_on=day)
    SoftIntelligenceEntryFactory.create(urn=quiet.urn)
    SoftIntelligenceEntryFactory.create(
        urn=quiet.urn, withdrawn_at="2020-03-03T10:00Z", withdrawn_reason="Wrong school"
    )
    register = register_of_concern(_scope(officer), actor=officer, as_at=AS_AT)
    assert [(r.school.name, r.assessment.live, r.assessment.fires) for r in register.rows] == [
        ("Busy Primary", 3, True),
        ("Quiet Primary", 1, False),
    ]
    assert register.firing == 1


@pytest.mark.django_db
def test_the_register_uses_the_rule_in_force_on_the_date(officer) -> None:
    ConcernRuleFactory.create(effective_from=date(2019, 9, 1), threshold=3)
    ConcernRuleFactory.create(effective_from=date(2020, 3, 1), threshold=2, name="Stricter")
    school = EstablishmentFactory.create()
    SoftIntelligenceEntryFactory.create(urn=school.urn, observed_on=date(2020, 1, 10))
    SoftIntelligenceEntryFactory.create(urn=school.urn, observed_on=date(2020, 2, 10))
    scope = _scope(officer)
    before = register_of_concern(scope, actor=officer, as_at=date(2020, 2, 29)).rows[0]
    after = register_of_concern(scope, actor=officer, as_at=date(2020, 3, 1)).rows[0]
    assert (before.rule and before.rule.threshold, before.assessment.fires) == (3, False)
    assert (after.rule and after.rule.name, after.assessment.fires) == ("Stricter", True)


@pytest.mark.django_db
def test_the_register_counts_a_predecessor_urns_entries_for_the_school(officer) -> None:
    ConcernRuleFactory.create(threshold=2)
    old = EstablishmentFactory.create(status="Closed", name="Old Primary")
    new = EstablishmentFactory.create(name="New Academy")
    UrnLookupFactory.create(old_urn=old.urn, latest_urn=new.urn)
    SoftIntelligenceEntryFactory.create(urn=old.urn, observed_on=date(2019, 12, 1))
    SoftIntelligenceEntryFactory.create(urn=new.urn, observed_on=date(2020, 2, 1))
    rows = register_of_concern(_scope(officer), actor=officer, as_at=AS_AT).rows
    assert [(r.school.name, r.assessment.live, r.assessment.fires, r.urns) for r in rows] == [
        ("New Academy", 2, True, (old.urn, new.urn))
    ]


@pytest.mark.django_db
def test_the_register_filters_by_district_rule_and_overdue_follow_up(officer) -> None:
    ConcernRuleFactory.create(threshold=2)
    firing = EstablishmentFactory.create(district="Winchester")
    overdue = EstablishmentFactory.create(district="Gosport")
    for day in (date(2020, 1, 1), date(2020, 2, 1)):
        SoftIntelligenceEntryFactory.create(urn=firing.urn, observed_on=day)
    SoftIntelligenceEntryFactory.create(
        urn=overdue.urn, follow_up="Call the head", follow_up_due=date(2020, 3, 16)
    )
    scope = _scope(officer)

    def urns(**filters: object) -> list[int]:
        register = register_of_concern(scope, actor=officer, as_at=AS_AT, **filters)  # type: ignore[arg-type]
        return [row.school.urn for row in register.rows]

    assert urns() == [firing.urn, overdue.urn]
    assert urns(district="Gosport") == [overdue.urn]
    assert urns(fires_only=True) == [firing.urn]
    assert urns(overdue_only=True) == [overdue.urn]


@pytest.mark.django_db
def test_the_register_audits_each_school_it_lists(officer) -> None:
    school = EstablishmentFactory.create()
    SoftIntelligenceEntryFactory.create_batch(2, urn=school.urn)
    register_of_concern(_scope(officer), actor=officer, as_at=AS_AT, via="register export")
    event = AuditEvent.objects.get(action="soft_intelligence.viewed")
    assert (event.actor, event.object_type, event.object_id) == (officer, "school", str(school.urn))
    assert event.detail == {
        "urn": school.urn,
        "entries": 2,
        "via": "register export",
        "as_at": "2020-03-31",
    }


@pytest.mark.django_db
def test_the_register_reads_in_a_fixed_number_of_queries(officer) -> None:
    ConcernRuleFactory.create()
    scope = _scope(officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            register_of_concern(scope, actor=officer, as_at=AS_AT)
        return len(captured)

    school = EstablishmentFactory.create()
    SoftIntelligenceEntryFactory.create(urn=school.urn)
    few = queries()
    for _ in range(5):
        school = EstablishmentFactory.create()
        SoftIntelligenceEntryFactory.create_batch(
            3, urn=school.urn, sensitivity=Sensitivity.RESTRICTED
        )
    assert queries() == few
