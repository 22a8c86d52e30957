"""Who may see and do what in brokerage (docs/adr/0011-brokerage-data.md).

:func:`brokerage_scope` turns the roles in force into a :class:`BrokerageScope`:
conditions on schools for the querysets, and ``can_*`` answers for one object.
Views and the API load brokerage objects only through it and check it before
calling a service. Nobody brokers, decides or reviews for a school they lead,
under any of its URNs, whatever other role they hold; nobody decides a match for a
provider whose entry they manage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from convenor.brokerage.models import (
    CreditAccount,
    Fund,
    Match,
    Partnership,
    ProviderManager,
    Subscription,
    SupportPlan,
    SupportProvider,
    SupportRequest,
)
from convenor.core.models import Role, RoleAssignment
from convenor.core.permissions import UserLike, active_roles, request_roles
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of

NOWHERE = Q(pk__in=[])

# Everyone with a role reads the directory and the partnership structures, except
# elected members, who scrutinise through aggregate reports only (DESIGN.md).
DIRECTORY_ROLES: tuple[Role, ...] = tuple(r for r in Role if r != Role.ELECTED_MEMBER)
# Roles that offer support: a user manages their own directory entries only in one.
PROVIDER_ROLES: tuple[Role, ...] = (Role.SYSTEM_LEADER, Role.SCHOOL_LEADER)


@dataclass(frozen=True)
class BrokerageScope:
    """One user's reach in brokerage today.

    ``officer_las``: LAs where they are an LA officer (they broker, decide, review,
    fund, post credits and run traded services there). ``board_areas``: (LA,
    district) pairs where they sit on a board (they broker, decide, review and fund
    there). ``own``: URNs of the schools they lead (they raise requests, rate
    support and read statements and subscriptions for those).
    """

    user_id: int | None
    roles: frozenset[str]
    officer_las: frozenset[int]
    board_areas: frozenset[tuple[int, str]]
    own: frozenset[int]

    # --- Schools -----------------------------------------------------------------

    def _brokered(self) -> Q:
        condition = NOWHERE
        if self.officer_las:
            condition |= Q(la_code__in=sorted(self.officer_las))
        for la_code, area in sorted(self.board_areas):
            condition |= Q(la_code=la_code, district=area)
        return condition

    def brokered_schools(self) -> QuerySet[Establishment]:
        """Schools whose requests, matches and plans the user brokers."""
        return Establishment.objects.filter(self._brokered()).exclude(urn__in=self.own)

    def can_broker(self, school: Establishment) -> bool:
        """Read a school's requests, proposals and plans; decide its matches; review
        its plans. LA officers in their LA and board members in their area; never a
        school the user leads."""
        if school.urn in self.own:
            return False
        return school.la_code in self.officer_las or (
            (school.la_code or 0, school.district) in self.board_areas
        )

    def is_officer_for(self, la_code: int | None) -> bool:
        return la_code in self.officer_las

    def leads(self, urn: int) -> bool:
        return urn in self.own

    @property
    def reads_directory(self) -> bool:
        return bool(self.roles & set(DIRECTORY_ROLES))

    @property
    def sets_tariffs(self) -> bool:
        """Tariffs are configuration, as frameworks are (ADR 0008): administrators."""
        return Role.ADMINISTRATOR in self.roles

    # --- Requests and matches ------------------------------------------------------

    def can_raise_request(self, school: Establishment) -> bool:
        """Its own leaders, and LA officers of its LA."""
        return school.urn in self.own or school.la_code in self.officer_las

    def can_read_request(self, school: Establishment) -> bool:
        return school.urn in self.own or self.can_broker(school)

    def can_withdraw_request(self, school: Establishment) -> bool:
        return self.can_raise_request(school)

    def requests(self) -> QuerySet[SupportRequest]:
        """Requests the user may read: those of brokered schools and of their own."""
        brokered = self.brokered_schools().values("urn")
        return SupportRequest.objects.filter(Q(urn__in=brokered) | Q(urn__in=self.own))

    def matches(self) -> QuerySet[Match]:
        """Matches with their explanations: only for brokered schools. A school's
        leaders see the provider on the plan, not the alternatives weighed."""
        return Match.objects.filter(request__urn__in=self.brokered_schools().values("urn"))

    def can_decide_match(self, match: Match, school: Establishment) -> bool:
        """Approve, override or reject a proposal for ``school`` (the request's)."""
        return self.can_broker(school) and not self.manages_as_provider(match.provider)

    # --- Providers -------------------------------------------------------------------

    def _own_offers(self, on: date | None = None) -> Q:
        if self.user_id is None or not self.roles & set(PROVIDER_ROLES):
            return NOWHERE
        day = on or timezone.localdate()
        managed = ProviderManager.objects.filter(user_id=self.user_id, starts__lte=day).filter(
            Q(ends__isnull=True) | Q(ends__gte=day)
        )
        return Q(pk__in=managed.values("provider_id"))

    def managed_providers(self, on: date | None = None) -> QuerySet[SupportProvider]:
        """Entries the user manages: their own offers (as a manager, on ``on``, default
        today) and, for LA officers, every entry in their LA's directory."""
        condition = self._own_offers(on)
        if self.officer_las:
            condition |= Q(la_code__in=sorted(self.officer_las))
        return SupportProvider.objects.filter(condition)

    def manages(self, provider: SupportProvider) -> bool:
        """Update the entry: its own managers, and LA officers of its LA."""
        return provider.la_code in self.officer_las or self.manages_as_provider(provider)

    def manages_as_provider(self, provider: SupportProvider) -> bool:
        """Manages the entry as its provider today (not as an LA officer)."""
        own_offers = self._own_offers()
        if own_offers == NOWHERE:
            return False
        return SupportProvider.objects.filter(own_offers, pk=provider.pk).exists()

    def can_offer_support(self, school: Establishment) -> bool:
        """Add a provider whose home school is ``school``: its leaders and LA officers."""
        return school.urn in self.own or school.la_code in self.officer_las

    def can_see_who_rated(self, school: Establishment) -> bool:
        """A rating names a supported school, which says it was causing concern: only
        its brokers and its own leaders see which school gave it."""
        return school.urn in self.own or self.can_broker(school)

    # --- Plans ---------------------------------------------------------------------

    def plans(self) -> QuerySet[SupportPlan]:
        """Plans of brokered schools, of the user's own schools, and those a provider
        they manage delivers."""
        return SupportPlan.objects.filter(
            Q(urn__in=self.brokered_schools().values("urn"))
            | Q(urn__in=self.own)
            | Q(provider__in=SupportProvider.objects.filter(self._own_offers()).values("pk"))
        )

    def can_read_plan(self, plan: SupportPlan, school: Establishment) -> bool:
        return (
            school.urn in self.own
            or self.can_broker(school)
            or self.manages_as_provider(plan.provider)
        )

    def can_log_visit(self, plan: SupportPlan, school: Establishment) -> bool:
        """The provider delivering it records its visits, or an LA officer."""
        if school.urn in self.own:
            return False
        return school.la_code in self.officer_las or self.manages_as_provider(plan.provider)

    def can_review_plan(self, school: Establishment) -> bool:
        return self.can_broker(school)

    def can_rate(self, plan: SupportPlan) -> bool:
        """Only the supported school's leaders rate the support it received."""
        return plan.urn in self.own

    # --- Funds, credits, traded services ----------------------------------------------

    def funds(self) -> QuerySet[Fund]:
        """Funds of the user's LAs (officers) and of their boards' areas (board members)."""
        condition = NOWHERE
        if self.officer_las:
            condition |= Q(la_code__in=sorted(self.officer_las))
        for la_code, area in sorted(self.board_areas):
            condition |= Q(la_code=la_code, partnership__area=area)
        return Fund.objects.filter(condition)

    def can_commit(self, fund: Fund, school: Establishment) -> bool:
        """Commit or spend ``fund``'s money on a plan for ``school``."""
        if not self.can_broker(school):
            return False
        return self.funds().filter(pk=fund.pk).exists()

    def accounts(self) -> QuerySet[CreditAccount]:
        """Credit accounts whose statements the user reads: every account in an
        officer's LA, and their own schools'."""
        condition = Q(urn__in=self.own)
        if self.officer_las:
            condition |= Q(la_code__in=sorted(self.officer_las))
        return CreditAccount.objects.filter(condition)

    def can_read_statement(self, account: CreditAccount) -> bool:
        return account.la_code in self.officer_las or account.urn in self.own

    def can_post_credits(self, la_code: int) -> bool:
        """The LA runs the scheme: its officers record postings."""
        return la_code in self.officer_las

    def subscriptions(self) -> QuerySet[Subscription]:
        condition = Q(urn__in=self.own)
        if self.officer_las:
            condition |= Q(service__la_code__in=sorted(self.officer_las))
        return Subscription.objects.filter(condition)

    def can_manage_traded(self, la_code: int) -> bool:
        return la_code in self.officer_las

    def can_subscribe(self, school: Establishment) -> bool:
        return school.urn in self.own or school.la_code in self.officer_las

    # --- Partnerships --------------------------------------------------------------

    def can_manage_partnerships(self, la_code: int) -> bool:
        """Create and end structures and their memberships: LA officers."""
        return la_code in self.officer_las

    def can_record_meeting(self, partnership: Partnership) -> bool:
        """Record meetings and attendance: LA officers, and board members for the
        structures of their area."""
        return partnership.la_code in self.officer_las or (
            (partnership.la_code, partnership.area) in self.board_areas
        )


def brokerage_scope(
    assignments: Iterable[RoleAssignment], user_id: int | None = None
) -> BrokerageScope:
    """The brokerage scope the role assignments in force give one user. Pass
    :func:`convenor.core.permissions.request_roles` (or ``active_roles``)."""
    roles: set[str] = set()
    officer: set[int] = set()
    board: set[tuple[int, str]] = set()
    own: set[int] = set()
    for assignment in assignments:
        user_id = user_id if user_id is not None else assignment.user_id
        roles.add(assignment.role)
        if assignment.role == Role.LA_OFFICER and assignment.la_code is not None:
            officer.add(assignment.la_code)
        elif assignment.role == Role.BOARD_MEMBER and assignment.la_code is not None:
            board.add((assignment.la_code, assignment.area))
        elif assignment.role == Role.SCHOOL_LEADER and assignment.school_urn is not None:
            own.update(lineage_of(assignment.school_urn))
    return BrokerageScope(
        user_id, frozenset(roles), frozenset(officer), frozenset(board), frozenset(own)
    )


def scope_for(user: UserLike) -> BrokerageScope:
    """The brokerage scope of ``user`` today."""
    return brokerage_scope(active_roles(user), user.pk if user.is_authenticated else None)


def scope_of(request: HttpRequest) -> BrokerageScope:
    """The brokerage scope of the request's user, from roles read once a request."""
    user = request.user
    return brokerage_scope(request_roles(request), user.pk if user.is_authenticated else None)
