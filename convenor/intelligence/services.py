"""Soft intelligence: recording, withdrawing, following up; escalation rules; audited reads.

Every state change is a function here, atomic, taking the acting user as ``actor=``
and writing its audit event (STYLE.md habit 1). Every read of entries for display or
export also writes a ``soft_intelligence.viewed`` event per school, naming the URN and
the number of entries read. Audit details never copy what an entry says (summary,
source, follow-up, withdrawal reason): administrators read the audit trail and must
not read soft intelligence (ADR 0006).

The register of concern is worked out by
:func:`convenor.analytics.concern.assess_concern`, a pure function of plain facts with
no database access, so it can be property-tested on its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from convenor.analytics.concern import (
    ConcernAssessment,
    EntryFacts,
    RuleFacts,
    assess_concern,
    day_words,
)
from convenor.core.models import AuditEvent
from convenor.core.services import Actor, actor_fields, record_audit
from convenor.intelligence.models import (
    ConcernRule,
    Sensitivity,
    SoftIntelligenceEntry,
    SoftIntelligenceKind,
    WindowUnit,
    expiry_days,
)
from convenor.intelligence.querysets import IntelligenceScope
from convenor.schools.models import Establishment, LocalAuthority, UrnLookup

VIEWED = "soft_intelligence.viewed"


def entry_facts(entry: SoftIntelligenceEntry) -> EntryFacts:
    """The facts :func:`assess_concern` needs from a stored entry."""
    done = entry.follow_up_done_at
    return EntryFacts(
        observed_on=entry.observed_on,
        expires_on=entry.expires_on,
        kind=entry.kind,
        withdrawn=entry.is_withdrawn,
        follow_up_due=entry.follow_up_due,
        follow_up_done_on=timezone.localdate(done) if done else None,
    )


def rule_facts(rule: ConcernRule) -> RuleFacts:
    """The facts :func:`assess_concern` needs from a stored rule."""
    return RuleFacts(
        threshold=rule.threshold,
        window_days=rule.window_days,
        kinds=frozenset(rule.kinds or ()),
        window_words=rule.window_words,
        description=rule.description,
    )


# --- Entries ------------------------------------------------------------------------


def _entry_detail(entry: SoftIntelligenceEntry) -> dict[str, Any]:
    # What was recorded about which school, never what the entry says (see the module).
    return {
        "urn": entry.urn,
        "kind": entry.kind,
        "sensitivity": entry.sensitivity,
        "observed_on": entry.observed_on.isoformat(),
        "synthetic": entry.synthetic,
    }


def _entry_errors(entry: SoftIntelligenceEntry, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        # The constraints are checked below, each with a message beside its field.
        entry.full_clean(exclude=["author"], validate_constraints=False)
    except ValidationError as error:
        errors.update({k: list(v) for k, v in error.message_dict.items()})

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if entry.kind == SoftIntelligenceKind.SAFEGUARDING and (
        entry.sensitivity != Sensitivity.RESTRICTED
    ):
        add("sensitivity", "A safeguarding entry is always restricted: choose Restricted.")
    observed = entry.observed_on
    if isinstance(observed, date):
        if observed > today:
            add("observed_on", "The date it happened cannot be in the future.")
        if entry.expires_on <= observed:
            add("expires_on", "The expiry date must be after the date it happened.")
        if entry.follow_up_due is not None and entry.follow_up_due < observed:
            add("follow_up_due", "The follow-up cannot be due before the date it happened.")
    if entry.follow_up_due is not None and not entry.follow_up:
        add("follow_up", "Say what the follow-up is, or leave the due date blank.")
    return errors


@transaction.atomic
def record_entry(
    school: Establishment,
    *,
    actor: User,
    kind: str,
    source: str,
    observed_on: date,
    summary: str,
    sensitivity: str = Sensitivity.STANDARD,
    expires_on: date | None = None,
    follow_up: str = "",
    follow_up_due: date | None = None,
    synthetic: bool = False,
) -> SoftIntelligenceEntry:
    """Log one piece of soft intelligence about ``school``, written by ``actor``.

    ``expires_on`` defaults to ``observed_on`` plus the configured expiry (two years).
    Raises ``ValidationError``, keyed by argument name, when a field is blank or not
    in its list, the date is in the future, the expiry or follow-up date comes before
    it, a follow-up date has no follow-up, or a safeguarding entry is not restricted.
    Writes a ``soft_intelligence.recorded`` audit event.
    """
    entry = SoftIntelligenceEntry(
        urn=school.urn,
        kind=kind,
        source=source.strip(),
        observed_on=observed_on,
        author=actor,
        sensitivity=sensitivity,
        summary=summary.strip(),
        expires_on=expires_on or observed_on + timedelta(days=expiry_days()),
        follow_up=follow_up.strip(),
        follow_up_due=follow_up_due,
        synthetic=synthetic,
    )
    errors = _entry_errors(entry, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    entry.save()
    record_audit(
        "soft_intelligence.recorded",
        actor=actor,
        object_type="soft_intelligence_entry",
        object_id=entry.pk,
        **_entry_detail(entry),
    )
    return entry


def _locked(entry: SoftIntelligenceEntry) -> SoftIntelligenceEntry:
    # Read afresh under a row lock, so two people acting at once cannot both succeed.
    return SoftIntelligenceEntry.objects.select_for_update().get(pk=entry.pk)


@transaction.atomic
def withdraw_entry(entry: SoftIntelligenceEntry, *, actor: User, reason: str) -> None:
    """Withdraw an entry: it stays on record, marked withdrawn, and never counts again.

    Raises ``ValidationError`` when there is no reason (keyed ``reason``) or the entry
    is already withdrawn. Writes a ``soft_intelligence.withdrawn`` audit event (the
    reason stays on the entry, not in the audit trail).
    """
    current = _locked(entry)
    if current.is_withdrawn:
        raise ValidationError("This entry has already been withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the entry is being withdrawn."})
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = actor
    current.withdrawn_reason = reason.strip()
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    entry.refresh_from_db()
    record_audit(
        "soft_intelligence.withdrawn",
        actor=actor,
        object_type="soft_intelligence_entry",
        object_id=entry.pk,
        **_entry_detail(entry),
    )


@transaction.atomic
def complete_follow_up(entry: SoftIntelligenceEntry, *, actor: User) -> None:
    """Mark an entry's follow-up done now, by ``actor``.

    Raises ``ValidationError`` when the entry has no follow-up, it is already done, or
    the entry is withdrawn. Writes a ``soft_intelligence.follow_up_completed`` event.
    """
    current = _locked(entry)
    if not current.follow_up:
        raise ValidationError("This entry has no follow-up to complete.")
    if current.follow_up_done_at is not None:
        raise ValidationError("This follow-up has already been completed.")
    if current.is_withdrawn:
        raise ValidationError("This entry has been withdrawn, so its follow-up is closed.")
    current.follow_up_done_at = timezone.now()
    current.follow_up_done_by = actor
    current.save(update_fields=["follow_up_done_at", "follow_up_done_by"])
    entry.refresh_from_db()
    record_audit(
        "soft_intelligence.follow_up_completed",
        actor=actor,
        object_type="soft_intelligence_entry",
        object_id=entry.pk,
        **_entry_detail(entry),
        follow_up_due=entry.follow_up_due.isoformat() if entry.follow_up_due else None,
    )


# --- Escalation rules ---------------------------------------------------------------


@transaction.atomic
def set_concern_rule(
    *,
    actor: Actor,
    la_code: int,
    name: str,
    threshold: int,
    window_length: int,
    window_unit: str,
    effective_from: date,
    kinds: Sequence[str] = (),
) -> ConcernRule:
    """Put a new escalation rule in force for one LA from ``effective_from``.

    Rules are never edited: the rule in force on a date is the latest whose
    ``effective_from`` is on or before it (:func:`rules_in_force`). Raises
    ``ValidationError``, keyed by argument name, when the LA is not in the
    register, a count is below one, a kind is unknown, or the LA already has a
    rule taking effect that day. Writes a ``concern_rule.set`` audit event.
    """
    acting = actor_fields(actor)["actor"]
    chosen = [kind.value for kind in SoftIntelligenceKind if kind.value in set(kinds)]
    rule = ConcernRule(
        la_code=la_code,
        name=name.strip(),
        threshold=threshold,
        window_length=window_length,
        window_unit=window_unit,
        kinds=chosen,
        effective_from=effective_from,
        created_by=acting,
    )
    errors: dict[str, list[str]] = {}
    try:
        rule.full_clean(exclude=["created_by"], validate_constraints=False)
    except ValidationError as error:
        errors.update({k: list(v) for k, v in error.message_dict.items()})
    if unknown := sorted(set(kinds) - set(SoftIntelligenceKind.values)):
        errors.setdefault("kinds", []).append(f"Unknown kinds: {', '.join(unknown)}.")
    for name_, value in (("threshold", threshold), ("window_length", window_length)):
        if isinstance(value, int) and value < 1:
            errors.setdefault(name_, []).append("Enter a whole number of 1 or more.")
    if not LocalAuthority.objects.filter(code=la_code).exists():
        errors.setdefault("la_code", []).append(
            f"There is no local authority {la_code} in the register."
        )
    elif ConcernRule.objects.filter(la_code=la_code, effective_from=effective_from).exists():
        errors.setdefault("effective_from", []).append(
            f"LA {la_code} already has a rule taking effect on {day_words(effective_from)}. "
            "Rules are never changed: choose another date."
        )
    if errors:
        raise ValidationError(errors)
    rule.save()
    record_audit(
        "concern_rule.set",
        actor=actor,
        object_type="concern_rule",
        object_id=rule.pk,
        la_code=la_code,
        name=rule.name,
        threshold=threshold,
        window_length=window_length,
        window_unit=window_unit,
        kinds=chosen,
        effective_from=effective_from.isoformat(),
    )
    return rule


def rules_in_force(la_codes: Iterable[int | None], on: date) -> dict[int, ConcernRule]:
    """For each LA, the rule in force on ``on`` (latest ``effective_from`` on or before
    it); an LA with none is left out. One query."""
    codes = {code for code in la_codes if code is not None}
    rules = ConcernRule.objects.filter(la_code__in=codes, effective_from__lte=on).order_by(
        "la_code", "-effective_from", "-pk"
    )
    in_force: dict[int, ConcernRule] = {}
    for rule in rules:
        in_force.setdefault(rule.la_code, rule)
    return in_force


def rule_in_force(la_code: int | None, on: date) -> ConcernRule | None:
    """The LA's rule in force on ``on``, or None."""
    return rules_in_force([la_code], on).get(la_code) if la_code is not None else None


