"""Matching runs and decisions: stored proposals, places by band, approve, override, reject."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from convenor.brokerage.models import Match, MatchingRun, MatchStatus, RequestStatus
from convenor.brokerage.services import (
    ProposedMatch,
    approve_match,
    override_match,
    reject_match,
    store_matching_run,
)
from convenor.brokerage.tests.factories import (
    MatchFactory,
    SupportProviderFactory,
    SupportRequestFactory,
    approved_match,
    latest_event,
)
from convenor.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
AS_AT = date(2019, 10, 1)


@pytest.fixture
def member():
    return UserFactory.create(username="board")


def _store(actor, proposals, **values):
    fields = {"la_code": 850, "as_at": AS_AT, "method": "min-cost flow"}
    return store_matching_run(actor=actor, proposals=proposals, **{**fields, **values})


def test_it_stores_a_run_with_its_proposals_and_supersedes_earlier_ones(member) -> None:
    old = MatchFactory.create()
    one, two = SupportRequestFactory.create(), SupportRequestFactory.create()
    provider = SupportProviderFactory.create(places_high=2, places_medium=0, places_low=0)
    run = _store(
        member,
        [
            ProposedMatch(one.pk, provider.pk, 2.5, {"alternatives": [{"provider": 9}]}),
            ProposedMatch(two.pk, provider.pk, 4.0),
        ],
        settings={"independence": "strict"},
        totals={"greedy_cost": 7.0},
    )
    assert run.totals == {"greedy_cost": 7.0, "proposals": 2, "cost": 6.5}
    assert run.settings == {"independence": "strict"} and run.run_by == member
    proposed = Match.objects.filter(run=run).order_by("cost")
    assert [(m.request_id, m.cost) for m in proposed] == [(one.pk, 2.5), (two.pk, 4.0)]
    assert proposed[0].explanation == {"alternatives": [{"provider": 9}]}
    old.refresh_from_db()
    assert old.status == MatchStatus.SUPERSEDED
    assert latest_event("matching_run.stored").detail["proposals_superseded"] == 1


def test_it_refuses_a_run_that_would_take_more_places_in_a_band_than_are_left(member) -> None:
    provider = SupportProviderFactory.create(places_high=2, places_medium=0, places_low=5)
    approved_match(provider=provider)  # holds one of its two high places
    high = [SupportRequestFactory.create() for _ in range(2)]
    low = [SupportRequestFactory.create(intensity="low") for _ in range(5)]
    with pytest.raises(ValidationError) as error:
        _store(member, [ProposedMatch(r.pk, provider.pk, 1.0) for r in (*high, *low)])
    assert error.value.message_dict["proposals"] == [
        f"{provider.name} would hold 3 high-intensity places this term, more than the 2 it "
        "offers (approved matches hold 1 already)."
    ]
    assert not MatchingRun.objects.exists()
    # A medium request takes a medium place, which this provider does not offer.
    medium = SupportRequestFactory.create(intensity="medium")
    with pytest.raises(ValidationError, match="has no medium-intensity place left"):
        _store(member, [ProposedMatch(medium.pk, provider.pk, 1.0)])
    run = _store(member, [ProposedMatch(r.pk, provider.pk, 1.0) for r in (high[0], *low)])
    assert run.matches.count() == 6


def test_it_refuses_duplicate_foreign_closed_and_unavailable_proposals(member) -> None:
    request = SupportRequestFactory.create()
    elsewhere = SupportRequestFactory.create(la_code=851)
    later = SupportRequestFactory.create(raised_on=date(2019, 11, 1))
    gone = SupportProviderFactory.create(available_to=date(2019, 8, 31))
    provider = SupportProviderFactory.create()
    with pytest.raises(ValidationError) as error:
        _store(
            member,
            [
                ProposedMatch(request.pk, provider.pk, 1.0),
                ProposedMatch(request.pk, provider.pk, 1.0),
                ProposedMatch(elsewhere.pk, provider.pk, 1.0),
                ProposedMatch(later.pk, gone.pk, 1.0),
            ],
        )
    messages = error.value.message_dict["proposals"]
    assert "A run proposes one provider a request." in messages
    assert f"Request {elsewhere.pk} is not one of the LA's." in messages
    assert f"Request {later.pk} was not open on that date." in messages
    assert f"Provider {gone.pk} is not available then." in messages


def test_approving_matches_the_request_and_audits_the_decision(member) -> None:
    match = MatchFactory.create()
    approve_match(match, actor=member, on=date(2019, 10, 2))
    assert (match.status, match.decided_by, match.decided_on) == (
        MatchStatus.APPROVED,
        member,
        date(2019, 10, 2),
    )
    match.request.refresh_from_db()
    assert match.request.status == RequestStatus.MATCHED
    detail = latest_event("match.approved").detail
    assert detail["urn"] == match.request.urn and detail["provider"] == match.provider_id
    with pytest.raises(ValidationError, match="already approved"):
        approve_match(match, actor=member)


def test_it_refuses_an_approval_with_no_place_left_or_for_a_matched_request(member) -> None:
    provider = SupportProviderFactory.create(places_high=1, places_medium=0, places_low=1)
    approved_match(provider=provider)  # holds the high place
    with pytest.raises(ValidationError) as error:
        approve_match(MatchFactory.create(provider=provider), actor=member, on=AS_AT)
    assert error.value.message_dict["provider"] == [
        f"{provider.name} has no high-intensity place left this term: it offers 1 and "
        "approved matches hold 1."
    ]
    # The low place is still free: a low request takes it.
    low = MatchFactory.create(provider=provider, request__intensity="low")
    assert approve_match(low, actor=member, on=AS_AT).status == MatchStatus.APPROVED
    first = approved_match()
    second = MatchFactory.create(request=first.request)
    with pytest.raises(ValidationError, match="The request is matched"):
        approve_match(second, actor=member, on=AS_AT)


def test_it_refuses_a_decision_dated_before_the_request(member) -> None:
    match = MatchFactory.create()
    with pytest.raises(ValidationError, match="cannot be before the request"):
        approve_match(match, actor=member, on=date(2019, 8, 1))


def test_overriding_keeps_the_proposal_and_approves_the_chosen_provider(member) -> None:
    match = MatchFactory.create()
    chosen_provider = SupportProviderFactory.create()
    with pytest.raises(ValidationError) as error:
        override_match(match, actor=member, provider=match.provider, reason=" ", on=AS_AT)
    assert set(error.value.message_dict) == {"reason", "provider"}
    chosen = override_match(
        match, actor=member, provider=chosen_provider, reason="Knows the school", on=AS_AT
    )
    match.refresh_from_db()
    assert (match.status, match.reason) == (MatchStatus.OVERRIDDEN, "Knows the school")
    assert (chosen.status, chosen.replaces, chosen.provider) == (
        MatchStatus.APPROVED,
        match,
        chosen_provider,
    )
    assert chosen.explanation == {"chosen_instead_of": match.provider_id, "proposal": match.pk}
    chosen.request.refresh_from_db()
    assert chosen.request.status == RequestStatus.MATCHED
    detail = latest_event("match.overridden").detail
    assert detail["chosen_match"] == chosen.pk and "reason" not in detail


def test_rejecting_needs_a_reason_and_leaves_the_request_open(member) -> None:
    match = MatchFactory.create()
    with pytest.raises(ValidationError, match="why the match is rejected"):
        reject_match(match, actor=member, reason="")
    reject_match(match, actor=member, reason="Too far to travel", on=AS_AT)
    match.request.refresh_from_db()
    assert match.status == MatchStatus.REJECTED and match.request.status == RequestStatus.OPEN
    assert latest_event("match.rejected").detail["request"] == match.request_id
