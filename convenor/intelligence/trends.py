"""Indicator rows turned into trends: one figure per year, with its LA and England figures.

The indicator tables keep one row per school, period, publication (``dataset``) and
segment, and a withheld measure as ``None`` with its code in ``missing``. A page showing
a school over time needs one figure per year instead: this module picks, for each year,
the row of the right URN (a school's own URN first, then its nearest predecessor or
successor), merges the publications in order of preference, and says why any figure is
absent ("suppressed (SUPP)"), so no missing figure is ever shown as 0.

Pure Python over model instances already fetched: no queries here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from convenor.core.charts import line_chart
from convenor.core.components import Cell, Table
from convenor.sources.base import MISSING_CODES

SCHOOL = "This school"
ENGLAND = "England"


def format_number(value: float) -> str:
    """A figure as people read it: thousands separated, at most two decimals, no ".0"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def missing_text(code: str | None) -> str:
    """Why a figure is absent, in words with the file's own code: "suppressed (SUPP)"."""
    if code is None:
        return "not published"
    if code in ("", "blank", "nan"):
        return "blank in the source file"
    return f"{MISSING_CODES.get(code, 'not available')} ({code})"


@dataclass(frozen=True)
class Figure:
    """One figure as a table shows it: the number (``None`` if absent) and its text."""

    value: float | None
    text: str

    @classmethod
    def of(cls, value: object, code: object = None, *, note: str = "") -> Figure:
        """The figure for a stored value, or for its missing-value ``code``."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = format_number(float(value))
            return cls(float(value), f"{text} ({note})" if note else text)
        return cls(None, missing_text(None if code is None else str(code)))


NOT_PUBLISHED = Figure(None, "not published")
NO_DATA = Figure(None, "no data")


def _lookup(values: Mapping[str, Any], missing: Mapping[str, Any], measure: str) -> Figure | None:
    """The measure's figure in one row, or ``None`` when the row does not carry it."""
    if values.get(measure) is not None:
        return Figure.of(values[measure])
    if measure in missing:
        return Figure.of(None, missing[measure])
    if measure in values:
        return Figure(None, "blank in the source file")
    return None


@dataclass(frozen=True)
class YearRecord:
    """One school's measures for one year, from the rows of its URNs and publications.

    ``rows`` are in order of preference: the school's own URN before its predecessors
    and successors, and within a URN the preferred publication first.
    """

    period: str
    rows: tuple[Any, ...]
    notes: Mapping[str, str] = field(default_factory=dict)  # dataset -> "provisional"

    @property
    def urn(self) -> int:
        """The URN of the preferred row."""
        return int(self.rows[0].urn)

    @property
    def segment(self) -> str:
        return str(self.rows[0].segment)

    def has(self, measure: str) -> bool:
        """Whether any row of this year carries the measure (as a value or a code)."""
        return any(measure in row.values or measure in row.missing for row in self.rows)

    def _source(self, measure: str) -> tuple[Any, Figure] | None:
        first_absent: tuple[Any, Figure] | None = None
        for row in self.rows:
            found = _lookup(row.values, row.missing, measure)
            if found is None:
                continue
            if found.value is not None:
                return row, found
            first_absent = first_absent or (row, found)
        return first_absent

    def figure(self, measure: str) -> Figure:
        """The measure from the most preferred row that has a number for it, else the
        first that says why it is missing, else "not published".

        A new URN often carries blanks for the year it opened while its predecessor
        published the results, so a number under another URN beats a blank under the
        school's own.
        """
        source = self._source(measure)
        if source is None:
            return NOT_PUBLISHED
        row, found = source
        note = self.notes.get(row.dataset, "")
        return Figure.of(found.value, note=note) if note and found.value is not None else found

    def urn_of(self, measure: str) -> int | None:
        """The URN the measure's figure was published under (None if no row has it)."""
        source = self._source(measure)
        return None if source is None else int(source[0].urn)

    @property
    def source_files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(row.source_file for row in self.rows))


