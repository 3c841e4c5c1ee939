"""``trs-bridge reconcile``: the parity report that proves DQT and TRS agree, record by record (issue 7).

For each entity (persons, mandatory qualifications, alerts, induction columns, previous names, routes and
professional status columns) the report reads DQT through the Web API once and TRS once, key range by key
range; what TRS should hold is computed with the sync's own mapping, so the report checks the pipeline, not a
second copy of its rules. Each record is reduced to a digest (a hash per column); ranges whose digests agree
are done, the others are compared record by record. Differences are *missing* (in DQT, not in TRS), *extra*
(in TRS, not in DQT) or *differing* (naming the columns), by id only, never with values; those explained by
an open failed record are listed apart, with their failure. ``fix`` resyncs each difference through the
sync's apply. ADRs 0080-0084.
"""

from __future__ import annotations

from bridge.reconcile.entities import ENTITIES
from bridge.reconcile.report import Difference, OpenFailure, ReconcileReport
from bridge.reconcile.run import DEFAULT_RANGE_SIZE, fix, reconcile, reconcile_all, resolve_entities

__all__ = [
    "DEFAULT_RANGE_SIZE",
    "ENTITIES",
    "Difference",
    "OpenFailure",
    "ReconcileReport",
    "fix",
    "reconcile",
    "reconcile_all",
    "resolve_entities",
]
