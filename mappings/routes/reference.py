"""Resolving the DQT reference GUIDs an ITT or QTS row points at, from rows read from DQT at run time.

Like :class:`mappings.lookup.ReferenceLookup`, because production's GUIDs differ from every other
environment's (ADR 0002): the bridge reads ``dfeta_teacherstatuses``, ``dfeta_earlyyearsstatuses``,
``dfeta_ittqualifications``, ``dfeta_ittsubjects``, ``dfeta_countries`` and ``accounts`` (inactive rows
included) and builds a :class:`StatusReference` with :meth:`StatusReference.from_records`.

The TRS side of three training fields is optional (ADR 0035): ``training_subjects`` (TRS
``training_subjects.reference`` → id; without it, ids are derived with :func:`training_subject_id`),
``training_providers`` (TRS ``training_providers`` id → UKPRN; without it, a provider's TRS id is its DQT
account id, as TRS's ``AppendTrainingProvidersFromCrmJob`` copied them) and ``countries`` (TRS
``countries.country_id``s; without it, any code is accepted).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from mappings import text
from mappings.errors import InvalidValue, MappingError, ReferenceDataError
from mappings.fields import RecordReader
from mappings.types import Record

#: Namespace of derived TRS training subject ids (never change it: ids in the store depend on it).
TRAINING_SUBJECT_NAMESPACE: Final = uuid.UUID("3c1f4e0a-7f55-4a55-b3c2-9d2a6c1e8b71")


def training_subject_id(reference: str) -> str:
    """The derived TRS ``training_subjects`` id of ``reference`` (used when no TRS table is supplied)."""
    return str(uuid.uuid5(TRAINING_SUBJECT_NAMESPACE, reference))


@dataclass(frozen=True, slots=True)
class Coded:
    """A reference row's ``dfeta_value`` and ``dfeta_name``."""

    value: str
    name: str | None


@dataclass(frozen=True, slots=True)
class ProviderAccount:
    """An ``account`` flagged ``dfeta_trainingprovider``: its UKPRN and name."""

    ukprn: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class StatusReference:
    """GUID → reference row for the six DQT entities ITT and QTS rows point at; keys are lower-case GUIDs."""

    teacher_statuses: Mapping[str, Coded] = field(default_factory=dict)
    early_years_statuses: Mapping[str, Coded] = field(default_factory=dict)
    itt_qualifications: Mapping[str, Coded] = field(default_factory=dict)
    itt_subjects: Mapping[str, Coded] = field(default_factory=dict)
    countries: Mapping[str, Coded] = field(default_factory=dict)
    providers: Mapping[str, ProviderAccount] = field(default_factory=dict)
    #: TRS ``training_subjects.reference`` → ``training_subject_id``; None: derive ids.
    training_subjects: Mapping[str, str] | None = None
    #: TRS ``training_provider_id`` → ``ukprn``; None: a provider's TRS id is its DQT account id.
    training_providers: Mapping[str, str | None] | None = None
    #: TRS ``countries.country_id``s; None: accept any code.
    trs_countries: frozenset[str] | None = None
    _provider_by_ukprn: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_ukprn: dict[str, str] = {}
        for provider_id, ukprn in sorted((self.training_providers or {}).items()):
            if ukprn is not None:
                by_ukprn.setdefault(ukprn, provider_id)  # duplicates: the lowest id, deterministically
        object.__setattr__(self, "_provider_by_ukprn", MappingProxyType(by_ukprn))

    @classmethod
    def from_records(
        cls,
        *,
        teacher_statuses: Iterable[Record],
        early_years_statuses: Iterable[Record],
        itt_qualifications: Iterable[Record],
        itt_subjects: Iterable[Record],
        countries: Iterable[Record],
        accounts: Iterable[Record],
        training_subjects: Mapping[str, str] | None = None,
        training_providers: Mapping[str, str | None] | None = None,
        trs_countries: Iterable[str] | None = None,
    ) -> StatusReference:
        """Build from Web API records of the six entity sets; ``accounts`` not flagged as training providers
        are left out. Any unusable row raises :class:`~mappings.errors.ReferenceDataError`."""
        return cls(
            teacher_statuses=_coded("dfeta_teacherstatuses", "dfeta_teacherstatusid", teacher_statuses),
            early_years_statuses=_coded("dfeta_earlyyearsstatuses", "dfeta_earlyyearsstatusid", early_years_statuses),
            itt_qualifications=_coded("dfeta_ittqualifications", "dfeta_ittqualificationid", itt_qualifications),
            itt_subjects=_coded("dfeta_ittsubjects", "dfeta_ittsubjectid", itt_subjects),
            countries=_coded("dfeta_countries", "dfeta_countryid", countries),
            providers=_providers(accounts),
            training_subjects=None if training_subjects is None else MappingProxyType(dict(training_subjects)),
            training_providers=None if training_providers is None else MappingProxyType(dict(training_providers)),
            trs_countries=None if trs_countries is None else frozenset(trs_countries),
        )

    def subject_id(self, reference: str) -> str | None:
        """The TRS training subject id for a TRS ``reference``, or None if TRS has no such subject."""
        if self.training_subjects is None:
            return training_subject_id(reference)
        return self.training_subjects.get(reference)

    def provider_id(self, account_id: str, account: ProviderAccount) -> str | None:
        """§3.8: the TRS provider with the account's UKPRN, else the one with the account's id, else None."""
        if self.training_providers is None:
            return account_id
        if account.ukprn is not None and account.ukprn in self._provider_by_ukprn:
            return self._provider_by_ukprn[account.ukprn]
        return account_id if account_id in self.training_providers else None

    def country_known(self, country_id: str) -> bool:
        return self.trs_countries is None or country_id in self.trs_countries


def _coded(entity: str, primary_key: str, records: Iterable[Record]) -> Mapping[str, Coded]:
    rows: dict[str, Coded] = {}
    try:
        for record in records:
            reader = RecordReader(entity, record, primary_key)
            row = Coded(reader.text("dfeta_value", _required_value), reader.text("dfeta_name", _optional_name))
            if rows.setdefault(reader.id, row) != row:
                reader.fail(primary_key, reader.id, "appears twice with different values")
    except MappingError as error:
        raise _fatal(error) from error
    return MappingProxyType(rows)


def _providers(records: Iterable[Record]) -> Mapping[str, ProviderAccount]:
    rows: dict[str, ProviderAccount] = {}
    try:
        for record in records:
            reader = RecordReader("accounts", record, "accountid")
            if reader.boolean("dfeta_trainingprovider") is not True:
                continue
            row = ProviderAccount(reader.text("dfeta_ukprn", _optional_name), reader.text("name", _optional_name))
            if rows.setdefault(reader.id, row) != row:
                reader.fail("accountid", reader.id, "appears twice with different values")
    except MappingError as error:
        raise _fatal(error) from error
    return MappingProxyType(rows)


def _fatal(error: MappingError) -> ReferenceDataError:
    return ReferenceDataError(
        error.entity, error.record_id, error.field, error.value, error.rule, personal=error.personal
    )


def _required_value(value: str | None) -> str:
    if value is None:
        raise InvalidValue("is required")
    return text.reference_value(value)


def _optional_name(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return text.check_short_text(value)
