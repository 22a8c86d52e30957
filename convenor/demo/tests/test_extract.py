"""Tests for the per-LA extract of the public data (``convenor.demo.extract``).

The first group builds tiny files in the real layouts (encodings, BOMs, CRLF,
quoting, aggregate rows) for two LAs and checks exactly which source lines the
extract keeps. The second group builds Hampshire's extract from the full
public data and checks it against figures in the data guide.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from convenor.demo.extract import MANIFEST, build_extract, main

HAMPSHIRE, SURREY = 850, 936
COMMITTED = Path(__file__).resolve().parents[1] / "data" / "850"

# --- Tiny sources in the real layouts --------------------------------------

# Each source file is written from (keep, line) pairs: ``keep`` says whether
# the Hampshire extract must contain that line, so the expected extract is the
# kept lines joined, byte for byte.
Lines = list[tuple[bool, bytes]]


def _put(root: Path, rel: str, lines: Lines, bom: bool = False) -> bytes:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(line for _keep, line in lines)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    expected = b"".join(line for keep, line in lines if keep)
    return (b"\xef\xbb\xbf" if bom else b"") + expected


def _lines(text: str, keep: bool = True, eol: str = "\n", encoding: str = "utf-8") -> Lines:
    """One (keep, bytes) pair per line of ``text`` (lines given without endings)."""
    return [(keep, (line + eol).encode(encoding)) for line in text.strip("\n").split("\n")]


def _zip(root: Path, rel: str, members: dict[str, bytes]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2019, 12, 2, 12, 38, 26)), body)


def _spine(root: Path) -> None:
    path = root / "perf_england_waiky8/2017-2018_england_spine.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "england"
    sheet.append(["URN", "LA", "ESTAB", "LAESTAB", "SCHNAME", "TELNUM", "ICLOSE", "OPENDATE"])
    sheet.append([200001, 850, 2000, 8502000, "Alton Infant School", "0142083857", 1, None])
    sheet.append([300001, 936, 2001, 9362001, "Surrey School", "01483111111", 1, None])
    sheet.append([200002, 850, 2002, 8502002, "New Academy", "0142000000", 1, datetime(2018, 9, 1)])
    for row in (2, 3, 4):
        sheet.cell(row, 6).number_format = "@"
    sheet.cell(4, 8).number_format = "yyyymmdd"
    book.save(path)


def _make_sources(root: Path) -> dict[str, bytes]:
    """Write the tiny sources; return the expected Hampshire extract of each CSV."""
    want: dict[str, bytes] = {}
    crlf = "\r\n"

    want["admissions_school_level_clarelgibson/dim_la.csv"] = _put(
        root,
        "admissions_school_level_clarelgibson/dim_la.csv",
        _lines(
            """
