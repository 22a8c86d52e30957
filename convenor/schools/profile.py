"""The school profile: one school's facts, URNs over time, inspections and hard data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from convenor.core.components import Link
from convenor.core.permissions import ANY_ROLE, get_establishment_for_user, role_required
from convenor.schools.profile_admissions import admissions_section, exclusions_section
from convenor.schools.profile_data import ProfileData, profile_data_for
from convenor.schools.profile_sections import (
    GIAS_SCHOOL_URL,
    facts_rows,
    inspection_rows,
    lineage_table,
    long_date,
    other_links_table,
)
from convenor.schools.profile_trends import (
    absence_section,
    ks2_section,
    ks4_section,
    pupils_section,
)


@role_required(*ANY_ROLE)
def profile(request: HttpRequest, urn: int) -> HttpResponse:
    """Everything published about one school, across every URN it has had.

    Published data, so every role may see it for any school; an unknown URN is 404.
    """
    school = get_establishment_for_user(request.user, urn)
    return render(request, "schools/profile.html", profile_context(profile_data_for(school)))


def profile_context(data: ProfileData) -> dict[str, Any]:
    """What the profile template lays out, built from rows already read."""
    school = data.school
    inspections = inspection_rows(data)
    inspection_files = sorted({i.source_file for i in data.inspections})
    results = [s for s in (ks2_section(data), ks4_section(data)) if s.has_data]
    sections = [
        *results,
        pupils_section(data),
        absence_section(data),
        exclusions_section(data),
        admissions_section(data),
    ]
    contents = [
        Link("About the school", "#facts"),
        Link("Identity over time", "#identity"),
        Link("Inspection history", "#inspections"),
        *(Link(s.heading, f"#{s.ident}") for s in sections),
    ]
    dates = [i.inspection_date for i in data.inspections]
    return {
        "school": school,
        "breadcrumbs": [
            Link("Home", reverse("schools:home")),
            Link("Schools", reverse("schools:list")),
        ],
        "contents": contents,
        "facts": facts_rows(data),
        "register_as_at": long_date(school.register_as_at),
        "gias_url": GIAS_SCHOOL_URL.format(urn=school.urn),
        "lineage": lineage_table(data),
        "other_links": other_links_table(data),
        "inspections": inspections,
        "inspection_period": (
            f"{long_date(min(dates))} to {long_date(max(dates))}" if dates else ""
        ),
        "inspection_files": inspection_files,
        "several_urns": len(data.lineage) > 1,
        "sections": sections,
    }
