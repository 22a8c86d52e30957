"""An import killed with SIGKILL half-way leaves the database exactly as it was."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADER = "URN,LinkURN,LinkName,LinkType,LinkEstablishedDate\r\n"


def _links_file(path: Path, rows: int, start: int) -> Path:
    # The GIAS links layout, as the real file has it (Windows line ends).
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write(HEADER)
        for i in range(rows):
            urn = start + i
            fh.write(f"{urn},{urn + 500000},School {i},Successor,01-09-2015\r\n")
    return path


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own for the child processes: SQLite, or PostgreSQL when configured."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'killed.sqlite3'}"
        return
    import psycopg

    name = f"convenor_killed_{uuid.uuid4().hex[:8]}"
    base, _, _ = configured.rpartition("/")
    with psycopg.connect(configured, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(configured, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _convenor(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "convenor.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return out.stdout


@pytest.mark.slow
def test_it_leaves_the_database_as_it_was_when_killed(tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "CONVENOR_VAR_DIR": str(tmp_path)}
    _convenor(["migrate", "--no-input"], env)
    _convenor(
        [
            "import",
            "links",
            str(_links_file(tmp_path / "links_small.csv", 50, 100000)),
            "--no-progress",
        ],
        env,
    )
    dump = ["dumpdata", "schools", "core.importrun", "core.importrejection", "core.auditevent"]
    before = _convenor(dump, env)
    assert '"link_urn": 600000' in before

    big = _links_file(tmp_path / "links_big.csv", 120_000, 200000)
    child = subprocess.Popen(
        [sys.executable, "-m", "convenor.cli", "import", "links", str(big)],
        env=env,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert child.stderr is not None
    written, buffer, deadline = 0, b"", time.monotonic() + 240
    # Wait until several chunks have been written inside the import's transaction.
    while written < 10_000 and time.monotonic() < deadline and child.poll() is None:
        ready, _, _ = select.select([child.stderr], [], [], 1.0)
        if ready:
            buffer += os.read(child.stderr.fileno(), 4096)
            counts = re.findall(rb"(\d+)/120000", buffer)
            written = int(counts[-1]) if counts else 0
    assert child.poll() is None, "the import finished before it could be killed"
    assert 10_000 <= written < 120_000
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert _convenor(dump, env) == before
