"""SQLAlchemy 2 models of the TRS tables the bridge fills and of the bridge's own tables.

``metadata`` is the whole schema; the Alembic migrations in ``trs_store/migrations`` create exactly this
(a test compares them on both engines).
"""

from __future__ import annotations

from sqlalchemy import MetaData

from trs_store.models.base import DQT_ID_COLUMN, Base, DqtBookkeeping
from trs_store.models.bridge import ChangeJournalRow, FailedRecordRow, SyncRunRow
from trs_store.models.events import Event
from trs_store.models.operations import BackfillRunRow, BackfillShardRow, FeedPauseRow
from trs_store.models.professional_status import ProfessionalStatusSource, RouteNotMigrated
from trs_store.models.records import Alert, Person, PreviousName, Qualification
from trs_store.models.reference import (
    AlertCategory,
    AlertType,
    Country,
    DegreeType,
    InductionExemptionReason,
    MandatoryQualificationProvider,
    RouteToProfessionalStatusType,
    TrainingProvider,
    TrainingSubject,
)
from trs_store.models.writeback import ConflictRow, OutboxMessageRow

metadata: MetaData = Base.metadata

__all__ = [
    "DQT_ID_COLUMN",
    "Alert",
    "AlertCategory",
    "AlertType",
    "BackfillRunRow",
    "BackfillShardRow",
    "Base",
    "ChangeJournalRow",
    "ConflictRow",
    "Country",
    "DegreeType",
    "DqtBookkeeping",
    "Event",
    "FailedRecordRow",
    "FeedPauseRow",
    "InductionExemptionReason",
    "MandatoryQualificationProvider",
    "OutboxMessageRow",
    "Person",
    "PreviousName",
    "ProfessionalStatusSource",
    "Qualification",
    "RouteNotMigrated",
    "RouteToProfessionalStatusType",
    "SyncRunRow",
    "TrainingProvider",
    "TrainingSubject",
    "metadata",
]
