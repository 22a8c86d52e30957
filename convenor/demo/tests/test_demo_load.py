"""The bundled Hampshire extract loads into the register with real facts intact."""

from __future__ import annotations

import csv
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from convenor.core.models import ImportRun
from convenor.intelligence.models import (
    AcademyConcern,
    AreaStatistic,
    CensusRecord,
    ExclusionRecord,
    Inspection,
    InterimExecutiveBoard,
    RiskScore,
    ScoreRun,
    WarningNotice,
)
from convenor.schools.models import Establishment
from convenor.schools.querysets import lineage_of

EXTRACT = Path(__file__).resolve().parents[1] / "data" / "850"


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("demo", "load", "--la", "850", "--no-progress", stdout=out, stderr=StringIO())
        yield out.getvalue()
        call_command("flush", "--no-input", verbosity=0)


@pytest.mark.slow
@pytest.mark.django_db
def test_it_accounts_for_every_row_of_every_file(loaded: str) -> None:
    runs = ImportRun.objects.all()
    imported = {str(Path(run.file_name).relative_to(EXTRACT)) for run in runs}
    with (EXTRACT / "MANIFEST.csv").open(encoding="utf-8") as fh:
        bundled = {row["relative_path"] for row in csv.DictReader(fh)}
    # Files read alongside another one rather than imported on their own.
    companions = {
        p
        for p in bundled
        if p.endswith("ks2_meta.csv") or "/meta/" in p or p.endswith("fct_school.csv")
    }
    assert imported == bundled - companions
    assert all(run.balances and run.status == "succeeded" for run in runs)
    assert "rows read" in loaded


@pytest.mark.slow
@pytest.mark.django_db
def test_it_loads_hampshires_schools(loaded: str) -> None:
    hampshire = Establishment.objects.in_la(850)
    spine = ImportRun.objects.get(kind="spine")
    assert (spine.rows_read, spine.created) == (600, 600)
    # The July 2022 register lists Hampshire's 494 open state-funded mainstream schools;
    # being the newest snapshot, it describes each of them now.
    july_2022 = hampshire.filter(register_as_at=date(2022, 7, 6))
    assert july_2022.count() == 494
    assert set(july_2022.values_list("status", "is_state_funded").distinct()) == {("Open", True)}
    assert Establishment.objects.get(urn=145229).name == "St Vincent College"


@pytest.mark.slow
@pytest.mark.django_db
def test_it_keeps_a_schools_history_across_academy_conversion(loaded: str) -> None:
    assert lineage_of(145229) == [130705, 145229]
    history = list(
        Inspection.objects.filter(urn__in=lineage_of(145229))
        .order_by("inspection_date")
        .values_list("inspection_date", "rating")
    )
    assert history == [
        (date(2008, 11, 24), "Good"),
        (date(2011, 11, 8), "Satisfactory"),
        (date(2013, 3, 12), "Requires improvement"),
        (date(2014, 4, 1), "Requires improvement"),
        (date(2016, 1, 13), "Good"),
        (date(2018, 11, 21), "Good"),
    ]


@pytest.mark.slow
@pytest.mark.django_db
def test_it_keeps_england_rows_for_comparison(loaded: str) -> None:
    england = AreaStatistic.objects.get(
        family="exclusions", level="national", period="2016/17", segment="all"
    )
    assert england.values["permanent"] == 7720
    assert england.values["headcount"] == 8025075


@pytest.mark.slow
@pytest.mark.django_db
def test_it_resolves_exclusion_rows_to_urns_within_the_year(loaded: str) -> None:
    rows = ExclusionRecord.objects.filter(
        period="2016/17", laestab__gte=8500000, laestab__lt=8510000
    )
    assert 522 <= rows.values("laestab").distinct().count() <= 528
    assert rows.filter(urn__isnull=False).count() / rows.count() > 0.95


@pytest.mark.slow
@pytest.mark.django_db
def test_it_loads_each_census_year(loaded: str) -> None:
    counts = {
        period: CensusRecord.objects.filter(
            period=period, laestab__gte=8500000, laestab__lt=8510000
        ).count()
        for period in ("2016/17", "2018/19", "2022/23")
    }
    assert counts == {"2016/17": 577, "2018/19": 579, "2022/23": 589}


@pytest.mark.slow
@pytest.mark.django_db
def test_it_seeds_synthetic_intervention_cases_at_hampshire_schools(loaded: str) -> None:
    assert "synthetic intervention cases at 7 schools" in loaded
    urns = {
        *WarningNotice.objects.values_list("urn", flat=True),
        *AcademyConcern.objects.values_list("urn", flat=True),
    }
    assert Establishment.objects.in_la(850).filter(urn__in=urns).count() == len(urns) == 7
    assert (WarningNotice.objects.count(), InterimExecutiveBoard.objects.count()) == (5, 1)
    assert AcademyConcern.objects.filter(trust_name__gt="").count() == 2


@pytest.mark.slow
@pytest.mark.django_db
def test_it_stores_two_early_warning_runs_and_a_rerun_adds_none(loaded: str) -> None:
    runs = list(ScoreRun.objects.order_by("as_at").values_list("as_at", "schools"))
    assert [as_at for as_at, _ in runs] == [date(2018, 8, 31), date(2019, 8, 31)]
    open_schools = Establishment.objects.in_la(850).count()
    assert all(0 < schools <= open_schools for _, schools in runs)
    assert RiskScore.objects.filter(run__as_at=date(2019, 8, 31)).count() == runs[1][1]
    call_command(
        "demo", "load", "--la", "850", "--no-progress", stdout=StringIO(), stderr=StringIO()
    )
    assert ScoreRun.objects.count() == 2
