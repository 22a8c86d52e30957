"""The support directory: adding and updating providers, and who manages each entry.

A provider offers places a term by intensity band (:mod:`convenor.brokerage.capacity`);
the days its places stand for at the bands' default days must fit in a term.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from convenor.brokerage.capacity import BANDS, PLACE_FIELDS, days_for
from convenor.brokerage.models import (
    MAX_DAYS_PER_TERM,
    ORGANISATION_DESIGNATIONS,
    PERSON_DESIGNATIONS,
    Designation,
    Expertise,
    ProviderKind,
    ProviderManager,
    SupportPhase,
    SupportProvider,
)
from convenor.brokerage.models.vocabulary import choice_problems
from convenor.brokerage.services.common import (
    Errors,
    add_error,
    as_decimal,
    changes,
    check_choice,
    check_la,
    check_text,
    iso,
    money,
    raise_if,
    school_or_error,
)
from convenor.core.services import Actor, actor_fields, record_audit
from convenor.schools.models import Establishment

# The fields update_provider may change; the rest (LA, kind, creator) are fixed.
UPDATABLE = (
    "name",
    "designation",
    "home_urn",
    "expertise",
    "phases",
    "summary",
    "places_high",
    "places_medium",
    "places_low",
    "easting",
    "northing",
    "available_from",
    "available_to",
    "cost_per_day",
    "credits_per_day",
)


def _detail(provider: SupportProvider) -> dict[str, Any]:
    return {
        "la_code": provider.la_code,
        "name": provider.name,
        "kind": provider.kind,
        "designation": provider.designation,
        "home_urn": provider.home_urn,
        "expertise": list(provider.expertise),
        "phases": list(provider.phases),
        "summary": provider.summary,
        "places_high": provider.places_high,
        "places_medium": provider.places_medium,
        "places_low": provider.places_low,
        "easting": provider.easting,
        "northing": provider.northing,
        "available_from": iso(provider.available_from),
        "available_to": iso(provider.available_to),
        "cost_per_day": money(provider.cost_per_day),
        "credits_per_day": provider.credits_per_day,
        "synthetic": provider.synthetic,
    }


@dataclass(frozen=True)
class _Place:
    easting: int
    northing: int
    from_home_school: bool


def _locate(
    errors: Errors, home_urn: int | None, easting: int | None, northing: int | None
) -> _Place | None:
    """The location given, or else the home school's from the register."""
    if easting is not None and northing is not None:
        return _Place(easting, northing, False)
    home = Establishment.objects.filter(urn=home_urn).first() if home_urn is not None else None
    if home is not None and home.easting is not None and home.northing is not None:
        return _Place(home.easting, home.northing, True)
    add_error(
        errors,
        "easting",
        "Give a location (easting and northing), or a home school whose location "
        "the register knows.",
    )
    return None


def _check_places(provider: SupportProvider, errors: Errors) -> None:
    """Each band's places a whole number, at least one place, and a term's days at most."""
    places: dict[str, int] = {}
    for band in BANDS:
        field = PLACE_FIELDS[band]
        value = getattr(provider, field)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            add_error(errors, field, f"Enter {band}-intensity places as a whole number, 0 or more.")
        else:
            places[band] = value
    if len(places) < len(BANDS):
        return
    first = PLACE_FIELDS[BANDS[0]]
    if sum(places.values()) == 0:
        add_error(errors, first, "Offer at least one place, in any band.")
        return
    days = days_for(places)
    if days > MAX_DAYS_PER_TERM:
        add_error(
            errors,
            first,
            f"These places stand for {days} days; a term has at most {MAX_DAYS_PER_TERM}. "
            "Offer fewer places.",
        )


def _check(provider: SupportProvider, errors: Errors) -> None:
    """Check ``provider``'s fields other than its location."""
    check_text(errors, "name", provider.name, "the provider's name")
    check_choice(errors, "kind", provider.kind, ProviderKind, "a person or an organisation")
    check_choice(errors, "designation", provider.designation, Designation, "a designation")
    if provider.kind == ProviderKind.ORGANISATION and provider.designation in PERSON_DESIGNATIONS:
        add_error(errors, "designation", "Only a person holds that designation.")
    if provider.kind == ProviderKind.PERSON and provider.designation in ORGANISATION_DESIGNATIONS:
        add_error(errors, "designation", "Only an organisation holds that designation.")
    for problem in choice_problems(provider.expertise, Expertise, "area of expertise"):
        add_error(errors, "expertise", problem)
    for problem in choice_problems(provider.phases, SupportPhase, "phase"):
        add_error(errors, "phases", problem)
    _check_places(provider, errors)
    if provider.home_urn is not None:
        school_or_error(errors, "home_urn", provider.home_urn)
    if provider.available_to is not None and provider.available_to < provider.available_from:
        add_error(errors, "available_to", "Availability cannot end before it starts.")
    if provider.cost_per_day is not None:
        cost = as_decimal(errors, "cost_per_day", provider.cost_per_day, "the cost a day")
        if cost is not None and cost < 0:
            add_error(errors, "cost_per_day", "The cost a day cannot be negative.")


