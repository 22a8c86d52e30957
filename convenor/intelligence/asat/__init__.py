"""Indicators "as at" a date: each open school's latest known facts, with nothing from later.

:func:`school_features` gives, for every school open and state-funded on a date,
the early-warning features (:data:`FEATURES`) computed only from figures whose
publication date (:mod:`convenor.intelligence.publication`) is on or before that
date. :func:`feature_sources` runs the same computation and says, for every
feature of every school, which stored rows it came from and when each became
public, so a test can prove no feature looks past the date.
:func:`graded_outcomes` gives what happened next: each school's next graded
inspection in a window. :class:`Assembler` puts them together as training sets
and backtest folds for :mod:`convenor.analytics.early_warning`.

Each table is read once per date (measures pulled out of the JSON by the
database), and everything else is dictionaries in Python: no query per school.
:func:`stored_features` keeps a date's features as a snapshot, so that scoring
the same date again reads one row instead of every table; a snapshot is used
only for its own date and only while the data and code it came from are
unchanged (:mod:`.snapshot`).

**Modules.** :mod:`.register` (who is open, lineage), :mod:`.reading` (fast
reads), :mod:`.tables` (each indicator family's public figures),
:mod:`.features` (the features and their sources), :mod:`.outcomes` (outcomes,
windows, folds), :mod:`.snapshot` (stored features). Every name other code
uses is importable from this package.

**The features.** Each is the latest public figure, or ``None``:

- ``last_grade``, ``previous_grade`` (1 outstanding to 4 inadequate; the two
  latest graded inspections whose report was public, across the school's
  URNs), ``grade_change`` (last minus previous: positive is worse),
  ``days_since_inspection``, ``last_framework`` (the framework era of the last
  inspection, numbered from 0 for section 5 (2005) as in
  :data:`convenor.sources.inspections.FRAMEWORKS`);
- ``ks2_rwm_exp`` (% meeting the expected standard in reading, writing and
  maths), ``ks2_read_progress``, ``ks2_writ_progress``, ``ks2_mat_progress``,
  ``ks4_a8``, ``ks4_p8``; ``*_vs_england`` and ``*_vs_la``: the school's figure
  minus England's or its LA's for the same year (see :class:`References`);
  ``*_trend``: the least-squares slope, in points a year, of the gap to England
  over the latest three years with figures (two at least);
- ``absence_overall`` (% of sessions missed), ``absence_persistent`` (% of
  pupils persistently absent, 10% threshold only), ``exclusion_fixed_rate`` and
  ``exclusion_perm_rate`` (per 100 pupils, from the counts);
- ``pupils``, ``fsm_pct``, ``sen_pct`` (EHC plan plus SEN support), ``eal_pct``
  from the January census; ``pupils_change``: % change a year between the two
  latest censuses, or, for a school without two, between its enrolments in the
  two latest years of the absence returns;
- ``first_preference_ratio``: first preferences over places offered at entry;
  ``first_preference_trend``: its slope a year over the latest three entries;
- ``is_academy``, ``in_trust`` (a member of a multi-academy trust, by the date it
  joined), ``trust_schools`` (the trust's members by then), ``is_primary``,
  ``is_secondary`` (both for all-through), ``is_special``.

**Who is open on a date.** A URN is open from its open date to its close date
(inclusive). The register holds snapshots from 2019 and 2022, so its status
column describes those days, not the date asked about, and is not used:

- no open date (or GIAS's 1900-01-01 placeholder): open since before any date
  analysed, except that a URN continuing another one under a plain
  ``Predecessor``/``Successor`` link opened on the day of the switch;
- no close date: open, unless a successor took over on a known date;
- a predecessor URN missing from the register (it closed before the November
  2019 register's coverage starts, 1 September 2017) is rebuilt from its
  successor's link: open until the switch, with the successor's LA, phase and
  type, and maintained unless its URN is in the academy range.

**Lineage.** A school's history follows its predecessor URNs (academy
conversion, re-brokering, amalgamation, merger) as the links stood on the date:
the latest grade may be the predecessor's, and a year's results come from the
school's own URN or, failing that, the nearest predecessor's.

**Outcomes.** :func:`graded_outcomes` keys each outcome by the URN open on the
as-at date the window follows (the day before it starts), as the features are.
The first graded inspection in the window of that URN, or of a URN that
succeeded it once it had taken over, counts: a school that converts mid-window
(or on its first day) and is then inspected as an academy is the same school,
but a school merged into another after the window is not judged by the other's
inspection. When two schools merge into a new one, its inspection counts for
both.
"""

from convenor.intelligence.asat.features import (
    FEATURES,
    MIN_PUPILS_FOR_CHANGE,
    NATIONAL_COVERAGE,
    AsAt,
    References,
    Source,
    Sources,
    build,
    feature_sources,
    school_features,
)
from convenor.intelligence.asat.outcomes import (
    BACKTEST_FOLDS,
    FIRST_TRAINING_AS_AT,
    Assembler,
    Window,
    graded_outcomes,
    training_windows,
)
from convenor.intelligence.asat.reading import JsonNumber
from convenor.intelligence.asat.register import (
    ACADEMY_URN_FLOOR,
    REGISTER_COMPLETE_FROM,
    Register,
    School,
    load_register,
)
from convenor.intelligence.asat.snapshot import data_version, stored_features
from convenor.intelligence.asat.tables import (
    ABSENCE,
    CENSUS,
    ENROLMENTS,
    EXCLUSIONS,
    FIRST_RESULTS_YEAR,
    KS2,
    KS4,
    MAT,
    PERSISTENT_THRESHOLD,
    PREFERENCES,
    TREND_YEARS,
    Family,
    Figure,
    Measures,
    Tables,
    load_tables,
)

__all__ = [
    "ABSENCE",
    "ACADEMY_URN_FLOOR",
    "BACKTEST_FOLDS",
    "CENSUS",
    "ENROLMENTS",
    "EXCLUSIONS",
    "FEATURES",
    "FIRST_RESULTS_YEAR",
    "FIRST_TRAINING_AS_AT",
    "KS2",
    "KS4",
    "MAT",
    "MIN_PUPILS_FOR_CHANGE",
    "NATIONAL_COVERAGE",
    "PERSISTENT_THRESHOLD",
    "PREFERENCES",
    "REGISTER_COMPLETE_FROM",
    "TREND_YEARS",
    "AsAt",
    "Assembler",
    "Family",
    "Figure",
    "JsonNumber",
    "Measures",
    "References",
    "Register",
    "School",
    "Source",
    "Sources",
    "Tables",
    "Window",
    "build",
    "data_version",
    "feature_sources",
    "graded_outcomes",
    "load_register",
    "load_tables",
    "school_features",
    "stored_features",
    "training_windows",
]
