"""State changes of the core app. Every one writes its audit event."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from convenor.core.models import ApiToken, AuditEvent, RoleAssignment
from convenor.schools.models import Establishment, LocalAuthority

Actor = AbstractBaseUser | AnonymousUser | str | None


def actor_fields(actor: Actor) -> dict[str, Any]:
    """The user and the label to store for whoever acted (a user, or a named process)."""
    if actor is None:
        return {"actor": None, "actor_label": "system"}
    if isinstance(actor, str):
        return {"actor": None, "actor_label": actor}
    if not actor.is_authenticated:
        return {"actor": None, "actor_label": "anonymous"}
    return {"actor": actor, "actor_label": actor.get_username()}


def record_audit(
    action: str,
    *,
    actor: Actor,
    object_type: str = "",
    object_id: str | int = "",
    **detail: Any,
) -> AuditEvent:
    """Write one audit event. Call inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
        **actor_fields(actor),
    )


def _assignment_detail(assignment: RoleAssignment) -> dict[str, Any]:
    # Enough to rebuild the assignment from the audit trail alone, since revoking deletes it.
    return {
        "user": assignment.user.get_username(),
        "role": assignment.role,
        "la_code": assignment.la_code,
        "area": assignment.area,
        "school_urn": assignment.school_urn,
        "remit": assignment.remit,
        "starts": assignment.starts.isoformat() if assignment.starts else None,
        "ends": assignment.ends.isoformat() if assignment.ends else None,
    }


def _check_against_register(assignment: RoleAssignment) -> None:
    # A mistyped code would otherwise give a role that silently sees nothing.
    errors: dict[str, str] = {}
    la_code, urn = assignment.la_code, assignment.school_urn
    if la_code is not None and not LocalAuthority.objects.filter(code=la_code).exists():
        errors["la_code"] = f"There is no local authority {la_code} in the register."
    elif assignment.area and not (
        Establishment.objects.filter(la_code=la_code, district=assignment.area).exists()
    ):
        # A board's area is matched to the register's district name, so it must be one.
        errors["area"] = (
            f"No establishment in LA {la_code} is in the district {assignment.area!r}; "
            "use a district name from the register."
        )
    if urn is not None and not Establishment.objects.filter(urn=urn).exists():
        errors["school_urn"] = f"There is no establishment with URN {urn} in the register."
    if errors:
        raise ValidationError(errors)


def _check_not_held_already(assignment: RoleAssignment) -> None:
    held = RoleAssignment.objects.filter(
        user=assignment.user,
        role=assignment.role,
        la_code=assignment.la_code,
        area=assignment.area,
        school_urn=assignment.school_urn,
        remit=assignment.remit,
    )
    # Open-ended dates overlap everything on their open side.
    if assignment.ends is not None:
        held = held.filter(Q(starts__isnull=True) | Q(starts__lte=assignment.ends))
    if assignment.starts is not None:
        held = held.filter(Q(ends__isnull=True) | Q(ends__gte=assignment.starts))
    if held.exists():
        raise ValidationError(
            f"{assignment.user.get_username()} already holds this role in this scope "
            "for some of these dates."
        )


def check_assignment(assignment: RoleAssignment) -> None:
    """The checks of a new assignment beyond its own fields (``RoleAssignment.clean``).

    Raises ``ValidationError`` when the LA, school or area is not in the
    register, or the user already holds the role in that scope on some of the
    dates. Forms call it to show the errors; :func:`assign_role` calls it too.
    """
    _check_against_register(assignment)
    _check_not_held_already(assignment)


