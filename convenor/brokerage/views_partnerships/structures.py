"""Partnership structures: the list by tier, a structure's page, and the forms that create
one, add and end memberships, and record a meeting with its attendance.

Every role but elected members reads the structures (ADR 0011). LA officers create
structures and manage memberships in their LA; they and the board members of a
structure's area record its meetings. Which school attended which meeting is shown to
those who record them; other readers see how many came.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from convenor.analytics.concern import day_words
from convenor.brokerage import forms_partnerships as f
from convenor.brokerage import services
from convenor.brokerage.models import (
    MemberRole,
    Partnership,
    PartnershipKind,
    PartnershipMeeting,
    PartnershipMembership,
)
from convenor.brokerage.scope import scope_of
from convenor.brokerage.views_partnerships.common import (
    STRUCTURE_ROLES,
    crumbs,
    form_page,
    home_las,
    la_name,
    la_names,
    on_submit,
    posted,
)
from convenor.core.components import Cell, Link, SummaryRow, Table
from convenor.core.models import Role
from convenor.core.permissions import role_required
from convenor.schools.models import Establishment

SYNTHETIC = "Synthetic"
# Roles first in a structure's member list: who chairs and leads it.
ROLE_ORDER = {MemberRole.CHAIR: 0, MemberRole.LEAD_HEAD: 1, MemberRole.HUB_SCHOOL: 2}
TIERS = (PartnershipKind.STRATEGIC, PartnershipKind.AREA_BOARD, PartnershipKind.CLUSTER)


def _names(urns: Iterable[int]) -> dict[int, str]:
    return dict(Establishment.objects.filter(urn__in=set(urns)).values_list("urn", "name"))


def _school_cell(urn: int, names: dict[int, str]) -> Cell:
    href = reverse("schools:profile", kwargs={"urn": urn})
    return Cell(names.get(urn, f"URN {urn}"), href=href, header=True)


def _structure_href(partnership: Partnership, suffix: str = "") -> str:
    return reverse("partnerships:structure", kwargs={"pk": partnership.pk}) + suffix


def _tier_table(
    caption: str, rows: list[Partnership], suffix: str, *, parent: bool, empty: str
) -> Table:
    head = [Cell("Name"), Cell("Area")]
    if parent:
        head.append(Cell("Part of"))
    head += [Cell("Members", numeric=True), Cell("Running since")]
    body = []
    for p in rows:
        line = [
            Cell(
                p.name,
                href=_structure_href(p, suffix),
                header=True,
                tag=SYNTHETIC if p.synthetic else "",
            ),
            Cell(p.area or "None"),
        ]
        if parent:
            line.append(Cell(p.parent.name if p.parent else "None"))
        line += [
            Cell.of(p.member_count, numeric=True),  # type: ignore[attr-defined]
            Cell(day_words(p.starts)),
        ]
        body.append(line)
    return Table(caption, head, body, empty=empty)


@role_required(*STRUCTURE_ROLES)
@require_GET
def structure_list(request: HttpRequest) -> HttpResponse:
    """An LA's structures running on a date, by tier, then the other kinds."""
    scope = scope_of(request)
    mine = home_las(request, scope)
    held = Partnership.objects.order_by().values_list("la_code", flat=True).distinct()
    form = f.AsAtForm(request.GET, local_authorities=la_names({*mine, *held}))
    valid = form.is_valid()
    as_at: date = (valid and form.cleaned_data.get("as_at")) or timezone.localdate()
    chosen = form.cleaned_data.get("la") if valid else None
    la_code = chosen or (mine[0] if mine else min(held, default=None))
    found = list(Partnership.objects.for_structure_page(la_code, as_at)) if la_code else []
    suffix = "" if as_at == timezone.localdate() else f"?as_at={as_at.isoformat()}"
    by_kind: dict[str, list[Partnership]] = {}
    for p in found:
        by_kind.setdefault(p.kind, []).append(p)
    clusters = sorted(
        by_kind.get(PartnershipKind.CLUSTER, []),
        key=lambda p: (p.parent.name if p.parent else "", p.name),
    )
    others = sorted(
        (p for p in found if p.kind not in TIERS), key=lambda p: (p.get_kind_display(), p.name)
    )
    tables = [
        _tier_table(
            "Strategic partnership",
            by_kind.get(PartnershipKind.STRATEGIC, []),
            suffix,
            parent=False,
            empty="No strategic partnership is recorded.",
        ),
        _tier_table(
            "Area boards and alliances",
            by_kind.get(PartnershipKind.AREA_BOARD, []),
            suffix,
            parent=True,
            empty="No area board is recorded.",
        ),
        _tier_table(
            "School clusters", clusters, suffix, parent=True, empty="No cluster is recorded."
        ),
    ]
    other = Table(
        "Hubs, trusts, federations, dioceses and networks",
        [Cell("Name"), Cell("Kind"), Cell("Area"), Cell("Members", numeric=True)],
        [
            [
                Cell(p.name, href=_structure_href(p, suffix), header=True),
                Cell(p.get_kind_display()),
                Cell(p.area or "None"),
                Cell.of(p.member_count, numeric=True),  # type: ignore[attr-defined]
            ]
            for p in others
        ],
        empty="None recorded.",
    )
    return render(
        request,
        "brokerage/partnerships/list.html",
        {
            "form": form,
            "as_at_words": day_words(as_at),
            "la_label": la_name(la_code),
            "tables": tables,
            "other": other,
            "count": len(found),
            "can_create": bool(scope.officer_las),
            "create_href": reverse("partnerships:create"),
            "clear_href": reverse("partnerships:list"),
            "choose_la": len(form.fields["la"].choices) > 2,  # type: ignore[attr-defined]
            "breadcrumbs": [Link("Home", reverse("schools:home"))],
        },
    )


