"""Brokerage in the Django admin: read only, for data stewardship.

Every change goes through :mod:`convenor.brokerage.services`, which checks it and
writes its audit event; the ledger, funds and decisions must never be edited or
deleted in place, so the admin offers no add, change or delete. Free text that may
name staff (request notes, reasons, reviews, visit notes) is left off the lists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from convenor.brokerage import models


class _ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.Partnership)
class PartnershipAdmin(_ReadOnlyAdmin):
    list_display = ("name", "kind", "la_code", "area", "parent", "starts", "ends", "synthetic")
    list_filter = ("la_code", "kind", "synthetic")
    search_fields = ("name",)


@admin.register(models.PartnershipMembership)
class MembershipAdmin(_ReadOnlyAdmin):
    list_display = ("partnership", "urn", "role", "strength", "starts", "ends")
    list_filter = ("role", "strength")
    search_fields = ("urn",)


@admin.register(models.PartnershipMeeting)
class MeetingAdmin(_ReadOnlyAdmin):
    list_display = ("partnership", "held_on", "title")


@admin.register(models.MeetingAttendance)
class AttendanceAdmin(_ReadOnlyAdmin):
    list_display = ("meeting", "urn", "attended")


@admin.register(models.SupportProvider)
class ProviderAdmin(_ReadOnlyAdmin):
    list_display = (
        "name",
        "designation",
        "la_code",
        "home_urn",
        "places_high",
        "places_medium",
        "places_low",
        "available_from",
        "available_to",
        "synthetic",
    )
    list_filter = ("la_code", "designation", "synthetic")
    search_fields = ("name",)


@admin.register(models.ProviderManager)
class ProviderManagerAdmin(_ReadOnlyAdmin):
    list_display = ("provider", "user", "starts", "ends")


@admin.register(models.SupportRequest)
class RequestAdmin(_ReadOnlyAdmin):
    list_display = ("pk", "urn", "la_code", "intensity", "urgency", "status", "raised_on")
    list_filter = ("la_code", "status", "intensity", "synthetic")
    search_fields = ("urn",)
    exclude = ("notes", "withdrawn_reason")


@admin.register(models.MatchingRun)
class MatchingRunAdmin(_ReadOnlyAdmin):
    list_display = ("pk", "la_code", "as_at", "method", "run_at")


@admin.register(models.Match)
class MatchAdmin(_ReadOnlyAdmin):
    list_display = ("pk", "request", "provider", "status", "cost", "decided_on")
    list_filter = ("status",)
    exclude = ("reason",)


@admin.register(models.SupportPlan)
class PlanAdmin(_ReadOnlyAdmin):
    list_display = ("pk", "urn", "provider", "status", "starts", "ends", "tariff_band")
    list_filter = ("status", "tariff_band")
    exclude = ("objectives",)


@admin.register(models.PlanMilestone)
class MilestoneAdmin(_ReadOnlyAdmin):
    list_display = ("plan", "title", "due_on", "done_on")


@admin.register(models.PlanVisit)
class VisitAdmin(_ReadOnlyAdmin):
    list_display = ("plan", "visited_on", "days")
    exclude = ("note",)


@admin.register(models.PlanReview)
class ReviewAdmin(_ReadOnlyAdmin):
    list_display = ("plan", "reviewed_on", "decision", "next_review_on")
    exclude = ("reason",)


@admin.register(models.SupportRating)
class RatingAdmin(_ReadOnlyAdmin):
    list_display = ("plan", "provider", "score", "rated_on")
    exclude = ("review",)


@admin.register(models.TariffBand)
class TariffAdmin(_ReadOnlyAdmin):
    list_display = ("la_code", "band", "amount", "effective_from")
    list_filter = ("la_code", "band")


@admin.register(models.Fund)
class FundAdmin(_ReadOnlyAdmin):
    list_display = ("name", "la_code", "partnership", "period_start", "period_end", "budget")
    list_filter = ("la_code",)


@admin.register(models.FundCommitment)
class CommitmentAdmin(_ReadOnlyAdmin):
    list_display = ("fund", "plan", "amount", "committed_on")


@admin.register(models.FundSpend)
class SpendAdmin(_ReadOnlyAdmin):
    list_display = ("fund", "plan", "amount", "spent_on")


@admin.register(models.CreditAccount)
class CreditAccountAdmin(_ReadOnlyAdmin):
    list_display = ("name", "la_code", "kind", "urn", "opened_on")
    list_filter = ("la_code", "kind")


@admin.register(models.CreditTransaction)
class CreditTransactionAdmin(_ReadOnlyAdmin):
    list_display = ("pk", "la_code", "posted_on", "description", "reverses")
    list_filter = ("la_code",)


@admin.register(models.CreditEntry)
class CreditEntryAdmin(_ReadOnlyAdmin):
    list_display = ("transaction", "account", "amount")


@admin.register(models.TradedService)
class TradedServiceAdmin(_ReadOnlyAdmin):
    list_display = ("name", "la_code", "package", "fee_rule", "period_start", "period_end")
    list_filter = ("la_code", "package")


@admin.register(models.Subscription)
class SubscriptionAdmin(_ReadOnlyAdmin):
    list_display = ("service", "urn", "pupils_counted", "amount_charged", "subscribed_on")
