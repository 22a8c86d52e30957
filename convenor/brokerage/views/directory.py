"""The support directory: providers with search, filters, sorting and pages; each
provider's entry with its places by intensity band and ratings; adding and updating
entries. A provider's places left in a band are those it offers less those its live
assignments hold (:meth:`~convenor.brokerage.querysets.ProviderQuerySet.with_places_left`).

Every role but elected members reads the directory (ADR 0011). Ratings show with
score, review and date to every reader; which school gave one is shown only to that
school's brokers and leaders. LA officers add and update their LA's entries; a school
leader offers support from their school and manages that entry; a system leader
updates the entries they manage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from convenor.brokerage.capacity import BANDS, offer_words, places_words
from convenor.brokerage.forms.directory import (
    DEFAULT_ORDER,
    DEFAULT_SORT,
    DirectoryFilterForm,
    ProviderForm,
)
from convenor.brokerage.models import (
    DEFAULT_DAYS_PER_TERM,
    MAX_DAYS_PER_TERM,
    Band,
    Expertise,
    SupportPhase,
    SupportProvider,
    SupportRating,
)
from convenor.brokerage.querysets import ProviderQuerySet
from convenor.brokerage.services import add_provider, update_provider
from convenor.brokerage.services.providers import UPDATABLE
from convenor.brokerage.views.common import (
    MANAGE_ROLES,
    OFFER_ROLES,
    READ_ROLES,
    crumbs,
    denied_unless,
    form_page,
    la_names,
    labels,
    load_provider,
    on_submit,
    posted,
    pounds,
    scope,
)
from convenor.core.components import Cell, Link, SummaryRow
from convenor.core.permissions import role_required
from convenor.schools.models import Establishment
from convenor.schools.school_list import SortHeader, sortable_headers

PAGE_SIZE = 25
DAYS = DEFAULT_DAYS_PER_TERM
PLACES_INTRO = (
    "Capacity is places a term in each intensity band: each approved match holds one place "
    f"in its request's band. A high place stands for about {DAYS[Band.HIGH]} days of "
    f"support, a medium one {DAYS[Band.MEDIUM]} and a low one {DAYS[Band.LOW]}; together "
    f"they may stand for at most {MAX_DAYS_PER_TERM} days a term."
)

# (sort key, heading, numeric, what ascending means, what descending means)
COLUMNS: tuple[tuple[str, str, bool, str, str], ...] = (
    ("name", "Provider", False, "name, A to Z", "name, Z to A"),
    ("designation", "Designation", False, "designation, A to Z", "designation, Z to A"),
    ("", "Expertise", False, "", ""),
    ("", "Phases", False, "", ""),
    ("left", "Places left this term", True, "places left, fewest first", "places left, most first"),
    ("rating", "Rating", True, "rating, lowest first", "rating, highest first"),
    ("", "Cost a day", True, "", ""),
)
_ORDERING = {
    "name": ("name", "pk"),
    "designation": ("designation", "name", "pk"),
    "left": ("places_left", "name", "pk"),
    "rating": ("rating_mean", "rating_count", "name", "pk"),
}


def left_of(provider: Any) -> dict[str, int]:
    """A provider annotated by ``with_places_left``: its places left by band."""
    return {band: int(getattr(provider, f"left_{band}")) for band in BANDS}


def held_by(provider: Any) -> dict[str, int]:
    """A provider annotated by ``with_places_left``: places its live assignments hold."""
    return {band: int(getattr(provider, f"held_{band}")) for band in BANDS}


def left_words(provider: Any) -> str:
    """Places left of those offered, in the bands it offers: "1 of 1 high, 0 of 2 medium"."""
    left, offered = left_of(provider), provider.places
    return ", ".join(f"{left[band]} of {offered[band]} {band}" for band in BANDS if offered[band])


def _search(providers: ProviderQuerySet, q: str) -> ProviderQuerySet:
    condition = Q(name__icontains=q) | Q(summary__icontains=q)
    for value, label in Expertise.choices:
        if q.lower() in str(label).lower():
            condition |= Q(expertise__icontains=f'"{value}"')
    return providers.filter(condition)


def directory_rows(form: DirectoryFilterForm) -> ProviderQuerySet:
    """The providers the filters choose, available on the form's day, in its order."""
    found = SupportProvider.objects.available_on(form.day).with_ratings().with_places_left()
    if q := form.value("q").strip():
        found = _search(found, q)
    if designation := form.value("designation"):
        found = found.filter(designation=designation)
    found = found.offering(form.value("expertise") or None, form.value("phase") or None)
    if (band := form.value("place_in")) in BANDS:
        found = found.filter(**{f"left_{band}__gte": 1})
    if la := form.value("la"):
        found = found.filter(la_code=int(la))
    if area := form.value("area"):
        found = found.filter(home_urn__in=Establishment.objects.filter(district=area).values("urn"))
    sort, order = form.sort_order
    fields = [
        F(name).desc(nulls_last=True) if order == "desc" else F(name).asc(nulls_last=True)
        for name in _ORDERING[sort][:1]
    ]
    return found.order_by(*fields, *_ORDERING[sort][1:])