@transaction.atomic
def assign_role(
    user: User,
    role: str,
    *,
    actor: Actor,
    la_code: int | None = None,
    area: str = "",
    school_urn: int | None = None,
    remit: str = "",
    starts: date | None = None,
    ends: date | None = None,
) -> RoleAssignment:
    """Give ``user`` a role in a scope, from ``starts`` to ``ends`` (inclusive; None: open).

    Which scope a role takes is set by :data:`convenor.core.models.ROLE_SCOPE`.
    Raises ``ValidationError``, naming the field, when the scope does not fit
    the role, the LA or school is not in the register, or the user already
    holds the same role in the same scope for overlapping dates. Writes a
    ``role.assigned`` audit event.
    """
    acting = actor_fields(actor)["actor"]
    assignment = RoleAssignment(
        user=user,
        role=role,
        la_code=la_code,
        area=area.strip(),
        school_urn=school_urn,
        remit=remit.strip(),
        starts=starts,
        ends=ends,
        created_by=acting,
    )
    assignment.full_clean()
    check_assignment(assignment)
    assignment.save()
    record_audit(
        "role.assigned",
        actor=actor,
        object_type="role_assignment",
        object_id=assignment.pk,
        **_assignment_detail(assignment),
    )
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor: Actor) -> None:
    """Take a role away at once, writing a ``role.revoked`` audit event.

    The assignment is deleted; the audit event keeps everything it said, so
    who held which role when stays answerable from the audit trail.
    """
    detail = _assignment_detail(assignment)
    object_id = assignment.pk
    assignment.delete()
    record_audit(
        "role.revoked", actor=actor, object_type="role_assignment", object_id=object_id, **detail
    )


# --- API tokens ----------------------------------------------------------------

API_TOKEN_MARKER = "cvn_"
"""Every secret starts with this, so a leaked one is easy to recognise and search for."""

API_TOKEN_PREFIX_LENGTH = len(API_TOKEN_MARKER) + 8

# How stale ``last_used_at`` may get: writing on every request would cost a write per call.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def hash_api_secret(secret: str) -> str:
    """The SHA-256 (hex) stored for a secret.

    A fast hash is enough: the secrets are random and long, so there is
    nothing to guess, unlike a password.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def _token_detail(token: ApiToken) -> dict[str, Any]:
    return {
        "user": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "expires": token.expires.isoformat() if token.expires else None,
    }


@transaction.atomic
def create_api_token(
    user: User, *, actor: Actor, name: str, expires: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make an API token for ``user``; return it and its secret, which is stored only hashed.

    Show the secret to the person once: it cannot be recovered later. Raises
    ``ValidationError`` when the name is blank or too long, or ``expires`` is
    not in the future. Writes an ``api_token.created`` audit event (without
    the secret).
    """
    name = name.strip()
    if expires is not None and expires <= timezone.now():
        raise ValidationError({"expires": "A token's expiry must be in the future."})
    secret = API_TOKEN_MARKER + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[:API_TOKEN_PREFIX_LENGTH],
        token_hash=hash_api_secret(secret),
        created_by=actor_fields(actor)["actor"],
        expires=expires,
    )
    token.full_clean()
    token.save()
    record_audit(
        "api_token.created",
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        **_token_detail(token),
    )
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: Actor) -> None:
    """Stop a token working at once, writing an ``api_token.revoked`` audit event.

    The token row stays, so who called the API with it remains answerable.
    Raises ``ValidationError`` when it is revoked already.
    """
    if token.revoked_at is not None:
        raise ValidationError(f"The token {token.prefix}… was revoked already.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_audit(
        "api_token.revoked",
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        **_token_detail(token),
    )


def note_api_token_used(token: ApiToken, at: datetime) -> None:
    """Record that ``token`` was used at ``at``, writing at most once a minute.

    Not audited: it is bookkeeping on every API call, not a change anyone made.
    """
    if token.last_used_at is not None and at - token.last_used_at < API_TOKEN_TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    token.last_used_at = at


# Users. Accounts are made, deactivated and reactivated here, never deleted: the audit
# trail points at them, and a deactivated account keeps its roles for reactivation.


def _full_name_parts(full_name: str) -> tuple[str, str]:
    # Django's user has a first and a last name. GOV.UK asks for one full-name field,
    # since names do not split reliably; storing it across the two at the first space
    # lets ``get_full_name()`` give back exactly what was typed.
    first, _, last = " ".join(full_name.split()).partition(" ")
    return first, last


