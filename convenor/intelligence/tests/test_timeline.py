"""A school's intelligence timeline: the builders, the order and cut-off, and the page."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User

from convenor.core.models import AuditEvent, Role
from convenor.core.testing import PageCheckingClient
from convenor.core.tests.factories import RoleAssignmentFactory, UserFactory
from convenor.intelligence.models import (
    CensusRecord,
    KS2Result,
    KS4Result,
    RiskScore,
    ScoreRun,
    Sensitivity,
    SoftIntelligenceEntry,
    SoftIntelligenceKind,
)
from convenor.intelligence.services import VIEWED
from convenor.intelligence.tests.factories import (
    CensusRecordFactory,
    InspectionFactory,
    KS2ResultFactory,
    SoftIntelligenceEntryFactory,
)
from convenor.intelligence.tests.factories_interventions import WarningNoticeFactory
from convenor.intelligence.tests.test_views_risk import (
    ELSEWHERE,
    GOSPORT_PRIMARY,
    LA,
    OTHER_LA,
    decide,
    world,
)
from convenor.intelligence.timeline import (
    Kind,
    TimelineEvent,
    arrange,
    census_events,
    results_events,
    score_events,
    soft_events,
)
from convenor.schools.tests.factories import EstablishmentLinkFactory, open_school

URN = 700001


def _text(response) -> str:
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


# --- Order and cut-off (no database) --------------------------------------------------------


def test_it_puts_the_newest_first_and_breaks_ties_by_kind_then_order() -> None:
    events = [
        TimelineEvent(date(2019, 1, 1), Kind.REGISTER, "Opened"),
        TimelineEvent(date(2019, 6, 1), Kind.INSPECTION, "Inspected"),
        TimelineEvent(date(2019, 6, 1), Kind.SOFT, "Complaint, second", order=2),
        TimelineEvent(date(2019, 6, 1), Kind.SOFT, "Complaint, first", order=1),
        TimelineEvent(date(2020, 2, 1), Kind.CENSUS, "Census"),
    ]
    titles = [e.title for e in arrange(events, date(2020, 12, 31))]
    assert titles == ["Census", "Complaint, first", "Complaint, second", "Inspected", "Opened"]


def test_it_leaves_out_everything_after_the_date_and_keeps_the_day_itself() -> None:
    events = [
        TimelineEvent(date(2019, 8, 31), Kind.SCORE, "On the day"),
        TimelineEvent(date(2019, 9, 1), Kind.SCORE, "The day after"),
        TimelineEvent(date(2018, 1, 1), Kind.SCORE, "Before"),
    ]
    assert [e.title for e in arrange(events, date(2019, 8, 31))] == ["On the day", "Before"]


def test_results_are_dated_by_their_publication_one_per_publication() -> None:
    final = KS2Result(
        urn=URN,
        period="2017/18",
        dataset="ks2_final",
        segment="all",
        values={"rwm_expected_pct": 61.0, "reading_progress": 0.5},
        missing={},
    )
    fuller = KS2Result(
        urn=URN,
        period="2017/18",
        dataset="ks2_final_full",
        segment="all",
        values={"rwm_expected_pct": 62.0, "reading_progress": 0.5},
        missing={},
    )
    provisional = KS4Result(
        urn=URN,
        period="2018/19",
        dataset="ks4_provisional",
        segment="all",
        values={"attainment8": 44.6, "progress8": -0.31},
        missing={},
    )
    boys = KS4Result(
        urn=URN,
        period="2018/19",
        dataset="ks4_final",
        segment="boys",
        values={"attainment8": 40.0},
        missing={},
    )
    events = results_events([final, fuller], [provisional, boys], URN)
    assert [(e.on, e.title) for e in events] == [
        (date(2018, 12, 13), "KS2 results 2017/18 published"),  # the known release day
        (date(2019, 10, 16), "KS4 results 2018/19 (provisional) published"),  # by the rule
    ]
    ks2, ks4 = events
    assert ks2.detail == (  # the fuller file of the same publication
        "Expected standard in reading, writing and maths: 62%; "
        "progress: reading +0.50, writing not published, maths not published"
    )
    assert ks4.detail == "Attainment 8: 44.6; Progress 8: -0.31"


def test_census_events_give_the_change_on_the_year_before() -> None:
    def census(period: str, pupils: float, urn: int = URN) -> CensusRecord:
        return CensusRecord(
            urn=urn,
            period=period,
            dataset="census",
            segment="all",
            values={"pupils": pupils},
            missing={},
        )

    events = census_events([census("2018/19", 420.0), census("2017/18", 400.0)], URN)
    assert [e.title for e in events] == [
        "School census, January 2018: 400 pupils",
        "School census, January 2019: 420 pupils",
    ]
    assert [e.on for e in events] == [date(2018, 6, 28), date(2019, 6, 27)]
    assert events[1].detail == "Published for 2018/19; +20 on the year before"


def test_a_withdrawal_shows_only_once_it_had_happened() -> None:
    entry = SoftIntelligenceEntry(
        pk=7,
        urn=URN,
        kind=SoftIntelligenceKind.GOVERNANCE,
        source="Clerk",
        observed_on=date(2019, 3, 1),
        sensitivity=Sensitivity.RESTRICTED,
        summary="Chair resigned.",
        expires_on=date(2021, 3, 1),
        withdrawn_at=datetime(2019, 6, 1, 12, tzinfo=UTC),
        withdrawn_reason="Wrong school",
    )
    (before,) = soft_events([entry], "/x/", date(2019, 5, 31))
    (after,) = soft_events([entry], "/x/", date(2019, 6, 1))
    assert before.tags == ("Restricted",)
    assert after.tags == ("Restricted", "Withdrawn")
    assert (after.title, after.on) == ("Governance", date(2019, 3, 1))


def test_of_two_runs_on_one_date_it_shows_the_newer() -> None:
    older = ScoreRun(
        pk=1,
        as_at=date(2019, 8, 31),
        schools=100,
        training_rows=1,
        training_base_rate=0.1,
        created_at=datetime(2019, 9, 1, tzinfo=UTC),
    )
    newer = ScoreRun(
        pk=2,
        as_at=date(2019, 8, 31),
        schools=100,
        training_rows=1,
        training_base_rate=0.1,
        created_at=datetime(2019, 9, 2, tzinfo=UTC),
    )
    scores = [
        RiskScore(run=newer, urn=URN, probability=0.2, rank=3, reasons=[]),
        RiskScore(run=older, urn=URN, probability=0.1, rank=9, reasons=[]),
    ]
    (event,) = score_events(scores)
    assert event.title == "Early-warning risk 20.0%, rank 3 of 100 scored"


# --- The page --------------------------------------------------------------------------------


def url(urn: int = GOSPORT_PRIMARY, as_at: str = "") -> str:
    return f"/schools/{urn}/timeline/" + (f"?as_at={as_at}" if as_at else "")


def with_role(role: Role, **scope: object) -> User:
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=role, **scope)
    return user


def officer() -> User:
    return with_role(Role.LA_OFFICER, la_code=LA)


def signed_in(client: PageCheckingClient, user: User) -> PageCheckingClient:
    client.force_login(user)
    return client


def kinds(response) -> set[Kind]:
    return {event.kind for event in response.context["events"]}


def titles(response) -> list[str]:
    return [event.title for event in response.context["events"]]


@pytest.fixture
def history() -> None:
    """URN 700001 (Anchor Primary, Gosport) with something of every kind, and an earlier
    URN whose inspection counts for it."""
    world()  # two stored runs, as at 31 Aug 2018 and 31 Aug 2019
    open_school(urn=600001, name="Anchor Infants", district="Gosport", status="Closed")
    EstablishmentLinkFactory.create(urn=GOSPORT_PRIMARY, link_urn=600001)
    EstablishmentLinkFactory.create(urn=600001, link_urn=GOSPORT_PRIMARY, link_type="Successor")
    InspectionFactory.create(urn=600001, inspection_date=date(2012, 3, 1), rating="Good")
    InspectionFactory.create(
        urn=GOSPORT_PRIMARY,
        inspection_date=date(2019, 11, 20),
        grade=3,
        rating="Requires improvement",
    )
    KS2ResultFactory.create(
        urn=GOSPORT_PRIMARY, period="2017/18", values={"rwm_expected_pct": 61.0}
    )
    CensusRecordFactory.create(urn=GOSPORT_PRIMARY, period="2018/19")
    decide(GOSPORT_PRIMARY, "Support and challenge", date(2019, 9, 1))
    WarningNoticeFactory.create(urn=GOSPORT_PRIMARY)  # given 2 Sep 2019
    SoftIntelligenceEntryFactory.create(urn=GOSPORT_PRIMARY, observed_on=date(2019, 5, 1))
    SoftIntelligenceEntryFactory.create(
        urn=GOSPORT_PRIMARY,
        observed_on=date(2019, 7, 1),
        kind=SoftIntelligenceKind.SAFEGUARDING,
        sensitivity=Sensitivity.RESTRICTED,
        summary="Restricted safeguarding matter.",
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_an_officer_sees_every_kind_newest_first_and_the_read_is_audited(
    page_client: PageCheckingClient,
) -> None:
    user = officer()
    response = signed_in(page_client, user).get(url())
    assert response.status_code == 200
    assert kinds(response) == set(Kind) - {Kind.REGISTER}  # the factories give no dates
    events = response.context["events"]
    assert [e.on for e in events] == sorted((e.on for e in events), reverse=True)
    shown = titles(response)
    assert "Inspected: Good" in shown  # under the earlier URN
    assert "Safeguarding" in shown and "Parental complaint" in shown
    assert "Category: Support and challenge" in shown
    assert "Warning notice given: Performance standards and safety (s60)" in shown
    assert "Early-warning risk 15.0%, rank 1 of 200 scored" in shown
    (audit,) = AuditEvent.objects.filter(action=VIEWED)
    assert audit.actor == user and audit.detail["urn"] == GOSPORT_PRIMARY
    assert audit.detail["entries"] == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_as_at_a_date_it_hides_later_runs_inspections_and_entries(
    page_client: PageCheckingClient,
) -> None:
    response = signed_in(page_client, officer()).get(url(as_at="2019-06-30"))
    shown = titles(response)
    assert "Early-warning risk 20.0%, rank 1 of 200 scored" not in shown
    assert [t for t in shown if t.startswith("Early-warning")] == [
        "Early-warning risk 10.0%, rank 5 of 200 scored"  # the 2018 run only
    ]
    assert "Inspected: Requires improvement" not in shown
    assert "Parental complaint" in shown and "Safeguarding" not in shown
    assert not {Kind.CATEGORY, Kind.INTERVENTION} & kinds(response)
    assert all(e.on <= date(2019, 6, 30) for e in response.context["events"])
    assert "on or before 30 Jun 2019" in _text(response)
    # The read is audited for the one entry shown, not the later one the date hides.
    (audit,) = AuditEvent.objects.filter(action=VIEWED)
    assert audit.detail["entries"] == 1 and audit.detail["via"] == "timeline"


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_a_board_member_sees_no_restricted_entry_and_no_cases(
    page_client: PageCheckingClient,
) -> None:
    user = with_role(Role.BOARD_MEMBER, la_code=LA, area="Gosport")
    response = signed_in(page_client, user).get(url())
    shown = titles(response)
    assert "Parental complaint" in shown
    assert "Safeguarding" not in shown
    assert "Restricted safeguarding matter." not in response.content.decode()
    assert Kind.INTERVENTION not in kinds(response)
    assert {Kind.CATEGORY, Kind.SCORE} <= kinds(response)
    assert "soft intelligence (standard entries only)" in _text(response)
    (audit,) = AuditEvent.objects.filter(action=VIEWED)
    assert audit.detail["entries"] == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_an_inclusion_officer_sees_soft_intelligence_but_no_categories_cases_or_scores(
    page_client: PageCheckingClient,
) -> None:
    user = with_role(Role.INCLUSION_OFFICER, la_code=LA)
    response = signed_in(page_client, user).get(url())
    assert Kind.SOFT in kinds(response) and "Safeguarding" in titles(response)
    assert not {Kind.CATEGORY, Kind.INTERVENTION, Kind.SCORE} & kinds(response)


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_a_school_leader_sees_their_category_and_cases_but_no_soft_intelligence_or_risk(
    page_client: PageCheckingClient,
) -> None:
    user = with_role(Role.SCHOOL_LEADER, school_urn=GOSPORT_PRIMARY)
    response = signed_in(page_client, user).get(url())
    assert response.status_code == 200
    assert {Kind.CATEGORY, Kind.INTERVENTION} <= kinds(response)
    assert not {Kind.SOFT, Kind.SCORE} & kinds(response)
    assert "complaint" not in response.content.decode().lower()
    assert "Soft intelligence is not shown" in _text(response)
    assert not AuditEvent.objects.filter(action=VIEWED).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_a_leader_never_sees_the_proposal_a_reviewer_sees() -> None:
    proposed_category = decide(GOSPORT_PRIMARY, "Support and challenge", date(2019, 1, 1))
    decision = decide(GOSPORT_PRIMARY, "Light touch", date(2019, 9, 2), order=1)
    decision.proposed_category = proposed_category.decided_category
    decision.rationale = "New head in post."
    decision.save()
    leader_user = with_role(Role.SCHOOL_LEADER, school_urn=GOSPORT_PRIMARY)
    leader = signed_in(PageCheckingClient(), leader_user)
    reviewer = signed_in(PageCheckingClient(), officer())
    proposed = "convenor proposed Support and challenge"
    assert proposed in _text(reviewer.get(url()))
    assert proposed not in _text(leader.get(url()))


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.LA_OFFICER, {"la_code": OTHER_LA}),
        (Role.BOARD_MEMBER, {"la_code": LA, "area": "Fareham"}),
        (Role.SCHOOL_LEADER, {"school_urn": ELSEWHERE}),
        (Role.INCLUSION_OFFICER, {"la_code": OTHER_LA}),
    ],
)
def test_a_school_outside_the_readers_scope_is_refused(
    page_client: PageCheckingClient, role: Role, scope: dict[str, object]
) -> None:
    response = signed_in(page_client, with_role(role, **scope)).get(url())
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=VIEWED).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_an_unknown_school_is_not_found_and_other_roles_are_refused(
    page_client: PageCheckingClient,
) -> None:
    client = signed_in(page_client, officer())
    assert client.get(url(999_999)).status_code == 404
    planner = signed_in(PageCheckingClient(), with_role(Role.PLACE_PLANNER, la_code=LA))
    assert planner.get(url()).status_code == 403


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_a_bad_date_shows_its_error_and_reads_nothing(page_client: PageCheckingClient) -> None:
    response = signed_in(page_client, officer()).get(url(as_at="nope"))
    assert response.status_code == 200
    assert response.context["events"] is None
    assert "Correct the date above" in _text(response)
    assert not AuditEvent.objects.filter(action=VIEWED).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_the_register_dates_openings_closures_and_trust_joins(
    page_client: PageCheckingClient,
) -> None:
    from convenor.schools.models import Establishment
    from convenor.schools.tests.factories import GroupFactory, GroupMembershipFactory

    Establishment.objects.filter(urn=600001).update(
        open_date=date(1990, 9, 1), close_date=date(2016, 8, 31)
    )
    Establishment.objects.filter(urn=GOSPORT_PRIMARY).update(
        open_date=date(2016, 9, 1), is_academy=True
    )
    trust = GroupFactory.create(name="Solent Learning Trust")
    GroupMembershipFactory.create(
        urn=GOSPORT_PRIMARY, group_uid=trust.uid, joined_date=date(2016, 9, 1)
    )
    response = signed_in(page_client, officer()).get(url())
    register = [(e.on, e.title) for e in response.context["events"] if e.kind == Kind.REGISTER]
    assert register == [
        (date(2016, 9, 1), "Opened as an academy"),
        (date(2016, 9, 1), "Joined Solent Learning Trust"),
        (date(2016, 8, 31), "Closed"),
        (date(1990, 9, 1), "Opened"),
    ]


@pytest.mark.django_db
def test_the_profile_links_to_the_timeline_for_a_school_leader(
    page_client: PageCheckingClient,
) -> None:
    world()
    client = signed_in(page_client, with_role(Role.SCHOOL_LEADER, school_urn=GOSPORT_PRIMARY))
    profile = client.get(f"/schools/{GOSPORT_PRIMARY}/").content.decode()
    assert f'href="/schools/{GOSPORT_PRIMARY}/timeline/"' in profile
    assert f'href="/schools/{GOSPORT_PRIMARY}/intelligence/"' not in profile
    assert client.get(url()).status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("history")
def test_the_page_needs_the_same_queries_however_long_the_history(
    page_client: PageCheckingClient,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(page_client, officer())
    with CaptureQueriesContext(connection) as short:
        assert client.get(url()).status_code == 200
    for year in range(2000, 2010):
        InspectionFactory.create(urn=GOSPORT_PRIMARY, inspection_date=date(year, 1, 10))
        KS2ResultFactory.create(urn=GOSPORT_PRIMARY, period=f"{year}/{(year + 1) % 100:02d}")
        SoftIntelligenceEntryFactory.create(urn=GOSPORT_PRIMARY, observed_on=date(year, 2, 1))
        decide(GOSPORT_PRIMARY, "Light touch", date(year, 3, 1), order=1)
    WarningNoticeFactory.create(urn=GOSPORT_PRIMARY, issued_on=date(2018, 1, 8))
    with CaptureQueriesContext(connection) as long:
        response = client.get(url())
    assert len(response.context["events"]) > 40
    assert len(long) == len(short)