# --- Audited reads ------------------------------------------------------------------


def _viewed(actor: Actor, counts: dict[int, int], via: str, **detail: Any) -> None:
    """One ``soft_intelligence.viewed`` event per school read, in one insert."""
    who = actor_fields(actor)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=VIEWED,
            object_type="school",
            object_id=str(urn),
            detail={"urn": urn, "entries": count, "via": via, **detail},
            **who,
        )
        for urn, count in counts.items()
    )


def read_school_entries(
    school: Establishment,
    urns: Iterable[int],
    scope: IntelligenceScope,
    *,
    actor: Actor,
    via: str = "school page",
    on_or_before: date | None = None,
) -> list[SoftIntelligenceEntry]:
    """The entries about ``school`` (under each of its ``urns``) that ``scope`` may read,
    newest first, writing a ``soft_intelligence.viewed`` event even when there are none.

    ``on_or_before`` leaves out entries observed after that day (a page shown as at a
    date), so the event counts only the entries actually shown; ``via`` names the page.
    """
    entries = scope.readable_entries().for_school_page(urns)
    if on_or_before is not None:
        entries = entries.filter(observed_on__lte=on_or_before)
    shown = list(entries)
    _viewed(actor, {school.urn: len(shown)}, via)
    return shown


def read_entry(entry: SoftIntelligenceEntry, *, actor: Actor, via: str) -> SoftIntelligenceEntry:
    """Audit the display of one entry (on a confirmation page, say) and return it."""
    _viewed(actor, {entry.urn: 1}, via, entry=entry.pk)
    return entry


