"""Professional status: route columns on ``qualifications``, the persons status columns, the route types and degree
types (seeded), and ``professional_status_sources``.

- ``qualifications`` gains the route subtype's columns (professional-status reference §4.1), all nullable because
  MQ rows (``qualification_type`` 0) have none of them; a check constraint requires on routes what TRS declares
  NOT NULL. Foreign keys to ``route_to_professional_status_types`` and ``degree_types`` only: training subjects,
  providers and countries have no tables here (ADR 0060).
- ``persons`` gains ``qts_date``, ``eyts_date``, ``pqts_date``, ``has_eyps``, ``qtls_status`` (reference §5) and
  the rebuild's newer-wins key ``dqt_professional_status_version`` with ``dqt_professional_status_last_sync``.
- ``route_to_professional_status_types``: the 66 rows of reference §4.2; ``degree_types``: the 38 rows a route can
  name (``ConvertToTrsDegreeTypeId``). Copied from ``mappings/reference/trs_seed.json`` on 2026-11-28 (trs_store
  may not import mappings; ``tests/integration/trs_store/test_migrations.py`` keeps the two equal).
- ``professional_status_sources``: which person each DQT ITT row / QTS registration belongs to (ADR 0063).

Revision ID: 0005_professional_status
Revises: 0004_backfill_and_pauses
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import sqlalchemy as sa
from alembic import op

from trs_store.types import GUID, GUIDArray, UTCDateTime

revision: str = "0005_professional_status"
down_revision: str | Sequence[str] | None = "0004_backfill_and_pauses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (degree_type_id, name)
DEGREE_TYPES: list[tuple[Any, ...]] = [
    ("969c89e7-35b8-43d8-be07-17ef76c3b4bf", "BA"),
    ("dbb7c27b-8a27-4a94-908d-4b4404acebd5", "BA (Hons)"),
    ("1fcd0543-14d1-4866-b961-2812239eec06", "BA (Hons) Combined Studies/Education of the Deaf"),
    ("c06660d3-8964-40d0-985f-80b25eced995", "BA (Hons) with Intercalated PGCE"),
    ("b96d4ad9-6da0-4dad-a9e4-e35b2a0838eb", "BA Combined Studies/Education of the Deaf"),
    ("84e541d5-d55a-4d44-bc52-983322c1453f", "BA Education"),
    ("eb04bde4-9a7b-4c68-b7e1-a9254e0e7467", "BA Education Certificate"),
    ("826f6cc9-e5f8-4ce7-a5ee-6194d19f7e22", "BA with Intercalated PGCE"),
    ("b7b0635a-22c3-41e3-a420-77b9b58c51cd", "BEd"),
    ("9b35bdfa-cbd5-44fd-a45a-6167e7559de7", "BEd (Hons)"),
    ("02e4f052-bd3b-490c-bea0-bd390bc5b227", "BEng (Hons)/Education"),
    ("35d04fbb-c19b-4cd9-8fa6-39d90883a52a", "BSc"),
    ("9959e914-f4f4-44cd-909f-e170a0f1ac42", "BSc (Hons)"),
    ("9f4af7a8-14a5-4b34-af72-dc04c5245fc7", "BSc (Hons) with Intercalated PGCE"),
    ("7330e2f5-dd02-4498-9b7c-5cf99d7d0cab", "BSc/Certificate in Education"),
    ("72dbd225-6a7e-42af-b918-cf284bccaeef", "BSc/Education"),
    ("984af9ff-bb42-48ac-a634-f2c4954c8158", "BTech (Hons)/Education"),
    ("85ab05c8-be3a-4a72-9d04-9efc30d87289", "BTech/Education"),
    ("b44e02b1-7257-4609-a9e5-46ed72c91b98", "Certificate in Education"),
    ("4c0578b6-e9af-4c98-a3bc-038343b1436a", "Certificate in Education (FE)"),
    ("fc85c7e2-7fd7-4585-8c37-c29852e6027f", "Degree"),
    ("bc6c1f17-26a5-4987-9d50-2615e138e281", "Degree Equivalent (this will include foreign qualifications)"),
    ("311ef3a9-6aba-4314-acf8-4bba46aebe9e", "Graduate Certificate in Education"),
    ("d82637a0-33ed-4181-b00b-9d53e7853552", "Graduate Certificate in Mathematics and Education"),
    ("b9ef569f-fb23-4f31-842e-a0d940d911be", "Graduate Certificate in Science and Education"),
    ("54f72259-23b2-4d79-a6ca-c185084c903f", "PGCE (Articled Teachers Scheme)"),
    ("2f7a914f-f95f-421a-a55e-60ed88074cf2", "Postgraduate Art Teachers Certificate"),
    ("8d0440f2-f731-4ac2-b49c-927af903bf59", "Postgraduate Art Teachers Diploma"),
    ("40a85dd0-8512-438e-8040-649d7d677d07", "Postgraduate Certificate in Education"),
    ("c584eb2f-1419-4870-a230-5d81ae9b5f77", "Postgraduate Certificate in Education (Further Education)"),
    ("63d80489-ee3d-43af-8c4a-1d6ae0d65f68", "Postgraduate Diploma in Education"),
    ("d8e267d2-ed85-4eee-8119-45d0c6cc5f6b", "Professional Graduate Certificate in Education"),
    ("7c703efb-a5d3-41d3-b243-ee8974695dd8", "Professional Graduate Diploma in Education"),
    ("4ec0a016-07eb-47b4-8cdd-e276945d401e", "Qualification gained in Europe"),
    ("b02914fe-3a30-4f7c-94ec-0cd87a75834d", "Teachers Certificate"),
    ("7471551d-132e-4c5d-82cc-a41190f01245", "Teachers Certificate FE"),
    ("dba69141-4101-4e05-80e0-524e3967d589", "Undergraduate Master of Teaching"),
    ("9cf31754-5ac5-46a1-99e5-5c98cba1b881", "Unknown"),
]

#: The nine requirement columns, in the order of the digits in ROUTE_TYPES (0 optional, 1 mandatory, 2 N/A).
REQUIREMENT_COLUMNS: Final = (
    "training_start_date_required",
    "training_end_date_required",
    "holds_from_required",
    "induction_exemption_required",
    "training_provider_required",
    "degree_type_required",
    "training_country_required",
    "training_age_specialism_type_required",
    "training_subjects_required",
)

# (route_to_professional_status_type_id, name, professional_status_type, is_active, requirements,
#  induction_exemption_reason_id)
ROUTE_TYPES: list[tuple[Any, ...]] = [
    (
        "6f27bdeb-d00a-4ef9-b0ea-26498ce64713",
        "Apply for Qualified Teacher Status in England",
        0,
        True,
        "221122100",
        "4c97e211-10d2-4c63-8da9-b0fcebe7f2f9",
    ),
    ("6987240e-966e-485f-b300-23b54937fb3a", "Postgraduate Teaching Apprenticeship", 0, True, "001211000", None),
    ("57b86cef-98e2-4962-a74a-d47c7a34b838", "Assessment Only", 0, True, "001211000", None),
    ("4b6fc697-be67-43d3-9021-cc662c4a559f", "Authorised Teacher Programme", 0, False, "001200000", None),
    ("4163c2fb-6163-409f-85fd-56e7c70a54dd", "Core", 0, False, "001200000", None),
    ("4bd7a9f0-28ca-4977-a044-a7b7828d469b", "Core Flexible", 0, False, "001200000", None),
    ("5748d41d-7b53-4ee6-833a-83080a3bd8ef", "CTC or CCTA", 0, False, "001200000", None),
    ("d9eef3f8-fde6-4a3f-a361-f6655a42fa1e", "Early Years ITT Assessment Only", 1, True, "001211000", None),
    ("4477e45d-c531-4c63-9f4b-e157766366fb", "Early Years ITT Graduate Employment Based", 1, True, "001211100", None),
    ("dbc4125b-9235-41e4-abd2-baabbf63f829", "Early Years ITT Graduate Entry", 1, True, "001211100", None),
    ("7f09002c-5dad-4839-9693-5e030d037ae9", "Early Years ITT School Direct", 1, True, "001211000", None),
    ("c97c0fd2-fd84-4949-97c7-b0e2422fb3c8", "Early Years ITT Undergraduate", 1, True, "001211000", None),
    ("f4da123b-5c37-4060-ab00-52de4bd3599e", "EC directive", 0, False, "001000000", None),
    ("2b106b9d-ba39-4e2d-a42e-0ce827fdc324", "European Recognition", 0, False, "001000000", None),
    ("ec95c276-25d9-491f-99a2-8d92f10e1e94", "European Recognition - PQTS", 3, False, "001200000", None),
    ("8f5c0431-d006-4eda-9336-16dfc6a26a78", "EYPS", 2, False, "002000000", None),
    ("eba0b7ae-cbce-44d5-a56f-988d69b03001", "EYPS ITT Migrated", 2, False, "002200000", None),
    ("5b7d1c4e-fb2b-479c-bdee-5818daaa8a07", "EYTS ITT Migrated", 1, False, "001200000", None),
    ("45c93b5b-b4dc-4d0f-b0de-d612521e0a13", "FE Recognition 2000-2004", 0, False, "001000000", None),
    ("700ec96f-6bbf-4080-87bd-94ef65a6a879", "Flexible ITT", 0, True, "001211000", None),
    ("f85962c9-cf0c-415d-9de5-a397f95ae261", "Future Teaching Scholars", 0, True, "001211100", None),
    ("a6431d4b-e4cd-4e59-886b-358221237e75", "Graduate non-trained", 0, False, "001200000", None),
    ("34222549-ed59-4c4a-811d-c0894e78d4c3", "Graduate Teacher Programme", 0, False, "001000000", None),
    ("10078157-e8c3-42f7-a050-d8b802e83f7b", "HEI", 0, True, "001211000", None),
    ("32017d68-9da4-43b2-ae91-4f24c68f6f78", "HEI - Historic", 0, False, "001200000", None),
    ("bfef20b2-5ac4-486d-9493-e5a4538e1be9", "High Potential ITT", 0, True, "001211100", None),
    ("d0b60864-ab1c-4d49-a5c2-ff4bd9872ee1", "International Qualified Teacher Status", 0, True, "001211100", None),
    ("4514ec65-20b0-4465-b66f-4718963c5b80", "Legacy ITT", 0, False, "001200000", None),
    ("c80cb763-0d61-4cf1-a749-37c1d0ab85f8", "Legacy Migration", 0, False, "001200000", None),
    ("2b4862ca-bd30-4a3a-bfce-52b57c2946c7", "Licensed Teacher Programme", 0, False, "001200000", None),
    ("fc16290c-ac1e-4830-b7e9-35708f1bded3", "Licensed Teacher Programme - Armed Forces", 0, False, "001200000", None),
    ("d5eb09cc-c64f-45df-a46d-08277a25de7a", "Licensed Teacher Programme - FE", 0, False, "001200000", None),
    (
        "64c28594-4b63-42b3-8b47-e3f140879e66",
        "Licensed Teacher Programme - Independent School",
        0,
        False,
        "001200000",
        None,
    ),
    (
        "e5c198fa-35f0-4a13-9d07-8b0239b4957a",
        "Licensed Teacher Programme - Maintained School",
        0,
        False,
        "001200000",
        None,
    ),
    ("779bd3c6-6b3a-4204-9489-1bbb381b52bf", "Licensed Teacher Programme - OTT", 0, False, "001200000", None),
    ("aa1efd16-d59c-4e18-a496-16e39609b389", "Long Service", 0, False, "001200000", None),
    (
        "3604ef30-8f11-4494-8b52-a2f9c5371e03",
        "Northern Irish Recognition",
        0,
        True,
        "221122100",
        "3471ab35-e6e4-4fa9-a72b-b8bd113df591",
    ),
    ("88867b43-897b-49b5-97cc-f4f81a1d5d44", "Other Qualifications non ITT", 0, False, "001000000", None),
    ("51756384-cfea-4f63-80e5-f193686e0f71", "Overseas Trained Teacher Programme", 0, False, "001000000", None),
    ("ce61056e-e681-471e-af48-5ffbf2653500", "Overseas Trained Teacher Recognition", 0, False, "001000000", None),
    ("f5390be5-8336-4951-b97b-5b45d00b7a76", "PGATC ITT", 0, False, "001200000", None),
    ("1c626be0-5a64-47ec-8349-75008f52bc2c", "PGATD ITT", 0, False, "001200000", None),
    ("02a2135c-ac34-4481-a293-8a00aab7ee69", "PGCE ITT", 0, False, "001200000", None),
    ("7721655f-165f-4737-97d4-17fc6991c18c", "PGDE ITT", 0, False, "001211000", None),
    (
        "ef46ff51-8dc0-481e-b158-61ccea9943d9",
        "Primary and secondary postgraduate fee funded",
        0,
        True,
        "001211100",
        None,
    ),
    (
        "321d5f9a-9581-4936-9f63-cfddd2a95fe2",
        "Primary and secondary undergraduate fee funded",
        0,
        True,
        "001211000",
        None,
    ),
    ("002f7c96-f6ae-4e67-8f8b-d2f1c1317273", "ProfGCE ITT", 0, False, "001200000", None),
    ("9a6f368f-06e7-4a74-b269-6886c48a49da", "ProfGDE ITT", 0, False, "001200000", None),
    ("97497716-5ac5-49aa-a444-27fa3e2c152a", "Provider led Postgrad", 0, True, "001211000", None),
    ("53a7fbda-25fd-4482-9881-5cf65053888d", "Provider led Undergrad", 0, True, "001211000", None),
    (
        "be6eaf8c-92dd-4eff-aad3-1c89c4bec18c",
        "QTLS and SET Membership",
        0,
        True,
        "221102000",
        "35caa6a3-49f2-4a63-bd5a-2ba5fa9dc5db",
    ),
    ("70368ff2-8d2b-467e-ad23-efe7f79995d7", "Registered Teacher Programme", 0, False, "001200000", None),
    ("abcb0a14-0c21-4598-a42c-a007d4b048ac", "School Centered ITT", 0, False, "001200000", None),
    ("d9490e58-acdc-4a38-b13e-5a5c21417737", "School Direct Training Programme", 0, True, "001211000", None),
    ("12a742c3-1cd4-43b7-a2fa-1000bd4cc373", "School Direct Training Programme Salaried", 0, True, "001211000", None),
    (
        "97e1811b-d46c-483e-aec3-4a2dd51a55fe",
        "School Direct Training Programme Self Funded",
        0,
        True,
        "001211000",
        None,
    ),
    (
        "52835b1f-1f2e-4665-abc6-7fb1ef0a80bb",
        "Scottish Recognition",
        0,
        True,
        "221122100",
        "a112e691-1694-46a7-8f33-5ec5b845c181",
    ),
    ("bed14b00-5d08-4580-83b5-86d71a4f1a24", "TC ITT", 0, False, "001200100", None),
    ("82aa14d3-ef6a-4b46-a10c-dc850ddcef5f", "TCMH", 0, False, "001200000", None),
    ("5b7f5e90-1ca6-4529-baa0-dfba68e698b8", "Teach First Programme", 0, False, "001211000", None),
    ("50d18f17-ee26-4dad-86ca-1aae3f956bfc", "Troops to Teach", 0, False, "001201000", None),
    ("7c04865f-fa39-458a-bc39-07dd46b88154", "UGMT ITT", 0, False, "001200000", None),
    ("20f67e38-f117-4b42-bbfc-5812aa717b94", "Undergraduate Opt In", 0, True, "001211000", None),
    ("877ba701-fe26-4951-9f15-171f3755d50d", "Welsh Recognition", 0, True, "221222000", None),
    ("11b66de5-4670-4c82-86aa-20e42df723b7", "Early Years Teacher Degree Apprenticeship", 1, True, "001201111", None),
    ("5d4c01c1-0841-4306-b49c-48ad6499fdc0", "Teacher Degree Apprenticeship", 0, True, "001201111", None),
]

#: SQLite stores a None list as the JSON text 'null': the CAST test catches it (a no-op on PostgreSQL's uuid[]).
_ROUTE_COLUMNS_CHECK: Final = (
    "qualification_type <> 1 OR (route_to_professional_status_type_id IS NOT NULL AND status IS NOT NULL "
    "AND training_subject_ids IS NOT NULL AND CAST(training_subject_ids AS TEXT) <> 'null')"
)
_SOURCE_WHERE: Final = "source_application_user_id IS NOT NULL AND source_application_reference IS NOT NULL"


def _route_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("route_to_professional_status_type_id", GUID(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("holds_from", sa.Date(), nullable=True),
        sa.Column("training_start_date", sa.Date(), nullable=True),
        sa.Column("training_end_date", sa.Date(), nullable=True),
        sa.Column("training_subject_ids", GUIDArray(), nullable=True),
        sa.Column("training_age_specialism_type", sa.Integer(), nullable=True),
        sa.Column("training_age_specialism_range_from", sa.Integer(), nullable=True),
        sa.Column("training_age_specialism_range_to", sa.Integer(), nullable=True),
        sa.Column("training_country_id", sa.String(length=10), nullable=True),
        sa.Column("training_provider_id", GUID(), nullable=True),
        sa.Column("degree_type_id", GUID(), nullable=True),
        sa.Column("exempt_from_induction", sa.Boolean(), nullable=True),
        sa.Column("exempt_from_induction_due_to_qts_date", sa.Boolean(), nullable=True),
        sa.Column("source_application_user_id", GUID(), nullable=True),
        sa.Column("source_application_reference", sa.String(length=200), nullable=True),
        sa.Column("dqt_teacher_status_name", sa.Text(), nullable=True),
        sa.Column("dqt_teacher_status_value", sa.Text(), nullable=True),
        sa.Column("dqt_early_years_status_name", sa.Text(), nullable=True),
        sa.Column("dqt_early_years_status_value", sa.Text(), nullable=True),
        sa.Column("dqt_initial_teacher_training_id", GUID(), nullable=True),
        sa.Column("dqt_qts_registration_id", GUID(), nullable=True),
        sa.Column("dqt_age_range_from", sa.String(length=16), nullable=True),
        sa.Column("dqt_age_range_to", sa.String(length=16), nullable=True),
    ]


_PERSON_COLUMNS: Final = (
    "qts_date",
    "eyts_date",
    "pqts_date",
    "has_eyps",
    "qtls_status",
    "dqt_professional_status_version",
    "dqt_professional_status_last_sync",
)


def upgrade() -> None:
    degree_types = op.create_table(
        "degree_types",
        sa.Column("degree_type_id", GUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("degree_type_id", name="pk_degree_types"),
    )
    route_types = op.create_table(
        "route_to_professional_status_types",
        sa.Column("route_to_professional_status_type_id", GUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("professional_status_type", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        *(sa.Column(column, sa.Integer(), nullable=False) for column in REQUIREMENT_COLUMNS),
        sa.Column("induction_exemption_reason_id", GUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["induction_exemption_reason_id"],
            ["induction_exemption_reasons.induction_exemption_reason_id"],
            name="fk_route_types_induction_exemption_reason",
        ),
        sa.PrimaryKeyConstraint("route_to_professional_status_type_id", name="pk_route_to_professional_status_types"),
    )
    op.create_index(
        "ix_route_to_professional_status_induction_exemption_reason_id",
        "route_to_professional_status_types",
        ["induction_exemption_reason_id"],
    )
    op.bulk_insert(degree_types, [{"degree_type_id": id_, "name": name} for id_, name in DEGREE_TYPES])
    op.bulk_insert(
        route_types,
        [
            {
                "route_to_professional_status_type_id": id_,
                "name": name,
                "professional_status_type": kind,
                "is_active": active,
                **{column: int(digit) for column, digit in zip(REQUIREMENT_COLUMNS, required, strict=True)},
                "induction_exemption_reason_id": reason,
            }
            for id_, name, kind, active, required, reason in ROUTE_TYPES
        ],
    )

    # Only new nullable or defaulted columns: a plain ALTER TABLE ... ADD COLUMN on both engines (persons has
    # dependants, so SQLite must not rebuild it).
    with op.batch_alter_table("persons", recreate="never") as batch:
        batch.add_column(sa.Column("qts_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("eyts_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("pqts_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("has_eyps", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        batch.add_column(sa.Column("qtls_status", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("dqt_professional_status_version", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("dqt_professional_status_last_sync", UTCDateTime(), nullable=True))

    # qualifications has no dependants: SQLite rebuilds it to add the foreign keys and the check constraint.
    with op.batch_alter_table("qualifications") as batch:
        for column in _route_columns():
            batch.add_column(column)
        batch.create_foreign_key(
            "fk_qualifications_route_to_professional_status_type",
            "route_to_professional_status_types",
            ["route_to_professional_status_type_id"],
            ["route_to_professional_status_type_id"],
        )
        batch.create_foreign_key(
            "fk_qualifications_degree_type", "degree_types", ["degree_type_id"], ["degree_type_id"]
        )
        # op.f: the name is final (the naming convention would prefix "ck_qualifications_" again).
        batch.create_check_constraint(op.f("ck_qualifications_route_columns"), sa.text(_ROUTE_COLUMNS_CHECK))
    op.create_index(
        "ix_qualifications_route_to_professional_status_type_id",
        "qualifications",
        ["route_to_professional_status_type_id"],
    )
    op.create_index(
        "ix_qualifications_dqt_initial_teacher_training_id", "qualifications", ["dqt_initial_teacher_training_id"]
    )
    op.create_index("ix_qualifications_dqt_qts_registration_id", "qualifications", ["dqt_qts_registration_id"])
    op.create_index(
        "ix_qualifications_person_id_source_application_user_id_source_",
        "qualifications",
        ["person_id", "source_application_user_id", "source_application_reference"],
        unique=True,
        postgresql_where=sa.text(_SOURCE_WHERE),
        sqlite_where=sa.text(_SOURCE_WHERE),
    )

    op.create_table(
        "professional_status_sources",
        sa.Column("dqt_id", GUID(), nullable=False),
        sa.Column("entity_set", sa.Text(), nullable=False),
        sa.Column("person_id", GUID(), nullable=False),
        sa.Column("dqt_version", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.person_id"], name="fk_professional_status_sources_person"),
        sa.PrimaryKeyConstraint("dqt_id", name="pk_professional_status_sources"),
    )
    op.create_index("ix_professional_status_sources_person_id", "professional_status_sources", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_professional_status_sources_person_id", table_name="professional_status_sources")
    op.drop_table("professional_status_sources")

    for index in (
        "ix_qualifications_person_id_source_application_user_id_source_",
        "ix_qualifications_dqt_qts_registration_id",
        "ix_qualifications_dqt_initial_teacher_training_id",
        "ix_qualifications_route_to_professional_status_type_id",
    ):
        op.drop_index(index, table_name="qualifications")
    op.execute(
        sa.text("DELETE FROM qualifications WHERE qualification_type = 1")
    )  # routes cannot outlive their columns
    with op.batch_alter_table("qualifications") as batch:
        batch.drop_constraint(op.f("ck_qualifications_route_columns"), type_="check")
        batch.drop_constraint("fk_qualifications_degree_type", type_="foreignkey")
        batch.drop_constraint("fk_qualifications_route_to_professional_status_type", type_="foreignkey")
        for column in reversed(_route_columns()):
            batch.drop_column(column.name)

    # SQLite >= 3.35 drops a column in place; rebuilding persons would trip over its dependants' foreign keys.
    with op.batch_alter_table("persons", recreate="never") as batch:
        for name in reversed(_PERSON_COLUMNS):
            batch.drop_column(name)

    op.drop_index(
        "ix_route_to_professional_status_induction_exemption_reason_id", table_name="route_to_professional_status_types"
    )
    op.drop_table("route_to_professional_status_types")
    op.drop_table("degree_types")
