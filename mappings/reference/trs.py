"""TRS's side of the reference data: seeded tables, enum values, and the DQT → TRS lookup tables.

This module is the one place these facts live. The mapping functions look values up here instead of
branching on them, and ``trs_store``'s migrations seed their tables from ``trs_seed.json``, which is
generated from this module (``python -m mappings.reference.seed``) and checked against it by a unit test,
because ``trs_store`` may not import ``mappings``.

Sources (data dictionary §3, which cites ``DFE-Digital/teaching-record-system``):

- providers and the establishment table: §3.4 (``MandatoryQualificationProvider.cs@932edfafc``);
- alert categories and types: §3.6/§3.7 (``Snapshot@e5c285771``); ``display_order`` is the real one after
  ``Mig/20241007144351_DuplicateAlertType``: numbered per category for active types, NULL for inactive ones;
- induction exemption reasons: the ``InductionExemptionReasons`` seed migration (all 17 full ids), the
  DQT → TRS table from ``TryMapDqtInductionExemptionReason`` (``Helper@fc8d409c9``), and
  ``InductionExemptionReason.PassedInWalesId`` (``39550fa9…``) for DQT's Wales reason;
- enum values: ``MandatoryQualificationStatus``, ``MandatoryQualificationSpecialism``, ``Gender``,
  ``InductionStatus``, ``PersonStatus``, ``ProhibitionLevel`` in ``Core/Models``;
- the specialism remap by establishment: ``MandatoryQualificationSpecialism.cs@932edfafc``, re-keyed on
  ``dfeta_value`` as its authors intended (see ``docs/adr/0012-specialism-remap-keyed-by-value.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import Final

# --- TRS enums (stored as plain ints) -------------------------------------------------------------------


class MqStatus(IntEnum):
    """``qualifications.mq_status`` (``MandatoryQualificationStatus``)."""

    IN_PROGRESS = 0
    PASSED = 1
    DEFERRED = 2
    EXTENDED = 3
    FAILED = 4
    WITHDRAWN = 5


class MqSpecialism(IntEnum):
    """``qualifications.mq_specialism`` (``MandatoryQualificationSpecialism``)."""

    AUDITORY = 0
    DEAF_EDUCATION = 1
    HEARING = 2
    MULTI_SENSORY = 3
    NOT_APPLICABLE = 4
    VISUAL = 5


class Gender(IntEnum):
    """``persons.gender``."""

    MALE = 1
    FEMALE = 2
    OTHER = 3
    NOT_AVAILABLE = 4


class InductionStatus(IntEnum):
    """``persons.induction_status``; the declaration order is not the priority order (see below)."""

    NONE = 0
    REQUIRED_TO_COMPLETE = 1
    EXEMPT = 2
    IN_PROGRESS = 3
    PASSED = 4
    FAILED = 5
    FAILED_IN_WALES = 6


class PersonStatus(IntEnum):
    """``persons.status``."""

    ACTIVE = 0
    DEACTIVATED = 1


class ProhibitionLevel(IntEnum):
    """``alert_types.prohibition_level``."""

    NONE = 0
    TEACHING = 1
    RESTRICT = 2
    NOTIFY = 3
    LEADERSHIP_POSITIONS = 4


#: ``qualifications.qualification_type`` of a mandatory qualification (the TPH discriminator).
QUALIFICATION_TYPE_MANDATORY: Final = 0

#: Induction status priority, lower is higher priority (``InductionStatus.cs@fc8d409c9``).
INDUCTION_STATUS_PRIORITY: Final = MappingProxyType(
    {
        InductionStatus.FAILED: 0,
        InductionStatus.PASSED: 1,
        InductionStatus.EXEMPT: 2,
        InductionStatus.IN_PROGRESS: 3,
        InductionStatus.FAILED_IN_WALES: 4,
        InductionStatus.REQUIRED_TO_COMPLETE: 5,
        InductionStatus.NONE: 6,
    }
)


# --- seeded tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Provider:
    """A ``mandatory_qualification_providers`` row."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class AlertCategory:
    """An ``alert_categories`` row."""

    id: str
    name: str
    display_order: int


