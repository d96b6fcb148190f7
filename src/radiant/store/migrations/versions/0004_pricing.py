"""markup overrides, estimated-cost alerts, quality scores

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from radiant.store import types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "estimated_cost_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("route_id", sa.String(length=300), nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=50), nullable=False),
        sa.Column("confidence", types.Money(precision=20, scale=10), nullable=False),
        sa.Column("estimated_input_per_1m", types.Money(precision=20, scale=10), nullable=True),
        sa.Column("estimated_output_per_1m", types.Money(precision=20, scale=10), nullable=True),
        sa.Column("source_models", sa.JSON(), nullable=False),
        sa.Column("markup_percent", types.Money(precision=20, scale=10), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("adjusted_by", sa.String(length=200), nullable=True),
        sa.Column("adjusted_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("adjusted_input_per_1m", types.Money(precision=20, scale=10), nullable=True),
        sa.Column("adjusted_output_per_1m", types.Money(precision=20, scale=10), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution_source", sa.String(length=30), nullable=True),
        sa.Column("created_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "severity IN ('info', 'warning', 'critical')",
            name=op.f("ck_estimated_cost_alerts_severity"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'acknowledged', 'adjusted', 'resolved')",
            name=op.f("ck_estimated_cost_alerts_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimated_cost_alerts")),
    )
    with op.batch_alter_table("estimated_cost_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_estimated_cost_alerts_model_id"), ["model_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_estimated_cost_alerts_route_id"), ["route_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_estimated_cost_alerts_status"), ["status"], unique=False
        )

    op.create_table(
        "markup_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=128), nullable=False),
        sa.Column("percent", types.Money(precision=20, scale=10), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("expires_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "scope IN ('provider', 'model')", name=op.f("ck_markup_overrides_scope")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_markup_overrides")),
        sa.UniqueConstraint("scope", "target_id", name=op.f("uq_markup_overrides_scope_target_id")),
    )
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quality_source", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_column("quality_source")

    op.drop_table("markup_overrides")
    with op.batch_alter_table("estimated_cost_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_estimated_cost_alerts_status"))
        batch_op.drop_index(batch_op.f("ix_estimated_cost_alerts_route_id"))
        batch_op.drop_index(batch_op.f("ix_estimated_cost_alerts_model_id"))

    op.drop_table("estimated_cost_alerts")
