"""Production settings pass Django's deployment checks and refuse to start without secrets."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "SECRET_KEY"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checks_in_production() -> None:
    result = _check(
        {
            "CONVENOR_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "convenor.example.gov.uk",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_will_not_start_in_production_without_a_secret_key() -> None:
    result = _check({"CONVENOR_ENV": "production", "ALLOWED_HOSTS": "convenor.example.gov.uk"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
