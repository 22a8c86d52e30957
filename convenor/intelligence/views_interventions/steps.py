"""The steps recorded on each kind of case: the form, the service that records it, and why
it cannot be recorded now."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from convenor.intelligence import forms_interventions as f
from convenor.intelligence import interventions as clocks
from convenor.intelligence import services_interventions as services
from convenor.intelligence.models import AcademyConcern, InterimExecutiveBoard, WarningNotice
from convenor.intelligence.views_interventions.rows import board_title, concern_title, notice_title
from convenor.schools.models import Establishment


@dataclass(frozen=True)
class Step:
    """One thing recorded on a case, on its own page.

    ``blocked`` says why it cannot be recorded now ("" when it can); ``apply`` calls
    the service and returns any warning to show.
    """

    link: str
    title: str
    submit: str
    form: Callable[[Any, Establishment, Any], forms.Form]
    apply: Callable[[Any, dict[str, Any], Any], str | None]
    blocked: Callable[[Any], str]
    done: str


@dataclass(frozen=True)
class CaseKind:
    model: type[models.Model]
    url: str
    label: str
    title: Callable[[Any], str]
    steps: Mapping[str, Step] = field(default_factory=dict)


def _plain(form_class: type[forms.Form]) -> Callable[[Any, Establishment, Any], forms.Form]:
    """A step's form that needs nothing but what was sent."""
    return lambda case, school, data: form_class(data)


def _calls(service: Callable[..., object]) -> Callable[[Any, dict[str, Any], Any], str | None]:
    """A step recorded by ``service(case, actor=..., **data)``; text it returns is a warning
    to show with the message."""

    def apply(case: Any, data: dict[str, Any], actor: Any) -> str | None:
        recorded = service(case, actor=actor, **data)
        return recorded if isinstance(recorded, str) else None

    return apply


def _copy_form(notice: WarningNotice, school: Establishment, data: Any) -> forms.Form:
    return f.CopyForm(data, notice=notice, required=services.required_copies(notice, school))


def _copy_blocked(notice: WarningNotice) -> str:
    return "" if notice.copies.count() < len(clocks.Recipient) else "Every copy is recorded."


def _representations_blocked(notice: WarningNotice) -> str:
    rules = clocks.notice_rules(notice.issued_on)
    if rules is None or not rules.representations_to.get(clocks.NoticeKind(notice.kind)):
        return "Representations against warning notices ended on 18 April 2016."
    return "Representations are recorded." if notice.representations_on else ""


def _outcome_blocked(notice: WarningNotice) -> str:
    return (
        f"The outcome is recorded: {clocks.in_sentence(notice.get_outcome_display())}."
        if notice.outcome
        else ""
    )


def _after_not_complied(notice: WarningNotice) -> str:
    if notice.outcome != clocks.Outcome.NOT_COMPLIED:
        return "This follows a decision that the governing body did not comply."
    return ""


def _notice_blocked(notice: WarningNotice) -> str:
    if notice.reasonable_notice_on:
        return "Reasonable notice is recorded."
    return _after_not_complied(notice)


def _power_blocked(notice: WarningNotice) -> str:
    if _after_not_complied(notice):
        return _after_not_complied(notice)
    return "" if notice.reasonable_notice_on else "Record the reasonable notice of powers first."


def _unnotified(notice: WarningNotice) -> list[Any]:
    return [use for use in notice.powers.all() if use.dfe_notified_on is None]


def _dfe_apply(notice: WarningNotice, data: dict[str, Any], actor: Any) -> None:
    use = next((u for u in _unnotified(notice) if u.pk == data["use"]), None)
    if use is None:
        raise ValidationError({"use": "Choose the power the DfE was told of."})
    services.record_dfe_notified(use, actor=actor, notified_on=data["notified_on"])


def _power_apply(notice: WarningNotice, data: dict[str, Any], actor: Any) -> str | None:
    return services.record_power_used(notice, actor=actor, **data)[1]


NOTICE_STEPS: Mapping[str, Step] = {
    "copy": Step(
        "Record a copy sent",
        "Record a copy sent",
        "Record copy",
        _copy_form,
        _calls(services.record_copy_sent),
        _copy_blocked,
        "Copy recorded.",
    ),
    "representations": Step(
        "Record representations",
        "Record representations against the notice",
        "Record representations",
        _plain(f.RepresentationsForm),
        _calls(services.record_representations),
        _representations_blocked,
        "Representations recorded.",
    ),
    "outcome": Step(
        "Record the outcome",
        "Record the outcome",
        "Record outcome",
        _plain(f.OutcomeForm),
        _calls(services.record_outcome),
        _outcome_blocked,
        "Outcome recorded.",
    ),
    "reasonable-notice": Step(
        "Record reasonable notice of powers",
        "Record reasonable notice of powers",
        "Record notice",
        _plain(f.ReasonableNoticeForm),
        _calls(services.record_reasonable_notice),
        _notice_blocked,
        "Reasonable notice recorded.",
    ),
    "power": Step(
        "Record a power used",
        "Record an intervention power used",
        "Record power",
        _plain(f.PowerForm),
        _power_apply,
        _power_blocked,
        "Power recorded.",
    ),
    "dfe-notified": Step(
        "Record that the DfE was told",
        "Record that the DfE was told of a power used",
        "Record",
        lambda n, s, d: f.DfeNotifiedForm(d, uses=_unnotified(n)),
        _dfe_apply,
        lambda n: "" if _unnotified(n) else "The DfE was told of every power used.",
        "Recorded.",
    ),
}


