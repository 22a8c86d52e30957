"""Forms of the audit and user management pages.

The forms only read what was typed. Whether a role's scope fits it, whether a username
is free and whether a password is strong enough are decided by the services in
``convenor.core.services``; a view shows their ``ValidationError`` on the form with
:func:`add_service_errors`, so each rule is written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from convenor.core.models import ROLE_SCOPE, SCOPE_FIELDS, Role


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: each message beside the field it
    names, and anything about no field of this form at the top of the error summary."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        known = field in form.fields and field != NON_FIELD_ERRORS
        form.add_error(field if known else None, ValidationError(errors))


def date_field(label: str, help_text: str = "") -> forms.DateField:
    """An optional date typed into the browser's date input (``type="date"``)."""
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=False,
        # The date input sends and shows ISO dates whatever the page's language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": f"Enter {label.lower()} as a real date, like 2020-03-31"},
    )


def day_field(label: str, help_text: str = "", *, required: bool = True) -> forms.DateField:
    """A date typed into the browser's date input, as convenor's casework forms ask for it."""
    lowered = f"{label[0].lower()}{label[1:]}"
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input--width-10"}, format="%Y-%m-%d"
        ),
        error_messages={
            "required": f"Enter {lowered}",
            "invalid": f"Enter {lowered} as a real date, like 2020-03-31",
        },
    )


def _choices(values: Sequence[str], any_label: str) -> list[tuple[str, str]]:
    return [("", any_label), *((value, value) for value in values)]


class AuditFilterForm(forms.Form):
    """Which audit events the audit page lists; every field may be left empty."""

    actor = forms.CharField(
        label="Actor",
        help_text="All or part of a username, or a process such as “import”",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    action = forms.ChoiceField(label="Action", required=False)
    object_type = forms.ChoiceField(label="Object type", required=False)
    object_id = forms.CharField(
        label="Object ID",
        help_text="All or part of the ID, such as a URN or a user number",
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    date_from = date_field("From", "The first day, inclusive")
    date_to = date_field("To", "The last day, inclusive")

    def __init__(
        self, data: Any = None, *, actions: Sequence[str], object_types: Sequence[str]
    ) -> None:
        super().__init__(data)
        action = self.fields["action"]
        object_type = self.fields["object_type"]
        assert isinstance(action, forms.ChoiceField)
        assert isinstance(object_type, forms.ChoiceField)
        action.choices = _choices(actions, "Any action")
        object_type.choices = _choices(object_types, "Any type")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from: date | None = cleaned.get("date_from")
        date_to: date | None = cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The last day cannot come before the first.")
        return cleaned


class UserSearchForm(forms.Form):
    """The search box of the users page."""

    q = forms.CharField(
        label="Search users",
        help_text="All or part of a username, name or email address",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )


def _needed_by(field: str) -> str:
    # Said from ROLE_SCOPE itself, so the hint cannot drift from the rule.
    needed = [Role(role).label for role, rule in ROLE_SCOPE.items() if field in rule.required]
    optional = [Role(role).label for role, rule in ROLE_SCOPE.items() if field in rule.optional]
    parts = []
    if needed:
        parts.append("Needed for: " + "; ".join(needed) + ".")
    if optional:
        parts.append("Optional for: " + "; ".join(optional) + ".")
    parts.append("Leave blank for other roles.")
    return " ".join(parts)


def _number_input() -> forms.TextInput:
    # GOV.UK asks for a text input with a numeric keypad, not type="number".
    return forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


class RoleForm(forms.Form):
    """A role and its scope, as :func:`convenor.core.services.assign_role` takes them."""

    SCOPE_NAMES = (*SCOPE_FIELDS, "starts", "ends")

    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *Role.choices],
        error_messages={"required": "Choose a role"},
    )
    la_code = forms.IntegerField(
        label="LA code",
        required=False,
        widget=_number_input(),
        error_messages={"invalid": "Enter the LA code as 3 digits, like 850"},
    )
    area = forms.CharField(label="Area", required=False, max_length=120)
    school_urn = forms.IntegerField(
        label="School URN",
        required=False,
        widget=_number_input(),
        error_messages={"invalid": "Enter the school URN as digits, like 116336"},
    )
    remit = forms.CharField(label="Remit", required=False, max_length=120)
    starts = date_field("First day", "Blank: from today")
    ends = date_field("Last day", "Blank: until the role is revoked")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["la_code"].help_text = "3 digits, like 850. " + _needed_by("la_code")
        self.fields["area"].help_text = (
            "A district name from the register, like Winchester. " + _needed_by("area")
        )
        self.fields["school_urn"].help_text = _needed_by("school_urn")
        self.fields["remit"].help_text = "Such as a fair access panel. " + _needed_by("remit")

    def scope(self) -> dict[str, Any]:
        """The cleaned scope and dates, as keyword arguments for the services."""
        return {name: self.cleaned_data[name] for name in self.SCOPE_NAMES}


class UserCreateForm(RoleForm):
    """A new account and its first role, as :func:`convenor.core.services.create_user`
    takes them."""

    username = forms.CharField(
        label="Username",
        help_text="What they type to sign in: letters, digits and @ . + - _ only",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter a username"},
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter their full name"},
    )
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password = forms.CharField(
        label="Initial password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter an initial password"},
    )

    field_order = ("username", "full_name", "email", "password", "role")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = password_validation.password_validators_help_texts()
        advice = "Give it to them in person or by phone, never by email."
        self.fields["password"].help_text = " ".join([advice, *rules])

    def account(self) -> dict[str, Any]:
        """The cleaned account fields, as keyword arguments for ``create_user``."""
        return {
            name: self.cleaned_data[name]
            for name in ("username", "full_name", "email", "password", "role")
        }
