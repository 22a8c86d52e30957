from django.contrib import admin

from convenor.core import models


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
