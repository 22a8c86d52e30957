"""The partnership graph: which schools are connected, how strongly, and whom to act on.

Schools and partnership structures (clusters, area boards, the strategic
partnership, teaching school hubs, trusts, federations, dioceses, learning
networks) are nodes of one :mod:`networkx` graph; a school's membership of a
structure is an edge, built as at a date. Each membership is **formal** (a
member with obligations: a cluster, a trust, a federation) or **weak** (a
looser tie such as a mailing list or an open learning network: "look out for
each other"). A structure may be ``part_of`` another (a cluster of an area
board); that joins them in the graph but gives no school a membership.

Definitions, as at the date ``on``:

- A membership **counts** if it started on or before ``on`` (or has no start)
  and ends on or after ``on`` (or has no end): the end date is the last day of
  membership, so one that ended before ``on`` does not count.
- A school's **formal connections** are the structures it belongs to formally;
  its **weak** ones are those it belongs to only weakly (a formal membership of
  the same structure wins).
- **Isolated** means no formal connection. An isolated school is **weak only**
  if it has a weak connection and **unconnected** if it has none at all.
- **Attendance** is the share of network meetings a school was expected at
  (invited, or else a member of the structure on the meeting day) and came to,
  over meetings held in the ``window_days`` up to ``on``; ``None`` when it was
  expected at none.
- A formally connected school with attendance below ``low_attendance`` is
  **weakly connected**.
- The list **to act on** in an area holds its isolated and weakly connected
  schools, ordered by need: higher concern level first, then unconnected
  before weak only before weakly connected, then lowest attendance, then name.
- **Components** are the groups of schools and structures joined by formal
  memberships and ``part_of`` links; isolated schools belong to none.

:mod:`convenor.brokerage` converts its rows to :class:`School`,
:class:`Structure`, :class:`Membership` and :class:`Meeting` and calls
:func:`connectedness`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

import networkx as nx

from .records import (
    NEED_ORDER,
    ActionItem,
    AreaConnectedness,
    Component,
    Meeting,
    Membership,
    Need,
    NetworkReport,
    NetworkSettings,
    School,
    SchoolConnectedness,
    Strength,
    Structure,
    StructureFacts,
    StructureKind,
)

#: A graph node: a school's URN or a structure's key, so the type tells them apart.
Node = int | str
if TYPE_CHECKING:
    Graph = nx.Graph[Node]


def build_graph(
    schools: Iterable[School],
    structures: Iterable[Structure],
    memberships: Iterable[Membership],
    on: date,
) -> Graph:
    """The partnership graph as at ``on``.

    Nodes are schools' URNs (``int``) and structures' keys (``str``), each
    carrying its dataclass as ``data``. A school-structure edge has ``strength`` (the
    strongest membership counting on ``on``) and ``roles``; a ``part_of``
    edge between structures has ``strength="part_of"``. Structures not in
    force on ``on`` are left out, with their memberships. Raises
    ``ValueError`` for a membership or ``part_of`` naming something not given.
    """
    graph: Graph = nx.Graph()
    for school in schools:
        graph.add_node(school.urn, data=school)
    by_key = {structure.key: structure for structure in structures}
    for structure in by_key.values():
        if structure.in_force(on):
            graph.add_node(structure.key, data=structure)
    for structure in by_key.values():
        parent = structure.part_of
        if parent is None:
            continue
        if parent not in by_key:
            raise ValueError(f"{structure.key} is part of unknown structure {parent}")
        if structure.key in graph and parent in graph:
            graph.add_edge(structure.key, parent, strength="part_of")
    for m in memberships:
        if m.urn not in graph:
            raise ValueError(f"membership of unknown school {m.urn}")
        if m.structure not in by_key:
            raise ValueError(f"membership of unknown structure {m.structure}")
        if not (m.active_on(on) and m.structure in graph):
            continue
        edge = graph.get_edge_data(m.urn, m.structure)
        if edge is None:
            graph.add_edge(m.urn, m.structure, strength=m.strength, roles=set())
            edge = graph.edges[m.urn, m.structure]
        elif m.strength == Strength.FORMAL:
            edge["strength"] = Strength.FORMAL
        if m.role:
            edge["roles"].add(m.role)
    return graph


def _links(graph: Graph, urn: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    formal: list[str] = []
    weak: list[str] = []
    for node, edge in graph.adj[urn].items():
        if isinstance(node, str):
            (formal if edge["strength"] == Strength.FORMAL else weak).append(node)
    return tuple(sorted(formal)), tuple(sorted(weak))


def _attendance(
    meetings: Iterable[Meeting],
    memberships: Sequence[Membership],
    keys: set[str],
    on: date,
    settings: NetworkSettings,
) -> tuple[dict[int, list[int]], dict[str, list[int]]]:
    """[expected, attended] per school and [meetings, expected, attended] per structure."""
    first = on - timedelta(days=settings.window_days)
    by_structure: dict[str, list[Membership]] = {}
    for m in memberships:
        by_structure.setdefault(m.structure, []).append(m)
    per_school: dict[int, list[int]] = {}
    per_structure: dict[str, list[int]] = {}
    for meeting in meetings:
        if meeting.structure not in keys:
            raise ValueError(f"meeting of unknown structure {meeting.structure}")
        if not first < meeting.held_on <= on:
            continue
        expected = meeting.invited
        if expected is None:
            members = by_structure.get(meeting.structure, [])
            expected = frozenset(m.urn for m in members if m.active_on(meeting.held_on))
        tally = per_structure.setdefault(meeting.structure, [0, 0, 0])
        tally[0] += 1
        for urn in expected:
            came = urn in meeting.attended
            counts = per_school.setdefault(urn, [0, 0])
            counts[0] += 1
            counts[1] += came
            tally[1] += 1
            tally[2] += came
    return per_school, per_structure


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _need(school: SchoolConnectedness, settings: NetworkSettings) -> ActionItem | None:
    if school.unconnected:
        return ActionItem(school, Need.UNCONNECTED, "no connection to any partnership")
    if school.weak_only:
        return ActionItem(
            school, Need.WEAK_ONLY, f"only weak connections ({len(school.weak)}), none formal"
        )
    rate = school.attendance
    if rate is not None and rate < settings.low_attendance:
        return ActionItem(
            school,
            Need.LOW_ATTENDANCE,
            f"came to {school.meetings_attended} of {school.meetings_expected} network "
            f"meetings ({_percent(rate)})",
        )
    return None


def _need_order(item: ActionItem) -> tuple[int, int, float, str, int]:
    s = item.school
    rate = s.attendance
    return (
        -s.school.concern_level,
        NEED_ORDER[item.need],
        -1.0 if rate is None else rate,
        s.school.name,
        s.school.urn,
    )


def _area(
    area: str, members: Sequence[SchoolConnectedness], settings: NetworkSettings
) -> AreaConnectedness:
    items = [item for s in members if (item := _need(s, settings)) is not None]
    return AreaConnectedness(
        area=area,
        schools=len(members),
        formally_connected=sum(not s.isolated for s in members),
        isolated=sum(s.isolated for s in members),
        weak_only=sum(s.weak_only for s in members),
        unconnected=sum(s.unconnected for s in members),
        weakly_connected=sum(i.need is Need.LOW_ATTENDANCE for i in items),
        meetings_expected=sum(s.meetings_expected for s in members),
        meetings_attended=sum(s.meetings_attended for s in members),
        to_act_on=tuple(sorted(items, key=_need_order)),
    )


def _components(graph: Graph) -> tuple[Component, ...]:
    strong = [(u, v) for u, v, edge in graph.edges(data=True) if edge["strength"] != "weak"]
    groups: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
    for nodes in nx.connected_components(graph.edge_subgraph(strong)):
        schools = tuple(sorted(n for n in nodes if isinstance(n, int)))
        structures = tuple(sorted(n for n in nodes if isinstance(n, str)))
        groups.append((schools, structures))
    # A structure with no formal member and no part_of link is a component of its own.
    linked = {key for _schools, structures in groups for key in structures}
    for node in graph.nodes:
        if isinstance(node, str) and node not in linked:
            groups.append(((), (node,)))
    groups.sort(key=lambda g: (-len(g[0]) - len(g[1]), g[1]))
    return tuple(Component(i, s, k) for i, (s, k) in enumerate(groups))


def connectedness(
    schools: Iterable[School],
    structures: Iterable[Structure],
    memberships: Iterable[Membership],
    meetings: Iterable[Meeting] = (),
    *,
    on: date,
    settings: NetworkSettings | None = None,
) -> NetworkReport:
    """Per school, per area and per structure connectedness as at ``on`` (see the module doc)."""
    settings = settings or NetworkSettings()
    school_list, structure_list = list(schools), list(structures)
    membership_list = list(memberships)
    graph = build_graph(school_list, structure_list, membership_list, on)
    keys = {s.key for s in structure_list}
    per_school, per_structure = _attendance(meetings, membership_list, keys, on, settings)

    results: dict[int, SchoolConnectedness] = {}
    for school in sorted(school_list, key=lambda s: s.urn):
        formal, weak = _links(graph, school.urn)
        expected, attended = per_school.get(school.urn, [0, 0])
        results[school.urn] = SchoolConnectedness(school, formal, weak, expected, attended)

    by_area: dict[str, list[SchoolConnectedness]] = {}
    for result in results.values():
        by_area.setdefault(result.school.area, []).append(result)
    areas = tuple(_area(a, members, settings) for a, members in sorted(by_area.items()))

    components = _components(graph)
    component_of = {key: c.index for c in components for key in c.structures}
    facts: dict[str, StructureFacts] = {}
    for structure in sorted(structure_list, key=lambda s: s.key):
        if structure.key not in graph:
            continue  # not in force on the date
        formal_members: list[int] = []
        weak_members: list[int] = []
        roles: list[tuple[str, int]] = []
        for node, edge in graph.adj[structure.key].items():
            if not isinstance(node, int):
                continue
            strong = edge["strength"] == Strength.FORMAL
            (formal_members if strong else weak_members).append(node)
            roles.extend((role, node) for role in edge["roles"])
        meetings_held, expected, attended = per_structure.get(structure.key, [0, 0, 0])
        facts[structure.key] = StructureFacts(
            structure,
            tuple(sorted(formal_members)),
            tuple(sorted(weak_members)),
            tuple(sorted(roles)),
            meetings_held,
            expected,
            attended,
            component_of[structure.key],
        )
    return NetworkReport(on, results, areas, facts, components)


__all__ = [
    "ActionItem",
    "AreaConnectedness",
    "Component",
    "Meeting",
    "Membership",
    "Need",
    "NetworkReport",
    "NetworkSettings",
    "Node",
    "School",
    "SchoolConnectedness",
    "Strength",
    "Structure",
    "StructureFacts",
    "StructureKind",
    "build_graph",
    "connectedness",
]
