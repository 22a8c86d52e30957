"""Support directory services: controlled lists, locations, updates and managers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from convenor.brokerage.models import (
    Designation,
    Expertise,
    ProviderKind,
    SupportPhase,
    SupportProvider,
)
from convenor.brokerage.services import (
    add_provider,
    add_provider_manager,
    end_provider_manager,
    update_provider,
)
from convenor.brokerage.tests.factories import (
    SupportProviderFactory,
    hampshire_school,
    latest_event,
)
from convenor.core.models import AuditEvent
from convenor.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory.create(username="officer")


def _add(officer, **values):
    fields = {
        "la_code": 850,
        "name": " Pat Head ",
        "kind": ProviderKind.PERSON,
        "designation": Designation.NLE,
        "expertise": [Expertise.LEADERSHIP, Expertise.KS2_MATHS],
        "phases": [SupportPhase.PRIMARY],
        "places_high": 1,
        "places_low": 1,
        "available_from": date(2019, 9, 1),
    }
    return add_provider(actor=officer, **{**fields, **values})


def test_it_adds_a_provider_located_at_its_home_school_and_audits_it(officer) -> None:
    home = hampshire_school(easting=451234, northing=128765)
    leader = UserFactory.create(username="leader")
    provider = _add(officer, home_urn=home.urn, managers=[leader], cost_per_day=Decimal("500"))
    provider.refresh_from_db()
    assert provider.name == "Pat Head"
    assert (provider.easting, provider.northing) == (451234, 128765)
    assert provider.location_from_home_school
    assert provider.expertise == ["leadership", "ks2_maths"]
    assert list(provider.managers.values_list("user__username", flat=True)) == ["leader"]
    event = latest_event("provider.added")
    assert event.actor == officer
    assert (event.detail["places_high"], event.detail["places_medium"]) == (1, 0)
    assert (provider.places_low, provider.days_offered) == (1, 15)
    assert event.detail["cost_per_day"] == "500"
    assert latest_event("provider.manager_added").detail["user"] == "leader"


def test_a_given_location_wins_over_the_home_school(officer) -> None:
    home = hampshire_school()
    provider = _add(officer, home_urn=home.urn, easting=400000, northing=100000)
    assert (provider.easting, provider.northing) == (400000, 100000)
    assert not provider.location_from_home_school


def test_it_refuses_lists_out_of_the_vocabulary_and_mismatched_designations(officer) -> None:
    hampshire_school()
    with pytest.raises(ValidationError) as error:
        _add(
            officer,
            kind=ProviderKind.ORGANISATION,
            designation=Designation.NLE,
            expertise=["leadership", "astrology", "leadership"],
            phases=[],
            places_medium=11,
        )
    messages = error.value.message_dict
    assert set(messages) == {
        "designation",
        "expertise",
        "phases",
        "places_high",
        "easting",
    }
    assert messages["designation"] == ["Only a person holds that designation."]
    assert messages["expertise"] == [
        "Choose area of expertise from the list; not known: astrology.",
        "Give each area of expertise once.",
    ]
    # 1 high, 11 medium and 1 low place stand for 12 + 66 + 3 days.
    assert messages["places_high"] == [
        "These places stand for 81 days; a term has at most 65. Offer fewer places."
    ]
    with pytest.raises(ValidationError, match="Only an organisation"):
        _add(officer, designation=Designation.TRUST, easting=1, northing=1)
    assert not SupportProvider.objects.exists() and not AuditEvent.objects.exists()


def test_it_updates_fields_and_audits_old_and_new_values(officer) -> None:
    provider = SupportProviderFactory.create()
    update_provider(
        provider,
        actor=officer,
        places_high=0,
        places_low=5,
        available_to=date(2020, 7, 31),
        expertise=["send"],
    )
    provider.refresh_from_db()
    assert provider.places == {"high": 0, "medium": 2, "low": 5}
    changes = latest_event("provider.updated").detail["changes"]
    assert changes["available_to"] == [None, "2020-07-31"]
    assert changes["expertise"] == [["leadership"], ["send"]]
    assert changes["places_low"] == [2, 5]
    assert set(changes) == {"places_high", "places_low", "available_to", "expertise"}


@pytest.mark.parametrize(
    ("places", "message"),
    [
        ({}, "Offer at least one place, in any band."),
        (
            {"places_high": 3, "places_medium": 5},
            "These places stand for 66 days; a term has at most 65. Offer fewer places.",
        ),
    ],
)
def test_it_refuses_no_place_or_places_past_a_term(officer, places, message) -> None:
    provider = SupportProviderFactory.create()
    nothing = {"places_high": 0, "places_medium": 0, "places_low": 0}
    with pytest.raises(ValidationError) as error:
        update_provider(provider, actor=officer, **{**nothing, **places})
    assert error.value.message_dict == {"places_high": [message]}
    provider.refresh_from_db()
    assert provider.places == {"high": 2, "medium": 2, "low": 2}


def test_it_refuses_places_that_are_not_whole_numbers(officer) -> None:
    provider = SupportProviderFactory.create()
    with pytest.raises(ValidationError) as error:
        update_provider(provider, actor=officer, places_medium=-1, places_low="2")
    assert error.value.message_dict == {
        "places_medium": ["Enter medium-intensity places as a whole number, 0 or more."],
        "places_low": ["Enter low-intensity places as a whole number, 0 or more."],
    }


def test_the_database_holds_a_provider_to_a_place_within_a_term() -> None:
    provider = SupportProviderFactory.create()
    for places in ({"places_high": 0, "places_medium": 0, "places_low": 0}, {"places_low": 22}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SupportProvider.objects.filter(pk=provider.pk).update(**places)
    SupportProvider.objects.filter(pk=provider.pk).update(places_high=4, places_medium=1)
    assert SupportProvider.objects.get(pk=provider.pk).days_offered == 48 + 6 + 6


def test_an_update_that_changes_nothing_writes_nothing(officer) -> None:
    provider = SupportProviderFactory.create()
    update_provider(provider, actor=officer, name=provider.name)
    assert not AuditEvent.objects.exists()


def test_moving_home_school_moves_the_location_and_bad_updates_save_nothing(officer) -> None:
    provider = SupportProviderFactory.create()
    school = hampshire_school(easting=460000, northing=110000)
    update_provider(provider, actor=officer, home_urn=school.urn)
    assert (provider.easting, provider.northing) == (460000, 110000)
    with pytest.raises(ValidationError) as error:
        update_provider(
            provider, actor=officer, available_from=date(2021, 1, 1), available_to=date(2020, 1, 1)
        )
    assert "available_to" in error.value.message_dict
    provider.refresh_from_db()
    assert provider.available_to is None
    with pytest.raises(TypeError, match="cannot change la_code"):
        update_provider(provider, actor=officer, la_code=1)


def test_it_refuses_overlapping_manager_rights_and_ends_them_once(officer) -> None:
    provider = SupportProviderFactory.create()
    leader = UserFactory.create(username="leader")
    manager = add_provider_manager(provider, actor=officer, user=leader, starts=date(2019, 9, 1))
    with pytest.raises(ValidationError, match="already manages"):
        add_provider_manager(provider, actor=officer, user=leader, starts=date(2020, 1, 1))
    end_provider_manager(manager, actor=officer, ends=date(2019, 12, 31))
    assert manager.ends == date(2019, 12, 31)
    add_provider_manager(provider, actor=officer, user=leader, starts=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="already ended"):
        end_provider_manager(manager, actor=officer, ends=date(2020, 1, 31))
    assert latest_event("provider.manager_ended").detail == {"user": "leader", "ends": "2019-12-31"}
