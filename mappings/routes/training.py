"""The training columns of a route (reference §3.8), from its ITT row.

- age specialism from ``dfeta_agerangefrom``/``to`` (``ConvertToTrsTrainingAgeSpecialism``): both null → none;
  one band (Foundation Stage, Key Stage 1–4, Further Education) on both ends, a missing end copying the
  other → that band with no ages; otherwise Range with the min and max of all implied ages (99 stays 99;
  Not applicable and Other imply none, and no implied age at all gives no specialism);
- ``dqt_age_range_from``/``to``: the option's enum name, ``""`` when the ITT has none;
- subjects: 1, 2, 3 in order, each DQT ``dfeta_value`` → TRS ``training_subjects.reference`` (C600 named
  "Physical Education" → "C600PE"); unmappable ones are left out, as TRS's ``ignoreInvalidData`` did;
- country: the DQT code with the ``CountryExtensions`` substitutions; codes TRS does not know → null;
- provider: the account's UKPRN, else its id (:meth:`StatusReference.provider_id`); none → MappingError;
- degree type: the 38 qualification codes of ``DEGREE_TYPE_IDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mappings.reference.routes import (
    AGE_RANGES_BY_VALUE,
    COUNTRY_SUBSTITUTIONS,
    DEGREE_TYPE_IDS,
    PHYSICAL_EDUCATION,
    TrainingAgeSpecialismType,
)
from mappings.routes.reference import Coded, StatusReference


@dataclass(frozen=True, slots=True)
class AgeSpecialism:
    type: TrainingAgeSpecialismType
    range_from: int | None
    range_to: int | None


def age_specialism(age_from: int | None, age_to: int | None) -> AgeSpecialism | None:
    """TRS training age specialism from the two ``dfeta_AgeRange`` option values."""
    if age_from is None and age_to is None:
        return None
    low = AGE_RANGES_BY_VALUE[age_from] if age_from is not None else None
    high = AGE_RANGES_BY_VALUE[age_to] if age_to is not None else None
    first = low or high
    last = high or low
    assert first is not None
    assert last is not None
    if first == last and first.band is not None:
        return AgeSpecialism(first.band, None, None)
    ages = [*first.ages, *last.ages]
    if not ages:
        return None
    return AgeSpecialism(TrainingAgeSpecialismType.RANGE, min(ages), max(ages))


def age_range_name(value: int | None) -> str:
    """``dqt_age_range_from``/``to`` for a row that has an ITT: the enum name, or "" when null."""
    return "" if value is None else AGE_RANGES_BY_VALUE[value].name


def subject_reference(subject: Coded) -> str:
    value, name, reference = PHYSICAL_EDUCATION
    if subject.value == value and subject.name == name:
        return reference
    return subject.value


def subject_ids(subjects: tuple[Coded, ...], reference: StatusReference) -> list[str]:
    ids = []
    for subject in subjects:
        subject_id = reference.subject_id(subject_reference(subject))
        if subject_id is not None:
            ids.append(subject_id)
    return ids


def country_id(code: str | None, reference: StatusReference) -> str | None:
    if code is None:
        return None
    country = COUNTRY_SUBSTITUTIONS.get(code, code)
    if country is None or not reference.country_known(country):
        return None
    return country


def degree_type_id(qualification: str | None) -> str | None:
    return None if qualification is None else DEGREE_TYPE_IDS.get(qualification)
