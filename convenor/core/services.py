"""State changes of the core app. Every one writes its audit event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from convenor.core.models import AuditEvent

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
