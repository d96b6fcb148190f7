"""Where a catalog's service names land in our vocabulary: a platform, and on ``direct``
the provider whose own API it is.

Every service a catalog names becomes a platform: the ones listed here map onto the
registry's platforms (``bedrock``, ``vertex_ai``, ``openrouter``, ``groq``, ...) or onto a
maker's own API (``direct`` + provider); LiteLLM's names that denote the same service as
a models.dev provider take the models.dev id (``novita`` is ``novita-ai``); any other name
is a new platform of that id (LiteLLM's ``_`` written ``-``). :func:`service_facts` says
what a new platform needs to be callable: models.dev gives each provider's API base URL
and the environment variables of its credentials, and the AI SDK package it uses
(``@ai-sdk/openai-compatible``: the gateway's ``openai`` wire); a few well-known hosts that
models.dev leaves without a URL are listed in :data:`KNOWN_BASE_URLS`.

A free endpoint is its own platform: LiteLLM's ``codestral`` is
``codestral.mistral.ai`` (free, rate-limited), not Mistral's paid API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "KNOWN_BASE_URLS",
    "LITELLM_PLATFORMS",
    "MODELS_DEV_PLATFORMS",
    "Service",
    "Target",
    "litellm_platform",
    "models_dev_platform",
    "service_facts",
]

#: ``(platform, provider)``; provider is None off ``direct``.
Target = tuple[str, str | None]


def _direct(*pairs: tuple[str, str]) -> dict[str, Target]:
    return {name: ("direct", provider) for name, provider in pairs}


LITELLM_PLATFORMS: dict[str, Target] = {
    **_direct(
        ("openai", "openai"),
        ("text-completion-openai", "openai"),
        ("anthropic", "anthropic"),
        ("gemini", "google"),
        ("mistral", "mistral"),
        ("xai", "xai"),
        ("deepseek", "deepseek"),
        ("cohere", "cohere"),
        ("cohere_chat", "cohere"),
        ("perplexity", "perplexity"),
        ("voyage", "voyage"),
        ("elevenlabs", "elevenlabs"),
        ("deepgram", "deepgram"),
        ("assemblyai", "assemblyai"),
        ("stability", "stability"),
        ("tavily", "tavily"),
        ("exa_ai", "exa"),
        ("runwayml", "runway"),
        ("black_forest_labs", "flux"),
        ("meta_llama", "meta"),
        ("ai21", "ai21"),
        ("moonshot", "moonshot"),
        ("minimax", "minimax"),
        ("zai", "zai"),
        ("jina_ai", "jina"),
        ("dashscope", "alibaba"),
        ("xiaomi_mimo", "xiaomi"),
        ("inception", "inception"),
        ("text-completion-inception", "inception"),
        ("sarvam", "sarvam"),
    ),
    "bedrock": ("bedrock", None),
    "bedrock_converse": ("bedrock", None),
    "bedrock_mantle": ("bedrock", None),
    "vertex_ai": ("vertex_ai", None),
    "azure": ("azure_openai", None),
    "azure_text": ("azure_openai", None),
    "azure_ai": ("azure_ai", None),
    "openrouter": ("openrouter", None),
    "together_ai": ("together", None),
    "groq": ("groq", None),
    "fireworks_ai": ("fireworks", None),
    "fireworks_ai-embedding-models": ("fireworks", None),
    "replicate": ("replicate", None),
    "huggingface": ("huggingface", None),
    # the free endpoint codestral.mistral.ai, not Mistral's API
    "codestral": ("codestral", None),
    "text-completion-codestral": ("codestral", None),
    "amazon_nova": ("nova", None),
    # LiteLLM's name for a service models.dev lists under another id
    "novita": ("novita-ai", None),
    "github_copilot": ("github-copilot", None),
    "opencode_go": ("opencode-go", None),
    "abliteration": ("abliteration-ai", None),
    "friendliai": ("friendli", None),
    "nvidia_nim": ("nvidia", None),
    "gmi": ("gmicloud", None),
    "cloudflare": ("cloudflare-workers-ai", None),
    "snowflake": ("snowflake-cortex", None),
    "vercel_ai_gateway": ("vercel", None),
    "lambda_ai": ("lambda", None),
    "bigmodel": ("zhipuai", None),
}


def _service_id(name: str) -> str:
    return re.sub(r"[^a-z0-9.+-]+", "-", name.casefold()).strip("-") or "unknown"


def litellm_platform(provider: str) -> Target:
    """Every ``vertex_ai-*`` name is Vertex AI; an unlisted name is a platform of its own."""
    if provider.startswith("vertex_ai-"):
        return ("vertex_ai", None)
    return LITELLM_PLATFORMS.get(provider) or (_service_id(provider), None)


MODELS_DEV_PLATFORMS: dict[str, Target] = {
    **_direct(
        ("openai", "openai"),
        ("anthropic", "anthropic"),
        ("google", "google"),
        ("mistral", "mistral"),
        ("xai", "xai"),
        ("deepseek", "deepseek"),
        ("cohere", "cohere"),
        ("perplexity", "perplexity"),
        ("llama", "meta"),
        ("moonshotai", "moonshot"),
        ("minimax", "minimax"),
        ("zai", "zai"),
        ("alibaba", "alibaba"),
        ("xiaomi", "xiaomi"),
        ("inception", "inception"),
        ("sarvam", "sarvam"),
    ),
    "amazon-bedrock": ("bedrock", None),
    "google-vertex": ("vertex_ai", None),
    "google-vertex-anthropic": ("vertex_ai", None),
    "azure": ("azure_openai", None),
    "azure-cognitive-services": ("azure_ai", None),
    "openrouter": ("openrouter", None),
    "togetherai": ("together", None),
    "groq": ("groq", None),
    "fireworks-ai": ("fireworks", None),
    "huggingface": ("huggingface", None),
}


def models_dev_platform(provider: str) -> Target:
    return MODELS_DEV_PLATFORMS.get(provider) or (_service_id(provider), None)


#: OpenAI-compatible bases of hosts models.dev lists without an ``api`` URL
KNOWN_BASE_URLS: dict[str, str] = {
    "deepinfra": "https://api.deepinfra.com/v1/openai",
    "cerebras": "https://api.cerebras.ai/v1",
    "sambanova": "https://api.sambanova.ai/v1",
    "hyperbolic": "https://api.hyperbolic.xyz/v1",
    "lambda": "https://api.lambda.ai/v1",
    "nscale": "https://inference.api.nscale.com/v1",
    "codestral": "https://codestral.mistral.ai/v1",
}
_AGGREGATORS = re.compile(r"router|gateway|proxy|hub|mix|poe|kilo|nano-gpt|zen|302ai|anyapi|vercel")
_NOT_KEYS = re.compile(
    r"ACCOUNT|_ID$|HOST|ENDPOINT|RESOURCE|PROJECT|LOCATION|REGION|BASE_URL|NAME$"
)
_OPENAI_COMPATIBLE = frozenset({"@ai-sdk/openai-compatible", "@ai-sdk/openai"})


@dataclass(frozen=True, slots=True)
class Service:
    """What a catalog says about a service, enough to make it a platform (or, for a
    maker's own API, a provider's ``api_base_url`` and key)."""

    #: our platform id (``direct`` for a maker's own API)
    platform: str
    #: on ``direct``: the maker
    provider: str | None
    name: str
    #: ``host``, ``aggregator``, ``cloud`` or ``direct``
    kind: str
    base_url: str | None = None
    #: the environment variable holding the API key
    api_key_env: str | None = None
    #: every environment variable the catalog names for it
    env: tuple[str, ...] = ()
    openai_compatible: bool = False
    doc: str | None = None
    #: ``models-dev:302ai`` / ``litellm:deepinfra``
    source: str = ""


def service_facts(
    target: Target,
    *,
    name: str,
    source: str,
    api: str | None = None,
    env: tuple[str, ...] = (),
    npm: str | None = None,
    doc: str | None = None,
) -> Service:
    """The platform (or maker API) a catalog's service name stands for."""
    platform, provider = target
    base = api.strip().rstrip("/") if isinstance(api, str) and api.strip() else None
    templated = base is not None and "${" in base
    if base is None:
        base = KNOWN_BASE_URLS.get(platform)
    compatible = (
        base is not None
        and not templated
        and (npm in _OPENAI_COMPATIBLE or (npm is None and platform in KNOWN_BASE_URLS))
    )
    keys = [e for e in env if not _NOT_KEYS.search(e)]
    if platform == "direct":
        kind = "direct"
    elif _AGGREGATORS.search(platform):
        kind = "aggregator"
    else:
        kind = "host"
    return Service(
        platform=platform,
        provider=provider,
        name=name,
        kind=kind,
        base_url=None if templated else base,
        api_key_env=keys[0] if keys else None,
        env=env,
        openai_compatible=compatible,
        doc=doc,
        source=source,
    )
