"""Links between establishments across conversions, and trusts and other groups.

Files read here:

- ``gias_links_witan/links_edubasealldata*.csv`` (:func:`read_links`): one row
  per link, ``LinkType`` being the role of ``LinkURN`` relative to ``URN``.
  Windows-1252, ``DD-MM-YYYY`` dates, most links written from both sides.
- ``gias_groups_ajb1970/groups.csv`` (:func:`read_groups`): trusts, sponsors,
  federations and children's centre groups, March 2022.
- ``gias_groups_ajb1970/group_links.csv`` (:func:`read_group_links`): which
  establishment belongs to which group since when.
- ``gias_groups_ajb1970/lookup.csv`` (:func:`read_urn_lookup`): each URN to its
  latest URN as of March 2022.

:func:`lineage` (and :class:`LinkGraph` for many look-ups) follows the links
that carry one school on under a new URN. Those are the directed ones:

- ``Predecessor`` / ``Successor``: conversion to an academy, a change of trust
  or sponsor, a re-registration;
- ``Predecessor - merged`` / ``Successor - merged`` and ``Predecessor -
  amalgamated`` / ``Successor - amalgamated``: the predecessor's pupils went on
  in the successor, which carries the predecessor's history with its own.

Not followed: ``... - Split School`` (one school became several, none of
which is the old school), the sixth-form-centre links (membership of a
consortium, not succession), and the undirected kinds ``Result of
Amalgamation``, ``Merged - ...``, ``Closure``, ``Expansion`` and ``Other``,
which GIAS writes the same way from both sides, so the link does not say
which school came first.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from convenor.sources.base import (
    RawRow,
    ReadResult,
    RowError,
    optional_int,
    parse_date,
    read_rows,
)

PREDECESSOR_TYPES = frozenset({"Predecessor", "Predecessor - merged", "Predecessor - amalgamated"})
SUCCESSOR_TYPES = frozenset({"Successor", "Successor - merged", "Successor - amalgamated"})

# GIAS establishment URNs; children's centres have five-digit ones (20003).
_URN_LOW, _URN_HIGH = 10000, 9999999


# --- Records ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A GIAS link: ``link_urn`` is ``urn``'s ``link_type`` (its "Predecessor", say)."""

    urn: int
    link_urn: int
    link_type: str
    established: date | None
    link_name: str | None


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """A GIAS group: trust, sponsor, federation or children's centre group.

    ``companies_house`` is the eight-character company number (the file
    writes numbers as floats, ``6893415.0`` for ``06893415``). GIAS's
    ``1900-01-01`` placeholder dates read as None.
    """

    uid: int
    group_id: str | None
    name: str
    group_type: str
    status: str | None
    companies_house: str | None
    open_date: date | None
    closed_date: date | None
    incorporated_on: date | None
    ukprn: int | None


@dataclass(frozen=True, slots=True)
class GroupLinkRecord:
    """An establishment's membership of a group since ``joined_date``."""

    urn: int
    group_uid: int
    joined_date: date | None
    group_type: str


@dataclass(frozen=True, slots=True)
class UrnLookupRecord:
    """A URN and the latest URN of the same school (itself when it has no successor)."""

    old_urn: int
    latest_urn: int


# --- Parsers ----------------------------------------------------------------


def parse_gias_urn(raw: str, field_name: str) -> int:
    """A GIAS URN, five digits (children's centres) to seven; ``145210.0`` accepted."""
    text = raw.strip()
    value = int(text) if text.isdigit() and text.isascii() else optional_int(text, field_name)
    if value is None:
        raise RowError(field_name, "is blank" if not text else f"is {text[:20]!r}")
    if not _URN_LOW <= value <= _URN_HIGH:
        raise RowError(field_name, f"not a URN: {text[:20]!r}")
    return value


def _required(raw: str, field_name: str) -> str:
    text = raw.strip()
    if not text:
        raise RowError(field_name, "is blank")
    return text


_C1 = {chr(c): bytes([c]).decode("cp1252", errors="ignore") or chr(c) for c in range(0x80, 0xA0)}
_C1_TABLE = str.maketrans(_C1)


def repair_c1(text: str) -> str:
    """Undo Windows-1252 punctuation read as Latin-1 (``Ascent Academies\\x92 Trust``).

    ``groups.csv`` and ``group_links.csv`` hold C1 control characters where
    the names had curly quotes; no name means a control character, so each
    is mapped back to its Windows-1252 character.
    """
    return text.translate(_C1_TABLE) if any("\x80" <= ch <= "\x9f" for ch in text) else text


