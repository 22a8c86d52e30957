"""Reads of brokerage data, named for their use. Who may read what is :mod:`.scope`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

if TYPE_CHECKING:
    # Named in the querysets' type parameters, which ruff does not read as uses.
    from convenor.brokerage.models import (  # noqa: F401
        CreditAccount,
        CreditEntry,
        CreditTransaction,
        Fund,
        Match,
        Partnership,
        PartnershipMembership,
        Subscription,
        SupportPlan,
        SupportProvider,
        SupportRating,
        SupportRequest,
    )

ZERO = Decimal("0")


def _dated(starts: str, ends: str, on: date) -> Q:
    started = Q(**{f"{starts}__lte": on})
    return started & (Q(**{f"{ends}__isnull": True}) | Q(**{f"{ends}__gte": on}))


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def in_force(self, on: date) -> PartnershipQuerySet:
        """Structures running on ``on``."""
        return self.filter(_dated("starts", "ends", on))

    def for_structure_page(self, la_code: int, on: date) -> PartnershipQuerySet:
        """An LA's structures running on ``on`` with their parents and live member counts."""
        return (
            self.in_force(on)
            .filter(la_code=la_code)
            .select_related("parent")
            .annotate(
                member_count=Count(
                    "memberships",
                    filter=Q(memberships__starts__lte=on)
                    & (Q(memberships__ends__isnull=True) | Q(memberships__ends__gte=on)),
                )
            )
        )


class MembershipQuerySet(models.QuerySet["PartnershipMembership"]):
    def in_force(self, on: date) -> MembershipQuerySet:
        """Memberships running on ``on`` of structures running on ``on``."""
        return self.filter(_dated("starts", "ends", on)).filter(
            Q(partnership__starts__lte=on)
            & (Q(partnership__ends__isnull=True) | Q(partnership__ends__gte=on))
        )

    def for_network(self, la_code: int, on: date) -> MembershipQuerySet:
        """Every membership in force in an LA's structures, for the connectedness view."""
        return self.in_force(on).filter(partnership__la_code=la_code).select_related("partnership")


class ProviderQuerySet(models.QuerySet["SupportProvider"]):
    def available_on(self, day: date) -> ProviderQuerySet:
        return self.filter(_dated("available_from", "available_to", day))

    def offering(self, expertise: str | None = None, phase: str | None = None) -> ProviderQuerySet:
        """Providers offering an area of expertise and working in a phase.

        The lists are JSON; matching the quoted value as text works the same on SQLite
        and PostgreSQL, and no value is a quoted part of another.
        """
        found = self
        if expertise:
            found = found.filter(expertise__icontains=f'"{expertise}"')
        if phase:
            found = found.filter(phases__icontains=f'"{phase}"')
        return found

    def with_ratings(self) -> ProviderQuerySet:
        """Annotated with ``rating_count`` and ``rating_mean`` (None when unrated)."""
        return self.annotate(rating_count=Count("ratings"), rating_mean=Avg("ratings__score"))

    def with_places_left(self) -> ProviderQuerySet:
        """Annotated, for each band, with ``held_<band>``, the places live assignments hold
        (approved matches whose request, of that intensity, is still matched), and
        ``left_<band>``, the places offered less those, never below 0 (a provider may offer
        fewer places after approving some); ``places_left`` is the sum over the bands."""
        from convenor.brokerage.capacity import BANDS, PLACE_FIELDS
        from convenor.brokerage.models import Match

        annotations: dict[str, Any] = {}
        for band in BANDS:
            held = (
                Match.objects.live_assignments()
                .filter(provider=OuterRef("pk"), request__intensity=band)
                .order_by()
                .values("provider")
                .annotate(n=Count("pk"))
                .values("n")
            )
            annotations[f"held_{band}"] = Coalesce(
                Subquery(held, output_field=models.IntegerField()), Value(0)
            )
        lefts = {
            f"left_{band}": Greatest(F(PLACE_FIELDS[band]) - F(f"held_{band}"), Value(0))
            for band in BANDS
        }
        total = F("left_high") + F("left_medium") + F("left_low")
        return self.annotate(**annotations).annotate(**lefts).annotate(places_left=total)

    def for_directory(self, la_code: int, on: date) -> ProviderQuerySet:
        """An LA's directory as at ``on``: available providers with their ratings."""
        return self.available_on(on).filter(la_code=la_code).with_ratings().order_by("name")


class SupportRequestQuerySet(models.QuerySet["SupportRequest"]):
    def live(self) -> SupportRequestQuerySet:
        """Open or matched requests."""
        return self.filter(status__in=["open", "matched"])

    def for_matching(self, la_code: int, on: date) -> SupportRequestQuerySet:
        """An LA's open requests raised on or before ``on``: what a matching run takes."""
        return self.filter(la_code=la_code, status="open", raised_on__lte=on).order_by(
            "raised_on", "pk"
        )

    def for_brokerage_board(self, la_code: int) -> SupportRequestQuerySet:
        """An LA's live requests, oldest first, with the decision that prompted each."""
        return (
            self.live()
            .filter(la_code=la_code)
            .select_related("prompted_by__decided_category", "raised_by")
            .order_by("raised_on", "pk")
        )