def sort_headers(query: QueryDict, sort: str, order: str) -> list[SortHeader]:
    """The directory's headings; each sortable one links to it sorted by that, page 1."""
    words = {(key, "asc"): asc for key, _, _, asc, _ in COLUMNS} | {
        (key, "desc"): desc for key, _, _, _, desc in COLUMNS
    }
    return sortable_headers(
        query,
        ((text, key, numeric) for key, text, numeric, _, _ in COLUMNS),
        sort,
        order,
        default=(DEFAULT_SORT, DEFAULT_ORDER),
        describe=lambda key, direction: words[(key, direction)],
    )


def rating_words(mean: float | None, count: int) -> str:
    if not count or mean is None:
        return "Not yet rated"
    return f"{mean:.1f} out of 5 ({count} rating{'s' if count != 1 else ''})"


def cost_words(provider: SupportProvider) -> str:
    parts = []
    if provider.cost_per_day is not None:
        parts.append(pounds(provider.cost_per_day) if provider.cost_per_day else "No charge")
    if provider.credits_per_day is not None:
        parts.append(f"{provider.credits_per_day} credits")
    return " or ".join(parts) or "No charge"


def _row(provider: Any) -> list[Cell]:
    href = reverse("brokerage:provider", kwargs={"pk": provider.pk})
    name = Cell(
        provider.name, href=href, header=True, tag="Synthetic" if provider.synthetic else ""
    )
    return [
        name,
        Cell(provider.get_designation_display()),
        Cell(labels(provider.expertise, Expertise)),
        Cell(labels(provider.phases, SupportPhase)),
        Cell(left_words(provider), numeric=True),
        Cell(rating_words(provider.rating_mean, provider.rating_count), numeric=True),
        Cell(cost_words(provider), numeric=True),
    ]


def _filter_form(request: HttpRequest) -> DirectoryFilterForm:
    las = la_names(SupportProvider.objects.order_by().values_list("la_code", flat=True).distinct())
    homes = SupportProvider.objects.filter(home_urn__isnull=False).values("home_urn")
    if la := request.GET.get("la", ""):
        homes = homes.filter(la_code=int(la)) if la.isdigit() else homes
    areas = (
        Establishment.objects.filter(urn__in=homes)
        .exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()
    )
    return DirectoryFilterForm(request.GET, las=las, areas=list(areas))


@role_required(*READ_ROLES)
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Providers offering support, searched, filtered and sorted, 25 to a page."""
    form = _filter_form(request)
    sort, order = form.sort_order
    page = Paginator(directory_rows(form), PAGE_SIZE).get_page(request.GET.get("page"))
    reader = scope(request)
    return render(
        request,
        "brokerage/directory.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(p) for p in page],
            "headers": sort_headers(request.GET, sort, order),
            "day": form.day,
            "custom_sort": (sort, order) != (DEFAULT_SORT, DEFAULT_ORDER),
            "can_offer": bool(reader.officer_las or reader.own),
            "breadcrumbs": crumbs(),
        },
    )


@dataclass(frozen=True)
class RatingView:
    score: int
    review: str
    rated_on: date
    school: str


def _ratings(request: HttpRequest, provider: SupportProvider) -> list[RatingView]:
    ratings = list(SupportRating.objects.for_directory(provider.pk))
    schools = Establishment.objects.in_bulk({r.urn for r in ratings})
    reader = scope(request)
    views = []
    for rating in ratings:
        school = schools.get(rating.urn)
        shown = school is not None and reader.can_see_who_rated(school)
        views.append(
            RatingView(
                rating.score,
                rating.review,
                rating.rated_on,
                school.name if shown and school else "",
            )
        )
    return views


def provider_facts(provider: Any, home: Establishment | None) -> list[SummaryRow]:
    available = f"From {provider.available_from:%-d %B %Y}"
    available += (
        f" to {provider.available_to:%-d %B %Y}" if provider.available_to else ", open-ended"
    )
    where = f"Easting {provider.easting}, northing {provider.northing}"
    if provider.location_from_home_school:
        where += " (the home school's location)"
    return [
        SummaryRow("Designation", provider.get_designation_display()),
        SummaryRow("Person or organisation", provider.get_kind_display()),
        SummaryRow("Home school", f"{home.name} (URN {home.urn})" if home else "None"),
        SummaryRow("Expertise", labels(provider.expertise, Expertise)),
        SummaryRow("Phases", labels(provider.phases, SupportPhase)),
        SummaryRow("Places this term", offer_words(provider.places)),
        SummaryRow(
            "Places left",
            f"{places_words(left_of(provider))}; approved matches hold "
            f"{places_words(held_by(provider))}",
        ),
        SummaryRow("Location", where),
        SummaryRow("Availability", available),
        SummaryRow("Cost a day", cost_words(provider)),
        SummaryRow("Rating", rating_words(provider.rating_mean, provider.rating_count)),
    ]


@role_required(*READ_ROLES)
@require_GET
def provider_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One provider's entry: what it offers, its places by band, and its ratings."""
    provider = SupportProvider.objects.with_ratings().with_places_left().filter(pk=pk).first()
    if provider is None:
        load_provider(pk)  # 404
    assert provider is not None
    home = (
        Establishment.objects.filter(urn=provider.home_urn).first() if provider.home_urn else None
    )
    return render(
        request,
        "brokerage/provider.html",
        {
            "provider": provider,
            "facts": provider_facts(provider, home),
            "ratings": _ratings(request, provider),
            "can_edit": scope(request).manages(provider),
            "breadcrumbs": crumbs(Link("Support directory", reverse("brokerage:directory"))),
        },
    )


