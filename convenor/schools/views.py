"""Pages of the register."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from convenor.core.components import Cell, Table
from convenor.core.permissions import ANY_ROLE, role_required
from convenor.schools.forms import RegisterFilterForm
from convenor.schools.models import Establishment, LocalAuthority


@role_required(*ANY_ROLE)
def register(request: HttpRequest) -> HttpResponse:
    """The register of establishments, optionally for one LA, 50 to a page."""
    schools = Establishment.objects.for_register_page()
    form = RegisterFilterForm(request.GET)
    la = None
    # An invalid filter is shown with its error beside the whole register, not applied.
    if form.is_valid():
        la_code = form.cleaned_data["la"]
        if la_code is not None:
            schools = schools.in_la(la_code)
            la = LocalAuthority.objects.filter(code=la_code).first()
        if form.cleaned_data["open"]:
            schools = schools.open()
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "schools/register.html",
        {
            "form": form,
            "page": page,
            "la": la,
            "table": register_table(page),
            "total": page.paginator.count,
        },
    )


REGISTER_HEAD = tuple(Cell(text) for text in ("URN", "Name", "Phase", "Type", "Status", "Trust"))


def register_table(schools: Iterable[Establishment]) -> Table:
    """The register page's table of establishments."""
    rows = [
        (
            Cell.of(school.urn),
            Cell.of(school.name),
            Cell.of(school.phase),
            Cell.of(school.type_name),
            Cell.of(school.status),
            Cell.of(school.trust_name),
        )
        for school in schools
    ]
    return Table(
        caption="Establishments",
        head=REGISTER_HEAD,
        rows=rows,
        empty="No establishments. Import the register first (see the README).",
    )
