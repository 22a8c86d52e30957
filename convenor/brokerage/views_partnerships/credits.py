"""The credits exchange (accounts, statements, recording an exchange) and traded services.

Who sees what (ADR 0011): an LA officer every account, statement, service and
subscription of their LA, and records exchanges there; a school's leaders their
school's statement and subscriptions. An account or service outside the reader's reach
is not found (404), so its existence is not confirmed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from convenor.analytics.concern import day_words
from convenor.brokerage import forms_partnerships as f
from convenor.brokerage import services
from convenor.brokerage.models import (
    AccountKind,
    CreditAccount,
    CreditEntry,
    Subscription,
    TradedService,
)
from convenor.brokerage.scope import scope_of
from convenor.brokerage.views_partnerships.common import (
    LEDGER_ROLES,
    crumbs,
    form_page,
    home_las,
    la_name,
    on_submit,
    posted,
)
from convenor.core.components import Cell, Link, SummaryRow, Table
from convenor.core.models import Role
from convenor.core.permissions import role_required

SYNTHETIC = "Synthetic"


def _credits(n: int) -> str:
    # A true minus sign (U+2212), as the impact summaries write it.
    return f"{n:,} credit{'s' if abs(n) != 1 else ''}".replace("-", "\u2212")


def _signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"\u2212{-n:,}"


def _pounds(amount: Decimal | None) -> str:
    return "£0.00" if amount is None else f"£{amount:,.2f}"


def _statement_href(account: CreditAccount) -> str:
    return reverse("partnerships:statement", kwargs={"pk": account.pk})


@role_required(*LEDGER_ROLES)
@require_GET
def accounts(request: HttpRequest) -> HttpResponse:
    """Credit accounts the reader may see, with their balances today."""
    scope = scope_of(request)
    found = list(scope.accounts().order_by("la_code", "kind", "name"))
    balances: dict[int, int] = {}
    for la_code in {a.la_code for a in found}:
        balances |= CreditEntry.objects.balances(la_code)
    rows = [
        [
            Cell(a.name, href=_statement_href(a), header=True),
            Cell(a.get_kind_display()),
            Cell("" if a.urn is None else str(a.urn)),
            Cell(day_words(a.opened_on)),
            Cell(_credits(balances.get(a.pk, 0)), numeric=True),
        ]
        for a in found
    ]
    issued = -sum(balances.get(a.pk, 0) for a in found if a.kind == AccountKind.SCHEME)
    return render(
        request,
        "brokerage/credits/accounts.html",
        {
            "table": Table(
                "Accounts and balances today",
                [
                    Cell("Account"),
                    Cell("Kind"),
                    Cell("URN"),
                    Cell("Opened"),
                    Cell("Balance", numeric=True),
                ],
                rows,
                empty="You have no credits account to see.",
            ),
            "issued": _credits(issued) if scope.officer_las else "",
            "exchange_href": reverse("partnerships:exchange") if scope.officer_las else "",
            "traded_href": reverse("partnerships:traded"),
            "breadcrumbs": crumbs(),
        },
    )


@role_required(*LEDGER_ROLES)
@require_GET
def account_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's statement between two dates: opening balance, entries, closing."""
    account = scope_of(request).accounts().filter(pk=pk).first()
    if account is None:
        raise Http404("No credits account you may see has that number")
    form = f.StatementForm(request.GET)
    today = timezone.localdate()
    valid = form.is_valid()
    start: date = (valid and form.cleaned_data.get("date_from")) or account.opened_on
    end: date = (valid and form.cleaned_data.get("date_to")) or today
    found = services.statement(account, start, end) if valid and start <= end else None
    context: dict[str, Any] = {
        "account": account,
        "form": form,
        "breadcrumbs": crumbs(Link("Credits", reverse("partnerships:credits"))),
    }
    if found is not None:
        context |= {
            "summary": [
                SummaryRow("Period", f"{day_words(start)} to {day_words(end)}"),
                SummaryRow("Opening balance", _credits(found.opening)),
                SummaryRow("Earned", _credits(found.earned)),
                SummaryRow("Spent", _credits(found.spent)),
                SummaryRow("Closing balance", _credits(found.closing)),
            ],
            "table": Table(
                "Entries, oldest first",
                [
                    Cell("Date"),
                    Cell("What for"),
                    Cell("Credits", numeric=True),
                    Cell("Balance", numeric=True),
                ],
                [
                    [
                        Cell(day_words(line.posted_on), header=True),
                        Cell(line.description),
                        Cell(_signed(line.amount), numeric=True),
                        Cell(f"{line.balance:,}", numeric=True),
                    ]
                    for line in found.lines
                ],
                empty="No credits moved in this period.",
            ),
        }
    return render(request, "brokerage/credits/statement.html", context)


