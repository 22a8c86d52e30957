"""Page load under concurrent users: home, school list and profile against /health/.

    python benchmarks/pages.py --scale hampshire [--users 20] [--seconds 30] [--think 1.0]
    python benchmarks/pages.py --scale england --data ../shared/data [--json]

Serves convenor with gunicorn (``convenor/config/gunicorn.conf.py``, production
settings, plain HTTP on 127.0.0.1) from an SQLite database of the chosen scale,
signs in ``--users`` virtual users over HTTP as a browser would, each with its
own session and keep-alive connection, and has each load the home page, a
school list (random filter or page), a school profile (random open
state-funded school) and the trivial view ``/health/`` in turn, waiting a think
time between requests (uniform, averaging ``--think`` seconds; 0 loads the
server flat out). After ``--warmup`` seconds it records every request started
in the next ``--seconds`` and reports, per page, p50, p95 and max latency and
the p95 as a multiple of /health/'s p95 in the same run. Any response but 200
fails the run.

Databases are built once into ``var/bench/`` and reused while the stamp beside
each (a hash of the build commands, migrations, readers, importers and input
files) still matches: Hampshire from the committed demo extract (``convenor
demo load --la 850``, about 10 s), all England from ``--data`` (``convenor
import-all``, about 2 minutes). A build goes into a temporary file renamed
into place when complete, so an interrupted build is never used. The server
runs with production settings, so the static files are collected into
``staticfiles/`` first, as a deployment would.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import http.client
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
GUNICORN_CONFIG = ROOT / "convenor" / "config" / "gunicorn.conf.py"
HOST = "127.0.0.1"
sys.path.insert(0, str(ROOT))

# Raise when the way a database is built changes, to rebuild every cached one.
BUILD_VERSION = "1"
# What every database is made by, besides its input files (globs relative to ROOT).
BUILD_CODE = (
    "convenor/*/migrations/*.py",
    "convenor/sources/**/*.py",
    "convenor/*/importers.py",
    "convenor/*/loaders.py",
    "convenor/core/importing.py",
    "convenor/core/commands.py",
    "convenor/core/rows.py",
    "convenor/core/management/commands/*.py",
)
# And the demo database by the demo loader too.
DEMO_CODE = ("convenor/demo/*.py", "convenor/demo/management/commands/*.py")
HAMPSHIRE = 850
DEMO_EXTRACT = ROOT / "convenor" / "demo" / "data" / str(HAMPSHIRE)

SEED = 20261123
USERNAME = "benchmark"
PAGES = ("home", "list", "profile", "health")
TRIVIAL = "health"
GOAL_MS = 150.0
GOAL_USERS = 20
LIST_PAGE_SIZE = 50  # convenor.schools.views.PAGE_SIZE
OUTCOMES = ("1", "2", "3", "4", "none")


# --- Results: pure functions over the recorded samples ------------------------------------


@dataclass(frozen=True)
class Sample:
    """One request: which page, when it started (seconds into the run), how it went."""

    page: str
    started: float
    seconds: float
    status: int
    size: int


@dataclass(frozen=True)
class PageSummary:
    page: str
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    p95_ratio: float
    median_kb: float


@dataclass(frozen=True)
class Summary:
    pages: list[PageSummary]
    requests: int
    errors: int
    throughput: float
    error_statuses: dict[str, int]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, interpolating between the two
    nearest ranks (numpy's default, Excel's PERCENTILE.INC). Raises ``ValueError``
    when ``values`` is empty."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(samples: Sequence[Sample], *, seconds: float) -> Summary:
    """Requests, errors, p50/p95/max latency and p95 ÷ /health/'s p95 for each page,
    and throughput, from the samples of a ``seconds``-long measuring window.

    Latencies count successful (200) requests only; errors are counted apart.
    A page with no successful request has NaN figures.
    """
    by_page: dict[str, list[Sample]] = {page: [] for page in PAGES}
    for sample in samples:
        by_page.setdefault(sample.page, []).append(sample)

    def good(page: str) -> list[float]:
        return [s.seconds * 1000 for s in by_page[page] if s.status == 200]

    trivial = good(TRIVIAL)
    trivial_p95 = percentile(trivial, 95) if trivial else math.nan
    rows = []
    for page, page_samples in by_page.items():
        ok = good(page)
        sizes = [s.size / 1024 for s in page_samples if s.status == 200]
        p95 = percentile(ok, 95) if ok else math.nan
        rows.append(
            PageSummary(
                page=page,
                requests=len(page_samples),
                errors=sum(1 for s in page_samples if s.status != 200),
                p50_ms=percentile(ok, 50) if ok else math.nan,
                p95_ms=p95,
                max_ms=max(ok) if ok else math.nan,
                p95_ratio=p95 / trivial_p95 if trivial_p95 > 0 else math.nan,
                median_kb=percentile(sizes, 50) if sizes else math.nan,
            )
        )
    statuses: dict[str, int] = {}
    for sample in samples:
        if sample.status != 200:
            key = f"{sample.page} {sample.status or 'no response'}"
            statuses[key] = statuses.get(key, 0) + 1
    return Summary(
        pages=rows,
        requests=len(samples),
        errors=sum(statuses.values()),
        throughput=len(samples) / seconds if seconds > 0 else math.nan,
        error_statuses=statuses,
    )


def markdown_table(summary: Summary) -> str:
    """The per-page figures as a Markdown table."""
    lines = [
        "| page | requests | p50 | p95 | max | p95 ÷ /health/ | median size |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary.pages:
        lines.append(
            f"| {row.page} | {row.requests:,} | {_figure(row.p50_ms, ' ms')} "
            f"| {_figure(row.p95_ms, ' ms')} | {_figure(row.max_ms, ' ms')} "
            f"| {_figure(row.p95_ratio, 'x', 1)} | {_figure(row.median_kb, ' KB')} |"
        )
    return "\n".join(lines)


def _figure(value: float, unit: str, places: int = 0) -> str:
    return "-" if math.isnan(value) else f"{value:,.{places}f}{unit}"


def as_json(value: Any) -> Any:
    """``value`` with NaN as None, which JSON can carry, and floats to three places."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


