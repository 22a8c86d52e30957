from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from convenor.intelligence import models


@admin.register(models.Inspection)
class InspectionAdmin(admin.ModelAdmin[models.Inspection]):
    list_display = ("urn", "inspection_date", "rating", "framework")
    search_fields = ("urn",)


for model in (
    models.KS2Result,
    models.KS4Result,
    models.CensusRecord,
    models.AbsenceRecord,
    models.ExclusionRecord,
    models.PreferenceRecord,
    models.AreaStatistic,
):
    admin.site.register(model)


class _ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Changes go through convenor.intelligence.services, which audit them; never the admin."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.ConcernRule)
class ConcernRuleAdmin(_ReadOnlyAdmin):
    list_display = (
        "la_code",
        "name",
        "threshold",
        "window_length",
        "window_unit",
        "effective_from",
    )
    list_filter = ("la_code",)


@admin.register(models.SoftIntelligenceEntry)
class SoftIntelligenceEntryAdmin(_ReadOnlyAdmin):
    """What exists, for data stewardship (retention, withdrawals), never what an entry says.

    Administrators do not read soft intelligence (docs/adr/0006), and reading here would
    bypass the audit, so the summary, source, follow-up and withdrawal reason are left out.
    """

    list_display = (
        "pk",
        "urn",
        "observed_on",
        "sensitivity",
        "expires_on",
        "synthetic",
        "withdrawn_at",
    )
    list_filter = ("sensitivity", "synthetic")
    fields = (
        "urn",
        "observed_on",
        "recorded_at",
        "sensitivity",
        "expires_on",
        "synthetic",
        "withdrawn_at",
    )
    readonly_fields = fields
