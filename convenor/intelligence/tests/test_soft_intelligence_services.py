"""Soft intelligence services: each change is checked, atomic and audited; rules are versioned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from convenor.core.models import AuditEvent
from convenor.core.tests.factories import UserFactory
from convenor.intelligence.models import (
    Sensitivity,
    SoftIntelligenceEntry,
    SoftIntelligenceKind,
    WindowUnit,
)
from convenor.intelligence.services import (
    complete_follow_up,
    record_entry,
    rule_in_force,
    rules_in_force,
    set_concern_rule,
    withdraw_entry,
)
from convenor.intelligence.tests.factories import ConcernRuleFactory, SoftIntelligenceEntryFactory
from convenor.schools.tests.factories import EstablishmentFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    LocalAuthorityFactory.create(code=850)
    return EstablishmentFactory.create(urn=116336, district="Gosport")


@pytest.fixture
def officer():
    return UserFactory.create(username="officer")


def _record(school, actor, **values):
    fields = {
        "kind": SoftIntelligenceKind.GOVERNANCE,
        "source": "  Clerk to governors ",
        "observed_on": date(2020, 2, 3),
        "summary": " Two governor meetings not quorate. ",
    }
    return record_entry(school, actor=actor, **{**fields, **values})


def _audit(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


# Recording


def test_it_records_an_entry_with_a_two_year_expiry_and_audits_it(school, officer) -> None:
    entry = _record(school, officer)
    entry.refresh_from_db()
    assert (entry.urn, entry.author, entry.source, entry.summary) == (
        116336,
        officer,
        "Clerk to governors",
        "Two governor meetings not quorate.",
    )
    assert entry.expires_on == date(2022, 2, 2)
    assert entry.sensitivity == Sensitivity.STANDARD and not entry.synthetic
    event = _audit("soft_intelligence.recorded")
    assert (event.actor, event.object_type, event.object_id) == (
        officer,
        "soft_intelligence_entry",
        str(entry.pk),
    )
    assert event.detail == {
        "urn": 116336,
        "kind": "governance",
        "sensitivity": "standard",
        "observed_on": "2020-02-03",
        "synthetic": False,
    }


def test_it_never_copies_what_an_entry_says_into_the_audit_trail(school, officer) -> None:
    entry = _record(school, officer, follow_up="Ring the chair", follow_up_due=date(2020, 3, 1))
    withdraw_entry(entry, actor=officer, reason="Recorded against the wrong school")
    said = ("Clerk", "quorate", "Ring the chair", "wrong school")
    for event in AuditEvent.objects.all():
        assert not any(words in str(event.detail) for words in said)


@override_settings(CONVENOR_SOFT_INTELLIGENCE_EXPIRY_DAYS=365)
def test_it_takes_the_default_expiry_from_settings(school, officer) -> None:
    assert _record(school, officer).expires_on == date(2021, 2, 2)


def test_it_keeps_an_expiry_date_it_is_given(school, officer) -> None:
    assert _record(school, officer, expires_on=date(2020, 9, 1)).expires_on == date(2020, 9, 1)


def test_it_keeps_safeguarding_restricted(school, officer) -> None:
    with pytest.raises(ValidationError) as raised:
        _record(school, officer, kind=SoftIntelligenceKind.SAFEGUARDING)
    assert raised.value.message_dict == {
        "sensitivity": ["A safeguarding entry is always restricted: choose Restricted."]
    }
    entry = _record(
        school, officer, kind=SoftIntelligenceKind.SAFEGUARDING, sensitivity=Sensitivity.RESTRICTED
    )
    assert entry.sensitivity == Sensitivity.RESTRICTED


def test_it_rejects_bad_entries_naming_each_field(school, officer) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        _record(
            school,
            officer,
            kind="gossip",
            source=" ",
            observed_on=tomorrow,
            follow_up_due=tomorrow - timedelta(days=2),
        )
    errors = raised.value.message_dict
    assert set(errors) == {"kind", "source", "observed_on", "follow_up_due", "follow_up"}
    assert errors["observed_on"] == ["The date it happened cannot be in the future."]
    assert errors["follow_up"] == ["Say what the follow-up is, or leave the due date blank."]
    assert SoftIntelligenceEntry.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_it_rejects_an_expiry_on_or_before_the_date(school, officer) -> None:
    with pytest.raises(ValidationError) as raised:
        _record(school, officer, expires_on=date(2020, 2, 3))
    assert raised.value.message_dict == {
        "expires_on": ["The expiry date must be after the date it happened."]
    }


# Withdrawing


def test_it_withdraws_an_entry_with_a_reason_and_audits_it(school, officer) -> None:
    entry = SoftIntelligenceEntryFactory.create(urn=school.urn)
    withdraw_entry(entry, actor=officer, reason="  Wrong school ")
    entry.refresh_from_db()
    assert entry.is_withdrawn and entry.withdrawn_by == officer
    assert entry.withdrawn_reason == "Wrong school"
    assert not entry.is_live(date(2020, 3, 31))
    event = _audit("soft_intelligence.withdrawn")
    assert (event.actor, event.object_id, event.detail["urn"]) == (officer, str(entry.pk), 116336)
    assert SoftIntelligenceEntry.objects.filter(pk=entry.pk).exists()  # kept, never deleted


def test_it_needs_a_reason_to_withdraw(school, officer) -> None:
    entry = SoftIntelligenceEntryFactory.create(urn=school.urn)
    with pytest.raises(ValidationError) as raised:
        withdraw_entry(entry, actor=officer, reason="   ")
    assert raised.value.message_dict == {"reason": ["Say why the entry is being withdrawn."]}
    entry.refresh_from_db()
    assert not entry.is_withdrawn


def test_it_withdraws_an_entry_once(school, officer) -> None:
    entry = SoftIntelligenceEntryFactory.create(urn=school.urn)
    withdraw_entry(entry, actor=officer, reason="Duplicate")
    with pytest.raises(ValidationError, match="already been withdrawn"):
        withdraw_entry(entry, actor=officer, reason="Again")
    assert AuditEvent.objects.filter(action="soft_intelligence.withdrawn").count() == 1


# Follow-ups


def test_it_completes_a_follow_up_and_audits_it(school, officer) -> None:
    entry = SoftIntelligenceEntryFactory.create(
        urn=school.urn, follow_up="Visit", follow_up_due=date(2020, 3, 16)
    )
    assert entry.follow_up_overdue(date(2020, 3, 17))
    complete_follow_up(entry, actor=officer)
    entry.refresh_from_db()
    assert entry.follow_up_done_at is not None and entry.follow_up_done_by == officer
    assert not entry.follow_up_overdue(date(2020, 3, 17))
    event = _audit("soft_intelligence.follow_up_completed")
    assert event.detail["follow_up_due"] == "2020-03-16"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "no follow-up"),
        (
            {"follow_up": "Visit", "follow_up_done_at": "2020-03-01T09:00Z"},
            "already been completed",
        ),
        (
            {
                "follow_up": "Visit",
                "withdrawn_at": "2020-03-01T09:00Z",
                "withdrawn_reason": "Duplicate",
            },
            "withdrawn",
        ),
    ],
)
def test_it_refuses_a_follow_up_that_cannot_be_completed(
    school, officer, values: dict[str, object], message: str
) -> None:
    entry = SoftIntelligenceEntryFactory.create(urn=school.urn, **values)
    with pytest.raises(ValidationError, match=message):
        complete_follow_up(entry, actor=officer)
    assert not AuditEvent.objects.exists()


# Rules


def _rule(**values):
    fields = {
        "la_code": 850,
        "name": " Three in two terms ",
        "threshold": 3,
        "window_length": 2,
        "window_unit": WindowUnit.TERMS,
        "effective_from": date(2019, 9, 1),
    }
    return set_concern_rule(actor="test", **{**fields, **values})


def test_it_sets_a_rule_and_audits_it(school) -> None:
    rule = _rule(kinds=[SoftIntelligenceKind.FINANCE, SoftIntelligenceKind.PARENTAL_COMPLAINT])
    assert rule.name == "Three in two terms"
    # Kept in the order of the closed list, whatever order they came in.
    assert rule.kinds == ["parental_complaint", "finance"]
    event = _audit("concern_rule.set")
    assert (event.actor_label, event.object_id) == ("test", str(rule.pk))
    assert event.detail["effective_from"] == "2019-09-01"
    assert event.detail["threshold"] == 3


def test_the_rule_in_force_is_the_latest_that_has_taken_effect(school) -> None:
    first = _rule()
    second = _rule(threshold=2, effective_from=date(2020, 1, 6))
    assert rule_in_force(850, date(2019, 8, 31)) is None
    assert rule_in_force(850, date(2019, 9, 1)) == first
    assert rule_in_force(850, date(2020, 1, 5)) == first
    assert rule_in_force(850, date(2020, 1, 6)) == second
    assert rule_in_force(None, date(2020, 1, 6)) is None


def test_rules_are_kept_per_la(school) -> None:
    LocalAuthorityFactory.create(code=851)
    ours = ConcernRuleFactory.create(la_code=850)
    theirs = ConcernRuleFactory.create(la_code=851, threshold=5)
    assert rules_in_force([850, 851, 852], date(2020, 1, 1)) == {850: ours, 851: theirs}


def test_it_refuses_a_second_rule_on_the_same_day(school) -> None:
    _rule()
    with pytest.raises(ValidationError) as raised:
        _rule(threshold=4)
    assert raised.value.message_dict == {
        "effective_from": [
            "LA 850 already has a rule taking effect on 1 Sep 2019. "
            "Rules are never changed: choose another date."
        ]
    }


def test_it_rejects_bad_rules_naming_each_field(school) -> None:
    with pytest.raises(ValidationError) as raised:
        _rule(la_code=999, name="", threshold=0, window_unit="weeks", kinds=["gossip"])
    assert set(raised.value.message_dict) == {
        "la_code",
        "name",
        "threshold",
        "window_unit",
        "kinds",
    }
    assert not AuditEvent.objects.exists()
