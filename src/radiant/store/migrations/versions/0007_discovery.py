"""models discovered upstream, pending review

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from radiant.store import types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _money(name: str) -> sa.Column[Any]:
    return sa.Column(name, types.Money(precision=20, scale=10), nullable=True)


def _when(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "discovered_models",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform_id", sa.String(length=64), nullable=False),
        sa.Column("source_provider_id", sa.String(length=64), nullable=True),
        sa.Column("upstream_id", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("known_model_id", sa.String(length=128), nullable=True),
        sa.Column("suggested_model_id", sa.String(length=128), nullable=False),
        sa.Column("suggested_provider_id", sa.String(length=64), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("context_window", sa.Integer(), nullable=True),
        sa.Column("max_output_tokens", sa.Integer(), nullable=True),
        sa.Column("input_modalities", sa.JSON(), nullable=False),
        sa.Column("output_modalities", sa.JSON(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        _money("input_per_1m"),
        _money("output_per_1m"),
        _money("cached_input_per_1m"),
        _money("cache_write_per_1m"),
        sa.Column("endpoints", sa.JSON(), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        _when("first_seen_at"),
        _when("last_seen_at"),
        sa.Column("last_sync_id", sa.String(length=36), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        _when("decided_at", nullable=True),
        sa.Column("decision_notes", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'ignored')",
            name=op.f("ck_discovered_models_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovered_models")),
        sa.UniqueConstraint(
            "platform_id", "upstream_id", name=op.f("uq_discovered_models_platform_id_upstream_id")
        ),
    )
    with op.batch_alter_table("discovered_models", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discovered_models_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_discovered_models_status"), ["status"], unique=False)

    op.create_table(
        "discovery_route_state",
        sa.Column("route_id", sa.String(length=300), nullable=False),
        sa.Column("platform_id", sa.String(length=64), nullable=False),
        sa.Column("missing_runs", sa.Integer(), nullable=False),
        _when("last_seen_at", nullable=True),
        _when("last_checked_at"),
        _when("retired_at", nullable=True),
        sa.Column("retired_model", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["routes.id"],
            name=op.f("fk_discovery_route_state_route_id_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("route_id", name=op.f("pk_discovery_route_state")),
    )
    with op.batch_alter_table("discovery_route_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discovery_route_state_platform_id"), ["platform_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("discovery_route_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discovery_route_state_platform_id"))
    op.drop_table("discovery_route_state")
    with op.batch_alter_table("discovered_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discovered_models_status"))
        batch_op.drop_index(batch_op.f("ix_discovered_models_platform_id"))
    op.drop_table("discovered_models")
