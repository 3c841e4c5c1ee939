"""Resolving DQT reference GUIDs to their ``dfeta_value``s, from rows read from DQT at run time.

Mapping rules key on ``dfeta_value`` ("955", "Hearing", "T1"), but records point at reference rows by
GUID, and production's GUIDs differ from every other environment's (ADR 0002). So the bridge reads the
three reference entity sets (inactive rows included: old MQs point at deactivated establishments, as TRS
learned in ``51bfeabca``) and builds a :class:`ReferenceLookup` with :meth:`ReferenceLookup.from_records`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mappings import text
from mappings.errors import InvalidValue, MappingError, ReferenceDataError
from mappings.fields import RecordReader
from mappings.types import Record


@dataclass(frozen=True, slots=True)
class ReferenceLookup:
    """GUID → ``dfeta_value`` for ``dfeta_mqestablishment``, ``dfeta_specialism`` and ``dfeta_sanctioncode``.

    Keys are lower-case GUIDs. Values may repeat (the build environment has duplicate specialisms); a GUID
    may not.
    """

    establishments: Mapping[str, str] = field(default_factory=dict)
    specialisms: Mapping[str, str] = field(default_factory=dict)
    sanction_codes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_records(
        cls,
        *,
        establishments: Iterable[Record],
        specialisms: Iterable[Record],
        sanction_codes: Iterable[Record],
    ) -> ReferenceLookup:
        """Build from Web API records of ``dfeta_mqestablishments``, ``dfeta_specialisms`` and
        ``dfeta_sanctioncodes``; any unusable row raises :class:`~mappings.errors.ReferenceDataError`."""
        return cls(
            establishments=_values("dfeta_mqestablishments", "dfeta_mqestablishmentid", establishments),
            specialisms=_values("dfeta_specialisms", "dfeta_specialismid", specialisms),
            sanction_codes=_values("dfeta_sanctioncodes", "dfeta_sanctioncodeid", sanction_codes),
        )


def _values(entity: str, primary_key: str, records: Iterable[Record]) -> Mapping[str, str]:
    values: dict[str, str] = {}
    try:
        for record in records:
            reader = RecordReader(entity, record, primary_key)
            value = reader.text("dfeta_value", _required_value)
            if values.setdefault(reader.id, value) != value:
                reader.fail(primary_key, reader.id, "appears twice with different dfeta_values")
    except MappingError as error:
        raise ReferenceDataError(
            error.entity, error.record_id, error.field, error.value, error.rule, personal=error.personal
        ) from error
    return MappingProxyType(values)


def _required_value(value: str | None) -> str:
    if value is None:
        raise InvalidValue("is required")
    return text.reference_value(value)
