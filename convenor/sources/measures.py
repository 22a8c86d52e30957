"""The record every school-level results reader returns, and helpers to fill it.

:class:`SchoolMeasures` is deliberately plain: one school (URN), one period,
one publication, and a flat mapping of canonical measure names to numbers.
KS2, KS4, census, absence and exclusions readers all return it, each with its
own documented table of canonical names, so the importer can store any of them
the same way (a long table keyed by URN, period, dataset, segment and measure).

A measure is either a number in ``values`` or ``None`` in ``values`` with the
code it was missing with in ``missing`` (``"SUPP"``, ``"NE"``, ``"LOWCOV"``,
``"x"``, ``"blank"`` ...). The record checks this on construction, so a
suppressed value can never slip through as zero or as an unexplained gap.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from convenor.sources.base import FileFormatError, RawRow, RowError, measure, read_text


@dataclass(frozen=True, slots=True)
class SchoolMeasures:
    """One school's published measures for one period of one publication.

    ``values`` maps a canonical measure name to its number, or to ``None``
    when the file gave a missing-value code; ``missing`` then holds that code
    under the same name. ``segment`` names the pupil group the row stands for
    ("all" unless a file breaks results down). Treat both mappings as
    read-only.
    """

    urn: int
    period: str  # academic year label from years.AcademicYear, e.g. "2016/17"
    dataset: str  # which publication: "ks2_final", "ks4_provisional", "ks4_final", ...
    values: Mapping[str, float | None]
    missing: Mapping[str, str]
    laestab: int | None = None
    segment: str = "all"

    def __post_init__(self) -> None:
        # The invariant that keeps suppression visible: every gap has a reason
        # and every reason belongs to a gap.
        for name, value in self.values.items():
            if value is None and name not in self.missing:
                raise ValueError(f"measure {name!r} is None without a missing code")
        for name in self.missing:
            if self.values.get(name, None) is not None:
                raise ValueError(f"measure {name!r} has both a value and a missing code")
            if name not in self.values:
                raise ValueError(f"missing code for {name!r}, which is not among the values")

    def value(self, name: str) -> float | None:
        """The number for ``name``, or None when it is missing or not in this file."""
        return self.values.get(name)


# --- Helpers for readers ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """What a canonical measure means and the range a real value can take."""

    description: str
    low: float
    high: float
    whole: bool = False  # counts and bands must be whole numbers


def collect_measures(
    row: Mapping[str, str], columns: Mapping[str, str], specs: Mapping[str, MeasureSpec]
) -> tuple[dict[str, float | None], dict[str, str]]:
    """Parse the columns a reader maps (file column -> canonical name) from one row.

    Columns absent from the row (an older layout) are skipped, so a measure
    a file never had is absent rather than missing. A value outside its
    :class:`MeasureSpec` range, or a fraction where a count belongs, raises
    :class:`RowError` naming the file column, like any other junk.
    """
    values: dict[str, float | None] = {}
    missing: dict[str, str] = {}
    for column, name in columns.items():
        raw = row.get(column)
        if raw is None:
            continue
        # Most cells are plain numbers or percentages: float() settles them several
        # times faster than the general parser, which still handles codes and junk.
        try:
            value: float | None = float(raw[:-1] if raw.endswith("%") else raw)
        except ValueError:
            value = None
        if value is not None and math.isfinite(value):
            values[name] = value
        else:
            measure(raw, column, name, values, missing)
            value = values[name]
            if value is None:
                continue
        spec = specs[name]
        if spec.whole and value != int(value):
            raise RowError(column, f"not a whole number: {raw.strip()[:40]!r}")
        if not spec.low <= value <= spec.high:
            raise RowError(column, f"{raw.strip()[:40]!r} is outside {spec.low:g} to {spec.high:g}")
    return values, missing


def laestab_of(
    la: str, estab: str, la_field: str = "LEA", estab_field: str = "ESTAB"
) -> int | None:
    """The seven-digit LAESTAB from separate LA and establishment numbers.

    None when either is blank; :class:`RowError` when either is not a number
    of the right length.
    """
    la_text, estab_text = la.strip(), estab.strip()
    if not la_text or not estab_text:
        return None
    if not (la_text.isdigit() and len(la_text) == 3):
        raise RowError(la_field, f"not a three-digit LA code: {la_text[:20]!r}")
    if not (estab_text.isdigit() and len(estab_text) <= 4):
        raise RowError(estab_field, f"not an establishment number: {estab_text[:20]!r}")
    return int(la_text) * 10000 + int(estab_text)


def meta_field_names(path: Path | str, name_columns: tuple[str, ...]) -> list[str]:
    """The field names listed in a DfE metadata file (one field per row).

    ``name_columns`` are the headings the field name may sit under: DfE
    changes them between years (``FieldName`` then ``Field Name``).
    """
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    heading = next((h for h in name_columns if h in (reader.fieldnames or [])), None)
    if heading is None:
        raise FileFormatError(Path(path).name, f"no field-name column ({', '.join(name_columns)})")
    return [row[heading].strip() for row in reader if (row.get(heading) or "").strip()]


def check_header_against_meta(header: list[str], fields: list[str], source: str) -> None:
    """Fail the file when its columns are not the ones its metadata file lists.

    Names are compared as a set and without regard to case: DfE writes
    ``AlphaIND`` in the dictionary and ``ALPHAIND`` in the data, and its
    2017-2018 KS2 dictionary lists two pairs of columns in another order
    than the file (readers go by name, so order does not matter).
    """
    have = {h.upper() for h in header}
    want = {f.upper() for f in fields}
    if have == want:
        return
    detail = []
    if absent := sorted(want - have):
        detail.append(f"missing {', '.join(absent[:8])}")
    if extra := sorted(have - want):
        detail.append(f"unexpected {', '.join(extra[:8])}")
    raise FileFormatError(
        source, f"columns do not match the metadata for this year ({'; '.join(detail)})"
    )


def parse_rectype(raw: str, known: Mapping[int, str], field_name: str = "RECTYPE") -> int:
    """A performance-tables record type, which must be one the reader knows."""
    text = raw.strip()
    if not text:
        raise RowError(field_name, "is blank")
    if not text.isdigit() or int(text) not in known:
        allowed = ", ".join(f"{k} ({v})" for k, v in known.items())
        raise RowError(field_name, f"unknown record type {text[:20]!r}; expected {allowed}")
    return int(text)


def reject_extra_fields(row: RawRow) -> None:
    """Reject a row with values beyond the last column.

    Such a row has usually been shifted by an unquoted comma, so its values
    no longer sit under their headings. Empty trailing fields are harmless.
    """
    extra = [e for e in row.extra if e.strip()]
    if extra:
        raise RowError(
            "(extra fields)",
            f"{len(row.extra)} more field(s) than the header, e.g. {extra[0].strip()[:20]!r}",
        )
