"""What views that record a form through a service share: read it, record it, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from convenor.core.forms import add_service_errors

Recorded = TypeVar("Recorded")


def posted(request: HttpRequest) -> Any:
    """The sent form data, or None for a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def on_submit(
    request: HttpRequest,
    form: forms.Form,
    record: Callable[[dict[str, Any]], Recorded],
    then: Callable[[Recorded], tuple[str, str]],
) -> HttpResponse | None:
    """Record a sent, valid form through a service, and redirect.

    ``record`` calls the service with the form's data; ``then`` turns what it returns
    into the message to show and where to go. A ``ValidationError`` from the service
    is shown on the form and None returned, as for a form not sent or not valid: the
    caller then shows the form again.
    """
    if form.is_bound and form.is_valid():
        try:
            recorded = record(dict(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message, url = then(recorded)
            messages.success(request, message)
            return redirect(url)
    return None
