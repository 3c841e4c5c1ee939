"""The parity run: split an entity's key space into ranges, read each range once on both sides, compare range
digests, examine record by record only the ranges whose digests differ, and attach open failed records.

Memory is bounded by the range, not the entity set: a range's record digests (a few hundred bytes each, no
values) are all that is kept while its pages stream by, and the range count is chosen so a range holds about
``range_size`` records (:func:`range_count`). Rows a range read of TRS returned for a DQT record that DQT put
in another range (DQT and TRS need not order GUIDs alike) wait as *pending* until the end, when those that
some range compared after all are dropped; the rest are extra. Pending rows are bounded by the misplaced and
the genuinely extra rows (ADR 0080).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import structlog
from sqlalchemy import Connection, Engine, select

from bridge.backfill import MAX_SHARDS, key_fraction, shard_ranges
from bridge.errors import CommandRejected
from bridge.reconcile.digest import compare
from bridge.reconcile.entities import ENTITIES, Entity, ReadContext, Sides
from bridge.reconcile.report import DEFAULT_MAX_LISTED, Difference, OpenFailure, ReconcileReport
from dataverse_client import DataverseClient
from mappings import ReferenceLookup, StatusReference
from trs_store.dialect import key_in
from trs_store.models import metadata
from trs_store.upsert import KEY_CHUNK, chunks

log = structlog.get_logger("bridge.reconcile")

#: Records per key range the range count aims at (one DQT page of 5,000).
DEFAULT_RANGE_SIZE: Final = 5000

_failed = metadata.tables["failed_records"]


def resolve_entities(names: Iterable[str] | None) -> list[Entity]:
    """The entities named (by entity name, feed name or entity set), in dependency order; all when none.
    ``initial_teacher_training`` and ``qts_registration`` both name ``professional_status``."""
    wanted = list(names or [])
    if not wanted:
        return list(ENTITIES)
    by_name: dict[str, Entity] = {}
    for entity in ENTITIES:
        by_name[entity.name] = entity
        for feed in entity.feeds:
            by_name[feed.name] = by_name[feed.entity_set] = entity
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        choices = ", ".join(e.name for e in ENTITIES)
        raise CommandRejected(f"unknown entity {', '.join(unknown)}; choose from {choices} (or a feed name)")
    chosen = {by_name[n].name for n in wanted}
    return [e for e in ENTITIES if e.name in chosen]


def range_count(ctx: ReadContext, entity: Entity, range_size: int) -> int:
    """Ranges of about ``range_size`` records: from TRS's count and DQT's, estimated from how far into the key
    space its first page of ids reaches (``$count`` stops at 5,000)."""
    with ctx.engine.connect() as connection:
        trs = entity.count_trs(connection)
    pages = ctx.client.query(
        entity.range_entity_set,
        select=[entity.range_key],
        filter=entity.range_filter(),
        orderby=[entity.range_key],
        page_size=min(range_size, 5000),
    )
    first = next(iter(pages), None)
    dqt = 0
    if first is not None and first.records:
        dqt = len(first.records)
        if first.next_link is not None:
            fraction = key_fraction(None, None, str(first.records[-1][entity.range_key]).lower())
            dqt = round(dqt / fraction) if fraction > 0 else dqt
    return max(1, min(MAX_SHARDS, math.ceil(max(trs, dqt, 1) / range_size)))


@dataclass(slots=True)
class _Finding:
    dqt_id: str
    kind: str
    fields: tuple[str, ...]
    group: str


@dataclass(slots=True)
class _Tally:
    """A report in the making: counts are exact, the listed differences stop at ``max_listed`` per list."""

    entity: Entity
    max_listed: int
    report: ReconcileReport
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)  # TRS key -> (group, dqt id)
    compared_elsewhere: set[str] = field(default_factory=set)

    def settle(self, connection: Connection, sides: Sides) -> None:
        """Compare one range (or sample) and file its findings."""
        expected, actual, report = sides.expected, sides.actual, self.report
        report.dqt_records += len(expected.digests) + len(sides.unverifiable)
        report.trs_records += len(actual.digests)
        report.held += len(sides.held)
        self.compared_elsewhere |= sides.looked_up
        if expected.range_digest == actual.range_digest and not sides.unverifiable and not sides.held:
            report.compared += len(expected.digests)
            return
        report.ranges_examined += 1
        by_group: dict[str, list[str]] = {}
        for key in actual.digests:
            by_group.setdefault(actual.group(key), []).append(key)
        findings: list[_Finding] = []
        for group in sides.held:
            for key in by_group.pop(group, []):
                actual.discard(key)
        for group, dqt_id in sides.unverifiable.items():
            keys = by_group.pop(group, [])
            for key in keys:
                actual.discard(key)
            findings.append(_Finding(dqt_id, "differing" if keys else "missing", (), group))
        for group, keys in by_group.items():
            if group in sides.dqt_groups:
                continue
            for key in keys:  # DQT has no such record in this range: extra, unless another range has it
                if key not in actual.attached:
                    self.pending[key] = (group, actual.dqt_id(key))
                actual.discard(key)
        report.compared += len(expected.digests.keys() & actual.digests.keys())
        for mismatch in compare(expected.digests, actual.digests):
            side = actual if mismatch.kind == "extra" else expected
            findings.append(
                _Finding(side.dqt_id(mismatch.key), mismatch.kind, mismatch.fields, side.group(mismatch.key))
            )
        self.file(connection, findings, sides.related)

    def finish(self, connection: Connection) -> None:
        """The pending rows no range compared are extra."""
        extra = [
            _Finding(dqt_id, "extra", (), group)
            for key, (group, dqt_id) in sorted(self.pending.items())
            if group not in self.compared_elsewhere
        ]
        self.pending.clear()
        self.file(connection, extra, {})

    def file(
        self, connection: Connection, findings: Sequence[_Finding], related: Mapping[str, tuple[str, ...]]
    ) -> None:
        if not findings:
            return
        candidates = {f.dqt_id for f in findings} | {f.group for f in findings}
        for finding in findings:
            candidates.update(related.get(finding.group, ()))
        failures = open_failures(connection, self.entity, candidates)
        report = self.report
        for finding in findings:
            failure = failures.get(finding.dqt_id) or failures.get(finding.group)
            if failure is None:
                failure = next((failures[i] for i in related.get(finding.group, ()) if i in failures), None)
            difference = Difference(report.entity, finding.dqt_id, finding.kind, finding.fields)
            listed = report.unapplied if failure is not None else report.differences
            report.counts["unapplied" if failure is not None else finding.kind] += 1
            if failure is None:
                report.top_fields.update(finding.fields)
            if len(listed) >= self.max_listed:
                report.truncated = True
                continue
            listed.append(difference)
            if failure is not None:
                report.failures[finding.dqt_id] = failure
            if self.entity.per_person:
                report.persons[finding.dqt_id] = finding.group


def open_failures(connection: Connection, entity: Entity, dqt_ids: Iterable[str]) -> dict[str, OpenFailure]:
    """The open failed records of ``entity`` recorded under any of ``dqt_ids``, by DQT id."""
    found: dict[str, OpenFailure] = {}
    columns = (_failed.c.failed_record_id, _failed.c.entity_set, _failed.c.dqt_id, _failed.c.error_kind)
    for chunk in chunks(sorted(dqt_ids), KEY_CHUNK):
        statement = (
            select(*columns, _failed.c.field, _failed.c.message)
            .where(_failed.c.status == "open", entity.failure_condition(), key_in(connection, _failed.c.dqt_id, chunk))
            .order_by(_failed.c.failed_record_id)
        )
        for row in connection.execute(statement):
            found.setdefault(
                str(row.dqt_id),
                OpenFailure(row.failed_record_id, row.entity_set, row.error_kind, row.field, row.message),
            )
    return found


def reconcile_entity(
    ctx: ReadContext,
    entity: Entity,
    *,
    sample: int | None = None,
    seed: int | None = None,
    range_size: int = DEFAULT_RANGE_SIZE,
    max_listed: int = DEFAULT_MAX_LISTED,
) -> ReconcileReport:
    """The parity report of one entity: every record (a full comparison) or ``sample`` random DQT records."""
    if sample is not None and sample < 1:
        raise CommandRejected(f"--sample must be at least 1, got {sample}")
    if range_size < 1:
        raise CommandRejected(f"the range size must be at least 1, got {range_size}")
    started = time.monotonic()
    report = ReconcileReport(entity.name, "sample" if sample else "full", 0, 0, 0, [], 0, 0.0)
    for name in entity.references:  # read once, before pages are read ahead in another thread
        getattr(ctx, name)
    tally = _Tally(entity, max_listed, report)
    if sample:
        sides = entity.read_sample(ctx, sample, random.Random(seed))  # noqa: S311 - a reproducible sample, not a secret
        with ctx.engine.connect() as connection:
            tally.settle(connection, sides)
    else:
        ranges = shard_ranges(range_count(ctx, entity, range_size))
        report.ranges = len(ranges)
        for low, high in ranges:
            sides = entity.read_range(ctx, low, high)
            with ctx.engine.connect() as connection:
                tally.settle(connection, sides)
        with ctx.engine.connect() as connection:
            tally.finish(connection)
    with ctx.engine.connect() as connection:
        report.open_failed = entity.open_failed(connection)
    report.elapsed_seconds = time.monotonic() - started
    log.info(
        "reconciled",
        entity=entity.name,
        mode=report.mode,
        clean=report.clean,
        dqt_records=report.dqt_records,
        trs_records=report.trs_records,
        compared=report.compared,
        ranges=report.ranges,
        ranges_examined=report.ranges_examined,
        open_failed=report.open_failed,
        seconds=round(report.elapsed_seconds, 2),
        **{kind: report.counts[kind] for kind in ("missing", "extra", "differing", "unapplied")},
    )
    return report


def reconcile(
    client: DataverseClient,
    engine: Engine,
    entity: str,
    *,
    sample: int | None = None,
    seed: int | None = None,
    range_size: int = DEFAULT_RANGE_SIZE,
    max_listed: int = DEFAULT_MAX_LISTED,
    reference: ReferenceLookup | None = None,
    status_reference: StatusReference | None = None,
) -> ReconcileReport:
    """Compare DQT (through the Web API and the sync's mapping) with TRS for one entity (its name, a feed name
    or an entity set). Reads DQT once; with ``sample``, only that many random records (``seed`` repeats it)."""
    (chosen,) = resolve_entities([entity])
    ctx = ReadContext(client, engine, reference_rows=reference, status_rows=status_reference)
    return reconcile_entity(ctx, chosen, sample=sample, seed=seed, range_size=range_size, max_listed=max_listed)


def reconcile_all(
    client: DataverseClient,
    engine: Engine,
    entities: Iterable[str] | None = None,
    *,
    sample: int | None = None,
    seed: int | None = None,
    range_size: int = DEFAULT_RANGE_SIZE,
    max_listed: int = DEFAULT_MAX_LISTED,
    reference: ReferenceLookup | None = None,
    status_reference: StatusReference | None = None,
) -> list[ReconcileReport]:
    """:func:`reconcile` for each entity named (all when none), persons first, sharing the reference rows."""
    chosen = resolve_entities(entities)
    ctx = ReadContext(client, engine, reference_rows=reference, status_rows=status_reference)
    return [
        reconcile_entity(ctx, entity, sample=sample, seed=seed, range_size=range_size, max_listed=max_listed)
        for entity in chosen
    ]


def fix(
    client: DataverseClient,
    engine: Engine,
    reports: ReconcileReport | Iterable[ReconcileReport],
    *,
    reference: ReferenceLookup | None = None,
) -> int:
    """Resync every listed difference from DQT's current record through the sync's own apply, releasing the
    newer-wins guard first so a row TRS holds at DQT's version but with other values is rewritten too
    (ADR 0083). ``unapplied`` records are left to ``trs-bridge failed replay``. Returns how many records were
    resynced; reconcile again to confirm."""
    ctx = ReadContext(client, engine, reference_rows=reference)
    done = 0
    for report in [reports] if isinstance(reports, ReconcileReport) else list(reports):
        if not report.differences:
            continue
        (entity,) = resolve_entities([report.entity])
        done += entity.fix(ctx, [d.dqt_id for d in report.differences], report.persons)
        log.info("reconcile_fixed", entity=entity.name, records=len(report.differences))
    return done