def _member_rows(
    partnership: Partnership, can_manage: bool, names: dict[int, str], today: date
) -> list[list[Cell]]:
    memberships = sorted(
        partnership.memberships.all(),
        key=lambda m: (
            not m.in_force(today),
            ROLE_ORDER.get(MemberRole(m.role), 9),
            names.get(m.urn, ""),
            m.starts,
        ),
    )
    rows = []
    for m in memberships:
        line = [
            _school_cell(m.urn, names),
            Cell(str(m.urn)),
            Cell(m.get_role_display()),
            Cell(m.get_strength_display()),
            Cell(day_words(m.starts)),
            Cell(day_words(m.ends) if m.ends else "Still a member"),
        ]
        if can_manage:
            end = reverse("partnerships:member-end", kwargs={"pk": partnership.pk, "member": m.pk})
            line.append(Cell("End membership", href=end) if m.ends is None else Cell(""))
        rows.append(line)
    return rows


def _meeting_rows(
    meetings: list[PartnershipMeeting], names: dict[int, str], show_schools: bool
) -> list[list[Cell]]:
    rows = []
    for meeting in meetings:
        answers = list(meeting.attendance.all())
        came = [a.urn for a in answers if a.attended]
        line = [
            Cell(day_words(meeting.held_on), header=True),
            Cell(meeting.title),
            Cell(f"{len(came)} of {len(answers)}" if answers else "Not recorded", numeric=True),
        ]
        if show_schools:
            absent = sorted(names.get(a.urn, f"URN {a.urn}") for a in answers if not a.attended)
            line.append(Cell("; ".join(absent) or "None"))
        rows.append(line)
    return rows