"la_key","la_code","gss_la_code","la_name","region_code","region_name"
0,0,"Not reported","Not reported","Not reported","Not reported"
97,850,"E10000014","Hampshire","E12000008","South East"
147,936,"E10000030","Surrey","E12000008","South East"
"""
        ),
    )
    want["admissions_school_level_clarelgibson/fct_school.csv"] = _put(
        root,
        "admissions_school_level_clarelgibson/fct_school.csv",
        [
            *_lines("school_key,la_key,school_capacity,number_of_pupils"),
            *_lines("1,97,276,270"),
            *_lines("2,147,432,335", keep=False),
            *_lines("3,97,,"),
        ],
    )
    want["admissions_school_level_clarelgibson/dim_school.csv"] = _put(
        root,
        "admissions_school_level_clarelgibson/dim_school.csv",
        [
            *_lines("school_key,urn,establishment_name,street"),
            *_lines("0,0,Not reported,Not reported"),
            # A quoted field spanning two lines is one record, kept whole.
            (True, b'1,200001,"Alton Infant School, The","Normandy Street\nAlton"\n'),
            *_lines("2,300001,Surrey School,High Street", keep=False),
            *_lines("3,200002,New Academy,"),
        ],
    )
    want["admissions_school_level_clarelgibson/fct_school_year.csv"] = _put(
        root,
        "admissions_school_level_clarelgibson/fct_school_year.csv",
        [
            *_lines('"school_key","la_key","phase_key","year_key","fact_flg"'),
            *_lines('1,97,1,2014,"Actual"'),
            *_lines('2,147,1,2014,"Actual"', keep=False),
            *_lines('3,97,1,2015,"Average"'),
        ],
    )
    details = "URN,Name,Status,Other URN,Local Authority"
    want["ofsted_history_waiky8/school_details_2018.csv"] = _put(
        root,
        "ofsted_history_waiky8/school_details_2018.csv",
        [
            *_lines(details, eol=crlf),
            *_lines("200001,Ecole Sainte-Thérèse,1,,850", eol=crlf, encoding="cp1252"),
            *_lines("300001,Surrey School,1,100500.0,936", keep=False, eol=crlf),
            *_lines("200002,New Academy,1,,850", eol=crlf),
        ],
    )
    want["gias_hants_surrey/2021-gias.csv"] = _put(
        root,
        "gias_hants_surrey/2021-gias.csv",
        [
            *_lines('"URN","LA (code)","EstablishmentName"', eol=crlf),
            *_lines('"200001","850","Alton Infant School"', eol=crlf),
            *_lines('"300001","936","Surrey School"', keep=False, eol=crlf),
        ],
    )
    # Links: 200001 converted from 100001, itself the successor of 100000 (a
    # chain to follow); Surrey's 300001 came from 100500; a sixth-form-centre
    # link is a partnership and is not followed.
    links = [
        *_lines('"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"', eol=crlf),
        *_lines('100000,100001,"Old Infants","Successor","31-08-2010"', eol=crlf),
        *_lines('100001,200001,"Alton Infant School","Successor","31-10-2017"', eol=crlf),
        *_lines('100500,300001,"Surrey School","Successor","01-09-2015"', keep=False, eol=crlf),
        *_lines('200001,100001,"Thérèse","Predecessor","01-11-2017"', eol=crlf, encoding="cp1252"),
        *_lines('200002,300002,"Surrey Sixth","Sixth Form Centre Link",""', eol=crlf),
    ]  # fmt: skip
    links[-1] = (True, links[-1][1].rstrip(b"\r\n"))  # no line break after the last line
    want["gias_links_witan/links_edubasealldata20230421.csv"] = _put(
        root, "gias_links_witan/links_edubasealldata20230421.csv", links
    )
    want["gias_groups_ajb1970/group_links.csv"] = _put(
        root,
        "gias_groups_ajb1970/group_links.csv",
        [
            *_lines(",URN,Group UID,Group Name,LA (code)"),
            *_lines('0,200001,5001,"Test Trust, Hampshire",850'),
            *_lines("1,300001,5002,Surrey Trust,936", keep=False),
        ],
    )
    want["gias_groups_ajb1970/groups.csv"] = _put(
        root,
        "gias_groups_ajb1970/groups.csv",
        [
            *_lines("Group UID,Group ID,Group Name"),
            *_lines('5001,TR01,"Test Trust, Hampshire"'),
            *_lines("5002,TR02,Surrey Trust", keep=False),
        ],
    )
    want["gias_groups_ajb1970/lookup.csv"] = _put(
        root,
        "gias_groups_ajb1970/lookup.csv",
        [
            *_lines("OLD_URN,LATEST_URN"),
            *_lines("100000,200001.0"),
            *_lines("100500,300001.0", keep=False),
            *_lines("200002,200002.0"),
        ],
    )
    want["ofsted_history_waiky8/ofsted_ratings_2018.csv"] = _put(
        root,
        "ofsted_history_waiky8/ofsted_ratings_2018.csv",
        [
            *_lines("URN,Rating,Inspection Date", eol=crlf),
            *_lines("100000,Good,20080926", eol=crlf),
            *_lines("100001,Outstanding,20130418", eol=crlf),
            *_lines("100500,Good,20120101", keep=False, eol=crlf),
            *_lines("200001,Good,20190101", eol=crlf),
            *_lines("300001,Inadequate,20190202", keep=False, eol=crlf),
        ],
    )
    # 200003 is only in the census (a school the register missed): it is
    # still Hampshire's. National rows end the file, without a final line break.
    census = [
        *_lines("URN,LA,ESTAB,NOR"),
        *_lines("200001,850,2000,276"),
        *_lines("300001,936,2001,727", keep=False),
        *_lines("200003,850,2003,101"),
        *_lines("NAT,,PRI,4998768"),
        (True, b"NAT,,SEC,3307528"),
    ]
    want["perf_tables_2017_avisionh/england_census.csv"] = _put(
        root, "perf_tables_2017_avisionh/england_census.csv", census, bom=True
    )
    want["perf_tables_2017_avisionh/england_ks4provisional.csv"] = _put(
        root,
        "perf_tables_2017_avisionh/england_ks4provisional.csv",
        [
            *_lines("RECTYPE,LEA,ESTAB,SCHNAME,URN,TPUP"),
            *_lines('1,850,4000,"Bay House School, Gosport",200002,351'),
            *_lines("1,936,4001,Surrey High,300001,200", keep=False),
            *_lines("4,850, , , ,15000"),
            *_lines("4,936, , , ,11000", keep=False),
            *_lines("5, , , , ,600000"),
            *_lines("7, , , , ,550000"),
        ],
        bom=True,
    )
    # No LA column: each LA's RECTYPE 3 row follows that LA's schools.
    want["perf_tables_ralpan/england_ks2final_primary_relevent_columns.csv"] = _put(
        root,
        "perf_tables_ralpan/england_ks2final_primary_relevent_columns.csv",
        [
            *_lines("RECTYPE,URN,PCODE,TAPS"),
            *_lines("1,100000,GU34 1DH,28"),
            *_lines("1,100001,GU34 2DR,29"),
            *_lines("1,100499,SO23 1AA,27", keep=False),
            *_lines("3,,,28"),
            *_lines("1,100500,GU1 1AA,29", keep=False),
            *_lines("1,100501,GU1 1AB,29", keep=False),
            *_lines("3,,,29", keep=False),
            *_lines("4,,,28"),
            *_lines("5,,,28"),
        ],
    )
    want["ks2_hants_surrey/2016-850-ks2.csv"] = _put(
        root,
        "ks2_hants_surrey/2016-850-ks2.csv",
        [*_lines("RECTYPE,LEA,URN,PTRWM_EXP", eol=crlf), *_lines("1,850,200001,70%", eol=crlf)],
        bom=True,
    )
    _put(
        root,
        "ks2_hants_surrey/2016-936-ks2.csv",
        [*_lines("RECTYPE,LEA,URN,PTRWM_EXP", eol=crlf), *_lines("1,936,300001,60%", eol=crlf)],
        bom=True,
    )
    want["school_places_scorecards_dfe/scorecards_data_2024.csv"] = _put(
        root,
        "school_places_scorecards_dfe/scorecards_data_2024.csv",
        [
            *_lines("geographic_level,LANumber,LA_name,PriNOR"),
            *_lines("Local authority,936,Surrey,90000", keep=False),
            *_lines("National,0,England,4600000"),
            *_lines("Local authority,850,Hampshire,100000"),
        ],
    )
    ees_header = "time_identifier,time_period,geographic_level,old_la_code,laestab,headcount"
    ees = [
        *_lines(ees_header, eol=crlf),
        *_lines("Academic year,201617,National,,,8025075", eol=crlf),
        *_lines("Academic year,201617,Regional,,,1000000", eol=crlf),
        *_lines("Academic year,201617,Local authority,850,,180000", eol=crlf),
        *_lines("Academic year,201617,Local authority,936,,150000", keep=False, eol=crlf),
        *_lines("Academic year,201617,School,850,8502000,270", eol=crlf),
        *_lines("Academic year,201617,School,936,9362001,727", keep=False, eol=crlf),
    ]
    meta = b"col_name,col_type,label\r\nheadcount,Indicator,Number of pupils\r\n"
    _zip(
        root,
        "ees_test_data_dfe/exclusions_by_geographic_level.zip",
        {
            "exclusions_by_geographic_level.csv": b"".join(line for _k, line in ees),
            "exclusions_by_geographic_level.meta.csv": meta,
        },
    )
    want["exclusions_by_geographic_level.csv"] = b"".join(line for k, line in ees if k)
    want["exclusions_by_geographic_level.meta.csv"] = meta
    _spine(root)
    return want


@pytest.fixture()
def tiny(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    source = tmp_path / "data"
    return source, _make_sources(source)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_it_keeps_only_the_las_rows_and_the_aggregate_rows_byte_for_byte(tiny, tmp_path):
    source, want = tiny
    dest = tmp_path / "out"
    report = build_extract(HAMPSHIRE, source, dest)

    for rel, expected in want.items():
        if rel.startswith("exclusions_by"):
            continue
        assert (dest / rel).read_bytes() == expected, rel
    with zipfile.ZipFile(dest / "ees_test_data_dfe/exclusions_by_geographic_level.zip") as zf:
        assert zf.namelist() == [
            "exclusions_by_geographic_level.csv",
            "exclusions_by_geographic_level.meta.csv",
        ]
        for name in zf.namelist():
            assert zf.read(name) == want[name], name
    assert not (dest / "ks2_hants_surrey/2016-936-ks2.csv").exists()
    # 100000 and 100001 come in through the links; 300002 (sixth-form centre) does not.
    assert report.urns == 5
    rows = {f.relative_path: (f.rows_in, f.rows_out) for f in report.files}
    assert rows["ofsted_history_waiky8/ofsted_ratings_2018.csv"] == (5, 3)
    assert rows["admissions_school_level_clarelgibson/dim_school.csv"] == (4, 3)
    assert rows["admissions_school_level_clarelgibson/dim_la.csv"] == (3, 3)


def test_it_rewrites_the_spine_with_the_las_rows_values_and_formats(tiny, tmp_path):
    source, _want = tiny
    build_extract(HAMPSHIRE, source, tmp_path / "out")
    book = openpyxl.load_workbook(
        tmp_path / "out/perf_england_waiky8/2017-2018_england_spine.xlsx", read_only=True
    )
    assert book.sheetnames == ["england"]
    rows = list(book["england"].iter_rows())
    assert [c.value for c in rows[0]] == [
        "URN", "LA", "ESTAB", "LAESTAB", "SCHNAME", "TELNUM", "ICLOSE", "OPENDATE"
    ]  # fmt: skip
    assert [[c.value for c in row][:5] for row in rows[1:]] == [
        [200001, 850, 2000, 8502000, "Alton Infant School"],
        [200002, 850, 2002, 8502002, "New Academy"],
    ]
    opened = rows[2][7]
    assert opened.value == datetime(2018, 9, 1)
    assert opened.number_format == "yyyymmdd"
    assert rows[1][5].value == "0142083857"
    assert rows[1][5].number_format == "@"


def test_it_gives_identical_bytes_when_run_again(tiny, tmp_path):
    source, _want = tiny
    first, second = tmp_path / "first", tmp_path / "second"
    build_extract(HAMPSHIRE, source, first)
    build_extract(HAMPSHIRE, source, second)
    assert _tree(first) == _tree(second)
    # Re-running over an existing extract overwrites it with the same bytes.
    (first / "gias_hants_surrey/2021-gias.csv").write_bytes(b"edited")
    build_extract(HAMPSHIRE, source, first)
    assert _tree(first) == _tree(second)


def test_it_removes_files_an_earlier_run_wrote_that_this_run_does_not(tiny, tmp_path):
    source, _want = tiny
    dest = tmp_path / "out"
    build_extract(HAMPSHIRE, source, dest)
    (source / "gias_hants_surrey/2021-gias.csv").unlink()
    report = build_extract(HAMPSHIRE, source, dest)
    assert not (dest / "gias_hants_surrey/2021-gias.csv").exists()
    assert "gias_hants_surrey/2021-gias.csv: skipped, not in the source data" in report.notes


def test_it_skips_missing_files_and_files_without_the_las_rows(tiny, tmp_path):
    source, _want = tiny
    messages: list[str] = []
    report = build_extract(380, source, tmp_path / "out", messages.append)
    written = {f.relative_path for f in report.files}
    assert "spc_helios/spc_school_level_underlying_data_23112023.csv" not in written
    assert any(n.startswith("spc_helios/") and "not in the source data" in n for n in report.notes)
    assert "gias_hants_surrey/2021-gias.csv: skipped, no rows for LA 380" in report.notes
    assert "ks2_hants_surrey/*-ks2.csv: skipped, no file for LA 380" in report.notes
    assert not (tmp_path / "out/gias_hants_surrey").exists()
    # Bradford has no schools here, but England's rows still come through.
    census = (tmp_path / "out/perf_tables_2017_avisionh/england_census.csv").read_bytes()
    assert census == b"\xef\xbb\xbfURN,LA,ESTAB,NOR\nNAT,,PRI,4998768\nNAT,,SEC,3307528"
    # One progress message per file written or skipped.
    assert len(messages) == len(report.files) + len(report.notes)


def test_it_writes_the_attribution_and_the_manifest(tiny, tmp_path):
    source, _want = tiny
    dest = tmp_path / "out"
    report = build_extract(HAMPSHIRE, source, dest)
    attribution = (dest / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert (
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: Department for Education, Ofsted, Office for National Statistics."
    ) in attribution
    assert "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" in (
        attribution
    )
    assert "Hampshire" in attribution
    assert "- `ofsted_history_waiky8/ofsted_ratings_2018.csv`: 3 of 5 rows kept" in attribution
    with (dest / "MANIFEST.csv").open(encoding="utf-8", newline="") as handle:
        manifest = list(csv.DictReader(handle))
    assert [row["relative_path"] for row in manifest] == sorted(
        f.relative_path for f in report.files
    )
    assert all(len(row["sha256"]) == 64 for row in manifest)


def test_it_lists_every_extracted_path_in_its_manifest_constant(tiny, tmp_path):
    source, _want = tiny
    report = build_extract(HAMPSHIRE, source, tmp_path / "out")
    for f in report.files:
        assert any(Path(f.relative_path).match(pattern) for pattern in MANIFEST), f.relative_path


def test_it_runs_from_the_command_line(tiny, tmp_path, capsys):
    source, _want = tiny
    assert main(["--la", "850", "--from", str(source), "--to", str(tmp_path / "out")]) == 0
    out = capsys.readouterr()
    assert "LA 850:" in out.out
    assert "ofsted_history_waiky8/ofsted_ratings_2018.csv: kept 3 of 5 rows" in out.err


# --- The full public data ---------------------------------------------------


@pytest.fixture(scope="module")
def hampshire(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    dest = tmp_path_factory.mktemp("extract") / "850"
    build_extract(HAMPSHIRE, shared_data, dest)
    return shared_data, dest


def _csv_rows(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _spine_rows(path: Path) -> tuple[list[Any], list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = book["england"].iter_rows(values_only=True)
    header = list(next(rows))
    data = list(rows)
    book.close()
    return header, data


SPINE = "perf_england_waiky8/2017-2018_england_spine.xlsx"


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_keeps_hampshires_600_register_establishments(hampshire):
    source, dest = hampshire
    header, rows = _spine_rows(dest / SPINE)
    assert header == _spine_rows_header(source / SPINE)
    la, iclose = header.index("LA"), header.index("ICLOSE")
    assert len(rows) == 600
    assert {row[la] for row in rows} == {850}
    assert sum(1 for row in rows if row[iclose] != 2) == 585  # the data guide's "not closed"
    details = _csv_rows(dest / "ofsted_history_waiky8/school_details_2018.csv", "cp1252")
    assert {int(r["URN"]) for r in details} == {row[header.index("URN")] for row in rows}


def _spine_rows_header(path: Path) -> list[Any]:
    book = openpyxl.load_workbook(path, read_only=True)
    header = list(next(book["england"].iter_rows(max_row=1, values_only=True)))
    book.close()
    return header


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_keeps_every_inspection_of_hampshires_schools_and_their_linked_urns(hampshire):
    _source, dest = hampshire
    header, rows = _spine_rows(dest / SPINE)
    register = {str(row[header.index("URN")]) for row in rows}
    inspections = _csv_rows(dest / "ofsted_history_waiky8/ofsted_ratings_2018.csv")
    of_register = [r for r in inspections if r["URN"] in register]
    # The data guide's figure for the November 2019 register URNs.
    assert len(of_register) == 1708
    assert len({r["URN"] for r in of_register}) == 548
    # Following links adds Southampton City College (852), which merged into
    # a Hampshire college in 2023: its 4 inspections come along.
    others = [r for r in inspections if r["URN"] not in register]
    assert {r["URN"] for r in others} == {"130696"}
    assert len(others) == 4


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.parametrize(
    ("rel", "schools", "national"),
    [
        ("perf_tables_2017_avisionh/england_census.csv", 577, 2),
        ("perf_tables_2019_kspdev/england_census.csv", 579, 3),
        ("census_2023_dfe_academies_api/2022-2023_england_census.csv", 589, 3),
    ],
)
def test_it_keeps_hampshires_census_rows_and_the_england_rows(hampshire, rel, schools, national):
    source, dest = hampshire
    rows = _csv_rows(dest / rel)
    assert sum(1 for r in rows if r["LA"] == "850") == schools
    assert sum(1 for r in rows if r["URN"] == "NAT") == national
    everything = _csv_rows(source / rel)
    assert [r for r in rows if r["URN"] == "NAT"] == [r for r in everything if r["URN"] == "NAT"]
    # Anything else is a linked school elsewhere: Hurst Lodge (868) amalgamated
    # into a Hampshire school in 2017 and is in the January 2017 census.
    assert {r["URN"] for r in rows if r["LA"] not in ("850", "")} <= {"110150"}


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_keeps_the_england_exclusions_total_and_hampshires_schools(hampshire):
    source, dest = hampshire
    rel = "ees_test_data_dfe/exclusions_by_geographic_level.zip"
    with zipfile.ZipFile(dest / rel) as extract, zipfile.ZipFile(source / rel) as original:
        assert extract.namelist() == original.namelist()
        meta = "exclusions_by_geographic_level.meta.csv"
        assert extract.read(meta) == original.read(meta)
        text = extract.read("exclusions_by_geographic_level.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    total = [
        r
        for r in rows
        if r["geographic_level"] == "National"
        and r["time_period"] == "201617"
        and r["school_type"] == "Total"
    ]
    assert [(r["headcount"], r["perm_excl"], r["fixed_excl"]) for r in total] == [
        ("8025075", "7720", "381865")
    ]
    per_year: dict[str, int] = {}
    for r in rows:
        if r["geographic_level"] == "School":
            assert r["old_la_code"] == "850"
            per_year[r["time_period"]] = per_year.get(r["time_period"], 0) + 1
    assert len(per_year) == 11
    assert min(per_year.values()) == 522
    assert max(per_year.values()) == 528


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_copies_every_kept_line_unchanged_and_in_order(hampshire):
    source, dest = hampshire
    with (dest / "MANIFEST.csv").open(encoding="utf-8", newline="") as handle:
        paths = [row["relative_path"] for row in csv.DictReader(handle)]
    assert len(paths) == 53
    for rel in paths:
        if rel.endswith(".xlsx"):
            continue
        pairs = [((dest / rel).read_bytes(), (source / rel).read_bytes())]
        if rel.endswith(".zip"):
            with zipfile.ZipFile(dest / rel) as out, zipfile.ZipFile(source / rel) as src:
                pairs = [(out.read(n), src.read(n)) for n in src.namelist()]
        for out_bytes, src_bytes in pairs:
            kept = out_bytes.splitlines(keepends=True)
            remaining = iter(src_bytes.splitlines(keepends=True))
            assert kept[0] == next(remaining), rel
            # Each kept line appears in the source, in the same order.
            assert all(any(line == s for s in remaining) for line in kept[1:]), rel


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.parametrize(
    ("rel", "rows"),
    [
        ("admissions_school_level_clarelgibson/dim_la.csv", 153),
        ("ks2_hants_surrey/meta_2016-2017/ks2_meta.csv", 290),  # quoted fields span lines
        ("perf_england_waiky8/2017-2018_england_spine.xlsx", 26078),
        ("ofsted_history_waiky8/ofsted_ratings_2018.csv", 60134),
        ("gias_hants_surrey/20220420_gias.csv", 1096),
        ("ees_test_data_dfe/exclusions_by_geographic_level.zip", 242170),
    ],
)
def test_it_counts_source_rows_as_the_data_guide_does(hampshire, rel, rows):
    _source, dest = hampshire
    with (dest / "MANIFEST.csv").open(encoding="utf-8", newline="") as handle:
        manifest = {row["relative_path"]: row for row in csv.DictReader(handle)}
    assert int(manifest[rel]["rows_in"]) == rows


@pytest.mark.shared_data
@pytest.mark.slow
def test_it_reproduces_the_committed_hampshire_extract(hampshire):
    _source, dest = hampshire
    if not (COMMITTED / "MANIFEST.csv").is_file():
        pytest.skip("no committed extract at convenor/demo/data/850")
    assert _tree(dest) == _tree(COMMITTED)