@transaction.atomic
def add_provider(
    *,
    actor: Actor,
    la_code: int,
    name: str,
    kind: str,
    designation: str,
    expertise: Sequence[str],
    phases: Sequence[str],
    available_from: date,
    places_high: int = 0,
    places_medium: int = 0,
    places_low: int = 0,
    home_urn: int | None = None,
    easting: int | None = None,
    northing: int | None = None,
    available_to: date | None = None,
    cost_per_day: Decimal | None = None,
    credits_per_day: int | None = None,
    summary: str = "",
    managers: Sequence[User] = (),
    synthetic: bool = False,
) -> SupportProvider:
    """Add a provider to an LA's support directory.

    Expertise and phases come from their controlled lists. ``places_*`` are the
    schools it can support a term in each intensity band: at least one place, standing
    for at most a term's days (12 a high place, 6 a medium, 3 a low). The location is the
    easting and northing given, or else the home school's from the register. A
    person may not hold an organisation's designation (trust, traded service) nor an
    organisation a person's (NLE, LLE, SLE, lead head teacher). ``managers`` may
    update the entry and record its support from today. Raises ``ValidationError``
    keyed by argument name. Writes a ``provider.added`` audit event.
    """
    errors: Errors = {}
    place = _locate(errors, home_urn, easting, northing)
    provider = SupportProvider(
        la_code=la_code,
        name=name.strip(),
        kind=kind,
        designation=designation,
        home_urn=home_urn,
        expertise=list(expertise),
        phases=list(phases),
        summary=summary.strip(),
        places_high=places_high,
        places_medium=places_medium,
        places_low=places_low,
        easting=place.easting if place else 0,
        northing=place.northing if place else 0,
        location_from_home_school=place.from_home_school if place else False,
        available_from=available_from,
        available_to=available_to,
        cost_per_day=cost_per_day,
        credits_per_day=credits_per_day,
        synthetic=synthetic,
        created_by=actor_fields(actor)["actor"],
    )
    check_la(errors, "la_code", la_code)
    _check(provider, errors)
    raise_if(errors)
    provider.save()
    record_audit(
        "provider.added",
        actor=actor,
        object_type="support_provider",
        object_id=provider.pk,
        **_detail(provider),
    )
    for user in managers:
        add_provider_manager(provider, actor=actor, user=user, starts=available_from)
    return provider


@transaction.atomic
def update_provider(provider: SupportProvider, *, actor: Actor, **values: Any) -> SupportProvider:
    """Change some of a provider's fields (any of ``UPDATABLE``), checked as when added.

    Giving ``home_urn`` without a location moves the provider to that school. Ending
    availability is ``available_to``: entries are never deleted, since matches and
    plans refer to them. Writes a ``provider.updated`` event with each field's old
    and new value; nothing is written when nothing changes.
    """
    unknown = sorted(set(values) - set(UPDATABLE))
    if unknown:
        raise TypeError(f"update_provider cannot change {', '.join(unknown)}")
    current = SupportProvider.objects.select_for_update().get(pk=provider.pk)
    before = _detail(current)
    errors: Errors = {}
    located = {"easting", "northing"} & set(values)
    place = None
    if located:
        east = values.get("easting", current.easting)
        place = _locate(errors, None, east, values.get("northing", current.northing))
    elif values.get("home_urn") is not None:
        # A new home school without a location moves the provider to that school.
        place = _locate(errors, values["home_urn"], None, None)
    for field, value in values.items():
        setattr(current, field, value.strip() if isinstance(value, str) else value)
    if place is not None:
        current.easting, current.northing = place.easting, place.northing
        current.location_from_home_school = place.from_home_school
    _check(current, errors)
    raise_if(errors)
    after = _detail(current)
    changed = changes(before, after)
    if not changed:
        return current
    current.save()
    provider.refresh_from_db()
    record_audit(
        "provider.updated",
        actor=actor,
        object_type="support_provider",
        object_id=current.pk,
        changes=changed,
    )
    return current


@transaction.atomic
def add_provider_manager(
    provider: SupportProvider,
    *,
    actor: Actor,
    user: User,
    starts: date,
    ends: date | None = None,
) -> ProviderManager:
    """Let ``user`` manage ``provider``'s entry and record its support between the dates.

    Refused when they already manage it on some of those dates. Writes
    ``provider.manager_added``.
    """
    errors: Errors = {}
    if ends is not None and ends < starts:
        add_error(errors, "ends", "The end date cannot be before the start date.")
    held = provider.managers.filter(user_id=user.pk).exclude(ends__lt=starts)
    if ends is not None:
        held = held.filter(starts__lte=ends)
    if held.exists():
        add_error(errors, "user", f"{user.get_username()} already manages this entry then.")
    raise_if(errors)
    manager = ProviderManager.objects.create(provider=provider, user=user, starts=starts, ends=ends)
    record_audit(
        "provider.manager_added",
        actor=actor,
        object_type="support_provider",
        object_id=provider.pk,
        user=user.get_username(),
        starts=iso(starts),
        ends=iso(ends),
    )
    return manager


@transaction.atomic
def end_provider_manager(manager: ProviderManager, *, actor: Actor, ends: date) -> None:
    """Stop ``manager`` managing the entry after ``ends``. Writes ``provider.manager_ended``."""
    current = ProviderManager.objects.select_for_update().get(pk=manager.pk)
    errors: Errors = {}
    if current.ends is not None:
        add_error(errors, "ends", "This manager's access has already ended.")
    elif ends < current.starts:
        add_error(errors, "ends", "The end date cannot be before the start date.")
    raise_if(errors)
    current.ends = ends
    current.save(update_fields=["ends"])
    manager.refresh_from_db()
    record_audit(
        "provider.manager_ended",
        actor=actor,
        object_type="support_provider",
        object_id=current.provider_id,
        user=current.user.get_username(),
        ends=iso(ends),
    )
