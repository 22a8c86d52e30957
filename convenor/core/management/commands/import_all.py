"""``convenor import-all <data-dir>``: import every known file found in a data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from convenor.core.commands import import_one, refresh_statistics, summary
from convenor.core.importing import kinds


def files_for(data_dir: Path) -> list[tuple[str, Path]]:
    """(kind, file) pairs found in ``data_dir``, in the order they must load."""
    found: list[tuple[str, Path]] = []
    for kind in kinds().values():
        for pattern in kind.patterns:
            for path in sorted(data_dir.glob(pattern)):
                if path.is_file():
                    found.append((kind.name, path))
    return found


class Command(BaseCommand):
    help = "Import every recognised file in a data folder (register first, then indicators)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("data_dir", help="folder laid out like shared/data")
        parser.add_argument("--la", type=int, help="keep only rows about this LA's schools")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--actor", default="command line", help="who is importing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")
        parser.add_argument("--only", action="append", help="only these kinds (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"])
        if not data_dir.is_dir():
            raise CommandError(f"{data_dir}: not a folder")
        plan = files_for(data_dir)
        if options["only"]:
            plan = [(k, p) for k, p in plan if k in options["only"]]
        if not plan:
            raise CommandError(f"{data_dir}: no files convenor knows how to import")
        totals = {"read": 0, "rejected": 0}
        changed = False
        for n, (kind, path) in enumerate(plan, start=1):
            self.stderr.write(f"[{n}/{len(plan)}] {kind}: {path.relative_to(data_dir)}")
            run = import_one(self, kind, path, options)
            self.stdout.write(summary(run, dry_run=options["dry_run"]))
            totals["read"] += run.rows_read
            totals["rejected"] += run.rejected
            changed = changed or bool(run.created or run.updated)
        if changed:
            refresh_statistics()
        self.stdout.write(
            f"Imported {len(plan)} files: {totals['read']} rows read, "
            f"{totals['rejected']} rejected (see the reports named above)."
        )
