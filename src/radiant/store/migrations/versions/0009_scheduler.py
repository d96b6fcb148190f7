"""scheduled sync runs and event webhooks

The sync log learns who started a run (manual, schedule, api), how far a running one got,
which process runs it and when that process last said it was alive (so a run whose
process died is marked ``abandoned``), and a JSON of what the job reported.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from radiant.store import types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_COLUMNS = (
    "trigger",
    "owner",
    "heartbeat_at",
    "progress_done",
    "progress_total",
    "progress_message",
    "details",
)


def upgrade() -> None:
    with op.batch_alter_table("registry_sync_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trigger", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("owner", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("heartbeat_at", types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("progress_done", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("progress_total", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("progress_message", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registry_sync_log", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
