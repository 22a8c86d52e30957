"""The support directory's filters, and the form that adds or updates a provider's entry.

The forms read what was typed; the services check it (ADR 0011), and a view shows
their ``ValidationError`` beside the fields, whose names are the services' arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from convenor.brokerage.capacity import BANDS, PLACE_FIELDS
from convenor.brokerage.forms.fields import (
    FilterForm,
    checkboxes,
    day_field,
    line_field,
    number_field,
    radios,
    select,
    set_choices,
    text_field,
    whole_field,
)
from convenor.brokerage.models import (
    DEFAULT_DAYS_PER_TERM,
    Band,
    Designation,
    Expertise,
    ProviderKind,
    SupportPhase,
)

SORTS = ("name", "rating", "left", "designation")
DEFAULT_SORT, DEFAULT_ORDER = "name", "asc"


class DirectoryFilterForm(FilterForm):
    """Which providers the directory lists, available on which day, in which order."""

    q = forms.CharField(
        label="Name or expertise",
        help_text="All or part of a provider's name or description, or an area of expertise",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    designation = select("Designation", [("", "Any designation"), *Designation.choices])
    expertise = select("Expertise", [("", "Any expertise"), *Expertise.choices])
    phase = select("Phase", [("", "Any phase"), *SupportPhase.choices])
    available_on = day_field("Available on", "Blank: today", required=False)
    place_in = select(
        "Has a place left in",
        [("", "Any band"), *((b, f"{Band(b).label} intensity") for b in BANDS)],
    )
    la = select("Local authority")
    area = select("Area")
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    order = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")])

    def __init__(self, data: Any, *, las: Sequence[tuple[int, str]], areas: Sequence[str]) -> None:
        super().__init__(data)
        set_choices(self, "la", [("", "Every LA"), *((str(c), n) for c, n in las)])
        set_choices(self, "area", [("", "Every area"), *((a, a) for a in areas)])

    @property
    def day(self) -> date:
        if self.is_valid() and self.cleaned_data.get("available_on"):
            chosen: date = self.cleaned_data["available_on"]
            return chosen
        return timezone.localdate()

    @property
    def sort_order(self) -> tuple[str, str]:
        return (self.value("sort", DEFAULT_SORT), self.value("order", DEFAULT_ORDER))


def places_field(band: str) -> forms.IntegerField:
    """Places a term in one band: blank is none. The service checks the whole offer (at
    least one place, at most a term's days), which the page's introduction explains."""
    days = DEFAULT_DAYS_PER_TERM[band]
    return whole_field(
        f"{Band(band).label}-intensity places this term",
        f"Schools you can support at {band} intensity, about {days} days a term each. Blank: none",
    )


class ProviderForm(forms.Form):
    """A provider's entry. ``homes``: the schools a school leader may offer support from
    (then the home school is required); ``las``: the LAs an officer may add to."""

    name = line_field("Name", "A person's name, or an organisation's")
    kind = radios(
        "Person or organisation", ProviderKind.choices, "Choose a person or an organisation"
    )
    designation = forms.ChoiceField(
        label="Designation",
        choices=[("", "Choose a designation"), *Designation.choices],
        error_messages={
            "required": "Choose a designation",
            "invalid_choice": "Choose a designation",
        },
    )
    la_code = forms.TypedChoiceField(
        label="Local authority",
        coerce=int,
        error_messages={"required": "Choose the LA", "invalid_choice": "Choose the LA"},
    )
    home_urn = forms.TypedChoiceField(
        label="Home school",
        coerce=int,
        error_messages={
            "required": "Choose the school you offer support from",
            "invalid_choice": "Choose the school you offer support from",
        },
    )
    expertise = checkboxes("Areas of expertise", Expertise, "Choose at least one area of expertise")
    phases = checkboxes("Phases", SupportPhase, "Choose at least one phase")
    summary = text_field("Summary of the support offered", required=False)
    places_high = places_field(Band.HIGH)
    places_medium = places_field(Band.MEDIUM)
    places_low = places_field(Band.LOW)
    easting = whole_field("Easting", "Blank: the home school's location from the register")
    northing = whole_field("Northing", "Blank: the home school's location from the register")
    available_from = day_field("Available from")
    available_to = day_field("Available until", "Blank: open-ended", required=False)
    cost_per_day = number_field(
        "Cost a day in pounds", "Blank: no charge in money", required=False, places=2
    )
    credits_per_day = whole_field("Credits a day", "Blank: not offered for credits")

    def __init__(
        self,
        data: Any = None,
        *,
        las: Sequence[tuple[int, str]] = (),
        homes: Sequence[tuple[int, str]] = (),
        editing: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        if homes:
            set_choices(self, "home_urn", [("", "Choose a school"), *homes])
            del self.fields["la_code"]
        else:
            self.fields["home_urn"] = whole_field(
                "Home school URN", "Optional: the school the support comes from"
            )
            if len(las) == 1 or editing:
                del self.fields["la_code"]
            else:
                set_choices(self, "la_code", [("", "Choose an LA"), *((c, n) for c, n in las)])
        if editing:
            del self.fields["kind"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in PLACE_FIELDS.values():
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = 0
        if (cleaned.get("easting") is None) != (cleaned.get("northing") is None):
            self.add_error("northing", "Give both easting and northing, or neither")
        return cleaned
