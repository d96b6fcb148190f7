"""documents derived from the registry per version, so that a read command on SQLite
finds the registry without reading every row

Revision ID: 0016
Revises: 0015
Create Date: 2027-02-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_documents",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_registry_documents")),
    )


def downgrade() -> None:
    op.drop_table("registry_documents")
