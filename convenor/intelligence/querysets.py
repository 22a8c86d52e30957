"""Reads of soft intelligence, and who may read and write it (docs/adr/0006).

Soft intelligence is restricted detail, but it follows its own, narrower rule than
:func:`convenor.core.permissions.schools_in_full_scope`: administrators and school
leaders hold full scope there and must not read it here. :func:`intelligence_scope`
says, for one user, which schools' entries they may read (standard and restricted
apart), where they may record, and whose entries they may withdraw. Views load
entries only through it; reads for display go through the auditing helpers in
:mod:`convenor.intelligence.services`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from convenor.core.models import Role, RoleAssignment

if TYPE_CHECKING:
    from convenor.intelligence.models import ConcernRule, SoftIntelligenceEntry
    from convenor.schools.models import Establishment
    from convenor.schools.querysets import EstablishmentQuerySet

# Who reads soft intelligence at all: the LA's officers and, for their area's standard
# entries, partnership board members ("pooled intelligence", DESIGN.md).
READER_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.INCLUSION_OFFICER, Role.BOARD_MEMBER)
# Who records entries and completes follow-ups: the LA services the intelligence comes from.
RECORDER_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.INCLUSION_OFFICER)
# Who may withdraw an entry someone else wrote (anyone who records may withdraw their own).
WITHDRAWER_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.INCLUSION_OFFICER)
# Who sees the escalation rules (no entries on that page) and who sets them.
RULE_READER_ROLES: tuple[Role, ...] = (*READER_ROLES, Role.ADMINISTRATOR)
RULE_SETTER_ROLES: tuple[Role, ...] = (Role.LA_OFFICER, Role.ADMINISTRATOR)

NOWHERE = Q(pk__in=[])


class SoftIntelligenceQuerySet(models.QuerySet["SoftIntelligenceEntry"]):
    def live_on(self, day: date) -> SoftIntelligenceQuerySet:
        """Entries that count on ``day``: observed by then, not expired, not withdrawn."""
        return self.filter(withdrawn_at__isnull=True, observed_on__lte=day, expires_on__gt=day)

    def for_school_page(self, urns: Iterable[int]) -> SoftIntelligenceQuerySet:
        """One school's entries under every URN it has had, newest first, with their people."""
        return self.filter(urn__in=list(urns)).select_related(
            "author", "withdrawn_by", "follow_up_done_by"
        )

    def for_register(self, day: date) -> SoftIntelligenceQuerySet:
        """The live entries the register of concern counts on ``day``."""
        return self.live_on(day).order_by("urn", "-observed_on", "-pk")


@dataclass(frozen=True)
class IntelligenceScope:
    """Which schools' soft intelligence one user may read and write today.

    Each condition is on :class:`~convenor.schools.models.Establishment`. A school
    the user leads (under any of its URNs) is outside every condition, whatever
    other role they hold: nobody reads what the LA hears about their own school.
    """

    user_id: int | None
    standard: Q
    restricted: Q
    record: Q
    withdraw_any: Q
    own_schools: frozenset[int]

    def _schools(self, condition: Q) -> EstablishmentQuerySet:
        from convenor.schools.models import Establishment

        return Establishment.objects.filter(condition).exclude(urn__in=self.own_schools)

    def readable_schools(self) -> EstablishmentQuerySet:
        """The schools with at least some entries this user may read."""
        return self._schools(self.standard | self.restricted)

    def can_read(self, school: Establishment) -> bool:
        return self.readable_schools().filter(pk=school.pk).exists()

    def can_record(self, school: Establishment) -> bool:
        return self._schools(self.record).filter(pk=school.pk).exists()

    def can_withdraw_any(self, school: Establishment) -> bool:
        """Whether this user may withdraw anyone's entries about ``school`` (LA officers)."""
        return self._schools(self.withdraw_any).filter(pk=school.pk).exists()

    def can_withdraw(self, entry: SoftIntelligenceEntry, school: Establishment) -> bool:
        """LA officers withdraw any entry about a school in their scope; the other
        recorders only their own. ``school`` is the school the entry is about."""
        if self.can_withdraw_any(school):
            return True
        return entry.author_id == self.user_id and self.can_record(school)

    def readable_entries(self) -> SoftIntelligenceQuerySet:
        """Every entry this user may read: standard ones in their reading scope,
        restricted ones only where they may read restricted entries."""
        from convenor.intelligence.models import Sensitivity, SoftIntelligenceEntry

        standard = self._schools(self.standard | self.restricted).values("urn")
        restricted = self._schools(self.restricted).values("urn")
        return SoftIntelligenceEntry.objects.filter(
            Q(sensitivity=Sensitivity.STANDARD, urn__in=standard)
            | Q(sensitivity=Sensitivity.RESTRICTED, urn__in=restricted)
        )

    @property
    def reads_restricted(self) -> bool:
        """Whether any role lets this user read restricted entries somewhere."""
        return self.restricted != NOWHERE


def intelligence_scope(assignments: Iterable[RoleAssignment]) -> IntelligenceScope:
    """The soft intelligence scope the role assignments in force give one user.

    LA officers: read every entry in their LA, record, withdraw any. Inclusion
    officers: read every entry in their LA (restricted ones include safeguarding,
    which their casework needs), record, withdraw their own. Board members: read
    standard entries about their area's schools. Everyone else, administrators
    included: nothing. Pass :func:`convenor.core.permissions.request_roles` (or
    ``active_roles``) so the roles are read once.
    """
    from convenor.schools.querysets import lineage_of

    assignments = list(assignments)
    standard = restricted = record = withdraw_any = NOWHERE
    own: set[int] = set()
    user_id: int | None = None
    for assignment in assignments:
        user_id = assignment.user_id
        la = Q(la_code=assignment.la_code)
        if assignment.role == Role.LA_OFFICER:
            restricted |= la
            record |= la
            withdraw_any |= la
        elif assignment.role == Role.INCLUSION_OFFICER:
            restricted |= la
            record |= la
        elif assignment.role == Role.BOARD_MEMBER:
            standard |= Q(la_code=assignment.la_code, district=assignment.area)
        elif assignment.role == Role.SCHOOL_LEADER and assignment.school_urn is not None:
            own.update(lineage_of(assignment.school_urn))
    return IntelligenceScope(
        user_id=user_id,
        standard=standard,
        restricted=restricted,
        record=record,
        withdraw_any=withdraw_any,
        own_schools=frozenset(own),
    )


def rules_for_page(la_codes: Iterable[int] | None) -> models.QuerySet[ConcernRule]:
    """Escalation rules of the given LAs (every LA for None), newest first within each LA."""
    from convenor.intelligence.models import ConcernRule

    rules = ConcernRule.objects.select_related("created_by").order_by("la_code", "-effective_from")
    return rules if la_codes is None else rules.filter(la_code__in=list(la_codes))
