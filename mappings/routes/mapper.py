"""One contact's active ITT rows, active QTS registrations and QTLS date → its routes, its person status
columns and the documented failures (reference §3.6, ``MapContactIttAndQtsAsync``; ADR 0030–0036).

Steps, in order:

1. **QTLS**: a ``dfeta_qtlsdate`` (read unshifted, ADR 0015) gives a Holds QTLS and SET Membership route.
2. ITT rows with an ignored result (ApplicationReceived, ApplicationUnsuccessful, NoResultSubmitted) →
   ``DoNotMigrateIttResult``; they leave the pool.
3. QTS rows with neither teacher nor EY status → ``DoNotMigrateQtsRegistrationHasNoStatus``.
4. QTS rows in the order the original's comment intends (ADR 0030): QTS-dated, then recognition-dated
   (partial QTS), then EYTS-dated, then EYPS (222), then the rest; ties by ``createdon``, id.
5. Each row: a non-EY pass (with a teacher status), then an EY pass (with an EY status). A pass checks the
   partial-recognition rules, takes the compatible ITT rows (explicitly linked ones only, if any), picks one
   (the four hard-coded contacts, else Pass/Approved-and-awarded, EYPS ages 0–5 or none, with a programme
   type, ``createdon``, id), removes it from the pool, then gives status, ``holds_from`` and route type.
6. ITT rows left in the pool: no result → ``DoNotMigrateIttResult``; Pass/Approved → not migrated
   (``PotentialDuplicateIttRecords`` / the Welsh variant if an earlier result carries a Pass/Approved ITT,
   else ``PassResultHasNoAwardDate``); otherwise a route from programme type and qualification alone.

Contact-scoped failures (``CannotDeriveRoute``, ``CannotMapStatus``, Pass/Approved without an award date in
the status step) discard the contact's routes, QTLS included; the result then holds that one failure and no
person update. Malformed input raises :class:`~mappings.errors.MappingError` as everywhere in mappings/.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Final

from mappings.errors import MappingError
from mappings.fields import STATE_ACTIVE, RecordReader
from mappings.reference.routes import (
    AGE_00,
    AGE_05,
    AWARD_RESULTS,
    EYPS_STATUS,
    HARDCODED_PAIRINGS,
    IGNORED_RESULTS,
    NO_QUALIFICATION_RESTRICTED_BY_GTC,
    PARTIAL_RECOGNITION_STATUS,
    QTLS_AND_SET_MEMBERSHIP,
    QUALIFICATION_TYPE_ROUTE,
    ROUTE_TYPES_BY_ID,
    FailureReason,
    ProfessionalStatusType,
    QtlsStatus,
    RouteStatus,
)
from mappings.routes import training
from mappings.routes.derive import derive_route_type, is_welsh, result_status
from mappings.routes.records import CONTACTS, ITT, QTS, Itt, Qts, Versioned, read_itt, read_qts, record_list
from mappings.routes.reference import StatusReference
from mappings.routes.types import PersonStatusUpdate, ProfessionalStatusResult, RouteFailure, RouteRow, TrainingColumns
from mappings.types import Record

#: Namespace of route ``qualification_id``s (never change it: ids in TRS depend on it).
ROUTE_NAMESPACE: Final = uuid.UUID("7d3a9c52-1e4b-4f0d-8a61-5b2e9f3c7d18")


def route_qualification_id(kind: str, qts_id: str | None, itt_id: str | None, person_id: str | None = None) -> str:
    """The deterministic ``qualification_id`` of a route: ``kind`` is "qts", "ey", "itt" or "qtls".

    A route backed by no DQT row (QTLS, held on the contact) is keyed by the person too: otherwise every
    QTLS holder's route would share one id."""
    if qts_id is None and itt_id is None:
        if person_id is None:
            raise ValueError("a route backed by no DQT row needs the person id")
        return str(uuid.uuid5(ROUTE_NAMESPACE, f"{kind}:::{person_id}"))
    return str(uuid.uuid5(ROUTE_NAMESPACE, f"{kind}:{qts_id or ''}:{itt_id or ''}"))


