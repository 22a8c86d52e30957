"""The import framework: accounting, idempotency, dry runs, failures, scoping."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convenor.core.importing import (
    ImportContext,
    ImportKind,
    Item,
    Plan,
    Target,
    register,
    run_import,
)
from convenor.core.models import AuditEvent, ImportRejection, ImportRun
from convenor.schools.models import Establishment, LocalAuthority
from convenor.sources.base import RawRow, RowError, read_rows, required_int

LA_TARGET = Target(LocalAuthority, ("code",))


def _parse(row: RawRow) -> tuple[int, str]:
    code = required_int(row.values["code"], "code")
    if not row.values["name"].strip():
        raise RowError("name", "is blank")
    return code, row.values["name"].strip()


def _plan(path: Path, context: ImportContext) -> Plan:
    result = read_rows(path, _parse, needed=("code", "name"), key=lambda r: r[0])
    items = [
        Item(
            line,
            LA_TARGET,
            {"code": code, "name": name, "source_file": path.name},
            area=("la", str(code)),
        )
        for line, (code, name) in zip(result.lines, result.records, strict=True)
    ]
    return Plan(items=items, rejections=list(result.rejections), rows_read=result.rows_read)


register(ImportKind("test-las", "LAs for the framework tests", _plan))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["code", "name"], *rows])
    return path


@pytest.fixture
def la_file(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "las.csv",
        [["850", "Hampshire"], ["936", "Surrey"], ["junk", "Nowhere"], ["850", "Hants again"]],
    )


@pytest.mark.django_db
def test_it_accounts_for_every_row(la_file: Path) -> None:
    run = run_import("test-las", la_file, actor="tester")
    assert (run.rows_read, run.created, run.rejected) == (4, 2, 2)
    assert run.balances
    reasons = sorted(ImportRejection.objects.values_list("line", "field", "reason"))
    assert reasons[0][:2] == (4, "code")
    assert "not a number" in reasons[0][2]
    assert reasons[1][0] == 5 and "duplicate of line 2" in reasons[1][2]


@pytest.mark.django_db
def test_it_changes_nothing_when_run_again(la_file: Path) -> None:
    run_import("test-las", la_file, actor="tester")
    before = list(LocalAuthority.objects.values_list("code", "name", "source_file"))
    again = run_import("test-las", la_file, actor="tester")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(LocalAuthority.objects.values_list("code", "name", "source_file")) == before


@pytest.mark.django_db
def test_it_counts_changed_rows_as_updated(tmp_path: Path) -> None:
    run_import("test-las", _write(tmp_path / "las.csv", [["850", "Hampshire"]]), actor="t")
    run = run_import("test-las", _write(tmp_path / "las.csv", [["850", "Hampshire CC"]]), actor="t")
    assert (run.created, run.updated, run.unchanged) == (0, 1, 0)
    assert LocalAuthority.objects.get(code=850).name == "Hampshire CC"


@pytest.mark.django_db
def test_it_writes_nothing_on_a_dry_run(la_file: Path) -> None:
    run = run_import("test-las", la_file, actor="tester", dry_run=True)
    assert run.pk is None and run.created == 2 and run.rejected == 2
    assert not LocalAuthority.objects.exists()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_it_keeps_nothing_from_a_run_that_fails_and_says_why(la_file: Path) -> None:
    def failing_plan(path: Path, context: ImportContext) -> Plan:
        plan = _plan(path, context)
        # A row missing a required field fails at the database, after good rows were written.
        plan.items.append(Item(99, LA_TARGET, {"code": 999, "name": None, "source_file": "x"}))
        return plan

    register(ImportKind("test-las-failing", "fails half-way", failing_plan))
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        run_import("test-las-failing", la_file, actor="tester")
    assert not LocalAuthority.objects.exists()
    failed = ImportRun.objects.get()
    assert failed.status == ImportRun.Status.FAILED
    assert failed.message


@pytest.mark.django_db
def test_it_records_the_ledger_report_and_audit_event(la_file: Path, settings, tmp_path) -> None:
    settings.IMPORT_REPORTS_DIR = tmp_path / "reports"
    run = run_import("test-las", la_file, actor="tester")
    assert len(run.file_sha256) == 64 and run.actor_label == "tester"
    report = Path(run.report_path).read_text(encoding="utf-8").splitlines()
    assert report[0] == "file,line,field,reason" and len(report) == 3
    event = AuditEvent.objects.get(action="import.completed")
    assert event.object_id == str(run.pk) and event.detail["created"] == 2


@pytest.mark.django_db
def test_it_leaves_out_rows_about_other_las(la_file: Path) -> None:
    Establishment.objects.create(
        urn=116000, name="A school", la_code=850, register_as_at="2019-11-07", source_file="t"
    )
    run = run_import("test-las", la_file, actor="tester", la=850)
    assert (run.created, run.out_of_scope, run.rejected) == (1, 1, 2)
    assert run.balances
    assert list(LocalAuthority.objects.values_list("code", flat=True)) == [850]


@pytest.mark.django_db
def test_it_explains_a_file_in_the_wrong_layout(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("URN,Rating\n1,Good\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"wrong.csv: missing column\(s\) code, name"):
        call_command("import", "test-las", str(wrong), "--no-progress")
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_it_explains_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "test-las", str(tmp_path / "nope.csv"), "--no-progress")


@pytest.mark.django_db
def test_it_names_unknown_kinds() -> None:
    with pytest.raises(CommandError, match="unknown import kind 'nonsense'"):
        call_command("import", "nonsense", "x.csv")


@pytest.mark.django_db
def test_it_adds_to_existing_rows_only_when_a_kind_may_not_create(fixtures_dir: Path) -> None:
    path = fixtures_dir / "perf_england_2019_waiky8" / "england_ks2final.csv"
    with path.open(encoding="utf-8") as fh:
        first_urn = int(next(csv.DictReader(fh))["URN"])
    Establishment.objects.create(
        urn=first_urn, name="A school", register_as_at="2019-11-07", source_file="t"
    )
    run = run_import("school-locations", path, actor="tester")
    assert run.balances and run.updated == 1 and run.created == 0
    assert Establishment.objects.count() == 1
    school = Establishment.objects.get()
    assert school.latitude is not None and 49.8 <= school.latitude <= 61
    # Every other school in the file is turned away, named, rather than created half-empty.
    assert run.rejected == run.rows_read - 1
    not_in_register = run.rejections.filter(reason__startswith="no establishment with {'urn':")
    assert not_in_register.count() == run.rejected


def _analyzed(args: list[str]) -> bool:
    with CaptureQueriesContext(connection) as queries:
        call_command(*args, "--no-progress", stdout=StringIO())
    return any(q["sql"].strip().upper() == "ANALYZE" for q in queries.captured_queries)


@pytest.mark.django_db
def test_an_import_that_changes_rows_refreshes_the_planner_statistics(la_file: Path) -> None:
    assert _analyzed(["import", "test-las", str(la_file)])
    # A re-run changes nothing, and a dry run writes nothing: no statistics to refresh.
    assert not _analyzed(["import", "test-las", str(la_file)])
    assert not _analyzed(["import", "test-las", str(la_file), "--dry-run"])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tbl FROM sqlite_stat1")
            assert "schools_localauthority" in {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_import_all_refreshes_the_statistics_once_at_the_end(fixtures_dir: Path) -> None:
    kinds = ["--only", "las", "--only", "la-names"]
    with CaptureQueriesContext(connection) as queries:
        call_command(
            "import_all",
            str(fixtures_dir),
            *kinds,
            "--no-progress",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    analyzes = [q for q in queries.captured_queries if q["sql"].strip().upper() == "ANALYZE"]
    assert len(analyzes) == 1
    assert queries.captured_queries[-1]["sql"].strip().upper() == "ANALYZE"
