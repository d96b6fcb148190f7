"""Where one route is called: :class:`UpstreamTarget`, built by :func:`target_for` from
registry rows (platform, route and, on the ``direct`` platform, the provider).

The wire protocol is data: a ``wire`` key in the metadata of the route, platform or
provider wins; otherwise :data:`PLATFORM_WIRES` by platform id, ``openai`` for any
``openai_compatible`` platform, and on ``direct`` :data:`PROVIDER_WIRES` by provider id
(or its parent). The base URL is the route's ``endpoint_override``, else the platform's
``base_url`` (the provider's ``api_base_url`` on ``direct``). Credentials are never
stored: the route's ``secret_ref``, the platform's ``auth_config`` (``api_key_env``,
``secret_ref``, ``secret_name``) and the provider's ``api_key_env`` / ``secret_ref`` name
them, and a secret resolver (environment variables by default) reads them.

Azure OpenAI: the base URL ``https://*.openai.azure.com`` is a pattern, so the resource
endpoint comes from ``auth_config.endpoint_env`` (``AZURE_OPENAI_ENDPOINT``); the route's
model string is the deployment; ``api_version`` comes from the route or platform metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from radiant.domain import AuthType, Platform, PlatformKind, Provider, Route
from radiant.errors import ProviderError
from radiant.secrets import EnvSecretResolver, SecretResolver, env_name

__all__ = [
    "AZURE_API_VERSION",
    "PLATFORM_WIRES",
    "PROVIDER_WIRES",
    "UpstreamTarget",
    "target_for",
    "wire_for",
]

AZURE_API_VERSION = "2024-10-21"

#: wire protocol by platform id (platforms not named here: ``openai`` when compatible)
PLATFORM_WIRES: Mapping[str, str] = MappingProxyType(
    {
        "azure_openai": "azure_openai",
        "bedrock": "bedrock",
        "vertex_ai": "vertex",
        "self_hosted": "sagemaker",
        "replicate": "replicate",
        "fal": "fal",
        "openrouter": "openai",
        "local": "openai",
    }
)

#: wire protocol of each provider's own API, on the ``direct`` platform
PROVIDER_WIRES: Mapping[str, str] = MappingProxyType(
    {
        "openai": "openai",
        "openai-images": "openai",
        "openai-audio": "openai",
        "openai-embeddings": "openai",
        "xai": "openai",
        "deepseek": "openai",
        "mistral": "openai",
        "perplexity": "openai",
        "groq": "openai",
        "together": "openai",
        "fireworks": "openai",
        "anthropic": "anthropic",
        "google": "gemini",
        "veo": "gemini",
        "elevenlabs": "elevenlabs",
        "deepgram": "deepgram",
        "assemblyai": "assemblyai",
        "cohere": "cohere",
        "voyage": "voyage",
        "exa": "exa",
        "tavily": "tavily",
        "stability": "stability",
        "ideogram": "ideogram",
        "runway": "runway",
        "luma": "luma",
        "kling": "kling",
        "meshy": "meshy",
        "tripo": "tripo",
    }
)

#: wires whose adapters find their own credentials and endpoint (cloud IAM, service accounts)
_SELF_CONFIGURED = frozenset({"bedrock", "vertex", "sagemaker"})


@dataclass(frozen=True)
class UpstreamTarget:
    """Everything an adapter needs to call one route; holds the resolved credential, so
    it lives in memory only (its ``repr`` hides the key)."""

    platform_id: str
    wire: str
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    api_version: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False, hash=False)
    timeout: float = 60.0
    #: the provider whose model this is (names the upstream in errors)
    provider_id: str | None = None
    #: the AWS region (or other cloud region) the route names first, for wires that sign
    #: per region (SageMaker); None: the wire's own default chain decides
    region: str | None = None
    #: wire quirks from ``wire_options`` in provider, platform and route metadata (the
    #: later wins), e.g. ``{"stream_usage": false}`` for a server refusing stream_options
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def name(self) -> str:
        """How errors name this upstream: ``platform`` or ``platform:provider``."""
        if self.provider_id and self.provider_id != self.platform_id:
            return f"{self.platform_id}:{self.provider_id}"
        return self.platform_id


def _declared(*metas: Mapping[str, Any], key: str) -> Any:
    for meta in metas:
        value = meta.get(key)
        if value not in (None, ""):
            return value
    return None


def wire_for(platform: Platform, route: Route, provider: Provider | None = None) -> str | None:
    """The wire protocol of ``route`` on ``platform`` (None: unknown)."""
    provider_meta = provider.metadata if provider else {}
    declared = _declared(route.metadata, platform.metadata, provider_meta, key="wire")
    if isinstance(declared, str):
        return declared
    if platform.id in PLATFORM_WIRES:
        return PLATFORM_WIRES[platform.id]
    if platform.openai_compatible:
        return "openai"
    if provider is not None and platform.kind is PlatformKind.DIRECT:
        return PROVIDER_WIRES.get(provider.id) or PROVIDER_WIRES.get(provider.parent_id or "")
    return None


def _refs(*values: object) -> list[str]:
    return [v for v in values if isinstance(v, str) and v.strip()]


def _needs_key(platform: Platform, provider: Provider | None) -> bool:
    if platform.kind is PlatformKind.DIRECT and provider is not None:
        return provider.auth_type is not AuthType.NONE
    return platform.auth_type is not AuthType.NONE


def _resolve(refs: list[str], secrets: SecretResolver) -> str | None:
    for ref in refs:
        value = secrets.get(ref)
        if value:
            return value
    return None


def _missing(what: str, refs: list[str], name: str) -> ProviderError:
    names = " or ".join(env_name(r) for r in refs) or "none named"
    return ProviderError(
        f"{name}: no {what} (environment variable {names})", provider=name, kind="config"
    )


def _fill_pattern(base: str, platform: Platform, secrets: SecretResolver) -> str | None:
    """``https://*.host`` with the resource endpoint (``endpoint_env``) or region."""
    auth = platform.auth_config
    endpoint = _resolve(_refs(auth.get("endpoint_env")), secrets)
    if endpoint:
        return endpoint
    region = _resolve(_refs(auth.get("region_env")), secrets)
    return base.replace("*", region) if region else None


