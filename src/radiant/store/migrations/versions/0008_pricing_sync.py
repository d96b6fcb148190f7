"""pricing sync from public catalogs: priority and flex service-tier prices

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
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        for name in _TIER_COLUMNS:
            batch_op.add_column(
                sa.Column(name, types.Money(precision=20, scale=10), nullable=True)
            )


def downgrade() -> None:
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        for name in reversed(_TIER_COLUMNS):
            batch_op.drop_column(name)
