"""route health, circuit breakers and thermal state

``provider_health`` is keyed by what was probed (``target``: ``direct/<provider>`` or a
platform) and region instead of provider and region: a platform such as OpenRouter is
probed as a whole and has no provider. Existing rows become ``direct/<provider>``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from radiant.store import types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("provider_health", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("platform_id", sa.String(length=64), nullable=False, server_default="direct")
        )
        batch_op.add_column(sa.Column("last_status_code", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("success_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("failure_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("stats", sa.JSON(), nullable=True))
    op.execute("UPDATE provider_health SET target = 'direct/' || provider_id, stats = '{}'")
    with op.batch_alter_table("provider_health", schema=None) as batch_op:
        batch_op.alter_column("target", existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column("stats", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("provider_id", existing_type=sa.String(length=64), nullable=True)
        batch_op.drop_constraint("uq_provider_health_provider_id_region", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_provider_health_target_region"), ["target", "region"]
        )
        batch_op.create_index(
            batch_op.f("ix_provider_health_platform_id"), ["platform_id"], unique=False
        )

    with op.batch_alter_table("thermal_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("endpoint_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("backend_status", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        for column in (
            "last_request_at",
            "warmup_started_at",
            "state_changed_at",
            "last_checked_at",
        ):
            batch_op.add_column(sa.Column(column, types.UTCDateTime(timezone=True), nullable=True))

    op.create_table(
        "route_health",
        sa.Column("route_id", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("avg_latency_ms", sa.Float(), nullable=True),
        sa.Column("p95_latency_ms", sa.Float(), nullable=True),
        sa.Column("p99_latency_ms", sa.Float(), nullable=True),
        sa.Column("error_rate", types.Money(precision=20, scale=10), nullable=True),
        sa.Column("success_rate", types.Money(precision=20, scale=10), nullable=True),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("last_success_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("route_id", name=op.f("pk_route_health")),
    )
    with op.batch_alter_table("route_health", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_health_status"), ["status"], unique=False)

    op.create_table(
        "circuit_breakers",
        sa.Column("route_id", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.Float(), nullable=True),
        sa.Column("open_until", sa.Float(), nullable=True),
        sa.Column("trial_started_at", sa.Float(), nullable=True),
        sa.Column("times_opened", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("route_id", name=op.f("pk_circuit_breakers")),
    )
    with op.batch_alter_table("circuit_breakers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_circuit_breakers_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("circuit_breakers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_circuit_breakers_state"))
    op.drop_table("circuit_breakers")
    with op.batch_alter_table("route_health", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_health_status"))
    op.drop_table("route_health")

    with op.batch_alter_table("thermal_states", schema=None) as batch_op:
        for column in (
            "last_checked_at",
            "state_changed_at",
            "warmup_started_at",
            "last_request_at",
            "last_error",
            "backend_status",
            "endpoint_name",
        ):
            batch_op.drop_column(column)

    # platform rows have no provider: the table's shape cannot hold them
    op.execute("DELETE FROM provider_health WHERE provider_id IS NULL")
    with op.batch_alter_table("provider_health", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_health_platform_id"))
        batch_op.drop_constraint(batch_op.f("uq_provider_health_target_region"), type_="unique")
        batch_op.create_unique_constraint(
            "uq_provider_health_provider_id_region", ["provider_id", "region"]
        )
        batch_op.alter_column("provider_id", existing_type=sa.String(length=64), nullable=False)
        for column in (
            "stats",
            "failure_count",
            "success_count",
            "last_status_code",
            "platform_id",
            "target",
        ):
            batch_op.drop_column(column)