def _board_state(board: InterimExecutiveBoard) -> str:
    if board.ended_on:
        return "This board has ended."
    if board.consent_decision == clocks.ConsentDecision.REFUSED:
        return "The Secretary of State refused consent."
    return ""


def _consent_blocked(board: InterimExecutiveBoard) -> str:
    if _board_state(board):
        return _board_state(board)
    if not board.consent_requested_on:
        return "Record the request for consent first."
    return "The decision is recorded." if board.consent_decision else ""


def _constitute_blocked(board: InterimExecutiveBoard) -> str:
    if _board_state(board):
        return _board_state(board)
    if board.consent_decision != clocks.ConsentDecision.GRANTED:
        return "A board needs the Secretary of State's consent first (EIA 2006 s65)."
    return "The board is constituted." if board.constituted_on else ""


BOARD_STEPS: Mapping[str, Step] = {
    "consent-request": Step(
        "Record the request for consent",
        "Record the request for the Secretary of State's consent",
        "Record request",
        _plain(f.ConsentRequestForm),
        _calls(services.request_ieb_consent),
        lambda b: _board_state(b) or ("Consent was requested." if b.consent_requested_on else ""),
        "Request recorded.",
    ),
    "consent": Step(
        "Record the decision on consent",
        "Record the Secretary of State's decision on consent",
        "Record decision",
        _plain(f.ConsentForm),
        _calls(services.record_ieb_consent),
        _consent_blocked,
        "Decision recorded.",
    ),
    "constitute": Step(
        "Record the board taking over",
        "Record the board taking over",
        "Record",
        _plain(f.ConstituteForm),
        _calls(services.constitute_ieb),
        _constitute_blocked,
        "Board recorded as constituted.",
    ),
    "end": Step(
        "Record the board ending",
        "Record the board ending",
        "Record end",
        _plain(f.EndIebForm),
        _calls(services.end_ieb),
        lambda b: _board_state(b) or ("" if b.constituted_on else "The board is not in place."),
        "End recorded.",
    ),
}


def _concern_state(concern: AcademyConcern) -> str:
    return "" if concern.status == clocks.ConcernStatus.OPEN else "This concern is closed."


CONCERN_STEPS: Mapping[str, Step] = {
    "trust-response": Step(
        "Record the trust's response",
        "Record the trust's response",
        "Record response",
        _plain(f.ResponseForm),
        _calls(services.record_trust_response),
        lambda c: _concern_state(c) or ("Recorded already." if c.trust_response_on else ""),
        "Response recorded.",
    ),
    "referral": Step(
        "Record a referral to the regional director",
        "Record a referral to the regional director",
        "Record referral",
        _plain(f.ReferralForm),
        _calls(services.refer_to_regional_director),
        lambda c: _concern_state(c) or ("Referred already." if c.referred_to_rd_on else ""),
        "Referral recorded.",
    ),
    "rd-response": Step(
        "Record the regional director's response",
        "Record the regional director's response",
        "Record response",
        _plain(f.ResponseForm),
        _calls(services.record_rd_response),
        lambda c: (
            _concern_state(c)
            or ("Record the referral first." if not c.referred_to_rd_on else "")
            or ("Recorded already." if c.rd_response_on else "")
        ),
        "Response recorded.",
    ),
    "close": Step(
        "Close the concern",
        "Close the concern",
        "Close concern",
        _plain(f.CloseConcernForm),
        _calls(services.close_academy_concern),
        _concern_state,
        "Concern closed.",
    ),
}

KINDS: Mapping[str, CaseKind] = {
    "warning_notice": CaseKind(
        WarningNotice, "interventions:warning-notice", "Warning notice", notice_title, NOTICE_STEPS
    ),
    "ieb": CaseKind(
        InterimExecutiveBoard,
        "interventions:ieb",
        "Interim executive board",
        board_title,
        BOARD_STEPS,
    ),
    "academy_concern": CaseKind(
        AcademyConcern,
        "interventions:academy-concern",
        "Academy concern",
        concern_title,
        CONCERN_STEPS,
    ),
}
