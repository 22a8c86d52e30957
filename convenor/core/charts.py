"""Charts as inline SVG, drawn on the server from Vega-Lite specs (DESIGN.md: charts).

A chart is never the only place a number appears: every page that shows one puts a table
of the same numbers beside it. :func:`line_chart` builds the Vega-Lite spec, renders it
with vl-convert and passes the SVG through :func:`sanitise_svg`, which keeps only plain
drawing elements and attributes so the result is safe to put in a page as it is: no
scripts, event handlers, styles (the Content-Security-Policy forbids inline styles), or
links out; ids made unique per chart; ``role="img"`` with the title as its accessible name.

Rendering costs tens of milliseconds a chart (the first in a process about a second,
while vl-convert starts its engine), so callers draw only charts that have data. The
rendered SVG is memoised on the complete spec: the key holds every number drawn, so a
cached chart is only ever returned to a caller that already had all of its data.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"

# GOV.UK Design System colours: blue, orange, dark grey, green, purple, red. The first
# three are "this school", its LA and England wherever a chart compares them.
PALETTE = ("#1d70b8", "#f47738", "#505a5f", "#00703c", "#912b88", "#d4351c")
# Dash patterns, so series differ by more than colour (WCAG 1.4.1).
DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3])

CHART_WIDTH = 420
CHART_HEIGHT = 220

ALLOWED_ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "path",
        "line",
        "rect",
        "circle",
        "ellipse",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "defs",
        "clipPath",
        "linearGradient",
        "radialGradient",
        "stop",
    }
)
ALLOWED_ATTRIBUTES = frozenset(
    {
        "class",
        "id",
        "d",
        "x",
        "y",
        "x1",
        "x2",
        "y1",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "dx",
        "dy",
        "width",
        "height",
        "points",
        "transform",
        "viewBox",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "opacity",
        "display",
        "visibility",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "clip-path",
        "clipPathUnits",
        "gradientUnits",
        "offset",
        "stop-color",
        "stop-opacity",
        "pointer-events",
        "shape-rendering",
        "aria-hidden",
    }
)
# The part of a ``style`` attribute that may become presentation attributes.
STYLE_PROPERTIES = ALLOWED_ATTRIBUTES - {"class", "id", "d", "points", "transform", "viewBox"}
URL_REFERENCE = re.compile(r"url\(\s*#([\w.-]+)\s*\)")
UNSAFE_VALUE = re.compile(r"url\(\s*[^#\s]|javascript:|data:|expression\(", re.IGNORECASE)


def line_chart(
    title: str,
    series: Mapping[str, Sequence[tuple[str, float | None]]],
    y_title: str,
    *,
    ident: str | None = None,
    x_order: Sequence[str] | None = None,
    zero: bool = True,
    styles: Sequence[int] | None = None,
) -> SafeString:
    """An inline SVG line chart of ``series`` (name -> (x label, value) points).

    ``None`` values are left out, and a series' line breaks across them rather than
    joining the years either side. The x axis is ordinal, in ``x_order`` (default: the
    labels sorted, which suits academic years such as "2016/17"). ``title`` becomes the
    chart's accessible name; ``ident`` (default: from the title) makes its ids unique
    on a page with several charts. ``zero`` keeps 0 on the y axis. ``styles`` gives
    each series, in order, its place in ``PALETTE`` and ``DASHES`` (default: its own
    place), so a series keeps its look on every chart even when another is left out.
    """
    spec = line_chart_spec(series, y_title, x_order=x_order, zero=zero, styles=styles)
    return mark_safe(_chart(json.dumps(spec, sort_keys=True), title, ident or slug(title)))


def line_chart_spec(
    series: Mapping[str, Sequence[tuple[str, float | None]]],
    y_title: str,
    *,
    x_order: Sequence[str] | None = None,
    zero: bool = True,
    styles: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The Vega-Lite spec :func:`line_chart` draws (a pure function of its input)."""
    labels = (
        list(x_order) if x_order is not None else sorted({x for s in series.values() for x, _ in s})
    )
    names = list(series)
    places = list(styles) if styles is not None else list(range(len(names)))
    if len(places) != len(names):
        raise ValueError(f"{len(names)} series but {len(places)} styles")
    colours = [PALETTE[i % len(PALETTE)] for i in places]
    dashes = [DASHES[i % len(DASHES)] for i in places]
    values: list[dict[str, Any]] = []
    for name, points in series.items():
        run = 0
        for x, y in points:
            if y is None:
                run += 1  # a gap: the next value starts a new line
                continue
            values.append({"x": x, "y": float(y), "series": name, "run": f"{name} {run}"})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "background": "#ffffff",
        "data": {"values": values},
        "mark": {"type": "line", "point": {"filled": True, "size": 45}, "strokeWidth": 2.5},
        "encoding": {
            "x": {
                "field": "x",
                "type": "ordinal",
                "title": None,
                "sort": labels,
                "scale": {"domain": labels},
                "axis": {"labelAngle": 0 if len(labels) <= 5 else -40},
            },
            "y": {
                "field": "y",
                "type": "quantitative",
                "title": y_title,
                "scale": {"zero": zero},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "sort": names,
                "scale": {"domain": names, "range": colours},
                "legend": {
                    "orient": "bottom",
                    "direction": "horizontal",
                    "symbolType": "stroke",
                    "symbolStrokeWidth": 3,
                    "symbolSize": 400,
                    "columns": 3 if len(names) < 4 else 2,
                },
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "sort": names,
                "scale": {"domain": names, "range": dashes},
            },
            "detail": {"field": "run", "type": "nominal"},
        },
        "config": {
            "font": "arial, sans-serif",
            "view": {"stroke": None},
            "axis": {
                "labelFontSize": 14,
                "titleFontSize": 14,
                "titleFontWeight": "normal",
                "labelColor": "#0b0c0c",
                "titleColor": "#0b0c0c",
            },
            "legend": {"labelFontSize": 14, "labelLimit": 260, "labelColor": "#0b0c0c"},
        },
    }