def by_year(
    rows: Iterable[Any],
    *,
    urn_order: Sequence[int],
    datasets: Sequence[str],
    notes: Mapping[str, str] | None = None,
    choose: Callable[[list[Any]], list[Any]] | None = None,
) -> dict[str, YearRecord]:
    """Each year's :class:`YearRecord`, from rows of any URN in ``urn_order``.

    Rows are ordered by URN as in ``urn_order`` (the school's own first), then by
    publication as in ``datasets``; rows of other URNs or datasets are ignored.
    ``choose`` may narrow one URN's rows for a year (for example to the school type
    with the most pupils). ``notes`` labels figures taken from a dataset
    (``{"ks4_provisional": "provisional"}``).
    """
    rank = {urn: i for i, urn in enumerate(urn_order)}
    preference = {dataset: i for i, dataset in enumerate(datasets)}
    grouped: defaultdict[str, defaultdict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.urn in rank and row.dataset in preference:
            grouped[row.period][row.urn].append(row)
    records: dict[str, YearRecord] = {}
    for period in sorted(grouped):
        ordered: list[Any] = []
        for urn in sorted(grouped[period], key=rank.__getitem__):
            chosen = sorted(grouped[period][urn], key=lambda r: preference[r.dataset])
            ordered += choose(chosen) if choose is not None else chosen
        if ordered:
            records[period] = YearRecord(period, tuple(ordered), dict(notes or {}))
    return records


class AreaIndex:
    """England and LA rows, looked up by family, level, area, period and segment."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self._rows: dict[tuple[str, str, str, str, str], dict[str, Any]] = defaultdict(dict)
        for row in rows:
            key = (row.family, row.level, str(row.area_code), row.period, row.segment)
            self._rows[key][row.dataset] = row

    def figure(
        self,
        *,
        family: str,
        level: str,
        area_code: str,
        period: str,
        segment: str,
        measure: str,
        datasets: Sequence[str],
        notes: Mapping[str, str] | None = None,
    ) -> Figure | None:
        """The area's figure, or ``None`` when no row of ``datasets`` covers that year."""
        found = self._rows.get((family, level, area_code, period, segment), {})
        first_absent: Figure | None = None
        for dataset in datasets:
            row = found.get(dataset)
            if row is None:
                continue
            figure = _lookup(row.values, row.missing, measure) or NOT_PUBLISHED
            if figure.value is not None:
                note = (notes or {}).get(dataset, "")
                return Figure.of(figure.value, note=note) if note else figure
            first_absent = first_absent or figure
        return first_absent

    def source_files(self, family: str, level: str, area_code: str) -> list[str]:
        """The files the area's rows of one family came from."""
        return sorted(
            {
                row.source_file
                for key, rows in self._rows.items()
                if key[:3] == (family, level, area_code)
                for row in rows.values()
            }
        )


@dataclass(frozen=True)
class Series:
    """One line of a trend: a name and a figure for each of the trend's years."""

    name: str
    figures: tuple[Figure, ...]
    style: int | None = None  # its colour and dash on charts (default: its place)


@dataclass(frozen=True)
class Trend:
    """Figures by year for one measure (or a few with one unit), drawn and tabulated.

    ``chart`` is the inline SVG (empty when there are too few figures to draw a line);
    :attr:`table` holds exactly the figures the chart draws. ``urns`` gives, year by
    year, the URN a figure was published under when it is not the page's own school.
    """

    ident: str
    title: str
    unit: str
    periods: tuple[str, ...]
    series: tuple[Series, ...]
    chart: SafeString | str = ""
    note: str = ""
    urns: Mapping[str, int] = field(default_factory=dict)

    @property
    def urn_note(self) -> str:
        """Which years' figures are from another URN: "Figures for 2015/16 are from URN
        116472." (empty when all are the school's own)."""
        years: defaultdict[int, list[str]] = defaultdict(list)
        for period, urn in sorted(self.urns.items()):
            years[urn].append(period)
        return " ".join(
            f"Figures for {_and(periods)} are from URN {urn}."
            for urn, periods in sorted(years.items())
        )

    @property
    def table(self) -> Table:
        head = (Cell("Year"), *(Cell(s.name, numeric=True) for s in self.series))
        rows = []
        for i, period in enumerate(self.periods):
            year = Cell(period, header=True)
            rows.append((year, *(Cell(s.figures[i].text, numeric=True) for s in self.series)))
        caption = (
            self.title if self.unit.lower() in self.title.lower() else f"{self.title} ({self.unit})"
        )
        return Table(caption=caption, head=head, rows=rows, caption_size="s")


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# A chart needs a line: at least this many of the school's figures.
MIN_CHART_POINTS = 2


def make_trend(
    *,
    ident: str,
    title: str,
    unit: str,
    periods: Sequence[str],
    series: Sequence[Series],
    note: str = "",
    urns: Mapping[str, int] | None = None,
    zero: bool = True,
) -> Trend | None:
    """A :class:`Trend`, with its chart drawn only when some series has enough numbers.

    Series with no row in any year (every figure "no data") are dropped; ``None`` when
    there are no years at all.
    """
    if not periods:
        return None
    kept = tuple(s for s in series if any(f is not NO_DATA for f in s.figures))
    if not kept:
        return None
    chart: SafeString | str = ""
    if any(sum(f.value is not None for f in s.figures) >= MIN_CHART_POINTS for s in kept):
        chart = line_chart(
            title,
            {s.name: list(zip(periods, (f.value for f in s.figures), strict=True)) for s in kept},
            unit,
            ident=ident,
            x_order=list(periods),
            zero=zero,
            styles=[i if s.style is None else s.style for i, s in enumerate(kept)],
        )
    return Trend(ident, title, unit, tuple(periods), kept, chart, note, dict(urns or {}))
