"""The brokerage board: running the matching, and deciding a proposal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from convenor.brokerage.forms.fields import day_field, radios, set_choices, text_field

INDEPENDENCE_CHOICES = [
    ("strict", "Strict: never from inside the school's own trust or cluster"),
    ("penalised", "Penalised: allowed, at a cost"),
    ("off", "Off: trust and cluster do not count"),
]


class RunForm(forms.Form):
    """Which LA, as at which day, under which independence rule."""

    la_code = forms.TypedChoiceField(
        label="Local authority",
        coerce=int,
        error_messages={"required": "Choose the LA", "invalid_choice": "Choose the LA"},
    )
    as_at = day_field(
        "As at",
        "Blank: today. Open requests raised by then; providers available then.",
        required=False,
    )
    independence = radios(
        "Independence rule for schools in a concern category",
        INDEPENDENCE_CHOICES,
        "Choose the independence rule",
    )

    def __init__(self, data: Any = None, *, las: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        set_choices(self, "la_code", [(c, n) for c, n in las])
        if len(las) == 1:
            self.fields["la_code"].widget = forms.HiddenInput()


class ApproveForm(forms.Form):
    on = day_field("Date of the decision", "Blank: today", required=False)


class RejectForm(forms.Form):
    reason = text_field("Why is the match rejected?")
    on = day_field("Date of the decision", "Blank: today", required=False)


class OverrideForm(forms.Form):
    provider = forms.TypedChoiceField(
        label="Provider chosen instead",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the provider to support the school instead",
            "invalid_choice": "Choose the provider to support the school instead",
        },
    )
    reason = text_field("Why is another provider chosen?")
    on = day_field("Date of the decision", "Blank: today", required=False)

    def __init__(
        self, data: Any = None, *, candidates: Sequence[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        set_choices(self, "provider", candidates)
