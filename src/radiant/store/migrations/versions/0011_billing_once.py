"""usage events keyed by the gateway's own id; idempotency keys

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 10:12:00.000000

``usage_events`` gets ``id``, the gateway's own request id, as its primary key;
``request_id`` (the ``x-request-id`` a response carried, the caller's when it sent one)
becomes a plain indexed column that may repeat. An existing row keeps its request id as
its ``id`` (it was the key, so it is unique). ``usage_estimated`` marks tokens the
gateway counted itself, and ``usage_rollups.estimated_requests`` counts them.
``idempotency_keys`` keeps the answers of calls sent with an
``Idempotency-Key``; on PostgreSQL it has row-level security like the tables of 0010.

Downgrading makes ``request_id`` the key again: every row gets its ``id`` as its request
id (the callers' request ids are lost, no event is).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import radiant.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("endpoint", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("media_type", sa.String(length=200), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "idempotency_key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_expires_at"), ["expires_at"], unique=False
        )

    with op.batch_alter_table("usage_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("usage_estimated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE usage_events SET id = request_id")
    with op.batch_alter_table("usage_events", schema=None) as batch_op:
        batch_op.alter_column("id", existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_constraint("pk_usage_events", type_="primary")
        batch_op.create_primary_key("pk_usage_events", ["id"])
        batch_op.create_index(
            batch_op.f("ix_usage_events_request_id"), ["request_id"], unique=False
        )

    with op.batch_alter_table("usage_rollups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("estimated_requests", sa.BigInteger(), nullable=False, server_default="0")
        )

    if op.get_bind().dialect.name == "postgresql":
        _enable_row_level_security()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _disable_row_level_security()
    with op.batch_alter_table("usage_rollups", schema=None) as batch_op:
        batch_op.drop_column("estimated_requests")
    op.execute("UPDATE usage_events SET request_id = id")
    with op.batch_alter_table("usage_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_usage_events_request_id"))
        batch_op.drop_constraint("pk_usage_events", type_="primary")
        batch_op.create_primary_key("pk_usage_events", ["request_id"])
        batch_op.drop_column("usage_estimated")
        batch_op.drop_column("id")

    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_expires_at"))
    op.drop_table("idempotency_keys")


# ---------------------------------------------------------------- PostgreSQL: tenant isolation
# Written out here, not imported: a migration must not change when the code does.

_TABLE = "idempotency_keys"


def _enable_row_level_security() -> None:
    op.execute(f"ALTER TABLE {_TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {_TABLE} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {_TABLE}_isolation ON {_TABLE} FOR SELECT"
        " USING (tenant_id = current_tenant_id())"
    )
    op.execute(
        f"CREATE POLICY {_TABLE}_admin ON {_TABLE} FOR ALL"
        " USING (radiant_admin_bypass()) WITH CHECK (radiant_admin_bypass())"
    )


def _disable_row_level_security() -> None:
    op.execute(f"DROP POLICY IF EXISTS {_TABLE}_admin ON {_TABLE}")
    op.execute(f"DROP POLICY IF EXISTS {_TABLE}_isolation ON {_TABLE}")
    op.execute(f"ALTER TABLE {_TABLE} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {_TABLE} DISABLE ROW LEVEL SECURITY")
