"""the registry grows from public catalogs: model facts they state (maximum input,
knowledge cutoff, open weights), imported models and aliases marked as such, and where
each price of a sheet came from

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-10 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_input", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("knowledge_cutoff", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("open_weights", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("field_sources", sa.JSON(), nullable=True))
    with op.batch_alter_table("model_aliases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_aliases", schema=None) as batch_op:
        batch_op.drop_column("origin")
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        batch_op.drop_column("field_sources")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_column("imported")
        batch_op.drop_column("open_weights")
        batch_op.drop_column("knowledge_cutoff")
        batch_op.drop_column("max_input")
