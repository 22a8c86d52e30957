"""Build a compact extract of the public data for one local authority.

The demo is built from the public files in ``shared/data``, which are too big to
ship with the project. :func:`build_extract` copies, for one LA, the rows of
those files that the demo needs into a folder laid out exactly like the
original: same relative paths, file names, headers, encodings, line endings and
quoting. CSV rows are *selected*, never re-serialised: each kept record is the
source record's text, unchanged, so the project's readers read an extract
exactly as they read the original. Zip files are rewritten with the same member
names (the ``.meta.csv`` members unchanged) and the register workbook is
rewritten as a workbook with the same sheet, header, cell values and number
formats.

Which rows are kept:

* small reference lists: every row;
* registers: rows of this LA (``LA``, ``Local Authority``, ``LA (code)``, or
  ``school_key`` reached through ``fct_school.la_key``);
* the LA's URN set: URNs the registers, the census files and SPC 2023 place in
  this LA, extended through the GIAS links (predecessors, successors, mergers,
  repeatedly) so that closed predecessors' results come along;
* school-level files: rows whose URN is in that set or whose LA column is this
  LA, plus the England rows and this LA's aggregate rows;
* EES zips: National and Regional rows, and this LA's LA and school rows;
* scorecards: this LA and England.

The output is deterministic (no timestamps; zip members keep the source's
dates) and the function can be re-run over an existing extract.

Run it with::

    python -m convenor.demo.extract --la 850 --from ../shared/data --to convenor/demo/data/850
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
import textwrap
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from convenor.demo.manifest import (
    _LINK_TYPES_NOT_FOLLOWED,
    CENSUS_SEEDS,
    CP1252,
    DIM_LA,
    DIM_SCHOOL,
    EES_ZIPS,
    FCT_SCHOOL,
    FCT_SCHOOL_YEAR,
    GIAS_FILES,
    GROUP_LINKS,
    GROUPS,
    KS2_LA_FILES,
    LINK_FILES,
    LOOKUP,
    MANIFEST,
    NY_FILES,
    NY_LA,
    NY_SPINE,
    SCHOOL_DETAILS,
    SCORECARDS,
    SPINE,
    URN_FILES,
    UTF8,
    WHOLE_FILES,
)
from convenor.demo.rowcopy import (
    _count_records,
    _extract_spine,
    _Row,
    _scan,
    _select,
    _select_zip,
    _urn,
    _UrnFilter,
)

__all__ = ["MANIFEST", "ExtractReport", "FileExtract", "build_extract", "main"]

LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Department for Education, Ofsted, Office for National Statistics."
)

# --- Report ------------------------------------------------------------------


@dataclass
class FileExtract:
    """One extracted file: its path under the extract and the rows read and kept."""

    relative_path: str
    rows_in: int
    rows_out: int
    bytes_out: int


@dataclass
class ExtractReport:
    """What :func:`build_extract` wrote; ``notes`` lists the files it skipped and why."""

    la: int
    files: list[FileExtract]
    urns: int
    notes: list[str] = field(default_factory=list)

    @property
    def bytes_out(self) -> int:
        """Total size of the extracted data files (without ATTRIBUTION.md and MANIFEST.csv)."""
        return sum(f.bytes_out for f in self.files)


# --- The extractor -----------------------------------------------------------


class _Extractor:
    def __init__(
        self, la: int, source: Path, dest: Path, progress: Callable[[str], None] | None
    ) -> None:
        self.la = la
        self.la_code = str(la)
        self.source = source
        self.dest = dest
        self.progress = progress or (lambda _message: None)
        self.files: list[FileExtract] = []
        self.notes: list[str] = []
        self.urns: set[str] = set()
        self.la_name = ""

    # -- plumbing

    def _read(self, rel: str) -> bytes | None:
        path = self.source / rel
        if not path.is_file():
            self._skip(rel, "not in the source data")
            return None
        return path.read_bytes()

    def _skip(self, rel: str, reason: str) -> None:
        note = f"{rel}: skipped, {reason}"
        self.notes.append(note)
        self.progress(note)

    def _write(self, rel: str, data: bytes, rows_in: int, rows_out: int) -> None:
        path = self.dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files.append(FileExtract(rel, rows_in, rows_out, len(data)))
        self.progress(f"{rel}: kept {rows_out:,} of {rows_in:,} rows, {len(data):,} bytes")

    def _glob(self, pattern: str) -> list[str]:
        return sorted(p.relative_to(self.source).as_posix() for p in self.source.glob(pattern))

    def _select_file(
        self,
        rel: str,
        keep: Callable[[_Row], bool],
        encoding: str = UTF8,
        skip_if_empty: bool = False,
    ) -> None:
        data = self._read(rel)
        if data is None:
            return
        out, rows_in, rows_out = _select(data, encoding, keep)
        if skip_if_empty and rows_out == 0:
            self._skip(rel, f"no rows for LA {self.la}")
            return
        self._write(rel, out, rows_in, rows_out)

    def _copy_whole(self, rel: str, encoding: str = UTF8) -> None:
        data = self._read(rel)
        if data is not None:
            rows = _count_records(data, encoding)
            self._write(rel, data, rows, rows)

    # -- steps

    def whole_files(self) -> None:
        for pattern in WHOLE_FILES:
            matches = self._glob(pattern)
            if not matches:
                self._skip(pattern, "not in the source data")
            for rel in matches:
                self._copy_whole(rel)

    def spine(self) -> None:
        """The register workbook: this LA's rows, rewritten as a workbook."""
        path = self.source / SPINE
        if not path.is_file():
            self._skip(SPINE, "not in the source data")
            return
        data, rows_in, rows_out, urns = _extract_spine(path, self.la)
        self.urns |= urns
        self._write(SPINE, data, rows_in, rows_out)

    def registers(self) -> None:
        la = self.la_code

        def in_la(column: str) -> Callable[[_Row], bool]:
            return lambda row: row[column] == la

        registers = [(SCHOOL_DETAILS, "Local Authority", CP1252)]
        registers += [(rel, "LA (code)", UTF8) for rel in GIAS_FILES]
        for rel, column, encoding in registers:
            self._collect_and_select(rel, in_la(column), "URN", encoding, skip_if_empty=True)
        if self.la == NY_LA:
            self._collect_and_select(NY_SPINE, in_la("LA"), "URN", UTF8)
        else:
            self._skip(NY_SPINE, f"North Yorkshire ({NY_LA}) only")

    def _collect_and_select(
        self,
        rel: str,
        keep: Callable[[_Row], bool],
        urn_column: str,
        encoding: str,
        skip_if_empty: bool = False,
    ) -> None:
        """Select rows and add their URNs to the LA's URN set."""

        def keep_and_collect(row: _Row) -> bool:
            if keep(row):
                urn = _urn(row[urn_column])
                if urn:
                    self.urns.add(urn)
                return True
            return False

        self._select_file(rel, keep_and_collect, encoding, skip_if_empty)

    def admissions(self) -> None:
        """The star schema: school keys whose ``fct_school.la_key`` is this LA."""
        dim_la = self._peek(DIM_LA)
        fct_school = self._peek(FCT_SCHOOL)
        if dim_la is None or fct_school is None:
            for rel in (DIM_SCHOOL, FCT_SCHOOL, FCT_SCHOOL_YEAR):
                self._skip(rel, f"needs {DIM_LA} and {FCT_SCHOOL}")
            return
        la_keys: set[str] = set()
        for row in _scan(dim_la, UTF8):
            if row["la_code"] == self.la_code:
                la_keys.add(row["la_key"])
                self.la_name = self.la_name or row["la_name"]
        school_keys = {
            row["school_key"] for row in _scan(fct_school, UTF8) if row["la_key"] in la_keys
        }

        # Key 0 is the author's "Not reported" member; readers expect to meet it.
        def dim_keep(row: _Row) -> bool:
            return row["school_key"] in school_keys or row["school_key"] == "0"

        def fact_keep(row: _Row) -> bool:
            key = row["school_key"]
            return key in school_keys or (key == "0" and row["la_key"] in la_keys)

        self._collect_and_select(DIM_SCHOOL, dim_keep, "urn", UTF8)
        self._select_file(FCT_SCHOOL, fact_keep)
        self._select_file(FCT_SCHOOL_YEAR, fact_keep)

    def _peek(self, rel: str) -> bytes | None:
        path = self.source / rel
        return path.read_bytes() if path.is_file() else None

    def census_seeds(self) -> None:
        """URNs the census files and SPC place in this LA (read only, written later)."""
        for rel, urn_column, la_column in CENSUS_SEEDS:
            data = self._peek(rel)
            if data is None:
                continue
            for row in _scan(data, UTF8):
                if row[la_column] == self.la_code:
                    urn = _urn(row[urn_column])
                    if urn:
                        self.urns.add(urn)

    def follow_links(self) -> None:
        """Extend the URN set along GIAS links, in both directions, until it stops growing."""
        linked: dict[str, set[str]] = defaultdict(set)
        for rel in LINK_FILES:
            data = self._peek(rel)
            if data is None:
                continue
            for row in _scan(data, CP1252):
                if row["LinkType"] in _LINK_TYPES_NOT_FOLLOWED:
                    continue
                a, b = _urn(row["URN"]), _urn(row["LinkURN"])
                if a and b:
                    linked[a].add(b)
                    linked[b].add(a)
        todo = list(self.urns)
        while todo:
            for other in linked.get(todo.pop(), ()):
                if other not in self.urns:
                    self.urns.add(other)
                    todo.append(other)

    def links_and_groups(self) -> None:
        urns = self.urns
        for rel in LINK_FILES:
            self._select_file(rel, lambda row: row["URN"] in urns or row["LinkURN"] in urns, CP1252)
        group_uids: set[str] = set()

        def member(row: _Row) -> bool:
            if row["URN"] in urns:
                group_uids.add(row["Group UID"])
                return True
            return False

        self._select_file(GROUP_LINKS, member)
        self._select_file(GROUPS, lambda row: row["Group UID"] in group_uids)
        self._select_file(
            LOOKUP, lambda row: _urn(row["OLD_URN"]) in urns or _urn(row["LATEST_URN"]) in urns
        )

    def urn_files(self) -> None:
        for spec in URN_FILES:
            self._select_file(spec.path, _UrnFilter(spec, self.la_code, self.urns))

    def la_files(self) -> None:
        """Files holding one LA's schools only: the LA's own are copied whole."""
        name = re.compile(r"\d{4}-(\d+)-ks2\.csv")
        ks2 = [rel for rel in self._glob(KS2_LA_FILES) if _la_of(name, rel) == self.la_code]
        if not ks2:
            self._skip(KS2_LA_FILES, f"no file for LA {self.la}")
        for rel in ks2:
            self._copy_whole(rel)
        for pattern in NY_FILES:
            if self.la != NY_LA:
                self._skip(pattern, f"North Yorkshire ({NY_LA}) only")
                continue
            for rel in self._glob(pattern):
                self._copy_whole(rel)

    def ees_zips(self) -> None:
        la = self.la_code

        def keep(row: _Row) -> bool:
            level = row["geographic_level"]
            if level in ("National", "Regional"):
                return True
            return level in ("Local authority", "School") and row["old_la_code"] == la

        for rel in EES_ZIPS:
            data = self._read(rel)
            if data is not None:
                out, rows_in, rows_out = _select_zip(data, keep)
                self._write(rel, out, rows_in, rows_out)

    def scorecards(self) -> None:
        la = self.la_code
        for rel in SCORECARDS:
            self._select_file(
                rel,
                lambda row: row["LANumber"] in (la, "0") or row["geographic_level"] == "National",
            )

    # -- bookkeeping files

    def finish(self) -> None:
        previous = _manifest_paths(self.dest / "MANIFEST.csv")
        self.files.sort(key=lambda f: f.relative_path)
        written = {f.relative_path for f in self.files}
        (self.dest / "ATTRIBUTION.md").write_bytes(self._attribution().encode(UTF8))
        (self.dest / "MANIFEST.csv").write_bytes(self._manifest().encode(UTF8))
        # A file from an earlier run that this run did not produce would be stale.
        for rel in sorted(previous - written):
            stale = (self.dest / rel).resolve()
            if stale.is_file() and self.dest.resolve() in stale.parents:
                stale.unlink()

    def _attribution(self) -> str:
        name = f" ({self.la_name})" if self.la_name else ""
        lines = [
            f"# Public data extract for local authority {self.la}{name}",
            "",
            ATTRIBUTION,
            "",
            f"Licence: Open Government Licence v3.0, <{LICENCE_URL}>",
            "",
            textwrap.fill(
                "Each file below is a selection of whole rows from the file with the same path "
                "in the project's public data folder (`shared/data`; its data guide names each "
                "file's publisher, repository and commit). No value has been edited. Rows were "
                f"selected for LA {self.la}, its schools ({len(self.urns):,} URNs, including "
                "linked predecessors and successors), and England and regional totals.",
                width=88,
            ),
            "",
        ]
        for f in self.files:
            lines.append(f"- `{f.relative_path}`: {f.rows_out:,} of {f.rows_in:,} rows kept")
        return "\n".join(lines) + "\n"

    def _manifest(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["relative_path", "rows_in", "rows_out", "sha256"])
        for f in self.files:
            digest = hashlib.sha256((self.dest / f.relative_path).read_bytes()).hexdigest()
            writer.writerow([f.relative_path, f.rows_in, f.rows_out, digest])
        return out.getvalue()