@dataclass(frozen=True, slots=True)
class AlertType:
    """An ``alert_types`` row; ``sanction_code`` is the DQT ``dfeta_sanctioncode.dfeta_value`` it maps from."""

    id: str
    sanction_code: str
    name: str
    category_id: str
    prohibition_level: ProhibitionLevel
    internal_only: bool
    is_active: bool
    display_order: int | None


@dataclass(frozen=True, slots=True)
class InductionExemptionReason:
    """An ``induction_exemption_reasons`` row."""

    id: str
    name: str
    is_active: bool


BIRMINGHAM: Final = Provider("e28ea41d-408d-4c89-90cc-8b9b04ac68f5", "University of Birmingham")
LEEDS: Final = Provider("89f9a1aa-3d68-4985-a4ce-403b6044c18c", "University of Leeds")
MANCHESTER: Final = Provider("aa5c300e-3b7c-456c-8183-3520b3d55dca", "University of Manchester")
EDINBURGH: Final = Provider("fbf22e04-b274-4c80-aba8-79fb6a7a32ce", "University of Edinburgh")
LIVERPOOL_JM: Final = Provider("26204149-349c-4ad6-9466-bb9b83723eae", "Liverpool John Moores University")
OXFORD: Final = Provider("0c30f666-647c-4ea8-8883-0fc6010b56be", "University of Oxford/Oxford Polytechnic")
CAMBRIDGE: Final = Provider("d0e6d54c-5e90-438a-945d-f97388c2b352", "University of Cambridge")
NEWCASTLE: Final = Provider("aec32252-ef25-452e-a358-34a04e03369c", "University of Newcastle-upon-Tyne")
PLYMOUTH: Final = Provider("d9ee7054-7fde-4cfd-9a5e-4b99511d1b3d", "University of Plymouth")
HERTFORDSHIRE: Final = Provider("707d58ca-1953-413b-9a46-41e9b0be885e", "University of Hertfordshire")
LONDON: Final = Provider("3fc648a7-18e4-49e7-8a4b-1612616b72d5", "University of London")
BRISTOL_POLY: Final = Provider("374dceb8-8224-45b8-b7dc-a6b0282b1065", "Bristol Polytechnic")
SWANSEA: Final = Provider("d4fc958b-21de-47ec-9f03-36ae237a1b11", "University College, Swansea")
MARY_HARE: Final = Provider("f417e73e-e2ad-40eb-85e3-55865be7f6be", "Mary Hare School / University of Hertfordshire")

#: The 14 ``mandatory_qualification_providers`` rows (Mary Hare exists only in TRS).
PROVIDERS: Final[tuple[Provider, ...]] = (
    BIRMINGHAM, LEEDS, MANCHESTER, EDINBURGH, LIVERPOOL_JM, OXFORD, CAMBRIDGE, NEWCASTLE, PLYMOUTH,
    HERTFORDSHIRE, LONDON, BRISTOL_POLY, SWANSEA, MARY_HARE,
)  # fmt: skip

#: DQT ``dfeta_mqestablishment.dfeta_value`` → TRS provider id, for the 23 of 40 values that have one.
#: The other 17 (10, 100, 110, 130, 170, 190, 200, 220, 230, 240, 40, 60, 70, 80, 950, 952, 953) map to no
#: provider: the MQ keeps ``dqt_mq_establishment_id`` and gets ``mq_provider_id`` NULL.
ESTABLISHMENT_PROVIDERS: Final = MappingProxyType(
    {
        **dict.fromkeys(("955", "210", "180", "160", "120", "20", "30"), BIRMINGHAM.id),
        "959": LEEDS.id,
        **dict.fromkeys(("961", "150"), MANCHESTER.id),
        "957": EDINBURGH.id,
        "964": LIVERPOOL_JM.id,
        "963": OXFORD.id,
        "956": CAMBRIDGE.id,
        "962": NEWCASTLE.id,
        **dict.fromkeys(("965", "90"), PLYMOUTH.id),
        **dict.fromkeys(("958", "140"), HERTFORDSHIRE.id),
        **dict.fromkeys(("960", "50"), LONDON.id),
        "951": BRISTOL_POLY.id,
        "954": SWANSEA.id,
    }
)

