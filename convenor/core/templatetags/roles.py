"""Template access to the request user's roles: ``{% load roles %}``.

The layout shows some navigation links only to the roles that may follow them:
``{% if request|holds_role:"administrator" %}``.
"""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from convenor.core.permissions import request_has_role

register = template.Library()


@register.filter
def holds_role(request: HttpRequest | None, role: str) -> bool:
    """Whether the request's user holds ``role`` today; False with no request or user.

    Error pages may render without a request, and anonymous visitors hold no role,
    so neither costs a query.
    """
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    return request_has_role(request, role)