# --- Databases, built once per scale -----------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A database to serve, how to build it, and who signs in to it."""

    name: str
    commands: list[list[str]]
    code: tuple[str, ...]
    inputs: list[Path]
    role: str
    la_code: int | None

    @property
    def database(self) -> Path:
        return BENCH_DIR / f"{self.name}.sqlite3"

    @property
    def stamp_file(self) -> Path:
        return BENCH_DIR / f"{self.name}.stamp.json"


def scale_for(name: str, data: Path | None) -> Scale:
    migrate = ["migrate", "--no-input"]
    if name == "hampshire":
        return Scale(
            name=name,
            commands=[migrate, ["demo", "load", "--la", str(HAMPSHIRE), "--no-progress"]],
            code=BUILD_CODE + DEMO_CODE,
            inputs=[DEMO_EXTRACT],
            role="la_officer",
            la_code=HAMPSHIRE,
        )
    assert data is not None
    return Scale(
        name=name,
        commands=[migrate, ["import-all", str(data.resolve()), "--no-progress"]],
        code=BUILD_CODE,
        inputs=[data.resolve()],
        # ADR 0003: an administrator's full scope is every school.
        role="administrator",
        la_code=None,
    )


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def build_stamp(scale: Scale) -> str:
    """A hash of everything the scale's database is made from: the commands, the
    migrations, readers and importers (``Scale.code``) and every input file."""
    digest = hashlib.sha256(f"{BUILD_VERSION}\n{json.dumps(scale.commands)}\n".encode())
    code = sorted({p for pattern in scale.code for p in ROOT.glob(pattern) if p.is_file()})
    for root, files in [(ROOT, code), *((i, _files_under(i)) for i in scale.inputs)]:
        for path in files:
            digest.update(f"{path.relative_to(root) if path != root else path.name}\n".encode())
            with path.open("rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def _read_stamp(scale: Scale) -> str | None:
    try:
        stamp = json.loads(scale.stamp_file.read_text())
    except (OSError, ValueError):
        return None
    return stamp.get("stamp") if isinstance(stamp, dict) else None


def _convenor(args: Sequence[str], env: dict[str, str], log: Any) -> None:
    command = [sys.executable, "-m", "convenor.cli", *args]
    print(f"  convenor {' '.join(args)}", file=sys.stderr, flush=True)
    # Progress lines ("[12/60] census: ...") go to the terminal, summaries to the log.
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=log, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"`convenor {' '.join(args)}` failed ({result.returncode}); see {log.name}"
        )


