"""A provider's capacity: places a term by intensity band, and the days they stand for.

A place is one school supported for a term at a band's intensity (high, medium, low:
the tariff bands). A request in band b takes one place of band b at the provider it is
matched to, whatever its exact days. Counting capacity this way, rather than in days
taken whole from one provider, makes the matching a transportation problem that
min-cost flow solves exactly (docs/adr/0010-brokerage-matching.md); ADR 0011 records
how the directory keeps it.

The days shown beside places, and checked against a term's limit, are the band's
default days (:data:`~convenor.brokerage.models.vocabulary.DEFAULT_DAYS_PER_TERM`).
Nothing here touches the database, so the migration that turned days into places can
call :func:`places_for_days` and tests can pin it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

from convenor.brokerage.models.vocabulary import DEFAULT_DAYS_PER_TERM, Band

#: The bands, most intensive first: the order places are shown and edited in.
BANDS: tuple[str, ...] = (Band.HIGH, Band.MEDIUM, Band.LOW)

#: The provider's field holding its places in each band.
PLACE_FIELDS: dict[str, str] = {band: f"places_{band}" for band in BANDS}


def days_for(places: Mapping[str, int]) -> int:
    """The days of support ``places`` (places by band) stand for at the default days."""
    return sum(int(places.get(band, 0)) * DEFAULT_DAYS_PER_TERM[band] for band in BANDS)


def places_for_days(days: Decimal | float | int) -> dict[str, int]:
    """The places that replaced a capacity of ``days`` a term (migration 0002).

    The rule, so that the same days always give the same places: whole days only
    (rounded down); one high place if at least 12 days are left; then up to two medium
    places while 6 days are left; then as many low places as 3 days go into what is
    left. A provider always keeps at least one place, so one with under 3 days gets one
    low place. The places never stand for more days than were offered (but for that
    last case), so none goes past a term's limit.
    """
    left = max(math.floor(Decimal(str(days))), 0)
    high_days, medium_days, low_days = (DEFAULT_DAYS_PER_TERM[band] for band in BANDS)
    high = 1 if left >= high_days else 0
    left -= high * high_days
    medium = min(2, left // medium_days)
    left -= medium * medium_days
    low = left // low_days
    if high + medium + low == 0:
        low = 1
    return {Band.HIGH: high, Band.MEDIUM: medium, Band.LOW: low}


def places_words(places: Mapping[str, int]) -> str:
    """Places by band as people read them: "1 high, 2 medium, 0 low"."""
    return ", ".join(f"{int(places.get(band, 0))} {band}" for band in BANDS)


def offer_words(places: Mapping[str, int]) -> str:
    """Places with the days they stand for: "1 high, 2 medium, 0 low (24 days)"."""
    days = days_for(places)
    return f"{places_words(places)} ({days} day{'' if days == 1 else 's'})"
