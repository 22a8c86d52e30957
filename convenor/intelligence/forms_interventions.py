"""Forms of the interventions pages.

The forms only read what was typed; the law is checked once, by the services in
:mod:`convenor.intelligence.services_interventions`, whose ``ValidationError`` a view
shows on the form with :func:`convenor.core.forms.add_service_errors`. Field names are
the services' argument names, so ``cleaned_data`` passes straight through.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms

from convenor.core.forms import day_field
from convenor.intelligence import interventions as clocks
from convenor.intelligence.models import InterventionPowerUse, WarningNotice


def _radios(label: str, options: Sequence[tuple[str, str]], missing: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=list(options),
        widget=forms.RadioSelect,
        error_messages={"required": missing, "invalid_choice": missing},
    )


def _text(label: str, help_text: str = "", *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


# --- The list and the "as at" date ---------------------------------------------------------


class AsAtForm(forms.Form):
    """The date a page shows cases as at; blank for today."""

    as_at = day_field("Show as at", "Blank for today", required=False)

    def as_at_or(self, today: date) -> date:
        """The chosen date when the form is valid and has one, else ``today``."""
        if self.is_valid() and self.cleaned_data.get("as_at"):
            chosen: date = self.cleaned_data["as_at"]
            return chosen
        return today


KIND_FILTERS = [
    ("", "Any kind"),
    ("warning_notice", "Warning notices"),
    ("ieb", "Interim executive boards"),
    ("academy_concern", "Concerns about academies"),
]
STATUS_FILTERS = [("open", "Open cases"), ("closed", "Closed cases"), ("all", "Open and closed")]
OVERDUE_FILTERS = [("", "Overdue or not"), ("overdue", "Overdue only")]


class CaseFilterForm(AsAtForm):
    """The interventions list's filters; every field may be left empty."""

    kind = forms.ChoiceField(label="Kind of case", choices=KIND_FILTERS, required=False)
    status = forms.ChoiceField(label="Show", choices=STATUS_FILTERS, required=False)
    overdue = forms.ChoiceField(label="Overdue", choices=OVERDUE_FILTERS, required=False)

    def value(self, name: str, default: str = "") -> str:
        """A filter's valid value, or ``default``."""
        if self.is_valid():
            return str(self.cleaned_data.get(name) or default)
        return default


# --- Warning notices --------------------------------------------------------------------------


