"""Forms of the soft intelligence pages.

They read what was typed; the rules an entry or an escalation rule must meet are the
services' (:mod:`convenor.intelligence.services`), shown on the form with
:func:`convenor.core.forms.add_service_errors`, so each rule is written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from convenor.core.forms import date_field
from convenor.intelligence.models import (
    TERM_DAYS,
    Sensitivity,
    SoftIntelligenceKind,
    WindowUnit,
    expiry_days,
)


def _required_date(label: str, help_text: str, required: str) -> forms.DateField:
    field = date_field(label, help_text)
    field.required = True
    field.error_messages["required"] = required
    return field


def _number_input() -> forms.TextInput:
    # GOV.UK asks for a text input with a numeric keypad, not type="number".
    return forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


class EntryForm(forms.Form):
    """A new soft intelligence entry, as :func:`~convenor.intelligence.services.record_entry`
    takes it."""

    kind = forms.ChoiceField(
        label="Type",
        choices=[("", "Choose a type"), *SoftIntelligenceKind.choices],
        error_messages={"required": "Choose the type of intelligence"},
    )
    observed_on = _required_date(
        "Date",
        "When it happened or was reported to you",
        "Enter the date it happened or was reported",
    )
    source = forms.CharField(
        label="Source",
        help_text="Who told you and how, such as “parent, by email” or “LA governor report”",
        max_length=200,
        error_messages={"required": "Enter the source"},
    )
    summary = forms.CharField(
        label="Summary",
        help_text="What you know, in plain words. Do not name pupils.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter a summary"},
    )
    sensitivity = forms.ChoiceField(
        label="Sensitivity",
        choices=Sensitivity.choices,
        initial=Sensitivity.STANDARD,
        widget=forms.RadioSelect,
        help_text=(
            "Restricted entries are read only by LA officers and inclusion officers: "
            "choose it for safeguarding (always restricted) and for HR matters about "
            "named staff."
        ),
        error_messages={"required": "Choose the sensitivity"},
    )
    follow_up = forms.CharField(
        label="Follow-up (optional)",
        help_text="What should happen next, and who does it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up_due = date_field("Follow-up due (optional)")
    expires_on = date_field("Expires (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = expiry_days() / 365
        span = f"{years:g} years" if years.is_integer() else f"{expiry_days()} days"
        self.fields[
            "expires_on"
        ].help_text = f"The first day it no longer counts. Blank: {span} after the date."

    def entry(self) -> dict[str, Any]:
        """The cleaned fields, as keyword arguments for ``record_entry``."""
        return dict(self.cleaned_data)


class WithdrawForm(forms.Form):
    """Why an entry is withdrawn."""

    reason = forms.CharField(
        label="Why are you withdrawing this entry?",
        help_text="For example, it was recorded against the wrong school. The entry is "
        "kept, marked withdrawn, and no longer counts.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the entry is being withdrawn"},
    )


class RuleForm(forms.Form):
    """A new escalation rule, as :func:`~convenor.intelligence.services.set_concern_rule`
    takes it."""

    la_code = forms.TypedChoiceField(
        label="Local authority",
        coerce=int,
        error_messages={"required": "Choose the local authority"},
    )
    name = forms.CharField(
        label="Name",
        help_text="How people will refer to it, such as “Three in two terms”",
        max_length=120,
        error_messages={"required": "Enter a name for the rule"},
    )
    threshold = forms.IntegerField(
        label="Number of entries",
        help_text="A category review is proposed when a school has this many or more",
        min_value=1,
        max_value=99,
        widget=_number_input(),
        error_messages={
            "required": "Enter the number of entries",
            "invalid": "Enter the number of entries as a whole number, like 3",
            "min_value": "The number of entries must be 1 or more",
            "max_value": "The number of entries must be 99 or fewer",
        },
    )
    window_length = forms.IntegerField(
        label="Within",
        help_text="A number of terms or days, chosen below",
        min_value=1,
        max_value=3650,
        widget=_number_input(),
        error_messages={
            "required": "Enter how long the window is",
            "invalid": "Enter the window as a whole number, like 2",
            "min_value": "The window must be 1 or more",
            "max_value": "The window must be 3650 or fewer",
        },
    )
    window_unit = forms.ChoiceField(
        label="Window in",
        choices=WindowUnit.choices,
        initial=WindowUnit.TERMS,
        widget=forms.RadioSelect,
        help_text=(
            f"A term is counted as {TERM_DAYS} days (a third of a year), since term dates "
            "differ between LAs and years; the window ends on the date the register is "
            "worked out for."
        ),
        error_messages={"required": "Choose terms or days"},
    )
    kinds = forms.MultipleChoiceField(
        label="Types that count (optional)",
        help_text="Leave all unticked to count every type",
        choices=SoftIntelligenceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    effective_from = _required_date(
        "In force from",
        "It replaces the rule before it from this day; earlier dates keep the earlier rule",
        "Enter the date the rule comes into force",
    )

    def __init__(self, *args: Any, la_choices: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["la_code"]
        assert isinstance(field, forms.TypedChoiceField)
        if len(la_choices) == 1:
            field.choices = list(la_choices)
            field.initial = la_choices[0][0]
        else:
            field.choices = [("", "Choose a local authority"), *la_choices]

    def rule(self) -> dict[str, Any]:
        """The cleaned fields, as keyword arguments for ``set_concern_rule``."""
        return dict(self.cleaned_data)


class RegisterFilterForm(forms.Form):
    """Which schools the register of concern lists, and as at which date."""

    as_at = date_field("As at", "Blank: today. The register counts entries live on this day.")
    district = forms.ChoiceField(label="District", required=False)
    fires_only = forms.BooleanField(
        label="Only schools where the rule proposes a review", required=False
    )
    overdue_only = forms.BooleanField(label="Only schools with overdue follow-ups", required=False)

    def __init__(self, *args: Any, districts: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any district"), *((d, d) for d in districts)]
