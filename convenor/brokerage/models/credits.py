"""The credits exchange (West Sussex e-PD): a double-entry ledger of whole credits.

Each LA's scheme has its own account and each taking-part school one. A school earns
credits by providing a development opportunity and spends them by taking one; the
scheme issues credits (its balance goes negative by what it has issued). Every
movement is a ``CreditTransaction`` whose ``CreditEntry`` rows sum to zero, so the
balances of all accounts always sum to zero. A positive entry adds to an account's
balance. Nothing is edited or deleted: a mistake is put right by a reversing
transaction. Postings go through :mod:`convenor.brokerage.services.credits`, which
refuses an unbalanced one; :meth:`CreditTransactionQuerySet.unbalanced` finds any
that got in some other way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from convenor.brokerage.querysets import CreditEntryQuerySet, CreditTransactionQuerySet


class AccountKind(models.TextChoices):
    SCHOOL = "school", "School"
    SCHEME = "scheme", "Scheme"


class CreditAccount(models.Model):
    """A school's credits account, or the scheme's own account, in one LA."""

    la_code = models.PositiveIntegerField(verbose_name="LA code", db_index=True)
    kind = models.CharField(max_length=8, choices=AccountKind.choices)
    urn = models.PositiveIntegerField(null=True, blank=True, verbose_name="URN")
    name = models.CharField(max_length=300)
    opened_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["la_code", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind=AccountKind.SCHOOL) & models.Q(urn__isnull=False))
                | (models.Q(kind=AccountKind.SCHEME) & models.Q(urn__isnull=True)),
                name="credit_account_school_has_urn",
            ),
            models.UniqueConstraint(fields=["urn"], name="one_credit_account_per_school"),
            models.UniqueConstraint(
                fields=["la_code"],
                condition=models.Q(kind=AccountKind.SCHEME),
                name="one_scheme_account_per_la",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CreditTransaction(models.Model):
    """One movement of credits between accounts, dated ``posted_on``."""

    la_code = models.PositiveIntegerField(verbose_name="LA code", db_index=True)
    posted_on = models.DateField()
    description = models.CharField(max_length=300)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    synthetic = models.BooleanField(default=False, help_text="Made up for the demo")
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CreditTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["posted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.posted_on} {self.description}"


class CreditEntry(models.Model):
    """One line of a transaction: a signed number of credits to or from an account."""

    transaction = models.ForeignKey(
        CreditTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.IntegerField()

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["transaction_id", "pk"]
        verbose_name_plural = "credit entries"
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="credit_entry_not_zero"),
            models.UniqueConstraint(
                fields=["transaction", "account"], name="one_entry_per_account_per_transaction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} to account {self.account_id}"
