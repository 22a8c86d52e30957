"""The home page: one LA's system at a glance.

:func:`at_a_glance` reads the LA's open schools in a fixed number of queries
(one row per school, and one list of trusts) and :class:`Glance` lays the counts out
as tables whose numbers link to the school list, filtered to those schools.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from convenor.core.components import Cell, Table
from convenor.schools.forms import GOVERNANCE_CHOICES, NOT_INSPECTED, OUTCOME_CHOICES
from convenor.schools.models import Establishment
from convenor.schools.school_list import census_month, long_date

NOT_RECORDED = "Not recorded"
OUTCOME_LABELS = dict(OUTCOME_CHOICES)
GOVERNANCE_LABELS = dict(GOVERNANCE_CHOICES)


@dataclass(frozen=True)
class Share:
    """How many of the open schools (and their pupils) share one value of something.

    ``pupils`` is ``None`` when none of the schools has a census headcount.
    """

    key: str
    label: str
    schools: int
    pupils: int | None

    @property
    def pupils_text(self) -> str:
        return "Not known" if self.pupils is None else f"{self.pupils:,}"


@dataclass(frozen=True)
class Trust:
    uid: int
    name: str
    schools: int


@dataclass(frozen=True)
class Glance:
    """The counts on the home page, for one LA's open schools, with their dates."""

    la_code: int
    la_name: str
    schools: int
    pupils: int
    by_phase: list[Share]
    by_type_group: list[Share]
    by_outcome: list[Share]
    by_governance: list[Share]
    trusts: list[Trust]
    register_from: date | None
    register_to: date | None
    inspections_to: date | None
    # School census month ("January 2023") -> schools whose latest census it is.
    census: dict[str, int]

    @property
    def academies(self) -> int:
        return next((s.schools for s in self.by_governance if s.key == "academy"), 0)

    @property
    def state_funded(self) -> int:
        return sum(s.schools for s in self.by_governance if s.key in ("academy", "maintained"))

    @property
    def academy_share(self) -> str:
        return percent(self.academies, self.state_funded)

    @property
    def academy_pupils(self) -> int:
        return sum(s.pupils or 0 for s in self.by_governance if s.key == "academy")

    @property
    def state_funded_pupils(self) -> int:
        state_funded = ("academy", "maintained")
        return sum(s.pupils or 0 for s in self.by_governance if s.key in state_funded)

    @property
    def academy_pupil_share(self) -> str:
        return percent(self.academy_pupils, self.state_funded_pupils)

    @property
    def schools_text(self) -> str:
        return f"{self.schools:,}"

    @property
    def pupils_text(self) -> str:
        return f"{self.pupils:,}"

    @property
    def academies_href(self) -> str:
        return self.list_href(governance="academy")

    @property
    def inspections_to_text(self) -> str:
        return long_date(self.inspections_to)

    @property
    def register_dates(self) -> str:
        """When the register facts are from: one date, or the range of snapshots."""
        if self.register_from is None:
            return ""
        if self.register_from == self.register_to:
            return long_date(self.register_from)
        return f"{long_date(self.register_from)} to {long_date(self.register_to)}"

    @property
    def census_dates(self) -> str:
        """Which censuses the pupil numbers come from, and for how many schools."""
        months = sorted(self.census.items(), key=lambda item: item[1], reverse=True)
        if len(months) == 1:
            return months[0][0]
        return "; ".join(
            f"{month} for {count:,} school{'s' * (count != 1)}" for month, count in months
        )

    @property
    def without_census(self) -> int:
        return self.schools - sum(self.census.values())

    @property
    def compare_href(self) -> str:
        """This LA against England, on the comparison page."""
        return f"{reverse('schools:compare')}?{urlencode({'la': self.la_code})}"

    def list_href(self, **filters: object) -> str:
        """The school list of this LA, filtered."""
        params = {"la": self.la_code} | {k: v for k, v in filters.items() if v != ""}
        return f"{reverse('schools:list')}?{urlencode(params)}"

    def table(self, caption: str, heading: str, shares: list[Share], parameter: str) -> Table:
        """A table of counts by one field, each count linking to those schools."""
        rows = [
            (
                Cell(share.label, header=True),
                Cell(
                    f"{share.schools:,}",
                    href=self.list_href(**{parameter: share.key}) if share.key else "",
                    numeric=True,
                ),
                Cell(percent(share.schools, self.schools), numeric=True),
                Cell(share.pupils_text, numeric=True),
            )
            for share in shares
        ]
        head = (
            Cell(heading),
            Cell("Schools", numeric=True),
            Cell("Share of schools", numeric=True),
            Cell("Pupils", numeric=True),
        )
        return Table(caption=caption, head=head, rows=rows, empty="No open schools.")

    @property
    def tables(self) -> list[Table]:
        return [
            self.table("Open schools by phase", "Phase", self.by_phase, "phase"),
            self.table(
                "Open schools by maintained or academy status",
                "Maintained or academy",
                self.by_governance,
                "governance",
            ),
            self.table(
                "Open schools by type", "Type of establishment", self.by_type_group, "type_group"
            ),
            self.table(
                "Open schools by latest inspection outcome",
                "Latest graded inspection",
                self.by_outcome,
                "outcome",
            ),
        ]

    @property
    def trust_table(self) -> Table:
        rows = [
            (
                Cell(
                    trust.name,
                    href=reverse("schools:group", kwargs={"uid": trust.uid}),
                    header=True,
                ),
                Cell(f"{trust.schools:,}", href=self.list_href(trust=trust.uid), numeric=True),
            )
            for trust in self.trusts
        ]
        return Table(
            caption=f"Academy trusts with open schools in {self.la_name}",
            head=(Cell("Trust"), Cell(f"Schools in {self.la_name}", numeric=True)),
            rows=rows,
            empty="No academy trusts.",
        )


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"


