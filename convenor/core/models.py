"""The import ledger, the audit trail, and who may do what (roles and their scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from convenor.core.querysets import AuditEventQuerySet


class ImportRun(models.Model):
    """One import of one file: what was read and what became of every row.

    ``rows_read == created + updated + unchanged + rejected + out_of_scope``
    always holds (``out_of_scope`` is non-zero only when the import was
    limited to one LA).
    """

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50)
    file_name = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(max_length=150)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices)
    la_scope = models.PositiveIntegerField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    out_of_scope = models.PositiveIntegerField(default=0)
    report_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def balances(self) -> bool:
        accounted = self.created + self.updated + self.unchanged + self.rejected + self.out_of_scope
        return self.rows_read == accounted


class ImportRejection(models.Model):
    """A row an import could not accept, with its line, field and reason."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    source_file = models.CharField(max_length=500)
    line = models.PositiveIntegerField()
    field = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500)
    raw = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["run", "line"]

    def __str__(self) -> str:
        return f"{self.source_file}:{self.line} {self.field} {self.reason}"


class AuditEvent(models.Model):
    """Who did what, when: every state change and every view of restricted data."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class Role(models.TextChoices):
    """What a person does in the system; each role is scoped (see ``ROLE_SCOPE``)."""

    LA_OFFICER = "la_officer", "LA school improvement officer or adviser"
    BOARD_MEMBER = "board_member", "Partnership board member"
    SCHOOL_LEADER = "school_leader", "School leader"
    SYSTEM_LEADER = "system_leader", "System leader or support provider"
    PLACE_PLANNER = "place_planner", "Place planning officer"
    INCLUSION_OFFICER = "inclusion_officer", "Inclusion officer or fair access panel member"
    ELECTED_MEMBER = "elected_member", "Elected member"
    ADMINISTRATOR = "administrator", "Administrator or data steward"


# The scope fields and what a message calls each.
SCOPE_FIELDS = {"la_code": "LA code", "area": "Area", "school_urn": "School URN", "remit": "Remit"}


@dataclass(frozen=True)
class ScopeRule:
    """The scope fields a role must have, and those it may have; the rest stay empty."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()

    @property
    def allowed(self) -> frozenset[str]:
        return self.required | self.optional


ROLE_SCOPE: dict[str, ScopeRule] = {
    Role.LA_OFFICER: ScopeRule(required=frozenset({"la_code"})),
    Role.BOARD_MEMBER: ScopeRule(required=frozenset({"la_code", "area"})),
    Role.SCHOOL_LEADER: ScopeRule(required=frozenset({"school_urn"})),
    # A provider's reach is its own offers and assignments, not a place.
    Role.SYSTEM_LEADER: ScopeRule(),
    Role.PLACE_PLANNER: ScopeRule(required=frozenset({"la_code"})),
    Role.INCLUSION_OFFICER: ScopeRule(
        required=frozenset({"la_code"}), optional=frozenset({"remit"})
    ),
    Role.ELECTED_MEMBER: ScopeRule(required=frozenset({"la_code"})),
    Role.ADMINISTRATOR: ScopeRule(),
}


def _scope_is_empty(field: str) -> models.Q:
    # Text scope fields are blank rather than null when unset (Django's convention).
    return (
        models.Q(**{field: ""})
        if field in ("area", "remit")
        else models.Q(**{f"{field}__isnull": True})
    )


def _scope_matches_role() -> models.Q:
    """One branch per role: its required fields set and the fields it does not use empty."""
    condition = models.Q()
    for role, rule in ROLE_SCOPE.items():
        branch = models.Q(role=role)
        for field in SCOPE_FIELDS:
            if field in rule.required:
                branch &= ~_scope_is_empty(field)
            elif field not in rule.optional:
                branch &= _scope_is_empty(field)
        condition |= branch
    return condition


