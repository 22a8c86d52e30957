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
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell

__all__ = ["MANIFEST", "ExtractReport", "FileExtract", "build_extract", "main"]

LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Department for Education, Ofsted, Office for National Statistics."
)

# --- What is extracted -------------------------------------------------------

# Small reference lists, copied whole.
WHOLE_FILES: tuple[str, ...] = (
    "admissions_school_level_clarelgibson/dim_la.csv",
    "perf_tables_2019_kspdev/la_and_region_codes_meta.csv",
    "gias_links_witan/edubasealldata20250422-establishment-types.csv",
    "ks2_hants_surrey/meta_*/ks2_meta.csv",
    "perf_tables_2017_avisionh/meta/*.csv",
)

SPINE = "perf_england_waiky8/2017-2018_england_spine.xlsx"
SPINE_SHEET = "england"
NY_SPINE = "perf_tables_la815_north_yorkshire/815_spine.csv"
SCHOOL_DETAILS = "ofsted_history_waiky8/school_details_2018.csv"
GIAS_FILES: tuple[str, ...] = (
    "gias_hants_surrey/2021-gias.csv",
    "gias_hants_surrey/20220419-gias.csv",
    "gias_hants_surrey/20220420_gias.csv",
)
DIM_LA = "admissions_school_level_clarelgibson/dim_la.csv"
DIM_SCHOOL = "admissions_school_level_clarelgibson/dim_school.csv"
FCT_SCHOOL = "admissions_school_level_clarelgibson/fct_school.csv"
FCT_SCHOOL_YEAR = "admissions_school_level_clarelgibson/fct_school_year.csv"

LINK_FILES: tuple[str, ...] = (
    "gias_links_witan/links_edubasealldata20230421.csv",
    "gias_links_witan/links_edubasealldata20250422.csv",
)
GROUP_LINKS = "gias_groups_ajb1970/group_links.csv"
GROUPS = "gias_groups_ajb1970/groups.csv"
LOOKUP = "gias_groups_ajb1970/lookup.csv"

# Files that only ever hold one LA's schools: kept whole when they are this LA's.
KS2_LA_FILES = "ks2_hants_surrey/*-ks2.csv"
NY_LA = 815
NY_FILES: tuple[str, ...] = (
    "perf_tables_la815_north_yorkshire/815_*_census.csv",
    "perf_tables_la815_north_yorkshire/815_*_ks4*.csv",
)

EES_ZIPS: tuple[str, ...] = (
    "ees_test_data_dfe/exclusions_by_geographic_level.zip",
    "ees_test_data_dfe/absence_number_missing_at_least_one_session_by_reason.zip",
)
SCORECARDS: tuple[str, ...] = (
    "school_places_scorecards_2021_dfe/scorecards_data.csv",
    "school_places_scorecards_dfe/scorecards_data_2022.csv",
    "school_places_scorecards_dfe/scorecards_data_2023.csv",
    "school_places_scorecards_dfe/scorecards_data_2024.csv",
    "school_places_scorecards_dfe/scorecard_data_2025_2023.csv",
)

CP1252 = "cp1252"
UTF8 = "utf-8"


@dataclass(frozen=True)
class _UrnFile:
    """A school-level file filtered by URN, and how its aggregate rows are marked."""

    path: str
    urn: str = "URN"
    la: str | None = None  # the column holding the DfE LA code, if the file has one
    rectype_la: frozenset[str] = frozenset()
    rectype_national: frozenset[str] = frozenset()


def _ks2(path: str) -> _UrnFile:
    """A DfE KS2 file: RECTYPE 3 is an LA row, 4 and 5 are England."""
    return _UrnFile(path, rectype_la=frozenset({"3"}), rectype_national=frozenset({"4", "5"}))


def _ks4(path: str, la: str | None = None) -> _UrnFile:
    """A DfE KS4 file: RECTYPE 4 is an LA row, 5 and 7 are England."""
    return _UrnFile(
        path, la=la, rectype_la=frozenset({"4"}), rectype_national=frozenset({"5", "7"})
    )


