"""DQT reference rows and option sets for professional status (ITT, QTS, EYTS, EYPS, QTLS), as data.

What the simulator seeds for issue 4 and what generated ``dfeta_initialteachertraining`` /
``dfeta_qtsregistration`` rows point at. Row ids are stable uuid5s (:func:`mappings.reference.dqt.reference_id`
over entity and ``dfeta_value``), except the 18 Welsh ITT providers, which keep their real DQT account ids
because the route mapping names them (``WelshIttProviderIds``).

Sources (``../shared/reference/professional-status.md`` gives the commits):

* Teacher statuses (84 rows: name, ``dfeta_value``, active) and early-years statuses (3): verbatim from
  ``Core/LegacyDataCache.cs`` (the version with ``TeacherStatuses``, first at ``7707f9480``). Long names are
  cut at DQT's own length, exactly as there. ``dfeta_qtsdaterequired`` is known only for the 17 statuses
  in ``tests/TeachingRecordSystem.TestCommon/SeedCrmReferenceData.cs``; it is ``None`` (unknown) elsewhere.
* Option sets: ``GeneratedOptionSets.cs@fc8d409c9`` as summarised in the reference §2 and §3.1; age-range
  member names from ``Core/Dqt/Models/AgeRangeExtensions.cs``.
* ITT qualifications: names from the degree-type comments in ``IttQualificationExtensions.cs`` and the
  comments on the hard-coded rows in ``TrsDataSyncHelper.cs`` (reference §3.3). Codes whose name is in no
  source carry a marked placeholder and are listed in :data:`UNKNOWN_NAMES`; names taken from a TRS degree
  type mapped to the code (not from DQT itself) are listed in :data:`INFERRED_NAMES`.
* ITT subjects: a subset. HECOS codes with the names DQT's test seed (``SeedCrmReferenceData.cs``) and
  TRS's ``training_subjects`` seed use; legacy JACS-style codes as TRS copied them from DQT (migration
  ``AddMissingTrainingSubjectsAndCountries``, inactive there, so inactive here), including the two rows
  that share code ``C600`` ("Physical Education" is special-cased in ``IttSubjectExtensions.cs``).
* Countries: a subset. Test-seed rows verbatim; ISO codes with TRS ``countries`` names (DQT's own spelling
  unknown, so :data:`INFERRED_NAMES`); the DQT-only codes that need a substitution or map to nothing
  (reference §3.8) with marked placeholder names.
* ITT providers (``account``): the 18 Welsh ids and names (names completed from truncated code comments,
  reference §3.9; UKPRN unknown, so ``None``); four accounts from the TRS test seed; English universities
  with their public UKPRNs (UK Register of Learning Providers numbers, from a third-party list, names as
  there; not DQT's own account names); and one school account deliberately *not* flagged as a training
  provider, which the route migration cannot resolve (reference §1.3, §3.8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from mappings.reference.dqt import reference_id

TEACHER_STATUS = "dfeta_teacherstatus"
EARLY_YEARS_STATUS = "dfeta_earlyyearsstatus"
ITT_SUBJECT = "dfeta_ittsubject"
ITT_QUALIFICATION = "dfeta_ittqualification"
COUNTRY = "dfeta_country"
ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class CodedRow:
    """A ``dfeta_*`` reference row: display name, ``dfeta_value`` code, active flag.

    ``key`` replaces ``value`` in the id when two rows share a code (DQT has such duplicates)."""

    logical_name: str
    name: str
    value: str
    active: bool
    key: str | None = None

    @property
    def id(self) -> str:
        return reference_id(self.logical_name, self.key or self.value)

    def columns(self) -> dict[str, Any]:
        """The row's own columns as the Web API returns them (the simulator adds the bookkeeping)."""
        return {"dfeta_name": self.name, "dfeta_value": self.value}