EEA_DECISION: Final = AlertCategory("ee78d44d-abf8-44a9-b22b-87a821f8d3c9", "EEA Decision", 1)
FAILED_INDUCTION: Final = AlertCategory("0ae0707b-1503-477d-bc0f-1505ed95dbdf", "Failed induction", 2)
FLAG: Final = AlertCategory("768c9eb4-355b-4491-bb20-67eb59a97579", "Flag", 3)
GTC_DECISION: Final = AlertCategory("06d98708-b52d-496a-aaa7-c1d7d2ca8b24", "GTC Decision", 4)
GTC_PROHIBITION: Final = AlertCategory("70b7d473-2ec8-4643-bfd4-d4ab9a9a0988", "GTC Prohibition from teaching", 5)
GTC_RESTRICTION: Final = AlertCategory("790410c1-b884-4cdd-8db9-64a042ab54ae", "GTC Restriction", 6)
PROHIBITION: Final = AlertCategory("b2b19019-b165-47a3-8745-3297ff152581", "Prohibition from teaching", 7)
RESTRICTED_DBS: Final = AlertCategory("e8a9ee91-bf7f-4f70-bc66-a644d522384e", "Restricted/DBS", 8)
RESTRICTION: Final = AlertCategory("cbf7633f-3904-407d-8371-42a473fa641f", "Restriction", 9)
SECTION_128: Final = AlertCategory("38df5a00-94ab-486f-8905-d5b2eac04000", "Section 128 (SoS)", 10)
SOS_RESTRICTION: Final = AlertCategory("e4057fc2-a010-42a9-8cb2-7dcc5c9b5fa7", "SoS Restriction", 11)
TRA_DECISION: Final = AlertCategory("227b75e5-bb98-496c-8860-1baea37aa5c6", "TRA Decision (SoS)", 12)

#: The 12 ``alert_categories`` rows.
ALERT_CATEGORIES: Final[tuple[AlertCategory, ...]] = (
    EEA_DECISION, FAILED_INDUCTION, FLAG, GTC_DECISION, GTC_PROHIBITION, GTC_RESTRICTION, PROHIBITION,
    RESTRICTED_DBS, RESTRICTION, SECTION_128, SOS_RESTRICTION, TRA_DECISION,
)  # fmt: skip

_PL = ProhibitionLevel


def _types(
    rows: list[tuple[str, str, str, AlertCategory, ProhibitionLevel, bool, bool, int | None]],
) -> tuple[AlertType, ...]:
    return tuple(
        AlertType(id_, code, name, category.id, level, internal_only, active, order)
        for code, name, id_, category, level, active, internal_only, order in rows
    )