def _la_of(pattern: re.Pattern[str], rel: str) -> str:
    match = pattern.fullmatch(rel.rsplit("/", 1)[-1])
    return match.group(1) if match else ""


def _manifest_paths(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    with path.open(encoding=UTF8, newline="") as handle:
        return {row["relative_path"] for row in csv.DictReader(handle) if row.get("relative_path")}


# --- Entry points ------------------------------------------------------------


def build_extract(
    la: int, source: Path, dest: Path, progress: Callable[[str], None] | None = None
) -> ExtractReport:
    """Write the extract of the public data in ``source`` for LA ``la`` into ``dest``.

    ``dest`` gets the selected files under their original relative paths, plus
    ``ATTRIBUTION.md`` (Open Government Licence attribution and rows kept per
    file) and ``MANIFEST.csv`` (paths, row counts and SHA-256 of each file).
    Missing source files are skipped and listed in ``ExtractReport.notes``;
    ``progress`` gets one message per file. Existing files in ``dest`` are
    overwritten, and files a previous run listed in ``MANIFEST.csv`` but this
    run did not produce are removed.
    """
    source, dest = Path(source), Path(dest)
    if not source.is_dir():
        raise FileNotFoundError(f"no public data folder at {source}")
    dest.mkdir(parents=True, exist_ok=True)
    run = _Extractor(la, source, dest, progress)
    run.whole_files()
    run.spine()
    run.registers()
    run.admissions()
    run.census_seeds()
    run.follow_links()
    run.links_and_groups()
    run.urn_files()
    run.la_files()
    run.ees_zips()
    run.scorecards()
    run.finish()
    return ExtractReport(la=la, files=run.files, urns=len(run.urns), notes=run.notes)


def main(argv: Iterable[str] | None = None) -> int:
    """Command line: build one LA's extract and print what was kept."""
    parser = argparse.ArgumentParser(
        prog="python -m convenor.demo.extract",
        description="Build a compact extract of the public data for one local authority.",
    )
    parser.add_argument("--la", type=int, required=True, help="three-digit DfE LA code, e.g. 850")
    parser.add_argument(
        "--from", dest="source", type=Path, required=True, help="the public data folder"
    )
    parser.add_argument("--to", dest="dest", type=Path, required=True, help="the extract folder")
    args = parser.parse_args(None if argv is None else list(argv))

    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"{time.perf_counter() - started:6.1f}s  {message}", file=sys.stderr)

    report = build_extract(args.la, args.source, args.dest, progress)
    elapsed = time.perf_counter() - started
    extra = sum((args.dest / name).stat().st_size for name in ("ATTRIBUTION.md", "MANIFEST.csv"))
    print(
        f"LA {report.la}: {len(report.files)} files, {report.urns:,} URNs, "
        f"{report.bytes_out + extra:,} bytes in {args.dest}, {elapsed:.1f}s"
    )
    for note in report.notes:
        print(f"  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