@dataclass(frozen=True)
class ConcernRow:
    """One school on the register of concern."""

    school: Establishment
    assessment: ConcernAssessment
    rule: ConcernRule | None
    kinds: tuple[tuple[str, int], ...]
    restricted: int
    synthetic: int
    urns: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class RegisterOfConcern:
    as_at: date
    rows: list[ConcernRow]
    rules: dict[int, ConcernRule]

    @property
    def firing(self) -> int:
        return sum(1 for row in self.rows if row.assessment.fires)


def register_of_concern(
    scope: IntelligenceScope,
    *,
    actor: Actor,
    as_at: date,
    district: str = "",
    fires_only: bool = False,
    overdue_only: bool = False,
    via: str = "register",
) -> RegisterOfConcern:
    """The register of concern as at ``as_at``: each school in ``scope`` with live
    entries the user may read, its count within the LA's rule in force, whether the
    rule fires, and overdue follow-ups. Schools where the rule fires come first, then
    by number of live entries.

    Entries made under a school's earlier URN count towards the school under its
    latest URN (GIAS's URN lookup). Writes one ``soft_intelligence.viewed`` event per
    school listed. A fixed number of queries, whatever the number of schools.
    """
    entries = list(scope.readable_entries().for_register(as_at))
    urns = {entry.urn for entry in entries}
    latest = dict(UrnLookup.objects.filter(old_urn__in=urns).values_list("old_urn", "latest_urn"))
    schools = Establishment.objects.in_bulk(urns | set(latest.values()))
    grouped: dict[int, list[SoftIntelligenceEntry]] = defaultdict(list)
    for entry in entries:
        key = latest.get(entry.urn, entry.urn)
        grouped[key if key in schools else entry.urn].append(entry)
    las = set(scope.readable_schools().values_list("la_code", flat=True).distinct())
    rules = rules_in_force(las | {school.la_code for school in schools.values()}, as_at)
    rows = []
    for urn, group in grouped.items():
        school = schools.get(urn)
        if school is None or (district and school.district != district):
            continue
        rule = rules.get(school.la_code) if school.la_code is not None else None
        assessment = assess_concern(
            (entry_facts(e) for e in group), rule_facts(rule) if rule else None, as_at
        )
        if (fires_only and not assessment.fires) or (
            overdue_only and not assessment.overdue_follow_ups
        ):
            continue
        kinds = Counter(e.get_kind_display() for e in group)
        rows.append(
            ConcernRow(
                school=school,
                assessment=assessment,
                rule=rule,
                kinds=tuple(sorted(kinds.items(), key=lambda item: (-item[1], item[0]))),
                restricted=sum(1 for e in group if e.sensitivity == Sensitivity.RESTRICTED),
                synthetic=sum(1 for e in group if e.synthetic),
                urns=tuple(sorted({e.urn for e in group})),
            )
        )
    rows.sort(key=lambda r: (not r.assessment.fires, -r.assessment.live, r.school.name))
    _viewed(
        actor,
        {row.school.urn: row.assessment.live for row in rows},
        via,
        as_at=as_at.isoformat(),
    )
    return RegisterOfConcern(as_at=as_at, rows=rows, rules=rules)


def default_rule_values() -> dict[str, Any]:
    """The rule the LA protocols describe: three entries in two terms, every kind."""
    return {
        "name": "Three entries in two terms",
        "threshold": 3,
        "window_length": 2,
        "window_unit": WindowUnit.TERMS,
        "kinds": [],
    }
