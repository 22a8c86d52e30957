"""The records the early-warning model reads, and turning them into a matrix.

Nothing here imports scikit-learn (only numpy), so that code which builds or
stores features (:mod:`convenor.intelligence.asat`) stays cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    # Type aliases only: importing convenor.analytics.metrics imports scikit-learn.
    from convenor.analytics.metrics import FloatArray, IntArray


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


@dataclass(frozen=True, slots=True)
class Fold:
    """One backtest origin: train on earlier outcomes, rank every open school, compare.

    ``training`` holds only training sets from before ``as_at`` (their
    windows must end by then); ``schools`` every open state-funded school as
    at ``as_at``; ``outcomes`` whether each school with a graded inspection
    in the test window was below good.
    """

    as_at: date
    training: Sequence[TrainingSet]
    schools: Sequence[SchoolFeatures]
    outcomes: Mapping[int, bool]


@dataclass(frozen=True, eq=False)
class FeatureTable:
    """Many schools' features as one matrix: the compact form of :class:`SchoolFeatures`.

    Row ``i`` is URN ``urns[i]``, column ``j`` the feature ``names[j]``; NaN
    where a value is unknown. :class:`~convenor.analytics.early_warning.RiskModel`
    scores a table as it scores the same schools given one by one, without
    building a dictionary per school. Build one with :meth:`from_schools`.
    """

    urns: IntArray
    names: tuple[str, ...]
    matrix: FloatArray

    def __post_init__(self) -> None:
        if self.urns.ndim != 1 or self.matrix.shape != (len(self.urns), len(self.names)):
            raise ValueError(
                f"a table of {len(self.urns)} URNs and {len(self.names)} features cannot "
                f"hold a matrix of shape {self.matrix.shape}"
            )
        if len(set(self.names)) != len(self.names):
            raise ValueError("a feature is named twice")
        if np.isinf(self.matrix).any():
            i, j = np.argwhere(np.isinf(self.matrix))[0]
            raise ValueError(f"URN {self.urns[i]}: {self.names[j]} is infinite")

    def __len__(self) -> int:
        return len(self.urns)

    @classmethod
    def from_schools(cls, schools: Sequence[SchoolFeatures], names: Sequence[str]) -> FeatureTable:
        """The table of ``schools``' values of ``names`` (see :func:`feature_matrix`)."""
        urns = np.array([school.urn for school in schools], dtype=np.int64)
        return cls(urns, tuple(names), feature_matrix(schools, names))

    def schools(self) -> list[SchoolFeatures]:
        """One :class:`SchoolFeatures` per row, ``None`` where the table has NaN."""
        values = self.matrix.astype(object)
        values[np.isnan(self.matrix)] = None
        rows = values.tolist()
        return [
            SchoolFeatures(urn, dict(zip(self.names, row, strict=True)))
            for urn, row in zip(self.urns.tolist(), rows, strict=True)
        ]

    def columns(self, names: Sequence[str]) -> FloatArray:
        """The values of ``names`` in that order, a column of NaN for a name not held."""
        index = {name: j for j, name in enumerate(self.names)}
        out = np.full((len(self.urns), len(names)), np.nan)
        for k, name in enumerate(names):
            j = index.get(name)
            if j is not None:
                out[:, k] = self.matrix[:, j]
        return out


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


def check_unique(schools: Sequence[SchoolFeatures] | FeatureTable, where: str) -> None:
    """Raise ValueError naming the first URN that appears twice."""
    urns = schools.urns.tolist() if isinstance(schools, FeatureTable) else (s.urn for s in schools)
    seen: set[int] = set()
    for urn in urns:
        if urn in seen:
            raise ValueError(f"URN {urn} appears twice in {where}")
        seen.add(urn)


def reference_values(matrix: FloatArray) -> FloatArray:
    """Each column's median over known values; NaN for a column never known."""
    reference = np.full(matrix.shape[1], np.nan)
    for j in range(matrix.shape[1]):
        column = matrix[:, j]
        known = column[~np.isnan(column)]
        if len(known):
            reference[j] = float(np.median(known))
    return reference
