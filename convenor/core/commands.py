"""What the import commands share: running one import and describing the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from convenor.core.importing import run_import
from convenor.core.models import ImportRun
from convenor.core.progress import bar_factory
from convenor.sources.base import FileFormatError


def summary(run: ImportRun, *, dry_run: bool) -> str:
    """One line a person can read: what happened to every row of the file."""
    prefix = "Dry run (nothing written): " if dry_run else ""
    text = (
        f"{prefix}{Path(run.file_name).name} [{run.kind}]: read {run.rows_read} rows; "
        f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}, "
        f"rejected {run.rejected}"
    )
    if run.out_of_scope:
        text += f", outside LA {run.la_scope} {run.out_of_scope}"
    return text


def import_one(command: BaseCommand, kind: str, path: Path, options: dict[str, Any]) -> ImportRun:
    """Run one import for a command, turning expected failures into clear messages."""
    try:
        return run_import(
            kind,
            path,
            actor=options.get("actor") or "command line",
            dry_run=options.get("dry_run", False),
            la=options.get("la"),
            progress=bar_factory(path.name, enabled=not options.get("no_progress")),
        )
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None
    except FileFormatError as exc:
        raise CommandError(f"{exc} (is this a {kind} file?) Nothing was imported.") from None


def refresh_statistics() -> None:
    """Have the database gather table statistics after an import changed its tables.

    Without them SQLite's planner guesses, and after a first national import it picks
    the census uniqueness index for "latest census per school" and the home page
    takes seconds instead of milliseconds (docs/performance.md, Pages). ``ANALYZE``
    means the same to SQLite and PostgreSQL; it takes about a second for all
    England on SQLite.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