def _shares(
    tally: _Tally, labels: Mapping[str, str] | None = None, order: Iterable[str] | None = None
) -> list[Share]:
    keys = list(order) if order is not None else sorted(tally.schools, key=lambda k: (not k, k))
    return [
        Share(
            key,
            (labels or {}).get(key, key) or NOT_RECORDED,
            tally.schools[key],
            tally.pupils[key] if tally.counted[key] else None,
        )
        for key in keys
        if tally.schools[key]
    ]


@dataclass
class _Tally:
    """Schools, pupils and schools with a headcount, by one dimension's values."""

    schools: Counter[str] = field(default_factory=Counter)
    pupils: Counter[str] = field(default_factory=Counter)
    counted: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, pupils: float | None) -> None:
        self.schools[key] += 1
        if pupils is not None:
            self.pupils[key] += round(pupils)
            self.counted[key] += 1


def _governance(row: Mapping[str, Any]) -> str:
    if row["is_academy"]:
        return "academy"
    return "maintained" if row["is_state_funded"] else "other"


def _grade(row: Mapping[str, Any]) -> str:
    return NOT_INSPECTED if row["latest_grade"] is None else str(row["latest_grade"])


def summarise(
    la_code: int, la_name: str, rows: Iterable[Mapping[str, Any]], trusts: Iterable[Trust]
) -> Glance:
    """The :class:`Glance` from one :meth:`EstablishmentQuerySet.for_home_summary` row
    per school."""
    dimensions = {
        "phase": lambda row: row["phase"],
        "type_group": lambda row: row["type_group"],
        "governance": _governance,
        "outcome": _grade,
    }
    tallies = {name: _Tally() for name in dimensions}
    census: Counter[str] = Counter()
    registered: list[date] = []
    inspected: list[date] = []
    for row in rows:
        for name, key_of in dimensions.items():
            tallies[name].add(key_of(row), row["census_pupils"])
        if row["census_period"]:
            census[census_month(row["census_period"])] += 1
        registered.append(row["register_as_at"])
        if row["latest_inspection_date"]:
            inspected.append(row["latest_inspection_date"])
    outcomes = [key for key, _ in OUTCOME_CHOICES if key]
    governance = [key for key, _ in GOVERNANCE_CHOICES if key]
    phases = tallies["phase"]
    return Glance(
        la_code=la_code,
        la_name=la_name,
        schools=phases.schools.total(),
        pupils=phases.pupils.total(),
        by_phase=_shares(phases),
        by_type_group=_shares(tallies["type_group"]),
        by_outcome=_shares(tallies["outcome"], OUTCOME_LABELS, outcomes),
        by_governance=_shares(tallies["governance"], GOVERNANCE_LABELS, governance),
        trusts=list(trusts),
        register_from=min(registered, default=None),
        register_to=max(registered, default=None),
        inspections_to=max(inspected, default=None),
        census=dict(census),
    )


def at_a_glance(la_code: int, la_name: str) -> Glance:
    """The home page's counts for the LA's open schools, in two queries."""
    schools = Establishment.objects.in_la(la_code).open()
    trusts = [
        Trust(row["uid"], row["name"] or f"Trust {row['uid']}", row["schools"])
        for row in schools.trusts()
    ]
    return summarise(la_code, la_name, schools.for_home_summary(), trusts)
