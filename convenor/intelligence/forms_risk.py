"""The risk dashboard's filters (the date, LA, phase, category, governance, risk band, a
search and the sort order), and a school timeline's date. Every field may be left empty."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from convenor.core.forms import date_field

#: Risk bands by national rank: the top tenth and fifth of every school the run scored,
#: the cut-offs the categorisation defaults and the backtest use (ADR 0008).
BANDS: dict[str, int] = {"10": 10, "20": 20}
BAND_CHOICES = [("", "Any risk"), ("10", "Top 10% of all scored"), ("20", "Top 20% of all scored")]
GOVERNANCE_CHOICES = [("", "Maintained and academies"), ("maintained", "Maintained")]
GOVERNANCE_CHOICES.append(("academy", "Academies and free schools"))
NOT_CATEGORISED = "Not categorised"

SORTS = ("rank", "name", "category", "la_rank", "change", "inspected")
DEFAULT_SORT, DEFAULT_ORDER = "rank", "asc"


def _choices(values: Sequence[str], any_label: str) -> list[tuple[str, str]]:
    return [("", any_label), *((value, value) for value in values)]


def _not_future(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future")
    return value


class TimelineForm(forms.Form):
    """The date a school's timeline is shown as at; blank for today."""

    as_at = date_field("As at", "Blank: today. Shows only what was dated on or before this day.")

    def clean_as_at(self) -> date | None:
        return _not_future(self.cleaned_data.get("as_at"))


class RiskFilterForm(forms.Form):
    """Which schools the dashboard lists, as at which date, in which order."""

    as_at = date_field(
        "As at", "Blank: today. Shows the newest score run, categories and inspections by then."
    )
    q = forms.CharField(
        label="School name or URN",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    la = forms.ChoiceField(label="Local authority", required=False)
    phase = forms.ChoiceField(label="Phase", required=False)
    category = forms.ChoiceField(label="Category", required=False)
    governance = forms.ChoiceField(label="Maintained or academy", required=False)
    band = forms.ChoiceField(label="Model risk", required=False, choices=BAND_CHOICES)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    order = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")])

    def __init__(
        self,
        data: Any,
        *,
        local_authorities: Sequence[tuple[int, str]],
        phases: Sequence[str],
        categories: Sequence[str],
    ) -> None:
        super().__init__(data)
        self._set("la", [("", "All your LAs"), *((str(c), n) for c, n in local_authorities)])
        self._set("phase", _choices(phases, "Any phase"))
        self._set("category", _choices([*categories, NOT_CATEGORISED], "Any category"))
        self._set("governance", GOVERNANCE_CHOICES)

    def _set(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_as_at(self) -> date | None:
        return _not_future(self.cleaned_data.get("as_at"))

    def value(self, name: str) -> str:
        """A filter's cleaned value, "" when blank or the form is invalid."""
        if not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "")

    @property
    def sort_order(self) -> tuple[str, str]:
        return (self.value("sort") or DEFAULT_SORT, self.value("order") or DEFAULT_ORDER)
