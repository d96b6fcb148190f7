"""pricing sync from public catalogs: priority and flex service-tier prices, the
documents last applied, model fields filled from an imported catalog

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from radiant.store import types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TIER_COLUMNS = (
    "priority_input_per_1m",
    "priority_output_per_1m",
    "flex_input_per_1m",
    "flex_output_per_1m",
)


def upgrade() -> None:
    op.create_table(
        "pricing_source_state",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("registry_version", sa.BigInteger(), nullable=False),
        sa.Column("entries_read", sa.Integer(), nullable=False),
        sa.Column("applied_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_source_state")),
    )
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_fields", sa.JSON(), nullable=True))
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        for name in _TIER_COLUMNS:
            batch_op.add_column(sa.Column(name, types.Money(precision=20, scale=10), nullable=True))


def downgrade() -> None:
    op.drop_table("pricing_source_state")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_column("imported_fields")
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        for name in reversed(_TIER_COLUMNS):
            batch_op.drop_column(name)