# --- Adding and updating entries --------------------------------------------------------


def _homes(request: HttpRequest, also: int | None = None) -> list[tuple[int, str]]:
    """The schools a school leader may offer support from (their own, open)."""
    urns = set(scope(request).own) | ({also} if also else set())
    schools = Establishment.objects.filter(urn__in=urns).order_by("name")
    return [(s.urn, f"{s.name} (URN {s.urn})") for s in schools if s.is_open or s.urn == also]


def _values(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["summary"] = data.get("summary") or ""
    return data


@role_required(*OFFER_ROLES)
@require_http_methods(["GET", "POST"])
def provider_add(request: HttpRequest) -> HttpResponse:
    """Add an entry: an LA officer to their LA's directory, a school leader offering
    support from their school (and managing the entry)."""
    reader = scope(request)
    officer = bool(reader.officer_las)
    las = la_names(reader.officer_las)
    homes = [] if officer else _homes(request)
    denied_unless(officer or bool(homes))
    form = ProviderForm(posted(request), las=las, homes=homes)

    def record(data: dict[str, Any]) -> SupportProvider:
        data = _values(data)
        if officer:
            la_code = data.pop("la_code", None) or las[0][0]
            managers = []
        else:
            home = Establishment.objects.get(urn=data["home_urn"])
            la_code, managers = home.la_code or 0, [cast(User, request.user)]
        return add_provider(actor=request.user, la_code=la_code, managers=managers, **data)

    sent = on_submit(
        request,
        form,
        record,
        lambda p: (
            f"{p.name} added to the directory.",
            reverse("brokerage:provider", kwargs={"pk": p.pk}),
        ),
    )
    return sent or form_page(
        request,
        form,
        title="Add an entry to the support directory",
        caption="Support directory",
        submit="Add entry",
        back=reverse("brokerage:directory"),
        breadcrumbs=crumbs(Link("Support directory", reverse("brokerage:directory"))),
        intro=[
            "The entry is published to every school and officer who reads the directory.",
            PLACES_INTRO,
        ],
    )


def _initial(provider: SupportProvider) -> dict[str, Any]:
    initial = {name: getattr(provider, name) for name in UPDATABLE}
    if provider.location_from_home_school:
        initial["easting"] = initial["northing"] = None
    return initial


def _changes(provider: SupportProvider, data: dict[str, Any]) -> dict[str, Any]:
    data = _values(data)
    changed = {
        name: value
        for name, value in data.items()
        if name in UPDATABLE
        and name not in ("easting", "northing")
        and value != getattr(provider, name)
    }
    if data.get("easting") is not None:
        if (data["easting"], data["northing"]) != (provider.easting, provider.northing):
            changed |= {"easting": data["easting"], "northing": data["northing"]}
    elif data.get("home_urn") is not None and (
        not provider.location_from_home_school or "home_urn" in changed
    ):
        # Blank: the home school's location, which giving the home school brings.
        changed["home_urn"] = data["home_urn"]
    return changed


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Update an entry: its managers, and LA officers of its LA."""
    provider = load_provider(pk)
    reader = scope(request)
    denied_unless(reader.manages(provider))
    officer = reader.is_officer_for(provider.la_code)
    homes = [] if officer else _homes(request, provider.home_urn)
    form = ProviderForm(posted(request), homes=homes, editing=True, initial=_initial(provider))
    url = reverse("brokerage:provider", kwargs={"pk": provider.pk})

    def record(data: dict[str, Any]) -> bool:
        changed = _changes(provider, data)
        if changed:
            update_provider(provider, actor=request.user, **changed)
        return bool(changed)

    sent = on_submit(
        request,
        form,
        record,
        lambda changed: ("Entry updated." if changed else "Nothing was changed.", url),
    )
    return sent or form_page(
        request,
        form,
        title="Update the entry",
        caption=provider.name,
        submit="Save changes",
        back=url,
        breadcrumbs=crumbs(
            Link("Support directory", reverse("brokerage:directory")), Link(provider.name, url)
        ),
        intro=[
            "Entries are never deleted: to stop offering support, set the last day available.",
            PLACES_INTRO,
        ],
    )
