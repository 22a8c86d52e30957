"""Intervention powers used after a warning notice is not complied with, and telling the
DfE."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q

from convenor.core.services import Actor, record_audit
from convenor.intelligence import interventions as clocks
from convenor.intelligence.models import (
    InterimExecutiveBoard,
    InterventionPowerUse,
    WarningNotice,
)
from convenor.intelligence.services_interventions.common import (
    Errors,
    add_error,
    audit_case,
    check_day,
    iso,
    raise_if,
    when,
)


def _board_in_place(urn: int, on: date) -> InterimExecutiveBoard | None:
    return (
        InterimExecutiveBoard.objects.filter(urn=urn, constituted_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .first()
    )


def check_power(
    notice: WarningNotice, power: clocks.Power, used_on: date, errors: Errors, field: str
) -> str | None:
    """Add the law's objections to using ``power`` on ``used_on``; return any warning.

    Objections about the date go on ``field``; the others on the power, or the case."""
    check = clocks.power_use_problems(notice.facts(()), power, used_on)
    if check.problem:
        where = {"used_on": field, "power": "power"}.get(check.field, NON_FIELD_ERRORS)
        add_error(errors, where, check.problem)
    if power == clocks.Power.ADDITIONAL_GOVERNORS and _board_in_place(notice.urn, used_on):
        add_error(
            errors,
            field,
            "The LA cannot appoint additional governors while an interim executive board "
            "is in place (EIA 2006 Sch 6 para 14).",
        )
    return check.warning or None


@transaction.atomic
def record_power_used(
    notice: WarningNotice,
    *,
    actor: Actor,
    power: str,
    used_on: date,
    dfe_notified_on: date | None = None,
    note: str = "",
) -> tuple[InterventionPowerUse, str | None]:
    """Record an intervention power used because ``notice`` was not complied with.

    Refuses a power the notice does not unlock (s63 after a pay and conditions
    notice), use before the school is eligible (outcome, reasonable notice, end of
    the compliance period), use after a verified powers window closed (s63(3),
    s64(2)), and additional governors while an interim executive board is in place.
    Returns the record and a warning when only an unverified window was missed.
    Interim executive boards are recorded with :func:`propose_ieb` and constituted
    with :func:`constitute_ieb`, which records the s65 use. Writes
    ``warning_notice.power_used``.
    """
    errors: Errors = {}
    warning: str | None = None
    power_value = clocks.Power(power) if power in set(clocks.Power) else None
    if power_value is None:
        add_error(errors, "power", "Choose the power used.")
    elif power_value == clocks.Power.INTERIM_EXECUTIVE_BOARD:
        add_error(
            errors,
            "power",
            "Propose an interim executive board from the school's page: it needs the "
            "Secretary of State's consent, and constituting it records the s65 power.",
        )
    check_day(errors, "used_on", used_on, "the date the power was used")
    if dfe_notified_on is not None and used_on is not None:
        check_day(
            errors,
            "dfe_notified_on",
            dfe_notified_on,
            "the date the DfE was told",
            not_before=(used_on, "the power was used"),
        )
    if power_value is not None and used_on is not None and "power" not in errors:
        warning = check_power(notice, power_value, used_on, errors, "used_on")
    raise_if(errors)
    assert power_value is not None
    return use_power(notice, power_value, used_on, dfe_notified_on, note, warning, actor), warning


def use_power(
    notice: WarningNotice,
    power: clocks.Power,
    used_on: date,
    dfe_notified_on: date | None,
    note: str,
    warning: str | None,
    actor: Actor,
) -> InterventionPowerUse:
    use = InterventionPowerUse.objects.create(
        notice=notice,
        power=power,
        used_on=used_on,
        dfe_notified_on=dfe_notified_on,
        note=note.strip(),
    )
    audit_case(
        "warning_notice.power_used",
        notice,
        actor=actor,
        power=str(power),
        used_on=iso(used_on),
        dfe_notified_on=iso(dfe_notified_on),
        warning=warning or "",
    )
    return use


@transaction.atomic
def record_dfe_notified(use: InterventionPowerUse, *, actor: Actor, notified_on: date) -> None:
    """Record that the DfE was told of a power's use: LAs must tell the department when
    they use their intervention powers (DOMAIN.md 1.1 [S], 10.3). Writes
    ``warning_notice.dfe_notified``."""
    if use.dfe_notified_on is not None:
        raise ValidationError(f"The DfE was told already ({when(use.dfe_notified_on)}).")
    errors: Errors = {}
    check_day(
        errors,
        "notified_on",
        notified_on,
        "the date the DfE was told",
        not_before=(use.used_on, "the power was used"),
    )
    raise_if(errors)
    use.dfe_notified_on = notified_on
    use.save(update_fields=["dfe_notified_on"])
    record_audit(
        "warning_notice.dfe_notified",
        actor=actor,
        object_type="warning_notice",
        object_id=use.notice_id,
        power=use.power,
        notified_on=iso(notified_on),
    )
