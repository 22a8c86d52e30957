"""Partnership structures: creating and ending them, members, meetings and attendance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from convenor.brokerage.models import (
    MeetingAttendance,
    MemberRole,
    Partnership,
    PartnershipKind,
    PartnershipMeeting,
    PartnershipMembership,
    Strength,
)
from convenor.brokerage.services.common import (
    add_error,
    check_area,
    check_choice,
    check_la,
    check_order,
    check_past,
    check_text,
    iso,
    raise_if,
    school_or_error,
)
from convenor.core.services import Actor, actor_fields, record_audit


def _user(actor: Actor) -> Any:
    return actor_fields(actor)["actor"]


def _partnership_detail(partnership: Partnership) -> dict[str, Any]:
    return {
        "la_code": partnership.la_code,
        "kind": partnership.kind,
        "name": partnership.name,
        "area": partnership.area,
        "parent": partnership.parent_id,
        "starts": iso(partnership.starts),
        "ends": iso(partnership.ends),
        "synthetic": partnership.synthetic,
    }


@transaction.atomic
def create_partnership(
    *,
    actor: Actor,
    la_code: int,
    kind: str,
    name: str,
    starts: date,
    area: str = "",
    parent: Partnership | None = None,
    ends: date | None = None,
    synthetic: bool = False,
) -> Partnership:
    """Record a partnership structure of an LA from ``starts`` (to ``ends``, if known).

    ``area``, when given, must be a district of the LA in the register (board members'
    areas are districts). A ``parent`` (a cluster's area board) must be of the same
    LA and running on ``starts``; a tiered structure's parent must be of a higher
    tier. Raises ``ValidationError`` keyed by argument name. Writes a
    ``partnership.created`` audit event.
    """
    errors: dict[str, list[str]] = {}
    check_la(errors, "la_code", la_code)
    check_choice(errors, "kind", kind, PartnershipKind, "the kind of partnership")
    check_text(errors, "name", name, "the partnership's name")
    check_area(errors, "area", la_code, area.strip())
    if ends is not None and ends < starts:
        add_error(errors, "ends", "The end date cannot be before the start date.")
    if parent is not None:
        if parent.la_code != la_code:
            add_error(errors, "parent", "The parent structure must be of the same LA.")
        elif not parent.in_force(starts):
            add_error(errors, "parent", f"{parent.name} is not running on the start date.")
        tier, parent_tier = Partnership(kind=kind).tier, parent.tier
        if tier is not None and parent_tier is not None and parent_tier <= tier:
            add_error(errors, "parent", f"A {kind} sits under a structure of a higher tier.")
    raise_if(errors)
    partnership = Partnership.objects.create(
        la_code=la_code,
        kind=kind,
        name=name.strip(),
        area=area.strip(),
        parent=parent,
        starts=starts,
        ends=ends,
        synthetic=synthetic,
        created_by=_user(actor),
    )
    record_audit(
        "partnership.created",
        actor=actor,
        object_type="partnership",
        object_id=partnership.pk,
        **_partnership_detail(partnership),
    )
    return partnership


@transaction.atomic
def end_partnership(partnership: Partnership, *, actor: Actor, ends: date) -> Partnership:
    """End a structure on ``ends`` (its last day), and its memberships still open then.

    Refused while a structure under it runs past ``ends``: end or move those first.
    Writes a ``partnership.ended`` audit event naming the memberships it ended.
    """
    current = Partnership.objects.select_for_update().get(pk=partnership.pk)
    errors: dict[str, list[str]] = {}
    if current.ends is not None:
        add_error(errors, "ends", f"{current.name} already ended on {current.ends:%-d %B %Y}.")
    check_order(errors, "ends", ends, current.starts, "the end date", "the start date")
    running = current.children.exclude(ends__lte=ends).order_by("name")
    if running.exists():
        names = ", ".join(child.name for child in running)
        add_error(errors, "ends", f"End the structures under it first: {names}.")
    if current.memberships.filter(starts__gt=ends).exists():
        add_error(errors, "ends", "Some memberships start after that date.")
    raise_if(errors)
    open_members = list(current.memberships.exclude(ends__lte=ends).order_by("pk"))
    for membership in open_members:
        membership.ends = ends
        membership.save(update_fields=["ends"])
    current.ends = ends
    current.save(update_fields=["ends"])
    partnership.refresh_from_db()
    record_audit(
        "partnership.ended",
        actor=actor,
        object_type="partnership",
        object_id=current.pk,
        ends=iso(ends),
        memberships_ended=[m.pk for m in open_members],
    )
    return current


def _membership_detail(membership: PartnershipMembership) -> dict[str, Any]:
    return {
        "partnership": membership.partnership_id,
        "urn": membership.urn,
        "role": membership.role,
        "strength": membership.strength,
        "starts": iso(membership.starts),
        "ends": iso(membership.ends),
    }


@transaction.atomic
def add_member(
    partnership: Partnership,
    *,
    actor: Actor,
    urn: int,
    starts: date,
    role: str = MemberRole.MEMBER,
    strength: str = Strength.FORMAL,
    ends: date | None = None,
) -> PartnershipMembership:
    """Make the school ``urn`` a member of ``partnership`` from ``starts``.

    The dates must lie within the partnership's, and the school must not already be
    a member on any of them. Writes a ``partnership.member_added`` audit event.
    """
    errors: dict[str, list[str]] = {}
    school_or_error(errors, "urn", urn)
    check_choice(errors, "role", role, MemberRole, "the member's role")
    check_choice(errors, "strength", strength, Strength, "how strong the link is")
    check_order(errors, "starts", starts, partnership.starts, "the start date", "it began")
    if ends is not None and ends < starts:
        add_error(errors, "ends", "The end date cannot be before the start date.")
    last = partnership.ends
    if last is not None and (ends is None or ends > last):
        add_error(errors, "ends", f"{partnership.name} ended on {last:%-d %B %Y}; end by then.")
    overlapping = partnership.memberships.filter(urn=urn).exclude(ends__lt=starts)
    if ends is not None:
        overlapping = overlapping.filter(starts__lte=ends)
    if overlapping.exists():
        add_error(errors, "urn", f"URN {urn} is already a member for some of these dates.")
    raise_if(errors)
    membership = PartnershipMembership.objects.create(
        partnership=partnership,
        urn=urn,
        role=role,
        strength=strength,
        starts=starts,
        ends=ends,
        created_by=_user(actor),
    )
    record_audit(
        "partnership.member_added",
        actor=actor,
        object_type="partnership_membership",
        object_id=membership.pk,
        **_membership_detail(membership),
    )
    return membership


@transaction.atomic
def end_membership(
    membership: PartnershipMembership, *, actor: Actor, ends: date
) -> PartnershipMembership:
    """End a school's membership on ``ends`` (its last day). Writes
    ``partnership.member_ended``."""
    current = PartnershipMembership.objects.select_for_update().get(pk=membership.pk)
    errors: dict[str, list[str]] = {}
    if current.ends is not None:
        add_error(errors, "ends", f"This membership already ended on {current.ends:%-d %B %Y}.")
    check_order(errors, "ends", ends, current.starts, "the end date", "the membership began")
    raise_if(errors)
    current.ends = ends
    current.save(update_fields=["ends"])
    membership.refresh_from_db()
    record_audit(
        "partnership.member_ended",
        actor=actor,
        object_type="partnership_membership",
        object_id=current.pk,
        **_membership_detail(current),
    )
    return current


@transaction.atomic
def record_meeting(
    partnership: Partnership,
    *,
    actor: Actor,
    held_on: date,
    title: str,
    attendance: Mapping[int, bool] | None = None,
) -> PartnershipMeeting:
    """Record a meeting held on ``held_on`` while the partnership ran, and optionally
    who attended (see :func:`record_attendance`). Writes ``partnership.meeting_recorded``."""
    errors: dict[str, list[str]] = {}
    check_text(errors, "title", title, "the meeting's title")
    check_past(errors, "held_on", held_on, "the date of the meeting")
    if held_on is not None and not partnership.in_force(held_on):
        add_error(errors, "held_on", f"{partnership.name} was not running on that date.")
    raise_if(errors)
    meeting = PartnershipMeeting.objects.create(
        partnership=partnership, held_on=held_on, title=title.strip(), recorded_by=_user(actor)
    )
    record_audit(
        "partnership.meeting_recorded",
        actor=actor,
        object_type="partnership_meeting",
        object_id=meeting.pk,
        partnership=partnership.pk,
        held_on=iso(held_on),
    )
    if attendance:
        record_attendance(meeting, actor=actor, attendance=attendance)
    return meeting


@transaction.atomic
def record_attendance(
    meeting: PartnershipMeeting, *, actor: Actor, attendance: Mapping[int, bool]
) -> list[MeetingAttendance]:
    """Record, or correct, whether member schools attended ``meeting``.

    ``attendance`` maps URNs to attended or not; each must be a member on the day of
    the meeting. A school already recorded has its answer corrected. Writes one
    ``partnership.attendance_recorded`` event with every answer and every change.
    """
    members = set(
        meeting.partnership.memberships.in_force(meeting.held_on).values_list("urn", flat=True)
    )
    strangers = sorted(set(attendance) - members)
    if strangers:
        listed = ", ".join(str(urn) for urn in strangers)
        raise ValidationError(
            {"attendance": f"Not members on {meeting.held_on:%-d %B %Y}: {listed}."}
        )
    existing = {row.urn: row for row in meeting.attendance.select_for_update()}
    corrected: dict[str, list[bool]] = {}
    rows = []
    for urn, attended in sorted(attendance.items()):
        row = existing.get(urn)
        if row is None:
            row = MeetingAttendance.objects.create(meeting=meeting, urn=urn, attended=attended)
        elif row.attended != attended:
            corrected[str(urn)] = [row.attended, attended]
            row.attended = attended
            row.save(update_fields=["attended"])
        rows.append(row)
    record_audit(
        "partnership.attendance_recorded",
        actor=actor,
        object_type="partnership_meeting",
        object_id=meeting.pk,
        attended=sorted(urn for urn, came in attendance.items() if came),
        absent=sorted(urn for urn, came in attendance.items() if not came),
        corrected=corrected,
    )
    return rows
