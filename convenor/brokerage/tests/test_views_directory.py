"""The support directory: search, filters, sorting and pages; a provider's entry with its
places by intensity band and ratings; adding and updating entries (ADR 0011)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.brokerage.models import Designation, Expertise, ProviderManager, SupportProvider
from convenor.brokerage.services import log_visit, rate_support
from convenor.brokerage.tests.factories import (
    SupportProviderFactory,
    SupportRequestFactory,
    approved_match,
    hampshire_school,
    latest_event,
    live_plan,
)
from convenor.brokerage.tests.pages import (
    board_member,
    leader,
    officer,
    system_leader,
    text,
    user_with,
)
from convenor.core.models import Role
from convenor.core.testing import PageCheckingClient

pytestmark = pytest.mark.django_db
URL = "/brokerage/directory/"


def signed_in(client: PageCheckingClient, user: object) -> PageCheckingClient:
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def reader(page_client: PageCheckingClient) -> PageCheckingClient:
    return signed_in(page_client, user_with(Role.PLACE_PLANNER, la_code=850))


def test_every_role_but_elected_members_reads_the_directory(
    page_client: PageCheckingClient,
) -> None:
    assert (
        signed_in(page_client, user_with(Role.ELECTED_MEMBER, la_code=850)).get(URL).status_code
        == 403
    )
    other = PageCheckingClient()
    other.force_login(user_with(Role.ADMINISTRATOR))
    assert other.get(URL).status_code == 200


def test_it_lists_providers_available_on_the_day_with_places_left(reader) -> None:
    held = SupportProviderFactory.create(name="Ash NLE", places_high=1, places_low=3)
    approved_match(provider=held)  # holds the high place
    SupportProviderFactory.create(name="Birch SLE", places_high=0, places_medium=0, places_low=2)
    SupportProviderFactory.create(name="Gone SLE", available_to=date(2019, 8, 31))
    page = text(reader.get(URL))
    assert "Ash NLE" in page and "0 of 1 high, 2 of 2 medium, 3 of 3 low" in page
    # Only the bands a provider offers are listed.
    assert "Birch SLE" in page and "2 of 2 low" in page and "0 of 0" not in page
    assert "Gone SLE" not in page
    assert "Gone SLE" in text(reader.get(URL + "?available_on=2019-06-01"))


def test_it_searches_by_name_and_by_expertise(reader) -> None:
    SupportProviderFactory.create(name="Oak Trust", expertise=[Expertise.SEND])
    SupportProviderFactory.create(name="Elm NLE", expertise=[Expertise.FINANCE])
    assert "Oak Trust" in text(reader.get(URL + "?q=oak"))
    found = text(reader.get(URL + "?q=send"))
    assert "Oak Trust" in found and "Elm NLE" not in found


def test_it_filters_by_designation_expertise_phase_place_la_and_area(reader) -> None:
    home = hampshire_school(district="Gosport")
    SupportProviderFactory.create(
        name="Yew SLE",
        designation=Designation.SLE,
        expertise=[Expertise.KS4_MATHS],
        phases=["secondary"],
        places_high=0,
        places_medium=0,
        places_low=1,
        home_urn=home.urn,
    )
    fir_nle = SupportProviderFactory.create(name="Fir NLE", places_high=1, places_low=0)
    cases = {  # query: (Yew SLE shown, Fir NLE shown)
        "designation=sle": (True, False),
        "designation=nle": (False, True),
        "expertise=ks4_maths": (True, False),
        "phase=primary": (False, True),
        "place_in=medium": (False, True),
        "place_in=low": (True, False),
        "place_in=high": (False, True),
        "place_in=": (True, True),
        "la=850&area=Gosport": (True, False),
    }
    for query, (yew, fir) in cases.items():
        page = text(reader.get(f"{URL}?{query}"))
        assert ("Yew SLE" in page, "Fir NLE" in page) == (yew, fir), query
    approved_match(provider=fir_nle)  # its one high place is taken
    assert "Fir NLE" not in text(reader.get(URL + "?place_in=high"))


def test_it_shows_what_is_wrong_with_a_filter(reader) -> None:
    page = text(reader.get(URL + "?place_in=lots&available_on=2019-02-30"))
    assert "There is a problem" in page
    assert "Select a valid choice" in page
    assert "Enter available on as a real date" in page


def test_it_sorts_by_rating_and_pages(reader) -> None:
    for n in range(27):
        SupportProviderFactory.create(name=f"Provider {n:02d}")
    rated = SupportProviderFactory.create(name="Zz Rated")
    plan = live_plan(provider=rated)
    log_visit(plan, actor="test", visited_on=date(2019, 10, 8), days=1)
    rate_support(plan, actor="test", score=5, rated_on=date(2019, 10, 9))
    first = text(reader.get(URL))
    assert "Provider 00" in first and "Zz Rated" not in first and "28 providers" in first
    assert "Zz Rated" in text(reader.get(URL + "?page=2"))
    best = text(reader.get(URL + "?sort=rating&order=desc"))
    assert best.index("Zz Rated") < best.index("Provider 00")
    assert "5.0 out of 5 (1 rating)" in best


def test_the_directory_costs_the_same_queries_however_many_providers(reader) -> None:
    SupportProviderFactory.create()
    reader.get(URL)
    with CaptureQueriesContext(connection) as few:
        reader.get(URL)
    SupportProviderFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        reader.get(URL)
    assert len(many) == len(few)


def _rated_provider() -> tuple[SupportProvider, int]:
    provider = SupportProviderFactory.create(name="Rated NLE")
    school = hampshire_school(name="Supported Primary", district="Gosport")
    plan = live_plan(provider=provider, request=SupportRequestFactory.create(urn=school.urn))
    log_visit(plan, actor="test", visited_on=date(2019, 10, 8), days=1)
    rate_support(
        plan, actor="test", score=4, review="Clear, practical help.", rated_on=date(2019, 11, 1)
    )
    return provider, school.urn


def test_a_provider_page_shows_ratings_but_not_which_school_gave_them(reader) -> None:
    provider, _ = _rated_provider()
    page = text(reader.get(f"{URL}{provider.pk}/"))
    assert "4.0 out of 5 (1 rating)" in page and "Clear, practical help." in page
    assert "1 November 2019" in page
    assert "Supported Primary" not in page and "Not shown" in page
    assert "Places this term 2 high, 2 medium, 2 low (42 days)" in page
    assert "1 high, 2 medium, 2 low; approved matches hold 1 high, 0 medium, 0 low" in page


@pytest.mark.parametrize("who", ["leader", "area board", "officer"])
def test_the_rating_school_shows_to_its_leaders_and_brokers(
    page_client: PageCheckingClient, who: str
) -> None:
    provider, urn = _rated_provider()
    user = {"leader": lambda: leader(urn), "area board": lambda: board_member("Gosport")}.get(
        who, officer
    )()
    page = text(signed_in(page_client, user).get(f"{URL}{provider.pk}/"))
    assert "Supported Primary" in page


def test_a_board_member_elsewhere_does_not_see_the_rating_school(
    page_client: PageCheckingClient,
) -> None:
    provider, _ = _rated_provider()
    page = text(signed_in(page_client, board_member("Winchester")).get(f"{URL}{provider.pk}/"))
    assert "Supported Primary" not in page


def test_an_unknown_provider_is_404(reader) -> None:
    assert reader.get(f"{URL}999999/").status_code == 404


def _form(**values: object) -> dict[str, object]:
    return {
        "name": "Rowan Lead Head",
        "kind": "person",
        "designation": "lead_head",
        "expertise": ["leadership", "curriculum"],
        "phases": ["primary"],
        "places_medium": "1",
        "places_low": "1",
        "available_from": "2019-09-01",
        **values,
    }


def test_an_officer_adds_an_entry_to_their_las_directory(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    assert "Add an entry to the support directory" in text(client.get(URL + "new/"))
    response = client.post(URL + "new/", _form(easting="450000", northing="130000"))
    provider = SupportProvider.objects.get(name="Rowan Lead Head")
    assert response["Location"] == f"{URL}{provider.pk}/"
    assert (provider.la_code, provider.expertise) == (850, ["leadership", "curriculum"])
    assert provider.places == {"high": 0, "medium": 1, "low": 1}
    assert not ProviderManager.objects.exists()
    assert latest_event("provider.added").object_id == str(provider.pk)


def test_a_school_leader_offers_support_from_their_school_and_manages_it(
    page_client: PageCheckingClient,
) -> None:
    school = hampshire_school(name="Hazel Primary")
    head = leader(school.urn)
    client = signed_in(page_client, head)
    assert client.post(URL + "new/", _form(home_urn=school.urn)).status_code == 302
    provider = SupportProvider.objects.get()
    assert (provider.home_urn, provider.location_from_home_school) == (school.urn, True)
    assert ProviderManager.objects.get().user == head
    assert "Update this entry" in text(client.get(f"{URL}{provider.pk}/"))


def test_the_entry_form_shows_every_problem(page_client: PageCheckingClient) -> None:
    client = signed_in(page_client, officer())
    page = text(
        client.post(
            URL + "new/",
            _form(name="", expertise=[], kind="organisation", places_high="-1", easting="1"),
        )
    )
    assert "There is a problem" in page
    assert "Enter name" in page
    assert "Choose at least one area of expertise" in page
    assert "Give both easting and northing, or neither" in page
    assert "High-intensity places this term cannot be negative" in page
    assert not SupportProvider.objects.exists()
    # What only the service knows shows too: an organisation holds no person's designation.
    response = client.post(URL + "new/", _form(kind="organisation", places_high="5"))
    page = text(response)
    # The places' messages name the first places field, and the summary links to it.
    assert 'href="#id_places_high">These places stand' in response.content.decode()
    assert "Only a person holds that designation." in page
    assert "These places stand for 69 days; a term has at most 65. Offer fewer places." in page
    page = text(client.post(URL + "new/", _form(places_medium="", places_low="0")))
    assert "Offer at least one place, in any band." in page
    assert not SupportProvider.objects.exists()


def test_a_system_leader_updates_only_the_entries_they_manage(
    page_client: PageCheckingClient,
) -> None:
    mine = SupportProviderFactory.create(name="Mine")
    theirs = SupportProviderFactory.create(name="Theirs")
    client = signed_in(page_client, system_leader(mine))
    assert client.get(f"{URL}{theirs.pk}/edit/").status_code == 403
    assert client.get(URL + "new/").status_code == 403
    form = _form(name="Mine, renamed", easting="450000", northing="130000")
    form.pop("kind")
    assert client.post(f"{URL}{mine.pk}/edit/", form).status_code == 302
    mine.refresh_from_db()
    assert mine.name == "Mine, renamed" and mine.designation == "lead_head"
    assert latest_event("provider.updated").detail["changes"]["name"] == ["Mine", "Mine, renamed"]
    assert client.get(f"{URL}999999/edit/").status_code == 404
