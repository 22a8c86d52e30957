"""The import framework: file -> reader -> rows in the database, every row accounted for.

An *import kind* (registered by each app's ``importers.py``) names a reader
from :mod:`convenor.sources` and says how its records map to model rows. The
framework then:

* reads the file with the reader (which reports bad rows with line and reason);
* upserts rows by their natural key in chunks, counting each source row as
  created, updated, unchanged, rejected or out of scope (when limited to an LA);
* does it all in one transaction, so a failure or a killed process leaves the
  database exactly as it was, and re-running the same file changes nothing;
* writes the import ledger entry and the rejected rows (to the database and a
  CSV report), and an audit event.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from convenor.core.models import ImportRejection, ImportRun
from convenor.core.rows import Fields, insert_rows, same_source_or_fill
from convenor.core.services import Actor, actor_fields, record_audit
from convenor.sources.base import ReadResult, Rejection

CHUNK = 2000

Merge = Callable[[Fields, Fields], Fields]


@dataclass(frozen=True)
class Target:
    """How one kind of row is stored: the model, its natural key and a merge rule.

    ``merge(existing, incoming)`` returns the fields to store when a row with
    the same key exists; by default the file that created a row may change it
    and other files only fill its gaps (:func:`same_source_or_fill`).
    """

    model: type[models.Model]
    key: tuple[str, ...]
    merge: Merge | None = same_source_or_fill
    # Only add to rows that exist: a row with no match is rejected, not created.
    update_only: bool = False


@dataclass
class Item:
    """One source row, mapped to the fields of one model row."""

    line: int
    target: Target
    fields: Fields
    urns: tuple[int, ...] = ()  # the schools the row is about, for LA scoping
    area: tuple[str, str] | None = None  # (level, area_code) for aggregate rows


@dataclass
class Plan:
    """What an import will write, and the rows it turned away before writing."""

    items: list[Item] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rows_read: int = 0


@dataclass
class ImportContext:
    """What the planner may need to know about the database and the request."""

    la: int | None = None
    # URNs of establishments in the LA being imported (None: no restriction).
    scope_urns: set[int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportKind:
    """A named import: which reader to run and how its records become rows.

    ``patterns`` are paths relative to a data folder that ``import-all`` uses
    to find this kind's files, in the order they should be loaded.
    """

    name: str
    description: str
    plan: Callable[[Path, ImportContext], Plan]
    patterns: tuple[str, ...] = ()
    order: int = 100


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    if kind.name in _KINDS and _KINDS[kind.name] is not kind:
        raise ValueError(f"import kind {kind.name!r} registered twice")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, ImportKind]:
    """Every registered import kind, by name (apps register theirs in ``importers.py``)."""
    autodiscover_modules("importers")
    return dict(sorted(_KINDS.items(), key=lambda kv: (kv[1].order, kv[0])))


def get_kind(name: str) -> ImportKind:
    available = kinds()
    if name not in available:
        raise KeyError(f"unknown import kind {name!r}; choose from: {', '.join(available)}")
    return available[name]


def plan_from(result: ReadResult[Any], items: Iterable[Item]) -> Plan:
    """A plan carrying over the reader's row count and rejections."""
    return Plan(items=list(items), rejections=list(result.rejections), rows_read=result.rows_read)


def source_name(path: Path) -> str:
    """How a row names the file it came from: its folder and file name."""
    return f"{path.parent.name}/{path.name}"


def records_plan(
    reader: Callable[[Path], ReadResult[Any]],
    target: Target,
    fields: Callable[[Any], Fields],
    *,
    urns: Callable[[Any], tuple[int, ...]] | None = None,
    area: Callable[[Any], tuple[str, str] | None] | None = None,
) -> Callable[[Path, ImportContext], Plan]:
    """A planner storing each record a reader returns as one row of ``target``.

    ``fields(record)`` gives the row (``source_file`` is added); ``urns`` and
    ``area`` say which schools or area a row is about, for ``--la``.
    """

    def plan(path: Path, context: ImportContext) -> Plan:
        result = reader(path)
        source = source_name(path)
        items = [
            Item(
                line,
                target,
                {**fields(record), "source_file": source},
                urns=urns(record) if urns else (),
                area=area(record) if area else None,
            )
            for line, record in zip(result.lines, result.records, strict=True)
        ]
        return plan_from(result, items)

    return plan


# --- Running an import ------------------------------------------------------