#: The 45 ``alert_types`` rows: (code, name, id, category, prohibition level, is_active, internal_only,
#: display_order).
ALERT_TYPES: Final = _types(
    [
        ("A1A", "Prohibition Order - unacceptable professional conduct - Ineligible to reapply",
         "fa6bd220-61b0-41fc-9066-421b3b9d7885", GTC_PROHIBITION, _PL.TEACHING, False, False, None),
        ("A1B", "Prohibition Order - unacceptable professional conduct - Eligible to reapply after specified time",
         "e3658a61-bee2-4df1-9a26-e010681ee310", GTC_PROHIBITION, _PL.TEACHING, False, False, None),
        ("A2", "Suspension order - unacceptable professional conduct - without conditions",
         "872d7700-aa6f-435e-b5f9-821fb087962a", GTC_RESTRICTION, _PL.RESTRICT, False, False, None),
        ("A3", "Conditional Registration Order - unacceptable professional conduct",
         "3499860a-a0fb-43e3-878e-c226d14150b0", GTC_DECISION, _PL.RESTRICT, False, False, None),
        ("A4", "Reprimand - unacceptable professional conduct",
         "0ae8d4b6-ec9b-47ca-9338-6dae9192afe5", GTC_DECISION, _PL.NONE, False, True, None),
        ("A5A", "Prohibition Order - serious professional incompetence - Ineligible to reapply",
         "c02bdc3a-7a19-4034-aa23-3a23c54e1d34", GTC_PROHIBITION, _PL.TEACHING, False, False, None),
        ("A5B", "Prohibition Order - serious professional incompetence - Eligible to reapply after specified time",
         "cac68337-3f95-4475-97cf-1381e6b74700", GTC_PROHIBITION, _PL.TEACHING, False, False, None),
        ("A6", "Suspension order - serious professional incompetence - without conditions",
         "a6f51ccc-a19c-4dc2-ba80-ffb7a95ff2ee", GTC_RESTRICTION, _PL.RESTRICT, False, False, None),
        ("A7", "Conditional Registration Order - serious professional incompetence",
         "1ebd1620-293d-4169-ba78-0b41a6413ad9", GTC_DECISION, _PL.RESTRICT, False, False, None),
        ("A8", "Reprimand - serious professional incompetence",
         "3f7de5fd-05a8-404f-a97c-428f54e81322", GTC_DECISION, _PL.NONE, False, True, None),
        ("A11", "No Sanction - unacceptable professional conduct",
         "78f88de2-9ec1-41b8-948a-33bdff223206", GTC_DECISION, _PL.NONE, False, True, None),
        ("A12", "No Sanction - serious professional incompetence",
         "b6c8d8f1-723e-49a5-9551-25805e3e29b9", GTC_DECISION, _PL.NONE, False, True, None),
        ("A13", "Suspension order - unacceptable professional conduct - with conditions",
         "1a2b06ae-7e9f-4761-b95d-397ca5da4b13", GTC_RESTRICTION, _PL.RESTRICT, False, False, None),
        ("A14", "Suspension order - serious professional incompetence - with conditions",
         "50508749-7a6b-4175-8538-9a1e55692efd", GTC_RESTRICTION, _PL.RESTRICT, False, False, None),
        ("A15", "For internal information only - historic GTC finding of unsuitable for registration",
         "552ee226-a3a9-4dc3-8d04-0b7e4f641b51", GTC_DECISION, _PL.NONE, False, True, None),
        ("A16", "No Sanction - conviction for a relevant offence",
         "0740f9eb-ece3-4394-a230-453da224d337", GTC_DECISION, _PL.NONE, False, True, None),
        ("A17", "Reprimand - conviction of a relevant offence",
         "fcff87d6-88f5-4fc5-ac81-5350b4fdd9e1", GTC_DECISION, _PL.NONE, False, True, None),
        ("A18", "Conditional Registration Order - conviction of a relevant offence",
         "a6fc9f2e-8923-4163-978e-93bd901d146f", GTC_DECISION, _PL.RESTRICT, False, False, None),
        ("A19", "Suspension order - conviction of a relevant offence - without conditions",
         "af65c236-47a6-427b-8e4b-930de6d256f0", GTC_RESTRICTION, _PL.RESTRICT, False, False, None),
        ("A20", "Suspension order - conviction of a relevant offence - with conditions",
         "d372fcfa-1c4a-4fed-84c8-4c7885575681", GTC_RESTRICTION, _PL.RESTRICT, False, False, None),
        ("A21A", "Prohibition Order - conviction of a relevant offence - ineligible to reapply",
         "950d3eed-bef5-448a-b0f0-bf9c54f2103b", GTC_PROHIBITION, _PL.TEACHING, False, False, None),
        ("A21B", "Prohibition Order - conviction of a relevant offence - eligible to reapply after specified time",
         "72e48b6a-e781-4bf3-910b-91f2d28f2eaa", GTC_PROHIBITION, _PL.TEACHING, False, False, None),
        ("A22", "No Sanction - breach of condition(s)",
         "33e00e46-6513-4136-adfd-1352cf34d8ec", GTC_DECISION, _PL.NONE, False, True, None),
        ("A23", "Suspension order - without conditions - (arising from breach of previous condition(s))",
         "3c5fc83b-10e1-4a15-83e6-794fce3e0b45", GTC_RESTRICTION, _PL.RESTRICT, False, False, None),
        ("A24", "Suspension order - with conditions - (arising from breach of previous condition(s))",
         "17b4fe26-7468-4702-92e5-785b861cf0fa", GTC_RESTRICTION, _PL.RESTRICT, False, False, None),
        ("B1", "Barring by the Secretary of State",
         "eab8b66d-68d0-4cb9-8e4d-bbd245648fb6", PROHIBITION, _PL.TEACHING, False, True, None),
        ("B2A", "Restricted by the Secretary of State - Permitted to work as teacher",
         "18e04dcb-fb86-4b05-8d5d-ff9c5da738dd", RESTRICTION, _PL.TEACHING, False, True, None),
        ("B2B", "Restricted by the Secretary of State - Not Permitted to work as teacher",
         "38db7946-2dbf-408e-bc48-1625829e7dfe", RESTRICTION, _PL.TEACHING, False, True, None),
        ("B3", "Prohibited by an Independent Schools Tribunal or Secretary of State",
         "8ef92c14-4b1f-4530-9189-779ad9f3cefd", PROHIBITION, _PL.TEACHING, False, False, None),
        ("B6", "Formerly on List 99",
         "993daa42-96cb-4621-bd9e-d4b195076bbe", PROHIBITION, _PL.TEACHING, False, True, None),
        ("C1", "Prohibited by the Secretary of State - failed probation",
         "651e1f56-3135-4961-bd7e-3f7b2c75cb04", FAILED_INDUCTION, _PL.TEACHING, False, False, None),
        ("C2", "Failed induction",
         "9fafaa80-f9f8-44a0-b7b3-cffedcbe0298", FAILED_INDUCTION, _PL.TEACHING, True, False, 1),
        ("C3", "Restricted by the Secretary of State - failed probation - permitted to carry out specified work for "
         "a period equal in length to a statutory induction period only",
         "5ea8bb68-4774-4ad8-b635-213a0cdda4c3", FAILED_INDUCTION, _PL.TEACHING, False, False, None),
        ("G1", "A possible matching record was found. Please contact the DBS before employing this person",
         "40794ea8-eda2-40a8-a26a-5f447aae6c99", RESTRICTED_DBS, _PL.TEACHING, True, True, 1),
        ("G2", "Formerly barred by the Independent Safeguarding Authority",
         "2c496e3f-00d3-4f0d-81f3-21458fe707b3", PROHIBITION, _PL.TEACHING, False, True, None),
        ("T1", "Prohibition by the Secretary of State - misconduct",
         "ed0cd700-3fb2-4db0-9403-ba57126090ed", PROHIBITION, _PL.TEACHING, True, False, 2),
        ("T2", "Interim prohibition by the Secretary of State",
         "a414283f-7d5b-4587-83bf-f6da8c05b8d5", PROHIBITION, _PL.TEACHING, True, False, 1),
        ("T3", "Prohibition by the Secretary of State - deregistered by GTC Scotland",
         "50feafbc-5124-4189-b06c-6463c7ebb8a8", PROHIBITION, _PL.TEACHING, True, False, 3),
        ("T4", "Prohibition by the Secretary of State - refer to the Education Workforce Council, Wales",
         "a5bd4352-2cec-4417-87a1-4b6b79d033c2", PROHIBITION, _PL.TEACHING, True, False, 5),
        ("T5", "Prohibition by the Secretary of State - refer to GTC Northern Ireland",
         "5aa21b8f-2069-43c9-8afd-05b34b02505f", PROHIBITION, _PL.TEACHING, True, False, 4),
        ("T6", "Secretary of State decision - no prohibition",
         "7924fe90-483c-49f8-84fc-674feddba848", TRA_DECISION, _PL.NONE, True, False, 1),
        ("T7", "Section 128 barring direction",
         "241eeb78-fac7-4c77-8059-c12e93dc2fae", SECTION_128, _PL.LEADERSHIP_POSITIONS, True, False, 1),
        ("T8", "Teacher sanctioned in other EEA member state",
         "2ca98658-1d5b-49d5-b05f-cc08c8b8502c", EEA_DECISION, _PL.NOTIFY, True, True, 1),
        ("T9", "FOR INTERNAL INFORMATION ONLY - see alert details",
         "ae3e385d-03f8-4f12-9ce2-006afe827d23", FLAG, _PL.NONE, True, True, 1),
        ("T10", "FOR INTERNAL USER ONLY – known duplicate record",
         "12435c00-88cb-406b-b2b8-7400c1ced7b8", FLAG, _PL.NONE, True, True, 2),
    ]
)  # fmt: skip

