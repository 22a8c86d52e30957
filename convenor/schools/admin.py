from django.contrib import admin

from convenor.schools import models


@admin.register(models.Establishment)
class EstablishmentAdmin(admin.ModelAdmin[models.Establishment]):
    list_display = ("urn", "name", "la_code", "phase", "type_name", "status", "is_academy")
    list_filter = ("phase", "type_group", "status", "is_academy", "la_code")
    search_fields = ("urn", "name", "laestab", "postcode")


@admin.register(models.LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin[models.LocalAuthority]):
    list_display = ("code", "name", "gss_code", "region_name")
    search_fields = ("code", "name")


@admin.register(models.EstablishmentLink)
class EstablishmentLinkAdmin(admin.ModelAdmin[models.EstablishmentLink]):
    list_display = ("urn", "link_urn", "link_type", "established")
    search_fields = ("urn", "link_urn")


@admin.register(models.Group)
class GroupAdmin(admin.ModelAdmin[models.Group]):
    list_display = ("uid", "group_id", "name", "group_type", "status")
    list_filter = ("group_type", "status")
    search_fields = ("name", "group_id")


admin.site.register(models.GroupMembership)
admin.site.register(models.UrnLookup)
admin.site.register(models.EstablishmentType)
