from django.contrib import admin

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
