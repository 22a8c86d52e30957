from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from convenor.core import models
from convenor.core.services import assign_role, check_assignment, revoke_role


@admin.register(models.ImportRun)
class ImportRunAdmin(admin.ModelAdmin[models.ImportRun]):
    list_display = (
        "started_at",
        "kind",
        "file_name",
        "status",
        "rows_read",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "out_of_scope",
        "actor_label",
    )
    list_filter = ("kind", "status")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the ledger is a record, not something to edit


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[models.AuditEvent]):
    list_display = ("at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class RoleAssignmentForm(ModelForm[models.RoleAssignment]):
    class Meta:
        model = models.RoleAssignment
        fields = ("user", "role", "la_code", "area", "school_urn", "remit", "starts", "ends")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or not cleaned.get("user") or not cleaned.get("role"):
            return cleaned
        candidate = models.RoleAssignment(**{name: cleaned.get(name) for name in self.Meta.fields})
        try:
            candidate.clean()
        except ValidationError:
            return cleaned  # the model's own validation, run next, reports these
        # Checked here, not only in the service, so a mistake shows on the form, not as a 500.
        check_assignment(candidate)
        return cleaned


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[models.RoleAssignment]):
    """Roles are added and removed here through the services, so each is audited.

    An assignment is never edited in place: to change one, remove it and add
    another, which leaves two audit events saying exactly what changed.
    """

    form = RoleAssignmentForm
    list_display = ("user", "role", "scope_label", "starts", "ends", "created_at", "created_by")
    list_filter = ("role", "la_code")
    list_select_related = ("user", "created_by")
    search_fields = ("user__username", "user__first_name", "user__last_name", "area", "remit")
    autocomplete_fields = ("user",)

    def has_change_permission(
        self, request: HttpRequest, obj: models.RoleAssignment | None = None
    ) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: models.RoleAssignment,
        form: ModelForm[models.RoleAssignment],
        change: bool,
    ) -> None:
        saved = assign_role(
            obj.user,
            obj.role,
            actor=request.user,
            la_code=obj.la_code,
            area=obj.area,
            school_urn=obj.school_urn,
            remit=obj.remit,
            starts=obj.starts,
            ends=obj.ends,
        )
        # The admin goes on to log and redirect to ``obj``, so it must become the saved row.
        obj.pk, obj.created_at, obj.created_by = saved.pk, saved.created_at, saved.created_by

    def delete_model(self, request: HttpRequest, obj: models.RoleAssignment) -> None:
        revoke_role(obj, actor=request.user)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[models.RoleAssignment]
    ) -> None:
        for assignment in queryset.select_related("user"):
            revoke_role(assignment, actor=request.user)
