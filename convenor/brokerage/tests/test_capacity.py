"""A provider's places by band: the days they stand for, and the rule that turned each
provider's days into places (migration 0002)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from convenor.brokerage.capacity import days_for, offer_words, places_for_days, places_words
from convenor.brokerage.models import MAX_DAYS_PER_TERM


@pytest.mark.parametrize(
    ("days", "places"),
    [
        (Decimal("0.5"), (0, 0, 1)),  # under 3 days: still one (low) place
        (Decimal("2.9"), (0, 0, 1)),
        (3, (0, 0, 1)),
        (Decimal("5.5"), (0, 0, 1)),
        (6, (0, 1, 0)),
        (Decimal("11.5"), (0, 1, 1)),
        (12, (1, 0, 0)),
        (20, (1, 1, 0)),
        (Decimal("24.0"), (1, 2, 0)),
        (30, (1, 2, 2)),
        (40, (1, 2, 5)),
        (65, (1, 2, 13)),
    ],
)
def test_it_turns_days_into_one_high_then_two_medium_then_low_places(
    days: Decimal | int, places: tuple[int, int, int]
) -> None:
    found = places_for_days(days)
    assert (found["high"], found["medium"], found["low"]) == places


def test_the_places_never_stand_for_more_days_than_offered_nor_three_fewer() -> None:
    for tenths in range(5, 10 * MAX_DAYS_PER_TERM + 1, 5):
        days = Decimal(tenths) / 10
        places = places_for_days(days)
        assert sum(places.values()) >= 1, days
        offered = days_for(places)
        assert offered <= max(days, Decimal(3)) and offered <= MAX_DAYS_PER_TERM, days
        assert offered > int(days) - 3, days


def test_it_shows_places_with_the_days_they_stand_for() -> None:
    assert days_for({"high": 1, "medium": 2, "low": 3}) == 12 + 12 + 9
    assert places_words({"high": 1, "low": 2}) == "1 high, 0 medium, 2 low"
    assert offer_words({"high": 1, "medium": 2, "low": 0}) == "1 high, 2 medium, 0 low (24 days)"
    assert offer_words({"low": 0}) == "0 high, 0 medium, 0 low (0 days)"