URN_FILES: tuple[_UrnFile, ...] = (
    _UrnFile("ofsted_history_waiky8/ofsted_ratings_2018.csv"),
    _ks2("perf_england_2019_waiky8/england_ks2final.csv"),
    _ks4("perf_england_2019_waiky8/england_ks4final.csv"),
    _UrnFile("perf_england_waiky8/ks2_perf_2016.csv"),
    _UrnFile("perf_england_waiky8/ks2_perf_2017.csv"),
    _UrnFile("perf_england_waiky8/ks2_perf_2018.csv"),
    _UrnFile("perf_england_waiky8/ks4_perf_2016.csv"),
    _UrnFile("perf_england_waiky8/ks4_perf_2017.csv"),
    _UrnFile("perf_england_waiky8/ks4_perf_2018.csv"),
    _ks4("perf_tables_2017_avisionh/england_ks4provisional.csv", la="LEA"),
    _UrnFile("perf_tables_2017_avisionh/england_census.csv", la="LA"),
    _UrnFile("perf_tables_2017_avisionh/england_abs.csv", la="LA"),
    _ks4("perf_tables_2019_kspdev/england_ks4provisional.csv", la="LEA"),
    _UrnFile("perf_tables_2019_kspdev/england_census.csv", la="LA"),
    _UrnFile("perf_tables_2019_kspdev/england_abs.csv", la="LA"),
    _UrnFile("census_2023_dfe_academies_api/2022-2023_england_census.csv", la="LA"),
    _UrnFile("perf_tables_ralpan/england_abs.csv", la="LA"),
    # No LA column: its LA rows (RECTYPE 3) come after each LA's schools.
    _ks2("perf_tables_ralpan/england_ks2final_primary_relevent_columns.csv"),
    _UrnFile(
        "spc_helios/spc_school_level_underlying_data_23112023.csv", urn="urn", la="old_la_code"
    ),
)

# Census files whose LA column places URNs in the LA (with SPC and the registers).
CENSUS_SEEDS: tuple[tuple[str, str, str], ...] = (
    ("perf_tables_2017_avisionh/england_census.csv", "URN", "LA"),
    ("perf_tables_2019_kspdev/england_census.csv", "URN", "LA"),
    ("census_2023_dfe_academies_api/2022-2023_england_census.csv", "URN", "LA"),
    ("spc_helios/spc_school_level_underlying_data_23112023.csv", "urn", "old_la_code"),
)

MANIFEST: tuple[str, ...] = (
    *WHOLE_FILES,
    SPINE,
    NY_SPINE,
    SCHOOL_DETAILS,
    *GIAS_FILES,
    DIM_SCHOOL,
    FCT_SCHOOL,
    FCT_SCHOOL_YEAR,
    *LINK_FILES,
    GROUP_LINKS,
    GROUPS,
    LOOKUP,
    *(f.path for f in URN_FILES),
    KS2_LA_FILES,
    *NY_FILES,
    *EES_ZIPS,
    *SCORECARDS,
)

# Sixth-form-centre links join partner schools, not one school's successive URNs.
_LINK_TYPES_NOT_FOLLOWED = frozenset({"Sixth Form Centre School", "Sixth Form Centre Link"})


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


# --- Reading CSV records with their exact text -------------------------------


class _Row:
    """Field access by column name on the current record; missing fields read as ""."""

    __slots__ = ("cols", "fields")

    def __init__(self, cols: dict[str, int]) -> None:
        self.cols = cols
        self.fields: list[str] = []

    def __getitem__(self, name: str) -> str:
        i = self.cols.get(name)
        if i is None or i >= len(self.fields):
            return ""
        return self.fields[i].strip()


@dataclass
class _Csv:
    header_text: str
    cols: dict[str, int]
    records: Iterator[tuple[list[str], str]]


def _decode(data: bytes, encoding: str) -> str:
    # surrogateescape makes decode/encode an exact round trip for any byte, so a
    # kept record is written back byte for byte even if the file has a stray byte.
    return data.decode(encoding, "surrogateescape")


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "surrogateescape")


def _records(text: str) -> Iterator[tuple[list[str], str]]:
    """Yield each CSV record's fields together with its exact source text.

    The csv reader pulls physical lines only as far as the end of the record it
    is parsing, so the lines it has consumed when it yields a record are
    exactly that record (several lines when a quoted field spans lines).
    """
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        # newline="" keeps "\r\n" and "\n" untranslated, as the csv module expects.
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    for fields in csv.reader(lines()):
        raw = "".join(consumed)
        consumed.clear()
        yield fields, raw


def _open_csv(data: bytes, encoding: str) -> _Csv:
    records = _records(_decode(data, encoding))
    header, header_text = next(records, ([], ""))
    cols: dict[str, int] = {}
    for i, name in enumerate(header):
        cols.setdefault(name.lstrip("\ufeff").strip(), i)
    return _Csv(header_text, cols, records)


def _select(data: bytes, encoding: str, keep: Callable[[_Row], bool]) -> tuple[bytes, int, int]:
    """Keep the header and the records ``keep`` accepts; return (bytes, rows_in, rows_out)."""
    table = _open_csv(data, encoding)
    row = _Row(table.cols)
    out = [table.header_text]
    rows_in = 0
    for fields, raw in table.records:
        rows_in += 1
        if not fields:
            continue  # a blank line carries no data
        row.fields = fields
        if keep(row):
            out.append(raw)
    return _encode("".join(out), encoding), rows_in, len(out) - 1


def _scan(data: bytes, encoding: str) -> Iterator[_Row]:
    """Iterate over the data rows of a CSV file (one reused row object)."""
    table = _open_csv(data, encoding)
    row = _Row(table.cols)
    for fields, _raw in table.records:
        if fields:
            row.fields = fields
            yield row


