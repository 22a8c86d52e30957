"""DfE local authority school places scorecards (LA level).

:func:`read_scorecards` reads the scorecard data files, one row per LA (and
England, ``LANumber`` 0) per scorecard year:

* ``school_places_scorecards_2021_dfe/scorecards_data.csv``: the 2019
  scorecard, year ``"2018/19"`` (its folder's 2021 is when it was copied,
  not its year, so that file is named in :data:`KNOWN_YEARS`);
* ``school_places_scorecards_dfe/scorecards_data_2022.csv``,
  ``_2023.csv``, ``_2024.csv``: years ``"2021/22"``, ``"2022/23"``,
  ``"2023/24"`` (the file's year is the second year of the scorecard year);
* the time-series files ``scorecard_data_2024_2023.csv`` and
  ``scorecard_data_2025_2023.csv``, whose ``Year`` column gives each row's
  year.

The year is the scorecard (SCAP) year, an academic-year label. Every numeric
column is kept under its DfE code (``For_1_P``, ``PriNOR``, ``Pref_P_1_CY``
...; ``school_places_scorecards_dfe/metadata.csv`` says what each means), so
nothing is renamed on the way in. Descriptive columns (:data:`TEXT_COLUMNS`)
are not values; the LA name and ONS code are kept on the record.

Missing codes: ``z`` (not applicable), ``NA``, an empty cell (the 2019 file
leaves blank what the workbook has as ``z``, ``N/A`` or ``NULL``), and
``LOW`` / ``Low`` in the forecast-accuracy columns of the City of London and
the Isles of Scilly, whose pupil numbers are too small to publish accuracy
(kept as missing code ``LOW``), and ``NaN`` where a growth rate divides 0
by 0 (City of London secondary, 2022/23 rows of the time series).

``For_1_P`` = (``PriForecast1`` - ``PriNOR``) / ``PriNOR``: positive means
the LA forecast more pupils than came.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from convenor.sources.base import AreaRow, FileFormatError, ReadResult, RowError, required_int
from convenor.sources.tables import Row, read_header, read_table, text_cell
from convenor.sources.years import AcademicYear, year_argument

__all__ = ["KNOWN_YEARS", "TEXT_COLUMNS", "ScorecardRecord", "read_scorecards", "scorecard_year"]

TEXT_COLUMNS: frozenset[str] = frozenset(
    {
        "Year",
        "LANumber",
        "LA_name",
        "Region",
        "geographic_level",
        "country_code",
        "country_name",
        "region_code",
        "new_la_code",
    }
)

# Codes of the scorecards beyond the shared ones.
SCORECARD_CODES: dict[str, str] = {
    "LOW": "too few pupils to publish",
    # City of London 2022/23: secondary growth since 2015 divides 0 by 0.
    "NaN": "not calculable",
}

# Files whose name does not give their scorecard year.
KNOWN_YEARS: dict[tuple[str, str], str] = {
    ("school_places_scorecards_2021_dfe", "scorecards_data.csv"): "2018/19",
}

_SINGLE_YEAR_FILE = re.compile(r"^scorecards?_data_(\d{4})\.csv$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ScorecardRecord:
    """One LA's (or England's, ``la_code`` 0) scorecard measures for one scorecard year.

    ``values`` maps each DfE column code to its number, or to None with the
    code in ``missing``.
    """

    la_code: int
    year: str
    values: Mapping[str, float | None]
    missing: Mapping[str, str] = field(default_factory=dict)
    la_name: str | None = None
    new_la_code: str | None = None


def scorecard_year(path: Path | str) -> str:
    """The scorecard year a single-year file holds, from its name.

    ``scorecards_data_2024.csv`` is 2023/24; the 2019 scorecard's CSV is in
    :data:`KNOWN_YEARS`. Raises :class:`FileFormatError` otherwise.
    """
    p = Path(path)
    known = KNOWN_YEARS.get((p.parent.name, p.name))
    if known is not None:
        return known
    m = _SINGLE_YEAR_FILE.match(p.name)
    if m is None:
        raise FileFormatError(p.name, "no scorecard year in the file name; pass the year")
    return AcademicYear.from_second_year(int(m.group(1))).label


def read_scorecards(
    path: Path | str, year: AcademicYear | str | None = None
) -> ReadResult[ScorecardRecord]:
    """Read a scorecard data file into one record per LA and scorecard year.

    A file with a ``Year`` column (the time series) takes each row's year
    from it, and passing ``year`` as well is an error. Otherwise ``year``
    defaults to the year the file name gives (see :func:`scorecard_year`).
    England is a record with ``la_code`` 0. A second row for the same LA and
    year is rejected naming the first.
    """
    source = Path(path).name
    header = read_header(path)
    series = "Year" in header
    if series and year is not None:
        raise FileFormatError(source, "the file has a Year column; do not pass a year")
    fixed: str | None = None
    if not series:
        fixed = scorecard_year(path) if year is None else year_argument(year, source).label
    columns = {c: c for c in header if c and c not in TEXT_COLUMNS}
    levels = "geographic_level" in header
    labels: dict[str, str] = {}

    def parse(
        row: Row, values: dict[str, float | None], missing: dict[str, str]
    ) -> ScorecardRecord | AreaRow:
        la_code = required_int(row["LANumber"], "LANumber")
        if la_code != 0 and not 100 <= la_code <= 999:
            raise RowError("LANumber", f"not 0 (England) or a three-digit LA code: {la_code}")
        if levels:
            level = row["geographic_level"].strip()
            expected = "National" if la_code == 0 else "Local authority"
            if level != expected:
                raise RowError("geographic_level", f"{level[:30]!r} for LANumber {la_code}")
        if fixed is not None:
            period = fixed
        else:
            text = row["Year"].strip()
            period = labels.get(text, "")
            if not period:
                try:
                    period = labels[text] = AcademicYear.from_label(text).label
                except ValueError:
                    raise RowError("Year", f"not an academic year: {text[:20]!r}") from None
        return ScorecardRecord(
            la_code,
            period,
            values,
            missing,
            text_cell(row.get("LA_name")),
            text_cell(row.get("new_la_code")),
        )

    return read_table(
        path,
        parse,
        columns=columns,
        codes=SCORECARD_CODES,
        needed=("LANumber",),
        key=_key,
        source=source,
    )


def _key(record: ScorecardRecord) -> tuple[int, str]:
    return (record.la_code, record.year)
