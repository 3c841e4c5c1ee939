"""The feeds the sync runs, in dependency order: which DQT entity set feeds which TRS table, and how.

A feed is one change-tracking subscription: a changes key (kept from the real TRS so a reader who knows it
recognises ``TrsDataSync:MandatoryQualification``), the entity set, the columns to ``$select``, and the
kind of apply it needs. Reference data (establishments, specialisms, sanction codes; teacher and early-years
statuses, ITT subjects and qualifications, countries, ITT providers) is not a feed: it is small, read whole at
the start of every run, and only used to resolve lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bridge.errors import CommandRejected

#: Columns every synced record needs for bookkeeping and newer-wins.
BOOKKEEPING: Final = ("statecode", "statuscode", "createdon", "modifiedon", "versionnumber")

CONTACT_SELECT: Final = (
    "contactid",
    *BOOKKEEPING,
    "dfeta_trn",
    "firstname",
    "middlename",
    "lastname",
    "dfeta_statedfirstname",
    "dfeta_statedmiddlename",
    "dfeta_statedlastname",
    "birthdate",
    "emailaddress1",
    "dfeta_ninumber",
    "gendercode",
    "_dfeta_mergedwith_value",
    "dfeta_capitatrnchangedon",
    "dfeta_trnrequestid",
    "dfeta_allowpiiupdatesfromregister",
    "dfeta_allowidsigninwithprohibitions",
    "dfeta_inductionstatus",
    "dfeta_qtsdate",
    "dfeta_qtlsdate",
    "dfeta_qtlsdatehasbeenset",
    "dfeta_trsevent",  # the TRS event of a write-back: how the sync recognises the relay's own writes (ADR 0074)
)
QUALIFICATION_SELECT: Final = (
    "dfeta_qualificationid",
    *BOOKKEEPING,
    "dfeta_type",
    "_dfeta_personid_value",
    "_dfeta_mq_specialismid_value",
    "_dfeta_mq_mqestablishmentid_value",
    "dfeta_mq_status",
    "dfeta_mqstartdate",
    "dfeta_mq_date",
    "dfeta_trsevent",
)
SANCTION_SELECT: Final = (
    "dfeta_sanctionid",
    *BOOKKEEPING,
    "_dfeta_personid_value",
    "_dfeta_sanctioncodeid_value",
    "dfeta_startdate",
    "dfeta_enddate",
    "dfeta_sanctiondetails",
    "dfeta_detailslink",
    "dfeta_spent",
)
INDUCTION_SELECT: Final = (
    "dfeta_inductionid",
    *BOOKKEEPING,
    "_dfeta_personid_value",
    "dfeta_startdate",
    "dfeta_completiondate",
    "dfeta_inductionstatus",
    "dfeta_inductionexemptionreason",
)
PREVIOUS_NAME_SELECT: Final = (
    "dfeta_previousnameid",
    *BOOKKEEPING,
    "_dfeta_personid_value",
    "dfeta_type",
    "dfeta_name",
    "dfeta_changedon",
)
INITIAL_TEACHER_TRAINING_SELECT: Final = (
    "dfeta_initialteachertrainingid",
    *BOOKKEEPING,
    "_dfeta_personid_value",
    "dfeta_programmetype",
    "dfeta_result",
    "dfeta_programmestartdate",
    "dfeta_programmeenddate",
    "_dfeta_establishmentid_value",
    "_dfeta_subject1id_value",
    "_dfeta_subject2id_value",
    "_dfeta_subject3id_value",
    "dfeta_agerangefrom",
    "dfeta_agerangeto",
    "_dfeta_ittqualificationid_value",
    "_dfeta_countryid_value",
    "_dfeta_qtsregistration_value",
    "dfeta_slugid",
)
QTS_REGISTRATION_SELECT: Final = (
    "dfeta_qtsregistrationid",
    *BOOKKEEPING,
    "_dfeta_personid_value",
    "_dfeta_teacherstatusid_value",
    "_dfeta_earlyyearsstatusid_value",
    "dfeta_qtsdate",
    "dfeta_eytsdate",
    "dfeta_dateofrecognition",
)
REFERENCE_SELECT: Final = ("dfeta_name", "dfeta_value", "statecode")


class ApplyKind(StrEnum):
    """How a feed's pages are applied."""

    ROWS = "rows"  # one DQT record -> one TRS row (persons, MQs, alerts)
    INDUCTION = "induction"  # re-derive the person's induction columns from contact + all its inductions
    PREVIOUS_NAMES = "previous_names"  # rebuild the person's previous names from contact + all its rows
    PROFESSIONAL_STATUS = "professional_status"  # rebuild routes + status from contact + all its ITT and QTS rows


