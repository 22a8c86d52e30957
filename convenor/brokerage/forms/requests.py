"""Raising and withdrawing a support request, and the requests list's filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from convenor.brokerage.forms.fields import (
    FilterForm,
    checkboxes,
    day_field,
    number_field,
    radios,
    select,
    text_field,
    whole_field,
)
from convenor.brokerage.models import (
    DEFAULT_DAYS_PER_TERM,
    Band,
    Expertise,
    FundingSource,
    RequestStatus,
    Urgency,
)

_DEFAULT_DAYS = ", ".join(f"{Band(b).label.lower()} {d}" for b, d in DEFAULT_DAYS_PER_TERM.items())


class RequestForm(forms.Form):
    """A school's request for support. ``prompted`` appears only when the school has a
    category decision that may have prompted it."""

    areas = checkboxes(
        "Areas of need",
        Expertise,
        "Choose at least one area of need",
        "Choose every area the school needs support with",
    )
    intensity = radios(
        "How intensive is the need?", Band.choices, "Choose how intensive the need is"
    )
    urgency = radios("How urgent is it?", Urgency.choices, "Choose how urgent it is")
    funding_source = radios(
        "How will the support be paid for?",
        FundingSource.choices,
        "Choose how the support will be paid for",
    )
    days_per_term = number_field(
        "Days of support needed a term",
        f"Blank: by intensity ({_DEFAULT_DAYS})",
        required=False,
    )
    raised_on = day_field("Date raised", "Blank: today", required=False)
    notes = text_field(
        "Notes for the broker",
        "Seen by the LA's brokers and the school's leaders, never by providers",
        required=False,
    )
    prompted = forms.BooleanField(required=False)

    def __init__(self, data: Any = None, *, prompt: str = "", **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        if prompt:
            self.fields["prompted"].label = prompt
        else:
            del self.fields["prompted"]


class SchoolForm(forms.Form):
    """Which school a request is for: a URN typed, or one of the reader's own schools."""

    urn = forms.TypedChoiceField(
        label="School",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the school",
            "invalid_choice": "Choose the school",
        },
    )

    def __init__(self, data: Any = None, *, schools: Sequence[tuple[int, str]]) -> None:
        super().__init__(data)
        if schools:
            field = self.fields["urn"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = list(schools)
        else:
            self.fields["urn"] = whole_field("School URN", required=True)


class WithdrawForm(forms.Form):
    reason = text_field("Why is the request withdrawn?")
    on = day_field("Date withdrawn", "Blank: today", required=False)


STATUS_FILTERS = [
    ("", "Open or matched"),
    *RequestStatus.choices,
    ("all", "Every request"),
]


class RequestFilterForm(FilterForm):
    q = forms.CharField(
        label="School name or URN",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    status = select("Status", STATUS_FILTERS)
    area = select("Area of need", [("", "Any area"), *Expertise.choices])
    urgency = select("Urgency", [("", "Any urgency"), *Urgency.choices])
