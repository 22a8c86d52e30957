"""The JSON API, version 1, mounted at ``/api/v1/`` (see docs/how-to/use-the-api.md).

Every operation needs an API token (``Authorization: Bearer <secret>``); the
OpenAPI schema at ``/api/v1/openapi.json`` takes a token or a signed-in
session. There is no interactive docs page: its scripts come from elsewhere,
which the site's content security policy forbids; load the schema into any
OpenAPI viewer instead.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from convenor.core.api import ApiTokenAuth, reject_unknown_query_parameters, schema_guard
from convenor.intelligence.api import router as intelligence_router
from convenor.schools.api import router as schools_router

api = NinjaAPI(
    title="convenor",
    version="1.0.0",
    description=(
        "Published data about schools: the register, inspections and indicators over time. "
        "Authenticate with `Authorization: Bearer <secret>`; make a token with "
        "`convenor api-token create --user NAME --name NAME`."
    ),
    urls_namespace="api",
    auth=ApiTokenAuth(),
    docs_url=None,
    docs_decorator=schema_guard,
)
api.add_decorator(reject_unknown_query_parameters)
api.add_router("/schools", schools_router)
api.add_router("/schools", intelligence_router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=401)
    # RFC 6750: tell the client which scheme to answer with.
    response["WWW-Authenticate"] = 'Bearer realm="convenor"'
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # Raised by the permission helpers (a school outside the caller's full scope).
    return api.create_response(request, {"detail": "Forbidden"}, status=403)
