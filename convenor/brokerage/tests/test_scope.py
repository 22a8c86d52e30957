"""Who sees and records what in brokerage (docs/adr/0011-brokerage-data.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from convenor.brokerage.models import ProviderManager
from convenor.brokerage.scope import scope_for
from convenor.brokerage.services import open_account, subscribe
from convenor.brokerage.tests.factories import (
    FundFactory,
    MatchFactory,
    PartnershipFactory,
    SupportProviderFactory,
    SupportRequestFactory,
    TradedServiceFactory,
    hampshire_school,
    live_plan,
)
from convenor.core.models import Role
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.schools.tests.factories import EstablishmentLinkFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools():
    """A Winchester school, a Gosport school (both LA 850) and one in LA 851."""
    LocalAuthorityFactory.create(code=851)
    return {
        "winchester": hampshire_school(district="Winchester"),
        "gosport": hampshire_school(district="Gosport"),
        "elsewhere": hampshire_school(la_code=851, district="Elsewhere"),
    }


def _user(role: Role, **scope):
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=role, **scope)
    return user


def _request(school):
    return SupportRequestFactory.create(urn=school.urn, la_code=school.la_code)


def test_an_officer_brokers_every_school_of_their_la_and_no_other(schools) -> None:
    scope = scope_for(_user(Role.LA_OFFICER, la_code=850))
    assert scope.can_broker(schools["winchester"]) and scope.can_broker(schools["gosport"])
    assert not scope.can_broker(schools["elsewhere"])
    assert scope.can_raise_request(schools["gosport"])
    mine, theirs = _request(schools["gosport"]), _request(schools["elsewhere"])
    assert list(scope.requests()) == [mine]
    match = MatchFactory.create(request=mine)
    MatchFactory.create(request=theirs)
    assert list(scope.matches()) == [match]
    assert scope.can_decide_match(match, schools["gosport"])
    assert scope.can_post_credits(850) and not scope.can_post_credits(851)
    assert scope.can_manage_partnerships(850) and not scope.sets_tariffs


def test_a_board_member_brokers_their_area_but_raises_no_requests(schools) -> None:
    scope = scope_for(_user(Role.BOARD_MEMBER, la_code=850, area="Winchester"))
    assert scope.can_broker(schools["winchester"]) and not scope.can_broker(schools["gosport"])
    assert not scope.can_raise_request(schools["winchester"])
    area_request = _request(schools["winchester"])
    _request(schools["gosport"])
    assert list(scope.requests()) == [area_request]
    ours = FundFactory.create()
    FundFactory.create(partnership=PartnershipFactory.create(area="Gosport"))
    assert list(scope.funds()) == [ours]
    assert scope.can_commit(ours, schools["winchester"])
    assert not scope.can_commit(ours, schools["gosport"])
    assert ours.partnership is not None and scope.can_record_meeting(ours.partnership)
    assert not scope.can_manage_partnerships(850)


def test_a_school_leader_sees_their_school_under_every_urn_but_no_proposals(schools) -> None:
    old = hampshire_school(status="Closed")
    school = schools["winchester"]
    EstablishmentLinkFactory.create(urn=school.urn, link_urn=old.urn, link_type="Predecessor")
    scope = scope_for(_user(Role.SCHOOL_LEADER, school_urn=school.urn))
    assert scope.can_raise_request(school) and scope.can_raise_request(old)
    assert not scope.can_raise_request(schools["gosport"])
    assert not scope.can_broker(school)
    before, now = _request(old), _request(school)
    _request(schools["gosport"])
    assert set(scope.requests()) == {before, now}
    MatchFactory.create(request=now)
    assert not scope.matches().exists()


def test_nobody_brokers_or_decides_for_a_school_they_lead(schools) -> None:
    school = schools["winchester"]
    user = _user(Role.LA_OFFICER, la_code=850)
    RoleAssignmentFactory.create(user=user, role=Role.SCHOOL_LEADER, school_urn=school.urn)
    scope = scope_for(user)
    match = MatchFactory.create(request=_request(school))
    assert not scope.can_broker(school) and not scope.can_decide_match(match, school)
    assert scope.can_raise_request(school) and scope.can_broker(schools["gosport"])
    assert not scope.matches().exists()


def test_nobody_decides_a_match_for_a_provider_they_manage(schools) -> None:
    school = schools["winchester"]
    user = _user(Role.BOARD_MEMBER, la_code=850, area="Winchester")
    RoleAssignmentFactory.create(user=user, role=Role.SYSTEM_LEADER)
    provider = SupportProviderFactory.create()
    ProviderManager.objects.create(provider=provider, user=user, starts=date(2019, 1, 1))
    scope = scope_for(user)
    mine = MatchFactory.create(request=_request(school), provider=provider)
    other = MatchFactory.create(request=_request(school))
    assert not scope.can_decide_match(mine, school)
    assert scope.can_decide_match(other, school)


def test_a_system_leader_manages_their_own_entries_and_plans_only(schools) -> None:
    user = _user(Role.SYSTEM_LEADER)
    plan, other_plan = live_plan(), live_plan()
    ProviderManager.objects.create(provider=plan.provider, user=user, starts=date(2019, 1, 1))
    scope = scope_for(user)
    school = schools["winchester"]
    assert scope.manages(plan.provider) and not scope.manages(other_plan.provider)
    assert list(scope.managed_providers()) == [plan.provider]
    assert list(scope.plans()) == [plan]
    assert scope.can_log_visit(plan, school) and not scope.can_log_visit(other_plan, school)
    assert not scope.can_broker(school) and not scope.requests().exists()


def test_a_manager_whose_rights_ended_manages_nothing(schools) -> None:
    user = _user(Role.SYSTEM_LEADER)
    provider = SupportProviderFactory.create()
    yesterday = timezone.localdate() - timedelta(days=1)
    ProviderManager.objects.create(
        provider=provider, user=user, starts=date(2019, 1, 1), ends=yesterday
    )
    assert not scope_for(user).manages(provider)


def test_a_manager_without_a_provider_role_manages_nothing(schools) -> None:
    user = _user(Role.PLACE_PLANNER, la_code=850)
    provider = SupportProviderFactory.create()
    ProviderManager.objects.create(provider=provider, user=user, starts=date(2019, 1, 1))
    assert not scope_for(user).manages(provider)


def test_only_the_supported_school_rates_and_sees_its_plan_as_leader(schools) -> None:
    plan = live_plan()
    leader = scope_for(_user(Role.SCHOOL_LEADER, school_urn=plan.urn))
    officer = scope_for(_user(Role.LA_OFFICER, la_code=850))
    assert leader.can_rate(plan) and not officer.can_rate(plan)
    assert list(leader.plans()) == [plan]


def test_statements_and_subscriptions_are_for_the_school_and_its_officers(schools) -> None:
    school, other = schools["winchester"], schools["gosport"]
    own = open_account(actor="test", la_code=850, opened_on=date(2019, 9, 1), urn=school.urn)
    theirs = open_account(actor="test", la_code=850, opened_on=date(2019, 9, 1), urn=other.urn)
    leader = scope_for(_user(Role.SCHOOL_LEADER, school_urn=school.urn))
    officer = scope_for(_user(Role.LA_OFFICER, la_code=850))
    assert leader.can_read_statement(own) and not leader.can_read_statement(theirs)
    assert list(leader.accounts()) == [own]
    assert set(officer.accounts()) == {own, theirs}
    service = TradedServiceFactory.create()
    mine = subscribe(service, actor="test", urn=school.urn, subscribed_on=date(2019, 4, 2))
    subscribe(service, actor="test", urn=other.urn, subscribed_on=date(2019, 4, 2))
    assert list(leader.subscriptions()) == [mine]
    assert officer.subscriptions().count() == 2
    assert leader.can_subscribe(school) and not leader.can_subscribe(other)


def test_elected_members_see_no_directory_and_administrators_set_tariffs(schools) -> None:
    member = scope_for(_user(Role.ELECTED_MEMBER, la_code=850))
    steward = scope_for(UserFactory.create(is_superuser=True))
    planner = scope_for(_user(Role.PLACE_PLANNER, la_code=850))
    assert not member.reads_directory and not member.requests().exists()
    assert steward.reads_directory and steward.sets_tariffs
    assert planner.reads_directory and not planner.sets_tariffs
    assert not steward.can_broker(schools["winchester"])
