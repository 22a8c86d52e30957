"""Charts drawn on the server: the Vega-Lite spec, and the SVG made safe for a page."""

from __future__ import annotations

import html5lib
import pytest

from convenor.core.charts import line_chart, line_chart_spec, sanitise_svg, slug
from convenor.core.testing import page_problems

SERIES: dict[str, list[tuple[str, float | None]]] = {
    "This school": [("2015/16", 44.0), ("2016/17", None), ("2017/18", 40.0), ("2018/19", 60.0)],
    "Hampshire": [("2016/17", 66.0), ("2017/18", 68.0), ("2018/19", 68.0)],
}
SVG = "http://www.w3.org/2000/svg"


def _page(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en" class="govuk-template"><head><title>Chart</title></head>'
        f'<body><main id="main-content"><h1>Chart</h1>{body}</main></body></html>'
    )


def test_it_leaves_missing_values_out_of_the_data_instead_of_drawing_zero() -> None:
    values = line_chart_spec(SERIES, "%")["data"]["values"]
    school = [(v["x"], v["y"]) for v in values if v["series"] == "This school"]
    assert school == [("2015/16", 44.0), ("2017/18", 40.0), ("2018/19", 60.0)]


def test_it_breaks_the_line_across_a_missing_year() -> None:
    values = line_chart_spec(SERIES, "%")["data"]["values"]
    runs = [v["run"] for v in values if v["series"] == "This school"]
    assert runs[0] != runs[1] == runs[2]


def test_it_orders_the_years_and_keeps_every_year_on_the_axis() -> None:
    x = line_chart_spec(SERIES, "%")["encoding"]["x"]
    assert x["scale"]["domain"] == ["2015/16", "2016/17", "2017/18", "2018/19"]


def test_it_gives_a_series_the_style_it_is_told() -> None:
    spec = line_chart_spec(
        {"This school": [("2016/17", 1.0)], "England": [("2016/17", 2.0)]}, "%", styles=[0, 2]
    )
    assert spec["encoding"]["color"]["scale"]["range"] == ["#1d70b8", "#505a5f"]


def test_it_refuses_styles_that_do_not_match_the_series() -> None:
    with pytest.raises(ValueError, match="2 series but 1 styles"):
        line_chart_spec(SERIES, "%", styles=[0])


def test_it_draws_an_accessible_svg_that_parses_strictly_as_html5() -> None:
    svg = line_chart("Pupils meeting the expected standard", SERIES, "%", ident="rwm")
    assert svg.startswith(f'<svg xmlns="{SVG}"')
    assert 'role="img"' in svg
    assert 'aria-label="Pupils meeting the expected standard"' in svg
    assert "<title>Pupils meeting the expected standard</title>" in svg
    assert "<script" not in svg and "style=" not in svg
    html5lib.HTMLParser(strict=True).parse(_page(svg))
    assert page_problems(_page(svg)) == []


def test_two_charts_on_one_page_share_no_ids() -> None:
    svg = (
        f'<svg xmlns="{SVG}"><defs><clipPath id="clip1"><rect width="1" height="1"/></clipPath>'
        '</defs><g clip-path="url(#clip1)"><path d="M0,0"/></g></svg>'
    )
    first = sanitise_svg(svg, title="One", ident="one")
    second = sanitise_svg(svg, title="Two", ident="two")
    assert 'id="one-clip1"' in first and 'clip-path="url(#one-clip1)"' in first
    assert page_problems(_page(first + second)) == []


def test_it_strips_scripts_handlers_styles_and_links_out() -> None:
    svg = (
        f'<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)" '
        'width="10" height="10">'
        "<script>alert(1)</script>"
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'
        "<style>rect { fill: red }</style>"
        '<a xlink:href="https://example.org"><text>link</text></a>'
        '<rect onclick="alert(1)" style="fill: #1d70b8; behaviour: x" width="5" height="5"/>'
        '<image href="https://example.org/x.png"/>'
        '<path fill="url(https://example.org/x)" d="M0,0"/>'
        '<text x="1">A &lt;b&gt; label</text>'
        "</svg>"
    )
    clean = sanitise_svg(svg, title="Safe", ident="safe")
    for unsafe in ("script", "alert", "foreignObject", "<style", "example.org", "<image", "<a "):
        assert unsafe not in clean
    assert '<rect width="5" height="5" fill="#1d70b8"></rect>' in clean
    assert "A &lt;b&gt; label" in clean
    html5lib.HTMLParser(strict=True).parse(_page(clean))


def test_it_escapes_the_title() -> None:
    clean = sanitise_svg(f'<svg xmlns="{SVG}"></svg>', title='"Fish" & <chips>', ident="x")
    assert 'aria-label="&quot;Fish&quot; &amp; &lt;chips&gt;"' in clean
    assert "<title>&quot;Fish&quot; &amp; &lt;chips&gt;</title>" in clean


def test_it_refuses_entities_and_documents_that_are_not_svg() -> None:
    with pytest.raises(ValueError, match="DOCTYPE"):
        sanitise_svg(
            '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="' + SVG + '"/>', title="x", ident="x"
        )
    with pytest.raises(ValueError, match="not an SVG"):
        sanitise_svg("<html/>", title="x", ident="x")


def test_slug_makes_a_usable_id() -> None:
    assert slug("Reading, writing & maths %") == "reading-writing-maths"
    assert slug("%%") == "chart"