def _count_records(data: bytes, encoding: str) -> int:
    """The number of data records (the header is not one)."""
    return sum(1 for _ in _open_csv(data, encoding).records)


def _urn(value: str) -> str:
    """A URN as digits, from ``145210`` or ``145210.0``; "" when it is not one."""
    value = value.strip()
    if value.endswith(".0"):
        value = value[:-2]
    return value if value.isdigit() and value != "0" else ""


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


class _UrnFilter:
    """Keep school rows of the LA's URNs (or LA column) and England and LA aggregate rows."""

    def __init__(self, spec: _UrnFile, la: str, urns: set[str]) -> None:
        self.spec = spec
        self.la = la
        self.urns = urns
        # Schools seen since the last LA row, for files whose LA rows name no LA.
        self.block_seen = 0
        self.block_kept = 0

    def __call__(self, row: _Row) -> bool:
        spec = self.spec
        rectype = row["RECTYPE"]
        if rectype and rectype in spec.rectype_national:
            return True
        if rectype and rectype in spec.rectype_la:
            if spec.la:
                return row[spec.la] == self.la
            # DfE lists each LA's schools and then its LA row, so the LA row that
            # closes a block of mostly this LA's schools is this LA's.
            keep = self.block_kept * 2 > self.block_seen
            self.block_seen = self.block_kept = 0
            return keep
        urn = _urn(row[spec.urn])
        la = row[spec.la] if spec.la else ""
        if urn:
            keep = urn in self.urns or la == self.la
            self.block_seen += 1
            self.block_kept += keep
            return keep
        # Aggregate rows without a RECTYPE: URN or LA "NAT" is England.
        if "NAT" in (row[spec.urn], la) or row["geographic_level"] == "National":
            return True
        return bool(spec.la) and la == self.la


# --- Zip and workbook --------------------------------------------------------


def _select_zip(data: bytes, keep: Callable[[_Row], bool]) -> tuple[bytes, int, int]:
    """Filter the data CSV of an EES zip; other members (``.meta.csv``) are copied unchanged."""
    out = io.BytesIO()
    rows_in = rows_out = 0
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            name = info.filename.lower()
            if name.endswith(".csv") and not name.endswith(".meta.csv"):
                body, rows_in, rows_out = _select(body, UTF8, keep)
            target.writestr(_zip_info(info.filename, info.date_time, info), body, compresslevel=9)
    return out.getvalue(), rows_in, rows_out


def _zip_info(
    name: str, date_time: tuple[int, int, int, int, int, int], like: zipfile.ZipInfo | None = None
) -> zipfile.ZipInfo:
    """A member header with a fixed date, so the same input gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    if like is not None:
        info.external_attr = like.external_attr
        info.create_system = like.create_system
    else:
        info.external_attr = 0o644 << 16
        info.create_system = 3
    return info


def _extract_spine(path: Path, la: int) -> tuple[bytes, int, int, set[str]]:
    """This LA's rows of the register workbook as a workbook, rows in, rows kept and URNs.

    Cell values are written as openpyxl reads them, with their number formats
    (dates as ``yyyymmdd``, telephone numbers as text), so the extract reads
    back to the same values.
    """
    with zipfile.ZipFile(path) as archive:
        stamp = archive.infolist()[0].date_time
    source = openpyxl.load_workbook(path, read_only=True)
    try:
        sheet = source[SPINE_SHEET]
        rows = sheet.iter_rows()
        header = [cell.value for cell in next(rows)]
        la_index = header.index("LA")
        urn_index = header.index("URN")
        kept: list[list[tuple[Any, str | None]]] = []
        urns: set[str] = set()
        rows_in = 0
        for cells in rows:
            rows_in += 1
            if _code(cells[la_index].value) != str(la):
                continue
            values: list[tuple[Any, str | None]] = [
                (cell.value, getattr(cell, "number_format", None)) for cell in cells
            ]
            kept.append(values)
            urns.add(str(cells[urn_index].value))
    finally:
        source.close()

    book = openpyxl.Workbook(write_only=True)
    target = book.create_sheet(SPINE_SHEET)
    target.append(header)
    for values in kept:
        out: list[object] = []
        for value, number_format in values:
            if value is not None and number_format is not None and number_format != "General":
                cell = WriteOnlyCell(target, value=value)
                cell.number_format = number_format
                out.append(cell)
            else:
                out.append(value)
        target.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return _fix_xlsx_dates(buffer.getvalue(), stamp), rows_in, len(kept), urns


def _code(value: object) -> str:
    """A workbook cell holding a code (``850``, ``850.0`` or ``"850"``) as text."""
    return str(value).strip().removesuffix(".0")


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _fix_xlsx_dates(data: bytes, stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """Replace the save time openpyxl puts in the workbook with the source's date."""
    iso = datetime(*stamp).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATES.sub(lambda m: m.group(1) + iso + m.group(3), body)
            target.writestr(_zip_info(info.filename, stamp), body, compresslevel=9)
    return out.getvalue()


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
