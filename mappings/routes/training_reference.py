"""The TRS ``training_subjects``, ``training_providers`` and ``countries`` rows, from DQT's reference rows.

TRS seeds these tables with its own rows (HECOS subjects, providers) and appends DQT's; we have no copy of TRS's
seeds, so the rows come from what a route can name (ADR 0068): the ids here are exactly the ids
:func:`~mappings.map_professional_status` writes into a route's training columns for the same
:class:`~mappings.StatusReference`, which is what lets the store hold foreign keys to them.

- ``training_subjects``: one row per TRS reference (a DQT ``dfeta_ittsubject`` code, "C600PE" for the C600 row
  named "Physical Education"); its id is :meth:`StatusReference.subject_id`. Rows sharing a reference (DQT's
  build environment has duplicates) give one row, named after the row with the lowest DQT id that has a name.
- ``training_providers``: one row per ``account`` flagged as a training provider, with its UKPRN and name, under
  :meth:`StatusReference.provider_id` (its DQT id when no TRS table is supplied).
- ``countries``: one row per TRS code a DQT country maps to (``CountryExtensions`` substitutions), named after
  the DQT row whose own code it is, else the lowest DQT id. Codes that map to nothing (XP, EU, …) or do not fit
  TRS's ``varchar(10)`` give no row; :func:`with_storable_countries` makes the mapping leave those out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final, TypedDict

from mappings.reference.routes import COUNTRY_SUBSTITUTIONS
from mappings.routes.reference import StatusReference
from mappings.routes.training import subject_reference

#: Width of TRS ``countries.country_id`` and ``qualifications.training_country_id`` (``varchar(10)``).
COUNTRY_ID_LENGTH: Final = 10


class TrainingSubjectRow(TypedDict):
    training_subject_id: str
    reference: str
    name: str | None


class TrainingProviderRow(TypedDict):
    training_provider_id: str
    ukprn: str | None
    name: str | None


class CountryRow(TypedDict):
    country_id: str
    name: str | None


@dataclass(frozen=True, slots=True)
class TrainingReferenceRows:
    """The three tables' rows, keyed by their primary key."""

    subjects: dict[str, TrainingSubjectRow]
    providers: dict[str, TrainingProviderRow]
    countries: dict[str, CountryRow]


def trs_country_code(dqt_code: str) -> str | None:
    """The TRS ``country_id`` of a DQT country code, or None when TRS has no row for it."""
    code = COUNTRY_SUBSTITUTIONS.get(dqt_code, dqt_code)
    if code is None or len(code) > COUNTRY_ID_LENGTH:
        return None
    return code


def training_reference_rows(reference: StatusReference) -> TrainingReferenceRows:
    """Every row the three TRS tables need so that any route mapped with ``reference`` finds its subjects,
    provider and country there (deterministic whatever the order DQT returned the rows in)."""
    subjects: dict[str, TrainingSubjectRow] = {}
    for _, coded in sorted(reference.itt_subjects.items(), key=lambda item: (item[1].name is None, item[0])):
        code = subject_reference(coded)
        subject_id = reference.subject_id(code)
        if subject_id is not None and subject_id not in subjects:
            subjects[subject_id] = {"training_subject_id": subject_id, "reference": code, "name": coded.name}

    providers: dict[str, TrainingProviderRow] = {}
    for account_id, account in sorted(reference.providers.items()):
        provider_id = reference.provider_id(account_id, account)
        if provider_id is not None and provider_id not in providers:
            providers[provider_id] = {"training_provider_id": provider_id, "ukprn": account.ukprn, "name": account.name}

    countries: dict[str, CountryRow] = {}

    def country_order(item: tuple[str, object]) -> tuple[bool, bool, str]:
        coded = reference.countries[item[0]]
        return (trs_country_code(coded.value) != coded.value, coded.name is None, item[0])

    for _, country in sorted(reference.countries.items(), key=country_order):
        country_id = trs_country_code(country.value)
        if country_id is not None and country_id not in countries and reference.country_known(country_id):
            countries[country_id] = {"country_id": country_id, "name": country.name}
    return TrainingReferenceRows(subjects, providers, countries)


def with_storable_countries(reference: StatusReference) -> StatusReference:
    """``reference`` with ``trs_countries`` set to the codes :func:`training_reference_rows` gives rows for (within
    any ``trs_countries`` it already had), so no route names a country the store cannot hold."""
    codes = set(training_reference_rows(reference).countries)
    if reference.trs_countries is not None:
        codes &= reference.trs_countries
    return dataclasses.replace(reference, trs_countries=frozenset(codes))
