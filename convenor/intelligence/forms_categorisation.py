"""Forms of the category pages: the review list's filters, a decision, a framework version.

They only read what was typed. The rules a decision or a framework must meet are the
services' (:mod:`convenor.intelligence.categorisation`), shown on the form with
:func:`convenor.core.forms.add_service_errors`, so each rule is written once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone

from convenor.analytics import categorisation as engine
from convenor.core.forms import date_field
from convenor.intelligence.categorisation import (
    CategorySpec,
    FrameworkSpec,
    RuleSpec,
    input_specs,
)
from convenor.intelligence.models import CategoryColour, CategoryTrack

#: Conditions a rule may have on the form; more are rarely clearer than a second rule.
CLAUSES_PER_RULE = 3
#: The most categories a framework may have on the form.
MAX_CATEGORIES = 9


def _number_input() -> forms.TextInput:
    # GOV.UK asks for a text input with a numeric keypad, not type="number".
    return forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


def _whole(label: str, *, low: int, high: int, help_text: str = "") -> forms.IntegerField:
    words = label[0].lower() + label[1:]
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=high,
        widget=_number_input(),
        error_messages={
            "required": f"Enter {words}",
            "invalid": f"Enter {words} as a whole number",
            "min_value": f"{label} must be {low} or more",
            "max_value": f"{label} must be {high} or fewer",
        },
    )


# --- The review list and a school's page --------------------------------------------


class ReviewFilterForm(forms.Form):
    """Which schools the review list shows, and as at which date."""

    as_at = date_field("As at", "Blank: today. Proposals use only what was known on this day.")
    district = forms.ChoiceField(label="District", required=False)
    track = forms.ChoiceField(
        label="Schools",
        required=False,
        choices=[("", "All schools"), *CategoryTrack.choices],
    )
    differs_only = forms.BooleanField(
        label="Only schools whose category differs from the proposal", required=False
    )
    overdue_only = forms.BooleanField(
        label="Only schools with a review due or no decision", required=False
    )

    def __init__(self, *args: Any, districts: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All districts"), *((d, d) for d in districts)]


class AsAtForm(forms.Form):
    """The date a school's proposal is worked out as at; blank for today."""

    as_at = date_field("As at", "Blank: today. The proposal uses only what was known then.")

    def clean_as_at(self) -> date | None:
        value: date | None = self.cleaned_data.get("as_at")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future")
        return value


