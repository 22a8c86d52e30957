"""What every part of the JSON API shares: token authentication, errors, paging, scoping.

Programs call the API with ``Authorization: Bearer <secret>``, the secret of an
:class:`~convenor.core.models.ApiToken`. A missing, unknown, expired or revoked
token gets 401; a token whose user no longer holds a role gets 403. Each app's
``api.py`` holds a ``Router``; ``convenor.config.api`` mounts them under
``/api/v1/``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Schema
from ninja.errors import AuthorizationError, ValidationError
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer
from pydantic import BaseModel

from convenor.core.models import ApiToken
from convenor.core.permissions import (
    ACCESS_ATTRIBUTE,
    ANY_ROLE,
    Access,
    active_roles,
    get_establishment_for_user,
    has_role,
)
from convenor.core.services import hash_api_secret, note_api_token_used, record_audit
from convenor.schools.models import Establishment

View = TypeVar("View", bound=Callable[..., HttpResponse])

# Printable characters only: PostgreSQL refuses NUL in text, and no filter needs control codes.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


def usable_token(secret: str) -> ApiToken | None:
    """The token with this secret if it works now: not revoked, not expired, user active."""
    if not secret:
        return None
    token = (
        ApiToken.objects.select_related("user").filter(token_hash=hash_api_secret(secret)).first()
    )
    if token is None or not token.user.is_active or not token.is_usable(timezone.now()):
        return None
    return token


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <secret>``: the API's only way in."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = usable_token(token.strip())
        if found is None:
            return None  # ninja answers 401
        if not active_roles(found.user):
            raise AuthorizationError(message="The token's user holds no role.")
        note_api_token_used(found, timezone.now())
        # The permission helpers read request.user, as they do for pages.
        request.user = found.user
        return found


def api_user(request: HttpRequest) -> User:
    """The user an authenticated API request acts for."""
    return cast(ApiToken, request.auth).user  # type: ignore[attr-defined]


class Message(Schema):
    """Why a request failed."""

    detail: str


class ValidationMessage(Schema):
    """Which parameters were wrong, and how."""

    detail: list[dict[str, Any]]


def error_responses(*codes: int) -> dict[int, type[Schema]]:
    """The documented error answers of an operation: 401 and 403 always, and ``codes``."""
    shapes: dict[int, type[Schema]] = {401: Message, 403: Message}
    for code in codes:
        shapes[code] = ValidationMessage if code == 422 else Message
    return shapes


class PageNumbers(PaginationBase):
    """``?page=N&page_size=M`` (default 50, at most 200), answering with the total count."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000, description="Page number, from 1")
        page_size: int = Field(50, ge=1, le=200, description="Items a page, at most 200")

    class Output(Schema):
        count: int = Field(description="Items on all pages")
        page: int
        page_size: int
        items: list[Any]

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page, size = pagination.page, pagination.page_size
        offset = (page - 1) * size
        return {
            "count": queryset.count(),
            "page": page,
            "page_size": size,
            "items": list(queryset[offset : offset + size]),
        }


def reject_unknown_query_parameters(operation: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 422 to a query parameter the operation does not take.

    A misspelt filter (``?phse=Primary``) would otherwise be ignored and the
    caller given every school. Runs after ninja has validated the parameters
    it knows: those arrive as keyword arguments, a schema's fields each
    counting as a parameter.
    """

    @wraps(operation)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        known: set[str] = set()
        for name, value in kwargs.items():
            known |= set(type(value).model_fields) if isinstance(value, BaseModel) else {name}
        unknown = sorted(set(request.GET) - known)
        if unknown:
            raise ValidationError(
                [
                    {
                        "type": "unknown_parameter",
                        "loc": ["query", name],
                        "msg": "Unknown parameter",
                    }
                    for name in unknown
                ]
            )
        return operation(request, *args, **kwargs)

    return checked


def load_school(request: HttpRequest, urn: int, *, restricted: bool = False) -> Establishment:
    """The establishment ``urn`` as the API caller may see it (404 unknown, 403 out of scope).

    ``restricted``: the operation shows restricted detail, so the school must
    be in the caller's full scope and the view is audited (``api.viewed``).
    Published register data needs neither.
    """
    user = api_user(request)
    establishment = get_establishment_for_user(user, urn, restricted=restricted)
    if restricted:
        record_audit(
            "api.viewed",
            actor=user,
            object_type="establishment",
            object_id=urn,
            path=request.path,
        )
    return establishment


def schema_guard(view: View) -> View:
    """Guard the OpenAPI schema: a valid token, or a signed-in user with a role.

    A browser session is enough here (unlike the operations) so a signed-in
    person can read the schema; anything else gets the API's 401 or 403.
    """
    auth = ApiTokenAuth()

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            token = auth(request)
        except AuthorizationError as exc:
            return JsonResponse({"detail": exc.message}, status=403)
        if token is None:
            if not request.user.is_authenticated:
                return unauthorised()
            if not has_role(request.user, *ANY_ROLE):
                return JsonResponse({"detail": "Forbidden"}, status=403)
        return view(request, *args, **kwargs)

    setattr(guarded, ACCESS_ATTRIBUTE, Access(public=False, roles=frozenset(ANY_ROLE)))
    return cast(View, guarded)


def unauthorised() -> JsonResponse:
    """401 with the challenge RFC 6750 asks for, so clients know to send a token."""
    response = JsonResponse({"detail": "Unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="convenor"'
    return response
