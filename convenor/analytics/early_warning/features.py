"""The records the early-warning model reads, and turning them into a matrix."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from convenor.analytics.metrics import FloatArray


@dataclass(frozen=True, slots=True)
class SchoolFeatures:
    """One school's indicators as known at a date.

    ``values`` maps a feature name to a number, or to ``None`` when it is
    unknown or does not apply (a primary school has no KS4 results). A name
    left out counts the same as ``None``. Booleans are read as 1 and 0.
    """

    urn: int
    values: Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """What was known at ``as_at`` and how the next inspections then turned out.

    ``below_good`` holds, for each school with a graded inspection in the
    window after ``as_at``, whether that inspection was below good (grade 3
    or 4). Schools without an inspection in the window are left out of it and
    do not take part in training.
    """

    as_at: date
    schools: Sequence[SchoolFeatures]
    below_good: Mapping[int, bool]


def feature_union(schools: Sequence[SchoolFeatures]) -> tuple[str, ...]:
    """Every feature name that has a value for at least one school, sorted."""
    names: set[str] = set()
    for school in schools:
        names.update(name for name, value in school.values.items() if value is not None)
    return tuple(sorted(names))


def feature_matrix(schools: Sequence[SchoolFeatures], names: Sequence[str]) -> FloatArray:
    """A schools x features array of floats, NaN where a value is None or absent.

    Raises ValueError naming the school when a value is not a number or is
    infinite, so bad input is never silently treated as missing.
    """
    rows = [list(map(school.values.get, names)) for school in schools]
    # numpy would silently read the text "3" as 3.0; refuse text outright.
    kinds = {type(value) for row in rows for value in row}
    if any(issubclass(kind, str | bytes) for kind in kinds):
        _raise_for_bad_value(schools, names, lambda value: isinstance(value, str | bytes))
    try:
        # numpy reads None as NaN in a float array.
        matrix = np.array(rows, dtype=np.float64).reshape(len(schools), len(names))
    except (TypeError, ValueError):
        _raise_for_bad_value(schools, names, _not_a_number)
        raise
    if np.isinf(matrix).any():
        i, j = np.argwhere(np.isinf(matrix))[0]
        raise ValueError(f"URN {schools[i].urn}: {names[j]} is infinite")
    return matrix


def _not_a_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    return False


def _raise_for_bad_value(
    schools: Sequence[SchoolFeatures], names: Sequence[str], bad: Callable[[object], bool]
) -> None:
    for school in schools:
        for name in names:
            value = school.values.get(name)
            if value is not None and bad(value):
                raise ValueError(f"URN {school.urn}: {name} = {value!r} is not a number")


def check_unique(schools: Sequence[SchoolFeatures], where: str) -> None:
    seen: set[int] = set()
    for school in schools:
        if school.urn in seen:
            raise ValueError(f"URN {school.urn} appears twice in {where}")
        seen.add(school.urn)


def reference_values(matrix: FloatArray) -> FloatArray:
    """Each column's median over known values; NaN for a column never known."""
    reference = np.full(matrix.shape[1], np.nan)
    for j in range(matrix.shape[1]):
        column = matrix[:, j]
        known = column[~np.isnan(column)]
        if len(known):
            reference[j] = float(np.median(known))
    return reference
