"""Structural rules of the code base."""

from __future__ import annotations

import ast
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = ("sources", "analytics")
APPS = ("core", "schools", "intelligence", "brokerage", "places", "inclusion", "governance", "demo")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _forbidden(module: str) -> bool:
    top = module.split(".")
    if top[0] == "django":
        return True
    return len(top) > 1 and top[0] == "convenor" and top[1] in APPS


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_it_keeps_sources_and_analytics_free_of_django_and_apps(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / "convenor" / package).rglob("*.py")):
        if "tests" in path.parts:
            continue
        bad = sorted(m for m in _imported_modules(path) if _forbidden(m))
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(bad)}")
    assert offenders == []


def test_it_imports_every_pure_module_without_loading_django() -> None:
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for package in PURE_PACKAGES
        for p in sorted((ROOT / "convenor" / package).rglob("*.py"))
        if "tests" not in p.parts and p.name != "__init__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')"
        " or m.split('.')[:2] in [['convenor', a] for a in "
        f"{list(APPS)!r}])\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""


@pytest.mark.django_db
def test_it_has_no_model_changes_without_a_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"missing migration:\n{out.getvalue()} ({exc})")
