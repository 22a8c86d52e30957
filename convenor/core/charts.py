"""Line charts drawn on the server as inline SVG, in plain Python (ADR 0005).

A chart is never the only place a number appears: every page that shows one puts a table
of the same numbers beside it. :func:`line_chart` is the one chart type the product needs:
years along an ordinal x axis, a linear y axis with round-numbered ticks, up to six series
told apart by colour and dash pattern, a point at every figure, a line that breaks where a
figure is missing, and a legend below.

The SVG is written directly as safe markup rather than cleaned up afterwards: only plain
drawing elements (``svg``, ``title``, ``g``, ``rect``, ``line``, ``path``, ``circle``,
``text``) with presentation attributes, every piece of text escaped, no ``style``
attributes (the Content-Security-Policy forbids inline styles), no scripts, no links and
no ids, so several charts can share a page. The root is ``role="img"`` with the chart's
title as its accessible name and its first child.

Drawing a chart takes well under a millisecond (about 0.65 ms for three series over six
years; vl-convert, used before, took about 30 ms and over half a second to start in each
process), so nothing is memoised: a memo would save a profile of 14 charts about 9 ms,
and only on a repeat view of the same school.

Text is not measured by a browser here: widths are estimated from Arial's glyph widths,
erring wide, to place labels so they do not overlap and to shorten the few that would
not fit (with "…"; the table beside the chart has them in full).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"

# GOV.UK Design System colours: blue, orange, dark grey, green, purple, red. The first
# three are "this school", its LA and England wherever a chart compares them.
PALETTE = ("#1d70b8", "#f47738", "#505a5f", "#00703c", "#912b88", "#d4351c")
# Dash patterns, so series differ by more than colour (WCAG 1.4.1). [1, 0] is solid.
DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3])

# The drawing without its legend (axes, labels, plot); the legend adds rows below.
CHART_WIDTH = 480
CHART_HEIGHT = 270

FONT_FAMILY = "arial, sans-serif"
FONT_SIZE = 14
TEXT_COLOUR = "#0b0c0c"  # GOV.UK text
AXIS_COLOUR = "#484949"  # GOV.UK secondary text
GRID_COLOUR = "#cecece"  # GOV.UK border
BACKGROUND = "#ffffff"

PAD = 8  # around the drawing
TICK_GAP = 6  # between an axis and its labels
LINE_WIDTH = 2.5
POINT_RADIUS = 3.5
LEGEND_ROW = 24
LEGEND_SAMPLE = 32  # length of the line drawn beside a series' name
LEGEND_GAP = 20  # between legend entries in a row
MAX_X_LABEL = 14  # characters: longer x labels are shortened
ROTATED = 45  # degrees x labels turn when they would not fit side by side
MAX_HORIZONTAL_LABELS = 5
ELLIPSIS = "…"
MINUS = "\u2212"

# Characters XML 1.0 and HTML5 refuse (C0/C1 controls, lone surrogates, noncharacters):
# dropped from any text before it is escaped, so the markup is always well formed.
_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
    )
    + "]"
)

# Arial advance widths in thousandths of an em, for estimating how wide a text is.
_ARIAL_WIDTHS = {
    **dict.fromkeys("'", 191),
    **dict.fromkeys("ijl", 222),
    **dict.fromkeys(" !,./:;I[\\]ft|", 278),
    **dict.fromkeys("()-`r{}", 333),
    **dict.fromkeys('"', 355),
    **dict.fromkeys("*", 389),
    **dict.fromkeys("^", 469),
    **dict.fromkeys("Jckstvxyz?", 500),
    **dict.fromkeys("0123456789#$Labdeghnopqu_", 556),
    **dict.fromkeys("+<=>~\u2212", 584),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("&ABEKPSVXY", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("Mm", 833),
    **dict.fromkeys("%", 889),
    **dict.fromkeys("W", 944),
    **dict.fromkeys("@\u2026", 1000),
}


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
    joining the years either side (a figure with a gap on both sides is a point alone).
    The x axis is ordinal, in ``x_order`` (default: the labels sorted, which suits
    academic years such as "2016/17"); a point whose label is not on the axis is an
    error. ``title`` becomes the chart's accessible name. ``ident`` names the chart on a
    page with several; the drawing has no ids, so it needs none to be unique. ``zero``
    keeps 0 on the y axis. ``styles`` gives each series, in order, its place in
    ``PALETTE`` and ``DASHES`` (default: its own place), so a series keeps its look on
    every chart even when another is left out. A chart with no figures at all is an
    empty frame saying so.

    Raises ``ValueError`` when ``styles`` does not match the series, a point's label is
    not on the x axis, or a value is not a finite number.
    """
    del ident  # kept for callers; ids would be prefixed with it, and there are none
    labels = (
        list(x_order) if x_order is not None else sorted({x for s in series.values() for x, _ in s})
    )
    places = list(styles) if styles is not None else list(range(len(series)))
    if len(places) != len(series):
        raise ValueError(f"{len(series)} series but {len(places)} styles")
    lines = [
        _Line(name, _runs(name, points, labels), places[i])
        for i, (name, points) in enumerate(series.items())
    ]
    return mark_safe(_draw(title, y_title, labels, lines, zero))


