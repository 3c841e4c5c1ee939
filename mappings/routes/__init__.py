"""Professional status: a contact's ITT rows, QTS registrations and QTLS date → TRS routes and the persons
professional-status columns (``/work/shared/reference/professional-status.md``; ADRs 0030–0036).

The public API is what ``__all__`` lists; ``mappings/README.md`` describes it. The tables are data in
:mod:`mappings.reference.routes`.
"""

from __future__ import annotations

from mappings.routes.derive import Candidates, candidates, derive_route_type, precedence, result_status
from mappings.routes.exemptions import (
    QUALIFIED_BEFORE_2000_REASON,
    ExemptionMove,
    InductionExemptions,
    apply_induction_exemptions,
    move_induction_exemptions,
)
from mappings.routes.mapper import map_professional_status, person_status, route_qualification_id
from mappings.routes.reference import Coded, ProviderAccount, StatusReference, training_subject_id
from mappings.routes.training import AgeSpecialism, age_specialism
from mappings.routes.training_reference import (
    COUNTRY_ID_LENGTH,
    CountryRow,
    TrainingProviderRow,
    TrainingReferenceRows,
    TrainingSubjectRow,
    training_reference_rows,
    trs_country_code,
    with_storable_countries,
)
from mappings.routes.types import (
    PersonStatusUpdate,
    ProfessionalStatusResult,
    RouteFailure,
    RouteRow,
    TrainingColumns,
)

__all__ = [
    "COUNTRY_ID_LENGTH",
    "QUALIFIED_BEFORE_2000_REASON",
    "AgeSpecialism",
    "Candidates",
    "Coded",
    "CountryRow",
    "ExemptionMove",
    "InductionExemptions",
    "PersonStatusUpdate",
    "ProfessionalStatusResult",
    "ProviderAccount",
    "RouteFailure",
    "RouteRow",
    "StatusReference",
    "TrainingColumns",
    "TrainingProviderRow",
    "TrainingReferenceRows",
    "TrainingSubjectRow",
    "age_specialism",
    "apply_induction_exemptions",
    "candidates",
    "derive_route_type",
    "map_professional_status",
    "move_induction_exemptions",
    "person_status",
    "precedence",
    "result_status",
    "route_qualification_id",
    "training_reference_rows",
    "training_subject_id",
    "trs_country_code",
    "with_storable_countries",
]
