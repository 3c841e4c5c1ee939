"""The feeds the sync runs, in dependency order: which DQT entity set feeds which TRS table, and how.

A feed is one change-tracking subscription: a changes key (kept from the real TRS so a reader who knows it
recognises ``TrsDataSync:MandatoryQualification``), the entity set, the columns to ``$select``, and the
kind of apply it needs. Reference data (establishments, specialisms, sanction codes) is not a feed: it is
small, read whole at the start of every run, and only used to resolve lookups.
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
REFERENCE_SELECT: Final = ("dfeta_name", "dfeta_value", "statecode")


class ApplyKind(StrEnum):
    """How a feed's pages are applied."""

    ROWS = "rows"  # one DQT record -> one TRS row (persons, MQs, alerts)
    INDUCTION = "induction"  # re-derive the person's induction columns from contact + all its inductions
    PREVIOUS_NAMES = "previous_names"  # rebuild the person's previous names from contact + all its rows


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

#: Every feed, dependants after what they depend on (persons first).
FEEDS: Final = (PERSON, MANDATORY_QUALIFICATION, ALERT, INDUCTION, PREVIOUS_NAME)


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
