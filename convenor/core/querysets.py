"""Reads of the core app, named for the pages that use them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import models
from django.db.models.functions import Concat

if TYPE_CHECKING:
    from convenor.core.models import AuditEvent  # noqa: F401 - named in a string below


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_audit_page(
        self,
        *,
        actor: str = "",
        action: str = "",
        object_type: str = "",
        object_id: str = "",
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> AuditEventQuerySet:
        """The events the audit page lists, newest first; every filter may be left empty.

        ``actor`` and ``object_id`` match any part of the stored text; the dates are
        days in the service's time zone, both inclusive.
        """
        events = self.order_by("-at", "-pk")
        if actor:
            # The label, not the user: it also names processes and keeps deleted users' names.
            events = events.filter(actor_label__icontains=actor)
        if action:
            events = events.filter(action=action)
        if object_type:
            events = events.filter(object_type=object_type)
        if object_id:
            events = events.filter(object_id__icontains=object_id)
        if date_from is not None:
            events = events.filter(at__date__gte=date_from)
        if date_to is not None:
            events = events.filter(at__date__lte=date_to)
        return events

    def actions(self) -> list[str]:
        """Every action recorded, in alphabetical order, for the audit page's filter."""
        return list(self.order_by("action").values_list("action", flat=True).distinct())

    def object_types(self) -> list[str]:
        """Every object type recorded, in alphabetical order, for the audit page's filter."""
        return list(
            self.exclude(object_type="")
            .order_by("object_type")
            .values_list("object_type", flat=True)
            .distinct()
        )


def roles_in_force(on: date) -> models.Q:
    """Role assignments that apply on ``on`` (both end dates inclusive)."""
    return (models.Q(starts__isnull=True) | models.Q(starts__lte=on)) & (
        models.Q(ends__isnull=True) | models.Q(ends__gte=on)
    )


def users_for_user_list(search: str, on: date) -> models.QuerySet[User]:
    """The users page: everyone by username, each with ``roles_in_force`` on ``on``.

    ``search`` matches any part of the username, full name or email address.
    """
    from convenor.core.models import RoleAssignment

    users = User.objects.order_by("username").prefetch_related(
        models.Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.filter(roles_in_force(on)),
            to_attr="roles_in_force",
        )
    )
    if search:
        users = users.annotate(
            full_name=Concat("first_name", models.Value(" "), "last_name")
        ).filter(
            models.Q(username__icontains=search)
            | models.Q(full_name__icontains=search)
            | models.Q(email__icontains=search)
        )
    return users
