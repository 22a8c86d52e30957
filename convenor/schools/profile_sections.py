"""The register parts of a school's profile: facts, URNs over time and inspections.

Built from :class:`~convenor.schools.profile_data.ProfileData` without queries; the
sections of figures by year are in :mod:`convenor.schools.profile_trends`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.dateformat import format as format_date

from convenor.core.components import Cell, Link, SummaryRow, Table
from convenor.schools.models import Establishment
from convenor.schools.profile_data import ProfileData
from convenor.schools.querysets import TRUST_GROUP_TYPES

GIAS_GROUP_URL = "https://get-information-schools.service.gov.uk/Groups/Group/Details/{uid}"
GIAS_SCHOOL_URL = (
    "https://get-information-schools.service.gov.uk/Establishments/Establishment/Details/{urn}"
)
NOT_RECORDED = "Not recorded"

# Ofsted's four grades and the GOV.UK tag colour each is shown in.
GRADE_COLOURS = {1: "green", 2: "teal", 3: "yellow", 4: "red"}


def long_date(day: date | None) -> str:
    """A date as GOV.UK writes it: "1 November 2017"."""
    return format_date(day, "j F Y") if day else ""


def span(periods: Sequence[str]) -> str:
    """ "2015/16 to 2018/19", or the one year, or "" for none."""
    ordered = sorted(periods)
    if not ordered:
        return ""
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]} to {ordered[-1]}"


def profile_href(urn: int) -> str:
    return reverse("schools:profile", kwargs={"urn": urn})


def phase_segment(school: Establishment) -> str | None:
    """The national breakdown (primary, secondary, special) a school compares with."""
    if "special" in school.type_name.lower():
        return "special"
    if school.phase in ("Primary", "Middle deemed primary", "Nursery"):
        return "primary"
    if school.phase in ("Secondary", "Middle deemed secondary", "16 plus"):
        return "secondary"
    return None  # all-through and unknown phases have no single national figure


# --- Facts -------------------------------------------------------------------


def laestab_text(laestab: int | None) -> str:
    """A LAESTAB as DfE writes it: "850/3192"."""
    if laestab is None:
        return NOT_RECORDED
    return f"{laestab // 10000}/{laestab % 10000:04d}"


def facts_rows(data: ProfileData) -> list[SummaryRow]:
    """The register's facts about the school, blanks said to be "Not recorded"."""
    school = data.school

    def text(value: object) -> str:
        return NOT_RECORDED if value in (None, "") else str(value)

    ages = (
        f"{school.age_low} to {school.age_high}"
        if school.age_low is not None and school.age_high is not None
        else NOT_RECORDED
    )
    pupils = NOT_RECORDED
    if school.pupils is not None:
        pupils = f"{school.pupils:,}"
        if school.pupils_census_date:
            pupils += f" (census of {long_date(school.pupils_census_date)})"
    kind = school.type_name or NOT_RECORDED
    if school.type_group and school.type_group != school.type_name:
        kind += f" ({school.type_group})"
    la = f"{data.la.name} ({data.la.code})" if data.la else text(school.la_code)
    rows = [
        SummaryRow("URN", str(school.urn)),
        SummaryRow("LAESTAB", laestab_text(school.laestab)),
        SummaryRow("Type", kind),
        SummaryRow("Phase", text(school.phase)),
        SummaryRow("Status", text(school.status)),
        SummaryRow("Opened", long_date(school.open_date) or NOT_RECORDED),
    ]
    if school.close_date:
        rows.append(SummaryRow("Closed", long_date(school.close_date)))
    rows += [
        SummaryRow("Ages", ages),
        SummaryRow("Gender", text(school.gender)),
        SummaryRow("Religious character", text(school.religious_character)),
        SummaryRow("Diocese", text(school.diocese)),
        SummaryRow("Admissions policy", text(school.admissions_policy)),
        SummaryRow("Capacity", NOT_RECORDED if school.capacity is None else f"{school.capacity:,}"),
        SummaryRow("Pupils", pupils),
        SummaryRow("Local authority", la),
        SummaryRow("District", text(school.district)),
        SummaryRow(
            "Town and postcode", text(", ".join(filter(None, [school.town, school.postcode])))
        ),
    ]
    rows += group_rows(data)
    return rows