@lru_cache(maxsize=256)
def _chart(spec_json: str, title: str, ident: str) -> str:
    # Memoised on everything the chart is made of, so a hit returns only what the
    # caller had asked for in full.
    return sanitise_svg(render_svg(spec_json), title=title, ident=ident)


def render_svg(spec_json: str) -> str:
    """vl-convert's SVG for a Vega-Lite spec given as JSON."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(json.loads(spec_json))
    return svg


def slug(text: str) -> str:
    """Lower-case letters, digits and hyphens only, for ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def sanitise_svg(svg: str, *, title: str, ident: str) -> str:
    """``svg`` reduced to safe drawing markup, ready to put in an HTML5 page.

    Keeps only the elements and attributes in ``ALLOWED_ELEMENTS`` and
    ``ALLOWED_ATTRIBUTES`` (a ``style`` attribute becomes presentation attributes),
    drops any value pointing outside the chart, prefixes every id with ``ident`` so
    several charts can share a page, and makes the root ``role="img"`` named by
    ``title`` (also its ``<title>``). Raises ``ValueError`` if ``svg`` is not one
    SVG document.
    """
    if re.search(r"<!(DOCTYPE|ENTITY)", svg, re.IGNORECASE):
        raise ValueError("SVG with a DOCTYPE or entities is refused")
    root = ET.fromstring(svg)
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValueError(f"not an SVG document: <{root.tag}>")
    prefix = f"{slug(ident)}-"
    attributes = _safe_attributes(root, prefix)
    attributes = {k: v for k, v in attributes.items() if k not in ("class", "role")}
    root_attributes = {
        "xmlns": SVG_NS,
        **attributes,
        "class": "app-chart",
        "role": "img",
        "aria-label": title,
        "focusable": "false",
    }
    parts = [f"<svg{_attributes_html(root_attributes)}><title>{html.escape(title)}</title>"]
    if root.text and root.text.strip():
        parts.append(html.escape(root.text, quote=False))
    for child in root:
        _write(child, prefix, parts)
    parts.append("</svg>")
    return "".join(parts)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _safe_attributes(element: ET.Element, prefix: str) -> dict[str, str]:
    raw = dict(element.attrib)
    style = raw.pop("style", "")
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name = name.strip()
        if name in STYLE_PROPERTIES and name not in raw:
            raw[name] = value.strip()
    safe: dict[str, str] = {}
    for name, value in raw.items():
        if "}" in name or name not in ALLOWED_ATTRIBUTES or UNSAFE_VALUE.search(value):
            continue  # namespaced (xlink:href ...), unknown, event handlers, links out
        if name == "id":
            value = prefix + value
        else:
            value = URL_REFERENCE.sub(lambda m: f"url(#{prefix}{m.group(1)})", value)
        safe[name] = value
    return safe


def _attributes_html(attributes: Mapping[str, str]) -> str:
    return "".join(
        f' {name}="{html.escape(value, quote=True)}"' for name, value in attributes.items()
    )


def _write(element: ET.Element, prefix: str, parts: list[str]) -> None:
    tag = _local(element.tag)
    if tag in ALLOWED_ELEMENTS and tag != "svg":
        parts.append(f"<{tag}{_attributes_html(_safe_attributes(element, prefix))}>")
        if element.text:
            parts.append(html.escape(element.text, quote=False))
        for child in element:
            _write(child, prefix, parts)
        parts.append(f"</{tag}>")
    # A dropped element goes with everything in it; only the text after it stays.
    if element.tail and element.tail.strip():
        parts.append(html.escape(element.tail, quote=False))