@role_required(Role.LA_OFFICER)
@require_http_methods(["GET", "POST"])
def exchange(request: HttpRequest) -> HttpResponse:
    """Record a school taking a development opportunity another provided."""
    scope = scope_of(request)
    las = sorted(scope.officer_las)
    schools = list(
        CreditAccount.objects.filter(la_code__in=las, kind=AccountKind.SCHOOL).order_by("name")
    )
    by_pk = {a.pk: a for a in schools}
    form = f.ExchangeForm(
        posted(request), accounts=[(a.pk, f"{a.name} ({a.urn})") for a in schools]
    )
    if not form.is_bound:
        form.initial["posted_on"] = timezone.localdate()

    def record(data: dict[str, Any]) -> object:
        return services.record_exchange(
            actor=request.user,
            provider=by_pk[data["provider"]],
            taker=by_pk[data["taker"]],
            credits=data["credits"],
            posted_on=data["posted_on"],
            description=data["description"],
        )

    sent = on_submit(
        request,
        form,
        record,
        lambda _: ("Exchange recorded.", reverse("partnerships:credits")),
    )
    return sent or form_page(
        request,
        form,
        title="Record an exchange of credits",
        caption="Credits",
        submit="Record exchange",
        back=reverse("partnerships:credits"),
        breadcrumbs=crumbs(Link("Credits", reverse("partnerships:credits"))),
        intro=[
            "The school that took the opportunity spends the credits and the school that "
            "provided it earns them. No school's balance may go below zero on any day.",
        ],
    )


@role_required(*LEDGER_ROLES)
@require_GET
def traded(request: HttpRequest) -> HttpResponse:
    """The LA's traded services with their subscriptions and income (officers), or with
    what the reader's school pays (school leaders)."""
    scope = scope_of(request)
    las = sorted(scope.officer_las) or home_las(request, scope)
    services_ = list(
        TradedService.objects.filter(la_code__in=las).order_by("-period_start", "name")
    )
    subscriptions = list(scope.subscriptions().filter(service__in=services_))
    mine = {s.service_id: s for s in subscriptions if s.urn in scope.own}
    income: dict[int, tuple[int, Decimal]] = {}
    for la_code in sorted(scope.officer_las):
        for row in Subscription.objects.income_by_service(la_code):
            income[row["service_id"]] = (row["subscribers"], row["income"])
    officer = bool(scope.officer_las)
    head = [Cell("Service"), Cell("Package"), Cell("Period"), Cell("Fee")]
    head += (
        [Cell("Subscribers", numeric=True), Cell("Income", numeric=True)]
        if officer
        else [Cell("Your school")]
    )
    rows = []
    for s in services_:
        fee = (
            _pounds(s.price)
            if s.price is not None
            else f"{_pounds(s.per_pupil_fee)} a pupil"
            + (f", at most {_pounds(s.fee_cap)}" if s.fee_cap is not None else "")
        )
        line = [
            Cell(s.name, header=True, tag=SYNTHETIC if s.synthetic else ""),
            Cell(s.get_package_display()),
            Cell(f"{day_words(s.period_start)} to {day_words(s.period_end)}"),
            Cell(fee),
        ]
        if officer:
            count, amount = income.get(s.pk, (0, Decimal(0)))
            line += [Cell.of(count, numeric=True), Cell(_pounds(amount), numeric=True)]
        else:
            own = mine.get(s.pk)
            line.append(
                Cell(f"Subscribes: {_pounds(own.amount_charged)}" if own else "Not subscribed")
            )
        rows.append(line)
    total = sum((amount for _, amount in income.values()), Decimal(0))
    return render(
        request,
        "brokerage/credits/traded.html",
        {
            "table": Table(
                "Services, newest first",
                head,
                rows,
                empty="No traded services are recorded.",
            ),
            "total": _pounds(total) if officer else "",
            "la_label": ", ".join(la_name(code) for code in las),
            "breadcrumbs": crumbs(Link("Credits", reverse("partnerships:credits"))),
        },
    )