def _base_url(
    platform: Platform,
    route: Route,
    provider: Provider | None,
    secrets: SecretResolver,
    wire: str,
) -> str | None:
    if route.endpoint_override:
        return route.endpoint_override
    base = platform.base_url
    if platform.kind is PlatformKind.DIRECT and provider is not None:
        base = provider.api_base_url
    if base and "*" in base:
        filled = _fill_pattern(base, platform, secrets)
        if filled is None and wire not in _SELF_CONFIGURED:
            auth = platform.auth_config
            refs = _refs(auth.get("endpoint_env"), auth.get("region_env"))
            raise _missing("endpoint", refs, platform.id)
        base = filled or base
    return base


def _options(provider: Provider | None, platform: Platform, route: Route) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for meta in (provider.metadata if provider else {}, platform.metadata, route.metadata):
        declared = meta.get("wire_options")
        if isinstance(declared, Mapping):
            options.update(declared)
    return options


def target_for(
    platform: Platform,
    route: Route,
    secrets: SecretResolver | None = None,
    *,
    provider: Provider | None = None,
) -> UpstreamTarget:
    """The target of ``route`` on ``platform``. On the ``direct`` platform pass the
    route's ``provider``: its API is the base URL and its key the credential.

    Raises :class:`ProviderError` (``kind="config"``) when the wire, base URL or a
    required credential cannot be found.
    """
    if secrets is None:
        secrets = EnvSecretResolver()
    name = platform.id if provider is None else f"{platform.id}:{provider.id}"
    if provider is None and platform.kind is PlatformKind.DIRECT and not route.endpoint_override:
        raise ProviderError(
            f"{name}: a route on a direct platform needs its provider (target_for(..., "
            f"provider=...)) for the API and key of model {route.model_id!r}",
            provider=name,
            kind="config",
        )
    wire = wire_for(platform, route, provider)
    if wire is None:
        raise ProviderError(f"{name}: no wire protocol known", provider=name, kind="config")
    base = _base_url(platform, route, provider, secrets, wire)
    if not base and wire in _SELF_CONFIGURED:
        base = ""  # the cloud SDK finds its own endpoint (region, credentials chain)
    elif not base:
        raise ProviderError(f"{name}: no base URL", provider=name, kind="config")
    auth = platform.auth_config
    refs = _refs(route.secret_ref, auth.get("api_key_env"), auth.get("secret_ref"))
    refs += _refs(auth.get("secret_name"))
    if provider is not None and platform.kind is PlatformKind.DIRECT:
        # a provider's own key goes to its own API only, never to a host or aggregator
        refs += _refs(provider.api_key_env, provider.secret_ref)
    api_key = _resolve(refs, secrets)
    if api_key is None and _needs_key(platform, provider) and wire not in _SELF_CONFIGURED:
        raise _missing("credentials", refs, name)
    metas = (route.metadata, platform.metadata)
    version = _declared(*metas, key="api_version")
    if version is None and wire == "azure_openai":
        version = AZURE_API_VERSION
    headers = _declared(*metas, key="headers") or {}
    timeout = _declared(*metas, key="timeout")
    return UpstreamTarget(
        platform_id=platform.id,
        wire=wire,
        base_url=base.rstrip("/"),
        model=route.model_string,
        api_key=api_key,
        api_version=None if version is None else str(version),
        headers=MappingProxyType({str(k): str(v) for k, v in dict(headers).items()}),
        timeout=60.0 if timeout is None else float(timeout),
        provider_id=provider.id if provider else None,
        region=route.regions[0] if route.regions else None,
        options=MappingProxyType(_options(provider, platform, route)),
    )
