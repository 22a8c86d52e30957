"""The partnership graph's records: what goes in (schools, structures, memberships,
meetings) and what comes out (connectedness per school, area and structure).

Definitions are in the package docstring (:mod:`convenor.analytics.network`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class StructureKind(StrEnum):
    """The kinds of partnership structure, with the values of
    ``convenor.brokerage.models.PartnershipKind``."""

    CLUSTER = "cluster"
    AREA_BOARD = "area_board"
    STRATEGIC = "strategic"
    TEACHING_SCHOOL_HUB = "teaching_school_hub"
    TRUST = "trust"
    FEDERATION = "federation"
    DIOCESE = "diocese"
    LEARNING_NETWORK = "learning_network"
    BEHAVIOUR_PARTNERSHIP = "behaviour_partnership"
    SEND_NETWORK = "send_network"
    OTHER = "other"


class Strength(StrEnum):
    """How binding a membership is."""

    FORMAL = "formal"
    WEAK = "weak"


class Need(StrEnum):
    """Why a school is on the list to act on, most pressing first."""

    UNCONNECTED = "unconnected"
    WEAK_ONLY = "weak_only"
    LOW_ATTENDANCE = "low_attendance"


NEED_ORDER = {Need.UNCONNECTED: 0, Need.WEAK_ONLY: 1, Need.LOW_ATTENDANCE: 2}


@dataclass(frozen=True, slots=True)
class School:
    """A school on the map. ``area`` is the LA's own area or district name.

    ``concern_level`` orders the list to act on: 0 for no concern and higher
    for more (the app maps its categorisation framework's categories onto it);
    ``category`` is the label pages show.
    """

    urn: int
    name: str
    area: str
    concern_level: int = 0
    category: str = ""


@dataclass(frozen=True, slots=True)
class Structure:
    """A partnership structure, in force from ``start`` to ``end`` (the last day).

    ``key`` is any stable id unique across kinds (a primary key as text will
    do); ``part_of`` is the key of its parent. Memberships of a structure not in
    force on the date do not count.
    """

    key: str
    name: str
    kind: StructureKind
    part_of: str | None = None
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", StructureKind(self.kind))

    def in_force(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Membership:
    """A school's membership of a structure. ``end`` is the last day of membership.

    ``role`` is free text for a school's role ("chair", "lead school").
    """

    urn: int
    structure: str
    strength: Strength = Strength.FORMAL
    start: date | None = None
    end: date | None = None
    role: str = ""

    def __post_init__(self) -> None:
        # Rows from the database carry plain strings; "formal" becomes Strength.FORMAL.
        object.__setattr__(self, "strength", Strength(self.strength))
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"membership of {self.urn} in {self.structure} ends before it starts")

    def active_on(self, day: date) -> bool:
        """Counts on ``day``: started by then and not yet ended."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Meeting:
    """A network meeting and the schools that came.

    ``invited`` names the schools expected; when ``None``, the structure's
    members (any strength) on ``held_on`` are expected. Schools that came
    without being expected do not change anyone's rate. From attendance rows
    of (school, attended yes/no): ``invited`` is every school with a row and
    ``attended`` those marked yes; with no rows, leave ``invited`` as ``None``.
    """

    structure: str
    held_on: date
    attended: frozenset[int]
    invited: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """How far back attendance looks and what counts as low."""

    window_days: int = 365
    low_attendance: float = 0.5


class _Attendance:
    """``attendance`` for results that count meetings expected and attended."""

    __slots__ = ()
    meetings_expected: int
    meetings_attended: int

    @property
    def attendance(self) -> float | None:
        """Share of expected meetings attended; None when none were expected."""
        if not self.meetings_expected:
            return None
        return self.meetings_attended / self.meetings_expected


@dataclass(frozen=True, slots=True)
class SchoolConnectedness(_Attendance):
    """One school's connections as at the date, with the structures' keys."""

    school: School
    formal: tuple[str, ...]
    weak: tuple[str, ...]
    meetings_expected: int
    meetings_attended: int

    @property
    def isolated(self) -> bool:
        """No formal connection (it may still have weak ones)."""
        return not self.formal

    @property
    def weak_only(self) -> bool:
        return not self.formal and bool(self.weak)

    @property
    def unconnected(self) -> bool:
        return not self.formal and not self.weak


@dataclass(frozen=True, slots=True)
class ActionItem:
    """A school on an area's list to act on, and why."""

    school: SchoolConnectedness
    need: Need
    reason: str


@dataclass(frozen=True, slots=True)
class AreaConnectedness(_Attendance):
    """Counts for one area and its list to act on, ordered by need."""

    area: str
    schools: int
    formally_connected: int
    isolated: int
    weak_only: int
    unconnected: int
    weakly_connected: int
    meetings_expected: int
    meetings_attended: int
    to_act_on: tuple[ActionItem, ...]


@dataclass(frozen=True, slots=True)
class StructureFacts(_Attendance):
    """One structure as at the date: members, roles, meetings and its component."""

    structure: Structure
    formal_members: tuple[int, ...]
    weak_members: tuple[int, ...]
    roles: tuple[tuple[str, int], ...]
    meetings: int
    meetings_expected: int
    meetings_attended: int
    component: int

    @property
    def members(self) -> tuple[int, ...]:
        return tuple(sorted(self.formal_members + self.weak_members))


@dataclass(frozen=True, slots=True)
class Component:
    """Schools and structures joined by formal memberships and ``part_of`` links."""

    index: int
    schools: tuple[int, ...]
    structures: tuple[str, ...]


@dataclass(frozen=True)
class NetworkReport:
    """Everything :func:`connectedness` works out, as at ``on``.

    ``structures`` holds the structures in force on ``on``; ``components`` are
    ordered largest first.
    """

    on: date
    schools: Mapping[int, SchoolConnectedness]
    areas: tuple[AreaConnectedness, ...]
    structures: Mapping[str, StructureFacts]
    components: tuple[Component, ...]

    @property
    def isolated(self) -> tuple[int, ...]:
        return tuple(u for u, s in self.schools.items() if s.isolated)
