"""Tests for the school register readers (GIAS, star schema, spine, school details, LAs)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from convenor.sources.base import FileFormatError, ReadResult, iter_xlsx
from convenor.sources.gias import (
    DIM_SCHOOL_AS_AT,
    read_establishment_types,
    read_gias_establishments,
    read_school_dimension,
)
from convenor.sources.register import (
    ACADEMY_TYPES,
    NOT_STATE_FUNDED_TYPES,
    STATE_FUNDED_TYPES,
    EstablishmentRecord,
    read_la_region_codes,
    read_local_authorities,
)
from convenor.sources.spine import derived_phase, read_school_details, read_spine

GIAS_0419 = Path("gias_hants_surrey") / "20220419-gias.csv"
GIAS_0420 = Path("gias_hants_surrey") / "20220420_gias.csv"
GIAS_2021 = Path("gias_hants_surrey") / "2021-gias.csv"
STAR = Path("admissions_school_level_clarelgibson")
DIM_SCHOOL = STAR / "dim_school.csv"
FCT_SCHOOL = STAR / "fct_school.csv"
DIM_LA = STAR / "dim_la.csv"
SPINE_XLSX = Path("perf_england_waiky8") / "2017-2018_england_spine.xlsx"
SPINE_815 = Path("perf_tables_la815_north_yorkshire") / "815_spine.csv"
SCHOOL_DETAILS = Path("ofsted_history_waiky8") / "school_details_2018.csv"
LA_REGIONS = Path("perf_tables_2019_kspdev") / "la_and_region_codes_meta.csv"
TYPES = Path("gias_links_witan") / "edubasealldata20250422-establishment-types.csv"


def _by_urn(records: list[EstablishmentRecord]) -> dict[int, EstablishmentRecord]:
    return {r.urn: r for r in records}


def _record(**kw: object) -> EstablishmentRecord:
    base: dict[str, object] = {
        "urn": 100000,
        "name": "A school",
        "status": "Open",
        "as_at": date(2020, 1, 1),
        "source": "test",
    }
    base.update(kw)
    return EstablishmentRecord(**base)  # type: ignore[arg-type]


# --- GIAS download ----------------------------------------------------------


def test_it_reads_ragged_linked_establishments_into_links(fixtures_dir: Path) -> None:
    result = read_gias_establishments(fixtures_dir / GIAS_0420)
    result.check_accounting()
    assert result.rejections == []
    schools = _by_urn(result.records)
    weyford = schools[116018]
    assert weyford.links == ((115961, "Predecessor"), (148215, "Successor"))
    assert weyford.status == "Closed"
    assert weyford.la_code == 850
    assert schools[131419].links == (
        (116287, "Predecessor"),
        (138509, "Successor"),
        (115896, "Predecessor"),
    )
    assert schools[115850].links == ()  # "Does not have links"


def test_it_reads_a_full_gias_record(fixtures_dir: Path) -> None:
    result = read_gias_establishments(fixtures_dir / GIAS_0419)
    alton = _by_urn(result.records)[115850]
    assert alton == EstablishmentRecord(
        urn=115850,
        name="Alton Infant School",
        status="Open",
        as_at=date(2022, 4, 19),
        source="20220419-gias.csv",
        laestab=8502000,
        la_code=850,
        type_name="Community school",
        type_group="Local authority maintained schools",
        phase="Primary",
        age_low=4,
        age_high=7,
        gender="Mixed",
        capacity=180,
        pupils=138,
        pupils_census_date=date(2021, 1, 21),
        fsm_percent=21.7,
        easting=472080,
        northing=139716,
        urban_rural="(England/Wales) Urban city and town",
        district="East Hampshire",
        town="Alton",
        postcode="GU34 1DH",
    )
    assert alton.is_state_funded is True
    assert alton.is_academy is False
    assert result.lines[result.records.index(alton)] == 2


def test_it_takes_the_snapshot_date_from_the_file_name_unless_given(fixtures_dir: Path) -> None:
    assert read_gias_establishments(fixtures_dir / GIAS_0420).records[0].as_at == date(2022, 4, 20)
    given = read_gias_establishments(fixtures_dir / GIAS_0420, as_at=date(2022, 5, 1))
    assert {r.as_at for r in given.records} == {date(2022, 5, 1)}


def test_it_reads_the_ten_column_extract_as_open_schools_in_april_2021(
    fixtures_dir: Path,
) -> None:
    result = read_gias_establishments(fixtures_dir / GIAS_2021)
    result.check_accounting()
    assert result.rejections == []
    assert {r.status for r in result.records} == {"Open"}
    assert {r.as_at for r in result.records} == {date(2021, 4, 1)}
    alton = _by_urn(result.records)[115850]
    assert (alton.laestab, alton.fsm_percent, alton.district) == (8502000, 24.0, "East Hampshire")
    assert alton.type_group == "Local authority maintained schools"
    assert alton.type_name is None
    assert alton.religious_character is None  # "Does not apply"


def test_it_needs_as_at_when_the_file_name_has_no_date(tmp_path: Path) -> None:
    path = tmp_path / "gias.csv"
    path.write_text("URN,EstablishmentName\n100000,A school\n", encoding="utf-8")
    with pytest.raises(ValueError, match="as_at"):
        read_gias_establishments(path)
    assert read_gias_establishments(path, as_at=date(2022, 1, 1)).records[0].urn == 100000


def test_it_rejects_a_file_that_is_not_a_gias_download(fixtures_dir: Path) -> None:
    with pytest.raises(FileFormatError, match=r"missing column.*URN, EstablishmentName"):
        read_gias_establishments(fixtures_dir / DIM_LA, as_at=date(2020, 1, 1))
    with pytest.raises(FileFormatError, match="EstablishmentName"):
        read_gias_establishments(fixtures_dir / SCHOOL_DETAILS, as_at=date(2020, 1, 1))


def test_it_rejects_bad_gias_rows_naming_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "20220419-gias.csv"
    rows = [
        "URN,EstablishmentName,EstablishmentStatus (name),OpenDate,SchoolCapacity,"
        "Linked establishments",
        "100001,One,Open,01-09-2010,210,Does not have links",
        "100002,Two,Open,31-02-2020,210,Does not have links",
        "100003,Three,Shut,,210,",
        "100004,Four,Open,,lots,",
        "100005,Five,Open,,,100001 Predecessor,nonsense",
        "",
        "100001,One again,Open,,,",
        "1000x,Six,Open,,,",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = read_gias_establishments(path)
    result.check_accounting()
    assert [r.urn for r in result.records] == [100001]
    assert [(r.line, r.field) for r in result.rejections] == [
        (3, "OpenDate"),
        (4, "EstablishmentStatus (name)"),
        (5, "SchoolCapacity"),
        (6, "Linked establishments"),
        (7, None),
        (8, None),
        (9, "URN"),
    ]
    assert result.rejections[5].reason == "duplicate of line 2 (same 100001)"


def test_it_rejects_extra_fields_when_there_is_no_links_column(tmp_path: Path) -> None:
    path = tmp_path / "2021-gias.csv"
    path.write_text("URN,EstablishmentName\n100001,One,surplus\n100002,Two\n", encoding="utf-8")
    result = read_gias_establishments(path)
    assert [r.urn for r in result.records] == [100002]
    assert [(r.line, r.field) for r in result.rejections] == [(2, "(row)")]


# --- dim_school + fct_school ------------------------------------------------


def test_it_joins_dim_and_fct_school_and_the_la_code(fixtures_dir: Path) -> None:
    result = read_school_dimension(fixtures_dir / DIM_SCHOOL, fixtures_dir / FCT_SCHOOL)
    result.check_accounting()
    alton = _by_urn(result.records)[115850]
    assert (alton.la_code, alton.laestab) == (850, 8502000)
    assert (alton.capacity, alton.pupils, alton.fsm_percent) == (180, 138, 21.7)
    assert alton.as_at == DIM_SCHOOL_AS_AT
    assert alton.type_name == "Community school"
    assert alton.phase == "Primary"
    assert alton.is_state_funded is True
    assert alton.religious_character is None


def test_it_rejects_the_not_reported_school_key(fixtures_dir: Path) -> None:
    result = read_school_dimension(fixtures_dir / DIM_SCHOOL, fixtures_dir / FCT_SCHOOL)
    placeholder = [r for r in result.rejections if r.file == "dim_school.csv"]
    assert [(r.line, r.field) for r in placeholder] == [(2, "school_key")]
    assert "Not reported" in placeholder[0].reason
    assert 0 not in {r.urn for r in result.records}


def test_it_rejects_both_rows_of_a_conflicting_fct_duplicate(fixtures_dir: Path) -> None:
    result = read_school_dimension(fixtures_dir / DIM_SCHOOL, fixtures_dir / FCT_SCHOOL)
    fct = {r.line: r.reason for r in result.rejections if r.file == "fct_school.csv"}
    fct_lines = (fixtures_dir / FCT_SCHOOL).read_text(encoding="utf-8").splitlines()
    lines_532 = [i for i, text in enumerate(fct_lines, 1) if text.startswith("532,")]
    assert len(lines_532) == 2
    first, second = lines_532
    assert fct[first].startswith(f"conflicting duplicate of line {second} (school_key 532)")
    assert fct[second].startswith(f"conflicting duplicate of line {first} (school_key 532)")
    westminster = _by_urn(result.records)[101146]
    # Both rows put it in Westminster (213), so the LA is kept.
    assert (westminster.capacity, westminster.pupils, westminster.la_code) == (None, None, 213)
    # Rosedale Primary (school_key 15020): 1660 or 480 places, the file cannot say.
    assert _by_urn(result.records)[141561].capacity is None
    assert result.rows_read == len(result.records) + len(result.rejections)


def test_it_uses_identical_duplicates_and_rejects_orphan_fct_rows(tmp_path: Path) -> None:
    dim = tmp_path / "dim_school.csv"
    fct = tmp_path / "fct_school.csv"
    dim.write_text(
        "school_key,urn,establishment_number,establishment_name,establishment_type,"
        "establishment_type_group,establishment_status,open_date,close_date,education_phase,"
        "statutory_low_age,statutory_high_age\n"
        "1,100001,2000,One,Academy converter,Academies,Open,2012-04-01,,Primary,4,11\n"
        "2,100002,2001,Two,Community school,Local authority maintained schools,Open,,,"
        "Primary,9,4\n",
        encoding="utf-8",
    )
    fct.write_text(
        "school_key,la_key,school_capacity,number_of_pupils,percentage_fsm\n"
        "1,5,210,200,10.5\n"
        "1,5,210,200,10.5\n"
        "7,5,100,90,\n"
        "2,5,abc,1,1\n",
        encoding="utf-8",
    )
    result = read_school_dimension(dim, fct)
    result.check_accounting()
    one = _by_urn(result.records)[100001]
    assert (one.capacity, one.pupils, one.fsm_percent, one.la_code) == (210, 200, 10.5, None)
    assert one.open_date == date(2012, 4, 1)
    assert one.is_academy is True
    assert [(r.file, r.line, r.field) for r in result.rejections] == [
        ("dim_school.csv", 3, "statutory_high_age"),
        ("fct_school.csv", 3, "school_key"),
        ("fct_school.csv", 4, "school_key"),
        ("fct_school.csv", 5, "school_capacity"),
    ]
    assert result.rejections[1].reason == "duplicate of line 2"
    assert result.rejections[2].reason == "school_key 7 has no school in dim_school.csv"
    assert result.rows_read == 2 + 3


# --- Spine ------------------------------------------------------------------


def test_it_reads_the_spine_workbook_with_sheet_row_numbers(fixtures_dir: Path) -> None:
    result = read_spine(fixtures_dir / SPINE_XLSX)
    result.check_accounting()
    assert result.rejections == []
    schools = _by_urn(result.records)
    greenacres = schools[100128]
    assert greenacres.status == "Closed"
    assert greenacres.close_date == date(2017, 10, 31)
    assert greenacres.other_urn == 145210
    assert schools[145210].other_urn == 100128
    assert schools[145210].type_name == "Academy converter"
    assert schools[145210].is_academy is True
    assert greenacres.source == "2017-2018_england_spine.xlsx"
    assert result.lines[0] == 2
    assert result.lines == sorted(result.lines)
    latest = max(
        d
        for r in result.records
        for d in (r.open_date, r.close_date if r.status == "Closed" else None)
        if d is not None
    )
    assert {r.as_at for r in result.records} == {latest}


def test_it_maps_spine_types_to_gias_names(fixtures_dir: Path) -> None:
    records = read_spine(fixtures_dir / SPINE_XLSX).records
    types = {(r.minor_group, r.type_name, r.type_group) for r in records}
    assert (None, "Service children's education", "Other types") in types
    assert ("Academy", "Free schools 16 to 19", "Free Schools") in types
    assert ("College", "Sixth form centres", "Colleges") in types
    assert all(r.type_name is not None for r in records)
    service = next(r for r in records if r.type_name == "Service children's education")
    assert service.is_state_funded is False


def test_it_reads_workbook_cells_as_text(fixtures_dir: Path) -> None:
    header, rows = iter_xlsx(fixtures_dir / SPINE_XLSX, "england")
    wb = openpyxl.load_workbook(fixtures_dir / SPINE_XLSX, read_only=True)
    expected = list(wb["england"].iter_rows(values_only=True))
    wb.close()
    assert header == list(expected[0])
    ours = list(rows)
    assert len(ours) == len(expected) - 1
    for raw, values in zip(ours, expected[1:], strict=True):
        for name, value in zip(header, values, strict=True):
            got = raw.values[name]
            if value is None or value == "":
                assert got == ""
            elif isinstance(value, datetime):
                assert got == value.date().isoformat()
            elif isinstance(value, int):
                assert got == str(value)
            elif isinstance(value, float):
                assert float(got) == value
            else:
                assert got == value


def test_it_skips_empty_sheet_rows_and_keeps_cells_beyond_the_header(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "england"
    sheet["A1"], sheet["B1"] = "URN", "NAME"
    sheet["A3"], sheet["B3"], sheet["D3"] = 100001, "St Thomas & \u00e0 Becket", "extra"
    path = tmp_path / "book.xlsx"
    book.save(path)
    header, rows = iter_xlsx(path, "england")
    assert header == ["URN", "NAME"]
    [row] = list(rows)
    assert row.line == 3
    assert row.values == {"URN": "100001", "NAME": "St Thomas & \u00e0 Becket"}
    assert row.extra == ("", "extra")


def test_it_names_a_missing_sheet(fixtures_dir: Path) -> None:
    with pytest.raises(FileFormatError, match="no sheet 'wales'"):
        read_spine(fixtures_dir / SPINE_XLSX, sheet="wales")


def test_it_reads_the_spine_csv_and_the_same_rows_as_a_workbook(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    from_csv = read_spine(fixtures_dir / SPINE_815)
    from_csv.check_accounting()
    assert from_csv.rejections == []
    assert from_csv.records[0].urn == 121311  # the byte-order mark is not part of "URN"
    text = (fixtures_dir / SPINE_815).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "england"
    for i, row in enumerate(rows):
        cells: list[object] = []
        for name, value in zip(rows[0], row, strict=True):
            if i and name in ("OPENDATE", "CLOSEDATE") and value:
                cells.append(datetime.strptime(value, "%Y%m%d"))
            elif i and value.isdigit() and name not in ("TELNUM",):
                cells.append(int(value))
            else:
                cells.append(value or None)
        ws.append(cells)
    book = tmp_path / "815_spine.xlsx"
    wb.save(book)
    from_book = read_spine(book)
    strip = [
        (r.urn, r.status, r.open_date, r.close_date, r.phase, r.type_name, r.as_at)
        for r in from_csv.records
    ]
    assert strip == [
        (r.urn, r.status, r.open_date, r.close_date, r.phase, r.type_name, r.as_at)
        for r in from_book.records
    ]
    assert from_book.lines == from_csv.lines


# --- school_details ---------------------------------------------------------


def test_it_reads_school_details_in_windows_1252(fixtures_dir: Path) -> None:
    result = read_school_details(fixtures_dir / SCHOOL_DETAILS)
    result.check_accounting()
    assert result.rejections == []
    schools = _by_urn(result.records)
    assert schools[126416].name == "St Thomas \u00e0 Becket Church of England Aided Primary School"
    assert schools[147416].name.startswith("St Aelred's Catholic Primary School \u2013 a")
    assert schools[100128].other_urn == 145210  # written 145210.0
    assert schools[140690].other_urn is None  # 999999.0 placeholder
    assert schools[100128].status == "Closed"
    assert schools[100000].type_group == "Local authority maintained schools"
    assert schools[100000].type_name is None
    assert schools[100000].minor_group == "Maintained School"
    assert schools[100000].is_state_funded is True
    nan_type = [r for r in result.records if r.minor_group is None]
    assert nan_type and all(r.is_state_funded is None for r in nan_type)


def test_it_infers_the_snapshot_date_from_events_not_plans(tmp_path: Path) -> None:
    header = (
        "URN,Name,Street,City,Postcode,Status,Rating,Inspect Date,Date Opened,Date Closed,Type,"
        "Primary,Secondary,Post 16,Age From,Age To,Gender,Gender Post 16,Religion,Other URN,"
        "Local Authority"
    )
    rows = [
        "100001,A,,,,2,,,,20190831,Academy,1,0,0,4,11,Mixed,Mixed,,,850",
        "100002,B,,,,3,,,20180901,20200831,Academy,1,0,0,4,11,Mixed,Mixed,,,850",
        "100003,C,,,,1,,,20190101,,Academy,0,1,1,11,18,Mixed,Mixed,,,850",
    ]
    path = tmp_path / "school_details_2018.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="cp1252")
    result = read_school_details(path)
    assert {r.as_at for r in result.records} == {date(2019, 8, 31)}
    assert [r.phase for r in result.records] == ["Primary", "Primary", "Secondary"]


# --- Phases, funding, LAs, types ---------------------------------------------


@pytest.mark.parametrize(
    ("flags", "ages", "phase"),
    [
        ((True, False, False), (4, 11), "Primary"),
        ((True, False, False), (9, 12), "Middle deemed primary"),
        ((True, True, False), (9, 13), "Middle deemed secondary"),
        ((True, True, False), (8, 12), "Middle deemed primary"),
        ((True, True, True), (4, 18), "All-through"),
        ((False, True, True), (11, 18), "Secondary"),
        ((False, False, True), (16, 19), "16 plus"),
        ((False, False, False), (0, 0), "Not applicable"),
    ],
)
def test_it_derives_the_gias_phase_from_spine_flags(
    flags: tuple[bool, bool, bool], ages: tuple[int, int], phase: str
) -> None:
    assert derived_phase(*flags, *ages) == phase


@pytest.mark.parametrize(
    ("type_name", "type_group", "state_funded", "academy"),
    [
        ("Academy converter", "Academies", True, True),
        ("Studio schools", "Free Schools", True, True),
        ("Community special school", "Special schools", True, False),
        ("Non-maintained special school", "Special schools", False, False),
        ("City technology college", "Independent schools", True, False),
        ("Pupil referral unit", "Local authority maintained schools", True, False),
        ("Further education", "Colleges", False, False),
        ("Online provider", "Online provider", False, False),
        (None, "Academies", True, True),
        (None, "Special schools", None, False),
        (None, None, None, None),
    ],
)
def test_it_classifies_state_funded_schools_and_academies(
    type_name: str | None, type_group: str | None, state_funded: bool | None, academy: bool | None
) -> None:
    record = _record(type_name=type_name, type_group=type_group)
    assert record.is_state_funded is state_funded
    assert record.is_academy is academy


def test_it_classifies_every_gias_establishment_type(fixtures_dir: Path) -> None:
    result = read_establishment_types(fixtures_dir / TYPES)
    result.check_accounting()
    assert len(result.records) == 50
    names = {r.type_name for r in result.records}
    assert names == STATE_FUNDED_TYPES | NOT_STATE_FUNDED_TYPES
    assert not STATE_FUNDED_TYPES & NOT_STATE_FUNDED_TYPES
    assert {
        r.type_name for r in result.records if r.group_name in ("Academies", "Free Schools")
    } == (ACADEMY_TYPES)
    fe = [r.fe_type for r in result.records if r.type_code == 18]
    assert fe[0] is None and "Sixth Form College (General)" in fe


def test_it_reads_local_authorities_without_the_placeholder(fixtures_dir: Path) -> None:
    result = read_local_authorities(fixtures_dir / DIM_LA)
    result.check_accounting()
    assert len(result.records) == 152
    assert [(r.line, r.field) for r in result.rejections] == [(2, "la_key")]
    hampshire = next(r for r in result.records if r.code == 850)
    assert (hampshire.name, hampshire.gss_code) == ("Hampshire", "E10000014")
    assert (hampshire.region_code, hampshire.region_name) == ("E12000008", "South East")


def test_it_reads_performance_table_region_groups(fixtures_dir: Path) -> None:
    result = read_la_region_codes(fixtures_dir / LA_REGIONS)
    result.check_accounting()
    assert len(result.records) == 151
    hampshire = next(r for r in result.records if r.code == 850)
    assert hampshire.gss_code is None
    assert hampshire.region_name is not None and hampshire.region_name.startswith("South East")


# --- Full files ---------------------------------------------------------------


@pytest.fixture(scope="module")
def full_details(shared_data: Path) -> ReadResult[EstablishmentRecord]:
    return read_school_details(shared_data / SCHOOL_DETAILS)


@pytest.fixture(scope="module")
def full_dimension(shared_data: Path) -> ReadResult[EstablishmentRecord]:
    return read_school_dimension(shared_data / DIM_SCHOOL, shared_data / FCT_SCHOOL)


@pytest.mark.shared_data
def test_it_reads_every_school_details_row(
    full_details: ReadResult[EstablishmentRecord],
) -> None:
    result = full_details
    result.check_accounting()
    assert result.rows_read == 26078
    assert result.rejections == []
    status = Counter(r.status for r in result.records)
    assert status == {"Open": 23786, "Closed": 2146, "Open, but proposed to close": 146}
    assert {r.as_at for r in result.records} == {date(2019, 11, 7)}
    assert len({r.la_code for r in result.records}) == 156
    assert sum(r.other_urn is not None for r in result.records) == 3596 - 4  # 4 are 999999
    hampshire = [r for r in result.records if r.la_code == 850]
    assert (len(hampshire), sum(r.status != "Closed" for r in hampshire)) == (600, 585)


@pytest.mark.shared_data
def test_it_reads_the_england_spine_like_school_details(
    shared_data: Path, full_details: ReadResult[EstablishmentRecord]
) -> None:
    spine = read_spine(shared_data / SPINE_XLSX)
    spine.check_accounting()
    assert spine.rows_read == 26078
    assert spine.rejections == []
    assert spine.lines[-1] == 26079
    assert {r.as_at for r in spine.records} == {date(2019, 11, 7)}
    assert all(r.type_name is not None for r in spine.records)
    details = _by_urn(full_details.records)
    assert set(details) == {r.urn for r in spine.records}
    for r in spine.records:
        d = details[r.urn]
        assert (r.status, r.phase, r.other_urn, r.la_code) == (
            d.status,
            d.phase,
            d.other_urn,
            d.la_code,
        )
    hampshire = [r for r in spine.records if r.la_code == 850]
    assert len(hampshire) == 600
    assert sum(r.is_open and bool(r.is_state_funded) for r in hampshire) == 520


@pytest.mark.shared_data
def test_it_reads_the_north_yorkshire_spine(shared_data: Path) -> None:
    result = read_spine(shared_data / SPINE_815)
    result.check_accounting()
    assert result.rows_read == 413
    assert Counter(r.status for r in result.records) == {
        "Open": 386,
        "Closed": 26,
        "Open, but proposed to close": 1,
    }
    assert {r.as_at for r in result.records} == {date(2019, 11, 1)}


@pytest.mark.shared_data
def test_it_reads_the_gias_downloads(shared_data: Path) -> None:
    april19 = read_gias_establishments(shared_data / GIAS_0419)
    april20 = read_gias_establishments(shared_data / GIAS_0420)
    extract_2021 = read_gias_establishments(shared_data / GIAS_2021)
    for result in (april19, april20, extract_2021):
        result.check_accounting()
        assert result.rejections == []
    assert Counter(r.la_code for r in april19.records) == {850: 427, 936: 301}
    assert Counter(len(r.links) for r in april19.records) == {0: 521, 1: 172, 2: 33, 3: 2}
    assert Counter(r.la_code for r in april20.records) == {936: 576, 850: 520}
    assert Counter(r.status for r in april20.records)["Closed"] == 368
    assert Counter(r.la_code for r in extract_2021.records) == {850: 427, 936: 302}


@pytest.mark.shared_data
def test_it_counts_hampshires_open_state_funded_schools_in_july_2022(
    full_dimension: ReadResult[EstablishmentRecord],
) -> None:
    result = full_dimension
    result.check_accounting()
    assert len(result.records) == 20188
    by_file = Counter(r.file for r in result.rejections)
    assert by_file == {"dim_school.csv": 1, "fct_school.csv": 48}  # 24 conflicting pairs
    hampshire = [r for r in result.records if r.la_code == 850]
    # Checked independently: dim_school joined to the first fct_school row per
    # key and dim_la on la_key, la_code 850 -> 494 rows, all "Open".
    assert sum(bool(r.is_open and r.is_state_funded) for r in hampshire) == 494
    assert Counter(r.phase for r in hampshire) == {
        "Primary": 425,
        "Secondary": 67,
        "All-through": 2,
    }
    # 79 schools with one fct row and no capacity, and the 24 with conflicting rows.
    assert sum(r.capacity is None for r in result.records) == 79 + 24


@pytest.mark.shared_data
def test_it_derives_phases_that_agree_with_gias(
    full_details: ReadResult[EstablishmentRecord],
    full_dimension: ReadResult[EstablishmentRecord],
) -> None:
    details = _by_urn(full_details.records)
    gias = full_dimension.records
    both = [(details[r.urn].phase, r.phase) for r in gias if r.urn in details]
    assert len(both) == 19207
    assert sum(a == b for a, b in both) / len(both) > 0.995


@pytest.mark.shared_data
def test_it_reads_the_whole_la_and_type_lists(shared_data: Path) -> None:
    assert len(read_local_authorities(shared_data / DIM_LA).records) == 152
    assert len(read_la_region_codes(shared_data / LA_REGIONS).records) == 151
    types = read_establishment_types(shared_data / TYPES)
    assert len({r.type_code for r in types.records}) == 39
