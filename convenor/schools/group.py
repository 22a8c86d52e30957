"""The trust and group page: one GIAS group, its member establishments and their counts.

:func:`group_page_data` reads the group, its memberships, the member establishments
(with each school's latest graded inspection across its URNs, as the school list and
home page count it) and the names of their LAs: four queries, however many members.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from convenor.core.components import Cell, Link, SummaryRow, Table
from convenor.core.permissions import ANY_ROLE, role_required
from convenor.schools.forms import NOT_INSPECTED, OUTCOME_CHOICES
from convenor.schools.home import NOT_RECORDED, percent
from convenor.schools.models import Establishment, Group, GroupMembership, LocalAuthority
from convenor.schools.profile_sections import GIAS_GROUP_URL, profile_href
from convenor.schools.querysets import TRUST_GROUP_TYPES
from convenor.schools.school_list import long_date

OUTCOME_LABELS = dict(OUTCOME_CHOICES)


@dataclass(frozen=True)
class Member:
    """One membership row, with its establishment when the register has it."""

    membership: GroupMembership
    school: Establishment | None
    la_name: str

    @property
    def outcome_key(self) -> str:
        grade = None if self.school is None else getattr(self.school, "latest_grade", None)
        return NOT_INSPECTED if grade is None else str(grade)

    @property
    def is_open(self) -> bool:
        return self.school is not None and self.school.is_open


@dataclass(frozen=True)
class GroupPage:
    group: Group
    members: list[Member]

    @property
    def is_trust(self) -> bool:
        return self.group.group_type in TRUST_GROUP_TYPES

    @property
    def open_members(self) -> list[Member]:
        return [m for m in self.members if m.is_open]

    @property
    def facts(self) -> list[SummaryRow]:
        group = self.group
        rows = [
            ("Name", group.name),
            ("Group ID", group.group_id or NOT_RECORDED),
            ("GIAS unique ID (UID)", str(group.uid)),
            ("Type", group.group_type or NOT_RECORDED),
            ("Status", group.status or NOT_RECORDED),
            ("Companies House number", group.companies_house or NOT_RECORDED),
            ("Opened", long_date(group.open_date) or NOT_RECORDED),
            ("Incorporated", long_date(group.incorporated_on) or NOT_RECORDED),
        ]
        if group.closed_date is not None or not group.status.startswith("Open"):
            rows.append(("Closed", long_date(group.closed_date) or NOT_RECORDED))
        return [SummaryRow(key, value) for key, value in rows]

    @property
    def members_table(self) -> Table:
        rows = []
        for member in self.members:
            school = member.school
            urn = member.membership.urn
            joined = long_date(member.membership.joined_date) or NOT_RECORDED
            if school is None:
                rows.append(
                    (
                        Cell(f"URN {urn}", header=True),
                        Cell(str(urn)),
                        Cell("Not in the register"),
                        Cell(joined),
                        Cell(""),
                        Cell(""),
                        Cell(""),
                    )
                )
                continue
            inspected = getattr(school, "latest_inspection_date", None)
            outcome = OUTCOME_LABELS[member.outcome_key]
            if inspected is not None:
                outcome = f"{outcome} ({long_date(inspected)})"
            rows.append(
                (
                    Cell(school.name, href=profile_href(school.urn), header=True),
                    Cell(str(school.urn)),
                    Cell(school.status or NOT_RECORDED),
                    Cell(joined),
                    Cell(member.la_name),
                    Cell(school.phase or NOT_RECORDED),
                    Cell(outcome),
                )
            )
        head = (
            Cell("Establishment"),
            Cell("URN"),
            Cell("Status"),
            Cell("Joined"),
            Cell("Local authority"),
            Cell("Phase"),
            Cell("Latest graded inspection"),
        )
        return Table(
            caption=f"Establishments in {self.group.name}",
            head=head,
            rows=rows,
            empty="No establishments are recorded as members of this group.",
        )

    def _count_table(self, caption: str, heading: str, counts: Counter[str]) -> Table:
        total = counts.total()
        rows = [
            (
                Cell(label, header=True),
                Cell(f"{count:,}", numeric=True),
                Cell(percent(count, total), numeric=True),
            )
            for label, count in counts.items()
        ]
        return Table(
            caption=caption,
            head=(Cell(heading), Cell("Schools", numeric=True), Cell("Share", numeric=True)),
            rows=rows,
            empty="No open member schools.",
        )

    @property
    def count_tables(self) -> list[Table]:
        members = self.open_members
        phases = Counter(
            sorted((m.school.phase if m.school else "") or NOT_RECORDED for m in members)
        )
        keys = Counter(m.outcome_key for m in members)
        outcomes = Counter(
            {OUTCOME_LABELS[key]: keys[key] for key, _ in OUTCOME_CHOICES if key and keys[key]}
        )
        return [
            self._count_table("Open member schools by phase", "Phase", phases),
            self._count_table(
                "Open member schools by latest inspection outcome",
                "Latest graded inspection",
                outcomes,
            ),
        ]

    @property
    def list_links(self) -> list[Link]:
        """The school list filtered to this trust, one link per LA it has schools in."""
        if not self.is_trust:
            return []
        las = sorted(
            {(m.la_name, m.school.la_code) for m in self.members if m.school and m.school.la_code}
        )
        return [
            Link(
                f"Schools in this trust in {name}",
                f"{reverse('schools:list')}?{urlencode({'la': code, 'trust': self.group.uid})}",
            )
            for name, code in las
        ]

    @property
    def source_files(self) -> list[str]:
        files = {self.group.source_file, *(m.membership.source_file for m in self.members)}
        return sorted(f for f in files if f)


def group_page_data(uid: int) -> GroupPage:
    """The group and its members, in four queries; 404 when the group is unknown."""
    group = get_object_or_404(Group, uid=uid)
    memberships = list(GroupMembership.objects.filter(group_uid=uid).order_by("joined_date", "urn"))
    urns = [m.urn for m in memberships]
    schools = {
        school.urn: school
        for school in Establishment.objects.filter(urn__in=urns).with_latest_inspection()
    }
    codes = {s.la_code for s in schools.values() if s.la_code is not None}
    names = dict(LocalAuthority.objects.filter(code__in=codes).values_list("code", "name"))

    def la_name(school: Establishment | None) -> str:
        if school is None or school.la_code is None:
            return NOT_RECORDED
        return names.get(school.la_code, f"LA {school.la_code}")

    members = [Member(m, schools.get(m.urn), la_name(schools.get(m.urn))) for m in memberships]
    members.sort(key=lambda m: (not m.is_open, m.school.name if m.school else "", m.membership.urn))
    return GroupPage(group, members)


@role_required(*ANY_ROLE)
def group(request: HttpRequest, uid: int) -> HttpResponse:
    """One trust, federation or other GIAS group and its establishments.

    Published register data, so every role may see any group; an unknown UID is 404.
    """
    page = group_page_data(uid)
    context: dict[str, Any] = {
        "page": page,
        "breadcrumbs": [
            Link("Home", reverse("schools:home")),
            Link("Schools", reverse("schools:list")),
        ],
        "gias_url": GIAS_GROUP_URL.format(uid=page.group.uid),
    }
    return render(request, "schools/group.html", context)
