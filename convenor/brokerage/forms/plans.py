"""Support plans: making one from an approved match, and what is recorded on it after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms

from convenor.brokerage.forms.fields import (
    FilterForm,
    day_field,
    line_field,
    number_field,
    radios,
    select,
    set_choices,
    text_field,
)
from convenor.brokerage.models import PlanStatus, ReviewDecision

MILESTONE_ROWS = 4


class PlanForm(forms.Form):
    """A plan's objectives, dates, tariff band and up to four milestones."""

    objectives = text_field("Objectives", "What the support is to achieve, and how it will be seen")
    starts = day_field("Start date")
    ends = day_field("Planned end date")
    next_review_on = day_field("First review date", "After the start, by the end")
    tariff_band = radios("Tariff band", [], "Choose a tariff band")

    def __init__(
        self, data: Any = None, *, bands: Sequence[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        set_choices(self, "tariff_band", bands)
        for n in range(1, MILESTONE_ROWS + 1):
            self.fields[f"milestone_{n}_title"] = line_field(
                f"Milestone {n}", "Optional" if n > 1 else "What will be done", required=False
            )
            self.fields[f"milestone_{n}_due"] = day_field(f"Milestone {n} due date", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        milestones: list[tuple[str, date]] = []
        for n in range(1, MILESTONE_ROWS + 1):
            title = (cleaned.get(f"milestone_{n}_title") or "").strip()
            due = cleaned.get(f"milestone_{n}_due")
            if title and due is None and f"milestone_{n}_due" not in self.errors:
                self.add_error(f"milestone_{n}_due", f"Enter milestone {n}'s due date")
            elif due is not None and not title:
                self.add_error(f"milestone_{n}_title", f"Say what milestone {n} is")
            elif title and due is not None:
                milestones.append((title, due))
        cleaned["milestones"] = milestones
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as :func:`~convenor.brokerage.services.create_plan` takes it."""
        data = self.cleaned_data
        keys = ("objectives", "starts", "ends", "next_review_on", "tariff_band", "milestones")
        return {key: data[key] for key in keys}


class VisitForm(forms.Form):
    visited_on = day_field("Date of the visit")
    days = number_field("Days the visit took", "In half days, from 0.5 to 5")
    note = text_field("Note", "What was done; seen by the plan's readers", required=False)


class ReviewForm(forms.Form):
    decision = radios(
        "Decision", ReviewDecision.choices, "Choose whether to continue, stop or complete the plan"
    )
    reason = text_field("Reason for the decision")
    reviewed_on = day_field("Date of the review", "Blank: today", required=False)
    next_review_on = day_field("Next review date", "Only when the plan continues", required=False)


class MilestoneForm(forms.Form):
    milestone = forms.TypedChoiceField(
        label="Milestone",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the milestone that was done",
            "invalid_choice": "Choose the milestone that was done",
        },
    )
    done_on = day_field("Date it was done")

    def __init__(
        self, data: Any = None, *, milestones: Sequence[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        set_choices(self, "milestone", milestones)


class _FundForm(forms.Form):
    fund = forms.TypedChoiceField(
        label="Fund",
        coerce=int,
        error_messages={"required": "Choose the fund", "invalid_choice": "Choose the fund"},
    )
    amount = number_field("Amount in pounds", places=2, width="govuk-input--width-10")

    def __init__(
        self, data: Any = None, *, funds: Sequence[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        set_choices(self, "fund", [("", "Choose a fund"), *funds])


class CommitForm(_FundForm):
    committed_on = day_field("Date committed")
    note = line_field("Note", required=False)


class SpendForm(_FundForm):
    spent_on = day_field("Date paid")
    note = line_field("What the money paid for")


SCORES = [
    (5, "5: excellent"),
    (4, "4: good"),
    (3, "3: adequate"),
    (2, "2: poor"),
    (1, "1: very poor"),
]


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How would you rate the support your school received?",
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a score from 1 to 5",
            "invalid_choice": "Choose a score from 1 to 5",
        },
    )
    review = text_field(
        "Review",
        "Shown in the directory with the score and date; which school gave it is not",
        required=False,
    )
    rated_on = day_field("Date of the rating", "Blank: today", required=False)


PLAN_STATUS_FILTERS = [("", "Active or continued"), *PlanStatus.choices, ("all", "Every plan")]


class PlanFilterForm(FilterForm):
    q = forms.CharField(
        label="School or provider",
        help_text="All or part of a name, or a URN",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    status = select("Status", PLAN_STATUS_FILTERS)
