"""What every intervention service shares: errors keyed by argument, date checks, which
schools a case may be opened for, and recording one dated step on a case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from convenor.core.services import Actor, record_audit
from convenor.intelligence import interventions as clocks
from convenor.intelligence.models import AcademyConcern, InterimExecutiveBoard, WarningNotice
from convenor.schools.models import Establishment

Errors = dict[str, list[str]]
Case = WarningNotice | InterimExecutiveBoard | AcademyConcern


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def when(day: date) -> str:
    return clocks.long_date(day)


def check_day(
    errors: Errors,
    field: str,
    day: date | None,
    what: str,
    *,
    not_before: tuple[date, str] | None = None,
    future_ok: bool = False,
) -> None:
    """``day`` must be given, not in the future (unless ``future_ok``) and not before
    ``not_before`` (a date and what it is: "the notice was given")."""
    if day is None:
        add_error(errors, field, f"Enter {what}.")
        return
    if not future_ok and day > timezone.localdate():
        add_error(errors, field, f"{what.capitalize()} cannot be in the future.")
    if not_before is not None and day < not_before[0]:
        add_error(
            errors,
            field,
            f"{what.capitalize()} cannot be before {not_before[1]} ({when(not_before[0])}).",
        )


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def refuse_unless_maintained(school: Establishment, what: str) -> None:
    if school.is_academy:
        raise ValidationError(
            f"{school.name} is an academy: the LA cannot give it {what}. EIA 2006 Part 4 "
            "covers maintained schools only; raise a concern with the academy's trust instead."
        )
    if not clocks.is_maintained(school.type_name):
        kind = school.type_name or "an establishment of unknown type"
        raise ValidationError(
            f"{school.name} is {_article(kind)}, not a maintained school in the sense of "
            f"EIA 2006 s59(1), so the LA cannot give it {what}."
        )


def _article(kind: str) -> str:
    lowered = kind.lower()
    if lowered.startswith(("an ", "a ")):
        return lowered
    return f"{'an' if lowered[:1] in 'aeiou' else 'a'} {lowered}"


def refuse_unless_academy(school: Establishment) -> None:
    if school.is_academy is not True:
        raise ValidationError(
            f"{school.name} is not an academy. Concerns raised with a trust and the regional "
            "director are for academies; for a maintained school use a warning notice."
        )


def object_type(case: Case) -> str:
    """The audit trail's name for a kind of case."""
    if isinstance(case, WarningNotice):
        return "warning_notice"
    if isinstance(case, InterimExecutiveBoard):
        return "interim_executive_board"
    return "academy_concern"


def audit_case(action: str, case: Case, *, actor: Actor, **detail: Any) -> None:
    """Write the audit event of a change to ``case``, with its school's URN and ``detail``."""
    record_audit(
        action,
        actor=actor,
        object_type=object_type(case),
        object_id=case.pk,
        urn=case.urn,
        **detail,
    )


def record_dated_step(
    case: Case,
    *,
    actor: Actor,
    action: str,
    day: tuple[str, date | None, str],
    changes: Mapping[str, Any],
    not_before: tuple[date, str] | None = None,
    future_ok: bool = False,
    checks: Iterable[tuple[str, bool, str]] = (),
    errors: Errors | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record one dated step on ``case``, as the services that record steps all do.

    ``day`` is the argument naming the date, its value and what it is ("the date the
    trust responded"): it must be given, not in the future (unless ``future_ok``) and
    not before ``not_before`` (see :func:`check_day`). Each of ``checks`` is an argument, whether
    it fails, and what to say then, added after the date's problems. Every problem,
    with any ``errors`` found already, is raised at once; otherwise ``changes`` (field
    to value) are saved on the case and the ``action`` audit event is written with the
    case's URN, ``detail`` and the date.
    """
    errors = {} if errors is None else errors
    field, value, what = day
    check_day(errors, field, value, what, not_before=not_before, future_ok=future_ok)
    for name, failed, message in checks:
        if failed:
            add_error(errors, name, message)
    raise_if(errors)
    for name, new in changes.items():
        setattr(case, name, new)
    case.save(update_fields=list(changes))
    audit_case(action, case, actor=actor, **(detail or {}), **{field: iso(value)})
