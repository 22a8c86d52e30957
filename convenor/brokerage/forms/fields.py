"""Fields the brokerage forms share, in GOV.UK style, with messages that say what to do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models

from convenor.core.forms import day_field as day_field  # brokerage forms import it from here


def _lower(label: str) -> str:
    return f"{label[0].lower()}{label[1:]}"


def text_field(
    label: str, help_text: str = "", *, required: bool = True, rows: int = 4
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {_lower(label)}"},
    )


def line_field(label: str, help_text: str = "", *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=200,
        error_messages={
            "required": f"Enter {_lower(label)}",
            "max_length": f"{label} must be 200 characters or fewer",
        },
    )


def number_field(
    label: str,
    help_text: str = "",
    *,
    required: bool = True,
    places: int = 1,
    width: str = "govuk-input--width-5",
) -> forms.DecimalField:
    """A decimal typed into a text input with a numeric keypad (GOV.UK's advice)."""
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        decimal_places=places,
        max_digits=12,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "class": width}
        ),
        error_messages={
            "required": f"Enter {_lower(label)}",
            "invalid": f"Enter {_lower(label)} as a number",
            "max_decimal_places": f"Enter {_lower(label)} with at most {places} decimal places",
            "max_digits": f"{label} is too large",
            "max_whole_digits": f"{label} is too large",
        },
    )


def whole_field(label: str, help_text: str = "", *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=0,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
        error_messages={
            "required": f"Enter {_lower(label)}",
            "invalid": f"Enter {_lower(label)} as a whole number",
            "min_value": f"{label} cannot be negative",
        },
    )


def radios(label: str, options: Sequence[tuple[Any, str]], missing: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=list(options),
        widget=forms.RadioSelect,
        error_messages={"required": missing, "invalid_choice": missing},
    )


def checkboxes(
    label: str, choices: type[models.TextChoices], missing: str, help_text: str = ""
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=choices.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": missing, "invalid_choice": missing},
    )


def select(label: str, options: Sequence[tuple[Any, str]] = ()) -> forms.ChoiceField:
    """An optional filter: a select whose first option means "any"."""
    return forms.ChoiceField(label=label, required=False, choices=list(options))


def set_choices(form: forms.Form, name: str, options: Sequence[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(options)


class FilterForm(forms.Form):
    """A list's filters: every field may be left empty; a bad value is shown, not used."""

    def value(self, name: str, default: str = "") -> str:
        if not self.is_valid():
            return default
        return str(self.cleaned_data.get(name) or default)