#: DQT ``dfeta_sanctioncode.dfeta_value`` → TRS alert type. The 21 DQT codes absent here (A9, A10, A25A,
#: A25B, A26, B4, B5, D1–D7, E1–E4, F1, Z1, Z2) have no alert type: their sanctions are skipped.
ALERT_TYPE_BY_SANCTION_CODE: Final = MappingProxyType({t.sanction_code: t for t in ALERT_TYPES})

#: The 17 ``induction_exemption_reasons`` rows, in the seed migration's order.
INDUCTION_EXEMPTION_REASONS: Final = (
    InductionExemptionReason("0997ab13-7412-4560-8191-e51ed4d58d2a",
                             "Qualified through Further Education route between 1 Sep 2001 and 1 Sep 2004", True),
    InductionExemptionReason("15014084-2d8d-4f51-9198-b0e1881f8896",
                             "Qualified between 07 May 1999 and 01 Apr 2003. First post was in Wales and lasted a "
                             "minimum of two terms.", True),
    InductionExemptionReason("204f86eb-0383-40eb-b793-6fccb76ecee2", "Exempt - Data Loss/Error Criteria", True),
    InductionExemptionReason("243b21a8-0be4-4af5-8874-85944357e7f8", "Passed induction in Jersey", True),
    InductionExemptionReason("3471ab35-e6e4-4fa9-a72b-b8bd113df591", "Passed induction in Northern Ireland", True),
    InductionExemptionReason("35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db",
                             "Exempt through QTLS status provided they maintain membership of The Society of "
                             "Education and Training", True),
    InductionExemptionReason("39550fa9-3147-489d-b808-4feea7f7f979", "Passed induction in Wales", True),
    InductionExemptionReason("42bb7bbc-a92c-4886-b319-3c1a5eac319a",
                             "Registered teacher with at least 2 years full-time teaching experience", True),
    InductionExemptionReason("4c97e211-10d2-4c63-8da9-b0fcebe7f2f9", "Overseas Trained Teacher", True),
    InductionExemptionReason("5a80cee8-98a8-426b-8422-b0e81cb49b36", "Qualified before 07 May 2000", True),
    InductionExemptionReason("7d17d904-c1c6-451b-9e09-031314bd35f7",
                             "Passed induction in Service Children's Education schools in Germany or Cyprus", True),
    InductionExemptionReason("a112e691-1694-46a7-8f33-5ec5b845c181",
                             "Has, or is eligible for, full registration in Scotland", True),
    InductionExemptionReason("a5faff9f-29ce-4a6b-a7b8-0c1f57f15920", "Exempt", True),
    InductionExemptionReason("a751494a-7e7a-4836-96cb-00b9ed6e1b5f", "Passed probationary period in Gibraltar", True),
    InductionExemptionReason("e5c3847d-8fb6-4b31-8726-812392da8c5c", "Passed induction in Isle of Man", True),
    InductionExemptionReason("e7118bab-c2b1-4fe8-ad3f-4095d73f5b85",
                             "Qualified through EEA mutual recognition route", True),
    InductionExemptionReason("fea2db23-93e0-49af-96fd-83c815c17c0b", "Passed induction in Guernsey", True),
)  # fmt: skip


