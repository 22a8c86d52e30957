"""The audit trail page, for administrators, and its CSV export.

Looking at the audit trail is not itself audited: it shows who did what to which
object, never pupil-level data.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from convenor.core.forms import AuditFilterForm
from convenor.core.models import AuditEvent, Role
from convenor.core.permissions import role_required
from convenor.core.querysets import AuditEventQuerySet

EVENTS_PER_PAGE = 50
CSV_HEAD = ("at", "actor", "action", "object_type", "object_id", "detail")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditRow:
    """One event as the audit page shows it; ``detail`` is (key, value) pairs."""

    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: tuple[tuple[str, str], ...]


def detail_text(value: object) -> str:
    """One detail value in words: text as it is, nothing for ``None``, the rest as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def detail_items(detail: object) -> tuple[tuple[str, str], ...]:
    """The event's detail as (key, value) pairs, keys in alphabetical order."""
    if isinstance(detail, dict):
        return tuple((str(key), detail_text(detail[key])) for key in sorted(detail))
    if detail in (None, "", [], {}):
        return ()
    return (("detail", detail_text(detail)),)


def audit_row(event: AuditEvent) -> AuditRow:
    """The audit page's row for one event."""
    return AuditRow(
        at=event.at,
        actor=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        detail=detail_items(event.detail),
    )


def _filters(form: AuditFilterForm) -> dict[str, Any]:
    # An invalid filter is shown with its error beside the unfiltered trail, not applied.
    return dict(form.cleaned_data) if form.is_valid() else {}


@role_required(Role.ADMINISTRATOR)
@require_GET
def audit(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The audit events, newest first and filtered, 50 to a page; ``?format=csv`` for all
    the filtered events as CSV."""
    form = AuditFilterForm(
        request.GET or None,
        actions=AuditEvent.objects.actions(),
        object_types=AuditEvent.objects.object_types(),
    )
    events = AuditEvent.objects.for_audit_page(**_filters(form))
    if request.GET.get("format") == "csv" and not form.errors:
        return audit_csv(events)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    export = request.GET.copy()
    export.pop("page", None)
    export["format"] = "csv"
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "page": page,
            "rows": [audit_row(event) for event in page],
            "total": page.paginator.count,
            "csv_href": f"?{export.urlencode()}",
        },
    )


class _Echo:
    """A file-like object whose ``write`` hands back what it was given, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = detail_text(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_lines(events: Iterable[tuple[datetime, str, str, str, str, object]]) -> Iterator[str]:
    """The CSV export, a line at a time: a header, then one line per event."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEAD)
    for at, actor, action, object_type, object_id, detail in events:
        yield writer.writerow(
            (
                timezone.localtime(at).isoformat(),
                *(csv_cell(value) for value in (actor, action, object_type, object_id)),
                csv_cell(json.dumps(detail, ensure_ascii=False, sort_keys=True)),
            )
        )


def audit_csv(events: AuditEventQuerySet) -> StreamingHttpResponse:
    """Every event in ``events`` as a CSV download, streamed so a long trail fits in memory."""
    rows = events.values_list(
        "at", "actor_label", "action", "object_type", "object_id", "detail"
    ).iterator(chunk_size=2000)
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-events-{stamp}.csv"'
    return response
