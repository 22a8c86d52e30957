"""One representation of the academic year across every source.

Each family of files writes years its own way (see the data guide's table of
conventions): ``201617`` in EES files, ``2017`` meaning 2016/17 in the
performance-tables extracts, ``2016`` meaning 2016/17 in the Hampshire KS2
files, ``_17`` column suffixes, January census years, years of entry. Readers
turn all of them into an :class:`AcademicYear`, written ``"2016/17"``, which
sorts correctly as text and is what the database stores. Readers given no
year find it in the file or folder name (:func:`second_year_from_path`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from convenor.sources.base import FileFormatError, RowError

_LABEL = re.compile(r"^(\d{4})/(\d{2})$")
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True, order=True, slots=True)
class AcademicYear:
    """The school year that starts on 1 September of ``start`` and ends on 31 August."""

    start: int

    def __post_init__(self) -> None:
        if not 1900 <= self.start <= 2100:
            raise ValueError(f"academic year out of range: {self.start}")

    def __str__(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    @property
    def label(self) -> str:
        return str(self)

    @property
    def first_day(self) -> date:
        return date(self.start, 9, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 8, 31)

    @property
    def january_census(self) -> date:
        """The date of the spring (January) census in this year, taken as 15 January."""
        return date(self.start + 1, 1, 15)

    # --- constructors, one per convention ---------------------------------

    @classmethod
    def from_label(cls, text: str) -> AcademicYear:
        """``"2016/17"``."""
        m = _LABEL.match(text.strip())
        if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
            raise ValueError(f"not an academic year label: {text!r}")
        return cls(int(m.group(1)))

    @classmethod
    def from_six_digits(cls, text: str) -> AcademicYear:
        """EES ``time_period`` ``201617`` (both years)."""
        t = text.strip()
        if len(t) != 6 or not t.isdigit() or (int(t[:4]) + 1) % 100 != int(t[4:]):
            raise ValueError(f"not a six-digit academic year: {text!r}")
        return cls(int(t[:4]))

    @classmethod
    def from_second_year(cls, year: int) -> AcademicYear:
        """Performance-tables extracts: ``2017`` = 2016/17 (summer of the tests)."""
        return cls(year - 1)

    @classmethod
    def from_first_year(cls, year: int) -> AcademicYear:
        """Hampshire/Surrey KS2 file prefixes and the star schema: ``2016`` = 2016/17."""
        return cls(year)

    @classmethod
    def of_census(cls, january_year: int) -> AcademicYear:
        """The academic year whose spring census falls in January of ``january_year``."""
        return cls(january_year - 1)

    @classmethod
    def of_entry(cls, entry_year: int) -> AcademicYear:
        """The year pupils admitted in September of ``entry_year`` start."""
        return cls(entry_year)

    @classmethod
    def containing(cls, d: date) -> AcademicYear:
        """The academic year a date falls in (1 September to 31 August)."""
        return cls(d.year if d.month >= 9 else d.year - 1)


def six_digit_year(raw: str, field_name: str = "time_period") -> AcademicYear:
    """Parse an EES six-digit period, raising :class:`RowError` naming the field."""
    try:
        return AcademicYear.from_six_digits(raw)
    except ValueError as exc:
        raise RowError(field_name, str(exc)) from None


# --- Years from file and folder names ---------------------------------------


def years_in_name(name: str) -> list[int]:
    """Four-digit years (1900-2099) written in a file or folder name, in order."""
    return [int(y) for y in _YEAR_IN_NAME.findall(name)]


def second_year_from_path(path: Path | str, what: str) -> int:
    """The second calendar year of the academic year a performance-tables file covers.

    Performance-tables downloads and the North Yorkshire files write the
    second year (``perf_tables_2017_…``, ``815_2018_census.csv``), the 2023
    census writes both (``2022-2023_england_census.csv``). The file name is
    tried first, then its folder; one year, or two consecutive years, must be
    found, or :class:`FileFormatError` is raised.
    """
    p = Path(path)
    for part in (p.name, p.parent.name):
        years = sorted(set(years_in_name(part)))
        if len(years) == 1:
            return years[0]
        if len(years) == 2 and years[1] == years[0] + 1:
            return years[1]
        if years:
            raise FileFormatError(p.name, f"ambiguous years {years} in {part!r}; pass the {what}")
    raise FileFormatError(p.name, f"no year in the file or folder name; pass the {what}")


def year_argument(year: AcademicYear | str, source: str) -> AcademicYear:
    """An academic year given to a reader as an :class:`AcademicYear` or a label."""
    if isinstance(year, AcademicYear):
        return year
    try:
        return AcademicYear.from_label(year)
    except ValueError as exc:
        raise FileFormatError(source, str(exc)) from None
