"""jobs the gateway started upstream (videos, 3D models), read back by their owners

Revision ID: 0017
Revises: 0016
Create Date: 2027-02-08 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import radiant.store.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gateway_jobs",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("route_id", sa.String(length=300), nullable=False),
        sa.Column("upstream_id", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_jobs")),
    )
    with op.batch_alter_table("gateway_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_jobs_tenant_id"), ["tenant_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _enable_row_level_security()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _disable_row_level_security()
    with op.batch_alter_table("gateway_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gateway_jobs_tenant_id"))
    op.drop_table("gateway_jobs")


# Written out here, not imported: a migration must not change when the code does.
_TABLE = "gateway_jobs"


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
