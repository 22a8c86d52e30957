"""Pages of the register."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from convenor.schools.models import Establishment, LocalAuthority


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The register of establishments, optionally for one LA, 50 to a page."""
    schools = Establishment.objects.for_register_page()
    la_code = request.GET.get("la", "").strip()
    la = None
    if la_code.isdigit():
        schools = schools.in_la(int(la_code))
        la = LocalAuthority.objects.filter(code=int(la_code)).first()
    if request.GET.get("open") == "1":
        schools = schools.open()
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "schools/register.html",
        {"page": page, "la": la, "la_code": la_code, "total": page.paginator.count},
    )