@dataclass
class Outcome:
    """Counts of one run, before they are written to the ledger."""

    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    out_of_scope: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def check(self, source: str) -> None:
        accounted = self.created + self.updated + self.unchanged + self.rejected
        accounted += self.out_of_scope
        if accounted != self.rows_read:
            raise AssertionError(
                f"{source}: {self.rows_read} rows read but {accounted} accounted for"
            )


class DryRunRollback(Exception):
    """Raised inside the transaction of a dry run so nothing is kept."""


Progress = Callable[[int], None]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_import(
    kind_name: str,
    path: Path | str,
    *,
    actor: Actor,
    dry_run: bool = False,
    la: int | None = None,
    progress: Callable[[int, int], Progress] | None = None,
) -> ImportRun:
    """Import one file as ``kind_name``, in one transaction, and return its ledger entry.

    With ``dry_run`` everything is read, checked and counted, then rolled
    back: the returned :class:`ImportRun` is not saved. ``progress(total,
    done_so_far)`` is called to make a progress callback taking the rows just
    written. A file in the wrong layout raises :class:`FileFormatError`;
    a run that fails after reading is recorded in the ledger as failed.
    """
    kind = get_kind(kind_name)
    file_path = Path(path)
    if not file_path.exists():
        raise FileNotFoundError(f"{file_path}: no such file")
    started = timezone.now()
    context = ImportContext(la=la, scope_urns=_scope_urns(la))
    plan = kind.plan(file_path, context)
    run = ImportRun(
        kind=kind.name,
        file_name=str(file_path),
        file_sha256=sha256_of(file_path),
        started_at=started,
        finished_at=started,
        status=ImportRun.Status.SUCCEEDED,
        la_scope=la,
        **actor_fields(actor),
    )
    outcome = Outcome(rows_read=plan.rows_read, rejections=list(plan.rejections))
    outcome.rejected = len(plan.rejections)
    tick = progress(len(plan.items), 0) if progress else None
    try:
        with transaction.atomic():
            _load(plan.items, context, outcome, tick)
            outcome.check(file_path.name)
            _fill_run(run, outcome)
            if dry_run:
                raise DryRunRollback
            run.finished_at = timezone.now()
            run.save()
            ImportRejection.objects.bulk_create(
                ImportRejection(
                    run=run,
                    source_file=r.file,
                    line=r.line,
                    field=r.field or "",
                    reason=r.reason[:500],
                    raw=dict(r.raw) if r.raw is not None else None,
                )
                for r in outcome.rejections
            )
            if outcome.rejections:
                run.report_path = str(_write_report(run, outcome.rejections))
                run.save(update_fields=["report_path"])
            record_audit(
                "import.completed",
                actor=actor,
                object_type="import_run",
                object_id=run.pk,
                kind=kind.name,
                file=file_path.name,
                created=run.created,
                updated=run.updated,
                unchanged=run.unchanged,
                rejected=run.rejected,
            )
    except DryRunRollback:
        run.finished_at = timezone.now()
        return run
    except Exception as exc:
        _record_failure(run, outcome, exc)
        raise
    return run


def _fill_run(run: ImportRun, outcome: Outcome) -> None:
    run.rows_read = outcome.rows_read
    run.created = outcome.created
    run.updated = outcome.updated
    run.unchanged = outcome.unchanged
    run.rejected = outcome.rejected
    run.out_of_scope = outcome.out_of_scope


def _record_failure(run: ImportRun, outcome: Outcome, exc: Exception) -> None:
    # Nothing of the import was kept (the transaction rolled back); the ledger
    # still says it was tried and why it failed.
    run.status = ImportRun.Status.FAILED
    run.message = f"{type(exc).__name__}: {exc}"[:2000]
    run.finished_at = timezone.now()
    run.rows_read = outcome.rows_read
    run.created = run.updated = run.unchanged = run.out_of_scope = 0
    run.rejected = outcome.rejected
    run.pk = None
    with transaction.atomic():
        run.save()


def _scope_urns(la: int | None) -> set[int] | None:
    """The LA's URNs, with every URN linked to them (predecessors closed before the register)."""
    if la is None:
        return None
    from convenor.schools.models import Establishment, EstablishmentLink

    scope = set(Establishment.objects.filter(la_code=la).values_list("urn", flat=True))
    links: dict[int, set[int]] = {}
    for urn, link_urn in EstablishmentLink.objects.values_list("urn", "link_urn"):
        links.setdefault(urn, set()).add(link_urn)
        links.setdefault(link_urn, set()).add(urn)
    frontier = set(scope)
    while frontier:
        reached = set().union(*(links.get(u, set()) for u in frontier)) - scope
        scope |= reached
        frontier = reached
    return scope


