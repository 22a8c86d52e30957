"""Building blocks the apps' ``importers.py`` share: mapping reader output to rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.db import models

from convenor.core.importing import (
    ImportContext,
    Item,
    Plan,
    Target,
    plan_from,
    source_name,
)
from convenor.intelligence.models import AreaStatistic
from convenor.sources.base import AreaRow, ReadResult
from convenor.sources.measures import SchoolMeasures

Reader = Callable[[Path], ReadResult[Any]]


AREA_TARGET = Target(
    AreaStatistic, ("family", "dataset", "level", "area_code", "period", "segment")
)


def area_items(family: str, dataset: str, rows: Iterable[AreaRow], source: str) -> list[Item]:
    """Items storing aggregate (England, region, LA) rows beside the school rows."""
    target = AREA_TARGET
    return [
        Item(
            row.line,
            target,
            {
                "family": family,
                "dataset": dataset,
                "level": row.level,
                "area_code": row.area_code,
                "period": row.period,
                "segment": row.segment,
                "values": dict(row.values),
                "missing": dict(row.missing),
                "source_file": source,
            },
            area=(row.level, row.area_code),
        )
        for row in rows
    ]


def measure_fields(record: SchoolMeasures, source: str) -> dict[str, Any]:
    return {
        "urn": record.urn,
        "laestab": record.laestab,
        "period": record.period,
        "dataset": record.dataset,
        "segment": record.segment,
        "values": dict(record.values),
        "missing": dict(record.missing),
        "source_file": source,
    }


def measures_plan(
    reader: Reader,
    model: type[models.Model],
    family: str,
    *,
    dataset: str | None = None,
    key: tuple[str, ...] = ("dataset", "period", "segment", "urn"),
) -> Callable[[Path, ImportContext], Plan]:
    """A planner for readers returning :class:`SchoolMeasures` (and aggregate rows).

    ``dataset`` replaces the reader's publication name where two layouts of
    one publication must be kept apart (the England-wide extract of KS2 and
    the full DfE file for one LA carry different measures for the same year).
    """
    target = Target(model, key)

    def plan(path: Path, context: ImportContext) -> Plan:
        result = reader(path)
        source = source_name(path)
        items = []
        for line, record in zip(result.lines, result.records, strict=True):
            fields = measure_fields(record, source)
            if dataset is not None:
                fields["dataset"] = dataset
            items.append(Item(line, target, fields, urns=(record.urn,)))
        area_dataset = dataset or (result.records[0].dataset if result.records else family)
        items += area_items(family, area_dataset, result.aggregates, source)
        return plan_from(result, items)

    return plan
