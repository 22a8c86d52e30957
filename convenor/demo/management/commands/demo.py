"""``convenor demo ...``: build the demo extract, load it, create the demo users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from convenor.core.models import Role, RoleAssignment
from convenor.core.services import assign_role, record_audit

DATA_ROOT = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "convenor-demo"  # printed by `make demo`; refused in production
ACTOR = "demo loader"
# The dates the demo scores: the last two summers before inspections paused in March
# 2020, so the risk dashboard shows each school's change between them.
DEMO_SCORE_DATES = (date(2018, 8, 31), date(2019, 8, 31))


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    la_code: int | None = None
    area: str = ""
    school_urn: int | None = None
    remit: str = ""
    superuser: bool = False


# One user per role, all in Hampshire. Newtown CE VC Primary (URN 116336) is in the
# bundled extract; Winchester is one of the extract's districts.
DEMO_USERS = (
    DemoUser("officer", Role.LA_OFFICER, la_code=850),
    DemoUser("board", Role.BOARD_MEMBER, la_code=850, area="Winchester"),
    DemoUser("head", Role.SCHOOL_LEADER, school_urn=116336),
    DemoUser("system", Role.SYSTEM_LEADER),
    DemoUser("planner", Role.PLACE_PLANNER, la_code=850),
    DemoUser("inclusion", Role.INCLUSION_OFFICER, la_code=850, remit="Fair access panel"),
    DemoUser("councillor", Role.ELECTED_MEMBER, la_code=850),
    DemoUser("admin", Role.ADMINISTRATOR, superuser=True),
)


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
        sub.add_parser("users", help="create one demo user per role and print how to sign in")

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
            ACTOR,
            *(["--no-progress"] if options.get("no_progress") else []),
            stdout=self.stdout,
            stderr=self.stderr,
        )
        from convenor.demo.synthetic import seed_soft_intelligence

        self.stdout.write(seed_soft_intelligence(options["la"], actor=ACTOR).summary())
        from convenor.demo.synthetic_interventions import seed_interventions

        self.stdout.write(seed_interventions(options["la"], actor=ACTOR).summary())
        from convenor.intelligence.categorisation import DEMO_FRAMEWORKS_FROM, install_defaults

        self.stdout.write(install_defaults(options["la"], actor=ACTOR, on=DEMO_FRAMEWORKS_FROM))
        from convenor.demo.synthetic_brokerage import seed_brokerage

        self.stdout.write(seed_brokerage(options["la"]).summary())
        self._score(options)

    def _score(self, options: dict[str, Any]) -> None:
        # Early-warning runs for the risk dashboard and category pages, fitted on the
        # LA's own history; a date already scored is left as it is, so a re-run adds none.
        from convenor.intelligence.models import ScoreRun

        for as_at in DEMO_SCORE_DATES:
            if ScoreRun.objects.filter(as_at=as_at).exists():
                continue
            call_command(
                "model",
                "score",
                "--as-at",
                as_at.isoformat(),
                "--store",
                "--no-progress",
                stdout=self.stdout,
                stderr=self.stderr,
            )

    def _users(self) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("demo users are not created in production")
        try:
            with transaction.atomic():
                rows = [self._demo_user(demo) for demo in DEMO_USERS]
        except ValidationError as error:
            raise CommandError(
                f"cannot give the demo roles ({'; '.join(error.messages)}); "
                "load the Hampshire register first with `convenor demo load`"
            ) from error
        width = max(len(username) for username, _, _ in rows)
        self.stdout.write(
            f"\nOpen http://127.0.0.1:8000/ and sign in with the password {DEMO_PASSWORD!r} as:\n"
        )
        self.stdout.write(f"  {'username':<{width}}  role / scope")
        for username, role, scope in rows:
            self.stdout.write(f"  {username:<{width}}  {role}" + (f" / {scope}" if scope else ""))
        self.stdout.write(
            "\nThe home page shows Hampshire at a glance; the school list is "
            "http://127.0.0.1:8000/schools/ (another LA: ?la=<code>).\n"
        )

    def _demo_user(self, demo: DemoUser) -> tuple[str, str, str]:
        """Create or refresh one demo user and give it its role once; a re-run changes nothing."""
        user, created = get_user_model().objects.get_or_create(username=demo.username)
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = demo.superuser
        user.save()
        if created:
            record_audit("user.created", actor=ACTOR, object_type="user", object_id=user.pk)
        assignment = RoleAssignment.objects.filter(
            user=user,
            role=demo.role,
            la_code=demo.la_code,
            area=demo.area,
            school_urn=demo.school_urn,
        ).first()
        if assignment is None:
            assignment = assign_role(
                user,
                demo.role,
                actor=ACTOR,
                la_code=demo.la_code,
                area=demo.area,
                school_urn=demo.school_urn,
                remit=demo.remit,
            )
        return user.get_username(), assignment.get_role_display(), assignment.scope_label