# --- DQT option values → TRS values -----------------------------------------------------------------------

#: ``contact.gendercode`` → ``persons.gender``; Notprovided (389040001) maps to NULL.
GENDERS: Final = MappingProxyType(
    {
        1: Gender.MALE,
        2: Gender.FEMALE,
        389040000: Gender.OTHER,
        389040002: Gender.NOT_AVAILABLE,
        389040001: None,
    }
)

#: ``dfeta_qualification.dfeta_mq_status`` → ``qualifications.mq_status`` (§3.2).
MQ_STATUSES: Final = MappingProxyType(
    {
        389040000: MqStatus.IN_PROGRESS,
        389040004: MqStatus.PASSED,
        389040001: MqStatus.DEFERRED,
        389040002: MqStatus.EXTENDED,
        389040003: MqStatus.FAILED,
        389040005: MqStatus.WITHDRAWN,
    }
)

#: ``dfeta_specialism.dfeta_value`` → ``qualifications.mq_specialism`` (§3.3).
SPECIALISMS: Final = MappingProxyType(
    {
        "Auditory": MqSpecialism.AUDITORY,
        "Deaf education": MqSpecialism.DEAF_EDUCATION,
        "Hearing": MqSpecialism.HEARING,
        "Multi-Sensory": MqSpecialism.MULTI_SENSORY,
        "N/A": MqSpecialism.NOT_APPLICABLE,
        "Visual": MqSpecialism.VISUAL,
    }
)

