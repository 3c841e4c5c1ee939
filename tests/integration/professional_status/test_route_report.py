"""``trs-bridge routes report`` after an initial sync of generated data: its counts are those of
``map_professional_status`` run directly over the generated DQT rows, on PostgreSQL and SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridge.route_report import STATUS_NAMES, route_report
from dataverse_client import DataverseClient
from mappings import MappingError, map_professional_status
from mappings.reference.routes import ROUTE_TYPES_BY_ID
from tests.integration.bridge.conftest import Store
from tests.integration.bridge.helpers import read_jsonl, rows, sync
from tests.integration.professional_status.helpers import status_reference
from tests.support.simulator import SimulatorHandle

pytestmark = pytest.mark.integration

ITT = "dfeta_initialteachertrainings"
QTS = "dfeta_qtsregistrations"
TRS_BRIDGE = str(Path(sys.executable).parent / "trs-bridge")


def _by_person(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[record["_dfeta_personid_value"].lower()].append(record)
    return grouped


def _expected(dqt_data: Path, persons: set[str]) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Routes per (type name, status name) and outcomes per (scope, reason), from the mapping run directly."""
    itts = _by_person(read_jsonl(dqt_data / f"{ITT}.jsonl"))
    qtss = _by_person(read_jsonl(dqt_data / f"{QTS}.jsonl"))
    reference = status_reference()
    routes: Counter[tuple[str, str]] = Counter()
    outcomes: Counter[tuple[str, str]] = Counter()
    for contact in read_jsonl(dqt_data / "contacts.jsonl"):
        person_id = contact["contactid"].lower()
        if person_id not in persons:
            continue  # its rows fail as orphans ("store" scope), which the mapping knows nothing of
        try:
            result = map_professional_status(contact, itts.get(person_id, []), qtss.get(person_id, []), reference)
        except MappingError:
            outcomes["mapping", "MappingError"] += 1
            continue
        if result.contact_failed:
            (failure,) = result.failures
            outcomes["contact", failure.reason.value] += 1
            continue
        for route in result.routes:
            name = ROUTE_TYPES_BY_ID[route["route_to_professional_status_type_id"]].name
            routes[name, STATUS_NAMES[route["status"]]] += 1
        for failure in result.failures:
            outcomes["row", failure.reason.value] += 1
    return routes, outcomes


def test_the_route_report_counts_what_the_mapping_gives(
    store: Store,
    dqt_data: Path,
    loaded_simulator: SimulatorHandle,
    client_for: Callable[[SimulatorHandle], DataverseClient],
    tmp_path: Path,
) -> None:
    # Given every feed synced once from generated DQT data
    sync(store.engine, client_for(loaded_simulator), page_size=97)
    expected_routes, expected_outcomes = _expected(dqt_data, set(rows(store.engine, "persons")))
    assert sum(expected_routes.values()) > 200
    assert {scope for scope, _ in expected_outcomes} == {"row", "contact", "mapping"}

    # When the report is built
    report = route_report(store.engine)

    # Then routes by type and status, and outcomes by reason, are exactly the mapping's
    assert Counter(report.route_counts()) == expected_routes
    outcomes = report.outcome_counts()
    assert Counter({k: v for k, v in outcomes.items() if k[0] != "store"}) == expected_outcomes
    assert all(reason == "missing_parent" for scope, reason in outcomes if scope == "store")
    assert report.total_routes == sum(expected_routes.values())

    # And the command line prints the same as JSON
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DQT_", "TRS_"))}
    done = subprocess.run(
        [TRS_BRIDGE, "routes", "report", "--json"],
        env={**base, "TRS_DATABASE_URL": store.url},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout)
    assert printed == report.as_json()
    holds = {(r["route_type"], r["status"]): r["count"] for r in printed["routes"]}
    assert holds == dict(expected_routes)
