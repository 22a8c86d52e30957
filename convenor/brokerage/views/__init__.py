"""Brokerage pages (docs/adr/0011-brokerage-data.md): the support directory, support
requests, the brokerage board with optimal matching, and support plans.

Objects load through the reader's brokerage scope (:mod:`.common`): unknown is 404,
out of scope 403. Every change goes through :mod:`convenor.brokerage.services`.
"""

from convenor.brokerage.views.board import board, board_run, match_decide, match_page
from convenor.brokerage.views.directory import (
    directory,
    provider_add,
    provider_edit,
    provider_page,
)
from convenor.brokerage.views.index import index
from convenor.brokerage.views.plan_steps import plan_step
from convenor.brokerage.views.plans import plan_create, plan_list, plan_page
from convenor.brokerage.views.requests import (
    request_create,
    request_list,
    request_page,
    request_start,
    request_withdraw,
)

__all__ = [
    "board",
    "board_run",
    "directory",
    "index",
    "match_decide",
    "match_page",
    "plan_create",
    "plan_list",
    "plan_page",
    "plan_step",
    "provider_add",
    "provider_edit",
    "provider_page",
    "request_create",
    "request_list",
    "request_page",
    "request_start",
    "request_withdraw",
]
