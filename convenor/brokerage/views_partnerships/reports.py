"""The connectedness view (with its CSV) and the impact report.

Both name schools in a concern category or schools that were supported, so they are
for those who broker (ADR 0011): LA officers for their LA, board members for their
area's schools.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from convenor.analytics.concern import day_words
from convenor.analytics.impact import ImpactResult, format_value
from convenor.analytics.network import ActionItem, AreaConnectedness, NetworkReport
from convenor.brokerage import forms_partnerships as f
from convenor.brokerage.impact import ended_on, impact_report
from convenor.brokerage.models import PlanStatus
from convenor.brokerage.scope import BrokerageScope, scope_of
from convenor.brokerage.views_partnerships.common import (
    BROKER_ROLES,
    crumbs,
    csv_response,
    la_name,
    la_names,
)
from convenor.brokerage.views_partnerships.network import network_report
from convenor.core.components import Cell, Table
from convenor.core.permissions import role_required

# --- Connectedness ---------------------------------------------------------------------


def _percent(share: float | None) -> str:
    return "No meetings" if share is None else f"{share:.0%}"


def broker_las(scope: BrokerageScope) -> list[int]:
    """LAs whose schools the user brokers: as an officer, or on a board."""
    return sorted(scope.officer_las | {la for la, _ in scope.board_areas})


@dataclass(frozen=True)
class Connectedness:
    la_code: int
    as_at: date
    report: NetworkReport
    areas: tuple[AreaConnectedness, ...]


def _connectedness(request: HttpRequest) -> tuple[f.AsAtForm, Connectedness | None]:
    scope = scope_of(request)
    las = broker_las(scope)
    form = f.AsAtForm(request.GET, local_authorities=la_names(las))
    if not form.is_valid() or not las:
        return form, None
    as_at: date = form.cleaned_data.get("as_at") or timezone.localdate()
    la_code: int = form.cleaned_data.get("la") or las[0]
    report, _ = network_report(la_code, as_at)
    areas = tuple(
        a
        for a in report.areas
        if scope.is_officer_for(la_code) or (la_code, a.area) in scope.board_areas
    )
    return form, Connectedness(la_code, as_at, report, areas)


def _area_table(areas: Sequence[AreaConnectedness]) -> Table:
    head = [
        Cell("Area"),
        Cell("Schools", numeric=True),
        Cell("Formally connected", numeric=True),
        Cell("Weak links only", numeric=True),
        Cell("No links", numeric=True),
        Cell("Low attendance", numeric=True),
        Cell("Attendance at meetings", numeric=True),
    ]
    rows = [
        [
            Cell(a.area, href=f"#area-{n}", header=True),
            Cell.of(a.schools, numeric=True),
            Cell.of(a.formally_connected, numeric=True),
            Cell.of(a.weak_only, numeric=True),
            Cell.of(a.unconnected, numeric=True),
            Cell.of(a.weakly_connected, numeric=True),
            Cell(_percent(a.attendance), numeric=True),
        ]
        for n, a in enumerate(areas, start=1)
    ]
    return Table("Connectedness by area", head, rows, empty="No schools in your areas.")


def _meetings(item: ActionItem) -> str:
    s = item.school
    if not s.meetings_expected:
        return "None expected"
    return f"{s.meetings_attended} of {s.meetings_expected} ({_percent(s.attendance)})"


def _action_table(area: AreaConnectedness) -> Table:
    rows = [
        [
            Cell(
                item.school.school.name,
                href=reverse("schools:profile", kwargs={"urn": item.school.school.urn}),
                header=True,
            ),
            Cell(item.school.school.category or "Not categorised"),
            Cell(item.reason[:1].upper() + item.reason[1:]),
            Cell(_meetings(item), numeric=True),
        ]
        for item in area.to_act_on
    ]
    return Table(
        f"Schools to act on in {area.area}, most need first",
        [Cell("School"), Cell("Category"), Cell("Why"), Cell("Meetings attended", numeric=True)],
        rows,
        empty="Every school here is formally connected and takes part.",
        caption_size="s",
    )


@role_required(*BROKER_ROLES)
@require_GET
def connectedness(request: HttpRequest) -> HttpResponse:
    """Per area, schools with no formal connection or only weak ones, and the list to act
    on, ordered by need; attendance at network meetings."""
    form, found = _connectedness(request)
    context: dict[str, object] = {
        "form": form,
        "found": found,
        "clear_href": reverse("partnerships:connectedness"),
        "choose_la": len(form.fields["la"].choices) > 2,  # type: ignore[attr-defined]
        "breadcrumbs": crumbs(),
    }
    if found is not None:
        query = request.GET.urlencode()
        context |= {
            "la_label": la_name(found.la_code),
            "as_at_words": day_words(found.as_at),
            "areas_table": _area_table(found.areas),
            "areas": [(f"area-{n}", _action_table(a)) for n, a in enumerate(found.areas, 1)],
            "csv_href": reverse("partnerships:connectedness-csv") + (f"?{query}" if query else ""),
            "to_act_on": sum(len(a.to_act_on) for a in found.areas),
        }
    return render(request, "brokerage/partnerships/connectedness.html", context)


def _csv_rows(found: Connectedness) -> Iterator[list[object]]:
    yield [
        "area",
        "urn",
        "school",
        "category",
        "concern_level",
        "need",
        "reason",
        "meetings_expected",
        "meetings_attended",
        "attendance_pct",
    ]
    for area in found.areas:
        for item in area.to_act_on:
            s = item.school
            rate = s.attendance
            yield [
                area.area,
                s.school.urn,
                s.school.name,
                s.school.category,
                s.school.concern_level,
                item.need.value,
                item.reason,
                s.meetings_expected,
                s.meetings_attended,
                "" if rate is None else round(100 * rate, 1),
            ]


@role_required(*BROKER_ROLES)
@require_GET
def connectedness_csv(request: HttpRequest) -> HttpResponse:
    """The schools to act on, every area at once, as CSV."""
    _, found = _connectedness(request)
    if found is None:
        # The page shows what is wrong with the date, beside the field.
        return redirect(f"{reverse('partnerships:connectedness')}?{request.GET.urlencode()}")
    return csv_response(_csv_rows(found), f"connectedness-{found.as_at.isoformat()}.csv")


# --- Impact ----------------------------------------------------------------------------


def _estimate(result: ImpactResult) -> str:
    if result.estimate is None or result.interval is None:
        return "Not estimated"
    d, unit = result.indicator.decimals, result.indicator.unit
    sign = "+" if result.estimate > 0 and format_value(result.estimate, d) != "0" else ""
    low, high = (format_value(x, d) for x in result.interval)
    return f"{sign}{format_value(result.estimate, d)} {unit} ({low} to {high})"


def _counts(result: ImpactResult) -> str:
    return f"{result.supported_count} supported, {result.comparison_count} compared"


def _rating(mean: float | None, count: int) -> str:
    if not count or mean is None:
        return "Not rated"
    return f"{mean:.1f} out of 5 ({count} rating{'s' if count != 1 else ''})"


@role_required(*BROKER_ROLES)
@require_GET
def impact(request: HttpRequest) -> HttpResponse:
    """For each completed plan and each provider, the difference in differences on the
    chosen indicators against similar schools not supported, with the ratings beside."""
    scope = scope_of(request)
    form = f.ImpactForm(request.GET)
    keys = form.chosen()
    plans = scope.plans()
    reports = impact_report(plans, keys)
    ends = ended_on(p.plan for r in reports for p in r.plans)
    sections = []
    for report in reports:
        label = report.source.label
        plan_rows = [
            [
                Cell(
                    row.school,
                    href=reverse("schools:profile", kwargs={"urn": row.plan.urn}),
                    header=True,
                ),
                Cell(row.plan.provider.name),
                Cell(f"{day_words(row.plan.starts)} to {day_words(ends[row.plan.pk])}"),
                Cell(_estimate(row.result)),
                Cell(_counts(row.result)),
                Cell(row.result.summary),
                Cell(f"{row.rating.score} out of 5" if row.rating else "Not rated"),
            ]
            for row in report.plans
        ]
        provider_rows = [
            [
                Cell(
                    row.provider.name,
                    header=True,
                    tag="Synthetic" if row.provider.synthetic else "",
                ),
                Cell.of(row.plans, numeric=True),
                Cell(_estimate(row.result)),
                Cell(_counts(row.result)),
                Cell(row.result.summary),
                Cell(_rating(row.rating_mean, row.rating_count)),
            ]
            for row in report.providers
        ]
        sections.append(
            (
                label,
                Table(
                    f"{label}: each completed plan",
                    [
                        Cell("School"),
                        Cell("Provider"),
                        Cell("Support"),
                        Cell("Estimate (95% interval)"),
                        Cell("Schools"),
                        Cell("What it means"),
                        Cell("Rating"),
                    ],
                    plan_rows,
                    empty="No completed plan at a school this indicator measures.",
                    caption_size="s",
                ),
                Table(
                    f"{label}: each provider, its plans pooled",
                    [
                        Cell("Provider"),
                        Cell("Plans", numeric=True),
                        Cell("Estimate (95% interval)"),
                        Cell("Schools"),
                        Cell("What it means"),
                        Cell("Ratings"),
                    ],
                    provider_rows,
                    empty="No provider has a completed plan here.",
                    caption_size="s",
                ),
            )
        )
    return render(
        request,
        "brokerage/impact/report.html",
        {
            "form": form,
            "sections": sections,
            "completed": plans.filter(status=PlanStatus.COMPLETED).count(),
            "breadcrumbs": crumbs(),
        },
    )
