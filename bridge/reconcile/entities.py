"""The entities a parity report covers, and for each: what TRS should hold according to DQT, and what it holds.

The expected side is computed with the sync's own code: the row feeds' mapping (``bridge.apply.row_mapper``)
followed by the write-back guard that keeps TRS's values of columns an undelivered TRS edit changed; for the
per-person feeds the same map functions over the same inputs (the contact and all its child rows) and the same
rule for *which* persons the sync rebuilds. So a difference is a difference between DQT and what the pipeline
should have written, not between two mappings (ADR 0080).

Both sides are read per key range (``[low, high)`` of the DQT primary key, or of the person for the per-person
entities) or for a sample of DQT records; TRS rows of a DQT record that the TRS range read did not return are
looked up by id, so a disagreement between DQT's and TRS's GUID order cannot make a row look missing.

Compared columns: every column the mapping produces (for persons, MQs and alerts that includes DQT's
``createdon``/``modifiedon`` as ``created_on``/``updated_on`` and the ``dqt_*`` bookkeeping), never the
store's own stamps (``dqt_first_sync``, ``dqt_last_sync``, ``dqt_induction_last_sync``,
``dqt_professional_status_last_sync``), which record when TRS was written, not what DQT holds.
"""

from __future__ import annotations

from typing import Final

from bridge.feeds import ALERT, MANDATORY_QUALIFICATION, PERSON
from bridge.reconcile.base import Entity, ReadContext, Sides
from bridge.reconcile.persons import InductionColumns, PreviousNames, ProfessionalStatus, route_dqt_id
from bridge.reconcile.rows import PersonRows, RowEntity
from dataverse_client import F
from mappings import AlertRow, MqRow, PersonRow
from mappings.reference.dqt import MANDATORY_QUALIFICATION_TYPE
from mappings.reference.trs import QUALIFICATION_TYPE_MANDATORY
from trs_store.models import metadata

_qualifications = metadata.tables["qualifications"]

__all__ = ["ENTITIES", "Entity", "ReadContext", "Sides", "route_dqt_id"]

# ---------------------------------------------------------------------------------------------------------
# the registry
# ---------------------------------------------------------------------------------------------------------

ENTITIES: Final[tuple[Entity, ...]] = (
    PersonRows(PERSON, PersonRow, "dqt_contact_id"),
    RowEntity(
        MANDATORY_QUALIFICATION,
        MqRow,
        "dqt_qualification_id",
        trs_where=(_qualifications.c.qualification_type == QUALIFICATION_TYPE_MANDATORY,),
        dqt_filter=F.eq("dfeta_type", MANDATORY_QUALIFICATION_TYPE),
    ),
    RowEntity(ALERT, AlertRow, "dqt_sanction_id"),
    InductionColumns(),
    PreviousNames(),
    ProfessionalStatus(),
)