def group_rows(data: ProfileData) -> list[SummaryRow]:
    """The trust, federation or other groups the school belongs to.

    An academy trust links to its trust page, another group (a
    federation, say) to its GIAS record. Without group links, the register's own
    trust, sponsor and federation names are shown as they are.
    """
    rows = []
    for item in data.memberships:
        joined = item.membership.joined_date
        since = f"joined {long_date(joined)}" if joined else ""
        if item.group is None:
            value = f"Group {item.membership.group_uid}" + (f", {since}" if since else "")
            rows.append(SummaryRow(item.membership.group_type, value))
            continue
        group = item.group
        details = ", ".join(filter(None, [group.group_id, since]))
        if group.group_type in TRUST_GROUP_TYPES:
            action = Link("View this trust", reverse("schools:group", kwargs={"uid": group.uid}))
        else:
            action = Link(
                "View on Get Information about Schools", GIAS_GROUP_URL.format(uid=group.uid)
            )
        rows.append(
            SummaryRow(
                item.membership.group_type,
                "\n".join(filter(None, [group.name, details])),
                action=action,
            )
        )
    if not rows:
        school = data.school
        for key, name in (
            ("Trust", school.trust_name),
            ("Sponsor", school.sponsor_name),
            ("Federation", school.federation_name),
        ):
            if name:
                rows.append(SummaryRow(key, name))
    return rows


# --- Identity over time ------------------------------------------------------


def lineage_table(data: ProfileData) -> Table | None:
    """The school's URNs, oldest first, each with its links to the others.

    ``None`` when the school has had only this one URN.
    """
    if len(data.lineage) < 2:
        return None
    lineage = set(data.lineage)
    rows = []
    for urn in data.lineage:
        school = data.establishments.get(urn)
        links = [
            f"{link.link_type}: {link.link_urn}"
            + (f" ({long_date(link.established)})" if link.established else "")
            for link in data.links
            if link.urn == urn and link.link_urn in lineage
        ]
        name = school.name if school else _link_name(data, urn)
        rows.append(
            (
                Cell(
                    str(urn),
                    href=profile_href(urn) if school and urn != data.school.urn else "",
                    header=True,
                    tag="This school" if urn == data.school.urn else "",
                ),
                Cell.of(name),
                Cell.of(school.status if school else "Not in this register"),
                Cell.of(long_date(school.open_date) if school else ""),
                Cell.of(long_date(school.close_date) if school else ""),
                Cell("; ".join(links) or "None recorded"),
            )
        )
    return Table(
        caption="URNs of this school",
        head=tuple(Cell(t) for t in ("URN", "Name", "Status", "Opened", "Closed", "Links")),
        rows=rows,
        caption_size="s",
    )


def _link_name(data: ProfileData, urn: int) -> str:
    for link in data.links:
        if link.link_urn == urn and link.link_name:
            return link.link_name
    return ""


def other_links_table(data: ProfileData) -> Table | None:
    """The school's links to establishments that are not earlier or later URNs of it."""
    urn = data.school.urn
    lineage = set(data.lineage)
    rows = [
        (
            Cell.of(
                link.link_urn,
                href=profile_href(link.link_urn) if link.link_urn in data.establishments else "",
            ),
            Cell.of(link.link_name),
            Cell.of(link.link_type),
            Cell.of(long_date(link.established)),
        )
        for link in data.links
        if link.urn == urn and link.link_urn not in lineage
    ]
    if not rows:
        return None
    return Table(
        caption="Other linked establishments",
        head=tuple(Cell(t) for t in ("URN", "Name", "Link", "Date")),
        rows=rows,
        caption_size="s",
    )


# --- Inspections ---------------------------------------------------------------


@dataclass(frozen=True)
class InspectionRow:
    """One graded inspection as the timeline shows it."""

    date: str
    rating: str
    grade: int
    colour: str
    framework: str
    urn: int
    href: str  # the profile of the URN it was under, when that is another one


def inspection_rows(data: ProfileData) -> list[InspectionRow]:
    """Every graded inspection of every URN of the school, newest first."""
    return [
        InspectionRow(
            date=long_date(i.inspection_date),
            rating=i.rating,
            grade=i.grade,
            colour=GRADE_COLOURS.get(i.grade, "grey"),
            framework=i.framework,
            urn=i.urn,
            href=profile_href(i.urn)
            if i.urn != data.school.urn and i.urn in data.establishments
            else "",
        )
        for i in data.inspections
    ]
