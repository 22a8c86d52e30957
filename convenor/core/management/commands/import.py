"""``convenor import <kind> <file>``: import one file, accounting for every row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from convenor.core.commands import import_one, refresh_statistics, summary
from convenor.core.importing import get_kind, kinds
from convenor.core.models import ImportRun


class Command(BaseCommand):
    help = "Import one data file. Kinds: see --list. Runs in one transaction; safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", nargs="?", help="what the file is (see --list)")
        parser.add_argument("file", nargs="?", help="path to the file")
        parser.add_argument("--list", action="store_true", help="list the import kinds")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--la", type=int, help="only rows about schools in this LA code")
        parser.add_argument("--actor", default="command line", help="who is importing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"] or not options["kind"]:
            for kind in kinds().values():
                self.stdout.write(f"{kind.name:22} {kind.description}")
            return
        if not options["file"]:
            raise CommandError("give the file to import: convenor import <kind> <file>")
        try:
            get_kind(options["kind"])
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from None
        run = import_one(self, options["kind"], Path(options["file"]), options)
        self.stdout.write(summary(run, dry_run=options["dry_run"]))
        if run.created or run.updated:
            refresh_statistics()
        if run.rejected:
            self._show_rejections(run)

    def _show_rejections(self, run: ImportRun) -> None:
        shown = run.rejections.all()[:10] if run.pk else []
        for r in shown:
            self.stderr.write(f"  {r.source_file}, line {r.line}, {r.field or '-'}: {r.reason}")
        if run.report_path:
            self.stderr.write(f"All {run.rejected} rejected rows: {run.report_path}")