@dataclass(frozen=True)
class _Line:
    name: str
    runs: list[list[tuple[int, float]]]  # unbroken stretches of (x index, value)
    place: int

    @property
    def colour(self) -> str:
        return PALETTE[self.place % len(PALETTE)]

    @property
    def dash(self) -> str:
        pattern = DASHES[self.place % len(DASHES)]
        return "" if pattern[1:] == [0] else " ".join(str(n) for n in pattern)


def _runs(
    name: str, points: Sequence[tuple[str, float | None]], labels: Sequence[str]
) -> list[list[tuple[int, float]]]:
    """The series' figures as unbroken runs, in the order given; a ``None`` ends a run."""
    index: dict[str, int] = {}
    for i, label in enumerate(labels):
        index.setdefault(label, i)
    runs: list[list[tuple[int, float]]] = [[]]
    for x, y in points:
        if x not in index:
            raise ValueError(f"series {name!r} has a point at {x!r}, which is not on the x axis")
        if y is None:
            if runs[-1]:
                runs.append([])
            continue
        value = float(y)
        if not math.isfinite(value):
            raise ValueError(
                f"series {name!r} has {value} at {x!r}; only finite numbers can be drawn"
            )
        runs[-1].append((index[x], value))
    return [run for run in runs if run]


def nice_ticks(low: float, high: float, *, zero: bool = True) -> list[float]:
    """Round-numbered y ticks covering ``low``..``high``: 4 to 6 of them, a step of 1, 2
    or 5 times a power of ten, the first at or below ``low`` and the last at or above
    ``high``; with ``zero``, 0 among them.

    Of the steps that give 4 to 6 ticks, the one wasting least room beyond the figures
    wins. Where the figures need fewer than 4, ticks are added above them (below when
    they are all at or under 0). Equal (or all but equal) ends are widened around the
    value: to 0..1 for 0, else by a fifth of it either way.
    """
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    scale = max(1.0, abs(low), abs(high))
    if high - low <= 1e-9 * scale:
        middle = (low + high) / 2
        if abs(middle) <= 1e-9:
            low, high = 0.0, 1.0
        else:
            low, high = middle - abs(middle) / 5, middle + abs(middle) / 5
            if zero:
                low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    exponent = math.floor(math.log10(span))
    best: tuple[float, float, int, int, int] | None = None
    for power in range(exponent - 2, exponent + 2):
        for mantissa in (1, 2, 5):
            step = mantissa * 10.0**power
            first = math.floor(low / step + 1e-9)
            last = math.ceil(high / step - 1e-9)
            if last - first + 1 > 6:
                continue
            while last - first + 1 < 4:
                if last <= 0:
                    first -= 1
                else:
                    last += 1
            waste = (last - first) * step - span
            if best is None or waste < best[0]:
                best = (waste, step, first, last, power)
    assert best is not None  # a step of 10 ** (exponent + 1) always gives at most 3
    _, step, first, last, power = best
    # Rounded to the step's decimals, so 3 * 0.2 is 0.6, not 0.6000000000000001.
    return [round(i * step, max(0, -power)) for i in range(first, last + 1)]


