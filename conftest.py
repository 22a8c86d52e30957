"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
FIXTURES = ROOT / "convenor" / "sources" / "tests" / "fixtures"


def _shared_data_dir() -> Path:
    configured = os.environ.get("CONVENOR_SHARED_DATA")
    return Path(configured) if configured else ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The full public data files, or a skip when they are not on this machine."""
    path = _shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"full public data not present at {path}")
    return path


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Small committed extracts of the real files (see fixtures/ATTRIBUTION.md)."""
    return FIXTURES