class DecisionForm(forms.Form):
    """A decision on a school's category, as
    :func:`~convenor.intelligence.categorisation.confirm_category` takes it."""

    decided_category = forms.TypedChoiceField(
        label="Category",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the category",
            "invalid_choice": "Choose one of the categories listed",
        },
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text=(
            "Why this category. Needed when it differs from the proposal. The school's "
            "leaders can read the category, the rationale and the review date: do not "
            "repeat soft intelligence here."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    review_due = date_field("Review due (optional)", "Blank: a year from today.")
    academy_concern = forms.TypedChoiceField(
        label="Concern raised with the trust (optional)",
        help_text="The intervention case recording the referral to the trust and the "
        "regional director.",
        coerce=int,
        required=False,
        empty_value=None,
    )
    as_at = forms.DateField(widget=forms.HiddenInput)
    proposed = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        categories: Sequence[tuple[int, str]],
        concerns: Sequence[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        # Its ids must not clash with the page's "as at" form, which names a field alike.
        kwargs.setdefault("auto_id", "decision_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["decided_category"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = list(categories)
        concern = self.fields["academy_concern"]
        assert isinstance(concern, forms.TypedChoiceField)
        if concerns is None:
            del self.fields["academy_concern"]
        else:
            concern.choices = [("", "None recorded yet"), *concerns]


# --- A framework version ---------------------------------------------------------------


class FrameworkForm(forms.Form):
    """The name, date and notes of a new framework version."""

    name = forms.CharField(
        label="Name",
        max_length=120,
        help_text="How people will refer to it, such as “Categories of support 2020”",
        error_messages={"required": "Enter a name for the framework"},
    )
    effective_from = forms.DateField(
        label="In force from",
        help_text="It replaces the version before it from this day; decisions on earlier "
        "evidence keep the version in force then",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date the framework comes into force",
            "invalid": "Enter the date as a real date, like 2020-09-01",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        help_text="Where the framework comes from, who agreed it",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CategoryForm(forms.Form):
    """One category: its place in the order, name and entitlement."""

    order = _whole("Order", low=1, high=MAX_CATEGORIES, help_text="1 is the least concern")
    label = forms.CharField(
        label="Name", max_length=80, error_messages={"required": "Enter the category's name"}
    )
    description = forms.CharField(label="What it means (optional)", required=False)
    visits_per_year = _whole("Visits a year", low=0, high=52)
    eligible_for_brokered_support = forms.BooleanField(
        label="Eligible for brokered support", required=False
    )
    colour = forms.ChoiceField(label="Colour", choices=CategoryColour.choices, initial="grey")

    def spec(self) -> CategorySpec:
        data = self.cleaned_data
        return CategorySpec(
            order=data["order"],
            label=data["label"],
            visits_per_year=data["visits_per_year"],
            eligible_for_brokered_support=data["eligible_for_brokered_support"],
            colour=data["colour"],
            description=data.get("description", ""),
        )


def _operator_choices() -> list[tuple[str, str]]:
    return [("", "Choose"), *((op, words) for op, words in engine.OPERATOR_WORDS.items())]


class RuleForm(forms.Form):
    """One rule: the category it proposes and up to :data:`CLAUSES_PER_RULE` conditions,
    each an input, a comparison and a number. A condition left blank is ignored."""

    order = _whole("Order", low=1, high=99)
    category = forms.TypedChoiceField(
        label="Proposes",
        coerce=int,
        error_messages={"required": "Choose the category the rule proposes"},
    )
    match = forms.ChoiceField(
        label="Fires when",
        choices=[("all", "All conditions hold"), ("any", "Any condition holds")],
        initial="all",
    )
    description = forms.CharField(
        label="In words",
        max_length=300,
        error_messages={"required": "Say in words what the rule is for"},
    )

    def __init__(
        self, *args: Any, category_choices: Sequence[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.TypedChoiceField)
        category.choices = [("", "Choose a category"), *category_choices]
        inputs = [("", "Choose an input"), *((s.name, s.label) for s in input_specs().values())]
        for n in range(1, CLAUSES_PER_RULE + 1):
            self.fields[f"input_{n}"] = forms.ChoiceField(
                label=f"Condition {n}: input", choices=inputs, required=False
            )
            self.fields[f"op_{n}"] = forms.ChoiceField(
                label=f"Condition {n}: comparison", choices=_operator_choices(), required=False
            )
            self.fields[f"value_{n}"] = forms.FloatField(
                label=f"Condition {n}: value",
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
                error_messages={"invalid": f"Enter condition {n}'s value as a number, like 3"},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for n in range(1, CLAUSES_PER_RULE + 1):
            parts = (cleaned.get(f"input_{n}"), cleaned.get(f"op_{n}"), cleaned.get(f"value_{n}"))
            given = [p not in (None, "") for p in parts]
            if any(given) and not all(given) and f"value_{n}" not in self.errors:
                missing = [
                    name
                    for name, there in zip(("input", "op", "value"), given, strict=True)
                    if not there
                ]
                for name in missing:
                    self.add_error(f"{name}_{n}", f"Complete condition {n}, or clear it")
        if not any(cleaned.get(f"input_{n}") for n in range(1, CLAUSES_PER_RULE + 1)):
            self.add_error("input_1", "Give the rule at least one condition")
        return cleaned

    def spec(self) -> RuleSpec:
        data = self.cleaned_data
        clauses = tuple(
            engine.Clause(data[f"input_{n}"], data[f"op_{n}"], float(data[f"value_{n}"]))
            for n in range(1, CLAUSES_PER_RULE + 1)
            if data.get(f"input_{n}")
        )
        return RuleSpec(
            order=data["order"],
            category=data["category"],
            clauses=clauses,
            description=data["description"],
            match=data["match"],
        )

    @property
    def clause_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        """Each condition's three fields, for the template to lay out side by side."""
        return [
            (self[f"input_{n}"], self[f"op_{n}"], self[f"value_{n}"])
            for n in range(1, CLAUSES_PER_RULE + 1)
        ]


class RowFormSet(forms.BaseFormSet[forms.Form]):
    """A formset whose blank extra rows are ignored and whose rows may be removed."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove"

    def kept(self) -> list[forms.Form]:
        """The rows copied or filled in and not marked for removal (after validation)."""
        copied = self.initial_form_count()
        return [
            form
            for i, form in enumerate(self.forms)
            if (i < copied or form.has_changed()) and not form.cleaned_data.get("DELETE", False)
        ]


def category_specs(formset: RowFormSet) -> list[CategorySpec]:
    """The categories a valid categories formset holds."""
    return [cast(CategoryForm, form).spec() for form in formset.kept()]


def rule_specs(formset: RowFormSet) -> list[RuleSpec]:
    """The rules a valid rules formset holds."""
    return [cast(RuleForm, form).spec() for form in formset.kept()]


CategoryFormSet = cast(
    type[RowFormSet],
    forms.formset_factory(
        CategoryForm, formset=RowFormSet, extra=1, can_delete=True, max_num=MAX_CATEGORIES
    ),
)
RuleFormSet = cast(
    type[RowFormSet],
    forms.formset_factory(RuleForm, formset=RowFormSet, extra=2, can_delete=True),
)


def category_initial(spec: FrameworkSpec) -> list[dict[str, Any]]:
    """The categories formset's rows for ``spec``."""
    return [
        {
            "order": c.order,
            "label": c.label,
            "description": c.description,
            "visits_per_year": c.visits_per_year,
            "eligible_for_brokered_support": c.eligible_for_brokered_support,
            "colour": c.colour,
        }
        for c in spec.categories
    ]


def rule_initial(spec: FrameworkSpec) -> list[dict[str, Any]]:
    """The rules formset's rows for ``spec``."""
    rows = []
    for rule in spec.rules:
        row: dict[str, Any] = {
            "order": rule.order,
            "category": rule.category,
            "match": str(rule.match),
            "description": rule.description,
        }
        for n, clause in enumerate(rule.clauses[:CLAUSES_PER_RULE], start=1):
            row |= {
                f"input_{n}": clause.input,
                f"op_{n}": clause.op,
                f"value_{n}": f"{clause.value:g}",
            }
        rows.append(row)
    return rows


def category_choices(
    labels: Mapping[int, str], data: Mapping[str, Any] | None = None
) -> list[tuple[int, str]]:
    """The categories a rule may propose, by order: those of the version copied, with
    any names typed into the categories formset (``data``) instead."""
    named = dict(labels)
    if data is not None:
        total = data.get("categories-TOTAL_FORMS", "0")
        for i in range(int(total) if str(total).isdigit() else 0):
            order, label = data.get(f"categories-{i}-order"), data.get(f"categories-{i}-label")
            if str(order).isdigit() and label:
                named[int(str(order))] = str(label)
    return [
        (n, f"{n}: {named[n]}" if n in named else f"{n}: (a new category)")
        for n in range(1, MAX_CATEGORIES + 1)
    ]
