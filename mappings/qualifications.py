"""``dfeta_qualifications`` (mandatory qualifications only) → ``qualifications`` (data dictionary §2.2).

Only ``dfeta_type == 389040002`` rows are MQs; other known types (HE, NPQ*, HLTA) and a null type are
:class:`~mappings.types.Ignored`. An *unknown* type value fails, like any unknown option value.

Provider: the establishment's ``dfeta_value`` through ``ESTABLISHMENT_PROVIDERS`` (23 of 40 values); an
unmapped establishment keeps ``dqt_mq_establishment_id`` with ``mq_provider_id`` NULL. Specialism: the
(establishment, specialism) remap first, keyed on values as intended (ADR 0012), then the specialism's
value. Status: §3.2; no status but an end date means Passed. Deactivated: ``deleted_on`` = ``modifiedon``.
"""

from __future__ import annotations

from mappings.fields import RecordReader
from mappings.lookup import ReferenceLookup
from mappings.reference.dqt import MANDATORY_QUALIFICATION_TYPE, QUALIFICATION_TYPE
from mappings.reference.trs import (
    ESTABLISHMENT_PROVIDERS,
    MQ_STATUSES,
    QUALIFICATION_TYPE_MANDATORY,
    SPECIALISM_REMAP,
    SPECIALISMS,
    MqStatus,
)
from mappings.types import Ignored, MqRow, Record

ENTITY = "dfeta_qualifications"

_ESTABLISHMENT = "_dfeta_mq_mqestablishmentid_value"
_SPECIALISM = "_dfeta_mq_specialismid_value"


def map_qualification(record: Record, reference: ReferenceLookup) -> MqRow | Ignored:
    """Map one ``dfeta_qualifications`` record to an MQ row, or :class:`Ignored` if it is not an MQ."""
    r = RecordReader(ENTITY, record, "dfeta_qualificationid")
    qualification_type = r.option("dfeta_type", QUALIFICATION_TYPE)
    if qualification_type != MANDATORY_QUALIFICATION_TYPE:
        name = "null" if qualification_type is None else QUALIFICATION_TYPE[qualification_type]
        return Ignored(f"dfeta_type {name} is not a mandatory qualification")

    bookkeeping = r.bookkeeping()
    person_id = r.required_uuid("_dfeta_personid_value")

    establishment_id = r.uuid(_ESTABLISHMENT)
    establishment = None
    if establishment_id is not None:
        establishment = reference.establishments.get(establishment_id)
        if establishment is None:
            r.fail(_ESTABLISHMENT, establishment_id, "unknown dfeta_mqestablishment")

    specialism_id = r.uuid(_SPECIALISM)
    specialism = None
    if specialism_id is not None:
        specialism_value = reference.specialisms.get(specialism_id)
        if specialism_value is None:
            r.fail(_SPECIALISM, specialism_id, "unknown dfeta_specialism")
        specialism = SPECIALISM_REMAP.get((establishment or "", specialism_value), SPECIALISMS.get(specialism_value))
        if specialism is None:
            r.fail(_SPECIALISM, specialism_value, "has a dfeta_value with no TRS specialism")

    end_date = r.uk_date("dfeta_mq_date")
    status_value = r.option("dfeta_mq_status", MQ_STATUSES)
    status = MQ_STATUSES[status_value] if status_value is not None else None
    if status is None and end_date is not None:
        status = MqStatus.PASSED  # migration mapping a4a796635: an end date without a status means passed

    return {
        "qualification_id": r.id,
        "dqt_qualification_id": r.id,
        "qualification_type": QUALIFICATION_TYPE_MANDATORY,
        "person_id": person_id,
        "created_on": bookkeeping["dqt_created_on"],
        "updated_on": bookkeeping["dqt_modified_on"],
        "deleted_on": r.deleted_on(bookkeeping),
        "mq_provider_id": ESTABLISHMENT_PROVIDERS.get(establishment) if establishment is not None else None,
        "mq_specialism": None if specialism is None else int(specialism),
        "mq_status": None if status is None else int(status),
        "start_date": r.uk_date("dfeta_mqstartdate"),
        "end_date": end_date,
        "dqt_mq_establishment_id": establishment_id,
        "dqt_specialism_id": specialism_id,
        **bookkeeping,
    }
