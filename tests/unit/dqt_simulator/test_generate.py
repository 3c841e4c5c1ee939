"""The generator writes deterministic, Web-API-shaped DQT data with real reference ids and some dirt."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path

import orjson
import pytest

from dqt_simulator.generate import GENERATED_ENTITY_SETS, generate, uk_midnight_utc
from mappings.reference import dqt as ref


def _read(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("gen")
    return out, generate(out_dir=out, persons=3000, seed=42)


def test_same_seed_gives_identical_files(tmp_path: Path, generated: tuple[Path, dict[str, int]]) -> None:
    # Given the module's data set, When the same persons and seed are generated again
    out, _ = generated
    generate(out_dir=tmp_path, persons=3000, seed=42)
    # Then every file is byte-identical
    for entity_set in GENERATED_ENTITY_SETS:
        digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
        assert digest(tmp_path / f"{entity_set}.jsonl") == digest(out / f"{entity_set}.jsonl")


def test_another_seed_gives_other_data(tmp_path: Path, generated: tuple[Path, dict[str, int]]) -> None:
    out, _ = generated
    generate(out_dir=tmp_path, persons=3000, seed=43)
    assert (tmp_path / "contacts.jsonl").read_bytes() != (out / "contacts.jsonl").read_bytes()


def test_counts_are_reported_and_in_real_proportions(generated: tuple[Path, dict[str, int]]) -> None:
    out, counts = generated
    for entity_set in GENERATED_ENTITY_SETS:
        assert counts[entity_set] == len((out / f"{entity_set}.jsonl").read_bytes().splitlines())
    assert counts["contacts"] == 3000
    assert 0.03 < counts["dfeta_qualifications"] / 3000 < 0.2
    assert 0.005 < counts["dfeta_sanctions"] / 3000 < 0.05
    assert 0.5 < counts["dfeta_inductions"] / 3000 < 0.7
    assert 0.05 < counts["dfeta_previousnames"] / 3000 < 0.25


def test_versionnumbers_strictly_increase_across_all_files(generated: tuple[Path, dict[str, int]]) -> None:
    out, _ = generated
    versions = [r["versionnumber"] for s in GENERATED_ENTITY_SETS for r in _read(out / f"{s}.jsonl")]
    assert len(set(versions)) == len(versions)
    for entity_set in GENERATED_ENTITY_SETS:
        records = _read(out / f"{entity_set}.jsonl")
        assert all(r["@odata.etag"] == f'W/"{r["versionnumber"]}"' for r in records)
        assert [r["versionnumber"] for r in records] == sorted(r["versionnumber"] for r in records)


def test_trns_are_unique_and_mostly_valid_with_some_dirt(generated: tuple[Path, dict[str, int]]) -> None:
    out, _ = generated
    trns = [c["dfeta_trn"] for c in _read(out / "contacts.jsonl")]
    present = [t for t in trns if t is not None]
    assert len(set(present)) == len(present)
    valid = [t for t in present if len(t) == 7 and t.isdigit()]
    assert 0.9 < len(valid) / len(trns) < 0.99
    assert any(t is None for t in trns)
    assert any(len(t) != 7 for t in present)


def test_dependants_point_at_generated_persons_and_real_reference_rows(
    generated: tuple[Path, dict[str, int]],
) -> None:
    out, _ = generated
    person_ids = {c["contactid"] for c in _read(out / "contacts.jsonl")}
    establishments = {r.id for r in ref.MQ_ESTABLISHMENTS}
    specialisms = {r.id for r in ref.MQ_SPECIALISMS}
    codes = {r.id for r in ref.SANCTION_CODES}
    for entity_set in GENERATED_ENTITY_SETS[1:]:
        assert all(r["_dfeta_personid_value"] in person_ids for r in _read(out / f"{entity_set}.jsonl"))
    mqs = [q for q in _read(out / "dfeta_qualifications.jsonl") if q["dfeta_type"] == 389040002]
    assert {q["_dfeta_mq_mqestablishmentid_value"] for q in mqs} - {None} <= establishments
    assert {q["_dfeta_mq_specialismid_value"] for q in mqs} - {None} <= specialisms
    sanctions = _read(out / "dfeta_sanctions.jsonl")
    assert {s["_dfeta_sanctioncodeid_value"] for s in sanctions} - {None} <= codes


def test_data_carries_the_dirt_real_dqt_has(generated: tuple[Path, dict[str, int]]) -> None:
    out, _ = generated
    contacts = _read(out / "contacts.jsonl")
    assert any(c["dfeta_statedfirstname"] for c in contacts)
    assert any(c["statecode"] == 1 for c in contacts)
    assert any(c["emailaddress1"] is not None and not c["emailaddress1"].strip() for c in contacts)
    quals = _read(out / "dfeta_qualifications.jsonl")
    assert Counter(q["dfeta_type"] for q in quals)[389040002] < len(quals)  # non-MQ rows exist too
    assert any(q["dfeta_mq_status"] is None and q["dfeta_mq_date"] for q in quals if q["dfeta_type"] == 389040002)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 1, 15), "2024-01-15T00:00:00Z"),  # GMT: midnight is midnight UTC
        (dt.date(2024, 7, 15), "2024-07-14T23:00:00Z"),  # BST: UK midnight is 23:00 UTC the day before
        (dt.date(2024, 3, 31), "2024-03-31T00:00:00Z"),  # clocks go forward at 01:00, midnight still GMT
        (dt.date(2024, 10, 27), "2024-10-26T23:00:00Z"),  # clocks go back at 02:00, midnight still BST
    ],
)
def test_uk_midnight_utc(day: dt.date, expected: str) -> None:
    assert uk_midnight_utc(day) == expected


def test_negative_persons_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="persons"):
        generate(out_dir=tmp_path, persons=-1, seed=1)
