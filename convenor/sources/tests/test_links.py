"""Tests for GIAS links, groups, the URN lookup and school lineage."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from convenor.sources.base import FileFormatError, ReadResult
from convenor.sources.links import (
    LinkGraph,
    LinkRecord,
    lineage,
    read_group_links,
    read_groups,
    read_links,
    read_urn_lookup,
    repair_c1,
)

LINKS_2023 = Path("gias_links_witan") / "links_edubasealldata20230421.csv"
LINKS_2025 = Path("gias_links_witan") / "links_edubasealldata20250422.csv"
GROUPS = Path("gias_groups_ajb1970") / "groups.csv"
GROUP_LINKS = Path("gias_groups_ajb1970") / "group_links.csv"
LOOKUP = Path("gias_groups_ajb1970") / "lookup.csv"


def _link(urn: int, link_urn: int, link_type: str = "Successor") -> LinkRecord:
    return LinkRecord(urn, link_urn, link_type, None, None)


@pytest.fixture(scope="module")
def fixture_graph(fixtures_dir: Path) -> LinkGraph:
    return LinkGraph(read_links(fixtures_dir / LINKS_2023).records)


# --- Links --------------------------------------------------------------------


def test_it_reads_links_in_windows_1252(fixtures_dir: Path) -> None:
    result = read_links(fixtures_dir / LINKS_2023)
    result.check_accounting()
    assert result.rejections == []
    greenacres = next(r for r in result.records if r.urn == 100128)
    assert greenacres == LinkRecord(
        100128,
        145210,
        "Successor",
        date(2017, 10, 31),
        "Greenacres Primary School and Language Impairment Unit",
    )
    names = {r.urn: r.link_name for r in result.records}
    assert names[109401] == "North Star 82\u00b0"
    # A trailing no-break space is not part of the name.
    assert names[105348] == "St Michael's Roman Catholic Primary School, a Voluntary Academy"
    kingsgate = next(r for r in result.records if r.urn == 100016)
    assert kingsgate.established is None


def test_it_rejects_duplicate_self_and_malformed_links(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_bytes(
        b'"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"\r\n'
        b'100001,100002,"Caf\xe9","Successor","31-08-2012"\r\n'
        b'100001,100002,"Caf\xe9","Successor","31-08-2012"\r\n'
        b'100001,100002,"Caf\xe9","Successor - merged","31-08-2012"\r\n'
        b'100003,100003,"Self","Successor",""\r\n'
        b'100004,100005,"Bad date","Successor","31-02-2020"\r\n'
        b'100004,100006,"No type","",""\r\n'
        b'100004,abc,"Junk","Successor",""\r\n'
        b'100004,100007,"Late","Successor","01-01-3020"\r\n'
        b"\r\n"
        b'100004,100008,"Extra","Successor","",surplus\r\n'
    )
    result = read_links(path)
    result.check_accounting()
    assert [(r.urn, r.link_type) for r in result.records] == [
        (100001, "Successor"),
        (100001, "Successor - merged"),
    ]
    assert result.records[0].link_name == "Caf\u00e9"
    assert [(r.line, r.field) for r in result.rejections] == [
        (3, None),
        (5, "LinkURN"),
        (6, "LinkEstablishedDate"),
        (7, "LinkType"),
        (8, "LinkURN"),
        (9, "LinkEstablishedDate"),
        (10, None),
        (11, "(row)"),
    ]
    assert result.rejections[0].reason.startswith("duplicate of line 2")


def test_it_refuses_a_file_that_is_not_a_links_file(fixtures_dir: Path) -> None:
    with pytest.raises(FileFormatError, match="LinkURN"):
        read_links(fixtures_dir / LOOKUP)


# --- Lineage ------------------------------------------------------------------


def test_it_follows_an_academy_conversion_both_ways(fixture_graph: LinkGraph) -> None:
    assert lineage(100128, fixture_graph) == [100128, 145210]
    assert lineage(145210, fixture_graph) == [100128, 145210]
    assert fixture_graph.latest(100128) == 145210
    assert fixture_graph.latest(145210) == 145210


def test_it_puts_merged_predecessors_first(fixture_graph: LinkGraph) -> None:
    # Fareham Park infant and junior schools became Oak Meadow (131419), which
    # became St Columba academy (138509) and then 147701.
    chain = [115896, 116287, 131419, 138509, 147701]
    assert lineage(131419, fixture_graph) == chain
    assert lineage(147701, fixture_graph) == chain
    # From one of the merged schools, the other is not its history.
    assert lineage(115896, fixture_graph) == [115896, 131419, 138509, 147701]
    assert fixture_graph.predecessors(131419) == {115896, 116287}


def test_it_follows_a_hampshire_school_through_two_changes(fixture_graph: LinkGraph) -> None:
    assert lineage(116018, fixture_graph) == [115961, 116018, 148215]
    assert fixture_graph.latest(115961) == 148215


def test_it_does_not_loop_on_links_that_contradict_each_other(fixture_graph: LinkGraph) -> None:
    # 122057 and 122060 are each written as the other's "Successor".
    expected = [122057, 122060, 139100, 143421]
    assert lineage(122057, fixture_graph) == expected
    assert lineage(143421, fixture_graph) == expected
    assert lineage(1, [_link(1, 2), _link(2, 3), _link(3, 1)]) == [1, 2, 3]


@pytest.mark.parametrize(
    "link_type",
    [
        "Successor - Split School",
        "Sixth Form Centre Link",
        "Sixth Form Centre School",
        "Result of Amalgamation",
        "Merged - change in age range",
        "Closure",
        "Expansion",
        "Other",
    ],
)
def test_it_does_not_follow_splits_sixth_forms_or_undirected_links(link_type: str) -> None:
    assert lineage(100001, [_link(100001, 100002, link_type)]) == [100001]


def test_it_follows_merged_and_amalgamated_links() -> None:
    links = [
        _link(100002, 100001, "Predecessor - merged"),
        _link(100002, 100003, "Successor - amalgamated"),
        _link(100003, 100004, "Successor"),
    ]
    assert lineage(100004, links) == [100001, 100002, 100003, 100004]


def test_it_gives_a_school_without_links_itself() -> None:
    assert lineage(100001, []) == [100001]
    assert LinkGraph([]).latest(100001) == 100001


# --- Groups and the lookup ------------------------------------------------------


def test_it_reads_groups_with_placeholders_and_company_numbers(fixtures_dir: Path) -> None:
    result = read_groups(fixtures_dir / GROUPS)
    result.check_accounting()
    assert result.rejections == []
    groups = {g.uid: g for g in result.records}
    federation = groups[1000]
    assert (federation.group_type, federation.status) == ("Federation", "Closed")
    assert (federation.open_date, federation.closed_date) == (date(2009, 1, 6), date(2010, 8, 31))
    hawkins = groups[3672]
    assert hawkins.name == "LADY HAWKINS\u2019 SCHOOL"  # \x92 in the file
    assert hawkins.companies_house == "07722445"  # 7722445.0 in the file
    assert hawkins.group_id == "TR01264"
    assert hawkins.incorporated_on == date(2011, 7, 29)
    assert all(g.open_date != date(1900, 1, 1) for g in result.records)
    assert any(g.ukprn is not None and 10000000 <= g.ukprn <= 99999999 for g in result.records)


def test_it_reads_group_links_including_childrens_centres(fixtures_dir: Path) -> None:
    result = read_group_links(fixtures_dir / GROUP_LINKS)
    result.check_accounting()
    assert result.rejections == []
    first = result.records[0]
    assert (first.urn, first.group_uid, first.joined_date) == (20003, 80637, None)
    assert first.group_type == "Children's Centres Group"
    assert any(r.joined_date is not None for r in result.records)


def test_it_reads_the_lookup_with_float_urns(fixtures_dir: Path) -> None:
    result = read_urn_lookup(fixtures_dir / LOOKUP)
    result.check_accounting()
    latest = {r.old_urn: r.latest_urn for r in result.records}
    assert latest[100128] == 145210
    assert latest[145210] == 145210


def test_it_repairs_windows_1252_punctuation_read_as_latin_1() -> None:
    assert repair_c1("St Joseph\x92s") == "St Joseph\u2019s"
    assert repair_c1("plain") == "plain"


# --- Full files -------------------------------------------------------------------


@pytest.fixture(scope="module")
def links_2023(shared_data: Path) -> ReadResult[LinkRecord]:
    return read_links(shared_data / LINKS_2023)


@pytest.mark.shared_data
def test_it_reads_every_link(shared_data: Path, links_2023: ReadResult[LinkRecord]) -> None:
    links_2023.check_accounting()
    assert links_2023.rows_read == 31274
    assert links_2023.rejections == []
    types = Counter(r.link_type for r in links_2023.records)
    assert (types["Successor"], types["Predecessor"]) == (15236, 15115)
    assert len({r.urn for r in links_2023.records}) == 26942
    later = read_links(shared_data / LINKS_2025)
    later.check_accounting()
    assert (later.rows_read, len(later.records)) == (33801, 33801)
    assert len({r.urn for r in later.records}) == 29269


@pytest.mark.shared_data
def test_it_agrees_with_the_march_2022_lookup(
    shared_data: Path, links_2023: ReadResult[LinkRecord]
) -> None:
    lookup = read_urn_lookup(shared_data / LOOKUP)
    lookup.check_accounting()
    assert lookup.rows_read == 49462
    latest = {r.old_urn: r.latest_urn for r in lookup.records}
    # Chains already followed: no latest URN is itself mapped elsewhere.
    assert all(latest.get(new, new) == new for new in latest.values())
    moved = {old: new for old, new in latest.items() if old != new}
    assert (len(latest) - len(moved), len(moved)) == (39424, 10038)
    graph = LinkGraph(links_2023.records)
    assert lineage(100128, graph) == [100128, 145210]
    assert sum(graph.latest(old) == new for old, new in moved.items()) == 9878
    # The rest moved on again after March 2022, except 104271 -> 147882,
    # a link the April 2023 file does not have at all.
    missing = [old for old, new in moved.items() if new not in graph.lineage(old)]
    assert missing == [104271]


@pytest.mark.shared_data
def test_it_reads_every_group_and_membership(shared_data: Path) -> None:
    groups = read_groups(shared_data / GROUPS)
    groups.check_accounting()
    assert (groups.rows_read, len(groups.records)) == (6883, 6883)
    assert Counter(g.status for g in groups.records)["Closed"] == 1285
    assert Counter(g.group_type for g in groups.records)["Multi-academy trust"] == 1682
    assert sum(g.open_date is None for g in groups.records) == 3596 + 775  # blank + 1900-01-01
    memberships = read_group_links(shared_data / GROUP_LINKS)
    memberships.check_accounting()
    assert (memberships.rows_read, len(memberships.records)) == (20395, 20395)
    assert len({m.urn for m in memberships.records}) == 13080
    assert sum(m.joined_date is None for m in memberships.records) == 1381
    uids = {g.uid for g in groups.records}
    assert all(m.group_uid in uids for m in memberships.records)
