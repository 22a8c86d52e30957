"""Forms of the register pages: which LA the home page shows, and the school list's filters.

Both are GET forms. A value the form cannot use (a phase the LA does not have, a
trust id that is not a number) is a GOV.UK error message beside its field; the page
still shows, filtered by the values that were valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import QueryDict

from convenor.schools.areas import LocalAuthorityOption
from convenor.schools.models import Establishment
from convenor.schools.querysets import EstablishmentQuerySet

STATUS_CHOICES = [
    ("open", "Open schools"),
    ("closed", "Closed schools"),
    ("all", "Open and closed schools"),
]
GOVERNANCE_CHOICES = [
    ("", "Any"),
    ("maintained", "Maintained by the local authority"),
    ("academy", "Academy or free school"),
    ("other", "Independent school, college or other"),
]
# Grade 3 was "Satisfactory" until 31 August 2012 and "Requires improvement" after.
OUTCOME_CHOICES = [
    ("", "Any"),
    ("1", "Outstanding"),
    ("2", "Good"),
    ("3", "Requires improvement or satisfactory"),
    ("4", "Inadequate"),
    ("none", "No graded inspection on record"),
]
NOT_INSPECTED = "none"

SORT_CHOICES = ("name", "urn", "phase", "pupils", "inspected")
ORDER_CHOICES = ("asc", "desc")
DEFAULT_SORT = "name"
DEFAULT_ORDER = "asc"


def _choose(thing: str) -> dict[str, str]:
    return {"invalid_choice": f"Choose {thing} from the list"}


class LocalAuthorityForm(forms.Form):
    """Which LA a page is about; the user's own when the request names none."""

    la = forms.TypedChoiceField(
        label="Local authority",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_choose("a local authority"),
    )

    def __init__(
        self,
        data: QueryDict,
        *,
        local_authorities: Sequence[LocalAuthorityOption],
        default_la: int | None,
    ) -> None:
        data = data.copy()
        if not data.get("la") and default_la is not None:
            data["la"] = str(default_la)
        super().__init__(data)
        self.default_la = default_la
        self.la_names = {option.code: option.name for option in local_authorities}
        if default_la is not None and default_la not in self.la_names:
            # The user's own LA, even before its schools are imported.
            self.la_names[default_la] = f"LA {default_la}"
        choices = [(str(code), f"{name} ({code})") for code, name in self.la_names.items()]
        self.fields["la"].choices = choices  # type: ignore[attr-defined]

    @property
    def la_code(self) -> int | None:
        """The chosen LA if it is one of the choices, else the default."""
        raw = self.data.get("la", "")
        if raw.strip().isdigit() and int(raw) in self.la_names:
            return int(raw)
        return self.default_la

    @property
    def la_name(self) -> str:
        """The chosen LA's name ("Hampshire"), or "" when there is none."""
        code = self.la_code
        return "" if code is None else self.la_names.get(code, f"LA {code}")


class SchoolListForm(LocalAuthorityForm):
    """The school list's search, filters and sort order; every field may be left empty."""

    q = forms.CharField(
        label="Search",
        help_text="Name, URN, LAESTAB or postcode",
        required=False,
        max_length=100,
        error_messages={"max_length": "Search must be 100 characters or fewer"},
    )
    status = forms.ChoiceField(
        label="Show", choices=STATUS_CHOICES, required=False, error_messages=_choose("what to show")
    )
    phase = forms.ChoiceField(label="Phase", required=False, error_messages=_choose("a phase"))
    type_group = forms.ChoiceField(
        label="Type of establishment", required=False, error_messages=_choose("a type")
    )
    governance = forms.ChoiceField(
        label="Maintained or academy",
        choices=GOVERNANCE_CHOICES,
        required=False,
        error_messages=_choose("maintained, academy or other"),
    )
    trust = forms.TypedChoiceField(
        label="Academy trust",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_choose("an academy trust"),
    )
    district = forms.ChoiceField(
        label="District", required=False, error_messages=_choose("a district")
    )
    outcome = forms.ChoiceField(
        label="Latest inspection outcome",
        choices=OUTCOME_CHOICES,
        required=False,
        error_messages=_choose("an inspection outcome"),
    )
    # Set by the column headings, not typed: an unknown value falls back to the default.
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    order = forms.CharField(required=False, widget=forms.HiddenInput)

    FILTERS = ("status", "phase", "type_group", "governance", "trust", "district", "outcome")

    def __init__(
        self,
        data: QueryDict,
        *,
        local_authorities: Sequence[LocalAuthorityOption],
        default_la: int | None,
    ) -> None:
        super().__init__(data, local_authorities=local_authorities, default_la=default_la)
        in_la = Establishment.objects.none()
        if self.la_code is not None:
            in_la = Establishment.objects.in_la(self.la_code)
        options = in_la.filter_options()

        def listed(index: int, anything: str) -> list[tuple[str, str]]:
            values = sorted({row[index] for row in options if row[index]})
            return [("", anything), *((value, value) for value in values)]

        fields: dict[str, Any] = self.fields
        fields["phase"].choices = listed(0, "Any phase")
        fields["type_group"].choices = listed(1, "Any type")
        fields["district"].choices = listed(2, "Any district")
        fields["trust"].choices = [("", "Any trust or none")] + [
            (str(trust["uid"]), trust["name"] or f"Trust {trust['uid']}")
            for trust in sorted(in_la.trusts(), key=lambda trust: str(trust["name"]).lower())
        ]

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort", "")
        return sort if sort in SORT_CHOICES else DEFAULT_SORT

    def clean_order(self) -> str:
        order = self.cleaned_data.get("order", "")
        return order if order in ORDER_CHOICES else DEFAULT_ORDER

    @property
    def sort_order(self) -> tuple[str, str]:
        """The column and direction to sort by; the defaults until the form is cleaned."""
        data = getattr(self, "cleaned_data", {})
        return data.get("sort", DEFAULT_SORT), data.get("order", DEFAULT_ORDER)

    def filter(self, schools: EstablishmentQuerySet) -> EstablishmentQuerySet:
        """``schools`` narrowed by every valid field: an invalid one is left out."""
        data = getattr(self, "cleaned_data", {})
        la_code = self.la_code
        schools = schools.in_la(la_code) if la_code is not None else schools.none()
        status = data.get("status") or "open"
        if status == "open":
            schools = schools.open()
        elif status == "closed":
            schools = schools.closed()
        if data.get("q"):
            schools = schools.search(data["q"])
        for name in ("phase", "type_group", "district"):
            if data.get(name):
                schools = schools.filter(**{name: data[name]})
        governance = data.get("governance")
        if governance == "maintained":
            schools = schools.maintained()
        elif governance == "academy":
            schools = schools.academies()
        elif governance == "other":
            schools = schools.not_state_funded()
        if data.get("trust") is not None:
            schools = schools.in_trust(data["trust"])
        outcome = data.get("outcome")
        if outcome:
            schools = schools.latest_grade_is(None if outcome == NOT_INSPECTED else int(outcome))
        return schools
