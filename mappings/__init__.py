"""Pure functions from DQT Web API records to TRS rows, with reference tables as data.

No I/O lives here: every function takes values and returns values, so the rules can be tested
exhaustively and reused by the sync, the backfill, replay and reconcile alike. The public API is what
``__all__`` lists; ``mappings/README.md`` describes it.
"""

from __future__ import annotations

from mappings.contacts import map_contact, person_warnings
from mappings.errors import MappingError, MappingFailure, ReferenceDataError
from mappings.inductions import map_induction
from mappings.lookup import ReferenceLookup
from mappings.previous_names import map_previous_names
from mappings.qualifications import map_qualification
from mappings.routes import (
    InductionExemptions,
    PersonStatusUpdate,
    ProfessionalStatusResult,
    RouteFailure,
    RouteRow,
    StatusReference,
    TrainingReferenceRows,
    apply_induction_exemptions,
    map_professional_status,
    move_induction_exemptions,
    training_reference_rows,
    with_storable_countries,
)
from mappings.sanctions import map_sanction
from mappings.types import (
    AlertRow,
    DataWarning,
    Ignored,
    InductionUpdate,
    MqRow,
    PersonRow,
    PreviousNameRow,
    Record,
    Skipped,
)
from mappings.version import MAPPING_VERSION

__all__ = [
    "MAPPING_VERSION",
    "AlertRow",
    "DataWarning",
    "Ignored",
    "InductionUpdate",
    "MappingError",
    "MappingFailure",
    "MqRow",
    "PersonRow",
    "PreviousNameRow",
    "Record",
    "ReferenceDataError",
    "ReferenceLookup",
    "Skipped",
    "map_contact",
    "map_induction",
    "map_previous_names",
    "map_qualification",
    "map_sanction",
    "person_warnings",
]
__all__ += [
    "InductionExemptions",
    "PersonStatusUpdate",
    "ProfessionalStatusResult",
    "RouteFailure",
    "RouteRow",
    "StatusReference",
    "TrainingReferenceRows",
    "apply_induction_exemptions",
    "map_professional_status",
    "move_induction_exemptions",
    "training_reference_rows",
    "with_storable_countries",
]