def ensure_database(scale: Scale) -> Path:
    """The scale's database, built now unless one with a matching stamp exists."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    # One build at a time per scale, so a second run waits and then reuses it.
    with (BENCH_DIR / f"{scale.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = build_stamp(scale)
        if scale.database.exists() and _read_stamp(scale) == stamp:
            return scale.database
        reason = "stale" if scale.database.exists() else "missing"
        print(f"Building the {scale.name} database ({reason})...", file=sys.stderr, flush=True)
        for leftover in BENCH_DIR.glob(f"{scale.name}.building*"):
            leftover.unlink()
        building = BENCH_DIR / f"{scale.name}.building.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{building}",
            "CONVENOR_VAR_DIR": str(BENCH_DIR / f"{scale.name}-build"),
            "DJANGO_SETTINGS_MODULE": "convenor.config.settings",
        }
        env.pop("CONVENOR_ENV", None)
        started = time.perf_counter()
        log_path = BENCH_DIR / f"{scale.name}-build.log"
        with log_path.open("w") as log:
            for args in scale.commands:
                _convenor(args, env, log)
        seconds = time.perf_counter() - started
        # Stamp gone first: a crash between the two renames leaves a rebuild, never a
        # new database passing for the old one's stamp or the reverse.
        scale.stamp_file.unlink(missing_ok=True)
        os.replace(building, scale.database)
        record = {
            "stamp": stamp,
            "built": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "commands": [" ".join(["convenor", *args]) for args in scale.commands],
        }
        pending = scale.stamp_file.with_suffix(".tmp")
        pending.write_text(json.dumps(record, indent=2) + "\n")
        os.replace(pending, scale.stamp_file)
        print(f"Built in {seconds:.0f} s: {scale.database}", file=sys.stderr, flush=True)
        return scale.database


# --- What the virtual users ask for ------------------------------------------------------


@dataclass(frozen=True)
class AuthorityChoices:
    """One LA's values for the school list's filters."""

    code: int
    pages: int
    phases: list[str]
    districts: list[str]
    towns: list[str]


@dataclass
class Plan:
    username: str
    password: str
    la_in_url: bool
    authorities: list[AuthorityChoices]
    urns: list[int]
    with_results: int = 0


def home_path(plan: Plan, rng: random.Random) -> str:
    if not plan.la_in_url:
        return "/"
    return f"/?la={rng.choice(plan.authorities).code}"


def list_path(plan: Plan, rng: random.Random) -> str:
    """The school list of one LA, as a user filters or pages through it."""
    la = rng.choice(plan.authorities)
    query: dict[str, str] = {"la": str(la.code)} if plan.la_in_url else {}
    kind = rng.choice(("first", "page", "phase", "governance", "outcome", "sort", "area"))
    if kind == "page" and la.pages > 1:
        query["page"] = str(rng.randint(2, la.pages))
    elif kind == "phase" and la.phases:
        query["phase"] = rng.choice(la.phases)
    elif kind == "governance":
        query["governance"] = rng.choice(("maintained", "academy"))
    elif kind == "outcome":
        query["outcome"] = rng.choice(OUTCOMES)
    elif kind == "sort":
        query.update(sort=rng.choice(("pupils", "inspected", "phase")), order="desc")
    elif kind == "area" and la.districts:
        if rng.random() < 0.5 or not la.towns:
            query["district"] = rng.choice(la.districts)
        else:
            query["q"] = rng.choice(la.towns)
    return f"/schools/?{urllib.parse.urlencode(query)}" if query else "/schools/"


def profile_path(plan: Plan, rng: random.Random) -> str:
    return f"/schools/{rng.choice(plan.urns)}/"


def health_path(plan: Plan, rng: random.Random) -> str:
    return "/health/"


PATHS: dict[str, Callable[[Plan, random.Random], str]] = {
    "home": home_path,
    "list": list_path,
    "profile": profile_path,
    "health": health_path,
}


def prepare(scale: Scale, database: Path, schools: int) -> Plan:
    """Give the benchmark user a fresh password and its role, and choose the pages."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "convenor.config.settings"
    os.environ.pop("CONVENOR_ENV", None)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections, transaction
    from django.db.models import Count

    from convenor.core.models import RoleAssignment
    from convenor.core.services import assign_role, create_user
    from convenor.intelligence.models import KS2Result, KS4Result
    from convenor.schools.models import Establishment

    password = secrets.token_urlsafe(24)
    with transaction.atomic():
        user = get_user_model().objects.filter(username=USERNAME).first()
        if user is None:
            create_user(
                USERNAME,
                full_name="Page Benchmark",
                email="benchmark@example.gov.uk",
                password=password,
                role=scale.role,
                la_code=scale.la_code,
                actor="benchmarks/pages.py",
            )
        else:
            user.set_password(password)
            user.is_active = True
            user.save()
            held = RoleAssignment.objects.filter(user=user, role=scale.role, la_code=scale.la_code)
            if not held.exists():
                assign_role(user, scale.role, actor="benchmarks/pages.py", la_code=scale.la_code)

    open_schools = Establishment.objects.open()
    if scale.la_code is not None:
        open_schools = open_schools.in_la(scale.la_code)
    counts = (
        open_schools.exclude(la_code=None)
        .values("la_code")
        .annotate(n=Count("urn"))
        .order_by("la_code")
    )
    authorities = []
    for row in counts:
        in_la = open_schools.filter(la_code=row["la_code"])

        def distinct(column: str, schools: Any = in_la) -> list[str]:
            values = schools.exclude(**{column: ""}).values_list(column, flat=True)
            return sorted(set(values))

        authorities.append(
            AuthorityChoices(
                code=row["la_code"],
                pages=max(1, math.ceil(row["n"] / LIST_PAGE_SIZE)),
                phases=distinct("phase"),
                districts=distinct("district"),
                towns=distinct("town"),
            )
        )
    if not authorities:
        raise SystemExit(f"{database}: no open schools to show")

    candidates = list(open_schools.state_funded().values_list("urn", flat=True).order_by("urn"))
    urns = sorted(random.Random(SEED).sample(candidates, min(schools, len(candidates))))
    with_results = {
        *KS2Result.objects.filter(urn__in=urns).values_list("urn", flat=True),
        *KS4Result.objects.filter(urn__in=urns).values_list("urn", flat=True),
    }
    connections.close_all()
    return Plan(
        username=USERNAME,
        password=password,
        la_in_url=scale.la_code is None,
        authorities=authorities,
        urns=urns,
        with_results=len(with_results),
    )