class RoleAssignment(models.Model):
    """One role held by one user, in one scope, optionally between two dates (inclusive).

    Which scope fields a role needs is set by ``ROLE_SCOPE``, checked by
    :meth:`clean` with readable messages and by a database constraint as a
    backstop. Create and end assignments through
    :func:`convenor.core.services.assign_role` and ``revoke_role``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    la_code = models.PositiveIntegerField(
        null=True, blank=True, help_text="Three-digit DfE LA code", verbose_name="LA code"
    )
    area = models.CharField(
        max_length=120, blank=True, help_text="District or area of a board, as in the register"
    )
    school_urn = models.PositiveIntegerField(null=True, blank=True, verbose_name="school URN")
    remit = models.CharField(
        max_length=120, blank=True, help_text="An inclusion officer's remit, such as a panel"
    )
    starts = models.DateField(null=True, blank=True, help_text="Blank: from now")
    ends = models.DateField(null=True, blank=True, help_text="Last day in force; blank: open")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["user", "role", "pk"]
        indexes = [models.Index(fields=["role", "la_code"])]
        constraints = [
            models.CheckConstraint(
                condition=_scope_matches_role(), name="role_assignment_scope_matches_role"
            ),
            models.CheckConstraint(
                condition=models.Q(starts__isnull=True)
                | models.Q(ends__isnull=True)
                | models.Q(starts__lte=models.F("ends")),
                name="role_assignment_starts_before_ends",
            ),
            models.CheckConstraint(
                condition=models.Q(la_code__isnull=True)
                | models.Q(la_code__gte=100, la_code__lte=999),
                name="role_assignment_la_code_has_three_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()} ({self.scope_label or 'everywhere'})"

    @property
    def scope_label(self) -> str:
        """The scope in words, for tables and the admin ("LA 850, Winchester")."""
        parts = []
        if self.la_code is not None:
            parts.append(f"LA {self.la_code}")
        if self.area:
            parts.append(self.area)
        if self.school_urn is not None:
            parts.append(f"URN {self.school_urn}")
        if self.remit:
            parts.append(self.remit)
        return ", ".join(parts)

    def is_in_force(self, on: date) -> bool:
        """Whether the assignment applies on ``on`` (both end dates inclusive)."""
        return (self.starts is None or self.starts <= on) and (self.ends is None or on <= self.ends)

    def clean(self) -> None:
        """Check the scope fields against the role, naming each field that is wrong."""
        rule = ROLE_SCOPE.get(self.role)
        if rule is None:
            return  # the choices check on ``role`` already reports an unknown role
        errors: dict[str, str] = {}
        label = self.get_role_display()
        for field, name in SCOPE_FIELDS.items():
            is_set = getattr(self, field) not in (None, "")
            if field in rule.required and not is_set:
                errors[field] = f"{name} is needed for the role “{label}”."
            elif field not in rule.allowed and is_set:
                errors[field] = f"{name} does not apply to the role “{label}”; leave it blank."
        if self.la_code is not None and not 100 <= self.la_code <= 999:
            errors.setdefault("la_code", "An LA code has three digits, such as 850.")
        if self.starts and self.ends and self.ends < self.starts:
            errors["ends"] = "The last day cannot come before the first."
        if errors:
            raise ValidationError(errors)


class ApiToken(models.Model):
    """A secret that lets a program call the JSON API as one user.

    Only the SHA-256 of the secret is stored: the secret itself is shown once,
    when the token is made. ``prefix`` (the secret's first characters) tells a
    person which token is which without revealing it. A token works while it
    is neither revoked nor expired and its user is active and holds a role.
    Make and revoke tokens through :func:`convenor.core.services.create_api_token`
    and ``revoke_api_token``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for")
    prefix = models.CharField(max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True, help_text="Blank: never")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name} ({self.user})"

    def is_usable(self, at: datetime) -> bool:
        """Whether the token is neither revoked nor expired at ``at``."""
        return self.revoked_at is None and (self.expires is None or at < self.expires)