def _text(raw: str) -> str | None:
    text = repair_c1(raw.strip())
    return text or None


def _name(raw: str, field_name: str) -> str:
    return repair_c1(_required(raw, field_name))


def _date(raw: str, field_name: str) -> date | None:
    text = raw.strip()
    if not text:
        return None
    # parse_date would read a bare number as an Excel serial; these files
    # write dates, so a number other than YYYYMMDD is junk.
    if text.replace(".", "", 1).isdigit() and len(text) != 8:
        raise RowError(field_name, f"not a date: {text[:40]!r}")
    return parse_date(text, field_name, placeholder_1900=True)


def _company_number(raw: str, field_name: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit():
        if len(text) > 8:
            raise RowError(field_name, f"not a company number: {raw.strip()[:20]!r}")
        return text.zfill(8)
    # Scottish and other registers prefix two letters (SC123456).
    if len(text) == 8 and text[:2].isalpha() and text[2:].isdigit():
        return text.upper()
    raise RowError(field_name, f"not a company number: {raw.strip()[:20]!r}")


def _no_extra(row: RawRow) -> None:
    # Fields beyond the header mean the row is not laid out as the header says.
    if any(f.strip() for f in row.extra):
        raise RowError("(row)", f"{len(row.extra)} field(s) beyond the header")


# --- Readers ----------------------------------------------------------------

LINKS_NEEDED = ("URN", "LinkURN", "LinkType", "LinkEstablishedDate")


def read_links(path: Path | str) -> ReadResult[LinkRecord]:
    """Read a GIAS links file; a repeated (URN, LinkURN, LinkType) is rejected as a duplicate."""

    def parse(row: RawRow) -> LinkRecord:
        _no_extra(row)
        v = row.values
        urn = parse_gias_urn(v["URN"], "URN")
        link_urn = parse_gias_urn(v["LinkURN"], "LinkURN")
        if urn == link_urn:
            raise RowError("LinkURN", "links the establishment to itself")
        return LinkRecord(
            urn=urn,
            link_urn=link_urn,
            link_type=_required(v["LinkType"], "LinkType"),
            established=_date(v["LinkEstablishedDate"], "LinkEstablishedDate"),
            link_name=_text(v.get("LinkName", "")),
        )

    return read_rows(
        path, parse, needed=LINKS_NEEDED, key=lambda r: (r.urn, r.link_urn, r.link_type)
    )


GROUPS_NEEDED = ("Group UID", "Group Name", "Group Type")


def read_groups(path: Path | str) -> ReadResult[GroupRecord]:
    """Read GIAS ``groups.csv``, one record per ``Group UID``."""

    def parse(row: RawRow) -> GroupRecord:
        _no_extra(row)
        v = row.values
        g = v.get
        uid = optional_int(v["Group UID"], "Group UID")
        if uid is None or uid <= 0:
            raise RowError("Group UID", "is blank" if uid is None else f"is {uid}")
        ukprn = optional_int(g("UKPRN", ""), "UKPRN")
        if ukprn is not None and not 10000000 <= ukprn <= 99999999:
            raise RowError("UKPRN", f"not an eight-digit UKPRN: {ukprn}")
        return GroupRecord(
            uid=uid,
            group_id=_text(g("Group ID", "")),
            name=_name(v["Group Name"], "Group Name"),
            group_type=_required(v["Group Type"], "Group Type"),
            status=_text(g("Group Status", "")),
            companies_house=_company_number(
                g("Companies House Number", ""), "Companies House Number"
            ),
            open_date=_date(g("Open date", ""), "Open date"),
            closed_date=_date(g("Closed Date", ""), "Closed Date"),
            incorporated_on=_date(
                g("Incorporated on (open date)", ""), "Incorporated on (open date)"
            ),
            ukprn=ukprn,
        )

    return read_rows(path, parse, needed=GROUPS_NEEDED, key=lambda r: r.uid)


GROUP_LINKS_NEEDED = ("URN", "Group UID", "Group Type", "Joined date")


def read_group_links(path: Path | str) -> ReadResult[GroupLinkRecord]:
    """Read GIAS ``group_links.csv`` (its unnamed first column is a row index and ignored).

    A repeated (URN, Group UID) is rejected as a duplicate.
    """

    def parse(row: RawRow) -> GroupLinkRecord:
        _no_extra(row)
        v = row.values
        uid = optional_int(v["Group UID"], "Group UID")
        if uid is None or uid <= 0:
            raise RowError("Group UID", "is blank" if uid is None else f"is {uid}")
        return GroupLinkRecord(
            urn=parse_gias_urn(v["URN"], "URN"),
            group_uid=uid,
            joined_date=_date(v["Joined date"], "Joined date"),
            group_type=_required(v["Group Type"], "Group Type"),
        )

    return read_rows(path, parse, needed=GROUP_LINKS_NEEDED, key=lambda r: (r.urn, r.group_uid))


LOOKUP_NEEDED = ("OLD_URN", "LATEST_URN")


def read_urn_lookup(path: Path | str) -> ReadResult[UrnLookupRecord]:
    """Read ``lookup.csv`` (URN to latest URN; ``LATEST_URN`` is written as a float)."""

    def parse(row: RawRow) -> UrnLookupRecord:
        _no_extra(row)
        v = row.values
        return UrnLookupRecord(
            old_urn=parse_gias_urn(v["OLD_URN"], "OLD_URN"),
            latest_urn=parse_gias_urn(v["LATEST_URN"], "LATEST_URN"),
        )

    return read_rows(path, parse, needed=LOOKUP_NEEDED, key=lambda r: r.old_urn)


# --- Lineage ----------------------------------------------------------------


class LinkGraph:
    """The succession links among URNs, built once for many :meth:`lineage` look-ups.

    An edge runs from predecessor to successor. A link seen from both sides
    is one edge; a link written from one side only still counts.
    """

    __slots__ = ("_predecessors", "_successors")

    def __init__(self, links: Iterable[LinkRecord]) -> None:
        self._successors: defaultdict[int, set[int]] = defaultdict(set)
        self._predecessors: defaultdict[int, set[int]] = defaultdict(set)
        for link in links:
            if link.link_type in PREDECESSOR_TYPES:
                self._add(link.link_urn, link.urn)
            elif link.link_type in SUCCESSOR_TYPES:
                self._add(link.urn, link.link_urn)

    def _add(self, older: int, newer: int) -> None:
        if older != newer:
            self._successors[older].add(newer)
            self._predecessors[newer].add(older)

    def predecessors(self, urn: int) -> frozenset[int]:
        """The URNs ``urn`` directly continues."""
        return frozenset(self._predecessors.get(urn, ()))

    def successors(self, urn: int) -> frozenset[int]:
        """The URNs that directly continue ``urn``."""
        return frozenset(self._successors.get(urn, ()))

    def _reach(self, urn: int, edges: Mapping[int, set[int]]) -> set[int]:
        seen: set[int] = set()
        stack = [urn]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen and nxt != urn:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def lineage(self, urn: int) -> list[int]:
        """Every URN ``urn`` descends from or led to, and ``urn`` itself, oldest first.

        Siblings (two schools merged into one) come in URN order, which is the
        order GIAS issued them. A cycle in the links (two URNs each written as
        the other's "Successor") does not loop: it is broken at its lowest URN.
        """
        nodes = self._reach(urn, self._predecessors) | self._reach(urn, self._successors)
        nodes.add(urn)
        indegree = {n: sum(1 for p in self._predecessors.get(n, ()) if p in nodes) for n in nodes}
        ready = [n for n, d in indegree.items() if d == 0]
        heapq.heapify(ready)
        order: list[int] = []
        while len(order) < len(nodes):
            if not ready:
                # Only cycles are left: break one at its lowest URN and carry on.
                heapq.heappush(ready, min(n for n, d in indegree.items() if d > 0))
            n = heapq.heappop(ready)
            if indegree[n] < 0:
                continue
            indegree[n] = -1  # placed
            order.append(n)
            for s in self._successors.get(n, ()):
                if s in nodes and indegree[s] > 0:
                    indegree[s] -= 1
                    if indegree[s] == 0:
                        heapq.heappush(ready, s)
        return order

    def latest(self, urn: int) -> int:
        """The newest URN ``urn`` led to (``urn`` itself when it has no successor)."""
        later = self._reach(urn, self._successors)
        if not later:
            return urn
        ordered = [n for n in self.lineage(urn) if n in later]
        return ordered[-1]


def lineage(urn: int, links: Iterable[LinkRecord] | LinkGraph) -> list[int]:
    """The URNs of one school over time, oldest first: see :meth:`LinkGraph.lineage`.

    Pass a :class:`LinkGraph` when looking up many URNs; building one from
    the 31,000 links of a GIAS file takes a moment.
    """
    graph = links if isinstance(links, LinkGraph) else LinkGraph(links)
    return graph.lineage(urn)
