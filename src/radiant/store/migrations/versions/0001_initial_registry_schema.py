"""initial registry schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 13:01:05.698097
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import radiant.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platforms",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("auth_type", sa.String(length=20), nullable=False),
        sa.Column("auth_config", sa.JSON(), nullable=False),
        sa.Column("supported_providers", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("openai_compatible", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("admin_fields", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platforms")),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("website", sa.String(length=255), nullable=True),
        sa.Column("api_base_url", sa.String(length=255), nullable=True),
        sa.Column("auth_type", sa.String(length=20), nullable=False),
        sa.Column("secret_name", sa.String(length=200), nullable=True),
        sa.Column("api_key_env", sa.String(length=100), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("compliance", sa.JSON(), nullable=False),
        sa.Column("rate_limit_rpm", sa.Integer(), nullable=True),
        sa.Column("rate_limit_tpm", sa.Integer(), nullable=True),
        sa.Column("platforms", sa.JSON(), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("admin_fields", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
    )
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_providers_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_providers_enabled"), ["enabled"], unique=False)

    op.create_table(
        "registry_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_state")),
    )
    op.bulk_insert(
        sa.table(
            "registry_state",
            sa.column("id", sa.Integer()),
            sa.column("version", sa.BigInteger()),
            sa.column("updated_at", radiant.store.types.UTCDateTime()),
        ),
        [{"id": 1, "version": 0, "updated_at": datetime.now(UTC)}],
    )
    op.create_table(
        "registry_sync_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sync_type", sa.String(length=50), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("providers_updated", sa.Integer(), nullable=False),
        sa.Column("models_added", sa.Integer(), nullable=False),
        sa.Column("models_updated", sa.Integer(), nullable=False),
        sa.Column("models_deprecated", sa.Integer(), nullable=False),
        sa.Column("routes_added", sa.Integer(), nullable=False),
        sa.Column("routes_updated", sa.Integer(), nullable=False),
        sa.Column("prices_changed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("started_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", radiant.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_sync_log")),
    )
    with op.batch_alter_table("registry_sync_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registry_sync_log_started_at"), ["started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registry_sync_log_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registry_sync_log_sync_type"), ["sync_type"], unique=False
        )

    op.create_table(
        "routing_rules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("target_provider", sa.String(length=64), nullable=True),
        sa.Column("target_model", sa.String(length=128), nullable=True),
        sa.Column("fallback_models", sa.JSON(), nullable=False),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('route', 'fallback', 'block', 'rate_limit')",
            name=op.f("ck_routing_rules_action"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_rules_enabled"), ["enabled"], unique=False)
        batch_op.create_index(batch_op.f("ix_routing_rules_priority"), ["priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_routing_rules_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "models",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("segment", sa.String(length=50), nullable=True),
        sa.Column("task", sa.String(length=20), nullable=True),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("input_modalities", sa.JSON(), nullable=False),
        sa.Column("output_modalities", sa.JSON(), nullable=False),
        sa.Column("context_window", sa.Integer(), nullable=True),
        sa.Column("max_output", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("deprecated", sa.Boolean(), nullable=False),
        sa.Column("deprecation_date", sa.Date(), nullable=True),
        sa.Column("successor_id", sa.String(length=128), nullable=True),
        sa.Column("migration_guide", sa.Text(), nullable=True),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("family", sa.String(length=100), nullable=True),
        sa.Column("version_label", sa.String(length=100), nullable=True),
        sa.Column("is_preview", sa.Boolean(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("is_recommended", sa.Boolean(), nullable=False),
        sa.Column("is_novel", sa.Boolean(), nullable=False),
        sa.Column("is_legacy", sa.Boolean(), nullable=False),
        sa.Column("license", sa.String(length=100), nullable=True),
        sa.Column("license_url", sa.Text(), nullable=True),
        sa.Column("commercial_use_allowed", sa.Boolean(), nullable=False),
        sa.Column("commercial_use_notes", sa.Text(), nullable=True),
        sa.Column("attribution_required", sa.Boolean(), nullable=False),
        sa.Column("min_tier", sa.Integer(), nullable=False),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("performance", sa.JSON(), nullable=False),
        sa.Column("platform_configs", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("admin_fields", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_models_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
    )
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_models_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_status"), ["status"], unique=False)

    op.create_table(
        "provider_health",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("avg_latency_ms", sa.Integer(), nullable=True),
        sa.Column("p95_latency_ms", sa.Integer(), nullable=True),
        sa.Column("p99_latency_ms", sa.Integer(), nullable=True),
        sa.Column("error_rate", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column("success_rate", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column("last_check_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_success_at", radiant.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", radiant.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_provider_health_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_health")),
        sa.UniqueConstraint(
            "provider_id", "region", name=op.f("uq_provider_health_provider_id_region")
        ),
    )
    with op.batch_alter_table("provider_health", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_health_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_provider_health_status"), ["status"], unique=False)

    op.create_table(
        "model_aliases",
        sa.Column("alias_key", sa.String(length=200), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_aliases_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alias_key", name=op.f("pk_model_aliases")),
    )
    with op.batch_alter_table("model_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_aliases_model_id"), ["model_id"], unique=False)

    op.create_table(
        "routes",
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("platform_id", sa.String(length=64), nullable=False),
        sa.Column("model_string", sa.String(length=300), nullable=False),
        sa.Column("endpoint_override", sa.String(length=500), nullable=True),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("success_rate", sa.Float(), nullable=True),
        sa.Column("avg_latency_ms", sa.Float(), nullable=True),
        sa.Column("secret_ref", sa.String(length=200), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("admin_fields", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_routes_model_id_models"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_routes_platform_id_platforms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routes")),
        sa.UniqueConstraint("model_id", "platform_id", name=op.f("uq_routes_model_id_platform_id")),
    )
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routes_model_id"), ["model_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_routes_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "thermal_states",
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("current_state", sa.String(length=20), nullable=False),
        sa.Column("target_state", sa.String(length=20), nullable=True),
        sa.Column("is_transitioning", sa.Boolean(), nullable=False),
        sa.Column("instance_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_thermal_states_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", name=op.f("pk_thermal_states")),
    )
    op.create_table(
        "price_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("route_id", sa.String(length=300), nullable=False),
        sa.Column("pricing_type", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("input_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column(
            "output_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column(
            "cached_input_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column(
            "cache_write_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column(
            "batch_input_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column(
            "batch_output_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column("long_context_threshold", sa.Integer(), nullable=True),
        sa.Column(
            "long_context_input_per_1m",
            radiant.store.types.Money(precision=20, scale=10),
            nullable=True,
        ),
        sa.Column(
            "long_context_output_per_1m",
            radiant.store.types.Money(precision=20, scale=10),
            nullable=True,
        ),
        sa.Column(
            "reasoning_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column(
            "audio_input_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column(
            "audio_output_per_1m", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column("per_request", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column(
            "per_search_request", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column(
            "per_tool_call", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column("per_image", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column("per_second", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column("per_minute", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column(
            "per_video_minute", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column("per_hour", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column("per_3d_model", radiant.store.types.Money(precision=20, scale=10), nullable=True),
        sa.Column("effective_from", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("effective_to", radiant.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("is_estimated", sa.Boolean(), nullable=False),
        sa.Column(
            "last_verified_at", radiant.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["routes.id"],
            name=op.f("fk_price_history_route_id_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_history")),
    )
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_price_history_route_effective", ["route_id", "effective_from"], unique=False
        )

    op.create_table(
        "self_hosted_models",
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("route_id", sa.String(length=300), nullable=True),
        sa.Column("specialty", sa.String(length=50), nullable=False),
        sa.Column("parameters", sa.BigInteger(), nullable=True),
        sa.Column("accuracy", sa.String(length=100), nullable=True),
        sa.Column("benchmark", sa.String(length=255), nullable=True),
        sa.Column("input_formats", sa.JSON(), nullable=False),
        sa.Column("output_formats", sa.JSON(), nullable=False),
        sa.Column("sagemaker_image", sa.String(length=500), nullable=True),
        sa.Column("instance_type", sa.String(length=50), nullable=True),
        sa.Column("gpu_memory_gb", sa.Integer(), nullable=True),
        sa.Column("environment", sa.JSON(), nullable=False),
        sa.Column("model_data_url", sa.Text(), nullable=True),
        sa.Column(
            "markup_percent", radiant.store.types.Money(precision=20, scale=10), nullable=True
        ),
        sa.Column("default_thermal_state", sa.String(length=20), nullable=False),
        sa.Column("warmup_time_seconds", sa.Integer(), nullable=False),
        sa.Column("scale_to_zero_minutes", sa.Integer(), nullable=False),
        sa.Column("min_instances", sa.Integer(), nullable=False),
        sa.Column("max_instances", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", radiant.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_self_hosted_models_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["routes.id"],
            name=op.f("fk_self_hosted_models_route_id_routes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("model_id", name=op.f("pk_self_hosted_models")),
        sa.UniqueConstraint("route_id", name=op.f("uq_self_hosted_models_route_id")),
    )
    with op.batch_alter_table("self_hosted_models", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_hosted_models_specialty"), ["specialty"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("self_hosted_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_hosted_models_specialty"))

    op.drop_table("self_hosted_models")
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        batch_op.drop_index("ix_price_history_route_effective")

    op.drop_table("price_history")
    op.drop_table("thermal_states")
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routes_platform_id"))
        batch_op.drop_index(batch_op.f("ix_routes_model_id"))

    op.drop_table("routes")
    with op.batch_alter_table("model_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_aliases_model_id"))

    op.drop_table("model_aliases")
    with op.batch_alter_table("provider_health", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_health_status"))
        batch_op.drop_index(batch_op.f("ix_provider_health_provider_id"))

    op.drop_table("provider_health")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_models_status"))
        batch_op.drop_index(batch_op.f("ix_models_provider_id"))
        batch_op.drop_index(batch_op.f("ix_models_category"))

    op.drop_table("models")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_rules_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_routing_rules_priority"))
        batch_op.drop_index(batch_op.f("ix_routing_rules_enabled"))

    op.drop_table("routing_rules")
    with op.batch_alter_table("registry_sync_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_sync_log_sync_type"))
        batch_op.drop_index(batch_op.f("ix_registry_sync_log_status"))
        batch_op.drop_index(batch_op.f("ix_registry_sync_log_started_at"))

    op.drop_table("registry_sync_log")
    op.drop_table("registry_state")
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_providers_enabled"))
        batch_op.drop_index(batch_op.f("ix_providers_category"))

    op.drop_table("providers")
    op.drop_table("platforms")
