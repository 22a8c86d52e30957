"""The import ledger and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One import of one file: what was read and what became of every row.

    ``rows_read == created + updated + unchanged + rejected + out_of_scope``
    always holds (``out_of_scope`` is non-zero only when the import was
    limited to one LA).
    """

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50)
    file_name = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(max_length=150)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices)
    la_scope = models.PositiveIntegerField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    out_of_scope = models.PositiveIntegerField(default=0)
    report_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def balances(self) -> bool:
        accounted = self.created + self.updated + self.unchanged + self.rejected + self.out_of_scope
        return self.rows_read == accounted


class ImportRejection(models.Model):
    """A row an import could not accept, with its line, field and reason."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    source_file = models.CharField(max_length=500)
    line = models.PositiveIntegerField()
    field = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500)
    raw = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["run", "line"]

    def __str__(self) -> str:
        return f"{self.source_file}:{self.line} {self.field} {self.reason}"


class AuditEvent(models.Model):
    """Who did what, when: every state change and every view of restricted data."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
