"""what each registry version changed, so a server rebuilds its snapshot from the
changed models' rows only

Revision ID: 0015
Revises: 0014
Create Date: 2027-01-24 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_changes",
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("models", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_registry_changes")),
    )


def downgrade() -> None:
    op.drop_table("registry_changes")
