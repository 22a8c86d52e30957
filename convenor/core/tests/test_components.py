"""The GOV.UK component includes and the layout, rendered and put through the page checks."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory

from convenor.core.components import Cell, Link, SummaryRow, Table, pagination
from convenor.core.testing import check_page, page_problems

PAGE = """{% extends "layouts/base.html" %}
{% block title %}{% if form.errors %}Error: {% endif %}Components - convenor{% endblock %}
{% block beforeContent %}{{ before }}{% endblock %}
{% block content %}{% if form %}{% include "components/error_summary.html" %}{% endif %}
<h1 class="govuk-heading-l">Components</h1>
BODY
{% endblock %}"""


def render_page(body: str, context: dict[str, Any] | None = None, path: str = "/") -> str:
    """Render ``body`` inside the real layout, as an anonymous visitor at ``path``."""
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    template = engines["django"].from_string(PAGE.replace("BODY", body))
    return template.render(context or {}, request)


class EveryKindForm(forms.Form):
    name = forms.CharField(label="School name", help_text="As on the register")
    note = forms.CharField(label="Note", widget=forms.Textarea)
    phase = forms.ChoiceField(label="Phase", choices=[("p", "Primary"), ("s", "Secondary")])
    open = forms.BooleanField(label="Open only", required=False, help_text="Leave unticked")
    tiers = forms.MultipleChoiceField(
        label="Tiers",
        choices=[("cluster", "Cluster"), ("area", "Area")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose any",
    )
    risk = forms.ChoiceField(
        label="Risk", choices=[("high", "High"), ("low", "Low")], widget=forms.RadioSelect
    )


FIELDS = "".join(
    f'{{% include "components/form_field.html" with field=form.{name} %}}'
    for name in EveryKindForm.base_fields
)


def test_the_layout_passes_the_page_checks_with_its_landmarks() -> None:
    html = render_page("")
    check_page(html, "layout")
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert 'href="#main-content" class="govuk-skip-link"' in html
    assert "Demo data: real public data as at early 2020, synthetic where labelled" in html
    assert "govuk-frontend.min.css" in html
    assert "import { initAll } from '/static/govuk/govuk-frontend.min.js'; initAll()" in html


def test_the_footer_attributes_the_open_government_licence() -> None:
    html = render_page("")
    text = " ".join(html.split())
    assert (
        "Contains public sector information licensed under the "
        '<a class="govuk-footer__link" '
        'href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" '
        'rel="license">Open Government Licence v3.0</a>. Source: Department for Education, '
        "Ofsted, Office for National Statistics."
    ) in text


def test_the_layout_puts_the_csp_nonce_on_both_scripts() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.csp_nonce = "n0nce"  # type: ignore[attr-defined]
    html = engines["django"].from_string(PAGE.replace("BODY", "")).render({}, request)
    assert html.count('nonce="n0nce"') == 2


def test_the_layout_offers_sign_in_to_anonymous_visitors_and_returns_them() -> None:
    html = render_page("", path="/schools/?la=850")
    assert ">Sign in</a>" in html and "?next=/schools/%3Fla%3D850" in html
    assert "Sign out" not in html and ">Admin</a>" not in html


@pytest.mark.django_db
def test_the_layout_offers_admin_to_staff_and_sign_out_as_a_post() -> None:
    from django.contrib.auth import get_user_model

    request = RequestFactory().get("/")
    request.user = get_user_model()(username="steward", is_staff=True)
    html = engines["django"].from_string(PAGE.replace("BODY", "")).render({}, request)
    check_page(html, "staff layout")
    assert ">Admin</a>" in html
    assert '<form method="post" action="' in html and "csrfmiddlewaretoken" in html
    assert ">Sign out</button>" in html and ">Sign in</a>" not in html


def test_the_500_page_renders_without_a_request() -> None:
    check_page(render_to_string("500.html"), "500.html")


@pytest.mark.django_db
def test_the_404_page_passes_the_page_checks(page_client) -> None:
    response = page_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_form_fields_of_every_kind_pass_the_page_checks() -> None:
    html = render_page(FIELDS, {"form": EveryKindForm()})
    check_page(html, "form")
    assert 'class="govuk-input" aria-describedby="id_name_helptext"' in html
    assert '<textarea name="note" cols="40" rows="10" class="govuk-textarea"' in html
    assert 'class="govuk-select"' in html
    assert 'class="govuk-checkboxes__input" aria-describedby="id_open_helptext"' in html
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_tiers_helptext">' in html
    assert 'id="id_tiers_1" name="tiers" type="checkbox" value="area"' in html
    assert 'id="id_risk_0" name="risk" type="radio" value="high"' in html
    assert "govuk-error-summary" not in html


def test_form_fields_show_their_errors_linked_from_the_summary() -> None:
    form = EveryKindForm({"name": "", "note": "n", "phase": "p"})
    html = render_page(FIELDS, {"form": form})
    check_page(html, "form with errors")
    assert "<title>Error: Components - convenor</title>" in html
    assert '<li><a href="#id_name">This field is required.</a></li>' in html
    assert '<li><a href="#id_tiers_0">This field is required.</a></li>' in html
    assert '<li><a href="#id_risk_0">This field is required.</a></li>' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert '<p id="id_name_error" class="govuk-error-message">' in html
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_risk_error">' in html


def test_a_chosen_option_stays_chosen() -> None:
    form = EveryKindForm({"tiers": ["area"], "risk": "low"})
    html = " ".join(render_page(FIELDS, {"form": form}).split())
    assert 'id="id_tiers_1" name="tiers" type="checkbox" value="area" checked>' in html
    assert 'id="id_risk_1" name="risk" type="radio" value="low" checked>' in html
    assert 'value="cluster" checked' not in html


def test_the_table_lays_out_cells_links_numbers_and_tags() -> None:
    table = Table(
        caption="Schools",
        head=(Cell("Name"), Cell("Pupils", numeric=True)),
        rows=[
            (Cell("Newtown Primary", href="/schools/1/", header=True), Cell.of(210, numeric=True)),
            (Cell("Made-up School", tag="Synthetic"), Cell.of(None, numeric=True)),
        ],
    )
    html = render_page('{% include "components/table.html" %}', {"table": table})
    check_page(html, "table")
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Schools</caption>' in html
    assert 'class="govuk-table__header govuk-table__header--numeric">Pupils</th>' in html
    assert (
        '<th scope="row" class="govuk-table__header">'
        '<a class="govuk-link" href="/schools/1/">Newtown Primary</a></th>'
    ) in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">210</td>' in html
    assert 'Made-up School <strong class="govuk-tag govuk-tag--grey">Synthetic</strong>' in html


def test_an_empty_table_says_so_across_every_column() -> None:
    table = Table("Schools", head=(Cell("A"), Cell("B")), rows=[], empty="No schools.")
    html = render_page('{% include "components/table.html" %}', {"table": table})
    assert '<td class="govuk-table__cell" colspan="2">No schools.</td>' in html


def test_summary_list_back_link_and_breadcrumbs_pass_the_page_checks() -> None:
    body = (
        '{% include "components/summary_list.html" %}'
        '{% include "components/tag.html" with text="Synthetic" %}'
    )
    before = engines["django"].from_string(
        '{% include "components/breadcrumbs.html" %}'
        '{% include "components/back_link.html" with href="/" %}'
    )
    context = {
        "rows": [
            SummaryRow("URN", "116336"),
            SummaryRow("Name", "Newtown Primary", action=Link("Change", "/edit/")),
        ],
        "links": [Link("Home", "/"), Link("Schools", "/schools/")],
    }
    context["before"] = before.render(context)
    html = render_page(body, context)
    check_page(html, "summary list")
    assert (
        '<a class="govuk-link" href="/edit/">Change'
        '<span class="govuk-visually-hidden"> name</span></a>'
    ) in html
    assert "govuk-summary-list__row--no-actions" in html
    assert '<a class="govuk-breadcrumbs__link" href="/schools/">Schools</a>' in html
    assert '<a href="/" class="govuk-back-link">Back</a>' in html


def test_pagination_is_empty_for_one_page() -> None:
    page = Paginator(range(10), 50).get_page(1)
    assert pagination(page, QueryDict("la=850")) is None


def test_pagination_keeps_the_filters_and_elides_far_pages() -> None:
    page = Paginator(range(1000), 50).get_page(10)
    result = pagination(page, QueryDict("la=850&page=10&open=1"))
    assert result is not None
    assert result.previous == "?la=850&page=9&open=1"
    assert result.next == "?la=850&page=11&open=1"
    numbers = [item.number for item in result.items]
    assert numbers == [1, None, 9, 10, 11, None, 20]
    assert [item.number for item in result.items if item.current] == [10]


def test_pagination_has_no_previous_on_the_first_page_nor_next_on_the_last() -> None:
    paginator = Paginator(range(100), 50)
    first = pagination(paginator.get_page(1), QueryDict())
    last = pagination(paginator.get_page(2), QueryDict())
    assert first is not None and first.previous == "" and first.next == "?page=2"
    assert last is not None and last.next == "" and last.previous == "?page=1"


def test_the_pagination_component_passes_the_page_checks() -> None:
    page = Paginator(range(1000), 50).get_page(2)
    html = render_page('{% include "components/pagination.html" %}', {"page": page})
    assert page_problems(html) == []
    assert 'aria-label="Page 2" aria-current="page">2</a>' in html
    assert "govuk-pagination__item--ellipsis" in html
