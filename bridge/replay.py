"""``trs-bridge failed replay``: re-read failed records' CURRENT state from DQT and apply it again.

A failed record is a symptom; the cure is usually a fix in DQT (or a mapping release). Replay therefore never
re-applies the stored payload: it fetches each record as DQT has it now and applies it through
:func:`bridge.apply.apply_page`, exactly as the sync would (newer wins, failure isolation, events). The
outcome of each failed record follows from what the apply did to it:

* ``replayed``: it applied (the failed record is closed as ``replayed``);
* ``discarded``: DQT no longer has it, or it no longer maps to a TRS row (closed as ``discarded``);
* ``failed-again``: it failed again (``attempts`` + 1, with the latest reason);
* ``unchanged``: nothing touched it (kept open, as it was).

All ids are checked before anything is applied: an unknown id, a closed record or a record without a DQT id
rejects the whole command (exit 2) with nothing changed. Replays run in chunks of up to 500 records, each in
one transaction, counted in a ``sync_runs`` row with mode ``replay``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import structlog
from sqlalchemy import Engine, select

from bridge.apply import PageContext, apply_page, fetch_by_ids
from bridge.errors import CommandRejected
from bridge.feeds import ApplyKind, Feed, resolve_feeds
from bridge.sync import load_reference
from dataverse_client import ChangePage, DataverseClient
from mappings import ReferenceLookup
from trs_store.models import metadata
from trs_store.sync_runs import RunCounts, add_page, finish_run, start_run

log = structlog.get_logger("bridge.replay")

#: Failed records replayed per transaction.
CHUNK: Final = 500

_failed = metadata.tables["failed_records"]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Target:
    """A failed record to replay: the little that replay needs (no payload)."""

    failed_record_id: int
    entity_set: str
    dqt_id: str | None
    status: str
    attempts: int


@dataclass(slots=True)
class ReplayReport:
    """Per failed record, what the replay did (``outcomes``), and the apply's counts."""

    outcomes: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    counts: RunCounts = field(default_factory=RunCounts)

    def tally(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for outcome in self.outcomes.values():
            found[outcome] = found.get(outcome, 0) + 1
        return dict(sorted(found.items()))

    @property
    def all_resolved(self) -> bool:
        return all(o in ("replayed", "discarded") for o in self.outcomes.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcomes": {str(k): v for k, v in sorted(self.outcomes.items())},
            "errors": {str(k): v for k, v in sorted(self.errors.items())},
            "tally": self.tally(),
            "counts": {name: getattr(self.counts, name) for name in RunCounts.__dataclass_fields__},
        }


def _targets(engine: Engine, statement: Any) -> list[Target]:
    columns = (_failed.c.failed_record_id, _failed.c.entity_set, _failed.c.dqt_id, _failed.c.status, _failed.c.attempts)
    with engine.connect() as connection:
        rows = connection.execute(statement.with_only_columns(*columns).order_by(_failed.c.failed_record_id))
        return [Target(*row) for row in rows]


def _feed(entity_set: str) -> Feed | None:
    try:
        (feed,) = resolve_feeds([entity_set])
    except CommandRejected:
        return None
    return feed


def select_by_ids(engine: Engine, ids: Sequence[int]) -> list[Target]:
    """The failed records ``ids``, all of them open and replayable, or :class:`CommandRejected` naming every
    problem (nothing is changed)."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        raise CommandRejected("name at least one failed record id, or use --all")
    found = {
        t.failed_record_id: t for t in _targets(engine, select(_failed).where(_failed.c.failed_record_id.in_(wanted)))
    }
    problems = []
    for failed_id in wanted:
        target = found.get(failed_id)
        if target is None:
            problems.append(f"{failed_id}: no such failed record")
        elif target.status != "open":
            problems.append(f"{failed_id}: already {target.status}")
        elif target.dqt_id is None:
            problems.append(f"{failed_id}: has no DQT id, so it cannot be re-read (discard it)")
        elif _feed(target.entity_set) is None:
            problems.append(f"{failed_id}: {target.entity_set} is not a synced entity set")
    if problems:
        raise CommandRejected("nothing replayed: " + "; ".join(problems))
    return [found[i] for i in wanted]


def select_open(engine: Engine, *, entity_set: str | None = None, kind: str | None = None) -> list[Target]:
    """Every open failed record with a DQT id (optionally of one entity set and error kind)."""
    statement = select(_failed).where(_failed.c.status == "open", _failed.c.dqt_id.is_not(None))
    if entity_set is not None:
        statement = statement.where(_failed.c.entity_set == entity_set)
    if kind is not None:
        statement = statement.where(_failed.c.error_kind == kind)
    return [t for t in _targets(engine, statement) if _feed(t.entity_set) is not None]


def _current_records(client: DataverseClient, feed: Feed, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The current DQT records of ``ids`` and the ids DQT no longer has. For the per-person feeds a failure may
    be keyed by the person (no child record to name): those ids are read as "all the person's records"."""
    records = fetch_by_ids(client, feed.entity_set, feed.primary_id, ids, feed.select)
    seen = {str(r.get(feed.primary_id)).lower() for r in records}
    missing = [i for i in ids if i not in seen]
    if missing and feed.kind is not ApplyKind.ROWS:
        by_person = fetch_by_ids(client, feed.entity_set, "_dfeta_personid_value", missing, feed.select)
        records += by_person
        persons = {str(r.get("_dfeta_personid_value")).lower() for r in by_person}
        missing = [i for i in missing if i not in persons]
    return records, missing


def replay(
    engine: Engine,
    client: DataverseClient,
    targets: Sequence[Target],
    *,
    reference: ReferenceLookup | None = None,
    clock: Any = utc_now,
) -> ReplayReport:
    """Replay ``targets`` (from :func:`select_by_ids` or :func:`select_open`)."""
    report = ReplayReport()
    if not targets:
        return report
    reference = reference or load_reference(client)
    groups: dict[str, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.entity_set, []).append(target)
    for entity_set, group in groups.items():
        feed = _feed(entity_set)
        assert feed is not None
        with engine.begin() as connection:
            run_id = start_run(connection, entity_set, "replay", now=clock())
        outcome = "succeeded"
        try:
            for start in range(0, len(group), CHUNK):
                _replay_chunk(engine, client, feed, group[start : start + CHUNK], reference, run_id, report, clock)
        except BaseException:
            outcome = "interrupted"
            raise
        finally:
            with engine.begin() as connection:
                finish_run(connection, run_id, outcome=outcome, now=clock())  # type: ignore[arg-type]
    log.info("failed_records_replayed", **report.tally())
    return report


def _replay_chunk(  # noqa: PLR0917 - private helper of replay(), called once
    engine: Engine,
    client: DataverseClient,
    feed: Feed,
    chunk: Sequence[Target],
    reference: ReferenceLookup,
    run_id: str,
    report: ReplayReport,
    clock: Any,
) -> None:
    ids = list(dict.fromkeys(str(uuid.UUID(str(t.dqt_id))) for t in chunk))
    records, missing = _current_records(client, feed, ids)
    before = {t.failed_record_id: t.attempts for t in chunk}
    try:
        with engine.begin() as connection:
            context = PageContext(connection, client, reference, clock())
            counts = apply_page(context, feed, ChangePage(records=records, deleted_ids=missing))
            add_page(connection, run_id, counts + RunCounts(pages=1))
            after = {
                row.failed_record_id: (row.status, row.attempts)
                for row in connection.execute(
                    select(_failed.c.failed_record_id, _failed.c.status, _failed.c.attempts).where(
                        _failed.c.failed_record_id.in_(list(before))
                    )
                )
            }
    except Exception as error:  # the chunk rolled back: nothing changed for these records
        message = f"{type(error).__name__}: {error}"[:500]
        log.error("replay_chunk_failed", entity_set=feed.entity_set, records=len(chunk), error=message)
        for target in chunk:
            report.outcomes[target.failed_record_id] = "error"
            report.errors[target.failed_record_id] = message
        return
    report.counts = report.counts + counts
    for failed_id, attempts in before.items():
        status, attempts_now = after.get(failed_id, ("open", attempts))
        if status == "replayed":
            report.outcomes[failed_id] = "replayed"
        elif status == "discarded":
            report.outcomes[failed_id] = "discarded"
        elif attempts_now > attempts:
            report.outcomes[failed_id] = "failed-again"
        else:
            report.outcomes[failed_id] = "unchanged"


def replay_failed_records(
    ids: Sequence[int], *, engine: Engine | None = None, client: DataverseClient | None = None
) -> dict[str, Any]:
    """Replay the failed records ``ids`` (what the ``replay_failed`` dramatiq actor calls). Engine and client come
    from the environment unless given. Raises :class:`CommandRejected` (nothing changed) for unknown, closed or
    unreplayable ids; returns the report as a dict."""
    if engine is None or client is None:
        from bridge.config import BridgeSettings, open_client, open_engine

        engine = engine or open_engine(BridgeSettings.from_env().database_url)
        client = client or open_client()
    return replay(engine, client, select_by_ids(engine, ids)).as_dict()


__all__ = [
    "ReplayReport",
    "Target",
    "replay",
    "replay_failed_records",
    "select_by_ids",
    "select_open",
]