def _tick_text(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    text = f"{abs(value):,.{decimals}f}"
    if value < 0 and text.strip("0.,"):
        return MINUS + text
    return text


def _number(value: float) -> str:
    """A coordinate, compactly: at most one decimal, no "-0"."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _clean(text: str) -> str:
    return _UNSAFE_CHARACTERS.sub("", text)


def _escape(text: str) -> str:
    return html.escape(_clean(text), quote=True)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate of ``text``'s width in Arial at ``size`` px, erring wide."""
    total = 0
    for character in text:
        known = _ARIAL_WIDTHS.get(character)
        if known is None:
            # Unlisted: capitals and accented letters are up to ~0.78 em; wide scripts 1 em.
            known = 722 if ord(character) < 0x2E80 else 1000
        total += known
    return total * size / 1000


def shorten(text: str, width: float, size: float = FONT_SIZE) -> str:
    """``text``, cut and ended with "…" if it is wider than ``width`` px."""
    if text_width(text, size) <= width:
        return text
    room = width - text_width(ELLIPSIS, size)
    kept = ""
    for character in text:
        if text_width(kept + character, size) > room:
            break
        kept += character
    return kept.rstrip() + ELLIPSIS


def _attributes(values: Mapping[str, str | float]) -> str:
    return "".join(
        f' {name}="{_number(value) if isinstance(value, float | int) else _escape(value)}"'
        for name, value in values.items()
    )


def _element(tag: str, content: str = "", **attributes: str | float) -> str:
    # Attribute names are Python identifiers here: "stroke_width" is written "stroke-width".
    named = {name.rstrip("_").replace("_", "-"): value for name, value in attributes.items()}
    return f"<{tag}{_attributes(named)}>{content}</{tag}>"


def _text(text: str, **attributes: str | float) -> str:
    return _element("text", _escape(text), **attributes)


def _group(children: Iterable[str], **attributes: str | float) -> str:
    return _element("g", "".join(children), **attributes)


@dataclass(frozen=True)
class _XAxis:
    labels: list[str]  # as drawn: shortened, "" where thinned out
    rotated: bool
    height: float  # of the band below the plot holding the labels


def _x_axis(labels: Sequence[str], plot_width: float) -> _XAxis:
    shown = [shorten(label, text_width("M" * MAX_X_LABEL)) for label in labels]
    widths = [text_width(label) for label in shown]
    step = plot_width / max(len(shown), 1)
    fits = all(w <= step - TICK_GAP for w in widths)
    if len(shown) <= MAX_HORIZONTAL_LABELS and fits:
        return _XAxis(shown, False, TICK_GAP + FONT_SIZE + 4)
    sine = math.sin(math.radians(ROTATED))
    # Turned labels sit step * sin apart; keep every n-th so their lines never touch.
    every = max(1, math.ceil((FONT_SIZE + 2) / (step * sine)))
    shown = [label if i % every == 0 else "" for i, label in enumerate(shown)]
    tallest = max((text_width(label) for label in shown), default=0.0)
    return _XAxis(shown, True, TICK_GAP + (tallest + FONT_SIZE) * sine + 4)


def _draw(title: str, y_title: str, labels: list[str], lines: list[_Line], zero: bool) -> str:
    values = [value for line in lines for run in line.runs for _, value in run]
    ticks = nice_ticks(min(values), max(values), zero=zero) if values else []
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    tick_texts = [_tick_text(tick, step) for tick in ticks]

    # Left: the y title (turned), then the tick labels, never more than a third of the width.
    title_band = FONT_SIZE + TICK_GAP if y_title else 0
    widest_tick = max((text_width(t) for t in tick_texts), default=0.0)
    left = min(PAD + title_band + widest_tick + TICK_GAP, CHART_WIDTH / 3)
    right = CHART_WIDTH - PAD - 4
    x_axis = _x_axis(labels, right - left)
    if x_axis.rotated and x_axis.labels and x_axis.labels[0]:
        # The first turned label reaches left of its point; keep it inside the drawing.
        reach = text_width(x_axis.labels[0]) * math.cos(math.radians(ROTATED))
        first_point = left + (right - left) / len(labels) / 2
        left = min(max(left, left + PAD + reach - first_point), CHART_WIDTH / 2)
    top = PAD + FONT_SIZE / 2
    bottom = max(CHART_HEIGHT - PAD - x_axis.height, top + CHART_HEIGHT / 3)
    x_step = (right - left) / max(len(labels), 1)

    def x_of(index: int) -> float:
        return left + (index + 0.5) * x_step

    def y_of(value: float) -> float:
        low, high = ticks[0], ticks[-1]
        return bottom - (value - low) / (high - low) * (bottom - top)

    parts = [_element("rect", width=CHART_WIDTH, height=CHART_HEIGHT, fill=BACKGROUND)]

    # Gridlines and y tick labels; the zero line darker when the axis runs below 0.
    grid = [
        _element(
            "line",
            x1=left,
            x2=right,
            y1=y_of(tick),
            y2=y_of(tick),
            stroke=AXIS_COLOUR if tick == 0 and ticks[0] < 0 else GRID_COLOUR,
        )
        for tick in ticks
    ]
    parts.append(_group(grid, class_="app-chart__grid", stroke_width=1))
    parts.append(
        _group(
            (
                _text(text, x=left - TICK_GAP, y=y_of(tick) + FONT_SIZE * 0.35)
                for tick, text in zip(ticks, tick_texts, strict=True)
            ),
            class_="app-chart__y-axis",
            fill=TEXT_COLOUR,
            text_anchor="end",
        )
    )
    if y_title:
        middle = (top + bottom) / 2
        x = PAD + FONT_SIZE * 0.8
        parts.append(
            _text(
                shorten(y_title, bottom - top),
                x=x,
                y=middle,
                transform=f"rotate(-90 {_number(x)} {_number(middle)})",
                fill=TEXT_COLOUR,
                text_anchor="middle",
                class_="app-chart__y-title",
            )
        )

    # The x axis: a baseline, a tick and a label at each year.
    x_parts = [_element("line", x1=left, x2=right, y1=bottom, y2=bottom, stroke=AXIS_COLOUR)]
    for i, label in enumerate(x_axis.labels):
        x = x_of(i)
        x_parts.append(
            _element("line", x1=x, x2=x, y1=bottom, y2=bottom + TICK_GAP - 2, stroke=AXIS_COLOUR)
        )
        if not label:
            continue
        if x_axis.rotated:
            y = bottom + TICK_GAP + FONT_SIZE * 0.35
            turn = f"rotate(-{ROTATED} {_number(x)} {_number(y)})"
            x_parts.append(_text(label, x=x, y=y, transform=turn, text_anchor="end"))
        else:
            x_parts.append(_text(label, x=x, y=bottom + TICK_GAP + FONT_SIZE, text_anchor="middle"))
    parts.append(_group(x_parts, class_="app-chart__x-axis", fill=TEXT_COLOUR, stroke_width=1))

    if not values:
        parts.append(
            _text(
                "No figures to draw",
                x=(left + right) / 2,
                y=(top + bottom) / 2,
                fill=AXIS_COLOUR,
                text_anchor="middle",
            )
        )

    # Each series: a path per unbroken run, a filled circle at every figure.
    for line in lines:
        dash = {"stroke_dasharray": line.dash} if line.dash else {}
        shapes = [
            _element(
                "path",
                d="M" + "L".join(f"{_number(x_of(i))},{_number(y_of(v))}" for i, v in run),
                fill="none",
                stroke=line.colour,
                stroke_width=LINE_WIDTH,
                stroke_linejoin="round",
                **dash,
            )
            for run in line.runs
            if len(run) > 1
        ]
        shapes += [
            _element("circle", cx=x_of(i), cy=y_of(v), r=POINT_RADIUS, fill=line.colour)
            for run in line.runs
            for i, v in run
        ]
        parts.append(_group(shapes, class_="app-chart__series"))

    legend, legend_height = _legend(lines, CHART_HEIGHT)
    parts.append(legend)
    height = CHART_HEIGHT + legend_height
    root: dict[str, str | float] = {
        "xmlns": SVG_NS,
        "class": "app-chart",
        "role": "img",
        "aria-label": title,
        "focusable": "false",
        "width": CHART_WIDTH,
        "height": height,
        "viewBox": f"0 0 {CHART_WIDTH} {_number(height)}",
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
    }
    return f"<svg{_attributes(root)}><title>{_escape(title)}</title>{''.join(parts)}</svg>"


def _legend(lines: Sequence[_Line], top: float) -> tuple[str, float]:
    """The legend below the drawing, wrapped into rows, and its height (0 for none)."""
    if not lines:
        return "", 0.0
    room = CHART_WIDTH - 2 * PAD - LEGEND_SAMPLE - TICK_GAP
    entries = []
    x, row = float(PAD), 0
    for line in lines:
        name = shorten(line.name, room)
        width = LEGEND_SAMPLE + TICK_GAP + text_width(name)
        if x > PAD and x + width > CHART_WIDTH - PAD:
            x, row = float(PAD), row + 1
        y = top + (row + 0.5) * LEGEND_ROW
        dash = {"stroke_dasharray": line.dash} if line.dash else {}
        sample = [
            _element(
                "line",
                x1=x,
                x2=x + LEGEND_SAMPLE,
                y1=y,
                y2=y,
                stroke=line.colour,
                stroke_width=3,
                **dash,
            ),
            _element("circle", cx=x + LEGEND_SAMPLE / 2, cy=y, r=POINT_RADIUS, fill=line.colour),
            _text(name, x=x + LEGEND_SAMPLE + TICK_GAP, y=y + FONT_SIZE * 0.35, fill=TEXT_COLOUR),
        ]
        entries.append(_group(sample, class_="app-chart__legend-entry"))
        x += width + LEGEND_GAP
    height = (row + 1) * LEGEND_ROW + PAD
    return _group(entries, class_="app-chart__legend"), height