# --- The server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(database: Path) -> dict[str, str]:
    """Production settings, except plain HTTP: there is no TLS proxy on loopback."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "convenor.config.settings",
        "CONVENOR_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        # The only production setting the benchmark turns off: it would redirect every
        # request to https://, which nothing on loopback answers. Secure-only cookies
        # stay on; the virtual users send them back over HTTP regardless.
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{database}",
        "CONVENOR_VAR_DIR": str(BENCH_DIR / "server"),
        "PYTHONUNBUFFERED": "1",
    }
    return env


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, timeout: float = 5) -> int:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()


@contextlib.contextmanager
def serve(database: Path, gunicorn_args: Sequence[str]) -> Iterator[Server]:
    """gunicorn on a free loopback port, answering /health/, until the block ends."""
    env = server_env(database)
    # Production keeps hashed copies of the static files (CompressedManifestStaticFilesStorage),
    # and the pages' {% static %} tags need their manifest: collect them as a deploy would.
    subprocess.run(
        [sys.executable, "-m", "convenor.cli", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    log = BENCH_DIR / f"gunicorn-{database.stem}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(GUNICORN_CONFIG),
        "--bind",
        f"{HOST}:{port}",
        *gunicorn_args,
    ]
    with log.open("wb") as out:
        # Its own session, so a Ctrl-C reaches only this script, which stops it in order.
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port, process, log)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        _stop(process)


def _wait_until_healthy(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.process.returncode}); see {server.log}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if server.get("/health/") == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /health/ within {timeout:.0f} s; see {server.log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: gunicorn finishes the requests in hand, then exits
    try:
        process.wait(timeout=35)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- Virtual users ------------------------------------------------------------------------

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One virtual user: a keep-alive connection and its own cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        sent = {"User-Agent": "convenor-bench/1", "Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=sent)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            # Start afresh on the next request, as a browser would.
            self.conn.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, content

    def sign_in(self, username: str, password: str) -> None:
        """GET the form for its CSRF token, POST it, and expect the redirect home."""
        status, page = self.request("GET", "/sign-in/")
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise SystemExit(f"GET /sign-in/ gave {status} and no CSRF token")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
                "next": "",
            }
        ).encode()
        origin = f"http://{HOST}:{self.port}"
        status, _ = self.request(
            "POST",
            "/sign-in/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": f"{origin}/sign-in/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"signing in as {username} gave {status}, not a redirect")

    def close(self) -> None:
        self.conn.close()


@dataclass
class Load:
    users: int
    warmup: float
    seconds: float
    think: float


@dataclass(frozen=True)
class CpuReading:
    """CPU seconds used so far: by gunicorn and its workers, by this script, by the machine."""

    wall: float
    server: float | None
    client: float
    machine: float | None

    @classmethod
    def take(cls, server_pid: int) -> CpuReading:
        return cls(time.perf_counter(), process_tree_cpu(server_pid), time.process_time(), _busy())


@dataclass(frozen=True)
class CpuShares:
    """Shares of the machine's CPU (1.0: every core busy) over the measuring window."""

    server: float | None
    client: float
    other: float | None
    server_seconds: float | None

    @classmethod
    def between(cls, first: CpuReading, last: CpuReading, cpus: int) -> CpuShares:
        capacity = (last.wall - first.wall) * cpus
        client = (last.client - first.client) / capacity
        server = other = seconds = None
        if first.server is not None and last.server is not None:
            seconds = last.server - first.server
            server = seconds / capacity
            if first.machine is not None and last.machine is not None:
                busy = (last.machine - first.machine) / capacity
                other = max(0.0, busy - server - client)
        return cls(server, client, other, seconds)