@dataclass(frozen=True, slots=True)
class TeacherStatusRow(CodedRow):
    """A ``dfeta_teacherstatus`` row; ``qts_date_required`` is ``None`` where no source gives it."""

    qts_date_required: bool | None = None

    def columns(self) -> dict[str, Any]:
        return {"dfeta_name": self.name, "dfeta_value": self.value, "dfeta_qtsdaterequired": self.qts_date_required}


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An ``account`` (ITT provider or other establishment) with its UKPRN and training-provider flag."""

    id: str
    name: str
    ukprn: str | None
    training_provider: bool
    active: bool = True

    logical_name: ClassVar[str] = ACCOUNT

    def columns(self) -> dict[str, Any]:
        return {"name": self.name, "dfeta_ukprn": self.ukprn, "dfeta_trainingprovider": self.training_provider}


# --- option sets (value -> DQT option name) ---------------------------------------------------------------

#: ``dfeta_initialteachertraining.dfeta_programmetype`` (``dfeta_ITTProgrammeType``, 27 values).
ITT_PROGRAMME_TYPE: Final = {
    389040000: "Core",
    389040001: "HEI",
    389040002: "SchoolDirecttrainingprogramme_Selffunded",
    389040003: "SchoolDirecttrainingprogramme_Salaried",
    389040004: "SchoolDirecttrainingprogramme",
    389040005: "TeachFirstProgramme_CC",
    389040006: "TeachFirstProgramme",
    389040007: "OverseasTrainedTeacherProgramme",
    389040008: "RegisteredTeacherProgramme",
    389040009: "GraduateTeacherProgramme",
    389040010: "AssessmentOnlyRoute",
    389040011: "CoreFlexible",
    389040012: "LicensedTeacherProgramme",
    389040013: "UndergraduateOptIn",
    389040014: "EYITTAssessmentOnly",
    389040015: "EYITTGraduateEntry",
    389040016: "EYITTGraduateEmploymentBased",
    389040017: "EYITTUndergraduate",
    389040018: "EYITTSchoolDirect_EarlyYears",
    389040019: "Apprenticeship",
    389040020: "FutureTeachingScholars",
    389040021: "Providerled_postgrad",
    389040022: "Providerled_undergrad",
    389040023: "Internationalqualifiedteacherstatus",
    389040024: "HighpotentialITT",
    389040025: "Primaryandsecondaryundergraduatefeefunded",
    389040026: "Primaryandsecondarypostgraduatefeefunded",
}
#: Programme types for which ``IsEarlyYears()`` is true (``ITTProgrammeTypeExtensions.cs@fc8d409c9``).
EARLY_YEARS_PROGRAMME_TYPES: Final = frozenset({389040014, 389040015, 389040016, 389040017, 389040018})

#: ``dfeta_agerangefrom`` / ``dfeta_agerangeto`` (``dfeta_AgeRange``): "00" = 389040029, "01".."19" =
#: 389040000..389040018, "99" = 389040019, then the bands. "Notapplicable" follows the code generator's
#: naming of the label "Not applicable" (the member itself is not in any source read).
AGE_RANGE: Final = {
    389040029: "_00",
    **{389039999 + age: f"_{age:02d}" for age in range(1, 20)},
    389040019: "_99",
    389040020: "FurtherEducation",
    389040021: "FoundationStage",
    389040022: "KeyStage1",
    389040023: "KeyStage2",
    389040024: "KeyStage3",
    389040025: "KeyStage4",
    389040026: "Notapplicable",
    389040027: "Other",
    389040028: "Post16",
}


def age_option(age: int) -> int:
    """The ``dfeta_AgeRange`` value of a single age (0..19 or 99)."""
    if age == 0:
        return 389040029
    if age == 99:
        return 389040019
    if 1 <= age <= 19:
        return 389039999 + age
    raise ValueError(f"no dfeta_AgeRange option for age {age}")


#: ``dfeta_ittqualificationaim`` (unused by the migration; names follow the code generator's style).
ITT_QUALIFICATION_AIM: Final = {
    389040000: "Professionalstatusonly",
    389040001: "Professionalstatusandacademicaward",
    389040002: "Professionalstatusbyassessmentonly",
    389040003: "Academicawardonly",
}

# ``dfeta_result`` values by name (the option set itself is ``dqt.ITT_RESULT``).
RESULT_PASS: Final = 389040000
RESULT_FAIL: Final = 389040001
RESULT_WITHDRAWN: Final = 389040002
RESULT_IN_TRAINING: Final = 389040003
RESULT_APPROVED: Final = 389040004
RESULT_DEFERRED: Final = 389040005
RESULT_DEFERRED_FOR_SKILLS_TESTS: Final = 389040006
RESULT_UNDER_ASSESSMENT: Final = 389040007
RESULT_APPLICATION_RECEIVED: Final = 389040008
RESULT_APPLICATION_UNSUCCESSFUL: Final = 389040009
RESULT_INFO: Final = 389040010
RESULT_NO_RESULT_SUBMITTED: Final = 389040011


# --- teacher statuses and early-years statuses -------------------------------------------------------------

#: ``dfeta_qtsdaterequired`` where a source gives it (``SeedCrmReferenceData.cs``); unknown elsewhere.
_QTS_DATE_REQUIRED: Final = {
    **dict.fromkeys(("71", "100", "90", "213", "211", "103", "104", "206", "223", "67", "68", "69", "87", "28"), True),
    **dict.fromkeys(("212", "214", "50"), False),
}

_REG_1959 = "Regulation 15(2) of the Special Schools and Handicapped Pupils Regulations 1959"

#: The 84 ``dfeta_teacherstatus`` rows in ``LegacyDataCache`` order (81 statuses plus inactive copies of the
#: early-years statuses 220/221/222); 19 are active.
TEACHER_STATUSES: Final = tuple(
    TeacherStatusRow(TEACHER_STATUS, name, value, active, qts_date_required=_QTS_DATE_REQUIRED.get(value))
    for name, value, active in [
        ("Early Years Teacher Status", "221", False),
        ("Early Years Trainee", "220", False),
        ("Early Years Professional Status", "222", False),
        ("Qualified Teacher (by virtue of European teaching qualifications)", "223", True),
        ("Qualified teacher: by virtue of achieving international qualified teacher status", "90", True),
        ("Qualified Teacher (by virtue of non-UK teaching qualifications)", "104", True),
        ("Partial qualified teacher status: qualified to teach in SEN establishments", "214", True),
        (
            "Teacher, other than an uncertificated or supplementary teacher, employed under Regulation 16(3)(a) of "
            "the Schools Regulations 1959 or under Regulation 15(3)(a) of the Handicapped Pupils and Special "
            "Schools Regulations 1959",
            "10",
            False,
        ),
        ("Qualified Teacher: Assessment Only Route", "100", True),
        ("Qualified Teacher: Teach First Programme (TNP)", "101", False),
        ("Qualified Teacher: Troops to Teach Programme", "102", False),
        ("Qualified Teacher: By virtue of overseas qualifications", "103", True),
        ("Certified teacher under the Code in force before 1 April 1945", "20", False),
        ("Trainee on HEI/SCITT", "200", False),
        ("Trainee on Teach First Programme", "201", False),
        ("Trainee on OTT programme", "202", False),
        ("Trainee on OTT programme (Exempt)", "203", False),
        ("Instructor", "204", False),
        ("OTT: Working under 4 year regulations", "205", False),
        ("Qualified Teacher: Under temporary provision 2005/36/EC", "206", True),
        ("Unknown", "207", False),
        ("Trainee on the Teach First Programme (TNP)", "208", False),
        ("Trainee on the Troops to Teach Programme", "209", False),
        ("Trainee Teacher: HESA", "210", False),
        ("Trainee Teacher", "211", True),
        ("AOR Candidate", "212", True),
        (
            "Qualified teacher: following at least 1 terms service as a licensed teacher (in respect of 3 yrs OTT), "
            "further qualified to teach the deaf or partially hearing impaired under Regulation 15(2) of the "
            "Special Schools and Handicapped Pupils",
            "23",
            False,
        ),
        (
            "Qualified Teacher: following at least 1 school yrs service as a licensed teacher (in respect of those "
            "with 2 years or more experience in an independent school), further qualified to teach the deaf or "
            "partially hearing impaired under Re",
            "24",
            False,
        ),
        (
            "Qualified Teacher: Teacher trained/registered in Scotland, further qualified to teach the deaf or "
            f"partially hearing impaired under {_REG_1959}.",
            "28",
            True,
        ),
        (
            "Teacher employed as an uncertificated teacher under Regulation 16 (3)(a) of the Schools Regulations "
            "1959 or under Regulation 15(3)(a) of the Handicapped Pupils and Special Schools Regulations 1959",
            "30",
            False,
        ),
        (
            "Qualified teacher: following at least one terms service as a licensed teacher (in respect of 3 years "
            "overseas trained teachers), further qualified to teach the blind or visually impaired under "
            "Regulation 15(2) of the Special Schools and",
            "33",
            False,
        ),
        (
            "Qualified Teacher: following at least one school years service as a licensed teacher (in respect of "
            "those with 2 years or more experience in an independent school), further qualified to teach the "
            "blind or visually impaired under Regul",
            "34",
            False,
        ),
        (
            "Qualified Teacher: Teachers trained/registered in Scotland, further qualified to teach the blind or "
            f"visually impaired under {_REG_1959}.",
            "38",
            False,
        ),
        (
            "Supplementary teacher employed under Regulation 16(3)(a) of the Schools Regulations 1959 or under "
            "Regulation 15(3)(a) of the Handicapped Pupils and Special Schools Regulations 1959",
            "40",
            False,
        ),
        (
            "Person who has completed a course of instruction in the care of young children and whose appointment "
            "to the assistant staff of a nursery school or to the staff of a nursery class is approved under "
            "Regulation 16(3)(c) of the Schools Regulati",
            "44",
            False,
        ),
        (
            "Qualified teacher: Following at least one school year's service on the Teach First Programme",
            "45",
            False,
        ),
        ("Trainee on Registered Teacher Programme", "46", False),
        (
            "Qualified teacher: Following at least one year's service on the Registered Teacher Programme",
            "47",
            True,
        ),
        ("Trainee on Graduate Teacher Programme", "48", False),
        ("Qualified teacher: Following at least one term's service on the Graduate Teacher Programme", "49", True),
        (
            "Person not qualified for employment as a regular teacher whose employment as an Instructor is allowed "
            "under Regulation 18 of the Schools Regulations 1959",
            "50",
            True,
        ),
        ("Qualified Teacher (Overseas Trained Teacher needing to complete induction)", "51", False),
        ("Qualified Teacher (Overseas Trained Teacher exempt from induction)", "52", False),
        ("Qualified Teacher (Further Education)", "53", False),
        ("Registered Teacher", "54", False),
        (
            "Person whose employment is authorised under Regulation 153c of The Handicapped Pupils and Special "
            "Schools Regulations 1959 as holder of the Diploma in the Teaching on Mentally Handicapped Children "
            "awarded by the Training Council for Teacher",
            "55",
            False,
        ),
        (
            "Person whose employment is authorised under Regulation 15(3)(c) of The Handicapped Pupils and Special "
            "Schools Regulations 1959 as holder of the Declaration of Recognition of Experience awarded by the "
            "Training Council for Teachers of the Men",
            "56",
            False,
        ),
        (
            "Person whose employment is authorised under Regulation 16A of the Handicapped Pupils and Special "
            "Schools Regulations 1959",
            "57",
            False,
        ),
        ("Qualified teacher: TCMH  3 year,s experience.", "58", False),
        ("Licenced teacher who has withdrawn and licence is cancelled", "59", False),
        (
            "Student teacher whose employment is approved under Regulation 17 (1) of the Schools Regulations 1959",
            "60",
            False,
        ),
        ("Licensed Teacher", "61", False),
        ("Qualified Teacher: following at least 2 year's service as a licensed teacher", "62", False),
        (
            "Qualified Teacher: following at least one term's service as a licensed teacher (in respect of 3 "
            "year's overseas trained teachers)",
            "63",
            False,
        ),
        (
            "Qualified Teacher: following at least one school year's service as a licensed teacher (in respect of "
            "those with 2 year's or more experience in an independent school)",
            "64",
            False,
        ),
        (
            "Qualified Teacher: following at least one school year's service as a licensed teacher (in respect of "
            "those with 2 year's or more experience in further education)",
            "65",
            False,
        ),
        (
            "Qualified Teacher: following at least one schoolyear's service as a licensed teacher (in respect of "
            "those with 2 year's or more experience in the educational services of the Armed Forces)",
            "66",
            False,
        ),
        ("Qualified Teacher: Under the EC Directive", "67", True),
        ("Qualified Teacher: Teachers trained/registered in Scotland", "68", True),
        (
            "Qualified Teacher: Teachers trained/recognised by the Department of Education for Northern Ireland (DENI)",
            "69",
            True,
        ),
        ("FAILED Licensed Teacher", "70", False),
        ("Qualified teacher (trained)", "71", True),
        ("Qualified teacher (graduate non-trained)", "72", False),
        ("Qualified teacher (by virtue of long service)", "73", False),
        (
            "Qualified teacher following at least one years employment as a licensed teacher with at least two "
            "years previous experience as an instructor in a maintained school (from 1 September 1991)",
            "74",
            False,
        ),
        ("Authorised teacher (from 1 September 1991)", "75", False),
        (
            "Qualified teacher following at least one terms employment as an authorized teacher with at least one "
            "years teaching experience (from 1 september 1991)",
            "76",
            False,
        ),
        ("Qualified teacher following a school centred Initial Teacher Training course (SCITT)", "77", False),
        (
            "Qualified teacher following successful completion of a period of Registration in a CTC or CCTA",
            "78",
            False,
        ),
        ("Qualified teacher (by virtue of other qualifications)", "79", False),
        ("Qualified Teacher (under the Flexible Post-graduate route)", "80", False),
        (
            f"Qualified teacher (trained) further qualified to teach the deaf or partially hearing under {_REG_1959}",
            "81",
            False,
        ),
        (
            "Qualified teacher (graduate non-trained) further qualified to teach the deaf or partially hearing "
            f"under {_REG_1959}",
            "82",
            False,
        ),
        (
            "Qualified teacher (by virtue of long service) further qualified to teach the deaf or partially "
            f"hearing under {_REG_1959}",
            "83",
            False,
        ),
        ("Qualified teacher of children with Multi-sensory Impairments (from 1 June 1991)", "85", False),
        (
            "Qualified teacher (under the EC Directive) further qualified to teach the deaf or partially hearing "
            f"under {_REG_1959}",
            "87",
            True,
        ),
        (
            "Qualified teacher (by virtue of other qualifications) further qualified to teach the deaf or "
            "partially hearing under Regulation 15(2) of the Special Schools and Handicapped Pupils Regulations",
            "89",
            False,
        ),
        (f"Qualified teacher (trained) further qualified to teach the blind under {_REG_1959}", "91", False),
        (
            f"Qualified teacher (graduate non-trained) further qualified to teach the blind under {_REG_1959}",
            "92",
            False,
        ),
        (
            f"Qualified teacher (by virtue of long service) further qualified to teach the blind under {_REG_1959}",
            "93",
            False,
        ),
        (
            f"Qualified teacher (under the EC Directive) further qualifed to teach the blind under {_REG_1959}",
            "97",
            False,
        ),
        (
            "Qualified teacher (by virtue of other qualifications) further qualified to teach the blind under "
            f"{_REG_1959} a maintained school.",
            "99",
            False,
        ),
        ("QTS Awarded in error", "999", False),
        ("Qualified Teacher: QTS awarded in Wales", "213", True),
    ]
)

#: The 3 ``dfeta_earlyyearsstatus`` rows (all active).
EARLY_YEARS_STATUSES: Final = tuple(
    CodedRow(EARLY_YEARS_STATUS, name, value, True)
    for name, value in [
        ("Early Years Trainee", "220"),
        ("Early Years Teacher Status", "221"),
        ("Early Years Professional Status", "222"),
    ]
)


# --- ITT qualifications ------------------------------------------------------------------------------------


def _unknown(code: str) -> str:
    return f"[name not in source] {code}"


_QUALIFICATION_NAMES: Final = [
    ("001", "BEd"),
    ("002", "BEd (Hons)"),
    ("003", "BSc"),
    ("004", "BSc (Hons)"),
    ("005", "BTech/Education"),
    ("006", "BTech (Hons)/Education"),
    ("007", "BA"),
    ("008", "BA (Hons)"),
    ("009", "BA Combined Studies/Education of the Deaf"),
    ("010", "BA (Hons) Combined Studies/Education of the Deaf"),
    ("011", "BA Education"),
    ("012", "BA with Intercalated PGCE"),
    ("013", "BSc (Hons) with Intercalated PGCE"),
    ("014", "BA (Hons) with Intercalated PGCE"),
    ("015", "BSc/Education"),
    ("016", "BEng (Hons)/Education"),
    ("017", "BSc/Certificate in Education"),
    ("018", "BA Education Certificate"),
    ("019", None),
    ("020", "Postgraduate Certificate in Education"),
    ("021", "Postgraduate Diploma in Education"),
    ("022", "Postgraduate Art Teachers Certificate"),
    ("023", "Postgraduate Art Teachers Diploma"),
    ("024", "Graduate Certificate in Science and Education"),
    ("025", "Graduate Certificate in Mathematics and Education"),
    ("026", "PGCE (Articled Teachers Scheme)"),
    ("027", "QTS Award"),
    ("028", "Undergraduate Master of Teaching"),
    ("029", "QTS Assessment only"),
    ("030", "Certificate in Education"),
    ("031", "Professional Graduate Certificate in Education"),
    ("032", None),
    ("033", "Graduate Certificate in Education"),
    ("040", "Certificate in Education (FE)"),
    ("041", "Postgraduate Certificate in Education (Further Education)"),
    ("042", "Teachers Certificate FE"),
    ("043", "Teachers Certificate"),
    ("049", "Qualification gained in Europe"),
    ("050", "Professional Graduate Diploma in Education"),
    ("051", None),
    ("052", None),
    ("054", None),
    ("055", None),
    ("100", None),
    ("101", None),
    ("102", "OTT"),
    ("103", None),
    ("104", None),
    ("105", None),
    ("106", None),
    ("107", None),
    ("110", "PGCE"),
    ("111", None),
    ("112", None),
    ("113", "Professional PGCE"),
    ("114", "EYTS Only"),
    ("115", None),
    ("116", None),
    ("400", "Degree"),
    ("401", None),
    ("402", "Degree Equivalent (this will include foreign qualifications)"),
    ("997", "Graduate Diploma"),
    ("998", "No qualification, restricted by GTC"),
    ("999", "Unknown"),
]

#: ``dfeta_ittqualification`` rows: every code the route mapping knows (reference §3.3) plus 012; 997 is the
#: one inactive row in production.
ITT_QUALIFICATIONS: Final = tuple(
    CodedRow(ITT_QUALIFICATION, name if name is not None else _unknown(code), code, code != "997")
    for code, name in _QUALIFICATION_NAMES
)


# --- ITT subjects ------------------------------------------------------------------------------------------

#: ``dfeta_ittsubject`` rows (a subset of DQT's hundreds). HECOS codes are active; legacy codes inactive.
ITT_SUBJECTS: Final = (
    # DQT's test seed (SeedCrmReferenceData.cs)
    CodedRow(ITT_SUBJECT, "business and management", "100078", True),
    CodedRow(ITT_SUBJECT, "business studies", "100079", True),
    CodedRow(ITT_SUBJECT, "applied biology", "100343", True),
    CodedRow(ITT_SUBJECT, "classical studies", "100300", True),
    # HECOS codes as TRS seeded them from DQT
    CodedRow(ITT_SUBJECT, "primary teaching", "100511", True),
    CodedRow(ITT_SUBJECT, "mathematics", "100403", True),
    CodedRow(ITT_SUBJECT, "history", "100302", True),
    CodedRow(ITT_SUBJECT, "medieval history", "100309", True),
    CodedRow(ITT_SUBJECT, "social sciences", "100471", True),
    CodedRow(ITT_SUBJECT, "applied psychology", "100493", True),
    CodedRow(ITT_SUBJECT, "chemical physics", "100416", True),
    CodedRow(ITT_SUBJECT, "marine sciences", "100418", True),
    CodedRow(ITT_SUBJECT, "electrical engineering", "100164", True),
    CodedRow(ITT_SUBJECT, "sculpture", "100592", True),
    CodedRow(ITT_SUBJECT, "musicology", "100667", True),
    CodedRow(ITT_SUBJECT, "applied statistics", "101030", True),
    CodedRow(ITT_SUBJECT, "Chinese literature", "101166", True),
    CodedRow(ITT_SUBJECT, "Polish studies", "101152", True),
    CodedRow(ITT_SUBJECT, "climate change", "101070", True),
    # legacy codes (inactive in TRS)
    CodedRow(ITT_SUBJECT, "Physics", "F300", False),
    CodedRow(ITT_SUBJECT, "Chemistry", "F100", False),
    CodedRow(ITT_SUBJECT, "Combined/General Science", "C000", False),
    CodedRow(ITT_SUBJECT, "Geography", "L700", False),
    CodedRow(ITT_SUBJECT, "Music", "W300", False),
    CodedRow(ITT_SUBJECT, "Religious Education", "V600", False),
    CodedRow(ITT_SUBJECT, "Design and Technology", "W200", False),
    CodedRow(ITT_SUBJECT, "Information and Communications Technology", "G500", False),
    CodedRow(ITT_SUBJECT, "Computer Science", "I100", False),
    CodedRow(ITT_SUBJECT, "German", "R200", False),
    CodedRow(ITT_SUBJECT, "Italian", "R300", False),
    CodedRow(ITT_SUBJECT, "Business Studies", "N100", False),
    CodedRow(ITT_SUBJECT, "Dance", "W500", False),
    CodedRow(ITT_SUBJECT, "Early Years", "X110", False),
    CodedRow(ITT_SUBJECT, "Primary Foundation", "X121", False),
    CodedRow(ITT_SUBJECT, "Special Education Needs", "X161", False),
    CodedRow(ITT_SUBJECT, "English As A Second Language", "Q3003", False),
    CodedRow(ITT_SUBJECT, "General Studies", "Y4001", False),
    CodedRow(ITT_SUBJECT, "Sport & exercise science", "C600", False),
    CodedRow(ITT_SUBJECT, "Physical Education", "C600", False, key="C600PE"),  # same code: TRS maps it to C600PE
    CodedRow(ITT_SUBJECT, "Physical Education", "999002", False),
    CodedRow(ITT_SUBJECT, "English as a second or other language", "999004", False),
    CodedRow(ITT_SUBJECT, "Dummy Subject", "ZZ9999", False),
)


# --- countries ---------------------------------------------------------------------------------------------

_SEED_COUNTRIES: Final = [  # DQT's test seed, verbatim
    ("United Kingdom", "XK"),
    ("United Kingdom", "GB"),
    ("Wales", "WA"),
    ("Northern Ireland", "XG"),
    ("Scotland", "XH"),
    ("Portugal", "PT"),
    ("Spain", "ES"),
    ("France", "FR"),
]
_ISO_COUNTRIES: Final = [  # TRS ``countries`` names
    ("Australia", "AU"),
    ("Belgium", "BE"),
    ("Canada", "CA"),
    ("China", "CN"),
    ("Cyprus", "CY"),
    ("Czechia", "CZ"),
    ("Germany", "DE"),
    ("Ghana", "GH"),
    ("Greece", "GR"),
    ("Hong Kong", "HK"),
    ("Hungary", "HU"),
    ("Ireland", "IE"),
    ("India", "IN"),
    ("Italy", "IT"),
    ("Jamaica", "JM"),
    ("Nigeria", "NG"),
    ("Netherlands", "NL"),
    ("New Zealand", "NZ"),
    ("Pakistan", "PK"),
    ("Poland", "PL"),
    ("Romania", "RO"),
    ("Sweden", "SE"),
    ("Turkey", "TR"),
    ("United States", "US"),
    ("South Africa", "ZA"),
    ("Zimbabwe", "ZW"),
]
#: DQT-only codes the route mapping substitutes (XF→GB-ENG, XI→GB-WLS, XA/XC→CY, XB→TR, AN→NL, 9639→CZ,
#: 9880→ES, TW→CN) or maps to nothing (XP, EU, "EEA Countries", ZZ); their DQT names are in no source.
DQT_ONLY_COUNTRY_CODES: Final = (
    "XF",
    "XI",
    "XA",
    "XB",
    "XC",
    "AN",
    "9639",
    "9880",
    "TW",
    "XP",
    "EU",
    "EEA Countries",
    "ZZ",
)

#: ``dfeta_country`` rows (a subset).
COUNTRIES: Final = (
    *(CodedRow(COUNTRY, name, code, True) for name, code in _SEED_COUNTRIES),
    *(CodedRow(COUNTRY, name, code, True) for name, code in _ISO_COUNTRIES),
    *(CodedRow(COUNTRY, _unknown(code), code, True) for code in DQT_ONLY_COUNTRY_CODES),
)


# --- ITT providers (accounts) ------------------------------------------------------------------------------

#: The 18 Welsh ITT providers of the route mapping's Welsh rule (``WelshIttProviderIds``), real DQT ids.
WELSH_PROVIDERS: Final = tuple(
    AccountRow(account_id, name, None, True)
    for account_id, name in [
        ("eac72dd3-c7ae-e311-b8ed-005056822391", "Aberystwyth University"),
        ("5ef135c7-c7ae-e311-b8ed-005056822391", "Bangor University"),
        ("eb993dc1-c7ae-e311-b8ed-005056822391", "Cardiff Institute Of Higher Education"),
        ("157135cd-c7ae-e311-b8ed-005056822391", "Glyndwr University"),
        ("039a3dc1-c7ae-e311-b8ed-005056822391", "Glyndwr University Wrexham ITT"),
        ("2c7135cd-c7ae-e311-b8ed-005056822391", "Swansea Institute of Higher Education"),
        ("099a3dc1-c7ae-e311-b8ed-005056822391", "Swansea Metropolitan University ITT"),
        ("c8993dc1-c7ae-e311-b8ed-005056822391", "University College Cardiff"),
        ("d6f135c7-c7ae-e311-b8ed-005056822391", "University College of North Wales"),
        ("0f7135cd-c7ae-e311-b8ed-005056822391", "University of Wales College, Newport"),
        ("1d9a3dc1-c7ae-e311-b8ed-005056822391", "University of Wales Institute, Cardiff"),
        ("4d056786-c8ae-e311-b8ed-005056822391", "University Of Wales Institute, Cardiff"),
        ("9c993dc1-c7ae-e311-b8ed-005056822391", "University Of Wales ITT"),
        ("119a3dc1-c7ae-e311-b8ed-005056822391", "University of Wales Newport"),
        ("706f35cd-c7ae-e311-b8ed-005056822391", "University of Wales Trinity Saint David"),
        ("52f135c7-c7ae-e311-b8ed-005056822391", "University of Wales, Aberystwyth ITT"),
        ("c5993dc1-c7ae-e311-b8ed-005056822391", "University Of Wales, Cardiff ITT"),
        ("6af135c7-c7ae-e311-b8ed-005056822391", "University of Wales, Swansea ITT"),
    ]
)
WELSH_PROVIDER_IDS: Final = frozenset(p.id for p in WELSH_PROVIDERS)


def _account(name: str, ukprn: str | None, training_provider: bool = True) -> AccountRow:
    return AccountRow(reference_id(ACCOUNT, ukprn or name), name, ukprn, training_provider)


#: English ITT providers with a UKPRN (the first two from DQT's test seed, the rest public UKRLP numbers).
ENGLISH_PROVIDERS: Final = tuple(
    _account(name, ukprn)
    for name, ukprn in [
        ("ARK Teacher Training", "10044534"),
        ("University of Newcastle Upon Tyne", "10007799"),
        ("University of Birmingham", "10006840"),
        ("University of Leeds", "10007795"),
        ("University of Manchester", "10007798"),
        ("University of Bristol", "10007786"),
        ("University of Warwick", "10007163"),
        ("University of Southampton", "10007158"),
        ("University of Sheffield", "10007157"),
        ("Durham University", "10007143"),
        ("University of Nottingham", "10007154"),
        ("University of Exeter", "10007792"),
        ("University of York", "10007167"),
        ("University of Liverpool", "10006842"),
        ("Loughborough University", "10004113"),
        ("Brunel University", "10000961"),
        ("University of Bath", "10007850"),
        ("University College London", "10007784"),
        ("King's College London", "10003645"),
        ("University of Cambridge", "10007788"),
        ("University of Oxford", "10007774"),
    ]
)
#: Providers without a UKPRN, from DQT's test seed (overseas and Scottish/NI training).
NON_UKPRN_PROVIDERS: Final = (
    _account("Non-UK establishment", None),
    _account("UK establishment (Scotland/Northern Ireland)", None),
)
#: An establishment account not flagged as a training provider (the flag is ours: it models an ITT row whose
#: establishment the route migration cannot resolve; the name is an ITT provider name from DfE test data).
UNFLAGGED_ESTABLISHMENT: Final = _account("Earl Spencer Primary School", None, training_provider=False)

ITT_PROVIDERS: Final = (*WELSH_PROVIDERS, *ENGLISH_PROVIDERS, *NON_UKPRN_PROVIDERS, UNFLAGGED_ESTABLISHMENT)


# --- provenance markers and lookups ------------------------------------------------------------------------

#: (logical name, ``dfeta_value``) of rows whose name is a marked placeholder: no source gives it.
UNKNOWN_NAMES: Final = frozenset(
    (row.logical_name, row.value) for row in (*ITT_QUALIFICATIONS, *COUNTRIES) if row.name.startswith("[name not")
)
#: (logical name, ``dfeta_value``) of rows whose name comes from TRS or a code identifier, not from DQT.
INFERRED_NAMES: Final = frozenset(
    {
        *((ITT_QUALIFICATION, code) for code in ("110", "113", "997", "998")),
        *((COUNTRY, code) for _, code in _ISO_COUNTRIES),
    }
)

#: Every professional-status reference row by id (the bridge can map lookups back to codes with it).
_CODED: Final[tuple[CodedRow, ...]] = (
    *TEACHER_STATUSES,
    *EARLY_YEARS_STATUSES,
    *ITT_QUALIFICATIONS,
    *ITT_SUBJECTS,
    *COUNTRIES,
)
ROWS_BY_ID: Final[dict[str, CodedRow | AccountRow]] = {
    **{row.id: row for row in _CODED},
    **{row.id: row for row in ITT_PROVIDERS},
}


def by_value(rows: tuple[CodedRow, ...], value: str) -> CodedRow:
    """The first row with ``dfeta_value`` ``value`` (DQT's lookups by code take the first, too)."""
    for row in rows:
        if row.value == value:
            return row
    raise KeyError(value)
