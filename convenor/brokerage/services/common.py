"""What every brokerage service shares: errors keyed by argument, dates, the register."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from convenor.schools.models import Establishment, LocalAuthority

Errors = dict[str, list[str]]


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def today() -> date:
    return timezone.localdate()


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def money(value: Decimal | None) -> str | None:
    """A decimal amount as the audit trail keeps it (text, so JSON keeps every digit)."""
    return None if value is None else str(value)


def as_decimal(errors: Errors, field: str, value: object, what: str) -> Decimal | None:
    """``value`` as a Decimal, or None with a message when it is not a number."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        add_error(errors, field, f"Enter {what} as a number.")
        return None
    if not number.is_finite():
        add_error(errors, field, f"Enter {what} as a number.")
        return None
    return number


def check_past(errors: Errors, field: str, day: date | None, what: str) -> None:
    """``day`` must be given and not in the future."""
    if day is None:
        add_error(errors, field, f"Enter {what}.")
    elif day > today():
        add_error(errors, field, f"{what.capitalize()} cannot be in the future.")


def check_order(
    errors: Errors, field: str, day: date | None, earliest: date, what: str, after_what: str
) -> None:
    """``day`` must not be before ``earliest``."""
    if day is not None and day < earliest:
        when = f"{earliest:%-d %B %Y}"
        add_error(errors, field, f"{what.capitalize()} cannot be before {after_what} ({when}).")


def check_choice(
    errors: Errors, field: str, value: str, choices: type[models.TextChoices], what: str
) -> None:
    if value not in choices.values:
        add_error(errors, field, f"Choose {what} from the list.")


def check_text(errors: Errors, field: str, value: str, what: str) -> None:
    if not value.strip():
        add_error(errors, field, f"Enter {what}.")


def school_or_error(errors: Errors, field: str, urn: int) -> Establishment | None:
    """The register's establishment with ``urn``, or None with a message."""
    school = Establishment.objects.filter(urn=urn).first()
    if school is None:
        add_error(errors, field, f"There is no establishment with URN {urn} in the register.")
    return school


def check_la(errors: Errors, field: str, la_code: int) -> None:
    if not LocalAuthority.objects.filter(code=la_code).exists():
        add_error(errors, field, f"There is no local authority {la_code} in the register.")


def check_area(errors: Errors, field: str, la_code: int, area: str) -> None:
    """An area is a district of the register in the LA, as board members' areas are."""
    if area and not Establishment.objects.filter(la_code=la_code, district=area).exists():
        add_error(
            errors,
            field,
            f"No establishment in LA {la_code} is in the district {area!r}; "
            "use a district name from the register.",
        )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as ``{field: [old, new]}`` for the audit trail."""
    return {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
