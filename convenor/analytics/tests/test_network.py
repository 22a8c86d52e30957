"""The partnership graph, on small hand-built networks and as properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convenor.analytics.network import (
    Meeting,
    Membership,
    Need,
    NetworkSettings,
    School,
    Strength,
    Structure,
    StructureKind,
    build_graph,
    connectedness,
)

ON = date(2024, 3, 1)
FORMAL, WEAK = Strength.FORMAL, Strength.WEAK

SCHOOLS = [
    School(1, "Abbey Primary", "North"),
    School(2, "Beech Primary", "North", concern_level=2, category="Support and challenge+"),
    School(3, "Cedar Primary", "North"),
    School(4, "Dale Primary", "North", concern_level=1, category="Support and challenge"),
    School(5, "Elm Academy", "South"),
    School(6, "Fern Academy", "South"),
    School(7, "Gorse Primary", "South", concern_level=1, category="Support and challenge"),
    School(8, "Holly Primary", "South"),
]
STRUCTURES = [
    Structure("board:north", "North area board", StructureKind.AREA_BOARD),
    Structure("cluster:n1", "Abbey cluster", StructureKind.CLUSTER, part_of="board:north"),
    Structure("trust:oak", "Oak Trust", StructureKind.TRUST),
    Structure("network:maths", "Maths learning network", StructureKind.LEARNING_NETWORK),
    Structure("hub:south", "South teaching school hub", StructureKind.TEACHING_SCHOOL_HUB),
]
MEMBERSHIPS = [
    Membership(1, "cluster:n1", role="chair", start=date(2020, 9, 1)),
    Membership(3, "cluster:n1", start=date(2020, 9, 1)),
    # Beech left the cluster last term: that no longer counts.
    Membership(2, "cluster:n1", start=date(2020, 9, 1), end=date(2023, 12, 31)),
    Membership(2, "network:maths", WEAK),
    Membership(5, "trust:oak"),
    Membership(6, "trust:oak", role="lead school"),
    Membership(6, "network:maths", WEAK),
    # Holly joins the trust next term: not yet.
    Membership(8, "trust:oak", start=date(2024, 4, 1)),
    Membership(8, "network:maths", WEAK, start=date(2023, 9, 1)),
    Membership(8, "network:maths", FORMAL, start=date(2023, 9, 1), end=date(2023, 10, 1)),
]


def _meetings():
    """Three cluster meetings this year (Abbey came to all, Cedar to one) and one too old."""
    held = [date(2023, 10, 5), date(2024, 1, 11), date(2024, 2, 29)]
    meetings = [
        Meeting("cluster:n1", day, frozenset({1} if i else {1, 3})) for i, day in enumerate(held)
    ]
    meetings.append(Meeting("cluster:n1", date(2022, 11, 1), frozenset()))
    # The trust invites named schools: Elm and Fern, and Fern came.
    meetings.append(Meeting("trust:oak", date(2024, 2, 1), frozenset({6, 7}), frozenset({5, 6})))
    return meetings


def _report(**kw):
    return connectedness(SCHOOLS, STRUCTURES, MEMBERSHIPS, _meetings(), on=ON, **kw)


def test_it_counts_formal_and_weak_connections_as_at_the_date():
    schools = _report().schools
    assert (schools[1].formal, schools[1].weak) == (("cluster:n1",), ())
    assert (schools[2].formal, schools[2].weak) == ((), ("network:maths",))
    assert (schools[6].formal, schools[6].weak) == (("trust:oak",), ("network:maths",))
    # Holly's formal maths membership ended in October; the trust starts in April.
    assert (schools[8].formal, schools[8].weak) == ((), ("network:maths",))
    assert (schools[4].formal, schools[4].weak) == ((), ())
    assert [u for u, s in schools.items() if s.isolated] == [2, 4, 7, 8]
    assert [u for u, s in schools.items() if s.weak_only] == [2, 8]
    assert [u for u, s in schools.items() if s.unconnected] == [4, 7]


def test_the_end_date_is_the_last_day_of_membership():
    membership = Membership(1, "cluster:n1", start=date(2023, 9, 1), end=ON)
    assert membership.active_on(ON)
    assert not membership.active_on(ON + timedelta(days=1))
    assert not membership.active_on(date(2023, 8, 31))
    with pytest.raises(ValueError, match="ends before it starts"):
        Membership(1, "cluster:n1", start=ON, end=date(2023, 1, 1))


def test_it_counts_attendance_at_meetings_the_school_was_expected_at():
    schools = _report().schools
    assert (schools[1].meetings_expected, schools[1].meetings_attended) == (3, 3)
    assert schools[3].attendance == pytest.approx(1 / 3)
    # Beech was a cluster member at the October meeting only, and missed it.
    assert (schools[2].meetings_expected, schools[2].attendance) == (1, 0.0)
    # The trust's invitation list decides who was expected; Gorse came uninvited.
    assert (schools[5].meetings_expected, schools[5].attendance) == (1, 0.0)
    assert schools[6].attendance == 1.0
    assert schools[7].attendance is None
    shorter = _report(settings=NetworkSettings(window_days=60))
    assert shorter.schools[1].meetings_expected == 2


def test_it_lists_the_schools_to_act_on_in_order_of_need():
    north, south = _report().areas
    assert (north.area, north.schools, north.formally_connected, north.isolated) == (
        "North",
        4,
        2,
        2,
    )
    assert (north.weak_only, north.unconnected, north.weakly_connected) == (1, 1, 1)
    # Beech (concern 2) first, then Dale (concern 1), then Cedar (no concern, 1 of 3 meetings).
    assert [(i.school.school.urn, i.need) for i in north.to_act_on] == [
        (2, Need.WEAK_ONLY),
        (4, Need.UNCONNECTED),
        (3, Need.LOW_ATTENDANCE),
    ]
    assert north.to_act_on[2].reason == "came to 1 of 3 network meetings (33%)"
    assert north.to_act_on[1].reason == "no connection to any partnership"
    assert north.attendance == pytest.approx((3 + 1 + 0) / (3 + 3 + 1))
    # Gorse (concern 1) first; then weak-only Holly before Elm, who missed its one trust meeting.
    assert [(i.school.school.urn, i.need) for i in south.to_act_on] == [
        (7, Need.UNCONNECTED),
        (8, Need.WEAK_ONLY),
        (5, Need.LOW_ATTENDANCE),
    ]


def test_it_reports_each_structures_members_roles_and_component():
    report = _report()
    cluster = report.structures["cluster:n1"]
    assert (cluster.formal_members, cluster.weak_members, cluster.members) == ((1, 3), (), (1, 3))
    assert cluster.roles == (("chair", 1),)
    assert (cluster.meetings, cluster.meetings_expected, cluster.meetings_attended) == (3, 7, 4)
    maths = report.structures["network:maths"]
    assert (maths.formal_members, maths.weak_members) == ((), (2, 6, 8))
    assert report.structures["trust:oak"].roles == (("lead school", 6),)
    # The cluster and its board are one component through part_of; weak links join nothing.
    assert [(c.schools, c.structures) for c in report.components] == [
        ((1, 3), ("board:north", "cluster:n1")),
        ((5, 6), ("trust:oak",)),
        ((), ("hub:south",)),
        ((), ("network:maths",)),
    ]
    assert cluster.component == report.structures["board:north"].component == 0
    assert report.isolated == (2, 4, 7, 8)


def test_a_formal_membership_beats_a_weak_one_of_the_same_structure():
    memberships = [Membership(1, "trust:oak", WEAK), Membership(1, "trust:oak", FORMAL)]
    report = connectedness(SCHOOLS, STRUCTURES, memberships, on=ON)
    assert (report.schools[1].formal, report.schools[1].weak) == (("trust:oak",), ())


def test_it_reads_a_strength_given_as_plain_text():
    row = Membership(1, "trust:oak", "weak")  # type: ignore[arg-type]  # as a database row gives it
    assert row.strength is Strength.WEAK
    with pytest.raises(ValueError):
        Membership(1, "trust:oak", "strong")  # type: ignore[arg-type]


def test_it_builds_a_graph_of_schools_and_structures():
    graph = build_graph(SCHOOLS, STRUCTURES, MEMBERSHIPS, ON)
    assert graph.edges[1, "cluster:n1"]["strength"] == FORMAL
    assert graph.edges[1, "cluster:n1"]["roles"] == {"chair"}
    assert graph.edges["cluster:n1", "board:north"]["strength"] == "part_of"
    assert not graph.has_edge(2, "cluster:n1")
    assert graph.nodes[5]["data"].name == "Elm Academy"


def test_a_structure_not_in_force_gives_no_connection():
    closed = Structure("cluster:old", "Old cluster", "cluster", end=date(2023, 8, 31))  # type: ignore[arg-type]
    child = Structure("cluster:new", "New cluster", StructureKind.CLUSTER, part_of="cluster:old")
    rows = [Membership(1, "cluster:old"), Membership(2, "cluster:new")]
    report = connectedness(SCHOOLS, [closed, child], rows, on=ON)
    assert report.schools[1].isolated
    assert not report.schools[2].isolated
    assert list(report.structures) == ["cluster:new"]
    assert [(c.schools, c.structures) for c in report.components] == [((2,), ("cluster:new",))]
    assert closed.kind is StructureKind.CLUSTER
    earlier = connectedness(SCHOOLS, [closed, child], rows, on=date(2023, 8, 31))
    assert earlier.components[0].structures == ("cluster:new", "cluster:old")


def test_it_refuses_links_to_unknown_schools_or_structures():
    with pytest.raises(ValueError, match="unknown school 99"):
        connectedness(SCHOOLS, STRUCTURES, [Membership(99, "trust:oak")], on=ON)
    with pytest.raises(ValueError, match="unknown structure trust:elm"):
        connectedness(SCHOOLS, STRUCTURES, [Membership(1, "trust:elm")], on=ON)
    with pytest.raises(ValueError, match="part of unknown structure"):
        connectedness(SCHOOLS, [Structure("c", "C", StructureKind.CLUSTER, part_of="x")], [], on=ON)
    with pytest.raises(ValueError, match="meeting of unknown structure"):
        connectedness(SCHOOLS, STRUCTURES, [], [Meeting("x", ON, frozenset())], on=ON)


# --- properties --------------------------------------------------------------------

PROPERTY = settings(max_examples=100, deadline=None)
URNS = range(1, 7)
KEYS = [s.key for s in STRUCTURES]
PLAIN_SCHOOLS = [School(u, f"School {u}", "North" if u % 2 else "South") for u in URNS]

days = st.integers(-400, 400).map(lambda n: ON + timedelta(days=n))


@st.composite
def memberships(draw, ended_before=False):
    urn = draw(st.sampled_from(URNS))
    key = draw(st.sampled_from(KEYS))
    strength = draw(st.sampled_from([FORMAL, WEAK]))
    start = draw(st.none() | days)
    if ended_before:
        end = ON - timedelta(days=draw(st.integers(1, 400)))
        start = None if start is None else min(start, end)
    else:
        end = draw(st.none() | days)
        if start is not None and end is not None and end < start:
            start, end = end, start
    return Membership(urn, key, strength, start, end)


membership_lists = st.lists(memberships(), max_size=20)


def _links(rows):
    report = connectedness(PLAIN_SCHOOLS, STRUCTURES, rows, on=ON)
    return {u: (s.formal, s.weak, s.isolated) for u, s in report.schools.items()}


@PROPERTY
@given(membership_lists)
def test_isolated_means_no_formal_membership_counting_on_the_date(rows):
    report = connectedness(PLAIN_SCHOOLS, STRUCTURES, rows, on=ON)
    for urn, school in report.schools.items():
        formal = any(m.urn == urn and m.strength == FORMAL and m.active_on(ON) for m in rows)
        assert school.isolated == (not formal)
        assert len(school.formal) == len(
            {m.structure for m in rows if m.urn == urn and m.strength == FORMAL and m.active_on(ON)}
        )
    for area in report.areas:
        assert area.isolated + area.formally_connected == area.schools
        assert area.weak_only + area.unconnected == area.isolated


@PROPERTY
@given(membership_lists, st.lists(memberships(ended_before=True), min_size=1, max_size=10))
def test_memberships_ended_before_the_date_do_not_count(rows, ended):
    assert _links(rows + ended) == _links(rows)


@PROPERTY
@given(membership_lists, st.sampled_from(URNS), st.sampled_from(KEYS), st.none() | days)
def test_a_weak_link_never_makes_an_isolated_school_formally_connected(rows, urn, key, start):
    before = _links(rows)
    after = _links([*rows, Membership(urn, key, WEAK, start=start)])
    for school, (formal, _weak, isolated) in before.items():
        assert after[school][0] == formal
        assert after[school][2] == isolated


@PROPERTY
@given(membership_lists)
def test_every_school_to_act_on_is_isolated_or_attends_too_little(rows):
    report = connectedness(PLAIN_SCHOOLS, STRUCTURES, rows, on=ON)
    listed = {i.school.school.urn for a in report.areas for i in a.to_act_on}
    assert listed == {u for u, s in report.schools.items() if s.isolated}  # no meetings given
