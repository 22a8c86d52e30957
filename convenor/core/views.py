"""Sign in, sign out and the health check."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from convenor.core.permissions import public_view


class SignInView(auth_views.LoginView):
    """The GOV.UK sign-in page; repeated failures lock the account (django-axes)."""

    template_name = "core/sign_in.html"
    redirect_authenticated_user = True


sign_in = public_view(SignInView.as_view())
sign_out = public_view(auth_views.LogoutView.as_view())


@public_view
def locked_out(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    """What a person sees after too many failed sign-ins (django-axes calls this)."""
    return render(request, "core/locked_out.html", status=429)


@public_view
@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers; reveals nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A GOV.UK page for a form refused by CSRF protection (settings.CSRF_FAILURE_VIEW)."""
    return render(request, "core/csrf_failure.html", status=403)
