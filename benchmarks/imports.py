"""Import speed against a bare polars read of the same file, in one process.

    python benchmarks/imports.py --data ../shared/data [--json]

For each file: the median of three bare ``polars.read_csv`` calls (every column
as text, the cheapest honest read), the convenor reader alone, a first import
into an empty database and a re-import of the same file (every row unchanged).
Ratios are against the polars read measured in the same run. The database is a
fresh SQLite file unless ``DATABASE_URL`` is set.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = [
    ("school-details", "ofsted_history_waiky8/school_details_2018.csv", "register, November 2019"),
    (
        "school-dimension",
        "admissions_school_level_clarelgibson/dim_school.csv",
        "register, July 2022",
    ),
    ("census", "perf_tables_2017_avisionh/england_census.csv", "census, January 2017"),
    ("census", "perf_tables_2019_kspdev/england_census.csv", "census, January 2019"),
    (
        "census",
        "census_2023_dfe_academies_api/2022-2023_england_census.csv",
        "census, January 2023",
    ),
]


def _median_seconds(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    data = Path(args.data)
    if not data.is_dir():
        sys.exit(f"{data}: the public data folder is needed for this benchmark")

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}")
    os.environ["CONVENOR_VAR_DIR"] = tmp.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convenor.config.settings")
    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command

    from convenor.core.importing import ImportContext, get_kind, run_import

    call_command("migrate", verbosity=0)
    rows = []
    for kind, relative, label in FILES:
        path = data / relative
        plan = get_kind(kind).plan

        def polars_read(p: Path = path) -> Any:
            return pl.read_csv(p, infer_schema=False, encoding="utf8-lossy")

        def convenor_read(p: Path = path, plan: Any = plan) -> Any:
            return plan(p, ImportContext())

        baseline = _median_seconds(polars_read)
        reader = _median_seconds(convenor_read)
        start = time.perf_counter()
        first = run_import(kind, path, actor="benchmark")
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        again = run_import(kind, path, actor="benchmark")
        again_s = time.perf_counter() - start
        rows.append(
            {
                "file": relative,
                "what": label,
                "rows": first.rows_read,
                "polars_s": round(baseline, 4),
                "reader_s": round(reader, 4),
                "import_s": round(first_s, 3),
                "reimport_s": round(again_s, 3),
                "reader_ratio": round(reader / baseline, 1),
                "import_ratio": round(first_s / baseline, 1),
                "reimport_ratio": round(again_s / baseline, 1),
                "created": first.created,
                "unchanged_on_rerun": again.unchanged,
            }
        )
    if args.json:
        print(json.dumps({"database": os.environ["DATABASE_URL"].split(":")[0], "files": rows}))
        return
    print(f"database: {os.environ['DATABASE_URL'].split(':')[0]}")
    print(f"{'file':58} {'rows':>7} {'polars':>8} {'reader':>8} {'import':>8} {'re-run':>8}")
    for r in rows:
        print(
            f"{r['file']:58} {r['rows']:>7} {r['polars_s']:>7.3f}s "
            f"{r['reader_ratio']:>7.1f}x {r['import_ratio']:>7.1f}x {r['reimport_ratio']:>7.1f}x"
        )


if __name__ == "__main__":
    main()
