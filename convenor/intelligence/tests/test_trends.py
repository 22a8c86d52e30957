"""Indicator rows turned into one figure per year, without touching the database."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from convenor.intelligence.trends import (
    NO_DATA,
    AreaIndex,
    Figure,
    Series,
    by_year,
    format_number,
    make_trend,
    missing_text,
)

OWN, PREDECESSOR = 144014, 116472


def _row(
    urn: int,
    period: str,
    values: dict[str, Any],
    missing: dict[str, str] | None = None,
    dataset: str = "ks4_final",
    segment: str = "all",
) -> SimpleNamespace:
    return SimpleNamespace(
        urn=urn,
        period=period,
        dataset=dataset,
        segment=segment,
        values=values,
        missing=missing or {},
        source_file=f"{dataset}-{period}.csv",
    )


def _area(
    level: str, code: str, period: str, values: dict[str, Any], dataset: str = "ks4_provisional"
) -> SimpleNamespace:
    return SimpleNamespace(
        family="ks4",
        dataset=dataset,
        level=level,
        area_code=code,
        period=period,
        segment="state-funded",
        values=values,
        missing={},
        source_file="area.csv",
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (58.0, "58"),
        (11.05, "11.05"),
        (-0.14, "-0.14"),
        (4998768.0, "4,998,768"),
        (97.5, "97.5"),
        (0.0, "0"),
        (-0.001, "0"),
    ],
)
def test_it_formats_numbers_as_people_read_them(value: float, text: str) -> None:
    assert format_number(value) == text


def test_it_names_the_reason_and_the_code_for_a_missing_figure() -> None:
    assert missing_text("SUPP") == "suppressed (SUPP)"
    assert missing_text("NE") == "no entries (NE)"
    assert missing_text("blank") == "blank in the source file"
    assert missing_text(None) == "not published"


def test_a_suppressed_figure_has_no_value_rather_than_zero() -> None:
    figure = by_year(
        [_row(OWN, "2018/19", {"progress8": None}, {"progress8": "SUPP"})],
        urn_order=[OWN],
        datasets=["ks4_final"],
    )["2018/19"].figure("progress8")
    assert figure == Figure(None, "suppressed (SUPP)")


def test_the_schools_own_urn_wins_a_year_both_published() -> None:
    records = by_year(
        [
            _row(PREDECESSOR, "2016/17", {"attainment8": 40.0}),
            _row(OWN, "2016/17", {"attainment8": 46.0}),
        ],
        urn_order=[OWN, PREDECESSOR],
        datasets=["ks4_final"],
    )
    assert records["2016/17"].figure("attainment8").text == "46"
    assert records["2016/17"].urn_of("attainment8") == OWN


def test_a_number_under_another_urn_beats_a_blank_under_the_schools_own() -> None:
    records = by_year(
        [
            _row(OWN, "2016/17", {"attainment8": None}, {"attainment8": "blank"}),
            _row(PREDECESSOR, "2016/17", {"attainment8": 43.5}),
        ],
        urn_order=[OWN, PREDECESSOR],
        datasets=["ks4_final"],
    )
    assert records["2016/17"].figure("attainment8").text == "43.5"
    assert records["2016/17"].urn_of("attainment8") == PREDECESSOR


def test_final_results_win_over_provisional_ones_which_are_labelled() -> None:
    rows = [
        _row(OWN, "2018/19", {"attainment8": 45.0}, dataset="ks4_provisional"),
        _row(OWN, "2018/19", {"attainment8": 46.0, "progress8": None}, {"progress8": "NE"}),
        _row(OWN, "2018/19", {"progress8": -0.2}, dataset="ks4_provisional"),
    ]
    record = by_year(
        rows,
        urn_order=[OWN],
        datasets=["ks4_final", "ks4_provisional"],
        notes={"ks4_provisional": "provisional"},
    )["2018/19"]
    assert record.figure("attainment8").text == "46"
    assert record.figure("progress8") == Figure(-0.2, "-0.2 (provisional)")


def test_rows_of_other_urns_and_datasets_are_ignored() -> None:
    records = by_year(
        [_row(999, "2018/19", {"a": 1.0}), _row(OWN, "2017/18", {"a": 1.0}, dataset="other")],
        urn_order=[OWN],
        datasets=["ks4_final"],
    )
    assert records == {}


def test_the_area_index_says_when_there_is_no_row_and_when_a_row_lacks_the_measure() -> None:
    index = AreaIndex([_area("la", "850", "2018/19", {"attainment8": 47.5})])
    ask: dict[str, Any] = {
        "family": "ks4",
        "level": "la",
        "area_code": "850",
        "segment": "state-funded",
        "datasets": ["ks4_final", "ks4_provisional"],
        "notes": {"ks4_provisional": "prov"},
    }
    assert index.figure(period="2018/19", measure="attainment8", **ask) == Figure(
        47.5, "47.5 (prov)"
    )
    assert index.figure(period="2018/19", measure="progress8", **ask) == Figure(
        None, "not published"
    )
    assert index.figure(period="2017/18", measure="attainment8", **ask) is None


def test_a_trend_tabulates_exactly_its_series_and_says_which_years_are_another_urns() -> None:
    trend = make_trend(
        ident="a8",
        title="Attainment 8 score",
        unit="score",
        periods=["2016/17", "2017/18"],
        series=[
            Series("This school", (Figure(43.5, "43.5"), Figure(None, "suppressed (SUPP)"))),
            Series("England", (NO_DATA, NO_DATA)),
        ],
        urns={"2016/17": PREDECESSOR},
    )
    assert trend is not None
    assert [s.name for s in trend.series] == ["This school"]  # England had no rows at all
    assert trend.chart == ""  # one number is not a line
    table = trend.table
    assert table.caption == "Attainment 8 score"
    assert [[c.text for c in row] for row in table.rows] == [
        ["2016/17", "43.5"],
        ["2017/18", "suppressed (SUPP)"],
    ]
    assert trend.urn_note == f"Figures for 2016/17 are from URN {PREDECESSOR}."


def test_a_trend_with_two_numbers_has_a_chart() -> None:
    trend = make_trend(
        ident="pupils",
        title="Pupils on roll",
        unit="pupils",
        periods=["2016/17", "2018/19"],
        series=[Series("This school", (Figure(380.0, "380"), Figure(356.0, "356")))],
    )
    assert trend is not None and trend.chart.startswith("<svg")


def test_no_years_make_no_trend() -> None:
    assert make_trend(ident="x", title="X", unit="%", periods=[], series=[]) is None
