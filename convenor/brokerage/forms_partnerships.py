"""Forms of the partnership pages: structures, members, meetings, the connectedness and
impact reports, credits statements and exchanges.

The forms only read what was typed. Whether a date falls within a structure's, whether a
school is already a member, whether a posting balances and leaves no school below zero
are the services' rules (:mod:`convenor.brokerage.services`); the views show their
``ValidationError`` beside the fields with :func:`convenor.core.forms.add_service_errors`.
Fields are named as the services' arguments, so each message lands beside its field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from convenor.brokerage.impact import DEFAULT_INDICATORS, INDICATORS
from convenor.brokerage.models import MemberRole, PartnershipKind, Strength
from convenor.core.forms import date_field

Choices = Sequence[tuple[Any, str]]


def required_date(label: str, help_text: str = "") -> forms.DateField:
    """A date that must be given, typed into the browser's date input."""
    field = date_field(label, help_text)
    field.required = True
    field.error_messages["required"] = f"Enter {label.lower()}"
    return field


def _number_input() -> forms.TextInput:
    # GOV.UK asks for a text input with a numeric keypad, not type="number".
    return forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


def _not_future(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future")
    return value


def _set_choices(form: forms.Form, name: str, choices: Choices) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


# --- Structures ------------------------------------------------------------------------


class PartnershipForm(forms.Form):
    """A new structure, as :func:`~convenor.brokerage.services.create_partnership` takes it."""

    la_code = forms.TypedChoiceField(label="Local authority", coerce=int)
    kind = forms.ChoiceField(
        label="Kind of structure",
        choices=[("", "Choose a kind"), *PartnershipKind.choices],
        error_messages={"required": "Choose the kind of structure"},
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the structure's name"}
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        help_text="A district of the register. Area boards need one; board members of that "
        "district then record its meetings.",
    )
    parent = forms.TypedChoiceField(
        label="Part of",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="A cluster sits under its area board, an area board under the strategic "
        "partnership.",
    )
    starts = required_date("Start date")
    ends = date_field("End date", "The last day it runs. Blank: still running.")

    def __init__(
        self,
        data: Any = None,
        *,
        local_authorities: Choices,
        areas: Sequence[str],
        parents: Choices,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        _set_choices(self, "la_code", local_authorities)
        _set_choices(self, "area", [("", "No area"), *((a, a) for a in areas)])
        _set_choices(self, "parent", [("", "None"), *parents])


class MembershipForm(forms.Form):
    """A school joining a structure, as :func:`~convenor.brokerage.services.add_member`
    takes it."""

    urn = forms.IntegerField(
        label="School URN",
        widget=_number_input(),
        error_messages={
            "required": "Enter the school's URN",
            "invalid": "Enter the URN as digits, like 116336",
        },
    )
    role = forms.ChoiceField(label="Role", choices=MemberRole.choices, initial=MemberRole.MEMBER)
    strength = forms.ChoiceField(
        label="How strong is the link?",
        choices=Strength.choices,
        initial=Strength.FORMAL,
        widget=forms.RadioSelect,
        help_text="Formal: governance, an agreement or shared staff. Weak: a looser tie, "
        "such as a mailing list.",
    )
    starts = required_date("Start date")
    ends = date_field("End date", "The last day of membership. Blank: still a member.")


class EndMembershipForm(forms.Form):
    ends = required_date("Last day of membership")


class MeetingForm(forms.Form):
    """A meeting and who came, as :func:`~convenor.brokerage.services.record_meeting` takes
    it: every member on the day not ticked is recorded as absent."""

    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the meeting's title"}
    )
    held_on = required_date("Date of the meeting")
    attendance = forms.TypedMultipleChoiceField(
        label="Schools that attended",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members on the day who are not ticked are recorded as absent.",
    )

    def __init__(self, data: Any = None, *, members: Choices) -> None:
        super().__init__(data)
        _set_choices(self, "attendance", members)


# --- Reports ---------------------------------------------------------------------------


class AsAtForm(forms.Form):
    """The date a page is shown as at, and the LA when the reader may choose one."""

    as_at = date_field("As at", "Blank: today")
    la = forms.TypedChoiceField(label="Local authority", required=False, coerce=int)

    def __init__(self, data: Any, *, local_authorities: Choices) -> None:
        super().__init__(data)
        _set_choices(self, "la", [("", "Your local authority"), *local_authorities])

    def clean_as_at(self) -> date | None:
        return _not_future(self.cleaned_data.get("as_at"))


class ImpactForm(forms.Form):
    indicators = forms.MultipleChoiceField(
        label="Indicators",
        required=False,
        choices=[(key, source.label) for key, source in INDICATORS.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="Blank: KS2 % at the expected standard and KS4 Progress 8",
    )

    def chosen(self) -> list[str]:
        """The indicators ticked, in the list's order; the defaults when none is."""
        ticked = set(self.cleaned_data.get("indicators") or ()) if self.is_valid() else set()
        return [key for key in INDICATORS if key in ticked] or list(DEFAULT_INDICATORS)


class StatementForm(forms.Form):
    date_from = date_field("From", "The first day. Blank: the day the account opened.")
    date_to = date_field("To", "The last day. Blank: today.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The last day cannot come before the first")
        return cleaned


class ExchangeForm(forms.Form):
    """A school taking a development opportunity another offers, as
    :func:`~convenor.brokerage.services.record_exchange` takes it."""

    provider = forms.TypedChoiceField(
        label="School that provided it (earns the credits)",
        coerce=int,
        error_messages={"required": "Choose the school that provided it"},
    )
    taker = forms.TypedChoiceField(
        label="School that took it (spends the credits)",
        coerce=int,
        error_messages={"required": "Choose the school that took it"},
    )
    credits = forms.IntegerField(
        label="Credits",
        min_value=1,
        widget=_number_input(),
        error_messages={
            "required": "Enter the number of credits",
            "invalid": "Enter the credits as a whole number, like 5",
            "min_value": "Enter more than 0 credits",
        },
    )
    posted_on = required_date("Date")
    description = forms.CharField(
        label="What was it?",
        max_length=300,
        error_messages={"required": "Say what the opportunity was"},
    )

    def __init__(self, data: Any = None, *, accounts: Choices) -> None:
        super().__init__(data)
        options = [("", "Choose a school"), *accounts]
        _set_choices(self, "provider", options)
        _set_choices(self, "taker", options)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("provider") and cleaned.get("provider") == cleaned.get("taker"):
            self.add_error("taker", "Choose a school other than the one that provided it")
        return cleaned