class _ContactFailed(Exception):
    def __init__(self, failure: RouteFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def map_professional_status(
    contact: Record,
    itt_records: Sequence[Record],
    qts_records: Sequence[Record],
    reference: StatusReference,
) -> ProfessionalStatusResult:
    """Map one contact with *all* its ``dfeta_initialteachertrainings`` and ``dfeta_qtsregistrations`` (any
    state; only active ones are used) to its routes, person status columns and failures."""
    reader = RecordReader(CONTACTS, contact, "contactid")
    bookkeeping = reader.bookkeeping()
    qtls_date = reader.unshifted_date("dfeta_qtlsdate")
    qtls_ever_set = reader.boolean("dfeta_qtlsdatehasbeenset")
    contact_row = Versioned(
        reader.id,
        bookkeeping["dqt_state"] == STATE_ACTIVE,
        bookkeeping["dqt_created_on"],
        bookkeeping["dqt_modified_on"],
        bookkeeping["dqt_version"],
    )

    versions = [contact_row.version]
    itts: list[Itt] = []
    seen: set[str] = set()
    for record in record_list(ITT, itt_records):
        row, itt = read_itt(record, reader.id, reference)
        _check_unique(ITT, "dfeta_initialteachertrainingid", row.id, seen)
        versions.append(row.version)
        if itt is not None:
            itts.append(itt)
    qtss: list[Qts] = []
    for record in record_list(QTS, qts_records):
        row, qts = read_qts(record, reader.id, reference)
        _check_unique(QTS, "dfeta_qtsregistrationid", row.id, seen)
        versions.append(row.version)
        if qts is not None:
            qtss.append(qts)

    mapper = _ContactMapper(contact_row, reference)
    try:
        routes, failures = mapper.run(qtls_date, itts, qtss)
    except _ContactFailed as failed:
        return ProfessionalStatusResult(routes=[], person=None, failures=[failed.failure])
    person = person_status(reader.id, routes, qtls_date is not None, qtls_ever_set is True, max(versions))
    return ProfessionalStatusResult(routes=routes, person=person, failures=failures)


def person_status(
    person_id: str, routes: Sequence[RouteRow], has_qtls_date: bool, qtls_ever_set: bool, version: int
) -> PersonStatusUpdate:
    """The persons professional-status columns from a contact's routes and QTLS fields (reference §5)."""

    def earliest(kind: ProfessionalStatusType) -> dt.date | None:
        dates = [
            r["holds_from"]
            for r in holding
            if r["holds_from"] is not None
            and ROUTE_TYPES_BY_ID[r["route_to_professional_status_type_id"]].professional_status_type is kind
        ]
        return min(dates, default=None)

    holding = [r for r in routes if r["status"] == RouteStatus.HOLDS]
    qtls = QtlsStatus.ACTIVE if has_qtls_date else QtlsStatus.EXPIRED if qtls_ever_set else QtlsStatus.NONE
    return {
        "person_id": person_id,
        "qts_date": earliest(ProfessionalStatusType.QTS),
        "eyts_date": earliest(ProfessionalStatusType.EYTS),
        "pqts_date": earliest(ProfessionalStatusType.PQTS),
        "has_eyps": any(
            ROUTE_TYPES_BY_ID[r["route_to_professional_status_type_id"]].professional_status_type
            is ProfessionalStatusType.EYPS
            for r in holding
        ),
        "qtls_status": int(qtls),
        "dqt_professional_status_version": version,
    }


def _check_unique(entity: str, primary_key: str, record_id: str, seen: set[str]) -> None:
    if record_id in seen:
        raise MappingError(entity, record_id, primary_key, record_id, "appears more than once")
    seen.add(record_id)


def _qts_order(qts: Qts) -> tuple[bool, bool, bool, bool, dt.datetime, str]:
    """ADR 0030: "QTS then Partial QTS then EYTS then EYPS" as the original's comment says, rows without an
    award last; ``False`` sorts first."""
    ey = qts.early_years_status.value if qts.early_years_status else None
    return (
        qts.qts_date is None,
        qts.recognition_date is None,
        qts.eyts_date is None,
        ey != EYPS_STATUS,
        qts.row.created_on,
        qts.id,
    )


def qts_order_as_run(qts: Qts) -> tuple[bool, bool, bool, bool]:
    """The order the original actually used (ascending booleans: undated rows first), for comparison."""
    ey = qts.early_years_status.value if qts.early_years_status else None
    return (qts.qts_date is not None, qts.recognition_date is not None, qts.eyts_date is not None, ey == EYPS_STATUS)


class _ContactMapper:
    """The state of §3.6 for one contact: the ITT pool, earlier results, ``hasMatchedIttQtsCombo``."""

    def __init__(self, contact: Versioned, reference: StatusReference) -> None:
        self.contact = contact
        self.reference = reference
        self.routes: list[RouteRow] = []
        self.failures: list[RouteFailure] = []
        self.pool: list[Itt] = []
        #: The ITT row (or None) of every result so far, success or failure, in order.
        self.result_itts: list[Itt | None] = []
        self.has_matched = False
        self.welsh_mapped = False

    # -- the steps ---------------------------------------------------------------------------------------
    def run(
        self, qtls_date: dt.date | None, itts: list[Itt], qtss: list[Qts]
    ) -> tuple[list[RouteRow], list[RouteFailure]]:
        if qtls_date is not None:  # 1
            self._add_route(
                "qtls", QTLS_AND_SET_MEMBERSHIP, RouteStatus.HOLDS, holds_from=qtls_date, qts=None, itt=None, ey=False
            )
        for itt in sorted(itts, key=lambda i: (i.row.created_on, i.id)):  # 2
            if itt.result in IGNORED_RESULTS:
                self._fail(FailureReason.DO_NOT_MIGRATE_ITT_RESULT, itt=itt)
            else:
                self.pool.append(itt)
        with_status = []
        for qts in sorted(qtss, key=lambda q: (q.row.created_on, q.id)):  # 3
            if qts.teacher_status is None and qts.early_years_status is None:
                self._fail(FailureReason.DO_NOT_MIGRATE_QTS_REGISTRATION_HAS_NO_STATUS, qts=qts)
            else:
                with_status.append(qts)
        for qts in sorted(with_status, key=_qts_order):  # 4, 5
            if qts.teacher_status is not None:
                self._pass(qts, ey=False)
            if qts.early_years_status is not None:
                self._pass(qts, ey=True)
        for itt in list(self.pool):  # 6
            self._left_over(itt)
        return self.routes, self.failures

    def _pass(self, qts: Qts, *, ey: bool) -> None:
        status = qts.early_years_status if ey else qts.teacher_status
        assert status is not None
        teacher_status = qts.teacher_status.value if qts.teacher_status else None
        recognition = qts.recognition_date
        if (  # a
            (teacher_status == PARTIAL_RECOGNITION_STATUS and recognition is None)
            or (teacher_status != PARTIAL_RECOGNITION_STATUS and recognition is not None)
            or (recognition is not None and (qts.qts_date is not None or qts.eyts_date is not None))
        ):
            self._fail(FailureReason.PARTIAL_RECOGNITION_IS_INVALID, qts=qts)
            return

        if ey:  # d
            award_date = qts.eyts_date
            awarded = qts.eyts_date is not None or status.value == EYPS_STATUS
        else:
            award_date = recognition if teacher_status == PARTIAL_RECOGNITION_STATUS else qts.qts_date
            awarded = qts.qts_date is not None or recognition is not None

        compatible = [i for i in self.pool if i.is_early_years is None or i.is_early_years == ey]  # b
        candidates = [i for i in compatible if i.qts_registration_id == qts.id] or compatible
        compatible_ids = tuple(sorted(i.id for i in candidates)) if len(candidates) > 1 else ()
        chosen = self._choose(candidates, ey=ey, awarded=awarded, eyps=status.value == EYPS_STATUS)  # c
        if chosen is not None:
            self.pool.remove(chosen)

        if award_date is None and (chosen is None or chosen.result is None):  # e
            self._fail(_not_migrated(chosen), qts=qts, itt=chosen, compatible=compatible_ids)
            return

        if awarded:  # f
            route_status, holds_from = RouteStatus.HOLDS, award_date
        else:
            assert chosen is not None  # by e: there is no award date here
            assert chosen.result is not None
            outcome = result_status(chosen.result)
            if isinstance(outcome, FailureReason):
                raise self._contact_failure(outcome, qts=qts, itt=chosen, compatible=compatible_ids)
            route_status, holds_from = outcome, None

        welsh = (
            not ey
            and chosen is not None
            and is_welsh(
                establishment_id=chosen.establishment_id,
                status=status.value,
                result=chosen.result,
                programme=chosen.programme_type,
                qualification=chosen.qualification,
            )
        )
        route_type = derive_route_type(
            early_years=ey,
            status=status.value,
            programme=None if chosen is None else chosen.programme_type,
            qualification=None if chosen is None else chosen.qualification,
            result=None if chosen is None else chosen.result,
            has_matched=self.has_matched,
            welsh=welsh,
        )
        if route_type is None:
            raise self._contact_failure(
                FailureReason.CANNOT_DERIVE_ROUTE, qts=qts, itt=chosen, compatible=compatible_ids
            )
        self._add_route(
            "ey" if ey else "qts", route_type, route_status, holds_from=holds_from, qts=qts, itt=chosen, ey=ey
        )
        if not ey:
            self.has_matched = True
        self.welsh_mapped = self.welsh_mapped or welsh

    def _choose(self, candidates: list[Itt], *, ey: bool, awarded: bool, eyps: bool) -> Itt | None:
        pairing = HARDCODED_PAIRINGS.get(self.contact.id)
        if pairing is not None:
            wanted = pairing.ey_itt_id if ey else pairing.qts_itt_id
            return next((i for i in candidates if i.id == wanted), None)

        def key(itt: Itt) -> tuple[bool, bool, bool, dt.datetime, str]:
            award_first = itt.result in AWARD_RESULTS and awarded
            ages_first = ey and (
                (eyps and itt.age_range_from == AGE_00 and itt.age_range_to == AGE_05)
                or (itt.age_range_from is None and itt.age_range_to is None)
            )
            return (not award_first, not ages_first, itt.programme_type is None, itt.row.created_on, itt.id)

        return min(candidates, key=key, default=None)

    def _left_over(self, itt: Itt) -> None:
        if itt.result is None:
            self._fail(_not_migrated(itt), itt=itt)
            return
        if itt.result in AWARD_RESULTS:
            if any(i is not None and i.result in AWARD_RESULTS for i in self.result_itts):
                reason = (
                    FailureReason.DO_NOT_MIGRATE_QTS_AWARDED_IN_WALES_DUPLICATE_ITT_RECORDS
                    if self.welsh_mapped
                    else FailureReason.POTENTIAL_DUPLICATE_ITT_RECORDS
                )
            else:
                reason = FailureReason.PASS_RESULT_HAS_NO_AWARD_DATE
            self._fail(reason, itt=itt)
            return
        outcome = result_status(itt.result)
        if isinstance(outcome, FailureReason):
            raise self._contact_failure(outcome, itt=itt)
        ey = itt.is_early_years is True
        route_type = derive_route_type(
            early_years=ey,
            status=None,
            programme=itt.programme_type,
            qualification=itt.qualification,
            result=itt.result,
            has_matched=self.has_matched,
        )
        if route_type is None:
            raise self._contact_failure(FailureReason.CANNOT_DERIVE_ROUTE, itt=itt)
        self._add_route("itt", route_type, outcome, holds_from=None, qts=None, itt=itt, ey=ey)

    # -- results -----------------------------------------------------------------------------------------
    def _fail(
        self,
        reason: FailureReason,
        *,
        qts: Qts | None = None,
        itt: Itt | None = None,
        compatible: tuple[str, ...] = (),
    ) -> None:
        self.failures.append(self._failure(reason, False, qts, itt, compatible))
        self.result_itts.append(itt)

    def _contact_failure(
        self,
        reason: FailureReason,
        *,
        qts: Qts | None = None,
        itt: Itt | None = None,
        compatible: tuple[str, ...] = (),
    ) -> _ContactFailed:
        return _ContactFailed(self._failure(reason, True, qts, itt, compatible))

    def _failure(
        self, reason: FailureReason, scoped: bool, qts: Qts | None, itt: Itt | None, compatible: tuple[str, ...]
    ) -> RouteFailure:
        return RouteFailure(
            reason=reason,
            person_id=self.contact.id,
            contact_scoped=scoped,
            dqt_qts_registration_id=None if qts is None else qts.id,
            dqt_initial_teacher_training_id=None if itt is None else itt.id,
            compatible_itt_ids=compatible,
        )

    def _add_route(
        self,
        kind: str,
        route_type: str,
        status: RouteStatus,
        *,
        holds_from: dt.date | None,
        qts: Qts | None,
        itt: Itt | None,
        ey: bool,
    ) -> None:
        rows = [r.row for r in (qts, itt) if r is not None] or [self.contact]
        created_on = min(r.created_on for r in rows)
        modified_on = max(r.modified_on for r in rows)
        teacher_status = None if qts is None or ey else qts.teacher_status
        ey_status = None if qts is None or not ey else qts.early_years_status
        route: RouteRow = {
            "qualification_id": route_qualification_id(
                kind, None if qts is None else qts.id, None if itt is None else itt.id, self.contact.id
            ),
            "qualification_type": QUALIFICATION_TYPE_ROUTE,
            "person_id": self.contact.id,
            "created_on": created_on,
            "updated_on": modified_on,
            "deleted_on": None,
            "route_to_professional_status_type_id": route_type,
            "status": int(status),
            "holds_from": holds_from,
            **self._training(itt),
            "exempt_from_induction": None,
            "exempt_from_induction_due_to_qts_date": None,
            "source_application_user_id": None,
            "source_application_reference": None if itt is None else itt.slug_id,
            "dqt_teacher_status_name": None if teacher_status is None else teacher_status.name,
            "dqt_teacher_status_value": None if teacher_status is None else teacher_status.value,
            "dqt_early_years_status_name": None if ey_status is None else ey_status.name,
            "dqt_early_years_status_value": None if ey_status is None else ey_status.value,
            "dqt_initial_teacher_training_id": None if itt is None else itt.id,
            "dqt_qts_registration_id": None if qts is None else qts.id,
            "dqt_age_range_from": None if itt is None else training.age_range_name(itt.age_range_from),
            "dqt_age_range_to": None if itt is None else training.age_range_name(itt.age_range_to),
            "dqt_state": STATE_ACTIVE,
            "dqt_created_on": created_on,
            "dqt_modified_on": modified_on,
            "dqt_version": max([*(r.version for r in rows), self.contact.version]),
        }
        self.routes.append(route)
        self.result_itts.append(itt)

    def _training(self, itt: Itt | None) -> TrainingColumns:
        if itt is None:
            return {
                "training_start_date": None,
                "training_end_date": None,
                "training_subject_ids": [],
                "training_age_specialism_type": None,
                "training_age_specialism_range_from": None,
                "training_age_specialism_range_to": None,
                "training_country_id": None,
                "training_provider_id": None,
                "degree_type_id": None,
            }
        specialism = training.age_specialism(itt.age_range_from, itt.age_range_to)
        return {
            "training_start_date": itt.start_date,
            "training_end_date": itt.end_date,
            "training_subject_ids": training.subject_ids(itt.subjects, self.reference),
            "training_age_specialism_type": None if specialism is None else int(specialism.type),
            "training_age_specialism_range_from": None if specialism is None else specialism.range_from,
            "training_age_specialism_range_to": None if specialism is None else specialism.range_to,
            "training_country_id": training.country_id(itt.country, self.reference),
            "training_provider_id": self._provider_id(itt),
            "degree_type_id": training.degree_type_id(itt.qualification),
        }

    def _provider_id(self, itt: Itt) -> str | None:
        if itt.establishment_id is None:
            return None
        field = "_dfeta_establishmentid_value"
        if itt.provider is None:
            raise MappingError(ITT, itt.id, field, itt.establishment_id, "is not a known ITT provider account")
        provider_id = self.reference.provider_id(itt.establishment_id, itt.provider)
        if provider_id is None:
            raise MappingError(ITT, itt.id, field, itt.establishment_id, "has no TRS training provider")
        return provider_id


def _not_migrated(itt: Itt | None) -> FailureReason:
    if itt is not None and itt.qualification == NO_QUALIFICATION_RESTRICTED_BY_GTC:
        return FailureReason.DO_NOT_MIGRATE_NO_QUALIFICATION_RESTRICTED_BY_GTC
    return FailureReason.DO_NOT_MIGRATE_ITT_RESULT