@role_required(*STRUCTURE_ROLES)
@require_GET
def structure(request: HttpRequest, pk: int) -> HttpResponse:
    """A structure: what it is, its members with roles and dates, and its meetings."""
    scope = scope_of(request)
    partnership = get_object_or_404(Partnership.objects.select_related("parent"), pk=pk)
    today = timezone.localdate()
    meetings = list(partnership.meetings.prefetch_related("attendance").order_by("-held_on"))
    memberships = list(partnership.memberships.all())
    names = _names(
        [m.urn for m in memberships] + [a.urn for m in meetings for a in m.attendance.all()]
    )
    can_manage = scope.can_manage_partnerships(partnership.la_code)
    can_record = scope.can_record_meeting(partnership)
    leads: dict[str, list[str]] = {}
    for m in memberships:
        if m.in_force(today) and m.role != MemberRole.MEMBER:
            leads.setdefault(m.get_role_display(), []).append(names.get(m.urn, f"URN {m.urn}"))
    children = list(
        partnership.children.annotate(members=Count("memberships")).order_by("kind", "name")
    )
    summary = [
        SummaryRow("Kind", partnership.get_kind_display()),
        SummaryRow("Local authority", la_name(partnership.la_code)),
        SummaryRow("Area", partnership.area or "None"),
        SummaryRow("Part of", partnership.parent.name if partnership.parent else "None"),
        SummaryRow(
            "Runs",
            f"From {day_words(partnership.starts)}"
            + (f" to {day_words(partnership.ends)}" if partnership.ends else ", still running"),
        ),
        *(SummaryRow(role, "\n".join(sorted(who))) for role, who in sorted(leads.items())),
    ]
    member_head = [
        Cell("School"),
        Cell("URN"),
        Cell("Role"),
        Cell("Link"),
        Cell("From"),
        Cell("To"),
    ]
    if can_manage:
        member_head.append(Cell("Action"))
    meeting_head = [Cell("Date"), Cell("Meeting"), Cell("Attended", numeric=True)]
    if can_record:
        meeting_head.append(Cell("Absent"))
    return render(
        request,
        "brokerage/partnerships/structure.html",
        {
            "partnership": partnership,
            "summary": summary,
            "children": [
                Link(f"{c.name} ({c.get_kind_display().lower()})", _structure_href(c))
                for c in children
            ],
            "members": Table(
                "Members",
                member_head,
                _member_rows(partnership, can_manage, names, today),
                empty="No members are recorded.",
            ),
            "meetings": Table(
                "Meetings, latest first",
                meeting_head,
                _meeting_rows(meetings, names, can_record),
                empty="No meetings are recorded.",
            ),
            "add_member_href": reverse("partnerships:member-add", kwargs={"pk": pk})
            if can_manage and partnership.ends is None
            else "",
            "meeting_href": reverse("partnerships:meeting-create", kwargs={"pk": pk})
            if can_record
            else "",
            "breadcrumbs": crumbs(),
        },
    )


def _officer_las(request: HttpRequest) -> list[int]:
    las = sorted(scope_of(request).officer_las)
    if not las:
        raise PermissionDenied
    return las


@role_required(Role.LA_OFFICER)
@require_http_methods(["GET", "POST"])
def structure_create(request: HttpRequest) -> HttpResponse:
    """Record a new structure of one of the officer's LAs."""
    las = _officer_las(request)
    today = timezone.localdate()
    running = Partnership.objects.filter(la_code__in=las).filter(
        Q(ends__isnull=True) | Q(ends__gte=today)
    )
    areas = sorted(
        a
        for a in Establishment.objects.filter(la_code__in=las)
        .order_by()
        .values_list("district", flat=True)
        .distinct()
        if a
    )
    parent = running.filter(pk=request.GET.get("parent") or 0).first()
    initial: dict[str, Any] = {"starts": today}
    if parent is not None:
        initial |= {"parent": parent.pk, "la_code": parent.la_code, "area": parent.area}
    form = f.PartnershipForm(
        posted(request),
        local_authorities=la_names(las),
        areas=areas,
        parents=[(p.pk, f"{p.name} ({p.get_kind_display().lower()})") for p in running],
        initial=initial,
    )

    def create(data: dict[str, Any]) -> Partnership:
        chosen = data.pop("parent")
        data["parent"] = running.filter(pk=chosen).first() if chosen else None
        return services.create_partnership(actor=request.user, **data)

    sent = on_submit(
        request,
        form,
        create,
        lambda p: (f"{p.name} recorded.", _structure_href(p)),
    )
    return sent or form_page(
        request,
        form,
        title="Create a partnership structure",
        caption="Partnerships",
        submit="Create structure",
        back=reverse("partnerships:list"),
        breadcrumbs=crumbs(),
        intro=[
            "Record a cluster, an area board, the strategic partnership or another way "
            "schools are joined. Add its members from its page once it is created.",
        ],
    )


