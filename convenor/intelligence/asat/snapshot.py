"""Stored feature snapshots: every open school's features as at a date, worked out once.

Working out England's features as at a date (:func:`~.features.build`) reads
every indicator table, a few seconds' work; scoring the schools from them takes
a fraction of that. So :func:`stored_features` keeps what it works out as a
:class:`~convenor.intelligence.models.scores.FeatureSnapshot` (one compact
matrix per date) and the next call for the same date reads that instead.

A snapshot is only ever used for exactly the date it was built for, and only
while the data it was built from and the code that built it are unchanged.
:func:`data_version` fingerprints both:

- the feature code: the source of this package and of the publication calendar;
- the import ledger: the newest :class:`~convenor.core.models.ImportRun` (an
  import adds and changes rows in bulk, and always records itself there);
- each table the features read: its highest primary key (rows added by any
  means, including in bulk; generated keys are never reused), and for a table
  keyed by something else (the register, by URN) its row count as well.

A snapshot whose fingerprint is not the current one is never read: it is
rebuilt on the next call. Rows saved or deleted through the ORM (the admin, a
service, a test's factories) drop every snapshot as they are saved or deleted
(receivers in :mod:`convenor.intelligence.models.scores`), which covers the
changes a fingerprint of keys cannot see. A snapshot is stored only when the
fingerprint is the same after building as before, so one built while an
import ran is never kept.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Model
from django.db.models.fields import AutoFieldMixin

from convenor.analytics.early_warning.features import FeatureTable
from convenor.core.models import ImportRun
from convenor.intelligence import publication
from convenor.intelligence.asat.features import FEATURES, build
from convenor.intelligence.models import (
    AbsenceRecord,
    CensusRecord,
    ExclusionRecord,
    Inspection,
    KS2Result,
    KS4Result,
    PreferenceRecord,
)
from convenor.intelligence.models.scores import FeatureSnapshot
from convenor.schools.models import Establishment, EstablishmentLink, GroupMembership

#: Every table the features are worked out from (the register and the indicators).
SOURCE_TABLES: tuple[type[Model], ...] = (
    Establishment,
    EstablishmentLink,
    GroupMembership,
    Inspection,
    KS2Result,
    KS4Result,
    CensusRecord,
    AbsenceRecord,
    ExclusionRecord,
    PreferenceRecord,
)
#: How a snapshot is stored; a change here makes every stored one stale.
FORMAT = "urns <i8, values <f8 row-major NaN unknown, zlib"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code that works out features: this package and the calendar."""
    digest = hashlib.sha256(FORMAT.encode())
    files = [*sorted(Path(__file__).parent.glob("*.py")), Path(publication.__file__)]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def data_version() -> str:
    """The fingerprint a snapshot must carry to be used (see the module docstring).

    One query per source table and one on the import ledger, each the highest
    primary key, which the database reads from the end of an index: a few
    milliseconds on England's data. (Counting every table's rows as well would
    take about a tenth of a second; the receivers cover deletions instead.)
    """
    facts: list[object] = [code_version()]
    tables: tuple[type[Model], ...] = (ImportRun, *SOURCE_TABLES)
    for model in tables:
        rows = model._default_manager.order_by()
        if isinstance(model._meta.pk, AutoFieldMixin):
            facts.append([model._meta.label, rows.aggregate(last=Max("pk"))["last"]])
        else:
            found = rows.aggregate(rows=Count("pk"), last=Max("pk"))
            facts.append([model._meta.label, found["rows"], found["last"]])
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def stored_features(as_at: date, *, store: bool = True) -> FeatureTable:
    """Every open school's :data:`FEATURES` as at ``as_at``, as a :class:`FeatureTable`.

    Read from the snapshot for ``as_at`` when it fits the current data and code;
    otherwise worked out (:func:`~.features.build`, the same values) and, with
    ``store``, kept as the snapshot for that date, replacing any stale ones.
    """
    version = data_version()
    found = FeatureSnapshot.objects.filter(as_at=as_at, data_version=version).first()
    if found is not None:
        return decode(found)
    # The register is read here too, between the two fingerprints, never taken from
    # a caller who may have read it before the data changed.
    table = FeatureTable.from_schools(build(as_at).features, FEATURES)
    if store and data_version() == version:
        _keep(as_at, table, version)
    return table


def encode(as_at: date, table: FeatureTable, version: str) -> FeatureSnapshot:
    """The (unsaved) snapshot of ``table``."""
    return FeatureSnapshot(
        as_at=as_at,
        data_version=version,
        features=list(table.names),
        schools=len(table),
        urns=np.ascontiguousarray(table.urns, dtype="<i8").tobytes(),
        values=zlib.compress(np.ascontiguousarray(table.matrix, dtype="<f8").tobytes()),
    )


def decode(snapshot: FeatureSnapshot) -> FeatureTable:
    """The :class:`FeatureTable` a snapshot holds."""
    names = tuple(snapshot.features)
    # Read-only views of the stored bytes (no copy on a little-endian machine).
    urns = np.frombuffer(bytes(snapshot.urns), dtype="<i8").astype(np.int64, copy=False)
    values = np.frombuffer(zlib.decompress(bytes(snapshot.values)), dtype="<f8")
    matrix = values.astype(np.float64, copy=False).reshape(len(urns), len(names))
    return FeatureTable(urns, names, matrix)


def _keep(as_at: date, table: FeatureTable, version: str) -> None:
    try:
        with transaction.atomic():
            # Stale snapshots go: the data or the code have moved on from them.
            FeatureSnapshot.objects.exclude(data_version=version).delete()
            FeatureSnapshot.objects.filter(as_at=as_at).delete()
            encode(as_at, table, version).save()
    except IntegrityError:
        pass  # another process stored the same date at the same moment: theirs will do
