"""Settings, read from ``RADIANT_*`` environment variables by a factory (never at import)."""

from __future__ import annotations

import ssl
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_data_dir
from pydantic import Field, FilePath, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["PUBLIC_PRICING_SOURCES", "Settings", "default_database_url", "get_settings"]


def default_database_url() -> str:
    """An SQLite file in the user data directory (``~/.local/share/radiant`` on Linux)."""

    directory = Path(user_data_dir("radiant", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'radiant.db'}"


#: The public catalogs a pricing sync reads unless told otherwise
PUBLIC_PRICING_SOURCES = (
    "litellm=https://raw.githubusercontent.com/BerriAI/litellm/main/"
    "model_prices_and_context_window.json",
    "models-dev=https://models.dev/api.json",
    "openrouter=https://openrouter.ai/api/v1/models",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RADIANT_", extra="ignore")

    #: SQLAlchemy URL; ``postgresql://`` is served by psycopg 3. Default: embedded SQLite.
    database_url: str = Field(default_factory=default_database_url)
    #: PostgreSQL: the role the application's sessions run as (``SET ROLE`` on connect), so
    #: that row-level security applies even to an owner or superuser login. Migration 0002
    #: creates ``radiant_app``. Empty: run as the login role (which must then not bypass
    #: row-level security, e.g. a login role that is a member of ``radiant_app``).
    database_role: str | None = "radiant_app"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: A catalog directory to sync instead of the built-in one.
    catalog_dir: Path | None = None
    #: Seconds between two checks of the registry version (SQLite; PostgreSQL uses NOTIFY too).
    snapshot_check_interval: float = Field(default=0.5, ge=0)
    #: Build the snapshot of a change another process made on a thread of its own, serving
    #: the one in force until it is ready (False: the request that notices it waits).
    snapshot_background_refresh: bool = True
    log_level: str = "info"
    #: Larger request bodies are refused with 413: the admin and registry API's (1 MiB) and
    #: the ``/v1`` gateway's (32 MiB: images and audio travel inline in a body).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    gateway_max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    #: Send ``x-radiant-route`` (the route that answered) with gateway answers: for an
    #: administrator's debugging, as it names our routes and platforms to the tenant.
    gateway_expose_route: bool = False
    #: a self-hosted route whose endpoint is COLD (or OFF): ``fallback`` asks for a warm-up
    #: and tries the model's ready routes first (seed 002); ``wait`` asks for the warm-up
    #: and calls it in its place all the same (the retry policy waits for it)
    gateway_cold_start: Literal["fallback", "wait"] = "fallback"
    #: Close public reads too: every request then needs a token.
    require_auth_for_reads: bool = False
    #: Usage metering: the local spool of usage events (default: ``spool`` in the data
    #: directory) and how often it is flushed to the database (see gateway.metering).
    #: Several processes may share one directory: each adopts the segments of processes
    #: that died, at its start and every ``meter_adopt_seconds``.
    meter_spool_dir: Path | None = None
    meter_flush_seconds: float = Field(default=1.0, gt=0)
    meter_adopt_seconds: float = Field(default=5.0, gt=0)
    #: How long the answer of a call sent with an ``Idempotency-Key`` is kept (a repeat
    #: within it gets that answer; after it, the key is free again). Default: 24 hours.
    idempotency_ttl_seconds: int = Field(default=24 * 3600, ge=1)

    # -------------------------------------------------------------- outgoing HTTP
    #: A PEM file of the certificate authorities trusted for outgoing HTTPS (the gateway's
    #: upstream calls, health probes, discovery) instead of the system's. Proxies come
    #: from ``HTTP_PROXY``, ``HTTPS_PROXY`` and ``NO_PROXY`` (see radiant.http.proxies).
    ca_bundle: FilePath | None = None
    #: The gateway's connections open at once to one upstream origin (scheme, host,
    #: port), and in all; a call beyond them waits for a free one, within its timeout.
    upstream_connections_per_origin: int = Field(default=256, ge=1)
    upstream_connections: int = Field(default=1024, ge=1)

    # -------------------------------------------------------------- keeping it current
    #: ``radiant serve`` runs the scheduled syncs below (in one process per database)
    scheduler: bool = True
    #: When each sync runs: a cron line (``min hour day month weekday``, UTC) or an
    #: interval (``90s``, ``5m``, ``1h``, ``2d``); ``off`` turns that schedule off.
    schedule_full: str = "0 0 * * *"
    schedule_health: str = "5m"
    schedule_thermal: str = "5m"
    schedule_pricing: str = "0 0 * * sun"
    #: Seconds between two attempts of a follower to become the scheduler's leader.
    scheduler_leader_check_seconds: float = Field(default=10.0, gt=0)
    #: Where the pricing sync reads prices (``radiant sync pricing`` without ``--source``,
    #: the API and the schedule): ``kind=location`` items (kind: litellm, models-dev,
    #: openrouter; location: a URL or a file), comma separated. Default: the three public
    #: catalogs; an empty value turns the scheduled pricing sync off.
    pricing_sources: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(PUBLIC_PRICING_SOURCES)
    )
    #: Modules that register more sync jobs (``@register_job``), comma separated.
    sync_job_modules: Annotated[list[str], NoDecode] = Field(default_factory=list)
    #: A running sync writes a heartbeat this often; one silent for ``sync_stale_after``
    #: seconds (or whose process is gone) is marked abandoned.
    sync_heartbeat_seconds: float = Field(default=5.0, gt=0)
    sync_stale_after_seconds: float = Field(default=60.0, gt=0)
    #: ``RegistrySyncCompleted`` events are POSTed to these URLs, comma separated, signed
    #: with ``webhook_secret`` (HMAC-SHA256; see the README).
    webhook_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_secret: SecretStr | None = None
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_attempts: int = Field(default=5, ge=1, le=20)
    #: the first retry waits this long, each next one twice as long (at most 5 minutes)
    webhook_backoff_seconds: float = Field(default=1.0, ge=0)
    #: Discovery: a route missing from this many consecutive full listings of its platform
    #: is retired (and its model deprecated when no other route is active).
    discovery_missing_runs: int = Field(default=2, ge=1, le=1000)
    #: Discovery: seconds for each list-models request, and attempts per request.
    discovery_timeout_seconds: float = Field(default=20.0, gt=0)
    discovery_attempts: int = Field(default=4, ge=1, le=20)
    #: Discovery: OpenRouter endpoint lookups (providers and prices of a new model) per run.
    discovery_endpoint_lookups: int = Field(default=100, ge=0)

    # -------------------------------------------------------------- health and thermal
    #: Redis for route health and circuit breakers shared by several processes
    #: (``redis://host:6379/0``); unset: the database holds them.
    redis_url: str | None = None
    #: FastAPI's native OpenTelemetry (spans, metrics, logs of every request) through the
    #: globally configured providers. Off by default: even with no SDK configured, asking
    #: whether one is costs every request, the gateway's included.
    opentelemetry: bool = False
    #: Seconds an active probe (``GET {base}/models``) may take.
    health_probe_timeout_seconds: float = Field(default=5.0, gt=0)
    #: Circuit breaker of a route (LiteLLM router's defaults: allowed_fails 3, cooldown 60 s).
    breaker_allowed_fails: int = Field(default=3, ge=1)
    breaker_window_seconds: float = Field(default=60.0, gt=0)
    breaker_cooldown_seconds: float = Field(default=60.0, gt=0)
    #: Where self-hosted endpoints live: ``local`` (simulated, for demos) or ``sagemaker``.
    thermal_backend: str = "local"
    #: SageMaker endpoint of a model: this prefix and the model id (``radiant-``).
    sagemaker_endpoint_prefix: str = "radiant-"
    #: Another SageMaker API address (a proxy, or a local fake in tests).
    sagemaker_endpoint_url: str | None = None

    @field_validator("pricing_sources", "sync_job_modules", "webhook_urls", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("ca_bundle")
    @classmethod
    def _loadable_bundle(cls, path: Path | None) -> Path | None:
        if path is not None:
            try:
                ssl.create_default_context(cafile=str(path))
            except ssl.SSLError as exc:
                raise ValueError(f"no certificate authority can be read from {path}") from exc
        return path

    @field_validator("webhook_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.lower().startswith(("http://", "https://")):
                raise ValueError(f"a webhook URL must be http:// or https://, not {url!r}")
        return urls


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
