"""Migrations build the schema the models describe, on both engines, from empty and back to empty."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text

from dataverse_client.guid_order import order_key
from tests.integration.trs_store.conftest import Database
from trs_store.dqt_order import dqt_range
from trs_store.errors import SchemaOutOfDate
from trs_store.migrate import current_revision, downgrade, ensure_up_to_date, head_revision, upgrade
from trs_store.models import metadata

pytestmark = pytest.mark.integration

SEED_JSON = Path(__file__).parents[3] / "mappings" / "reference" / "trs_seed.json"
STORE_TABLES = set(metadata.tables)
#: The expression indexes on DQT's GUID order (ADR 0097), which Alembic cannot compare.
DQT_ORDER_SUFFIX = "_dqt_order"


def test_upgrade_from_empty_then_downgrade_to_base(empty_url: str, engine_for: Callable[[str], Engine]) -> None:
    # Given an empty database
    engine = engine_for(empty_url)
    assert not STORE_TABLES & set(inspect(engine).get_table_names())

    # When it is upgraded to head
    upgrade(empty_url)

    # Then every table exists and the revision is the head
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= STORE_TABLES
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        ensure_up_to_date(conn)

    # When it is downgraded to base, every store table is gone again
    downgrade(empty_url)
    assert not STORE_TABLES & set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert current_revision(conn) is None


def test_upgrade_is_idempotent_and_revisions_step(empty_url: str, engine_for: Callable[[str], Engine]) -> None:
    upgrade(empty_url, "0001_schema")
    engine = engine_for(empty_url)
    with engine.connect() as conn:
        assert current_revision(conn) == "0001_schema"
        with pytest.raises(SchemaOutOfDate) as raised:
            ensure_up_to_date(conn)
        assert raised.value.current == "0001_schema"
        assert conn.execute(text("SELECT count(*) FROM alert_types")).scalar_one() == 0
    upgrade(empty_url)
    upgrade(empty_url)  # a second run changes nothing
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alert_types")).scalar_one() == 45
    downgrade(empty_url, "0001_schema")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alert_types")).scalar_one() == 0


def test_empty_database_is_out_of_date(empty_url: str, engine_for: Callable[[str], Engine]) -> None:
    with engine_for(empty_url).connect() as conn, pytest.raises(SchemaOutOfDate, match="<empty>"):
        ensure_up_to_date(conn)


def _not_an_expression_index(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    # Alembic cannot compare expression indexes (it reports each as removed and added again); the next test checks
    # those itself.
    return not (kind == "index" and name is not None and name.endswith(DQT_ORDER_SUFFIX))


# SQLite cannot reflect expression indexes: SQLAlchemy and Alembic say so; the next test checks those indexes.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_match_the_models(db: Database) -> None:
    # Alembic's autogenerate comparison finds nothing to add, drop or alter.
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _not_an_expression_index}
        )
        assert compare_metadata(context, metadata) == []


def test_each_dqt_id_column_has_its_dqt_order_index_and_a_range_read_uses_it(db: Database) -> None:
    # The models' expression indexes (ADR 0097) exist after the migrations, on both engines
    modelled = {
        (index.table.name, index.name)
        for table in metadata.tables.values()
        for index in table.indexes
        if index.name and index.name.endswith(DQT_ORDER_SUFFIX)
    }
    assert modelled == {
        ("persons", "ix_persons_dqt_contact_id_dqt_order"),
        ("qualifications", "ix_qualifications_dqt_qualification_id_dqt_order"),
        ("alerts", "ix_alerts_dqt_sanction_id_dqt_order"),
    }
    catalog = (
        "SELECT tablename, indexname FROM pg_indexes"
        if db.kind == "postgresql"
        else "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"
    )
    with db.engine.connect() as conn:
        assert modelled <= {(str(t), str(n)) for t, n in conn.execute(text(catalog))}
    # And a range of DQT's order over persons is read through its index, not by scanning the table
    persons = metadata.tables["persons"]
    low, high = order_key("00000000-0000-0000-0000-400000000000"), order_key("00000000-0000-0000-0000-800000000000")
    bounds = dqt_range(persons.c.dqt_contact_id, low, high)
    statement = select(persons.c.person_id).where(persons.c.dqt_contact_id.is_not(None), *bounds)
    with db.engine.connect() as conn:
        if db.kind == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        plan = " ".join(
            str(r[-1]) for r in conn.execute(text(f"EXPLAIN {'QUERY PLAN ' if db.kind == 'sqlite' else ''}{compiled}"))
        )
    assert "ix_persons_dqt_contact_id_dqt_order" in plan, plan


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("mandatory_qualification_providers", 14),
        ("alert_categories", 12),
        ("alert_types", 45),
        ("induction_exemption_reasons", 17),
        ("degree_types", 38),
        ("route_to_professional_status_types", 66),
    ],
)
def test_reference_seeds_present(db: Database, table: str, expected: int) -> None:
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(metadata.tables[table])).scalar_one() == expected


def test_reference_seeds_equal_the_mappings_json(db: Database) -> None:
    # The migration holds a frozen copy of mappings/reference/trs_seed.json; they must not drift apart.
    seed = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    with db.engine.connect() as conn:
        for table_name, rows in seed.items():
            table = metadata.tables[table_name]
            stored = [dict(r._mapping) for r in conn.execute(select(table))]
            key = next(iter(table.primary_key.columns)).name
            assert sorted(stored, key=lambda r: r[key]) == sorted(rows, key=lambda r: r[key]), table_name


def test_known_reference_rows(db: Database) -> None:
    with db.engine.connect() as conn:
        t10 = conn.execute(
            text(
                "SELECT alert_type_id, alert_category_id, internal_only FROM alert_types "
                "WHERE dqt_sanction_code = 'T10'"
            )
        ).one()
        assert str(t10[0]) == "12435c00-88cb-406b-b2b8-7400c1ced7b8"
        assert str(t10[1]) == "768c9eb4-355b-4491-bb20-67eb59a97579"  # Flag
        assert t10[2] in (True, 1)
        mary_hare = conn.execute(
            text(
                "SELECT name FROM mandatory_qualification_providers "
                "WHERE mandatory_qualification_provider_id = 'f417e73e-e2ad-40eb-85e3-55865be7f6be'"
            )
        ).scalar_one()
        assert mary_hare.startswith("Mary Hare School")
