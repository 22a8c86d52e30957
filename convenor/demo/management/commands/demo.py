"""``convenor demo ...``: build the demo extract, load it, create the demo users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from convenor.core.services import record_audit

DATA_ROOT = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "convenor-demo"  # printed by `make demo`; refused in production


class Command(BaseCommand):
    help = "Demo data: build-extract (from the public files), load (into the database), users."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build-extract", help="write the compact extract for one LA")
        build.add_argument("--la", type=int, default=850, help="DfE LA code (default 850)")
        build.add_argument("--from", dest="source", default="../shared/data", help="data folder")
        build.add_argument("--to", dest="dest", help="output folder (default the bundled one)")
        load = sub.add_parser("load", help="import the bundled extract for one LA")
        load.add_argument("--la", type=int, default=850, help="DfE LA code (default 850)")
        load.add_argument("--no-progress", action="store_true")
        sub.add_parser("users", help="create the demo users and print how to sign in")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "build-extract":
            self._build(options)
        elif action == "load":
            self._load(options)
        else:
            self._users()

    def _build(self, options: dict[str, Any]) -> None:
        from convenor.demo.extract import build_extract

        source = Path(options["source"])
        if not source.is_dir():
            raise CommandError(f"{source}: not a folder (point --from at the public data)")
        dest = Path(options["dest"]) if options["dest"] else DATA_ROOT / str(options["la"])
        report = build_extract(options["la"], source, dest, progress=self.stderr.write)
        kept = sum(f.rows_out for f in report.files)
        self.stdout.write(
            f"Extract for LA {report.la}: {len(report.files)} files, {kept} rows, "
            f"{report.urns} URNs -> {dest}"
        )

    def _load(self, options: dict[str, Any]) -> None:
        data = DATA_ROOT / str(options["la"])
        if not data.is_dir():
            raise CommandError(
                f"no demo extract for LA {options['la']} at {data}; build it with "
                f"`convenor demo build-extract --la {options['la']} --from ../shared/data`"
            )
        call_command(
            "import_all",
            str(data),
            "--actor",
            "demo loader",
            *(["--no-progress"] if options.get("no_progress") else []),
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def _users(self) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("demo users are not created in production")
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if created:
            record_audit("user.created", actor="demo loader", object_type="user", object_id=user.pk)
        self.stdout.write(
            "\nSign in at http://127.0.0.1:8000/admin/ as:\n"
            f"  administrator   username: admin   password: {DEMO_PASSWORD}\n"
            "The register page is http://127.0.0.1:8000/ (LA filter: ?la=850).\n"
        )