def _managed(request: HttpRequest, pk: int) -> Partnership:
    partnership = get_object_or_404(Partnership, pk=pk)
    if not scope_of(request).can_manage_partnerships(partnership.la_code):
        raise PermissionDenied
    return partnership


@role_required(Role.LA_OFFICER)
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a school to a structure, in a role, from a date."""
    partnership = _managed(request, pk)
    form = f.MembershipForm(posted(request), initial={"starts": timezone.localdate()})
    sent = on_submit(
        request,
        form,
        lambda data: services.add_member(partnership, actor=request.user, **data),
        lambda m: (f"URN {m.urn} added to {partnership.name}.", _structure_href(partnership)),
    )
    return sent or form_page(
        request,
        form,
        title="Add a member",
        caption=partnership.name,
        submit="Add member",
        back=_structure_href(partnership),
        breadcrumbs=crumbs(Link(partnership.name, _structure_href(partnership))),
    )


@role_required(Role.LA_OFFICER)
@require_http_methods(["GET", "POST"])
def member_end(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """End a school's membership on its last day."""
    partnership = _managed(request, pk)
    membership = get_object_or_404(PartnershipMembership, pk=member, partnership=partnership)
    school = _names([membership.urn]).get(membership.urn, f"URN {membership.urn}")
    form = f.EndMembershipForm(posted(request), initial={"ends": timezone.localdate()})
    sent = on_submit(
        request,
        form,
        lambda data: services.end_membership(membership, actor=request.user, **data),
        lambda m: (f"{school}'s membership ended.", _structure_href(partnership)),
    )
    return sent or form_page(
        request,
        form,
        title=f"End {school}'s membership",
        caption=partnership.name,
        submit="End membership",
        back=_structure_href(partnership),
        breadcrumbs=crumbs(Link(partnership.name, _structure_href(partnership))),
        intro=["The membership stays on record with its end date."],
    )


@role_required(Role.LA_OFFICER, Role.BOARD_MEMBER)
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a meeting of a structure and which member schools attended."""
    partnership = get_object_or_404(Partnership, pk=pk)
    if not scope_of(request).can_record_meeting(partnership):
        raise PermissionDenied
    today = timezone.localdate()
    recent = partnership.memberships.filter(starts__lte=today).exclude(
        ends__lt=today - timedelta(days=365)
    )
    urns = sorted(set(recent.values_list("urn", flat=True)))
    names = _names(urns)
    members = sorted(((u, f"{names.get(u, 'URN')} ({u})") for u in urns), key=lambda c: c[1])
    form = f.MeetingForm(posted(request), members=members)

    def record(data: dict[str, Any]) -> PartnershipMeeting:
        came = set(data.pop("attendance"))
        on_the_day = set(
            partnership.memberships.in_force(data["held_on"]).values_list("urn", flat=True)
        )
        # Every member on the day is answered; a school ticked that was not a member then
        # is passed on too, so the service says so beside the field.
        attendance = {urn: urn in came for urn in on_the_day | came}
        return services.record_meeting(
            partnership, actor=request.user, attendance=attendance, **data
        )

    sent = on_submit(
        request,
        form,
        record,
        lambda m: (f"Meeting of {day_words(m.held_on)} recorded.", _structure_href(partnership)),
    )
    return sent or form_page(
        request,
        form,
        title="Record a meeting",
        caption=partnership.name,
        submit="Record meeting",
        back=_structure_href(partnership),
        breadcrumbs=crumbs(Link(partnership.name, _structure_href(partnership))),
        intro=[
            "Tick the member schools that came. Attendance shows which schools take part "
            "in their networks, and feeds the connectedness view.",
        ],
    )
