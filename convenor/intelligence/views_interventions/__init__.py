"""Pages of intervention casework: open cases in scope, a school's cases and timeline, each
case with its clock, and one page per step of a case.

Who may see and do what is docs/adr/0007-interventions-access.md. LA officers read and
manage the cases of their LA's schools (except a school they lead); school leaders read
their own school's. A school outside the reader's scope is 403, as for all restricted
detail (ADR 0003); a case outside it is 404, so that a notice's existence is not given
away. Every change goes through :mod:`convenor.intelligence.services_interventions`.

Pages show cases "as at" today, or the ``?as_at=`` date for review: facts dated later
count as not yet known (see :mod:`convenor.intelligence.interventions`).
"""

from __future__ import annotations

from convenor.intelligence.views_interventions.cases import (
    academy_concern,
    academy_concern_step,
    board_rows,
    concern_rows,
    ieb,
    ieb_step,
    notice_rows,
    warning_notice,
    warning_notice_step,
)
from convenor.intelligence.views_interventions.create import (
    academy_concern_create,
    ieb_create,
    warning_notice_create,
)
from convenor.intelligence.views_interventions.lists import (
    CSV_HEADER,
    case_list,
    case_list_csv,
    school_cases,
)
from convenor.intelligence.views_interventions.rows import (
    ENTRY_TAGS,
    SEVERITY_COLOURS,
    STATE_TAGS,
    WINDOW_WORDS,
    AnyCase,
    CaseRow,
    RowView,
    Tag,
    as_at_of,
    board_clock,
    board_title,
    board_window,
    concern_clock,
    concern_title,
    days_words,
    deadline_tag,
    load_cases,
    notice_clock,
    notice_title,
    row_tags,
    row_views,
    with_as_at,
)
from convenor.intelligence.views_interventions.scope import (
    MANAGE_ROLES,
    NOWHERE,
    READ_ROLES,
    CaseScope,
    case_scope,
    managed_school,
    readable_school,
    scope_of,
)
from convenor.intelligence.views_interventions.steps import (
    BOARD_STEPS,
    CONCERN_STEPS,
    KINDS,
    NOTICE_STEPS,
    CaseKind,
    Step,
)

__all__ = [
    "BOARD_STEPS",
    "CONCERN_STEPS",
    "CSV_HEADER",
    "ENTRY_TAGS",
    "KINDS",
    "MANAGE_ROLES",
    "NOTICE_STEPS",
    "NOWHERE",
    "READ_ROLES",
    "SEVERITY_COLOURS",
    "STATE_TAGS",
    "WINDOW_WORDS",
    "AnyCase",
    "CaseKind",
    "CaseRow",
    "CaseScope",
    "RowView",
    "Step",
    "Tag",
    "academy_concern",
    "academy_concern_create",
    "academy_concern_step",
    "as_at_of",
    "board_clock",
    "board_rows",
    "board_title",
    "board_window",
    "case_list",
    "case_list_csv",
    "case_scope",
    "concern_clock",
    "concern_rows",
    "concern_title",
    "days_words",
    "deadline_tag",
    "ieb",
    "ieb_create",
    "ieb_step",
    "load_cases",
    "managed_school",
    "notice_clock",
    "notice_rows",
    "notice_title",
    "readable_school",
    "row_tags",
    "row_views",
    "school_cases",
    "scope_of",
    "warning_notice",
    "warning_notice_create",
    "warning_notice_step",
    "with_as_at",
]
