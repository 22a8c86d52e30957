"""Managing users and their roles, for administrators.

Every change goes through a service in ``convenor.core.services`` (``create_user``,
``assign_role``, ``revoke_role``, ``deactivate_user``, ``reactivate_user``), which checks
it and writes its audit event; these views only read forms and show the result.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from convenor.core.components import Link, SummaryRow
from convenor.core.forms import RoleForm, UserCreateForm, UserSearchForm, add_service_errors
from convenor.core.models import Role, RoleAssignment
from convenor.core.permissions import role_required
from convenor.core.querysets import users_for_user_list
from convenor.core.services import (
    assign_role,
    create_user,
    deactivate_user,
    reactivate_user,
    revoke_role,
)

USERS_PER_PAGE = 50


@role_required(Role.ADMINISTRATOR)
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    """Every user with the roles they hold today, searchable, 50 to a page."""
    form = UserSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    people = users_for_user_list(search, timezone.localdate())
    page = Paginator(people, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/users.html",
        {"form": form, "page": page, "search": search, "total": page.paginator.count},
    )


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """Make an account with an initial password and its first role."""
    form = UserCreateForm(request.POST) if request.method == "POST" else UserCreateForm()
    if form.is_bound and form.is_valid():
        try:
            user = create_user(**form.account(), actor=request.user, **form.scope())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Account {user.username} created. They can sign in now.")
            return redirect("core:user-detail", pk=user.pk)
    return render(
        request,
        "core/user_create.html",
        {"form": form, "breadcrumbs": [Link("Users", reverse("core:users"))]},
    )


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One user's account and roles; a POST adds a role."""
    person = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST) if request.method == "POST" else RoleForm()
    if form.is_bound and form.is_valid():
        try:
            assignment = assign_role(
                person, form.cleaned_data["role"], actor=request.user, **form.scope()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{person.username} is now {_role_words(assignment)}.")
            return redirect("core:user-detail", pk=person.pk)
    return _detail_page(request, person, form)


@role_required(Role.ADMINISTRATOR)
@require_POST
def user_revoke_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Take away the role assignment named by the form's ``assignment`` field."""
    person = get_object_or_404(User, pk=pk)
    assignment_pk = request.POST.get("assignment", "")
    if not assignment_pk.isdigit():
        raise Http404("No such role assignment")
    # Only the assignments of the user in the URL, so a form cannot reach another user's.
    assignment = get_object_or_404(RoleAssignment, pk=int(assignment_pk), user=person)
    words = _role_words(assignment)
    revoke_role(assignment, actor=request.user)
    messages.success(request, f"{person.username} is no longer {words}.")
    return redirect("core:user-detail", pk=person.pk)


def _change_status(
    request: HttpRequest, pk: int, change: Callable[..., None], done: str
) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    try:
        change(person, actor=request.user)
    except ValidationError as error:
        problem = forms.Form(data={})
        problem.add_error(None, error)
        return _detail_page(request, person, RoleForm(), problem=problem)
    messages.success(request, f"{person.username} {done}.")
    return redirect("core:user-detail", pk=person.pk)


@role_required(Role.ADMINISTRATOR)
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a user signing in; their roles are kept for reactivation."""
    return _change_status(request, pk, deactivate_user, "can no longer sign in")


@role_required(Role.ADMINISTRATOR)
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Let a deactivated user sign in again."""
    return _change_status(request, pk, reactivate_user, "can sign in again")


def _role_words(assignment: RoleAssignment) -> str:
    scope = assignment.scope_label
    label = assignment.get_role_display()
    return f"{label} ({scope})" if scope else label


def _status(assignment: RoleAssignment) -> str:
    today = timezone.localdate()
    if assignment.starts and assignment.starts > today:
        return "Not yet in force"
    if assignment.ends and assignment.ends < today:
        return "Ended"
    return "In force"


def _account_rows(person: User) -> list[SummaryRow]:
    def when(value: datetime | None) -> str:
        if value is None:
            return ""
        local = timezone.localtime(value)
        return f"{local.day} {local:%b %Y, %H:%M}"

    return [
        SummaryRow("Username", person.username),
        SummaryRow("Full name", person.get_full_name()),
        SummaryRow("Email address", person.email),
        SummaryRow("Status", "Active" if person.is_active else "Deactivated"),
        SummaryRow("Last signed in", when(person.last_login) or "Never"),
        SummaryRow("Account created", when(person.date_joined)),
    ]


def _detail_page(
    request: HttpRequest,
    person: User,
    form: RoleForm,
    problem: forms.Form | None = None,
) -> HttpResponse:
    assignments = [
        (assignment, _status(assignment))
        for assignment in person.role_assignments.order_by("role", "starts", "pk")
    ]
    return render(
        request,
        "core/user_detail.html",
        {
            "person": person,
            "form": form,
            "problem": problem,
            "assignments": assignments,
            "account": _account_rows(person),
            "is_self": request.user.pk == person.pk,
            "breadcrumbs": [Link("Users", reverse("core:users"))],
        },
        status=400 if problem else 200,
    )
