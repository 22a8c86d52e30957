"""Who may read, decide and read in full a school's category (ADR 0008)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from convenor.core.models import Role, RoleAssignment
from convenor.intelligence.models import CategoryTrack, DecidedAs
from convenor.intelligence.querysets import NOWHERE, intelligence_scope
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of


@dataclass(frozen=True)
class CategoryScope:
    """Which schools' categories one user may read, decide and read in full.

    ``officer``: LA officers' schools (their LA), who decide on both tracks.
    ``board``: board members' schools (their LA's schools in their area), who decide
    for maintained schools. ``own``: schools the user leads, under every URN, which
    they see as their school's leader (the decided category only) and never decide.
    ``soft``: where reasons drawn from soft intelligence may be shown, which is where
    the user reads restricted entries (ADR 0006), because the counts include them.
    """

    officer: Q
    board: Q
    own: frozenset[int]
    soft: Q
    la_codes: frozenset[int] = field(default_factory=frozenset)

    def _schools(self, condition: Q) -> QuerySet[Establishment]:
        return Establishment.objects.filter(condition).exclude(urn__in=self.own)

    def reviewable_schools(self) -> QuerySet[Establishment]:
        """Schools whose proposal and decisions the user may read."""
        return self._schools(self.officer | self.board)

    def can_review(self, school: Establishment) -> bool:
        return self.reviewable_schools().filter(pk=school.pk).exists()

    def leads(self, school: Establishment) -> bool:
        return school.urn in self.own

    def reads_soft(self, school: Establishment) -> bool:
        return self._schools(self.soft).filter(pk=school.pk).exists()

    def capacity(self, school: Establishment, track: str) -> str | None:
        """In which capacity the user may decide the school's category on ``track``:
        as an LA officer, as a board member (maintained schools only), or not at all."""
        if self._schools(self.officer).filter(pk=school.pk).exists():
            return DecidedAs.OFFICER
        if track == CategoryTrack.MAINTAINED and (
            self._schools(self.board).filter(pk=school.pk).exists()
        ):
            return DecidedAs.BOARD
        return None


def category_scope(assignments: Iterable[RoleAssignment]) -> CategoryScope:
    """The category scope the role assignments in force give one user (ADR 0008).
    Pass :func:`convenor.core.permissions.request_roles` so roles are read once."""
    assignments = list(assignments)
    officer = board = NOWHERE
    own: set[int] = set()
    las: set[int] = set()
    for assignment in assignments:
        if assignment.role == Role.LA_OFFICER:
            officer |= Q(la_code=assignment.la_code)
            las.add(assignment.la_code or 0)
        elif assignment.role == Role.BOARD_MEMBER:
            board |= Q(la_code=assignment.la_code, district=assignment.area)
            las.add(assignment.la_code or 0)
        elif assignment.role == Role.SCHOOL_LEADER and assignment.school_urn is not None:
            own.update(lineage_of(assignment.school_urn))
    soft = intelligence_scope(assignments).restricted
    return CategoryScope(officer, board, frozenset(own), soft, frozenset(las - {0}))
