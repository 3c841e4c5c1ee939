"""Every record the generator writes (2,000 persons, seed 3) goes through the mappings: each yields a row,
Ignored, Skipped or a MappingError, and more than 90% map to rows."""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson
import pytest

from dqt_simulator.generate import generate
from mappings import (
    Ignored,
    MappingError,
    Skipped,
    map_contact,
    map_induction,
    map_previous_names,
    map_qualification,
    map_sanction,
    person_warnings,
)
from tests.unit.mappings import factories as f

Outcomes = Counter[str]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("generated")
    generate(out, persons=2000, seed=3)
    return {path.stem: [orjson.loads(line) for line in path.read_bytes().splitlines()] for path in out.glob("*.jsonl")}


def _run(call: Callable[[], object], outcomes: Outcomes, errors: Counter[str]) -> None:
    try:
        out = call()
    except MappingError as error:  # anything else fails the test
        outcomes["error"] += 1
        errors[f"{error.entity}.{error.field}: {error.rule}"] += 1
        return
    outcomes[type(out).__name__ if isinstance(out, Ignored | Skipped) else "row"] += 1


def test_every_generated_record_maps_or_fails_cleanly(data: dict[str, list[dict[str, Any]]]) -> None:
    lookup = f.lookup()
    outcomes: dict[str, Outcomes] = defaultdict(Counter)
    errors: Counter[str] = Counter()
    by_person: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for entity_set in ("dfeta_inductions", "dfeta_previousnames"):
        for record in data[entity_set]:
            by_person[record["_dfeta_personid_value"]][entity_set].append(record)

    warnings = 0
    for contact in data["contacts"]:
        _run(partial(map_contact, contact), outcomes["contacts"], errors)
        with contextlib.suppress(MappingError):
            warnings += len(person_warnings(map_contact(contact)))
        mine = by_person[contact["contactid"]]
        _run(partial(map_induction, contact, mine["dfeta_inductions"]), outcomes["inductions"], errors)
        _run(partial(map_previous_names, contact, mine["dfeta_previousnames"]), outcomes["previous"], errors)
    for record in data["dfeta_qualifications"]:
        _run(partial(map_qualification, record, lookup), outcomes["dfeta_qualifications"], errors)
    for record in data["dfeta_sanctions"]:
        _run(partial(map_sanction, record, lookup), outcomes["dfeta_sanctions"], errors)

    total = sum(sum(c.values()) for c in outcomes.values())
    failed = sum(c["error"] for c in outcomes.values())
    rows = sum(c["row"] for c in outcomes.values())
    # Then more than 90% of everything maps to rows, and so do contacts on their own
    assert rows / total > 0.9, (outcomes, errors.most_common())
    assert outcomes["contacts"]["row"] / 2000 > 0.9
    # and the generator's dirt shows up where it should
    assert outcomes["dfeta_qualifications"]["Ignored"] > 0  # non-MQ qualifications
    assert outcomes["dfeta_sanctions"]["Skipped"] > 0  # codes without an alert type
    assert failed > 0
    assert {key.split(":")[0] for key in errors} >= {"contacts.dfeta_trn", "contacts.dfeta_ninumber"}
    assert warnings > 0  # NI numbers with banned prefixes (TN, NT, ZZ...) are kept and flagged


def test_mapping_the_same_data_twice_gives_the_same_rows(data: dict[str, list[dict[str, Any]]]) -> None:
    first: list[object] = []
    second: list[object] = []
    for target in (first, second):
        for contact in data["contacts"][:300]:
            try:
                target.append(map_contact(contact))
            except MappingError as error:
                target.append(str(error))
    assert first == second
