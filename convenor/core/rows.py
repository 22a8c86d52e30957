"""How imported rows meet the rows already stored: merge rules and a fast insert."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

Fields = dict[str, Any]


def _blank(value: Any) -> bool:
    return value is None or value == ""


def fill_blanks(existing: Fields, incoming: Fields) -> Fields:
    """Keep what is stored; take from ``incoming`` only what is stored blank."""
    return {k: (incoming[k] if _blank(existing.get(k)) else existing[k]) for k in incoming}


def prefer_known(existing: Fields, incoming: Fields) -> Fields:
    """Take ``incoming``, except where it is blank and something is stored.

    Files differ in which fields they carry, so a blank in one file means
    "not in this file", not "no longer true".
    """
    return {k: (existing.get(k) if _blank(v) else v) for k, v in incoming.items()}


def same_source_or_fill(existing: Fields, incoming: Fields) -> Fields:
    """The file a row came from may change it; another file describing it only fills gaps.

    Several files repeat the same facts (England rows in every census file,
    a scorecard year in two releases). Letting the first file loaded own the
    row keeps ``import-all`` idempotent: running it again changes nothing.
    """
    if existing.get("source_file") == incoming.get("source_file"):
        return incoming
    return fill_blanks(existing, incoming)


def insert_rows(model: type[models.Model], rows: Sequence[Fields]) -> None:
    """Insert new rows with one parameterised INSERT run for many rows.

    ``bulk_create`` compiles SQL value by value and dominated the time of
    large imports. This is the same standard INSERT, with each value adapted
    once by its field, and runs unchanged on SQLite and PostgreSQL.
    """
    # Every stored column: fields the rows leave out take the model's default.
    concrete = [
        f
        for f in model._meta.concrete_fields
        if not (
            f.primary_key and f.get_internal_type().endswith("AutoField") and f.name not in rows[0]
        )
    ]
    defaults = {f.name: f.get_default() for f in concrete if f.name not in rows[0]}
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in concrete),
        ", ".join(["%s"] * len(concrete)),
    )
    adapters = [_adapter(f) for f in concrete]
    params = [
        [
            adapt(row[f.name] if f.name in row else defaults[f.name])
            for f, adapt in zip(concrete, adapters, strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    if kind == "JSONField":
        # Both databases take JSON as text; keys stay in the order the reader gave.
        return lambda v: None if v is None else json.dumps(v)
    if kind in (
        "CharField",
        "TextField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "BigIntegerField",
        "FloatField",
        "BooleanField",
    ):
        return lambda v: v
    return lambda v: field.get_db_prep_save(v, connection)
