"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from convenor.core.testing import PageCheckingClient

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


@pytest.fixture
def page_client() -> PageCheckingClient:
    """A test client that checks every HTML page it fetches (STYLE.md habit 7)."""
    from convenor.core.testing import PageCheckingClient

    return PageCheckingClient()
