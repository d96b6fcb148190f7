"""Database tables of the registry (SQLAlchemy 2); docs/concepts.md says what each holds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from radiant.store.types import Money, UTCDateTime

__all__ = [
    "Base",
    "ModelAliasRow",
    "ModelRow",
    "PlatformRow",
    "PriceHistoryRow",
    "ProviderHealthRow",
    "ProviderRow",
    "RegistryDocumentRow",
    "RegistryStateRow",
    "RouteRow",
    "RoutingRuleRow",
    "SelfHostedModelRow",
    "SyncLogRow",
    "ThermalStateRow",
    "utcnow",
]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        Decimal: Money,
        datetime: UTCDateTime,
    }


class _Tracked:
    """Columns every registry object carries: who owns which field, optimistic version, times."""

    #: Fields an administrator set by hand; a catalog sync never overwrites them.
    admin_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``catalog`` (from a catalog sync), ``admin`` (created through the API) or
    #: ``imported`` (created by a pricing sync from a public catalog).
    origin: Mapped[str] = mapped_column(String(20), default="catalog")
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RegistryStateRow(Base):
    """One row: the registry version, bumped by every write."""

    __tablename__ = "registry_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegistryChangeRow(Base):
    """What one registry version changed, so a reader can rebuild only that: the ids of
    the models whose rows (the model, its aliases, routes, prices, self-hosted facts)
    changed; an empty list when only the state around them did (health, thermal, rules,
    markups); NULL when anything may have."""

    __tablename__ = "registry_changes"
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    models: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class PlatformRow(_Tracked, Base):
    __tablename__ = "platforms"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    base_url: Mapped[str | None] = mapped_column(String(500))
    auth_type: Mapped[str] = mapped_column(String(20))
    auth_config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    supported_providers: Mapped[list[str]] = mapped_column(JSON, default=list)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    openai_compatible: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="active")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)


class ProviderRow(_Tracked, Base):
    __tablename__ = "providers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(50), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(255))
    api_base_url: Mapped[str | None] = mapped_column(String(255))
    auth_type: Mapped[str] = mapped_column(String(20), default="bearer")
    secret_name: Mapped[str | None] = mapped_column(String(200))
    api_key_env: Mapped[str | None] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    features: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    compliance: Mapped[list[str]] = mapped_column(JSON, default=list)
    rate_limit_rpm: Mapped[int | None] = mapped_column(Integer)
    rate_limit_tpm: Mapped[int | None] = mapped_column(Integer)
    platforms: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_id: Mapped[str | None] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)


class ModelRow(_Tracked, Base):
    __tablename__ = "models"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(50), index=True)
    segment: Mapped[str | None] = mapped_column(String(50))
    task: Mapped[str | None] = mapped_column(String(20))
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    input_modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    output_modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    context_window: Mapped[int | None] = mapped_column(Integer)
    max_output: Mapped[int | None] = mapped_column(Integer)
    max_input: Mapped[int | None] = mapped_column(Integer)
    knowledge_cutoff: Mapped[date | None] = mapped_column(Date)
    open_weights: Mapped[bool | None] = mapped_column(Boolean)
    #: created by a pricing sync from a public catalog (not the catalog, not an administrator)
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    deprecated: Mapped[bool] = mapped_column(Boolean, default=False)
    deprecation_date: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[str | None] = mapped_column(String(128))
    migration_guide: Mapped[str | None] = mapped_column(Text)
    release_date: Mapped[date | None] = mapped_column(Date)
    family: Mapped[str | None] = mapped_column(String(100))
    version_label: Mapped[str | None] = mapped_column(String(100))
    is_preview: Mapped[bool] = mapped_column(Boolean, default=False)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=False)
    is_recommended: Mapped[bool] = mapped_column(Boolean, default=False)
    is_novel: Mapped[bool] = mapped_column(Boolean, default=False)
    is_legacy: Mapped[bool] = mapped_column(Boolean, default=False)
    license: Mapped[str | None] = mapped_column(String(100))
    license_url: Mapped[str | None] = mapped_column(Text)
    commercial_use_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    commercial_use_notes: Mapped[str | None] = mapped_column(Text)
    attribution_required: Mapped[bool] = mapped_column(Boolean, default=False)
    min_tier: Mapped[int] = mapped_column(Integer, default=1)
    quality_score: Mapped[float | None] = mapped_column(Float)
    quality_source: Mapped[str | None] = mapped_column(String(200))
    performance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    platform_configs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Fields a pricing sync filled from a public catalog where the catalog had no value
    #: (field -> ``source:entry``); a catalog sync keeps them until the catalog has its own.
    imported_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ModelAliasRow(Base):
    """Every name of a model, case-folded, unique across the registry."""

    __tablename__ = "model_aliases"
    alias_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    alias: Mapped[str] = mapped_column(String(200))
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    #: ``imported``: a public catalog's name for the model, kept by a catalog sync
    origin: Mapped[str | None] = mapped_column(String(20))


class SelfHostedModelRow(Base):
    """The deployment of a self-hosted route; prices live in ``price_history`` of the route."""

    __tablename__ = "self_hosted_models"
    model_id: Mapped[str] = mapped_column(
        ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    route_id: Mapped[str | None] = mapped_column(
        ForeignKey("routes.id", ondelete="SET NULL"), unique=True
    )
    specialty: Mapped[str] = mapped_column(String(50), index=True)
    parameters: Mapped[int | None] = mapped_column(BigInteger)
    accuracy: Mapped[str | None] = mapped_column(String(100))
    benchmark: Mapped[str | None] = mapped_column(String(255))
    input_formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    output_formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    sagemaker_image: Mapped[str | None] = mapped_column(String(500))
    instance_type: Mapped[str | None] = mapped_column(String(50))
    gpu_memory_gb: Mapped[int | None] = mapped_column(Integer)
    environment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    model_data_url: Mapped[str | None] = mapped_column(Text)
    markup_percent: Mapped[Decimal | None] = mapped_column(Money)
    default_thermal_state: Mapped[str] = mapped_column(String(20), default="COLD")
    warmup_time_seconds: Mapped[int] = mapped_column(Integer, default=60)
    scale_to_zero_minutes: Mapped[int] = mapped_column(Integer, default=15)
    min_instances: Mapped[int] = mapped_column(Integer, default=0)
    max_instances: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(20), default="active")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RouteRow(_Tracked, Base):
    __tablename__ = "routes"
    __table_args__ = (UniqueConstraint("model_id", "platform_id"),)
    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[str] = mapped_column(ForeignKey("platforms.id"), index=True)
    model_string: Mapped[str] = mapped_column(String(300))
    endpoint_override: Mapped[str | None] = mapped_column(String(500))
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="active")
    success_rate: Mapped[float | None] = mapped_column(Float)
    avg_latency_ms: Mapped[float | None] = mapped_column(Float)
    secret_ref: Mapped[str | None] = mapped_column(String(200))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)


class PriceHistoryRow(Base):
    """Every price sheet a route has had; the current one has ``effective_to`` NULL."""

    __tablename__ = "price_history"
    __table_args__ = (Index("ix_price_history_route_effective", "route_id", "effective_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    route_id: Mapped[str] = mapped_column(ForeignKey("routes.id", ondelete="CASCADE"))
    pricing_type: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    cached_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    cache_write_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    batch_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    batch_output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    long_context_threshold: Mapped[int | None] = mapped_column(Integer)
    long_context_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    long_context_output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    reasoning_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    audio_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    audio_output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    per_request: Mapped[Decimal | None] = mapped_column(Money)
    per_search_request: Mapped[Decimal | None] = mapped_column(Money)
    per_tool_call: Mapped[Decimal | None] = mapped_column(Money)
    per_image: Mapped[Decimal | None] = mapped_column(Money)
    per_second: Mapped[Decimal | None] = mapped_column(Money)
    per_minute: Mapped[Decimal | None] = mapped_column(Money)
    per_video_minute: Mapped[Decimal | None] = mapped_column(Money)
    per_hour: Mapped[Decimal | None] = mapped_column(Money)
    per_3d_model: Mapped[Decimal | None] = mapped_column(Money)
    priority_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    priority_output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    flex_input_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    flex_output_per_1m: Mapped[Decimal | None] = mapped_column(Money)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(30))
    is_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    #: where each price came from when the sheet merges several sources (field ->
    #: ``catalog`` or ``source:entry``); NULL: all of it from ``source``
    field_sources: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100), default="catalog-sync")


class ProviderHealthRow(Base):
    """Probe results of one provider (or platform) and region: status, latency, error rate."""

    __tablename__ = "provider_health"
    __table_args__ = (UniqueConstraint("target", "region"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: what was probed: ``direct/<provider>`` (a provider's own API) or ``<platform>``
    target: Mapped[str] = mapped_column(String(200))
    platform_id: Mapped[str] = mapped_column(String(64), default="direct", index=True)
    #: NULL for a platform probed as a whole (an aggregator, a host, a cloud region)
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.id"), index=True)
    region: Mapped[str] = mapped_column(String(50), default="us-east-1")
    status: Mapped[str] = mapped_column(String(20), default="unknown", index=True)
    avg_latency_ms: Mapped[int | None] = mapped_column(Integer)
    p95_latency_ms: Mapped[int | None] = mapped_column(Integer)
    p99_latency_ms: Mapped[int | None] = mapped_column(Integer)
    error_rate: Mapped[Decimal | None] = mapped_column(Money)
    success_rate: Mapped[Decimal | None] = mapped_column(Money)
    last_check_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    #: the statistics behind the columns (window samples, EMA) for the next check
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ThermalStateRow(Base):
    """Thermal state of a self-hosted model's endpoint (docs/concepts.md, Thermal state)."""

    __tablename__ = "thermal_states"
    model_id: Mapped[str] = mapped_column(
        ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    current_state: Mapped[str] = mapped_column(String(20), default="COLD")
    target_state: Mapped[str | None] = mapped_column(String(20))
    is_transitioning: Mapped[bool] = mapped_column(Boolean, default=False)
    instance_count: Mapped[int] = mapped_column(Integer, default=0)
    endpoint_name: Mapped[str | None] = mapped_column(String(100))
    #: the backend's own word for the endpoint's state (SageMaker ``EndpointStatus``)
    backend_status: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_request_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warmup_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SyncLogRow(Base):
    """One sync run: its type, status, trigger, counts (routes and prices too) and error."""

    __tablename__ = "registry_sync_log"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sync_type: Mapped[str] = mapped_column(String(50), index=True)
    source: Mapped[str | None] = mapped_column(String(500))
    providers_updated: Mapped[int] = mapped_column(Integer, default=0)
    models_added: Mapped[int] = mapped_column(Integer, default=0)
    models_updated: Mapped[int] = mapped_column(Integer, default=0)
    models_deprecated: Mapped[int] = mapped_column(Integer, default=0)
    routes_added: Mapped[int] = mapped_column(Integer, default=0)
    routes_updated: Mapped[int] = mapped_column(Integer, default=0)
    prices_changed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    #: who started the run: ``manual`` (CLI), ``api`` or ``schedule``
    trigger: Mapped[str | None] = mapped_column(String(20))
    #: the process running it (``host:pid``) and when it last said it was alive
    owner: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_done: Mapped[int | None] = mapped_column(Integer)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    progress_message: Mapped[str | None] = mapped_column(String(500))
    #: what the job counted beyond the columns above, and the steps of a ``full`` run
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RoutingRuleRow(Base):
    """Routing rules: global (``tenant_id`` NULL) or one tenant's; see
    :mod:`radiant.domain.routing_rule` for what the conditions and actions mean."""

    __tablename__ = "routing_rules"
    __table_args__ = (
        CheckConstraint("action IN ('route', 'fallback', 'block', 'rate_limit')", name="action"),
        CheckConstraint("priority >= 0", name="priority"),
        CheckConstraint(
            "action <> 'route' OR target_model IS NOT NULL OR target_provider IS NOT NULL",
            name="route_target",
        ),
        CheckConstraint(
            "action <> 'block' OR (target_model IS NULL AND target_provider IS NULL)",
            name="block_target",
        ),
        CheckConstraint(
            "action <> 'rate_limit' OR rate_limit_rpm IS NOT NULL OR rate_limit_tpm IS NOT NULL",
            name="rate_limit_values",
        ),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=100, index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    action: Mapped[str] = mapped_column(String(50))
    target_provider: Mapped[str | None] = mapped_column(String(64))
    target_model: Mapped[str | None] = mapped_column(String(128))
    fallback_models: Mapped[list[str]] = mapped_column(JSON, default=list)
    rate_limit_rpm: Mapped[int | None] = mapped_column(Integer)
    rate_limit_tpm: Mapped[int | None] = mapped_column(Integer)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RegistryDocumentRow(Base):
    """A document derived from the registry at ``version`` by the code ``code`` names, one
    per ``kind``: what a read command finds instead of reading every row (see
    :mod:`radiant.store.documents`; written on SQLite only)."""

    __tablename__ = "registry_documents"
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
