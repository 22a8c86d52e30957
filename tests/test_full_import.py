"""Import every file family from the full public data and check facts from the files.

Skipped when ``../shared/data`` is absent. Slow: it imports all of England.
"""

from __future__ import annotations

import csv
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from convenor.core.models import ImportRun
from convenor.intelligence.models import AreaStatistic, Inspection, KS2Result
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of


@pytest.fixture(scope="module")
def england(shared_data: Path, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command(
            "import_all", str(shared_data), "--no-progress", stdout=StringIO(), stderr=StringIO()
        )
        first = {run.pk for run in ImportRun.objects.all()}
        call_command(
            "import_all", str(shared_data), "--no-progress", stdout=StringIO(), stderr=StringIO()
        )
        yield first
        call_command("flush", "--no-input", verbosity=0)


pytestmark = [pytest.mark.shared_data, pytest.mark.slow, pytest.mark.django_db]


def test_it_accounts_for_every_row_of_every_file(england: set[int]) -> None:
    runs = ImportRun.objects.filter(pk__in=england)
    assert runs.count() >= 50
    assert all(run.status == "succeeded" and run.balances for run in runs)


def test_it_changes_nothing_when_everything_is_imported_again(england: set[int]) -> None:
    again = ImportRun.objects.exclude(pk__in=england)
    assert again.count() == len(england)
    assert [(r.file_name, r.created, r.updated) for r in again if r.created or r.updated] == []


def _open_state_funded_mainstream_in_july_2022(data: Path, la: int) -> int:
    # Counted straight from the files, independently of the readers.
    folder = data / "admissions_school_level_clarelgibson"
    with (folder / "dim_la.csv").open(encoding="utf-8") as fh:
        la_keys = {row["la_key"] for row in csv.DictReader(fh) if row["la_code"] == str(la)}
    with (folder / "fct_school.csv").open(encoding="utf-8") as fh:
        keys = {row["school_key"] for row in csv.DictReader(fh) if row["la_key"] in la_keys}
    with (folder / "dim_school.csv").open(encoding="utf-8") as fh:
        return len(
            {
                row["urn"]
                for row in csv.DictReader(fh)
                if row["school_key"] in keys and row["establishment_status"].startswith("Open")
            }
        )


def test_it_counts_hampshires_open_state_funded_schools_in_2022(
    england: set[int], shared_data: Path
) -> None:
    expected = _open_state_funded_mainstream_in_july_2022(shared_data, 850)
    described = Establishment.objects.in_la(850).filter(register_as_at=date(2022, 7, 6))
    assert described.open().state_funded().count() == expected
    assert 480 <= expected <= 500


def test_it_follows_an_academys_predecessors(england: set[int]) -> None:
    assert lineage_of(145210)[:2] == [100128, 145210]
    assert lineage_of(100128) == lineage_of(145210)


def test_it_keeps_every_graded_inspection(england: set[int]) -> None:
    run = ImportRun.objects.filter(pk__in=england, kind="inspections").get()
    # Two repeated URN-date pairs, and 47 "Satisfactory" grades dated after the word was
    # retired in September 2012, are rejected with their reasons.
    assert (run.rows_read, run.rejected) == (60134, 49)
    stored = Inspection.objects.filter(source_file__endswith="ofsted_ratings_2018.csv")
    assert stored.count() == 60085
    first = Inspection.objects.order_by("inspection_date").first()
    assert first is not None and first.inspection_date == date(2005, 9, 12)
    assert not Inspection.objects.filter(
        rating="Satisfactory", inspection_date__gte=date(2012, 9, 1)
    ).exists()


def test_it_keeps_the_national_exclusion_totals(england: set[int]) -> None:
    england_2016_17 = AreaStatistic.objects.get(
        family="exclusions", level="national", period="2016/17", segment="all"
    )
    assert england_2016_17.values["permanent"] == 7720
    assert england_2016_17.values["fixed_period"] == 381865


def test_it_keeps_suppressed_results_as_missing_with_the_reason(england: set[int]) -> None:
    withheld = KS2Result.objects.filter(missing__has_key="reading_progress").first()
    assert withheld is not None
    assert withheld.values["reading_progress"] is None
    assert withheld.missing["reading_progress"] in {"LOWCOV", "SUPP", "NE", "NA", "blank", "NP"}
