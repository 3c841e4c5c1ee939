"""What a parity report says: per entity, the counts on each side and every difference, by id and column name.

A difference never carries a value (ids, kinds and column names only), so a report can be printed, logged and
handed to the reliability suite without personal data. ``differences`` are the ones nothing explains; those
whose DQT record has an open failed record are ``unapplied`` instead, each with its failure: the sync did what
it promises for a record it cannot apply (record the failure, leave TRS as it was), so they do not make the
report unclean, but they are listed, never hidden (ADR 0082).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

#: How many differences a report lists per kind of list; the counts are always exact.
DEFAULT_MAX_LISTED: Final = 100_000


@dataclass(frozen=True)
class Difference:
    """One record on which DQT (through the sync's mapping) and TRS disagree."""

    entity: str  # the reconciled entity, e.g. "person"
    dqt_id: str  # DQT primary id (lower case); for TRS-only rows the id that TRS row was mapped from
    kind: str  # "missing" (in DQT, not in TRS) | "extra" (in TRS, not in DQT) | "differing"
    fields: tuple[str, ...]  # TRS column names that differ (empty unless kind == "differing"); never values


@dataclass(frozen=True)
class OpenFailure:
    """The open failed record that explains a difference (its message is log-safe by construction)."""

    failed_record_id: int
    entity_set: str
    error_kind: str
    field: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "failed_record_id": self.failed_record_id,
            "failed_entity_set": self.entity_set,
            "error_kind": self.error_kind,
            "error_field": self.field,
            "reason": self.message,
        }


@dataclass
class ReconcileReport:
    """The parity of one entity. ``clean`` when nothing is in ``differences`` (``unapplied`` records, which
    have an open failed record each, are reported but do not count)."""

    entity: str
    mode: str  # "full" | "sample"
    dqt_records: int  # records the DQT side expects in TRS (unmappable ones included)
    trs_records: int  # records read from TRS
    compared: int  # records present on both sides, compared column by column
    differences: list[Difference]
    open_failed: int  # open failed_records rows for this entity
    elapsed_seconds: float
    unapplied: list[Difference] = field(default_factory=list)
    failures: dict[str, OpenFailure] = field(default_factory=dict)  # dqt_id -> its open failed record
    persons: dict[str, str] = field(default_factory=dict)  # dqt_id -> person, for the per-person entities
    counts: Counter[str] = field(default_factory=Counter)  # missing / extra / differing / unapplied, exact
    top_fields: Counter[str] = field(default_factory=Counter)  # differing columns, over every difference
    held: int = 0  # records left out because a TRS edit of them is on its way to DQT (write-back)
    ranges: int = 0  # key ranges read (0 for a sample)
    ranges_examined: int = 0  # ranges whose digests differed, compared record by record
    truncated: bool = False  # more differences than were listed

    @property
    def clean(self) -> bool:
        return not self.differences and not any(self.counts[k] for k in ("missing", "extra", "differing"))

    def as_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "mode": self.mode,
            "clean": self.clean,
            "dqt_records": self.dqt_records,
            "trs_records": self.trs_records,
            "compared": self.compared,
            "missing": self.counts["missing"],
            "extra": self.counts["extra"],
            "differing": self.counts["differing"],
            "unapplied": self.counts["unapplied"],
            "open_failed": self.open_failed,
            "held_by_writeback": self.held,
            "ranges": self.ranges,
            "ranges_examined": self.ranges_examined,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "top_fields": dict(self.top_fields.most_common()),
            "truncated": self.truncated,
            "differences": [self._entry(d) for d in self.differences],
            "unapplied_records": [self._entry(d) for d in self.unapplied],
        }

    def _entry(self, difference: Difference) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "dqt_id": difference.dqt_id,
            "kind": difference.kind,
            "fields": list(difference.fields),
        }
        if difference.dqt_id in self.persons:
            entry["person_id"] = self.persons[difference.dqt_id]
        failure = self.failures.get(difference.dqt_id)
        if failure is not None:
            entry |= failure.as_json()
        return entry
