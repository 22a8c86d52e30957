"""School locations from the 2018/19 final extracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from convenor.sources.locations import read_locations

KS2 = Path("perf_england_2019_waiky8") / "england_ks2final.csv"


def test_it_reads_each_schools_position(fixtures_dir: Path) -> None:
    result = read_locations(fixtures_dir / KS2)
    result.check_accounting()
    assert result.records
    for record in result.records:
        assert 49.8 <= record.latitude <= 61.0 and -8.7 <= record.longitude <= 2.0


def test_it_rejects_a_position_outside_great_britain(tmp_path: Path) -> None:
    path = tmp_path / "ks2.csv"
    path.write_text(
        "URN,LATITUDE,LONGITUDE\n116336,50.8,-1.1\n116337,-1.1,50.8\n116338,,\n",
        encoding="utf-8",
    )
    result = read_locations(path)
    result.check_accounting()
    assert [r.urn for r in result.records] == [116336]
    assert [(r.line, r.field) for r in result.rejections] == [(3, "LATITUDE"), (4, "LATITUDE")]
    assert "outside Great Britain" in result.rejections[0].reason


@pytest.mark.shared_data
def test_it_places_every_school_of_the_2019_ks2_file(shared_data: Path) -> None:
    result = read_locations(shared_data / KS2)
    result.check_accounting()
    assert result.rows_read == 16355
    assert len(result.records) >= 16300
