"""What happened next, and the windows the model learns and is tested on.

:func:`graded_outcomes` gives each school's next graded inspection in a window
(see the package docstring for how URNs are followed); :class:`Assembler` puts
features and outcomes together as training sets and backtest folds for
:mod:`convenor.analytics.early_warning`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from convenor.analytics.early_warning.features import (
    FeatureTable,
    Fold,
    SchoolFeatures,
    TrainingSet,
)
from convenor.intelligence import publication
from convenor.intelligence.asat.features import FEATURES, build
from convenor.intelligence.asat.register import Register, load_register
from convenor.intelligence.asat.snapshot import stored_features
from convenor.intelligence.models import Inspection


def graded_outcomes(
    start: date,
    end: date,
    *,
    known_by: date | None = None,
    register: Register | None = None,
) -> dict[int, bool]:
    """Whether each school's next graded inspection in ``start``..``end`` was below good.

    Keyed by the URNs open (and state-funded) on the day before ``start``, the
    as-at date the window follows, so the outcomes line up with that date's
    features: a school that converts on the window's first day is its old URN
    here, judged by the new URN's inspection. Schools with no graded inspection
    in the window are left out. The inspection may be of that URN or of a URN
    that succeeded it, once it had taken over (see the module docstring). With
    ``known_by``, a school whose first inspection in the window was not yet
    public by then is left out (a window ending on the day a model is fitted
    must not use later reports).
    """
    register = register or load_register()
    inspections: defaultdict[int, list[tuple[date, int]]] = defaultdict(list)
    rows = (
        Inspection.objects.filter(inspection_date__gte=start, inspection_date__lte=end)
        .order_by("urn", "inspection_date")
        .values_list("urn", "inspection_date", "grade")
    )
    for urn, day, grade in rows:
        inspections[urn].append((day, grade))
    outcomes: dict[int, bool] = {}
    for school in register.open_on(start - timedelta(days=1)):
        found = list(inspections.get(school.urn, ()))
        for later, since in register.descendants(school.urn):
            # Only once the successor has taken over is its inspection this school's.
            found += [i for i in inspections.get(later, ()) if i[0] >= since]
        if not found:
            continue
        day, grade = min(found)
        if known_by is not None and publication.inspection_published(day) > known_by:
            continue
        outcomes[school.urn] = grade >= 3
    return outcomes


# --- Training windows and backtest folds ------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """Features as at ``as_at``; outcomes from the next day to ``end``."""

    as_at: date
    end: date

    @property
    def start(self) -> date:
        return self.as_at + timedelta(days=1)


#: The first training origin (outcomes September 2015 to August 2016). As at 2015
#: and 2016 no KS2 or KS4 results of the current frameworks were public yet (the
#: first came out in December 2016 and January 2017), nor a census held here: those
#: windows teach the model from inspections, absence, exclusions, enrolments,
#: admissions and the register only.
FIRST_TRAINING_AS_AT = date(2015, 8, 31)

#: The backtest the issue asks for: as at 31 August 2017, outcomes to August 2018;
#: as at 31 August 2018, outcomes to March 2020 (when routine inspection stopped).
BACKTEST_FOLDS: tuple[Window, ...] = (
    Window(date(2017, 8, 31), date(2018, 8, 31)),
    Window(date(2018, 8, 31), date(2020, 3, 31)),
)


def training_windows(as_at: date, *, first: date = FIRST_TRAINING_AS_AT) -> list[Window]:
    """The yearly windows (31 August to 31 August) from ``first`` that end by ``as_at``."""
    windows = []
    year = first.year if (first.month, first.day) >= (8, 31) else first.year - 1
    while date(year + 1, 8, 31) <= as_at:
        if date(year, 8, 31) >= first:
            windows.append(Window(date(year, 8, 31), date(year + 1, 8, 31)))
        year += 1
    return windows


class Assembler:
    """Builds training sets and folds, reading the register once and each date's
    features once however many folds use them.

    With ``stored`` each date's features come from its snapshot when one fits
    the current data, and are stored as one when not (:mod:`.snapshot`); the
    values are the same either way.
    """

    def __init__(
        self, progress: Callable[[str], None] | None = None, *, stored: bool = False
    ) -> None:
        self.register = load_register()
        self._stored = stored
        self._tables: dict[date, FeatureTable] = {}
        self._features: dict[date, list[SchoolFeatures]] = {}
        self._say = progress or (lambda message: None)

    def table(self, as_at: date) -> FeatureTable:
        """Every open school's features as at ``as_at`` as one table (read or built once)."""
        if as_at not in self._tables:
            if self._stored:
                self._say(f"features as at {as_at}")
                self._tables[as_at] = stored_features(as_at)
            else:
                self._tables[as_at] = FeatureTable.from_schools(self.features(as_at), FEATURES)
        return self._tables[as_at]

    def features(self, as_at: date) -> list[SchoolFeatures]:
        """Every open school's features as at ``as_at`` (built once)."""
        if as_at not in self._features:
            if self._stored:
                self._features[as_at] = self.table(as_at).schools()
            else:
                self._say(f"features as at {as_at}")
                self._features[as_at] = build(as_at, register=self.register).features
        return self._features[as_at]

    def training(self, as_at: date) -> list[TrainingSet]:
        """A training set for every window ending by ``as_at``, outcomes as known then.

        A window with no outcome (after inspections stopped in March 2020, say)
        teaches nothing and is left out.
        """
        sets = []
        for window in training_windows(as_at):
            outcomes = graded_outcomes(
                window.start, window.end, known_by=as_at, register=self.register
            )
            if outcomes:
                sets.append(TrainingSet(window.as_at, self.features(window.as_at), outcomes))
        return sets

    def fold(self, window: Window) -> Fold:
        """Train on windows ending by ``window.as_at``; test on ``window``'s outcomes."""
        training = self.training(window.as_at)
        outcomes = graded_outcomes(window.start, window.end, register=self.register)
        return Fold(window.as_at, training, self.features(window.as_at), outcomes)
