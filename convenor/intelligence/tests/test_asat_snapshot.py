"""Stored feature snapshots: the values worked out, for their own date and data only."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from convenor.analytics.early_warning import FeatureTable
from convenor.core.models import ImportRun
from convenor.intelligence import asat
from convenor.intelligence.asat import snapshot
from convenor.intelligence.models import Inspection, KS2Result
from convenor.intelligence.models.scores import FeatureSnapshot
from convenor.intelligence.tests.factories import KS2ResultFactory
from convenor.intelligence.tests.test_asat import (
    AS_AT,
    OTHER_PRIMARY,
    PRIMARY,
    inspection,
    known_world,
    ks2,
    later_world,
    school,
)

Values = dict[int, dict[str, float | None]]


def values(table: FeatureTable) -> Values:
    return {f.urn: dict(f.values) for f in table.schools()}


def built(as_at: date = AS_AT) -> Values:
    return {f.urn: dict(f.values) for f in asat.build(as_at).features}


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """The dates the snapshot code works features out for (rather than reading them)."""
    seen: list[date] = []
    real = asat.build

    def counting(as_at: date, *args: Any, **kwargs: Any) -> asat.AsAt:
        seen.append(as_at)
        return real(as_at, *args, **kwargs)

    monkeypatch.setattr(snapshot, "build", counting)
    return seen


@pytest.mark.django_db
def test_it_stores_exactly_the_features_it_works_out(builds: list[date]) -> None:
    known_world()

    first = asat.stored_features(AS_AT)
    again = asat.stored_features(AS_AT)

    assert builds == [AS_AT]
    assert values(first) == values(again) == built()
    assert first.names == asat.FEATURES
    assert FeatureSnapshot.objects.get().as_at == AS_AT


@pytest.mark.django_db
def test_it_keeps_unknown_values_unknown_and_numbers_exact() -> None:
    known_world()
    asat.stored_features(AS_AT)

    stored = values(asat.stored_features(AS_AT))[PRIMARY]

    assert stored["ks4_p8"] is None  # a primary school has no KS4 results
    assert stored["first_preference_trend"] == built()[PRIMARY]["first_preference_trend"]
    assert not any(isinstance(v, float) and math.isnan(v) for v in stored.values())


@pytest.mark.django_db
def test_it_never_uses_a_snapshot_for_another_date(builds: list[date]) -> None:
    known_world()
    later_world()
    later = date(2018, 8, 31)
    asat.stored_features(AS_AT)

    other = values(asat.stored_features(later))

    assert builds == [AS_AT, later]
    assert other == built(later) != built(AS_AT)
    assert other[PRIMARY]["last_grade"] == 1.0  # the November 2017 inspection, public by then
    assert set(FeatureSnapshot.objects.values_list("as_at", flat=True)) == {AS_AT, later}


def _add_a_public_inspection() -> None:
    inspection(OTHER_PRIMARY, date(2017, 3, 1), 4)


def _add_results_in_bulk() -> None:
    # No signal: only the table's highest key shows it.
    full = KS2ResultFactory.build(
        urn=PRIMARY, period="2015/16", dataset="ks2_final_full", values={"writing_progress": 2.0}
    )
    KS2Result.objects.bulk_create([full])


def _regrade_an_inspection() -> None:
    # One row saved on its own, as the admin does.
    row = Inspection.objects.get(urn=PRIMARY, inspection_date=date(2016, 5, 10))
    row.grade = 4
    row.save()


def _delete_results() -> None:
    KS2Result.objects.filter(urn=OTHER_PRIMARY).delete()


def _import_in_place() -> None:
    # An import rewrites rows in bulk (no signal) and records itself in the ledger.
    KS2Result.objects.filter(urn=PRIMARY).update(values={"rwm_expected_pct": 5.0, "pupils": 30.0})
    now = timezone.now()
    ImportRun.objects.create(
        kind="ks2",
        file_name="ks2.csv",
        file_sha256="0" * 64,
        actor_label="test",
        started_at=now,
        finished_at=now,
        status=ImportRun.Status.SUCCEEDED,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        _add_a_public_inspection,
        _add_results_in_bulk,
        _regrade_an_inspection,
        _delete_results,
        _import_in_place,
    ],
    ids=["row-added", "rows-added-in-bulk", "row-saved", "rows-deleted", "import-in-place"],
)
def test_it_never_uses_a_snapshot_after_the_data_changed(
    builds: list[date], change: Callable[[], None]
) -> None:
    known_world()
    before = values(asat.stored_features(AS_AT))

    change()
    after = values(asat.stored_features(AS_AT))

    assert builds == [AS_AT, AS_AT]
    assert after == built() != before


@pytest.mark.django_db
def test_it_never_uses_a_snapshot_after_the_feature_code_changed(
    builds: list[date], monkeypatch: pytest.MonkeyPatch
) -> None:
    known_world()
    asat.stored_features(AS_AT)

    monkeypatch.setattr(snapshot, "code_version", lambda: "a newer feature computation")
    asat.stored_features(AS_AT)

    assert builds == [AS_AT, AS_AT]


@pytest.mark.django_db
def test_it_does_not_keep_features_built_while_the_data_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known_world()
    real = asat.build

    def build_during_an_import(as_at: date, *args: Any, **kwargs: Any) -> asat.AsAt:
        result = real(as_at, *args, **kwargs)
        ks2(OTHER_PRIMARY, "2014/15", 50.0)  # committed by someone else meanwhile
        return result

    monkeypatch.setattr(snapshot, "build", build_during_an_import)
    asat.stored_features(AS_AT)

    assert not FeatureSnapshot.objects.exists()


@pytest.mark.django_db
def test_it_replaces_stale_snapshots_when_storing() -> None:
    known_world()
    asat.stored_features(AS_AT)
    asat.stored_features(date(2016, 8, 31))
    school(110009)

    asat.stored_features(AS_AT)

    assert list(FeatureSnapshot.objects.values_list("as_at", flat=True)) == [AS_AT]
    assert FeatureSnapshot.objects.get().data_version == asat.data_version()


@pytest.mark.django_db
def test_it_works_features_out_without_storing_them_when_asked() -> None:
    known_world()

    table = asat.stored_features(AS_AT, store=False)

    assert values(table) == built()
    assert not FeatureSnapshot.objects.exists()


@pytest.mark.django_db
def test_the_assembler_gives_the_same_training_sets_from_snapshots() -> None:
    known_world()
    later_world()
    inspection(OTHER_PRIMARY, date(2018, 10, 1), 3)

    cold = asat.Assembler().training(date(2019, 8, 31))
    stored = asat.Assembler(stored=True).training(date(2019, 8, 31))
    again = asat.Assembler(stored=True).training(date(2019, 8, 31))

    def plain(sets: list[Any]) -> list[tuple[date, Values, Mapping[int, bool]]]:
        return [
            (t.as_at, {f.urn: dict(f.values) for f in t.schools}, dict(t.below_good)) for t in sets
        ]

    assert plain(stored) == plain(cold) == plain(again)
    assert FeatureSnapshot.objects.count() == len(cold)


def test_importing_the_feature_code_does_not_import_scikit_learn() -> None:
    code = (
        "import os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'convenor.config.settings')\n"
        "import django\n"
        "django.setup()\n"
        "import convenor.intelligence.asat\n"
        "import convenor.intelligence.scores\n"
        "from convenor.analytics.early_warning import FeatureTable, SchoolFeatures, Score\n"
        "print(sorted(m for m in sys.modules if m == 'sklearn' or m.startswith('sklearn.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
