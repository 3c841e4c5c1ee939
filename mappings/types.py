"""The shapes that cross the mappings/ boundary: DQT records in, TRS rows and outcomes out.

Rows are ``TypedDict``s keyed by the exact column names of ``docs/trs-schema.md``, so ``trs_store`` can
insert them as they are. Values are plain: timestamps are aware ``datetime``s in UTC, dates are
``datetime.date``, GUIDs are lower-case ``str``, enums are ``int``. ``dqt_first_sync``/``dqt_last_sync``
(and ``dqt_induction_last_sync``) are absent on purpose: the store stamps them.

A map function returns a row, or one of two non-failures, or raises
:class:`~mappings.errors.MappingError`:

- :class:`Ignored`: the record is not something TRS stores (a non-MQ ``dfeta_qualification``);
- :class:`Skipped`: TRS deliberately drops it (a sanction whose code has no alert type); count these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias, TypedDict

#: A Web API record as decoded from JSON: logical names, ``_x_value`` lookups, option values as ints.
Record: TypeAlias = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Ignored:
    """The record is not something TRS stores; not a failure, and nothing to count."""

    reason: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """TRS deliberately drops this record (e.g. no alert type for its sanction code); count it by ``reason``,
    which is stable and holds no personal data."""

    reason: str


@dataclass(frozen=True, slots=True)
class DataWarning:
    """A value that was mapped but breaks a rule TRS applies elsewhere (e.g. NI number format); no value."""

    entity: str
    record_id: str
    field: str
    rule: str


class Bookkeeping(TypedDict):
    """Columns every synced row carries (docs/trs-schema.md)."""

    dqt_state: int
    dqt_created_on: dt.datetime
    dqt_modified_on: dt.datetime
    dqt_version: int


class PersonRow(Bookkeeping):
    """A ``persons`` row from a ``contacts`` record, without the induction columns (see InductionUpdate)."""

    person_id: str
    dqt_contact_id: str
    trn: str | None
    first_name: str
    middle_name: str
    last_name: str
    dqt_first_name: str
    dqt_middle_name: str
    dqt_last_name: str
    date_of_birth: dt.date | None
    email_address: str | None
    national_insurance_number: str | None
    gender: int | None
    status: int
    merged_with_person_id: str | None
    created_on: dt.datetime
    updated_on: dt.datetime
    deleted_on: dt.datetime | None
    created_by_tps: bool | None
    source_application_user_id: str | None
    source_trn_request_id: str | None
    allow_details_updates_from_source_application: bool
    dqt_allow_teacher_identity_sign_in_with_prohibitions: bool


class MqRow(Bookkeeping):
    """A ``qualifications`` row of the mandatory-qualification subtype."""

    qualification_id: str
    dqt_qualification_id: str
    qualification_type: int
    person_id: str
    created_on: dt.datetime
    updated_on: dt.datetime
    deleted_on: dt.datetime | None
    mq_provider_id: str | None
    mq_specialism: int | None
    mq_status: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    dqt_mq_establishment_id: str | None
    dqt_specialism_id: str | None


class AlertRow(Bookkeeping):
    """An ``alerts`` row from a ``dfeta_sanctions`` record."""

    alert_id: str
    dqt_sanction_id: str
    alert_type_id: str
    person_id: str
    details: str | None
    external_link: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    created_on: dt.datetime
    updated_on: dt.datetime
    deleted_on: dt.datetime | None
    dqt_spent: bool | None


class PreviousNameRow(Bookkeeping):
    """A ``previous_names`` row rebuilt from a person's ``dfeta_previousnames``."""

    previous_name_id: str
    person_id: str
    first_name: str
    middle_name: str
    last_name: str
    created_on: dt.datetime
    updated_on: dt.datetime
    deleted_on: dt.datetime | None
    dqt_audit_id: str | None
    dqt_previous_name_ids: list[str]


class InductionUpdate(TypedDict):
    """The ``persons`` induction columns for one person: an UPDATE guarded by ``dqt_induction_version``.

    It carries no person bookkeeping (``dqt_state``, ``dqt_version``…): those belong to the persons upsert.
    """

    person_id: str
    induction_status: int
    induction_status_without_exemption: int
    induction_start_date: dt.date | None
    induction_completed_date: dt.date | None
    induction_exemption_reason_ids: list[str]
    induction_exempt_without_reason: bool
    induction_modified_on: dt.datetime | None
    dqt_induction_id: str | None
    dqt_induction_modified_on: dt.datetime | None
    dqt_induction_version: int
