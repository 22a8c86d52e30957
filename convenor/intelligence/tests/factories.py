"""Factories for hard data: inspections and indicator rows, by default of one Hampshire school.

Measures are built afresh for each row (``LazyFunction``), so no two rows share a dict.
"""

from __future__ import annotations

from datetime import date, timedelta

from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory

from convenor.core.tests.factories import UserFactory
from convenor.intelligence.models import (
    AbsenceRecord,
    CensusRecord,
    ConcernRule,
    ExclusionRecord,
    Inspection,
    KS2Result,
    KS4Result,
    PreferenceRecord,
    Sensitivity,
    SoftIntelligenceEntry,
    SoftIntelligenceKind,
    WindowUnit,
)


class InspectionFactory(DjangoModelFactory[Inspection]):
    """A Good inspection; give each inspection of one school its own date."""

    class Meta:
        model = Inspection

    urn = 116336
    inspection_date = Sequence(lambda n: date(2000 + n % 20, 9, 15))
    grade = 2
    rating = "Good"
    framework = "Section 5 (2015)"
    source_file = "factory"


class KS2ResultFactory(DjangoModelFactory[KS2Result]):
    """Final KS2 results with one suppressed measure, as the real files have."""

    class Meta:
        model = KS2Result

    urn = 116336
    period = "2018/19"
    dataset = "ks2_final"
    segment = "all"
    values = LazyFunction(lambda: {"rwm_expected_pct": 0.65, "pupils": 30.0, "rwm_high_pct": None})
    missing = LazyFunction(lambda: {"rwm_high_pct": "SUPP"})
    source_file = "factory"


class KS4ResultFactory(KS2ResultFactory):
    class Meta:
        model = KS4Result

    dataset = "ks4_final"
    values = LazyFunction(lambda: {"attainment8": 46.5, "progress8": None})
    missing = LazyFunction(lambda: {"progress8": "NE"})


class CensusRecordFactory(KS2ResultFactory):
    class Meta:
        model = CensusRecord

    dataset = "census"
    values = LazyFunction(lambda: {"pupils": 412.0, "fsm_pct": 0.12})
    missing = LazyFunction(dict)


class AbsenceRecordFactory(KS2ResultFactory):
    class Meta:
        model = AbsenceRecord

    dataset = "absence"
    values = LazyFunction(lambda: {"overall_absence_pct": 4.1, "persistent_absence_pct": None})
    missing = LazyFunction(lambda: {"persistent_absence_pct": "x"})


class ExclusionRecordFactory(KS2ResultFactory):
    class Meta:
        model = ExclusionRecord

    dataset = "exclusions"
    laestab = 8502000
    period = "2016/17"
    values = LazyFunction(lambda: {"fixed_period": 3.0, "permanent": None})
    missing = LazyFunction(lambda: {"permanent": "x"})


class PreferenceRecordFactory(KS2ResultFactory):
    class Meta:
        model = PreferenceRecord

    dataset = "admissions"
    segment = "primary"
    values = LazyFunction(lambda: {"first_preferences": 40.0, "offers": 38.0})
    missing = LazyFunction(dict)


class SoftIntelligenceEntryFactory(DjangoModelFactory[SoftIntelligenceEntry]):
    """A standard parental complaint about URN 116336 in March 2020, counting for two years.

    Built directly, without the service's audit event: for tests of reads. Tests of
    recording call :func:`convenor.intelligence.services.record_entry`.
    """

    class Meta:
        model = SoftIntelligenceEntry

    urn = 116336
    kind = SoftIntelligenceKind.PARENTAL_COMPLAINT
    source = "Parent, by email"
    observed_on = date(2020, 3, 2)
    author = SubFactory(UserFactory)
    sensitivity = Sensitivity.STANDARD
    summary = "Complaint about how a bullying allegation was handled."
    expires_on = LazyAttribute(lambda e: e.observed_on + timedelta(days=730))
    follow_up = ""
    follow_up_due = None
    synthetic = False


class ConcernRuleFactory(DjangoModelFactory[ConcernRule]):
    """Hampshire's rule of three entries in two terms, in force from 1 September 2019."""

    class Meta:
        model = ConcernRule

    la_code = 850
    name = "Three in two terms"
    threshold = 3
    window_length = 2
    window_unit = WindowUnit.TERMS
    kinds = LazyFunction(list)
    effective_from = date(2019, 9, 1)
