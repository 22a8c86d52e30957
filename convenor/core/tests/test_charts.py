"""Charts drawn on the server: line charts written directly as safe SVG."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convenor.core.charts import (
    CHART_WIDTH,
    DASHES,
    PALETTE,
    line_chart,
    nice_ticks,
    shorten,
    text_width,
)
from convenor.core.testing import page_problems

SERIES: dict[str, list[tuple[str, float | None]]] = {
    "This school": [("2015/16", 44.0), ("2016/17", None), ("2017/18", 40.0), ("2018/19", 60.0)],
    "Hampshire": [("2016/17", 66.0), ("2017/18", 68.0), ("2018/19", 68.0)],
}
SVG = "http://www.w3.org/2000/svg"
NS = f"{{{SVG}}}"

# What a chart may contain: plain drawing markup and presentation attributes only.
SAFE_ELEMENTS = {"svg", "title", "g", "rect", "line", "path", "circle", "text"}
SAFE_ATTRIBUTES = {
    "xmlns",
    "class",
    "role",
    "aria-label",
    "focusable",
    "width",
    "height",
    "viewBox",
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "cx",
    "cy",
    "r",
    "d",
    "transform",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-linejoin",
    "font-family",
    "font-size",
    "text-anchor",
}
COORDINATES = {"x": 0, "x1": 0, "x2": 0, "cx": 0, "y": 1, "y1": 1, "y2": 1, "cy": 1}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _page(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en" class="govuk-template"><head><title>Chart</title></head>'
        f'<body><main id="main-content"><h1>Chart</h1>{body}</main></body></html>'
    )


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _local(element: ET.Element) -> str:
    return element.tag.removeprefix(NS)


def _with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in e.get("class", "").split()]


def _child(element: ET.Element, tag: str) -> ET.Element:
    found = element.find(f"{NS}{tag}")
    assert found is not None, f"no <{tag}> in <{element.tag}>"
    return found


def _series(root: ET.Element) -> list[ET.Element]:
    return _with_class(root, "app-chart__series")


def _points(path: ET.Element) -> list[tuple[float, float]]:
    numbers = [float(n) for n in NUMBER.findall(path.get("d", ""))]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def _axis_texts(root: ET.Element, axis: str) -> list[str]:
    return [t.text or "" for g in _with_class(root, axis) for t in g.iter(f"{NS}text")]


def _y_ticks(root: ET.Element) -> list[float]:
    return [
        float(t.replace(",", "").replace("\u2212", "-"))
        for t in _axis_texts(root, "app-chart__y-axis")
    ]


def _view_box(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(n) for n in root.get("viewBox", "").split())
    return width, height


def _unsafe(root: ET.Element) -> list[str]:
    problems = []
    for element in root.iter():
        if not element.tag.startswith(NS) or _local(element) not in SAFE_ELEMENTS:
            problems.append(f"element {element.tag}")
        for name in element.attrib:
            if name not in SAFE_ATTRIBUTES or name == "style" or name.startswith("on"):
                problems.append(f"attribute {name} on {element.tag}")
    return problems


def test_it_draws_an_accessible_svg_that_parses_strictly_as_html5() -> None:
    svg = line_chart("Pupils meeting the expected standard", SERIES, "%", ident="rwm")
    assert svg.startswith(f'<svg xmlns="{SVG}"')
    root = _tree(svg)
    assert root.get("class") == "app-chart"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Pupils meeting the expected standard"
    assert root.get("focusable") == "false"
    assert _local(root[0]) == "title" and root[0].text == "Pupils meeting the expected standard"
    html5lib.HTMLParser(strict=True).parse(_page(svg))
    assert page_problems(_page(svg)) == []


def test_it_uses_only_safe_elements_and_attributes() -> None:
    root = _tree(line_chart("Title", SERIES, "Per cent of pupils", x_order=None, zero=False))
    assert _unsafe(root) == []


def test_it_draws_a_point_for_every_figure_and_never_one_for_a_missing_figure() -> None:
    school, hampshire = _series(_tree(line_chart("KS2", SERIES, "%")))
    assert len(school.findall(f"{NS}circle")) == 3
    assert len(hampshire.findall(f"{NS}circle")) == 3


def test_it_breaks_the_line_across_a_missing_year() -> None:
    years = [f"201{i}/1{i + 1}" for i in range(5)]
    values = [1.0, 2.0, None, 3.0, 4.0]
    (line,) = _series(_tree(line_chart("Gap", {"A": list(zip(years, values, strict=True))}, "%")))
    paths = line.findall(f"{NS}path")
    circles = [
        (float(c.get("cx", "")), float(c.get("cy", ""))) for c in line.findall(f"{NS}circle")
    ]
    assert [len(_points(p)) for p in paths] == [2, 2]
    assert all(p.get("d", "").count("M") == 1 for p in paths)
    assert _points(paths[0]) + _points(paths[1]) == circles


def test_a_figure_with_gaps_either_side_is_a_point_without_a_line() -> None:
    points = [("2015/16", 1.0), ("2016/17", None), ("2017/18", 2.0), ("2018/19", None)]
    (line,) = _series(_tree(line_chart("Alone", {"A": points}, "%")))
    assert line.findall(f"{NS}path") == []
    assert len(line.findall(f"{NS}circle")) == 2


def test_it_orders_the_years_and_keeps_every_year_on_the_axis() -> None:
    root = _tree(line_chart("KS2", SERIES, "%"))
    assert _axis_texts(root, "app-chart__x-axis") == ["2015/16", "2016/17", "2017/18", "2018/19"]
    ordered = _tree(
        line_chart("KS2", SERIES, "%", x_order=["2018/19", "2017/18", "2016/17", "2015/16"])
    )
    assert _axis_texts(ordered, "app-chart__x-axis")[0] == "2018/19"


def test_it_spaces_the_years_evenly() -> None:
    (line,) = _series(
        _tree(line_chart("Even", {"A": [(str(y), float(y)) for y in range(2010, 2014)]}, "n"))
    )
    xs = [float(c.get("cx", "")) for c in line.findall(f"{NS}circle")]
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert max(gaps) - min(gaps) <= 0.11  # coordinates are written to 0.1


def test_it_turns_the_year_labels_when_there_are_more_than_five() -> None:
    years = [f"20{i:02}/{i + 1:02}" for i in range(10, 16)]
    few = _tree(line_chart("Few", {"A": [(y, 1.0) for y in years[:5]]}, "n"))
    many = _tree(line_chart("Many", {"A": [(y, 1.0) for y in years]}, "n"))
    assert not any(
        t.get("transform")
        for g in _with_class(few, "app-chart__x-axis")
        for t in g.iter(f"{NS}text")
    )
    turned = [t for g in _with_class(many, "app-chart__x-axis") for t in g.iter(f"{NS}text")]
    assert len(turned) == 6 and all(
        t.get("transform", "").startswith("rotate(-45 ") for t in turned
    )
    # Turned 45 degrees, neighbouring labels' baselines are (gap * sin 45) apart: more than
    # a line of text, so they never overlap.
    xs = [float(t.get("x", "")) for t in turned]
    assert min(b - a for a, b in itertools.pairwise(xs)) * math.sin(math.pi / 4) > 14


def test_it_shortens_very_long_year_labels() -> None:
    label = "An unusually long label for one period of time"
    root = _tree(
        line_chart("Long", {"A": [(label, 1.0), ("Short", 2.0)]}, "n", x_order=[label, "Short"])
    )
    texts = _axis_texts(root, "app-chart__x-axis")
    assert texts[0].endswith("…") and label.startswith(texts[0][:-1]) and texts[1] == "Short"


def test_it_keeps_zero_on_the_axis_unless_told_not_to() -> None:
    series = {"A": [("2016/17", 40.0), ("2017/18", 60.0)]}
    with_zero = _y_ticks(_tree(line_chart("Z", series, "%")))
    without = _y_ticks(_tree(line_chart("Z", series, "%", zero=False)))
    assert with_zero[0] == 0 and with_zero[-1] >= 60
    assert 0 < without[0] <= 40 and without[-1] >= 60


def test_it_draws_negative_progress_scores_on_round_ticks() -> None:
    series = {"Progress": [("2016/17", -3.2), ("2017/18", 1.5), ("2018/19", None)]}
    root = _tree(line_chart("Progress", series, "Score", zero=False))
    ticks = _y_ticks(root)
    assert ticks == [-4, -2, 0, 2]
    assert "\u22124" in _axis_texts(root, "app-chart__y-axis")


@pytest.mark.parametrize(
    ("low", "high", "zero", "expected"),
    [
        (40, 68, True, [0, 20, 40, 60, 80]),
        (0, 100, True, [0, 20, 40, 60, 80, 100]),
        (-3.2, 1.5, False, [-4, -2, 0, 2]),
        (91.2, 96.7, False, [90, 92, 94, 96, 98]),
        (45.5, 54.5, False, [45, 50, 55, 60]),  # 2s would need 7 ticks: pad 5s to 4
        (-54.5, -45.5, False, [-60, -55, -50, -45]),
        (50, 50, True, [0, 10, 20, 30, 40, 50]),
        (50, 50, False, [40, 45, 50, 55, 60]),
        (0, 0, True, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (-2, -2, True, [-2, -1.5, -1, -0.5, 0]),
        (0.3, 0.3000000001, False, [0.2, 0.25, 0.3, 0.35, 0.4]),
        (-1e4, 1e4, True, [-10000, -5000, 0, 5000, 10000]),
    ],
)
def test_ticks_are_round_numbers_covering_the_figures(
    low: float, high: float, zero: bool, expected: list[float]
) -> None:
    assert nice_ticks(low, high, zero=zero) == expected


@settings(max_examples=300, deadline=None)
@given(
    a=st.floats(-1e4, 1e4, allow_nan=False),
    b=st.floats(-1e4, 1e4, allow_nan=False),
    zero=st.booleans(),
)
def test_ticks_are_4_to_6_steps_of_1_2_or_5_covering_the_figures(
    a: float, b: float, zero: bool
) -> None:
    low, high = min(a, b), max(a, b)
    ticks = nice_ticks(low, high, zero=zero)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert 4 <= len(ticks) <= 6
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))
    assert all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in itertools.pairwise(ticks))
    # Within a billionth (of the step, or of 1): rounding error, invisible once drawn.
    slack = 1e-9 * max(step, 1)
    assert ticks[0] <= low + slack and ticks[-1] >= high - slack
    if zero:
        assert any(abs(t) < step / 1000 for t in ticks)


def test_a_single_figure_is_a_point_on_a_round_axis() -> None:
    root = _tree(line_chart("One", {"A": [("2018/19", 7.0), ("2017/18", None)]}, "n"))
    (line,) = _series(root)
    assert len(line.findall(f"{NS}circle")) == 1 and line.findall(f"{NS}path") == []
    assert _y_ticks(root)[0] == 0 and _y_ticks(root)[-1] >= 7


def test_a_chart_without_figures_is_an_empty_frame_saying_so() -> None:
    root = _tree(line_chart("Nothing", {"A": [("2016/17", None), ("2017/18", None)]}, "%"))
    assert _series(root)[0].findall(f"{NS}*") == []
    assert _y_ticks(root) == []
    assert "No figures to draw" in [t.text for t in root.iter(f"{NS}text")]
    assert _axis_texts(root, "app-chart__x-axis") == ["2016/17", "2017/18"]
    assert len(_with_class(root, "app-chart__legend-entry")) == 1


def test_the_legend_has_one_entry_per_series_with_its_colour_and_dash() -> None:
    series = {
        name: [("2016/17", 1.0), ("2017/18", 2.0)] for name in ("This school", "LA", "England")
    }
    root = _tree(line_chart("Legend", series, "%", styles=[0, 2, 5]))
    entries = _with_class(root, "app-chart__legend-entry")
    assert [_child(e, "text").text for e in entries] == list(series)
    samples = [_child(e, "line") for e in entries]
    assert [s.get("stroke") for s in samples] == [PALETTE[0], PALETTE[2], PALETTE[5]]
    assert [s.get("stroke-dasharray") for s in samples] == [
        None,
        " ".join(map(str, DASHES[2])),
        " ".join(map(str, DASHES[5])),
    ]
    lines = [_child(g, "path") for g in _series(root)]
    assert [p.get("stroke") for p in lines] == [s.get("stroke") for s in samples]
    assert [p.get("stroke-dasharray") for p in lines] == [
        s.get("stroke-dasharray") for s in samples
    ]


def test_a_series_keeps_its_style_when_another_is_left_out() -> None:
    root = _tree(
        line_chart(
            "Two",
            {"This school": [("2016/17", 1.0)], "England": [("2016/17", 2.0)]},
            "%",
            styles=[0, 2],
        )
    )
    assert [_child(g, "circle").get("fill") for g in _series(root)] == [PALETTE[0], PALETTE[2]]


def test_the_legend_wraps_and_shortens_long_names_inside_the_chart() -> None:
    names = [f"A rather long series name, number {i}" for i in range(5)] + ["x" * 200]
    root = _tree(line_chart("Wide", {n: [("2016/17", float(i))] for i, n in enumerate(names)}, "n"))
    entries = _with_class(root, "app-chart__legend-entry")
    texts = [_child(e, "text") for e in entries]
    assert len(entries) == 6
    assert len({t.get("y") for t in texts}) > 1
    for text in texts:
        assert float(text.get("x", "")) + text_width(text.text or "") <= CHART_WIDTH
    assert (texts[-1].text or "").endswith("…")
    _, height = _view_box(root)
    assert all(float(t.get("y", "")) <= height for t in texts)


def test_it_refuses_styles_that_do_not_match_the_series() -> None:
    with pytest.raises(ValueError, match="2 series but 1 styles"):
        line_chart("x", SERIES, "%", styles=[0])


def test_it_refuses_a_point_that_is_not_on_the_x_axis() -> None:
    with pytest.raises(ValueError, match="not on the x axis"):
        line_chart("x", SERIES, "%", x_order=["2015/16"])


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_it_refuses_a_value_that_is_not_a_finite_number(value: float) -> None:
    with pytest.raises(ValueError, match="only finite numbers"):
        line_chart("x", {"A": [("2016/17", value)]}, "%")


def test_it_escapes_the_title_series_names_and_axis_title() -> None:
    nasty = '"Fish" & <chips><script>alert(1)</script>'
    svg = line_chart(nasty, {nasty: [("<b>2016</b>", 1.0)]}, nasty)
    assert "<script" not in svg and "<chips" not in svg and "<b>" not in svg
    assert 'aria-label="&quot;Fish&quot; &amp; &lt;chips&gt;' in svg
    root = _tree(svg)
    assert root.get("aria-label") == nasty and root[0].text == nasty
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "<b>2016</b>" in texts
    assert any(t and t.startswith('"Fish" & <chips>') for t in texts)
    assert _unsafe(root) == []
    html5lib.HTMLParser(strict=True).parse(_page(svg))


def test_it_drops_characters_that_xml_and_html_refuse() -> None:
    svg = line_chart("Bell\x07 and \x00null\ufffe", {"A\x1b": [("2016/17", 1.0)]}, "%\udc80")
    assert _tree(svg).get("aria-label") == "Bell and null"
    assert page_problems(_page(svg)) == []


def test_two_charts_on_one_page_share_no_ids() -> None:
    first = line_chart("One", SERIES, "%", ident="one")
    second = line_chart("Two", SERIES, "%", ident="two")
    ids = [e.get("id") for svg in (first, second) for e in _tree(svg).iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert page_problems(_page(first + second)) == []


def test_numbers_are_written_compactly() -> None:
    svg = line_chart(
        "Thirds", {"A": [("a", 1 / 3), ("b", 2 / 3), ("c", 0.1 + 0.2)]}, "n", zero=False
    )
    numbers = re.findall(r"\d+\.\d+", svg)
    assert numbers and all(len(n.split(".")[1]) == 1 for n in numbers)


def test_shorten_keeps_text_that_fits_and_cuts_text_that_does_not() -> None:
    assert shorten("England", 100) == "England"
    cut = shorten("A very long name indeed", 60)
    assert cut.endswith("…") and text_width(cut) <= 60


LABELS = st.lists(st.text(max_size=12), min_size=1, max_size=10, unique=True)
VALUE = st.none() | st.floats(-1e4, 1e4, allow_nan=False)


@st.composite
def charts(
    draw: st.DrawFn,
) -> tuple[dict[str, list[tuple[str, float | None]]], list[str] | None, bool]:
    labels = draw(LABELS)
    names = draw(st.lists(st.text(max_size=40), max_size=6, unique=True))
    series = {name: [(label, draw(VALUE)) for label in labels] for name in names}
    order = labels if series == {} or draw(st.booleans()) else None  # None: sorted labels
    return series, order, draw(st.booleans())


@settings(max_examples=200, deadline=None)
@given(chart=charts(), title=st.text(max_size=60), y_title=st.text(max_size=40))
def test_any_chart_is_well_formed_with_every_coordinate_inside_it(
    chart: tuple[dict[str, list[tuple[str, float | None]]], list[str] | None, bool],
    title: str,
    y_title: str,
) -> None:
    series, order, zero = chart
    svg = line_chart(title, series, y_title, x_order=order, zero=zero)
    root = _tree(svg)
    assert _unsafe(root) == []
    assert page_problems(_page(svg)) == []
    width, height = _view_box(root)
    size = (width, height)
    for element in root.iter():
        for name, axis in COORDINATES.items():
            if name in element.attrib:
                value = float(element.attrib[name])
                assert math.isfinite(value) and 0 <= value <= size[axis], (name, value)
        points = _points(element) if "d" in element.attrib else []
        turn = re.fullmatch(
            r"rotate\(-?\d+ (\S+) (\S+)\)", element.get("transform", "") or "rotate(0 0 0)"
        )
        assert turn is not None
        points.append((float(turn.group(1)), float(turn.group(2))))
        for x, y in points:
            assert math.isfinite(x) and math.isfinite(y)
            assert 0 <= x <= width and 0 <= y <= height, (x, y)
    drawn = sum(v is not None for points in series.values() for _, v in points)
    assert sum(len(g.findall(f"{NS}circle")) for g in _series(root)) == drawn
    assert len(_with_class(root, "app-chart__legend-entry")) == len(series)
