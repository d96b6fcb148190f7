"""Where a catalog's provider names land in our vocabulary: a platform, and on ``direct``
the provider whose own API it is.

Names a table does not list are unknown: their entries are skipped with that reason.
"""

from __future__ import annotations

__all__ = ["LITELLM_PLATFORMS", "MODELS_DEV_PLATFORMS", "litellm_platform"]

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
        ("codestral", "mistral"),
        ("text-completion-codestral", "mistral"),
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
    ),
    "bedrock": ("bedrock", None),
    "bedrock_converse": ("bedrock", None),
    "bedrock_mantle": ("bedrock", None),
    "amazon_nova": ("bedrock", None),
    "vertex_ai": ("vertex_ai", None),
    "azure": ("azure_openai", None),
    "azure_ai": ("azure_openai", None),
    "azure_text": ("azure_openai", None),
    "openrouter": ("openrouter", None),
    "together_ai": ("together", None),
    "groq": ("groq", None),
    "fireworks_ai": ("fireworks", None),
    "fireworks_ai-embedding-models": ("fireworks", None),
    "replicate": ("replicate", None),
    "huggingface": ("huggingface", None),
}


def litellm_platform(provider: str) -> Target | None:
    """``vertex_ai-anthropic_models`` and every other ``vertex_ai-*`` name is Vertex AI."""
    if provider.startswith("vertex_ai-"):
        return ("vertex_ai", None)
    return LITELLM_PLATFORMS.get(provider)


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
    ),
    "amazon-bedrock": ("bedrock", None),
    "google-vertex": ("vertex_ai", None),
    "google-vertex-anthropic": ("vertex_ai", None),
    "azure": ("azure_openai", None),
    "openrouter": ("openrouter", None),
    "togetherai": ("together", None),
    "groq": ("groq", None),
    "fireworks-ai": ("fireworks", None),
    "huggingface": ("huggingface", None),
}
