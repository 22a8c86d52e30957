"""Forms of the register pages."""

from __future__ import annotations

from django import forms


class RegisterFilterForm(forms.Form):
    """Which establishments the register page lists; every field may be left empty."""

    la = forms.IntegerField(
        label="Local authority code",
        help_text="3 digits, for example 850 for Hampshire",
        required=False,
        # GOV.UK asks for a text input with a numeric keypad, not type="number".
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        min_value=100,
        max_value=999,
        error_messages={
            "invalid": "Enter the local authority code as 3 digits, like 850",
            "min_value": "Enter the local authority code as 3 digits, like 850",
            "max_value": "Enter the local authority code as 3 digits, like 850",
        },
    )
    open = forms.BooleanField(label="Open establishments only", required=False)
