"""DQT reference rows and option sets, with their real values.

Sources: ``Core/LegacyDataCache.cs@f7853148e`` (MQ establishments, specialisms, sanction codes) and
``GeneratedOptionSets.cs@fc8d409c9`` (option values), as summarised in the data dictionary §3.

DQT's reference rows are identified by GUIDs that differ per environment; we derive stable ones
(uuid5 over entity and ``dfeta_value``) so that the simulator, generated data and tests agree without a
lookup table of random ids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

#: Namespace for the stable GUIDs of DQT reference rows (never change it: generated data depends on it).
REFERENCE_NAMESPACE: Final = uuid.UUID("5f0b6d0e-6a3c-4c0f-9a57-1d0a2f6f3b11")


def reference_id(logical_name: str, value: str) -> str:
    """The stable GUID of the reference row ``logical_name`` whose ``dfeta_value`` is ``value``."""
    return str(uuid.uuid5(REFERENCE_NAMESPACE, f"{logical_name}:{value}"))


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """One row of a DQT reference entity: display name, ``dfeta_value`` code, and whether it is active."""

    logical_name: str
    name: str
    value: str
    active: bool

    @property
    def id(self) -> str:
        return reference_id(self.logical_name, self.value)


def _rows(logical_name: str, rows: list[tuple[str, str, bool]]) -> tuple[ReferenceRow, ...]:
    return tuple(ReferenceRow(logical_name, name, value, active) for name, value, active in rows)


#: The 40 ``dfeta_mqestablishment`` rows (12 active).
MQ_ESTABLISHMENTS: Final = _rows(
    "dfeta_mqestablishment",
    [
        ("Liverpool John Moores University", "964", True),
        ("Plymouth University", "965", True),
        (
            "Diploma in Professional Studies in Education for Teachers of Visually Handicapped Children - "
            "Moray House College of Education, Edinburgh",
            "10",
            False,
        ),
        ("Diploma for Teachers of the Deaf - University College, Dublin", "100", False),
        (
            "Diploma in Education of Deaf and Partially Hearing Children - Moray House College of Education, Edinburgh",
            "110",
            False,
        ),
        (
            "Postgraduate Diploma in Education (Special Education: Hearing Impairment), University of "
            "Birmingham, School of Education",
            "120",
            False,
        ),
        ("Diploma in Special Education (Hearing Impaired) - University of Swansea", "130", False),
        ("Postgraduate Diploma (Education of Deaf Children), University of Hertfordshire", "140", False),
        (
            "Postgraduate Diploma in Deaf Education, University of Manchester, School of Psychological Sciences",
            "150",
            False,
        ),
        (
            "BPhil in Education (Special Education: Hearing Impairment), University of Birmingham, School of Education",
            "160",
            False,
        ),
        ("Diploma in Special Educational Needs: Hearing Impaired - Gwent College", "170", False),
        (
            "BPhil in Multi-Sensory Impairment and Deafblindness, University of Birmingham, School of Education",
            "180",
            False,
        ),
        (
            "Diploma in the Education and Psychology of Children with Special Needs - Multi-Sensory "
            "Impairment (Deaf - Blind) - University of London, Institute of Education in conjunction with "
            "Whitfield School, Walthamstow",
            "190",
            False,
        ),
        (
            "BPhil for Teachers of Children with a Visual Impairment, University of Birmingham, School of Education",
            "20",
            False,
        ),
        ("Diploma in the Education and Psychology of Children with Special Needs - Multi", "200", False),
        (
            "Postgraduate Diploma in Multi-Sensory Impairment and Deafblindness, University of Birmingham, "
            "School of Education",
            "210",
            False,
        ),
        (
            "MA in Deaf Education (Teacher of the Deaf Qualification), University of Leeds, School of Education",
            "220",
            False,
        ),
        (
            "Postgraduate Diploma in Education Studies (Hearing Impairment), Oxford Brookes University, "
            "Westminster Institute of Education, in partnership with Mary Hare School",
            "230",
            False,
        ),
        (
            "Postgraduate Diploma (Teachers Working with Children with Multi-Sensory Impairment), Kingston "
            "University, School of Education, in partnership with Whitefield Schools and Centre",
            "240",
            False,
        ),
        (
            "Postgraduate Diploma for Teachers of Children with Visual Impairment, University of Birmingham, "
            "School of Education",
            "30",
            False,
        ),
        (
            "Diploma in the Education of Children with Disabilities of Sight - Cambridge Institute of Education",
            "40",
            False,
        ),
        (
            "Graduate Diploma in Special and Inclusive Education: Disabilities of Sight, University of London "
            "Institute of Education",
            "50",
            False,
        ),
        (
            "Diploma in Professional Practice in Education (SEN) in Visual Impairment - Manchester "
            "Metropolitan University",
            "60",
            False,
        ),
        ("Diploma in Special Education (Visually Impaired) - University of Swansea", "70", False),
        ("Diploma in Special Educational Needs: Visually Impaired - Gwent College", "80", False),
        (
            "Masters Level: Mandatory Qualification for Teachers of Children with Visual Impairment, "
            "University of Plymouth, Faculty of Education, in partnership with the Sensory Consortium",
            "90",
            False,
        ),
        (
            "Special courses of advanced study and courses leading to higher degrees and degrees in "
            "education other than BEd degrees",
            "950",
            False,
        ),
        ("Bristol Polytechnic", "951", False),
        ("Courses for teaching handicapped children other than the blind, deaf and partially hearing", "952", False),
        ("One-year courses (originally known as Supplementary Courses)", "953", False),
        ("University College, Swansea", "954", True),
        ("University of Birmingham", "955", True),
        ("University of Cambridge", "956", True),
        ("University of Edinburgh", "957", True),
        ("University of Hertfordshire", "958", True),
        ("University of Leeds", "959", True),
        ("University of London", "960", True),
        ("University of Manchester", "961", True),
        ("University of Newcastle-upon-Tyne", "962", True),
        ("University of Oxford/Oxford Polytechnic", "963", True),
    ],
)

#: The 6 ``dfeta_specialism`` rows (5 active).
MQ_SPECIALISMS: Final = _rows(
    "dfeta_specialism",
    [
        ("Deaf education", "Deaf education", True),
        ("N/A", "N/A", True),
        ("Auditory Impairment", "Auditory", False),
        ("Hearing", "Hearing", True),
        ("Multi_Sensory Impairment", "Multi-Sensory", True),
        ("Visual Impairment", "Visual", True),
    ],
)

#: The 66 ``dfeta_sanctioncode`` rows (17 active). DQT's names keep their double spaces.
SANCTION_CODES: Final = _rows(
    "dfeta_sanctioncode",
    [
        ("FOR INTERNAL INFORMATION ONLY - known duplicate record", "T10", True),
        ("FOR INTERNAL INFORMATION ONLY - see alert details", "T9", True),
        ("Section 128 barring direction", "T7", True),
        ("Teacher sanctioned in other EEA member state", "T8", True),
        ("Refer to Registration", "A10", False),
        ("No Sanction  -  unacceptable professional conduct", "A11", True),
        ("No Sanction  -  serious professional incompetence", "A12", False),
        ("Suspension order  -  unacceptable professional conduct  -  with conditions", "A13", False),
        ("Suspension order  -  serious professional incompetence  -  with conditions", "A14", False),
        ("For internal information only - historic GTC finding of unsuitable for registration", "A15", False),
        ("No Sanction  -  conviction for a relevant offence", "A16", True),
        ("Reprimand  -  conviction of a relevant offence", "A17", False),
        ("Conditional Registration Order  -  conviction of a relevant offence", "A18", False),
        ("Suspension order  -  conviction of a relevant offence  -  without conditions", "A19", False),
        ("Prohibition Order  -  unacceptable professional conduct  -  Ineligible to reapply", "A1A", False),
        (
            "Prohibition Order  -  unacceptable professional conduct  -  Eligible to reapply after specified time",
            "A1B",
            False,
        ),
        ("Suspension order  -  unacceptable professional conduct  -  without conditions", "A2", False),
        ("Suspension order  -  conviction of a relevant offence  -  with conditions", "A20", False),
        ("Prohibition Order  -  conviction of a relevant offence  -  ineligible to reapply", "A21A", False),
        (
            "Prohibition Order  -  conviction of a relevant offence  -  eligible to reapply after specified time",
            "A21B",
            False,
        ),
        ("No Sanction  -  breach of condition(s)", "A22", False),
        ("Suspension order  -  without conditions  -  (arising from breach of previous condition(s))", "A23", False),
        ("Suspension order  -  with conditions  -  (arising from breach of previous condition(s))", "A24", False),
        ("Prohibition order  -  breach of condition(s)  -  ineligible to reapply", "A25A", False),
        ("Prohibition Order  -  breach of condition(s)  -  eligible to reapply after specified time", "A25B", False),
        ("Refer to Professional Standards  -  discontinued hearing", "A26", False),
        ("Conditional Registration Order  -  unacceptable professional conduct", "A3", False),
        ("Reprimand  -  unacceptable professional conduct", "A4", False),
        ("Prohibition Order  -  serious professional incompetence  -  Ineligible to reapply", "A5A", False),
        (
            "Prohibition Order  -  serious professional incompetence  -  Eligible to reapply after specified time",
            "A5B",
            False,
        ),
        ("Suspension order  -  serious professional incompetence  -  without conditions", "A6", False),
        ("Conditional Registration Order  -  serious professional incompetence", "A7", False),
        ("Reprimand  -  serious professional incompetence", "A8", False),
        ("Refer to Professional Standards Team", "A9", False),
        ("Barring by the Secretary of State", "B1", False),
        ("Restricted by the Secretary of State  -  Permitted to work as teacher", "B2A", False),
        ("Restricted by the Secretary of State  -  Not Permitted to work as teacher", "B2B", False),
        ("Prohibited by an Independent Schools Tribunal or Secretary of State", "B3", False),
        ("Employers to contact the Secretary of State", "B4", False),
        ("Prohibited in Scotland or Northern Ireland", "B5", False),
        ("Formerly on List 99", "B6", False),
        ("Prohibited by the Secretary of State  -  failed probation", "C1", True),
        ("Failed induction", "C2", True),
        (
            "Restricted by the Secretary of State  -  failed probation  -  permitted to carry out specified "
            "work for a period equal in length to a statutory induction period only",
            "C3",
            True,
        ),
        ("Ineligible for registration  -  refer to General Teaching Council for Scotland", "D1", False),
        ("Eligible for registration subject to General Teaching Council for Scotland disciplinary order", "D2", False),
        ("Ineligible for registration subject to General Teaching Council for Wales disciplinary order", "D3", False),
        ("Eligible for registration subject to General Teaching Council for Wales disciplinary order", "D4", False),
        ("Ineligible for registration  -  refer to General Teaching Council for Northern Ireland", "D5", False),
        (
            "Eligible for registration subject to General Teaching Council for Northern Ireland disciplinary order",
            "D6",
            False,
        ),
        ("Ineligible for registration subject to Independent Schools Tribunal disciplinary drder", "D7", False),
        ("Restricted  -  Deferred for skills test", "E1", False),
        ("Restricted by statutory regulations", "E2", True),
        ("For internal information only - record potentially included in historic GTC data loss", "E3", False),
        ("For internal information only - historic GTC vexatious complainant", "E4", False),
        ("Non Payment of Fee", "F1", False),
        ("A possible matching record was found. Please contact the DBS before employing this person", "G1", True),
        ("Formerly barred by the Independent Safeguarding Authority", "G2", False),
        ("Prohibition by the Secretary of State - misconduct", "T1", True),
        ("Interim prohibition by the Secretary of State", "T2", True),
        ("Prohibition by the Secretary of State  -  deregistered by GTC Scotland", "T3", True),
        ("Prohibition by the Secretary of State  -  refer to the Education Workforce Council, Wales", "T4", True),
        ("Prohibition by the Secretary of State  -  refer to GTC Northern Ireland", "T5", True),
        ("Secretary of State decision- no prohibition", "T6", True),
        ("Council Members never de-register", "Z1", False),
        ("Council Member  -  do not register", "Z2", False),
    ],
)


# --- option sets (value -> DQT option name) -------------------------------------------------------------

#: ``statecode`` for contact and the dfeta_* entities.
STATECODE: Final = {0: "Active", 1: "Inactive"}
#: ``statuscode`` for the dfeta_* entities.
STATUSCODE: Final = {1: "Active", 2: "Inactive"}
#: contact ``statuscode``.
CONTACT_STATUSCODE: Final = {1: "Alive", 2: "Administrativereason", 389040000: "Deceased"}
#: contact ``gendercode``.
GENDERCODE: Final = {1: "Male", 2: "Female", 389040000: "Other", 389040001: "Notprovided", 389040002: "Notavailable"}
#: ``dfeta_qualification.dfeta_type``.
QUALIFICATION_TYPE: Final = {
    389040000: "HigherEducation",
    389040001: "NPQH",
    389040002: "MandatoryQualification",
    389040003: "HLTA",
    389040004: "NPQSL",
    389040005: "NPQML",
    389040006: "NPQEL",
    389040007: "NPQLT",
    389040008: "NPQLTD",
    389040009: "NPQLBC",
    389040010: "NPQEYL",
    389040011: "NPQLL",
}
#: The ``dfeta_type`` of a mandatory qualification.
MANDATORY_QUALIFICATION_TYPE: Final = 389040002
#: ``dfeta_mq_status``.
MQ_STATUS: Final = {
    389040000: "InProgress",
    389040001: "Deferred",
    389040002: "Extended",
    389040003: "Failed",
    389040004: "Passed",
    389040005: "Withdrawn",
}
#: ``dfeta_inductionstatus`` (contact and dfeta_induction).
INDUCTION_STATUS: Final = {
    389040000: "Exempt",
    389040001: "Fail",
    389040002: "InductionExtended",
    389040003: "NotYetCompleted",
    389040004: "Pass",
    389040005: "PassedinWales",
    389040006: "InProgress",
    389040007: "RequiredtoComplete",
    389040008: "FailedinWales",
}
#: ``dfeta_inductionexemptionreason``.
INDUCTION_EXEMPTION_REASON: Final = {
    389040000: "Extendedonappeal",
    389040001: "Gibraltar",
    389040002: "Guernsey",
    389040003: "IsleOfMan",
    389040004: "Jersey",
    389040005: "NorthernIreland",
    389040006: "ServiceChildrensEducationGermanyCyprus",
    389040007: "Wales",
    389040008: "Exempt",
    389040009: "ExemptDataLossErrorCriteria",
    389040010: "OverseasTrainedTeacher",
    389040011: "QualifiedBefore07May1999",
    389040012: "Wales1999To2003",
    389040013: "EEAMutualRecognition",
    389040014: "FERoute2001To2004",
    389040015: "IndependentRoute2000To2004",
    389040016: "RegisteredTeacherWith2YearsExperience",
    389040017: "Scotland",
    389040018: "QTLSSETMembership",
}
#: ``dfeta_previousname.dfeta_type``.
PREVIOUS_NAME_TYPE: Final = {389040000: "FirstName", 389040001: "MiddleName", 389040002: "LastName", 389040003: "Title"}
#: ``dfeta_initialteachertraining.dfeta_result``.
ITT_RESULT: Final = {
    389040000: "Pass",
    389040001: "Fail",
    389040002: "Withdrawn",
    389040003: "InTraining",
    389040004: "Approved",
    389040005: "Deferred",
    389040006: "DeferredforSkillsTests",
    389040007: "UnderAssessment",
    389040008: "ApplicationReceived",
    389040009: "ApplicationUnsuccessful",
    389040010: "Info",
    389040011: "NoResultSubmitted",
}
