"""Route type and route status from values (reference §3.5 and §3.7): no records, just the rules.

:func:`derive_route_type` reconciles the three candidate routes (programme type, status, qualification)
exactly as ``TryDeriveRouteId`` / ``TryDeriveRouteMappingPrecedence`` did, with the corrections of
ADRs 0031 (status 103) and 0032 (qualification codes with their leading zeros).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mappings.reference.routes import (
    DEFAULT_ORDER,
    EY_ORDER,
    HARDCODED_RESULT_ROUTES,
    HARDCODED_ROUTES,
    HEI_HISTORIC_QUALIFICATIONS,
    MANUAL_PRECEDENCE,
    MATCHED_ORDER,
    OTHER_QUALIFICATION_STATUSES,
    OTT_QUALIFICATION,
    OTT_STATUSES,
    PROGRAMME_TYPE_ROUTES,
    QUALIFICATION_ROUTES,
    QUALIFIED_TRAINED_STATUS,
    RECOGNITION_STATUSES,
    RESULT_FAILURES,
    RESULT_STATUSES,
    SCHOOL_CENTRED_STATUS,
    STATUS_ROUTES,
    WELSH_PROGRAMME_TYPES,
    WELSH_PROVIDER_IDS,
    WELSH_RECOGNITION,
    FailureReason,
    IttResult,
    ManualKey,
    RouteStatus,
    Source,
    programme_type,
)

_CORE = programme_type("Core")


@dataclass(frozen=True, slots=True)
class Candidates:
    """The three independently looked-up routes (§3.5 step 2); None = no route from that source."""

    programme_type: str | None
    status: str | None
    qualification: str | None

    def get(self, source: Source) -> str | None:
        if source is Source.PROGRAMME_TYPE:
            return self.programme_type
        if source is Source.STATUS:
            return self.status
        return self.qualification


def candidates(
    status: str | None,
    programme: int | None,
    qualification: str | None,
    status_routes: Mapping[str, str | None] = STATUS_ROUTES,
) -> Candidates:
    """§3.1–3.3 lookups; a missing key and a null-valued key both give no route."""
    return Candidates(
        programme_type=None if programme is None else PROGRAMME_TYPE_ROUTES.get(programme),
        status=None if status is None else status_routes.get(status),
        qualification=None if qualification is None else QUALIFICATION_ROUTES.get(qualification),
    )


def is_welsh(
    *, establishment_id: str | None, status: str | None, result: IttResult | None, programme: int | None,
    qualification: str | None,
) -> bool:  # fmt: skip
    """§3.9 Welsh rule: a Welsh provider, status 71, result Pass, programme type null or HEI, a qualification."""
    return (
        establishment_id in WELSH_PROVIDER_IDS
        and status == QUALIFIED_TRAINED_STATUS
        and result is IttResult.PASS
        and (programme is None or programme in WELSH_PROGRAMME_TYPES)
        and qualification is not None
    )


def precedence(  # noqa: PLR0911 (one return per rule of §3.5 step 4)
    *,
    early_years: bool,
    status: str | None,
    programme: int | None,
    qualification: str | None,
    has_matched: bool,
    manual: Mapping[ManualKey, Source] = MANUAL_PRECEDENCE,
) -> tuple[Source, ...]:
    """§3.5 step 4: the order in which candidates are tried when there is not exactly one."""
    if early_years:
        return EY_ORDER
    if has_matched and programme is None:  # a
        return (Source.QUALIFICATION,)
    source = manual.get((status, programme, qualification))  # b
    if source is not None:
        if source is Source.STATUS and has_matched:
            return MATCHED_ORDER
        return (source,)
    if has_matched:  # c
        return MATCHED_ORDER
    if status == SCHOOL_CENTRED_STATUS and programme == _CORE:  # d
        return (Source.PROGRAMME_TYPE,)
    if (status in OTHER_QUALIFICATION_STATUSES and qualification in HEI_HISTORIC_QUALIFICATIONS) or (
        status in OTT_STATUSES and qualification == OTT_QUALIFICATION
    ):  # e
        return (Source.QUALIFICATION,)
    if status in RECOGNITION_STATUSES:  # f
        return (Source.STATUS,)
    if programme is not None:  # g
        return (Source.STATUS, Source.PROGRAMME_TYPE)
    return DEFAULT_ORDER  # h


def derive_route_type(
    *,
    early_years: bool,
    status: str | None,
    programme: int | None,
    qualification: str | None,
    result: IttResult | None,
    has_matched: bool,
    welsh: bool = False,
    status_routes: Mapping[str, str | None] = STATUS_ROUTES,
    manual: Mapping[ManualKey, Source] = MANUAL_PRECEDENCE,
) -> str | None:
    """The route type id by §3.5, or None (the caller's ``CannotDeriveRoute``).

    ``status`` is the EY status value on the EY side and the teacher status value otherwise (None for a
    left-over ITT row); ``has_matched`` is ``hasMatchedIttQtsCombo``.
    """
    if welsh:  # 1
        return WELSH_RECOGNITION
    found = candidates(status, programme, qualification, status_routes)
    distinct = {r for r in (found.programme_type, found.status, found.qualification) if r is not None}
    if len(distinct) == 1:  # 2
        return distinct.pop()
    key = (status, programme, qualification)
    hardcoded = HARDCODED_ROUTES.get(key)  # 3
    if hardcoded is None and result is not None:
        hardcoded = HARDCODED_RESULT_ROUTES.get((*key, result))
    if hardcoded is not None:
        return hardcoded
    order = precedence(
        early_years=early_years,
        status=status,
        programme=programme,
        qualification=qualification,
        has_matched=has_matched,
        manual=manual,
    )
    for source in order:  # 5
        chosen = found.get(source)
        if chosen is not None:
            return chosen
    return None


def result_status(result: IttResult) -> RouteStatus | FailureReason:
    """§3.7 without an award: the status an ITT result gives, or the (contact-aborting) failure reason."""
    status = RESULT_STATUSES.get(result)
    if status is not None:
        return status
    return RESULT_FAILURES.get(result, FailureReason.CANNOT_MAP_STATUS)