def _user_errors(user: User, full_name: str, password: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            # The two name columns are one "full name" to whoever typed it.
            key = "full_name" if field in ("first_name", "last_name") else field
            errors.setdefault(key, []).extend(messages)
    if not full_name.strip():
        errors.setdefault("full_name", []).append("Enter their full name.")
    if not user.email:
        errors.setdefault("email", []).append("Enter an email address.")
    if "username" not in errors and User.objects.filter(username__iexact=user.username).exists():
        # Sign-in is case-sensitive; two accounts differing only in case invite mistakes.
        errors["username"] = [f"A user called {user.username!r} (in some case) already exists."]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    return errors


def _role_errors(assignment: RoleAssignment) -> dict[str, list[str]]:
    # In order, stopping at the first that fails: each assumes the ones before it passed.
    try:
        assignment.clean_fields(exclude=["user", "created_by"])
        assignment.clean()
        _check_against_register(assignment)
    except ValidationError as error:
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {}


@transaction.atomic
def create_user(
    username: str,
    *,
    full_name: str,
    email: str,
    password: str,
    role: str,
    actor: Actor,
    la_code: int | None = None,
    area: str = "",
    school_urn: int | None = None,
    remit: str = "",
    starts: date | None = None,
    ends: date | None = None,
) -> User:
    """Make an account that can sign in with ``password``, holding one role in one scope.

    Everything is checked before anything is saved: the username (allowed
    characters, not taken in any case), the full name, the email address, the
    password (Django's password validators) and the role's scope (as for
    :func:`assign_role`). Raises one ``ValidationError`` naming every problem,
    keyed by argument name. Writes a ``user.created`` audit event (never the
    password) and a ``role.assigned`` one.
    """
    first_name, last_name = _full_name_parts(full_name)
    user = User(
        username=username.strip(),
        first_name=first_name,
        last_name=last_name,
        email=User.objects.normalize_email(email.strip()),
    )
    errors = _user_errors(user, full_name, password)
    candidate = RoleAssignment(
        role=role,
        la_code=la_code,
        area=area.strip(),
        school_urn=school_urn,
        remit=remit.strip(),
        starts=starts,
        ends=ends,
    )
    for field, messages in _role_errors(candidate).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    record_audit(
        "user.created",
        actor=actor,
        object_type="user",
        object_id=user.pk,
        username=user.username,
        full_name=user.get_full_name(),
        email=user.email,
    )
    assign_role(
        user,
        role,
        actor=actor,
        la_code=la_code,
        area=area,
        school_urn=school_urn,
        remit=remit,
        starts=starts,
        ends=ends,
    )
    return user


def _set_active(user: User, active: bool, *, actor: Actor, action: str) -> None:
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_audit(action, actor=actor, object_type="user", object_id=user.pk, username=user.username)


@transaction.atomic
def deactivate_user(user: User, *, actor: Actor) -> None:
    """Stop ``user`` signing in, writing a ``user.deactivated`` audit event.

    The account and its roles are kept (the audit trail points at it, and
    :func:`reactivate_user` restores it); an inactive user holds no role in
    force and is signed out at their next request. Raises ``ValidationError``
    when the account is already deactivated, or is the actor's own (so an
    administrator cannot lock themselves out).
    """
    if not user.is_active:
        raise ValidationError(f"{user.get_username()} is already deactivated.")
    acting = actor_fields(actor)["actor"]
    if acting is not None and acting.pk == user.pk:
        raise ValidationError("You cannot deactivate your own account.")
    _set_active(user, False, actor=actor, action="user.deactivated")


@transaction.atomic
def reactivate_user(user: User, *, actor: Actor) -> None:
    """Let a deactivated ``user`` sign in again with the roles they held, writing a
    ``user.reactivated`` audit event. Raises ``ValidationError`` when already active."""
    if user.is_active:
        raise ValidationError(f"{user.get_username()} is already active.")
    _set_active(user, True, actor=actor, action="user.reactivated")
