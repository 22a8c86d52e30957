"""Every state change of brokerage, one module a subject (STYLE.md habit 1).

Each service is atomic, takes the acting user (or a named process) as ``actor=``,
checks its arguments with messages keyed by argument name (``ValidationError``)
and writes its audit event with :func:`convenor.core.services.record_audit`. Who may
call which service for which school is :mod:`convenor.brokerage.scope`; views and
the API check it before calling.

- :mod:`.partnerships`: structures, members, meetings, attendance;
- :mod:`.providers`: the support directory and who manages each entry;
- :mod:`.requests`: raising and withdrawing support requests;
- :mod:`.matching`: storing a matching run; approving, overriding, rejecting matches;
- :mod:`.plans`: plans, milestones, visits, reviews, ratings;
- :mod:`.funding`: tariffs, funds, commitments, releases, spend;
- :mod:`.credits`: the credits ledger, balances and statements;
- :mod:`.traded`: traded services, the fee rule, subscriptions.
"""

from convenor.brokerage.services.credits import (
    Statement,
    StatementLine,
    balance,
    grant_credits,
    open_account,
    post_credit_transaction,
    record_exchange,
    reverse_transaction,
    statement,
)
from convenor.brokerage.services.funding import (
    FundPosition,
    commit_funds,
    create_fund,
    fund_position,
    install_default_tariffs,
    record_spend,
    release_funds,
    set_tariffs,
    tariff_in_force,
)
from convenor.brokerage.services.matching import (
    ProposedMatch,
    approve_match,
    override_match,
    reject_match,
    store_matching_run,
)
from convenor.brokerage.services.partnerships import (
    add_member,
    create_partnership,
    end_membership,
    end_partnership,
    record_attendance,
    record_meeting,
)
from convenor.brokerage.services.plans import (
    add_milestone,
    complete_milestone,
    create_plan,
    log_visit,
    rate_support,
    review_plan,
)
from convenor.brokerage.services.providers import (
    add_provider,
    add_provider_manager,
    end_provider_manager,
    update_provider,
)
from convenor.brokerage.services.requests import raise_request, withdraw_request
from convenor.brokerage.services.traded import create_traded_service, fee_for, subscribe

__all__ = [
    "FundPosition",
    "ProposedMatch",
    "Statement",
    "StatementLine",
    "add_member",
    "add_milestone",
    "add_provider",
    "add_provider_manager",
    "approve_match",
    "balance",
    "commit_funds",
    "complete_milestone",
    "create_fund",
    "create_partnership",
    "create_plan",
    "create_traded_service",
    "end_membership",
    "end_partnership",
    "end_provider_manager",
    "fee_for",
    "fund_position",
    "grant_credits",
    "install_default_tariffs",
    "log_visit",
    "open_account",
    "override_match",
    "post_credit_transaction",
    "raise_request",
    "rate_support",
    "record_attendance",
    "record_exchange",
    "record_meeting",
    "record_spend",
    "reject_match",
    "release_funds",
    "reverse_transaction",
    "review_plan",
    "set_tariffs",
    "statement",
    "store_matching_run",
    "subscribe",
    "tariff_in_force",
    "update_provider",
    "withdraw_request",
]