class WarningNoticeForm(forms.Form):
    kind = _radios(
        "Kind of warning notice",
        clocks.choices(clocks.NOTICE_KIND_LABELS),
        "Choose the kind of warning notice",
    )
    grounds = forms.MultipleChoiceField(
        label="Grounds (s60(2))",
        help_text="For a performance standards and safety notice: choose all that apply",
        choices=clocks.choices(clocks.GROUND_LABELS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    issued_by = _radios(
        "Given by", clocks.choices(clocks.ISSUER_LABELS), "Choose who gave the notice"
    )
    issued_on = day_field("Date the notice was given")
    compliance_ends_on = day_field(
        "Last day of the compliance period", "The notice sets the period the governing body has"
    )
    reasons = _text("Matters the conclusion is based on")
    action_required = _text("Action the governing body must take")
    sos_permission_on = day_field(
        "Date the Secretary of State said the LA may give a notice",
        "Only when the Secretary of State has given this school a notice (s60(4A))",
        required=False,
    )


class CopyForm(forms.Form):
    recipient = _radios("Sent to", [], "Choose who the copy went to")
    sent_on = day_field("Date the copy was sent")

    def __init__(self, data: Any = None, *, notice: WarningNotice, required: Sequence[str]) -> None:
        super().__init__(data)
        sent = {c.recipient for c in notice.copies.all()}
        ordered = [*required, *(r for r in clocks.Recipient if r not in required)]
        field = self.fields["recipient"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (str(r), clocks.RECIPIENT_LABELS[clocks.Recipient(r)])
            for r in ordered
            if str(r) not in sent
        ]


class RepresentationsForm(forms.Form):
    made_on = day_field("Date representations were made")


class OutcomeForm(forms.Form):
    outcome = _radios(
        "Outcome",
        [(str(o), clocks.OUTCOME_LABELS[o]) for o in clocks.RECORDABLE_OUTCOMES],
        "Choose the outcome",
    )
    decided_on = day_field("Date of the decision")
    note = _text("Note", "Why, and on what evidence", required=False)


class ReasonableNoticeForm(forms.Form):
    given_on = day_field("Date written notice was given")
    note = _text("Powers proposed", required=False)


class PowerForm(forms.Form):
    power = _radios(
        "Power used",
        [
            (str(p), label)
            for p, label in clocks.POWER_LABELS.items()
            if p != clocks.Power.INTERIM_EXECUTIVE_BOARD
        ],
        "Choose the power used",
    )
    used_on = day_field("Date the power was used")
    dfe_notified_on = day_field(
        "Date the DfE was told", "Blank if not yet: the case will flag it", required=False
    )
    note = _text("Note", required=False)


class DfeNotifiedForm(forms.Form):
    use = forms.TypedChoiceField(
        label="Power",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the power the DfE was told of",
            "invalid_choice": "Choose the power the DfE was told of",
        },
    )
    notified_on = day_field("Date the DfE was told")

    def __init__(self, data: Any = None, *, uses: Sequence[InterventionPowerUse]) -> None:
        super().__init__(data)
        field = self.fields["use"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (str(use.pk), f"{use.get_power_display()}, used {clocks.long_date(use.used_on)}")
            for use in uses
        ]


# --- Interim executive boards ---------------------------------------------------------------


class IebProposalForm(forms.Form):
    ground = _radios(
        "Why the school is eligible for intervention",
        clocks.choices(clocks.ELIGIBILITY_LABELS),
        "Choose why the school is eligible for intervention",
    )
    warning_notice = forms.TypedChoiceField(
        label="Warning notice",
        help_text="Only for a board resting on a warning notice that was not complied with",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of this school's warning notices"},
    )
    proposed_on = day_field("Date the board was proposed")
    note = _text("Note", required=False)

    def __init__(
        self, data: Any = None, *, notices: Sequence[WarningNotice], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        field = self.fields["warning_notice"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", "None"),
            *(
                (
                    str(n.pk),
                    f"{n.get_kind_display()}, given {clocks.long_date(n.issued_on)}",
                )
                for n in notices
            ),
        ]


class ConsentRequestForm(forms.Form):
    requested_on = day_field("Date consent was requested")


class ConsentForm(forms.Form):
    decision = _radios(
        "Secretary of State's decision",
        clocks.choices(clocks.CONSENT_LABELS),
        "Choose granted or refused",
    )
    decided_on = day_field("Date of the decision")


class ConstituteForm(forms.Form):
    constituted_on = day_field("Date the board takes over", "It may be to come")
    member_count = forms.IntegerField(
        label="Number of members",
        help_text="At least 2",
        min_value=0,
        max_value=99,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the number of members",
            "invalid": "Enter the number of members as a whole number, like 3",
            "min_value": "Enter the number of members as a whole number, like 3",
            "max_value": "Enter the number of members as a whole number, like 3",
        },
    )
    members = _text("Members", "Names and roles, one a line", required=False)


class EndIebForm(forms.Form):
    ended_on = day_field("Date the board ended")
    note = _text("Note", "A new governing body, closure or conversion", required=False)


# --- Concerns about academies ---------------------------------------------------------------


class AcademyConcernForm(forms.Form):
    raised_with_trust_on = day_field("Date raised with the trust")
    concern = _text("Concern")


class ResponseForm(forms.Form):
    responded_on = day_field("Date of the response")
    response = _text("Response")


class ReferralForm(forms.Form):
    referred_on = day_field("Date referred to the regional director")
    note = _text("Note", required=False)


class CloseConcernForm(forms.Form):
    status = _radios(
        "Outcome",
        [
            (str(s), clocks.CONCERN_STATUS_LABELS[s])
            for s in (clocks.ConcernStatus.RESOLVED, clocks.ConcernStatus.CLOSED)
        ],
        "Choose resolved or closed without resolution",
    )
    closed_on = day_field("Date closed")
    note = _text("Note", required=False)
