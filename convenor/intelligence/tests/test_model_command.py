"""``convenor model backtest`` and ``convenor model score``."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from convenor.core.models import AuditEvent
from convenor.intelligence import asat
from convenor.intelligence.models import RiskScore, ScoreRun
from convenor.intelligence.models.scores import FeatureSnapshot
from convenor.intelligence.scores import STORED, latest_run, run_scores
from convenor.intelligence.tests.factories import (
    CensusRecordFactory,
    InspectionFactory,
    KS2ResultFactory,
)
from convenor.schools.tests.factories import EstablishmentFactory
from convenor.sources.inspections import framework_for, rating_for

HEADLINE = ("recall_at_10", "recall_at_20", "precision_at_10", "roc_auc", "pr_auc", "brier")


def small_history(schools: int = 80, seed: int = 1) -> list[int]:
    """Open primaries with an inspection history in which a school judged below good
    is more often below good next time, and results that go with it."""
    rng = random.Random(seed)
    urns = []
    for i in range(schools):
        urn = 100100 + i
        urns.append(urn)
        EstablishmentFactory(
            urn=urn, la_code=850 + i % 2, is_state_funded=True, is_academy=i % 3 == 0
        )
        grade = rng.choice((1, 2, 2, 2, 3, 3, 4))
        _inspect(urn, date(2013, 3, 1) + timedelta(days=i), grade)
        for year in range(2015, 2020):
            if rng.random() < 0.5:
                below = rng.random() < 0.15 + 0.2 * (grade - 1)
                grade = rng.choice((3, 4) if below else (1, 2))
                day = date(year, 10, 1) + timedelta(days=rng.randrange(240))
                _inspect(urn, day, grade)
        for period in ("2015/16", "2016/17", "2017/18"):
            rwm = max(0.0, min(100.0, 75 - 8 * grade + rng.gauss(0, 8)))
            KS2ResultFactory(
                urn=urn,
                period=period,
                values={"rwm_expected_pct": round(rwm), "pupils": 30.0},
                missing={},
            )
        CensusRecordFactory(urn=urn, period="2016/17", values={"pupils": 200.0 + i})
    return urns


def _inspect(urn: int, day: date, grade: int) -> None:
    InspectionFactory(
        urn=urn,
        inspection_date=day,
        grade=grade,
        rating=rating_for(grade, day),
        framework=framework_for(day),
    )


def run(*args: str) -> str:
    out = StringIO()
    call_command("model", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_it_prints_the_backtest_tables() -> None:
    small_history()

    text = run("backtest")

    assert "Fold 1: as at 31 Aug 2017" in text
    assert "Fold 2: as at 31 Aug 2018" in text
    assert "Overall: " in text
    assert "recall, top 10%" in text


@pytest.mark.django_db
def test_it_prints_the_backtest_as_json_with_the_headline_keys() -> None:
    small_history()

    report = json.loads(run("backtest", "--json", "--seed", "3"))

    assert set(report) == {"folds", "overall", "baselines"}
    assert [f["as_at"] for f in report["folds"]] == ["2017-08-31", "2018-08-31"]
    assert report["folds"][0]["training_as_at"] == ["2015-08-31", "2016-08-31"]
    assert report["folds"][1]["training_as_at"] == ["2015-08-31", "2016-08-31", "2017-08-31"]
    assert list(report["overall"])[:7] == [*HEADLINE, "base_rate"]
    assert report["overall"]["n_schools"] == 160  # 80 open schools, two folds
    assert "inspection_history" in report["baselines"]


@pytest.mark.django_db
def test_it_gives_the_same_backtest_for_the_same_seed() -> None:
    small_history()

    assert run("backtest", "--json") == run("backtest", "--json")


@pytest.mark.django_db
def test_it_writes_a_score_for_every_open_school(tmp_path: Path) -> None:
    urns = small_history()
    EstablishmentFactory(urn=100999, is_state_funded=True, open_date=date(2019, 9, 1))
    EstablishmentFactory(urn=100998, is_state_funded=False)
    out = tmp_path / "scores.csv"

    text = run("score", "--as-at", "2019-08-31", "--out", str(out))

    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["urn", "score", "rank", "reasons"]
    body = rows[1:]
    assert sorted(int(r[0]) for r in body) == sorted(urns)
    assert [int(r[2]) for r in body] == list(range(1, len(urns) + 1))
    scores = [float(r[1]) for r in body]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert "Scored 80 open state-funded schools as at 2019-08-31" in text


@pytest.mark.django_db
def test_it_stores_the_run_for_the_pages(tmp_path: Path) -> None:
    urns = small_history()
    out = tmp_path / "scores.csv"

    text = run("score", "--as-at", "2019-08-31", "--out", str(out), "--store", "--seed", "2")

    stored = ScoreRun.objects.get()
    assert latest_run(date(2019, 8, 31)) == stored
    assert (stored.as_at, stored.schools, stored.seed) == (date(2019, 8, 31), len(urns), 2)
    assert stored.training_windows == ["2015-08-31", "2016-08-31", "2017-08-31", "2018-08-31"]
    assert stored.training_rows > 0 and 0 < stored.training_base_rate < 1
    scores = run_scores(stored)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(int(r["urn"]), int(r["rank"])) for r in rows] == [(s.urn, s.rank) for s in scores]
    assert [r["score"] for r in rows] == [f"{s.probability:.4f}" for s in scores]
    assert [r["reasons"] for r in rows] == [
        "; ".join(x.describe() for x in s.reasons) for s in scores
    ]
    event = AuditEvent.objects.get(action=STORED)
    assert (event.actor_label, event.object_id) == ("convenor model score", str(stored.pk))
    assert f"stored run {stored.pk}" in text


@pytest.mark.django_db
def test_it_stores_a_run_without_writing_a_file(tmp_path: Path) -> None:
    small_history(schools=30)

    run("score", "--as-at", "2019-08-31", "--store")
    run("score", "--as-at", "2019-08-31", "--store")

    assert ScoreRun.objects.count() == 2
    assert RiskScore.objects.count() == 60
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_it_refuses_to_score_with_nowhere_to_put_the_scores() -> None:
    small_history(schools=4)
    with pytest.raises(CommandError, match=r"--out FILE .* --store"):
        run("score", "--as-at", "2019-08-31")
    assert not ScoreRun.objects.exists()


@pytest.mark.django_db
def test_it_scores_the_same_from_its_stored_features(tmp_path: Path) -> None:
    small_history()
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"

    run("score", "--as-at", "2019-08-31", "--out", str(first))
    snapshots = FeatureSnapshot.objects.count()
    run("score", "--as-at", "2019-08-31", "--out", str(second))

    assert snapshots == 5  # the four training dates and the date scored
    assert FeatureSnapshot.objects.count() == snapshots
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_it_scores_exactly_the_schools_of_the_features() -> None:
    urns = small_history(schools=20)
    assert [f.urn for f in asat.school_features(date(2019, 8, 31))] == urns


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-at", "2019-13-01"), "not a date written YYYY-MM-DD"),
        (("--as-at", "31/08/2019"), "not a date written YYYY-MM-DD"),
        (("--as-at", "2016-08-30"), "the earliest date that can be scored is 2016-08-31"),
    ],
)
def test_it_refuses_a_bad_date(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    small_history(schools=4)
    with pytest.raises(CommandError, match=message):
        run("score", *args, "--out", str(tmp_path / "s.csv"))


@pytest.mark.django_db
def test_it_refuses_an_output_folder_that_does_not_exist(tmp_path: Path) -> None:
    small_history(schools=4)
    with pytest.raises(CommandError, match="no folder"):
        run("score", "--as-at", "2019-08-31", "--out", str(tmp_path / "nowhere" / "s.csv"))


@pytest.mark.django_db
@pytest.mark.parametrize("action", [("backtest",), ("score", "--as-at", "2019-08-31")])
def test_it_explains_an_empty_database(tmp_path: Path, action: tuple[str, ...]) -> None:
    args = (*action, "--out", str(tmp_path / "s.csv")) if action[0] == "score" else action
    with pytest.raises(CommandError, match="no schools or no inspections"):
        run(*args)


@pytest.mark.django_db
def test_it_explains_too_few_outcomes_to_learn_from() -> None:
    EstablishmentFactory(urn=100100, is_state_funded=True)
    _inspect(100100, date(2012, 5, 1), 2)
    _inspect(100100, date(2016, 1, 12), 2)  # one outcome, and good

    with pytest.raises(CommandError, match="at least two inspected schools with each outcome"):
        run("backtest")


# --- The real Hampshire extract ---------------------------------------------


@pytest.fixture(scope="module")
def hampshire(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        call_command("demo", "load", "--la", "850", "--no-progress", stdout=StringIO())
        yield
        call_command("flush", "--no-input", verbosity=0)


@pytest.mark.slow
@pytest.mark.django_db
def test_it_backtests_and_scores_hampshires_real_history(hampshire: None, tmp_path: Path) -> None:
    report = json.loads(run("backtest", "--json"))
    out = tmp_path / "scores.csv"
    run("score", "--as-at", "2019-08-31", "--out", str(out))

    folds = report["folds"]
    assert [f["as_at"] for f in folds] == ["2017-08-31", "2018-08-31"]
    assert all(f["n_inspected"] > 20 and f["n_below_good"] > 5 for f in folds)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(asat.school_features(date(2019, 8, 31))) > 450