def _busy() -> float | None:
    """CPU seconds every core has spent busy since boot (Linux /proc/stat), or None."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal ...: all but idle and iowait are work.
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def process_tree_cpu(pid: int) -> float | None:
    """CPU seconds used so far by a process and its descendants, or None where Linux's
    /proc (with the children lists) is not there to say."""
    ticks = 0
    pending = [pid]
    try:
        while pending:
            current = pending.pop()
            stat = Path(f"/proc/{current}/stat").read_text()
            # utime, stime, cutime, cstime: fields 14-17, after the ")" closing the name.
            ticks += sum(int(value) for value in stat.rsplit(")", 1)[1].split()[11:15])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
    except (OSError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class LoadResult:
    samples: list[Sample]
    cpu: CpuShares


def run_load(server: Server, plan: Plan, load: Load) -> LoadResult:
    """Every request started in the measuring window, from every virtual user, with the
    CPU the virtual users and the server used."""
    browsers = [Browser(server.port) for _ in range(load.users)]
    signing_in = [
        threading.Thread(target=b.sign_in, args=(plan.username, plan.password), daemon=True)
        for b in browsers
    ]
    for thread in signing_in:
        thread.start()
    for thread in signing_in:
        thread.join()
    if any("sessionid" not in b.cookies for b in browsers):
        raise SystemExit("not every virtual user could sign in")

    stop = threading.Event()
    samples: list[list[Sample]] = [[] for _ in browsers]
    started = time.perf_counter()
    measure_from = started + load.warmup
    until = measure_from + load.seconds

    def user(index: int) -> None:
        rng = random.Random(SEED + index)
        browser = browsers[index]
        turn = index  # users start on different pages, so each moment sees a mix
        while not stop.is_set():
            page = PAGES[turn % len(PAGES)]
            turn += 1
            path = PATHS[page](plan, rng)
            begin = time.perf_counter()
            if begin >= until:
                break
            try:
                status, content = browser.request("GET", path)
            except (OSError, http.client.HTTPException):
                status, content = 0, b""
            elapsed = time.perf_counter() - begin
            if begin >= measure_from:
                sample = Sample(page, begin - measure_from, elapsed, status, len(content))
                samples[index].append(sample)
            if load.think > 0:
                stop.wait(rng.uniform(0.5, 1.5) * load.think)
        browser.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(load.users)]
    for thread in threads:
        thread.start()
    try:
        stop.wait(max(0.0, measure_from - time.perf_counter()))
        first = CpuReading.take(server.process.pid)
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
    finally:
        stop.set()
    last = CpuReading.take(server.process.pid)
    return LoadResult(
        samples=[sample for per_user in samples for sample in per_user],
        cpu=CpuShares.between(first, last, os.cpu_count() or 1),
    )


# --- Command line -------------------------------------------------------------------------


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def chart_renderer() -> str:
    charts = (ROOT / "convenor" / "core" / "charts.py").read_text()
    return "vl-convert" if "vl_convert" in charts else "convenor's own (no vl-convert)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("hampshire", "england"), default="hampshire")
    parser.add_argument("--data", type=Path, help="the public data folder (for --scale england)")
    parser.add_argument("--users", type=int, default=20, help="virtual users (default 20)")
    parser.add_argument("--seconds", type=float, default=30, help="measuring time (default 30)")
    parser.add_argument("--warmup", type=float, default=5, help="unrecorded start (default 5)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between requests; 0: none"
    )
    parser.add_argument(
        "--schools", type=int, default=300, help="profiles to choose from (default 300)"
    )
    parser.add_argument(
        "--gunicorn", default="", help='extra gunicorn options, e.g. "--workers 3 --threads 2"'
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()

    if args.scale == "england" and (args.data is None or not args.data.is_dir()):
        why = "no --data given" if args.data is None else f"{args.data} is not a folder"
        print(f"England: skipped ({why}; it is built from the public data, ../shared/data).")
        return

    # Ctrl-C, a kill or a closed terminal all unwind through serve(), which stops gunicorn.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    scale = scale_for(args.scale, args.data)
    database = ensure_database(scale)
    plan = prepare(scale, database, args.schools)
    load = Load(args.users, args.warmup, args.seconds, args.think)
    gunicorn_args = args.gunicorn.split()
    with serve(database, gunicorn_args) as server:
        result = run_load(server, plan, load)
    summary = summarise(result.samples, seconds=load.seconds)
    cpus = os.cpu_count() or 1
    setup = {
        "scale": scale.name,
        "database": str(database.relative_to(ROOT)),
        "users": load.users,
        "think_s": load.think,
        "warmup_s": load.warmup,
        "seconds": load.seconds,
        "gunicorn": f"{GUNICORN_CONFIG.relative_to(ROOT)} {' '.join(gunicorn_args)}".strip(),
        "profiles": len(plan.urns),
        "profiles_with_results": plan.with_results,
        "authorities": len(plan.authorities),
        "chart_renderer": chart_renderer(),
        "cpus": cpus,
        # Other work on the machine inflates every latency; the ratios less so.
        "cpu_share_server": _rounded(result.cpu.server),
        "cpu_share_client": _rounded(result.cpu.client),
        "cpu_share_other": _rounded(result.cpu.other),
        "server_cpu_ms_per_request": None
        if result.cpu.server_seconds is None or not summary.requests
        else round(result.cpu.server_seconds * 1000 / summary.requests, 1),
        "date": datetime.now(UTC).date().isoformat(),
    }
    if args.json:
        print(json.dumps(as_json({**setup, **asdict(summary)}), indent=2))
    else:
        _print_report(setup, summary)
    if summary.errors:
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(summary.error_statuses.items()))
        raise SystemExit(f"FAILED: {summary.errors} requests did not answer 200 ({detail})")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _print_report(setup: dict[str, Any], summary: Summary) -> None:
    think = f"think {setup['think_s']:g} s" if setup["think_s"] else "no think time"
    print(
        f"\n{setup['scale'].capitalize()}: {setup['users']} users, {think}, "
        f"{setup['seconds']:g} s after {setup['warmup_s']:g} s warm-up; "
        f"{setup['profiles']} profiles ({setup['profiles_with_results']} with KS2/KS4 results) "
        f"in {setup['authorities']} LA(s); gunicorn {setup['gunicorn']}; "
        f"charts by {setup['chart_renderer']}\n"
    )
    print(markdown_table(summary))
    print(f"\n{summary.requests:,} requests, {summary.throughput:.1f} a second.")
    if setup["cpu_share_server"] is not None:
        other = setup["cpu_share_other"]
        print(
            f"CPU, as shares of all {setup['cpus']} cores over the window: gunicorn "
            f"{setup['cpu_share_server']:.0%} ({setup['server_cpu_ms_per_request']:.0f} ms "
            f"a request), the virtual users {setup['cpu_share_client']:.0%}, other work on "
            f"the machine {'unknown' if other is None else f'{other:.0%}'}."
        )
    pages = [row for row in summary.pages if row.page != TRIVIAL]
    worst = max(pages, key=lambda row: row.p95_ms)
    if setup["users"] != GOAL_USERS:
        print(f"(The goal, p95 ≤ {GOAL_MS:.0f} ms, is for {GOAL_USERS} users.)")
        return
    met = all(row.p95_ms <= GOAL_MS for row in pages)
    print(
        f"Goal p95 ≤ {GOAL_MS:.0f} ms at {GOAL_USERS} users: {'met' if met else 'NOT met'} "
        f"(slowest p95: {worst.page}, {worst.p95_ms:.0f} ms)."
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("Interrupted (the server, if started, is stopped).")