class MatchQuerySet(models.QuerySet["Match"]):
    def proposed(self) -> MatchQuerySet:
        return self.filter(status="proposed")

    def live_assignments(self) -> MatchQuerySet:
        """Approved matches whose request is still matched: each holds one of its
        provider's places in the band of its request's intensity."""
        return self.filter(status="approved", request__status="matched")

    def for_board(self, la_code: int) -> MatchQuerySet:
        """Proposals awaiting a decision in an LA, with their request and provider."""
        return (
            self.proposed()
            .filter(request__la_code=la_code)
            .select_related("request", "provider", "run")
            .order_by("request__raised_on", "request_id", "cost", "pk")
        )

    def places_held(self, provider_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        """Places each provider's live assignments hold, by band: one place of the band of
        each request's intensity. Every band of every provider asked about is present."""
        from convenor.brokerage.capacity import BANDS

        ids = list(provider_ids)
        held: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BANDS, 0))
        rows = (
            self.live_assignments()
            .filter(provider_id__in=ids)
            .order_by()
            .values("provider_id", "request__intensity")
            .annotate(n=Count("pk"))
            .values_list("provider_id", "request__intensity", "n")
        )
        for provider_id, band, n in rows:
            held[provider_id][band] = n
        return {pk: dict(held[pk]) for pk in ids}


class PlanQuerySet(models.QuerySet["SupportPlan"]):
    def live(self) -> PlanQuerySet:
        return self.filter(status__in=["active", "continued"])

    def due_for_review(self, on: date) -> PlanQuerySet:
        """Live plans whose next review is on or before ``on``, most overdue first."""
        return (
            self.live()
            .filter(next_review_on__lte=on)
            .select_related("provider")
            .order_by("next_review_on", "pk")
        )

    def for_plan_list(self) -> PlanQuerySet:
        """Plans with their provider and days delivered (``days_delivered``)."""
        return self.select_related("provider", "request").annotate(
            days_delivered=Coalesce(Sum("visits__days"), ZERO)
        )


class RatingQuerySet(models.QuerySet["SupportRating"]):
    def for_directory(self, provider_id: int) -> RatingQuerySet:
        """A provider's ratings, newest first (the rating school is not for every reader)."""
        return self.filter(provider_id=provider_id).order_by("-rated_on", "-pk")


def _sum_of(model: str, field: str, **where: Any) -> Subquery:
    # A correlated sum, so that two sums on one fund never multiply each other's rows.
    from django.apps import apps

    rows = (
        apps.get_model("brokerage", model)
        .objects.filter(fund=OuterRef("pk"), **where)
        .order_by()
        .values("fund")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Subquery(rows, output_field=models.DecimalField(max_digits=12, decimal_places=2))


class FundQuerySet(models.QuerySet["Fund"]):
    def with_totals(self) -> FundQuerySet:
        """Annotated with ``committed``, ``spent`` and ``uncommitted`` (budget less committed)."""
        return self.annotate(
            committed=Coalesce(_sum_of("FundCommitment", "amount"), ZERO),
            spent=Coalesce(_sum_of("FundSpend", "amount"), ZERO),
        ).annotate(uncommitted=F("budget") - F("committed"))


class CreditTransactionQuerySet(models.QuerySet["CreditTransaction"]):
    def unbalanced(self) -> CreditTransactionQuerySet:
        """Transactions whose entries do not sum to zero, or that have none. The posting
        service never makes one; this finds any that got in another way."""
        return self.annotate(entry_total=Sum("entries__amount")).filter(
            Q(entry_total__isnull=True) | ~Q(entry_total=0)
        )


class CreditEntryQuerySet(models.QuerySet["CreditEntry"]):
    def up_to(self, on: date | None) -> CreditEntryQuerySet:
        """Entries of transactions posted on or before ``on`` (all, for None)."""
        return self if on is None else self.filter(transaction__posted_on__lte=on)

    def balance(self, account: CreditAccount, on: date | None = None) -> int:
        """An account's balance at the end of ``on`` (now, for None)."""
        total = self.up_to(on).filter(account=account).aggregate(total=Sum("amount"))["total"]
        return int(total or 0)

    def balances(self, la_code: int, on: date | None = None) -> dict[int, int]:
        """Every account's balance in an LA at the end of ``on``, by account id."""
        rows = (
            self.up_to(on)
            .filter(account__la_code=la_code)
            .order_by()
            .values("account_id")
            .annotate(total=Sum("amount"))
        )
        return {row["account_id"]: int(row["total"]) for row in rows}


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def income_by_service(self, la_code: int) -> models.QuerySet[Subscription, dict[str, Any]]:
        """One row a service of the LA: ``service_id``, ``service__name``, ``subscribers``
        and ``income``, highest income first."""
        return (
            self.filter(service__la_code=la_code)
            .order_by()
            .values("service_id", "service__name")
            .annotate(subscribers=Count("pk"), income=Sum("amount_charged"))
            .order_by("-income", "service__name")
        )
