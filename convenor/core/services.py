"""State changes of the core app. Every one writes its audit event."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from convenor.core.models import AuditEvent, RoleAssignment
from convenor.schools.models import Establishment, LocalAuthority

Actor = AbstractBaseUser | AnonymousUser | str | None


def actor_fields(actor: Actor) -> dict[str, Any]:
    """The user and the label to store for whoever acted (a user, or a named process)."""
    if actor is None:
        return {"actor": None, "actor_label": "system"}
    if isinstance(actor, str):
        return {"actor": None, "actor_label": actor}
    if not actor.is_authenticated:
        return {"actor": None, "actor_label": "anonymous"}
    return {"actor": actor, "actor_label": actor.get_username()}


def record_audit(
    action: str,
    *,
    actor: Actor,
    object_type: str = "",
    object_id: str | int = "",
    **detail: Any,
) -> AuditEvent:
    """Write one audit event. Call inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
        **actor_fields(actor),
    )


def _assignment_detail(assignment: RoleAssignment) -> dict[str, Any]:
    # Enough to rebuild the assignment from the audit trail alone, since revoking deletes it.
    return {
        "user": assignment.user.get_username(),
        "role": assignment.role,
        "la_code": assignment.la_code,
        "area": assignment.area,
        "school_urn": assignment.school_urn,
        "remit": assignment.remit,
        "starts": assignment.starts.isoformat() if assignment.starts else None,
        "ends": assignment.ends.isoformat() if assignment.ends else None,
    }


def _check_against_register(assignment: RoleAssignment) -> None:
    # A mistyped code would otherwise give a role that silently sees nothing.
    errors: dict[str, str] = {}
    la_code, urn = assignment.la_code, assignment.school_urn
    if la_code is not None and not LocalAuthority.objects.filter(code=la_code).exists():
        errors["la_code"] = f"There is no local authority {la_code} in the register."
    elif assignment.area and not (
        Establishment.objects.filter(la_code=la_code, district=assignment.area).exists()
    ):
        # A board's area is matched to the register's district name, so it must be one.
        errors["area"] = (
            f"No establishment in LA {la_code} is in the district {assignment.area!r}; "
            "use a district name from the register."
        )
    if urn is not None and not Establishment.objects.filter(urn=urn).exists():
        errors["school_urn"] = f"There is no establishment with URN {urn} in the register."
    if errors:
        raise ValidationError(errors)


def _check_not_held_already(assignment: RoleAssignment) -> None:
    held = RoleAssignment.objects.filter(
        user=assignment.user,
        role=assignment.role,
        la_code=assignment.la_code,
        area=assignment.area,
        school_urn=assignment.school_urn,
        remit=assignment.remit,
    )
    # Open-ended dates overlap everything on their open side.
    if assignment.ends is not None:
        held = held.filter(Q(starts__isnull=True) | Q(starts__lte=assignment.ends))
    if assignment.starts is not None:
        held = held.filter(Q(ends__isnull=True) | Q(ends__gte=assignment.starts))
    if held.exists():
        raise ValidationError(
            f"{assignment.user.get_username()} already holds this role in this scope "
            "for some of these dates."
        )


def check_assignment(assignment: RoleAssignment) -> None:
    """The checks of a new assignment beyond its own fields (``RoleAssignment.clean``).

    Raises ``ValidationError`` when the LA, school or area is not in the
    register, or the user already holds the role in that scope on some of the
    dates. Forms call it to show the errors; :func:`assign_role` calls it too.
    """
    _check_against_register(assignment)
    _check_not_held_already(assignment)


@transaction.atomic
def assign_role(
    user: User,
    role: str,
    *,
    actor: Actor,
    la_code: int | None = None,
    area: str = "",
    school_urn: int | None = None,
    remit: str = "",
    starts: date | None = None,
    ends: date | None = None,
) -> RoleAssignment:
    """Give ``user`` a role in a scope, from ``starts`` to ``ends`` (inclusive; None: open).

    Which scope a role takes is set by :data:`convenor.core.models.ROLE_SCOPE`.
    Raises ``ValidationError``, naming the field, when the scope does not fit
    the role, the LA or school is not in the register, or the user already
    holds the same role in the same scope for overlapping dates. Writes a
    ``role.assigned`` audit event.
    """
    acting = actor_fields(actor)["actor"]
    assignment = RoleAssignment(
        user=user,
        role=role,
        la_code=la_code,
        area=area.strip(),
        school_urn=school_urn,
        remit=remit.strip(),
        starts=starts,
        ends=ends,
        created_by=acting,
    )
    assignment.full_clean()
    check_assignment(assignment)
    assignment.save()
    record_audit(
        "role.assigned",
        actor=actor,
        object_type="role_assignment",
        object_id=assignment.pk,
        **_assignment_detail(assignment),
    )
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor: Actor) -> None:
    """Take a role away at once, writing a ``role.revoked`` audit event.

    The assignment is deleted; the audit event keeps everything it said, so
    who held which role when stays answerable from the audit trail.
    """
    detail = _assignment_detail(assignment)
    object_id = assignment.pk
    assignment.delete()
    record_audit(
        "role.revoked", actor=actor, object_type="role_assignment", object_id=object_id, **detail
    )