@dataclass(frozen=True, slots=True)
class Feed:
    """One change-tracking feed from a DQT entity set into TRS."""

    name: str
    entity_set: str
    primary_id: str
    changes_key: str
    select: tuple[str, ...]
    kind: ApplyKind
    table: str
    #: Whether a full pass may remove TRS rows that DQT no longer has (not for column feeds like induction).
    sweeps: bool = True


PERSON: Final = Feed("person", "contacts", "contactid", "TrsDataSync", CONTACT_SELECT, ApplyKind.ROWS, "persons")
MANDATORY_QUALIFICATION: Final = Feed(
    "mandatory_qualification",
    "dfeta_qualifications",
    "dfeta_qualificationid",
    "TrsDataSync:MandatoryQualification",
    QUALIFICATION_SELECT,
    ApplyKind.ROWS,
    "qualifications",
)
ALERT: Final = Feed(
    "alert", "dfeta_sanctions", "dfeta_sanctionid", "TrsDataSync:Alert", SANCTION_SELECT, ApplyKind.ROWS, "alerts"
)
INDUCTION: Final = Feed(
    "induction",
    "dfeta_inductions",
    "dfeta_inductionid",
    "TrsDataSync:Induction",
    INDUCTION_SELECT,
    ApplyKind.INDUCTION,
    "persons",
    sweeps=False,
)
PREVIOUS_NAME: Final = Feed(
    "previous_name",
    "dfeta_previousnames",
    "dfeta_previousnameid",
    "TrsDataSync:PreviousName",
    PREVIOUS_NAME_SELECT,
    ApplyKind.PREVIOUS_NAMES,
    "previous_names",
)

# Professional status (ADR 0061): two feeds, one per entity set, both rebuilding whole persons (their contact,
# all its ITT rows and QTS registrations). Contacts' QTLS changes reach it through the person feed. No sweep:
# their table is shared with MQs; a full pass ends by rebuilding the persons it did not see instead.
INITIAL_TEACHER_TRAINING: Final = Feed(
    "initial_teacher_training",
    "dfeta_initialteachertrainings",
    "dfeta_initialteachertrainingid",
    "TrsDataSync:InitialTeacherTraining",
    INITIAL_TEACHER_TRAINING_SELECT,
    ApplyKind.PROFESSIONAL_STATUS,
    "qualifications",
    sweeps=False,
)
QTS_REGISTRATION: Final = Feed(
    "qts_registration",
    "dfeta_qtsregistrations",
    "dfeta_qtsregistrationid",
    "TrsDataSync:QtsRegistration",
    QTS_REGISTRATION_SELECT,
    ApplyKind.PROFESSIONAL_STATUS,
    "qualifications",
    sweeps=False,
)

#: Every feed, dependants after what they depend on (persons first).
FEEDS: Final = (
    PERSON,
    MANDATORY_QUALIFICATION,
    ALERT,
    INDUCTION,
    PREVIOUS_NAME,
    INITIAL_TEACHER_TRAINING,
    QTS_REGISTRATION,
)


def resolve_feeds(names: list[str] | None) -> list[Feed]:
    """The feeds named (by feed name or entity set), in dependency order; all of them when ``names`` is empty."""
    if not names:
        return list(FEEDS)
    by_name = {f.name: f for f in FEEDS} | {f.entity_set: f for f in FEEDS}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        choices = ", ".join(f"{f.name} ({f.entity_set})" for f in FEEDS)
        raise CommandRejected(f"unknown entity {', '.join(unknown)}; choose from {choices}")
    wanted = {by_name[n] for n in names}
    return [f for f in FEEDS if f in wanted]