def _in_scope(item: Item, context: ImportContext) -> bool:
    if context.la is None:
        return True
    if item.area is not None:
        level, code = item.area
        return level != "la" or code == str(context.la)
    if not item.urns:
        return True
    scope = context.scope_urns or set()
    return any(u in scope for u in item.urns)


def _load(
    items: Sequence[Item], context: ImportContext, outcome: Outcome, tick: Progress | None
) -> None:
    seen: dict[tuple[type[models.Model], tuple[Any, ...]], int] = {}
    by_target: dict[Target, list[Item]] = {}
    skipped = 0
    for item in items:
        if not _in_scope(item, context):
            outcome.out_of_scope += 1
            skipped += 1
            continue
        key = (item.target.model, tuple(item.fields[k] for k in item.target.key))
        if key in seen:
            # Two rows of one import claiming the same record: keep the first.
            outcome.rejected += 1
            outcome.rejections.append(
                Rejection(
                    Path(str(item.fields.get("source_file", ""))).name,
                    item.line,
                    None,
                    f"duplicate of line {seen[key]} (same key {key[1]!r})",
                )
            )
            skipped += 1
            continue
        seen[key] = item.line
        by_target.setdefault(item.target, []).append(item)
    if tick and skipped:
        tick(skipped)
    for target, target_items in by_target.items():
        for chunk in _chunks(target_items, CHUNK):
            _upsert(target, chunk, outcome)
            if tick:
                tick(len(chunk))


def _chunks(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upsert(target: Target, chunk: Sequence[Item], outcome: Outcome) -> None:
    model = target.model
    key = target.key
    lookup: dict[str, set[Any]] = {k: set() for k in key}
    for item in chunk:
        for k in key:
            lookup[k].add(item.fields[k])
    names = list(chunk[0].fields)
    query = model._default_manager.all()
    # Narrow by the most selective key field; match the rest in Python, which
    # keeps the SQL portable and the IN list short.
    first = max(key, key=lambda k: len(lookup[k]))
    query = query.filter(**{f"{first}__in": lookup[first]})
    for name in key:
        if name != first and len(lookup[name]) == 1:
            query = query.filter(**{name: next(iter(lookup[name]))})
    pk_name = model._meta.pk.attname if model._meta.pk else "pk"
    existing = {
        tuple(row[name] for name in key): row
        for row in query.values(pk_name, *(n for n in names if n != pk_name))
    }
    to_create: list[Fields] = []
    to_update: list[tuple[Any, Fields]] = []
    for item in chunk:
        values_of_key = tuple(item.fields[f] for f in key)
        current = existing.get(values_of_key)
        if current is None and target.update_only:
            outcome.rejected += 1
            outcome.rejections.append(
                Rejection(
                    Path(str(item.fields.get("source_file", ""))).name,
                    item.line,
                    None,
                    f"no {model._meta.verbose_name} with "
                    f"{dict(zip(key, values_of_key, strict=True))} to add to",
                )
            )
            continue
        if current is None:
            to_create.append(item.fields)
            outcome.created += 1
            continue
        incoming = item.fields
        if target.merge is not None:
            incoming = target.merge({n: current[n] for n in incoming}, incoming)
        diff = [f for f, v in incoming.items() if current[f] != v]
        if not diff:
            outcome.unchanged += 1
            continue
        to_update.append((current[pk_name], {f: incoming[f] for f in diff}))
        outcome.updated += 1
    if to_create:
        insert_rows(model, to_create)
    # One UPDATE per changed row: bulk_update's CASE expressions grow with rows
    # times fields and are far slower for wide register rows.
    for pk, changes in to_update:
        model._default_manager.filter(pk=pk).update(**changes)


def _write_report(run: ImportRun, rejections: Sequence[Rejection]) -> Path:
    directory = Path(settings.IMPORT_REPORTS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"import-{run.pk}-{run.kind}-rejections.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "line", "field", "reason"])
        for r in rejections:
            writer.writerow([r.file, r.line, r.field or "", r.reason])
    return path