_S = MqSpecialism

#: (establishment ``dfeta_value``, specialism ``dfeta_value``) → specialism, tried before :data:`SPECIALISMS`.
#: The source keyed some pairs on specialism *names* ("Visual Impairment", "Multi_Sensory Impairment",
#: "Deaf"), which never matched the values it was called with (data dictionary §9.1). Here every pair is
#: keyed on the value: "Visual Impairment" → "Visual", "Multi_Sensory Impairment" → "Multi-Sensory", and
#: "Deaf" (959, Leeds, whose course is an MA in Deaf Education) → "Deaf education". The source's two
#: explicit "no mapping" pairs, (955, "N/A") and (958, "N/A"), are absent: they fall back to SPECIALISMS.
SPECIALISM_REMAP: Final = MappingProxyType(
    {
        ("963", "Hearing"): _S.HEARING,
        ("957", "Hearing"): _S.HEARING,
        ("957", "Visual"): _S.VISUAL,
        ("150", "Hearing"): _S.HEARING,
        ("961", "Deaf education"): _S.HEARING,
        ("961", "Hearing"): _S.HEARING,
        ("961", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("210", "Multi-Sensory"): _S.MULTI_SENSORY,  # source: "Multi_Sensory Impairment"
        ("180", "Multi-Sensory"): _S.MULTI_SENSORY,  # source: "Multi_Sensory Impairment"
        ("180", "Visual"): _S.MULTI_SENSORY,  # source: "Visual Impairment"
        ("160", "Hearing"): _S.HEARING,
        ("120", "Hearing"): _S.HEARING,
        ("20", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("30", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("955", "Deaf education"): _S.HEARING,
        ("955", "Hearing"): _S.HEARING,
        ("955", "Multi-Sensory"): _S.MULTI_SENSORY,  # source: "Multi_Sensory Impairment"
        ("955", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("956", "Hearing"): _S.HEARING,
        ("956", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("964", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("964", "N/A"): _S.NOT_APPLICABLE,
        ("959", "Hearing"): _S.HEARING,
        ("959", "Deaf education"): _S.HEARING,  # source: "Deaf"
        ("959", "N/A"): _S.NOT_APPLICABLE,
        ("962", "Hearing"): _S.HEARING,
        ("90", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("965", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("140", "Hearing"): _S.HEARING,
        ("958", "Deaf education"): _S.HEARING,
        ("958", "Hearing"): _S.HEARING,
        ("960", "Hearing"): _S.HEARING,
        ("960", "Multi-Sensory"): _S.MULTI_SENSORY,  # source: "Multi_Sensory Impairment"
        ("960", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("50", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
        ("50", "Hearing"): _S.HEARING,
        ("951", "Hearing"): _S.HEARING,
        ("954", "Hearing"): _S.HEARING,
        ("954", "Visual"): _S.VISUAL,  # source: "Visual Impairment"
    }
)

_I = InductionStatus

#: ``dfeta_inductionstatus`` → ``persons.induction_status`` (§3.8); a null status is ``InductionStatus.NONE``.
INDUCTION_STATUSES: Final = MappingProxyType(
    {
        389040007: _I.REQUIRED_TO_COMPLETE,
        389040000: _I.EXEMPT,
        389040005: _I.EXEMPT,  # PassedinWales
        389040006: _I.IN_PROGRESS,
        389040003: _I.IN_PROGRESS,  # NotYetCompleted
        389040002: _I.IN_PROGRESS,  # InductionExtended
        389040004: _I.PASSED,
        389040001: _I.FAILED,
        389040008: _I.FAILED_IN_WALES,
    }
)

#: The DQT ``dfeta_inductionstatus`` value Exempt (the QTLS rule compares with it, not with the TRS status).
DQT_INDUCTION_STATUS_EXEMPT: Final = 389040000

#: ``dfeta_inductionexemptionreason`` → ``induction_exemption_reasons`` id. Extendedonappeal (389040000) and
#: IndependentRoute2000To2004 (389040015) have no TRS reason: a record carrying one fails.
INDUCTION_EXEMPTION_REASON_IDS: Final = MappingProxyType(
    {
        389040008: "a5faff9f-29ce-4a6b-a7b8-0c1f57f15920",  # Exempt
        389040009: "204f86eb-0383-40eb-b793-6fccb76ecee2",  # ExemptDataLossErrorCriteria
        389040017: "a112e691-1694-46a7-8f33-5ec5b845c181",  # Scotland
        389040010: "4c97e211-10d2-4c63-8da9-b0fcebe7f2f9",  # OverseasTrainedTeacher
        389040011: "5a80cee8-98a8-426b-8422-b0e81cb49b36",  # QualifiedBefore07May1999
        389040012: "15014084-2d8d-4f51-9198-b0e1881f8896",  # Wales1999To2003
        389040013: "e7118bab-c2b1-4fe8-ad3f-4095d73f5b85",  # EEAMutualRecognition
        389040014: "0997ab13-7412-4560-8191-e51ed4d58d2a",  # FERoute2001To2004
        389040016: "42bb7bbc-a92c-4886-b319-3c1a5eac319a",  # RegisteredTeacherWith2YearsExperience
        389040002: "fea2db23-93e0-49af-96fd-83c815c17c0b",  # Guernsey
        389040003: "e5c3847d-8fb6-4b31-8726-812392da8c5c",  # IsleOfMan
        389040004: "243b21a8-0be4-4af5-8874-85944357e7f8",  # Jersey
        389040005: "3471ab35-e6e4-4fa9-a72b-b8bd113df591",  # NorthernIreland
        389040006: "7d17d904-c1c6-451b-9e09-031314bd35f7",  # ServiceChildrensEducationGermanyCyprus
        389040007: "39550fa9-3147-489d-b808-4feea7f7f979",  # Wales (InductionExemptionReason.PassedInWalesId)
        389040001: "a751494a-7e7a-4836-96cb-00b9ed6e1b5f",  # Gibraltar
        389040018: "35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db",  # QTLSSETMembership
    }
)


# --- seed rows --------------------------------------------------------------------------------------------


def seed_tables() -> dict[str, list[dict[str, object]]]:
    """The seeded reference tables as rows keyed by the column names of ``docs/trs-schema.md``."""
    return {
        "mandatory_qualification_providers": [
            {"mandatory_qualification_provider_id": p.id, "name": p.name} for p in PROVIDERS
        ],
        "alert_categories": [
            {"alert_category_id": c.id, "name": c.name, "display_order": c.display_order} for c in ALERT_CATEGORIES
        ],
        "alert_types": [
            {
                "alert_type_id": t.id,
                "alert_category_id": t.category_id,
                "name": t.name,
                "dqt_sanction_code": t.sanction_code,
                "prohibition_level": int(t.prohibition_level),
                "internal_only": t.internal_only,
                "is_active": t.is_active,
                "display_order": t.display_order,
            }
            for t in ALERT_TYPES
        ],
        "induction_exemption_reasons": [
            {"induction_exemption_reason_id": r.id, "name": r.name, "is_active": r.is_active}
            for r in INDUCTION_EXEMPTION_REASONS
        ],
    }
