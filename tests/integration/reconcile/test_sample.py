"""``--sample N``: N random DQT records (the same ones for the same seed), each compared with its TRS record(s)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bridge.reconcile import reconcile
from tests.integration.reconcile.conftest import Synced
from tests.integration.reconcile.helpers import found, persons, plain_persons, previous_names, set_columns

pytestmark = pytest.mark.integration


def test_a_sample_finds_a_planted_difference_it_includes(synced: Synced) -> None:
    engine, client = synced.store.engine, synced.client
    (planted,) = plain_persons(engine, 1)
    set_columns(engine, persons, planted, email_address="planted@example.org")

    # When a sample at least as large as the entity set is reconciled, then it includes, and finds, the difference
    everyone = reconcile(client, engine, "person", sample=1000, seed=1)
    assert everyone.mode == "sample"
    assert found(everyone) == {(planted, "differing", ("email_address",))}
    assert everyone.compared >= 290
    assert not everyone.clean


def test_a_sample_compares_n_random_records_the_same_for_the_same_seed(synced: Synced) -> None:
    engine, client = synced.store.engine, synced.client
    # Given every person and every previous name differing from DQT
    with engine.begin() as connection:
        connection.execute(update(persons).values(email_address="planted@example.org"))
        connection.execute(update(previous_names).values(last_name="Plantedname"))

    # When small samples are reconciled
    first = reconcile(client, engine, "person", sample=20, seed=7)
    again = reconcile(client, engine, "person", sample=20, seed=7)
    other = reconcile(client, engine, "person", sample=20, seed=8)
    names = reconcile(client, engine, "previous_name", sample=40, seed=7)

    # Then each compares 20 records (one may be a record that does not map), all of them differing
    assert first.dqt_records == 20
    assert first.compared + len(first.unapplied) == 20
    assert first.counts["differing"] == first.compared
    assert {fields for _, _, fields in found(first)} == {("email_address",)}
    # and the same seed draws the same records, another seed others
    assert found(again) == found(first)
    assert found(other) != found(first)
    # and a per-person entity samples persons: every previous name of a sampled person is compared
    assert names.compared > 0
    assert {fields for _, _, fields in found(names)} == {("last_name",)}
    assert names.counts["differing"] == names.compared
