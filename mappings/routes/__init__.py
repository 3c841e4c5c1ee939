"""Professional status: a contact's ITT rows, QTS registrations and QTLS date → TRS routes and the persons
professional-status columns (``/work/shared/reference/professional-status.md``; ADRs 0030–0036).

The public API is what ``__all__`` lists; ``mappings/README.md`` describes it. The tables are data in
:mod:`mappings.reference.routes`.
"""

from __future__ import annotations

from mappings.routes.derive import Candidates, candidates, derive_route_type, precedence, result_status
from mappings.routes.mapper import (
    apply_induction_exemptions,
    map_professional_status,
    person_status,
    route_qualification_id,
)
from mappings.routes.reference import Coded, ProviderAccount, StatusReference, training_subject_id
from mappings.routes.training import AgeSpecialism, age_specialism
from mappings.routes.types import (
    PersonStatusUpdate,
    ProfessionalStatusResult,
    RouteFailure,
    RouteRow,
    TrainingColumns,
)

__all__ = [
    "AgeSpecialism",
    "Candidates",
    "Coded",
    "PersonStatusUpdate",
    "ProfessionalStatusResult",
    "ProviderAccount",
    "RouteFailure",
    "RouteRow",
    "StatusReference",
    "TrainingColumns",
    "age_specialism",
    "apply_induction_exemptions",
    "candidates",
    "derive_route_type",
    "map_professional_status",
    "person_status",
    "precedence",
    "result_status",
    "route_qualification_id",
    "training_subject_id",
]
