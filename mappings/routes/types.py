"""The shapes :func:`~mappings.routes.map_professional_status` returns.

``RouteRow`` is a ``qualifications`` row of the route subtype, keyed by the TRS column names of the
professional-status reference §4.1; ``PersonStatusUpdate`` is the persons professional-status columns (an
UPDATE guarded by ``dqt_professional_status_version``, like the induction columns). Values follow
:mod:`mappings.types`: dates are ``datetime.date``, timestamps aware UTC ``datetime``s, GUIDs lower-case
``str``, enums ``int``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypedDict

from mappings.reference.routes import FailureReason
from mappings.types import Bookkeeping


class TrainingColumns(TypedDict):
    """The training columns of a route, from its ITT row (all null, and no subjects, without one)."""

    training_start_date: dt.date | None
    training_end_date: dt.date | None
    training_subject_ids: list[str]
    training_age_specialism_type: int | None
    training_age_specialism_range_from: int | None
    training_age_specialism_range_to: int | None
    training_country_id: str | None
    training_provider_id: str | None
    degree_type_id: str | None


class RouteRow(Bookkeeping, TrainingColumns):
    """A ``qualifications`` row with ``qualification_type`` 1 (RouteToProfessionalStatus).

    ``dqt_state`` is always 0 (only active DQT rows make routes); ``dqt_created_on``/``created_on`` are the
    earliest ``createdon`` of the DQT rows it comes from, ``dqt_modified_on``/``updated_on`` the latest
    ``modifiedon``, ``dqt_version`` the largest ``versionnumber`` of those rows and the contact.
    """

    qualification_id: str
    qualification_type: int
    person_id: str
    created_on: dt.datetime
    updated_on: dt.datetime
    deleted_on: dt.datetime | None
    route_to_professional_status_type_id: str
    status: int
    holds_from: dt.date | None
    exempt_from_induction: bool | None
    exempt_from_induction_due_to_qts_date: bool | None
    source_application_user_id: str | None
    source_application_reference: str | None
    dqt_teacher_status_name: str | None
    dqt_teacher_status_value: str | None
    dqt_early_years_status_name: str | None
    dqt_early_years_status_value: str | None
    dqt_initial_teacher_training_id: str | None
    dqt_qts_registration_id: str | None
    dqt_age_range_from: str | None
    dqt_age_range_to: str | None


class PersonStatusUpdate(TypedDict):
    """The persons professional-status columns derived from one contact's routes (reference §5, phase 2).

    ``qts_date``/``eyts_date``/``pqts_date``: the earliest ``holds_from`` of a Holds route of that
    professional status type (QTLS counts as QTS); ``has_eyps``: any Holds EYPS-type route; ``qtls_status``
    from the contact's QTLS fields (Active 2 / Expired 1 / None 0). ``dqt_professional_status_version`` is
    the newer-wins key: the largest ``versionnumber`` of the contact and all its ITT and QTS rows.
    """

    person_id: str
    qts_date: dt.date | None
    eyts_date: dt.date | None
    pqts_date: dt.date | None
    has_eyps: bool
    qtls_status: int
    dqt_professional_status_version: int


@dataclass(frozen=True, slots=True)
class RouteFailure:
    """A documented reason (§3.9) why DQT rows did not become a route; holds ids and codes only, no personal data.

    ``contact_scoped`` failures (CannotDeriveRoute, CannotMapStatus, Pass/ApprovedResultHasNoAwardDate from the
    status step) discard every route of the contact; the others concern the named rows only.
    ``compatible_itt_ids`` lists the candidate ITT rows when there was more than one.
    """

    reason: FailureReason
    person_id: str
    contact_scoped: bool
    dqt_qts_registration_id: str | None = None
    dqt_initial_teacher_training_id: str | None = None
    compatible_itt_ids: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """A log-safe one-line description."""
        scope = "contact" if self.contact_scoped else "rows"
        parts = [f"{self.reason.value} ({scope}) for contact {self.person_id}"]
        if self.dqt_qts_registration_id:
            parts.append(f"dfeta_qtsregistration {self.dqt_qts_registration_id}")
        if self.dqt_initial_teacher_training_id:
            parts.append(f"dfeta_initialteachertraining {self.dqt_initial_teacher_training_id}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ProfessionalStatusResult:
    """Everything one contact's professional status maps to.

    When a contact-scoped failure occurs, ``routes`` is empty, ``person`` is ``None`` (leave the person's
    columns and routes as they are) and ``failures`` holds that one failure; otherwise ``routes`` is the
    contact's complete set (replace the person's route rows with it) and ``failures`` the row-scoped ones.
    """

    routes: list[RouteRow] = field(default_factory=list)
    person: PersonStatusUpdate | None = None
    failures: list[RouteFailure] = field(default_factory=list)

    @property
    def contact_failed(self) -> bool:
        return any(f.contact_scoped for f in self.failures)
