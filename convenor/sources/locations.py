"""School locations (latitude and longitude) from the 2018/19 performance-tables extracts.

``perf_england_2019_waiky8/england_ks2final.csv`` and ``england_ks4final.csv``
give every school with KS2 or KS4 results its latitude and longitude, which no
register file here has (the registers give OS easting and northing only). A
position outside Great Britain's bounding box is rejected: a swapped or
mistyped coordinate would put a school in the sea and mislead travel-distance
matching.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from convenor.sources.base import RawRow, ReadResult, RowError, parse_number, parse_urn, read_rows

# Great Britain with its islands, generously: Scilly to Shetland, Ireland's coast to Lowestoft.
LATITUDE_RANGE = (49.8, 61.0)
LONGITUDE_RANGE = (-8.7, 2.0)


@dataclass(frozen=True, slots=True)
class LocationRecord:
    """Where a school is, in WGS84 degrees."""

    urn: int
    latitude: float
    longitude: float


def _coordinate(raw: str, field: str, bounds: tuple[float, float]) -> float:
    value = parse_number(raw, field)
    if not isinstance(value, float):
        raise RowError(field, "is blank" if not raw.strip() else f"is {raw.strip()!r}")
    if not bounds[0] <= value <= bounds[1]:
        raise RowError(
            field, f"{value:g} is outside Great Britain ({bounds[0]:g} to {bounds[1]:g})"
        )
    return value


def read_locations(path: Path | str) -> ReadResult[LocationRecord]:
    """Read URN, LATITUDE and LONGITUDE from a 2018/19 KS2 or KS4 final extract."""

    def parse(row: RawRow) -> LocationRecord:
        v = row.values
        return LocationRecord(
            urn=parse_urn(v["URN"]),
            latitude=_coordinate(v["LATITUDE"], "LATITUDE", LATITUDE_RANGE),
            longitude=_coordinate(v["LONGITUDE"], "LONGITUDE", LONGITUDE_RANGE),
        )

    return read_rows(path, parse, needed=("URN", "LATITUDE", "LONGITUDE"), key=lambda r: r.urn)
