"""Closed vocabularies of the registry."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AuthType",
    "CostSource",
    "HealthStatus",
    "HostingType",
    "LifecycleStatus",
    "PlatformKind",
    "PricingType",
    "RouteStatus",
    "SyncStatus",
    "SyncType",
    "Task",
    "ThermalState",
]


class HostingType(StrEnum):
    EXTERNAL = "external"
    SELF_HOSTED = "self_hosted"


class PlatformKind(StrEnum):
    DIRECT = "direct"  # the provider's own API
    AGGREGATOR = "aggregator"  # openrouter
    CLOUD = "cloud"  # bedrock, vertex_ai, azure_openai
    HOST = "host"  # together, fireworks, groq, replicate, huggingface
    SELF_HOSTED = "self_hosted"  # our own endpoints (SageMaker, say)
    LOCAL = "local"  # vLLM, Ollama on the user's machine

    @property
    def hosting(self) -> HostingType:
        """What a route on a platform of this kind is: self-hosted or external."""
        if self in (PlatformKind.SELF_HOSTED, PlatformKind.LOCAL):
            return HostingType.SELF_HOSTED
        return HostingType.EXTERNAL


class AuthType(StrEnum):
    API_KEY = "api_key"
    BEARER = "bearer"
    OAUTH = "oauth"
    IAM = "iam"
    SERVICE_ACCOUNT = "service_account"
    NONE = "none"


class LifecycleStatus(StrEnum):
    ACTIVE = "active"
    BETA = "beta"
    PREVIEW = "preview"
    DEPRECATED = "deprecated"
    INACTIVE = "inactive"


class RouteStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    MAINTENANCE = "maintenance"


class Task(StrEnum):
    """What a request to the model does."""

    CHAT = "chat"
    COMPLETION = "completion"
    EMBEDDING = "embedding"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    TRANSCRIPTION = "transcription"
    SEARCH = "search"
    #: score documents against a query (Cohere and Voyage rerank)
    RERANK = "rerank"
    THREE_D = "3d"
    INFERENCE = "inference"
    OTHER = "other"


class PricingType(StrEnum):
    PER_TOKEN = "per_token"  # noqa: S105 - a pricing unit, not a password
    PER_REQUEST = "per_request"
    PER_IMAGE = "per_image"
    PER_SECOND = "per_second"
    PER_MINUTE = "per_minute"
    PER_HOUR = "per_hour"
    PER_3D_MODEL = "per_3d_model"


class CostSource(StrEnum):
    """Where a price sheet came from; ``imported_catalog``: a public catalog's pricing sync."""

    PROVIDER_API = "provider_api"
    PROVIDER_DOCUMENTATION = "provider_documentation"
    ADMIN_MANUAL_ENTRY = "admin_manual_entry"
    REGISTRY_SYNC = "registry_sync"
    ESTIMATED_AVERAGE = "estimated_average"
    HISTORICAL_FALLBACK = "historical_fallback"
    IMPORTED_CATALOG = "imported_catalog"


class ThermalState(StrEnum):
    OFF = "OFF"
    COLD = "COLD"
    WARM = "WARM"
    HOT = "HOT"
    AUTOMATIC = "AUTOMATIC"


class HealthStatus(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"
    UNKNOWN = "unknown"


class SyncType(StrEnum):
    FULL = "full"
    CATALOG = "catalog"
    MODELS = "models"
    HEALTH = "health"
    PRICING = "pricing"
    THERMAL = "thermal"
    DISCOVERY = "discovery"


class SyncStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    #: the process running it died (killed, crashed); marked by the next run or start-up
    ABANDONED = "abandoned"
