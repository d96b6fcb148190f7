"""Who made a model: a provider id from what the catalogs say about it.

In order: the maker whose own API lists it (``direct``), the vendor the name states
(OpenRouter's ``anthropic/``, Bedrock's ``anthropic.``, Together's ``meta-llama/``; see
:data:`VENDORS` for the spellings that differ from our ids), then the family the name
starts with (:data:`FAMILIES`: ``claude`` is Anthropic's, ``gemma`` Google's). None when
nothing tells.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["FAMILIES", "VENDORS", "family_maker", "vendor_maker"]

#: vendor spellings of the catalogs -> our provider ids (others are taken as they are)
VENDORS: dict[str, str] = {
    "meta-llama": "meta",
    "meta": "meta",
    "llama": "meta",
    "facebook": "meta",
    "mistralai": "mistral",
    "mistral": "mistral",
    "x-ai": "xai",
    "xai": "xai",
    "qwen": "alibaba",
    "alibaba": "alibaba",
    "alibaba-nlp": "alibaba",
    "z-ai": "zai",
    "zai-org": "zai",
    "zai": "zai",
    "thudm": "zai",
    "zhipuai": "zai",
    "moonshotai": "moonshot",
    "moonshot": "moonshot",
    "deepseek-ai": "deepseek",
    "deepseek": "deepseek",
    "google": "google",
    "openai": "openai",
    "anthropic": "anthropic",
    "cohere": "cohere",
    "cohereforai": "cohere",
    "cohere-labs": "cohere",
    "microsoft": "microsoft",
    "nvidia": "nvidia",
    "amazon": "amazon",
    "ai21": "ai21",
    "ai21-labs": "ai21",
    "minimaxai": "minimax",
    "minimax": "minimax",
    "ibm-granite": "ibm",
    "ibm": "ibm",
    "black-forest-labs": "flux",
    "stabilityai": "stability",
    "stability": "stability",
    "perplexity": "perplexity",
    "xiaomi": "xiaomi",
    "xiaomimimo": "xiaomi",
    "bytedance": "bytedance",
    "bytedance-seed": "bytedance",
    "baidu": "baidu",
    "tencent": "tencent",
    "writer": "writer",
    "twelvelabs": "twelvelabs",
    "nousresearch": "nousresearch",
    "allenai": "allenai",
    "01-ai": "01-ai",
    "inclusionai": "inclusionai",
    "liquidai": "liquid",
    "sao10k": "sao10k",
}

#: a name's first words -> maker, tried longest first
FAMILIES: dict[str, str] = {
    "claude": "anthropic",
    "gpt": "openai",
    "chatgpt": "openai",
    "o1": "openai",
    "o3": "openai",
    "o4": "openai",
    "dall-e": "openai",
    "whisper": "openai",
    "tts": "openai",
    "text-embedding-3": "openai",
    "text-embedding-ada": "openai",
    "davinci": "openai",
    "babbage": "openai",
    "codex": "openai",
    "sora": "openai",
    "gemini": "google",
    "gemma": "google",
    "imagen": "google",
    "veo": "google",
    "learnlm": "google",
    "medlm": "google",
    "llama": "meta",
    "codellama": "meta",
    "mistral": "mistral",
    "mixtral": "mistral",
    "codestral": "mistral",
    "devstral": "mistral",
    "magistral": "mistral",
    "ministral": "mistral",
    "pixtral": "mistral",
    "voxtral": "mistral",
    "open-mistral": "mistral",
    "qwen": "alibaba",
    "qwq": "alibaba",
    "qvq": "alibaba",
    "deepseek": "deepseek",
    "glm": "zai",
    "chatglm": "zai",
    "kimi": "moonshot",
    "moonshot": "moonshot",
    "minimax": "minimax",
    "grok": "xai",
    "command": "cohere",
    "c4ai": "cohere",
    "aya": "cohere",
    "rerank": "cohere",
    "phi": "microsoft",
    "nova": "amazon",
    "titan": "amazon",
    "jamba": "ai21",
    "granite": "ibm",
    "nemotron": "nvidia",
    "mimo": "xiaomi",
    "sonar": "perplexity",
    "ernie": "baidu",
    "hunyuan": "tencent",
    "doubao": "bytedance",
    "seed": "bytedance",
    "flux": "flux",
    "stable-diffusion": "stability",
    "sd3": "stability",
    "eleven": "elevenlabs",
    "palmyra": "writer",
    "cohere": "cohere",
    "embed": "cohere",
    "embed-english": "cohere",
    "embed-multilingual": "cohere",
    "voyage": "voyage",
    "jina": "jina",
    "hermes": "nousresearch",
    "nous-hermes": "nousresearch",
    "olmo": "allenai",
    "wizardlm": "microsoft",
    "yi": "01-ai",
    "ling": "inclusionai",
    "ring": "inclusionai",
}
_FAMILY_ORDER = sorted(FAMILIES, key=len, reverse=True)
_NOT_ID = re.compile(r"[^a-z0-9._+-]+")


def vendor_maker(vendor: str | None) -> str | None:
    """Our provider id for a vendor a name states; None for no vendor."""
    if not vendor:
        return None
    folded = vendor.casefold().strip()
    known = VENDORS.get(folded)
    if known is not None:
        return known
    slug = _NOT_ID.sub("-", folded).strip("-._+")
    return slug[:64] or None


_FAMILY = re.compile("^(" + "|".join(re.escape(f) for f in _FAMILY_ORDER) + r")(?:$|[-.]|(?=\d))")


@lru_cache(maxsize=1 << 16)
def family_maker(key: str) -> str | None:
    """The maker a model's name points to by its family (``claude-...`` -> anthropic)."""
    match = _FAMILY.match(key)
    return FAMILIES[match[1]] if match else None
