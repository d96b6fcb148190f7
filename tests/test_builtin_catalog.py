"""The built-in catalog (src/radiant/catalog/data) against small tables written out here.

The tables below are the values the catalog was first built from (the specifications
Radiant started from, which do not ship: their values are all here, so this test needs
nothing else), typed in by hand, not read from the YAML: the original provider and model
tables, price lists per token and per unit, the self-hosted models and the platforms with
their fallback chain. The names ``SEED000_*`` / ``SEED001_*`` and the ``seed 00N`` texts of
``MERGE_NOTES`` keep those sources apart; the catalog's own notes name them the same way.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from radiant.catalog import Catalog, load_catalog
from radiant.domain import PriceSheet, Route

# --------------------------------------------------------------------------- seed tables

SEED001_IDS: tuple[str, ...] = (
    "openai-gpt-5-2",
    "openai-gpt-5-1",
    "openai-gpt-5-mini",
    "openai-gpt-5-nano",
    "openai-gpt-4-1",
    "openai-gpt-4-1-mini",
    "openai-gpt-4-1-nano",
    "openai-o3",
    "openai-o3-pro",
    "openai-o4-mini",
    "openai-o3-mini",
    "openai-gpt-4o",
    "anthropic-claude-opus-4-5",
    "anthropic-claude-sonnet-4-5",
    "anthropic-claude-haiku-4-5",
    "anthropic-claude-opus-4",
    "anthropic-claude-sonnet-4",
    "anthropic-claude-haiku-35",
    "google-gemini-3-pro",
    "google-gemini-3-flash",
    "google-gemini-25-pro",
    "google-gemini-25-flash",
    "google-gemini-25-flash-lite",
    "google-gemini-2-flash",
    "xai-grok-4",
    "xai-grok-4-1-fast",
    "xai-grok-4-fast",
    "xai-grok-3",
    "xai-grok-3-mini",
    "xai-grok-2",
    "deepseek-chat",
    "deepseek-reasoner",
    "mistral-large",
    "mistral-medium",
    "mistral-small",
    "mistral-pixtral-large",
    "mistral-codestral",
    "mistral-magistral-medium",
    "cohere-command-r-plus",
    "cohere-command-r",
    "cohere-embed-v4",
    "perplexity-sonar-huge",
    "perplexity-sonar-pro",
    "perplexity-sonar",
    "openai-dall-e-3",
    "openai-dall-e-3-hd",
    "stability-sdxl",
    "stability-sd3-large",
    "stability-ultra",
    "flux-pro-11",
    "flux-pro-ultra",
    "flux-schnell",
    "ideogram-v2",
    "ideogram-v2-turbo",
    "midjourney-v6",
    "runway-gen3-alpha-turbo",
    "runway-gen3-alpha",
    "luma-dream-machine",
    "luma-ray-2",
    "pika-v2",
    "kling-v15-pro",
    "google-veo-2",
    "openai-tts-1",
    "openai-tts-1-hd",
    "openai-whisper-1",
    "elevenlabs-multilingual-v2",
    "elevenlabs-turbo-v2-5",
    "deepgram-nova-2",
    "deepgram-nova-2-medical",
    "assemblyai-best",
    "openai-text-embedding-3-small",
    "openai-text-embedding-3-large",
    "voyage-3",
    "voyage-code-3",
    "exa-search",
    "tavily-search",
    "meshy-v3",
    "meshy-v3-turbo",
    "tripo-v2",
)

EXPECTED_NAMES: dict[str, str] = {
    "gpt-5.2": "openai-gpt-5-2",
    "openai-gpt-5-2": "openai-gpt-5-2",
    "gpt-5.1": "openai-gpt-5-1",
    "openai-gpt-5-1": "openai-gpt-5-1",
    "gpt-5-mini": "openai-gpt-5-mini",
    "openai-gpt-5-mini": "openai-gpt-5-mini",
    "gpt-5-nano": "openai-gpt-5-nano",
    "openai-gpt-5-nano": "openai-gpt-5-nano",
    "gpt-4.1-2025-04-14": "openai-gpt-4-1",
    "gpt-4.1": "openai-gpt-4-1",
    "openai-gpt-4-1": "openai-gpt-4-1",
    "gpt-4.1-mini-2025-04-14": "openai-gpt-4-1-mini",
    "gpt-4.1-mini": "openai-gpt-4-1-mini",
    "openai-gpt-4-1-mini": "openai-gpt-4-1-mini",
    "gpt-4.1-nano-2025-04-14": "openai-gpt-4-1-nano",
    "gpt-4.1-nano": "openai-gpt-4-1-nano",
    "openai-gpt-4-1-nano": "openai-gpt-4-1-nano",
    "o3-2025-04-16": "openai-o3",
    "o3": "openai-o3",
    "openai-o3": "openai-o3",
    "o3-pro-2025-06-10": "openai-o3-pro",
    "o3-pro": "openai-o3-pro",
    "openai-o3-pro": "openai-o3-pro",
    "o4-mini-2025-04-16": "openai-o4-mini",
    "o4-mini": "openai-o4-mini",
    "openai-o4-mini": "openai-o4-mini",
    "o3-mini-2025-01-31": "openai-o3-mini",
    "o3-mini": "openai-o3-mini",
    "openai-o3-mini": "openai-o3-mini",
    "gpt-4o-2024-08-06": "openai-gpt-4o",
    "gpt-4o": "openai-gpt-4o",
    "openai-gpt-4o": "openai-gpt-4o",
    "claude-opus-4-5-20251101": "anthropic-claude-opus-4-5",
    "anthropic/claude-opus-4-5-20251101": "anthropic-claude-opus-4-5",
    "claude-opus-4.5": "anthropic-claude-opus-4-5",
    "anthropic-claude-opus-4-5": "anthropic-claude-opus-4-5",
    "claude-sonnet-4-5-20250929": "anthropic-claude-sonnet-4-5",
    "anthropic/claude-sonnet-4-5-20250929": "anthropic-claude-sonnet-4-5",
    "claude-sonnet-4.5": "anthropic-claude-sonnet-4-5",
    "anthropic-claude-sonnet-4-5": "anthropic-claude-sonnet-4-5",
    "claude-haiku-4-5-20251001": "anthropic-claude-haiku-4-5",
    "anthropic/claude-haiku-4-5-20251001": "anthropic-claude-haiku-4-5",
    "claude-haiku-4.5": "anthropic-claude-haiku-4-5",
    "anthropic-claude-haiku-4-5": "anthropic-claude-haiku-4-5",
    "claude-opus-4-20250514": "anthropic-claude-opus-4",
    "anthropic/claude-opus-4-20250514": "anthropic-claude-opus-4",
    "claude-opus-4": "anthropic-claude-opus-4",
    "anthropic-claude-opus-4": "anthropic-claude-opus-4",
    "claude-sonnet-4-20250514": "anthropic-claude-sonnet-4",
    "anthropic/claude-sonnet-4-20250514": "anthropic-claude-sonnet-4",
    "claude-sonnet-4": "anthropic-claude-sonnet-4",
    "anthropic-claude-sonnet-4": "anthropic-claude-sonnet-4",
    "claude-3-5-haiku-20241022": "anthropic-claude-haiku-35",
    "anthropic/claude-3-5-haiku-20241022": "anthropic-claude-haiku-35",
    "claude-3.5-haiku": "anthropic-claude-haiku-35",
    "anthropic-claude-haiku-35": "anthropic-claude-haiku-35",
    "gemini-3-pro-preview": "google-gemini-3-pro",
    "gemini/gemini-3-pro-preview": "google-gemini-3-pro",
    "gemini-3-pro": "google-gemini-3-pro",
    "google-gemini-3-pro": "google-gemini-3-pro",
    "gemini-3-flash-preview": "google-gemini-3-flash",
    "gemini/gemini-3-flash-preview": "google-gemini-3-flash",
    "gemini-3-flash": "google-gemini-3-flash",
    "google-gemini-3-flash": "google-gemini-3-flash",
    "gemini-2.5-pro": "google-gemini-25-pro",
    "gemini/gemini-2.5-pro": "google-gemini-25-pro",
    "google-gemini-25-pro": "google-gemini-25-pro",
    "gemini-2.5-flash": "google-gemini-25-flash",
    "gemini/gemini-2.5-flash": "google-gemini-25-flash",
    "google-gemini-25-flash": "google-gemini-25-flash",
    "gemini-2.5-flash-lite": "google-gemini-25-flash-lite",
    "gemini/gemini-2.5-flash-lite": "google-gemini-25-flash-lite",
    "google-gemini-25-flash-lite": "google-gemini-25-flash-lite",
    "gemini-2.0-flash-001": "google-gemini-2-flash",
    "gemini/gemini-2.0-flash-001": "google-gemini-2-flash",
    "gemini-2.0-flash": "google-gemini-2-flash",
    "google-gemini-2-flash": "google-gemini-2-flash",
    "grok-4-0709": "xai-grok-4",
    "xai/grok-4-0709": "xai-grok-4",
    "grok-4": "xai-grok-4",
    "xai-grok-4": "xai-grok-4",
    "grok-4-1-fast-reasoning": "xai-grok-4-1-fast",
    "xai/grok-4-1-fast-reasoning": "xai-grok-4-1-fast",
    "grok-4.1-fast": "xai-grok-4-1-fast",
    "xai-grok-4-1-fast": "xai-grok-4-1-fast",
    "grok-4-fast-reasoning": "xai-grok-4-fast",
    "xai/grok-4-fast-reasoning": "xai-grok-4-fast",
    "grok-4-fast": "xai-grok-4-fast",
    "xai-grok-4-fast": "xai-grok-4-fast",
    "grok-3": "xai-grok-3",
    "xai/grok-3": "xai-grok-3",
    "xai-grok-3": "xai-grok-3",
    "grok-3-mini": "xai-grok-3-mini",
    "xai/grok-3-mini": "xai-grok-3-mini",
    "xai-grok-3-mini": "xai-grok-3-mini",
    "grok-2-1212": "xai-grok-2",
    "xai/grok-2-1212": "xai-grok-2",
    "grok-2": "xai-grok-2",
    "xai-grok-2": "xai-grok-2",
    "deepseek-chat": "deepseek-chat",
    "deepseek/deepseek-chat": "deepseek-chat",
    "deepseek-reasoner": "deepseek-reasoner",
    "deepseek/deepseek-reasoner": "deepseek-reasoner",
    "mistral-large-2411": "mistral-large",
    "mistral/mistral-large-2411": "mistral-large",
    "mistral-large": "mistral-large",
    "mistral-medium-2505": "mistral-medium",
    "mistral/mistral-medium-2505": "mistral-medium",
    "mistral-medium": "mistral-medium",
    "mistral-small-2409": "mistral-small",
    "mistral/mistral-small-2409": "mistral-small",
    "mistral-small": "mistral-small",
    "pixtral-large-2411": "mistral-pixtral-large",
    "mistral/pixtral-large-2411": "mistral-pixtral-large",
    "pixtral-large": "mistral-pixtral-large",
    "mistral-pixtral-large": "mistral-pixtral-large",
    "codestral-2501": "mistral-codestral",
    "mistral/codestral-2501": "mistral-codestral",
    "codestral": "mistral-codestral",
    "mistral-codestral": "mistral-codestral",
    "magistral-medium-2509": "mistral-magistral-medium",
    "mistral/magistral-medium-2509": "mistral-magistral-medium",
    "magistral-medium": "mistral-magistral-medium",
    "mistral-magistral-medium": "mistral-magistral-medium",
    "command-r-plus-08-2024": "cohere-command-r-plus",
    "cohere/command-r-plus-08-2024": "cohere-command-r-plus",
    "command-r-plus": "cohere-command-r-plus",
    "cohere-command-r-plus": "cohere-command-r-plus",
    "command-r-08-2024": "cohere-command-r",
    "cohere/command-r-08-2024": "cohere-command-r",
    "command-r": "cohere-command-r",
    "cohere-command-r": "cohere-command-r",
    "embed-v4.0": "cohere-embed-v4",
    "cohere/embed-v4.0": "cohere-embed-v4",
    "embed-v4": "cohere-embed-v4",
    "cohere-embed-v4": "cohere-embed-v4",
    "sonar-huge-online": "perplexity-sonar-huge",
    "perplexity/sonar-huge-online": "perplexity-sonar-huge",
    "sonar-huge": "perplexity-sonar-huge",
    "perplexity-sonar-huge": "perplexity-sonar-huge",
    "sonar-pro-online": "perplexity-sonar-pro",
    "perplexity/sonar-pro-online": "perplexity-sonar-pro",
    "sonar-pro": "perplexity-sonar-pro",
    "perplexity-sonar-pro": "perplexity-sonar-pro",
    "sonar-online": "perplexity-sonar",
    "perplexity/sonar-online": "perplexity-sonar",
    "sonar": "perplexity-sonar",
    "perplexity-sonar": "perplexity-sonar",
    "dall-e-3": "openai-dall-e-3",
    "openai-dall-e-3": "openai-dall-e-3",
    "dall-e-3-hd": "openai-dall-e-3-hd",
    "openai-dall-e-3-hd": "openai-dall-e-3-hd",
    "stable-diffusion-xl-1024-v1-0": "stability-sdxl",
    "stability/stable-diffusion-xl-1024-v1-0": "stability-sdxl",
    "sdxl": "stability-sdxl",
    "stability-sdxl": "stability-sdxl",
    "sd3-large": "stability-sd3-large",
    "stability/sd3-large": "stability-sd3-large",
    "stability-sd3-large": "stability-sd3-large",
    "stable-image-ultra": "stability-ultra",
    "stability/stable-image-ultra": "stability-ultra",
    "stability-ultra": "stability-ultra",
    "flux-pro-1.1": "flux-pro-11",
    "replicate/black-forest-labs/flux-1.1-pro": "flux-pro-11",
    "flux-pro-11": "flux-pro-11",
    "flux-pro-1.1-ultra": "flux-pro-ultra",
    "replicate/black-forest-labs/flux-1.1-pro-ultra": "flux-pro-ultra",
    "flux-pro-ultra": "flux-pro-ultra",
    "flux-schnell": "flux-schnell",
    "replicate/black-forest-labs/flux-schnell": "flux-schnell",
    "ideogram-v2": "ideogram-v2",
    "ideogram/ideogram-v2": "ideogram-v2",
    "ideogram-v2-turbo": "ideogram-v2-turbo",
    "ideogram/ideogram-v2-turbo": "ideogram-v2-turbo",
    "midjourney-v6": "midjourney-v6",
    "midjourney/v6": "midjourney-v6",
    "gen3a_turbo": "runway-gen3-alpha-turbo",
    "runway/gen3a_turbo": "runway-gen3-alpha-turbo",
    "gen3-alpha-turbo": "runway-gen3-alpha-turbo",
    "runway-gen3-alpha-turbo": "runway-gen3-alpha-turbo",
    "gen3a": "runway-gen3-alpha",
    "runway/gen3a": "runway-gen3-alpha",
    "gen3-alpha": "runway-gen3-alpha",
    "runway-gen3-alpha": "runway-gen3-alpha",
    "dream-machine": "luma-dream-machine",
    "luma/dream-machine": "luma-dream-machine",
    "luma-dream-machine": "luma-dream-machine",
    "ray-2": "luma-ray-2",
    "luma/ray-2": "luma-ray-2",
    "luma-ray-2": "luma-ray-2",
    "pika-2.0": "pika-v2",
    "pika/pika-2.0": "pika-v2",
    "pika-v2": "pika-v2",
    "kling-v1.5-pro": "kling-v15-pro",
    "kling/kling-v1.5-pro": "kling-v15-pro",
    "kling-v15-pro": "kling-v15-pro",
    "veo-2.0": "google-veo-2",
    "gemini/veo-2.0": "google-veo-2",
    "google-veo-2": "google-veo-2",
    "tts-1": "openai-tts-1",
    "openai-tts-1": "openai-tts-1",
    "tts-1-hd": "openai-tts-1-hd",
    "openai-tts-1-hd": "openai-tts-1-hd",
    "whisper-1": "openai-whisper-1",
    "openai-whisper-1": "openai-whisper-1",
    "eleven_multilingual_v2": "elevenlabs-multilingual-v2",
    "elevenlabs/eleven_multilingual_v2": "elevenlabs-multilingual-v2",
    "multilingual-v2": "elevenlabs-multilingual-v2",
    "elevenlabs-multilingual-v2": "elevenlabs-multilingual-v2",
    "eleven_turbo_v2_5": "elevenlabs-turbo-v2-5",
    "elevenlabs/eleven_turbo_v2_5": "elevenlabs-turbo-v2-5",
    "turbo-v2.5": "elevenlabs-turbo-v2-5",
    "elevenlabs-turbo-v2-5": "elevenlabs-turbo-v2-5",
    "nova-2": "deepgram-nova-2",
    "deepgram/nova-2": "deepgram-nova-2",
    "deepgram-nova-2": "deepgram-nova-2",
    "nova-2-medical": "deepgram-nova-2-medical",
    "deepgram/nova-2-medical": "deepgram-nova-2-medical",
    "deepgram-nova-2-medical": "deepgram-nova-2-medical",
    "best": "assemblyai-best",
    "assemblyai/best": "assemblyai-best",
    "assemblyai-best": "assemblyai-best",
    "text-embedding-3-small": "openai-text-embedding-3-small",
    "openai-text-embedding-3-small": "openai-text-embedding-3-small",
    "text-embedding-3-large": "openai-text-embedding-3-large",
    "openai-text-embedding-3-large": "openai-text-embedding-3-large",
    "voyage-3": "voyage-3",
    "voyage/voyage-3": "voyage-3",
    "voyage-code-3": "voyage-code-3",
    "voyage/voyage-code-3": "voyage-code-3",
    "exa-search": "exa-search",
    "exa/search": "exa-search",
    "tavily-search": "tavily-search",
    "tavily/search": "tavily-search",
    "meshy-v3": "meshy-v3",
    "meshy/meshy-v3": "meshy-v3",
    "meshy-v3-turbo": "meshy-v3-turbo",
    "meshy/meshy-v3-turbo": "meshy-v3-turbo",
    "tripo-v2": "tripo-v2",
    "tripo/tripo-v2": "tripo-v2",
    "perplexity/sonar-pro": "perplexity-sonar-pro",
    "perplexity/sonar": "perplexity-sonar",
    "claude-4-opus": "anthropic-claude-opus-4",
    "claude-4-sonnet": "anthropic-claude-sonnet-4",
    "deepseek-v3": "deepseek-chat",
    "deepseek-r1": "deepseek-reasoner",
    "codestral-latest": "mistral-codestral",
    "grok-3-fast": "grok-3-fast",
    "grok-2-vision": "grok-2-vision",
    "grok-2-mini": "grok-2-mini",
    "grok-coder": "grok-coder",
    "grok-analyst": "grok-analyst",
    "grok-embed": "grok-embed",
    "grok-realtime": "grok-realtime",
    "gpt-4o-mini": "gpt-4o-mini",
    "o1": "o1",
    "o1-pro": "o1-pro",
    "gpt-4o-realtime": "gpt-4o-realtime",
    "gemini-2.0-pro": "gemini-2.0-pro",
    "gemini-2.0-ultra": "gemini-2.0-ultra",
    "gemini-2.0-pro-exp": "gemini-2.0-pro-exp",
    "mistral-large-2": "mistral-large-2",
    "claude-4-opus-agents": "claude-4-opus-agents",
    "qwen-2.5-coder": "qwen-2.5-coder",
    "llama-3.3-70b": "llama-3.3-70b",
    "phi-4": "phi-4",
    "gemini/gemini-2.0-flash": "google-gemini-2-flash",
    "gemini-1.5-pro": "gemini-1.5-pro",
    "gemini/gemini-1.5-pro": "gemini-1.5-pro",
    "mistral/mistral-large-latest": "mistral-large",
    "mistral/mistral-small-latest": "mistral-small",
    "claude-3-opus-20240229": "anthropic-claude-3-opus",
    "claude-3-opus": "anthropic-claude-3-opus",
    "anthropic-claude-3-opus": "anthropic-claude-3-opus",
    "claude-3-sonnet-20240229": "anthropic-claude-3-sonnet",
    "claude-3-sonnet": "anthropic-claude-3-sonnet",
    "anthropic-claude-3-sonnet": "anthropic-claude-3-sonnet",
    "claude-3-haiku-20240307": "anthropic-claude-3-haiku",
    "claude-3-haiku": "anthropic-claude-3-haiku",
    "anthropic-claude-3-haiku": "anthropic-claude-3-haiku",
    "claude-3-5-sonnet-20241022": "anthropic-claude-3-5-sonnet",
    "claude-3.5-sonnet": "anthropic-claude-3-5-sonnet",
    "anthropic-claude-3-5-sonnet": "anthropic-claude-3-5-sonnet",
    "efficientnet-b0": "efficientnet-b0",
    "sagemaker/efficientnet-b0": "efficientnet-b0",
    "efficientnetv2-l": "efficientnetv2-l",
    "sagemaker/efficientnetv2-l": "efficientnetv2-l",
    "convnext-xl": "convnext-xl",
    "sagemaker/convnext-xl": "convnext-xl",
    "vit-l-14": "vit-l-14",
    "sagemaker/vit-l-14": "vit-l-14",
    "yolov8m": "yolov8m",
    "sagemaker/yolov8m": "yolov8m",
    "yolov8x": "yolov8x",
    "sagemaker/yolov8x": "yolov8x",
    "yolo11m": "yolo11m",
    "sagemaker/yolo11m": "yolo11m",
    "detr-resnet-101": "detr-resnet-101",
    "sagemaker/detr-resnet-101": "detr-resnet-101",
    "sam-vit-h": "sam-vit-h",
    "sagemaker/sam-vit-h": "sam-vit-h",
    "sam-2": "sam-2",
    "sagemaker/sam-2": "sam-2",
    "clip-vit-l": "clip-vit-l",
    "sagemaker/clip-vit-l": "clip-vit-l",
    "paddleocr-v4": "paddleocr-v4",
    "sagemaker/paddleocr-v4": "paddleocr-v4",
    "trocr-large": "trocr-large",
    "sagemaker/trocr-large": "trocr-large",
    "whisper-large-v3": "whisper-large-v3",
    "sagemaker/whisper-large-v3": "whisper-large-v3",
    "whisper-large-v3-turbo": "whisper-large-v3-turbo",
    "sagemaker/whisper-large-v3-turbo": "whisper-large-v3-turbo",
    "wav2vec2-xlsr-53": "wav2vec2-xlsr-53",
    "sagemaker/wav2vec2-xlsr-53": "wav2vec2-xlsr-53",
    "titanet-l": "titanet-l",
    "sagemaker/titanet-l": "titanet-l",
    "pyannote-diarization-3.1": "pyannote-diarization-3.1",
    "sagemaker/pyannote-diarization-3.1": "pyannote-diarization-3.1",
    "speecht5-tts": "speecht5-tts",
    "sagemaker/speecht5-tts": "speecht5-tts",
    "alphafold2": "alphafold2",
    "sagemaker/alphafold2": "alphafold2",
    "esm2-650m": "esm2-650m",
    "sagemaker/esm2-650m": "esm2-650m",
    "esm2-3b": "esm2-3b",
    "sagemaker/esm2-3b": "esm2-3b",
    "esmfold": "esmfold",
    "sagemaker/esmfold": "esmfold",
    "rosettafold2": "rosettafold2",
    "sagemaker/rosettafold2": "rosettafold2",
    "alphageometry": "alphageometry",
    "sagemaker/alphageometry": "alphageometry",
    "muzero": "muzero",
    "sagemaker/muzero": "muzero",
    "graphormer": "graphormer",
    "sagemaker/graphormer": "graphormer",
    "nnunet": "nnunet",
    "sagemaker/nnunet": "nnunet",
    "medsam": "medsam",
    "sagemaker/medsam": "medsam",
    "med-sam2": "med-sam2",
    "sagemaker/med-sam2": "med-sam2",
    "biomedclip": "biomedclip",
    "sagemaker/biomedclip": "biomedclip",
    "chexnet": "chexnet",
    "sagemaker/chexnet": "chexnet",
    "monai-vista3d": "monai-vista3d",
    "sagemaker/monai-vista3d": "monai-vista3d",
    "prithvi-100m": "prithvi-100m",
    "sagemaker/prithvi-100m": "prithvi-100m",
    "prithvi-600m": "prithvi-600m",
    "sagemaker/prithvi-600m": "prithvi-600m",
    "satmae": "satmae",
    "sagemaker/satmae": "satmae",
    "geosam": "geosam",
    "sagemaker/geosam": "geosam",
    "nerfstudio-nerfacto": "nerfstudio-nerfacto",
    "sagemaker/nerfstudio-nerfacto": "nerfstudio-nerfacto",
    "3dgs": "3dgs",
    "sagemaker/3dgs": "3dgs",
    "instant-ngp": "instant-ngp",
    "sagemaker/instant-ngp": "instant-ngp",
    "point-e": "point-e",
    "sagemaker/point-e": "point-e",
    "shap-e": "shap-e",
    "sagemaker/shap-e": "shap-e",
    "sagemaker/llama-3.3-70b": "llama-3.3-70b",
    "llama-3.2-11b-vision": "llama-3.2-11b-vision",
    "sagemaker/llama-3.2-11b-vision": "llama-3.2-11b-vision",
    "mistral-7b-v0.3": "mistral-7b-v0.3",
    "sagemaker/mistral-7b-v0.3": "mistral-7b-v0.3",
    "mixtral-8x7b": "mixtral-8x7b",
    "sagemaker/mixtral-8x7b": "mixtral-8x7b",
    "qwen2.5-72b": "qwen2.5-72b",
    "sagemaker/qwen2.5-72b": "qwen2.5-72b",
    "codellama-70b": "codellama-70b",
    "sagemaker/codellama-70b": "codellama-70b",
    "starcoder2-15b": "starcoder2-15b",
    "sagemaker/starcoder2-15b": "starcoder2-15b",
    "deepseek-coder-33b": "deepseek-coder-33b",
    "sagemaker/deepseek-coder-33b": "deepseek-coder-33b",
    "bge-large-en": "bge-large-en",
    "sagemaker/bge-large-en": "bge-large-en",
    "bge-m3": "bge-m3",
    "sagemaker/bge-m3": "bge-m3",
    "e5-mistral-7b": "e5-mistral-7b",
    "sagemaker/e5-mistral-7b": "e5-mistral-7b",
    "jina-embeddings-v3": "jina-embeddings-v3",
    "sagemaker/jina-embeddings-v3": "jina-embeddings-v3",
    "mxbai-embed-large": "mxbai-embed-large",
    "sagemaker/mxbai-embed-large": "mxbai-embed-large",
    "gte-qwen2-7b": "gte-qwen2-7b",
    "sagemaker/gte-qwen2-7b": "gte-qwen2-7b",
}

SEED001_TOKEN_PRICES: dict[str, tuple[str, str | None]] = {
    "openai-gpt-5-2": ("0.00175", "0.014"),
    "openai-gpt-5-1": ("0.00125", "0.01"),
    "openai-gpt-5-mini": ("0.00025", "0.002"),
    "openai-gpt-5-nano": ("0.00005", "0.0004"),
    "openai-gpt-4-1": ("0.002", "0.008"),
    "openai-gpt-4-1-mini": ("0.0004", "0.0016"),
    "openai-gpt-4-1-nano": ("0.0001", "0.0004"),
    "openai-o3": ("0.002", "0.008"),
    "openai-o3-pro": ("0.02", "0.08"),
    "openai-o4-mini": ("0.0011", "0.0044"),
    "openai-o3-mini": ("0.0011", "0.0044"),
    "openai-gpt-4o": ("0.0025", "0.01"),
    "anthropic-claude-opus-4-5": ("0.005", "0.025"),
    "anthropic-claude-sonnet-4-5": ("0.003", "0.015"),
    "anthropic-claude-haiku-4-5": ("0.001", "0.005"),
    "anthropic-claude-opus-4": ("0.015", "0.075"),
    "anthropic-claude-sonnet-4": ("0.003", "0.015"),
    "anthropic-claude-haiku-35": ("0.0008", "0.004"),
    "google-gemini-3-pro": ("0.002", "0.012"),
    "google-gemini-3-flash": ("0.0005", "0.003"),
    "google-gemini-25-pro": ("0.00125", "0.01"),
    "google-gemini-25-flash": ("0.0003", "0.0025"),
    "google-gemini-25-flash-lite": ("0.0001", "0.0004"),
    "google-gemini-2-flash": ("0.0001", "0.0004"),
    "xai-grok-4": ("0.003", "0.015"),
    "xai-grok-4-1-fast": ("0.0002", "0.0005"),
    "xai-grok-4-fast": ("0.0002", "0.0005"),
    "xai-grok-3": ("0.003", "0.015"),
    "xai-grok-3-mini": ("0.0003", "0.0005"),
    "xai-grok-2": ("0.002", "0.01"),
    "deepseek-chat": ("0.00028", "0.00042"),
    "deepseek-reasoner": ("0.00028", "0.00042"),
    "mistral-large": ("0.002", "0.006"),
    "mistral-medium": ("0.0004", "0.002"),
    "mistral-small": ("0.0001", "0.0003"),
    "mistral-pixtral-large": ("0.002", "0.006"),
    "mistral-codestral": ("0.0002", "0.0006"),
    "mistral-magistral-medium": ("0.001", "0.003"),
    "cohere-command-r-plus": ("0.0025", "0.01"),
    "cohere-command-r": ("0.00015", "0.0006"),
    "cohere-embed-v4": ("0.0001", "0"),
    "perplexity-sonar-huge": ("0.005", "0.005"),
    "perplexity-sonar-pro": ("0.003", "0.015"),
    "perplexity-sonar": ("0.001", "0.001"),
    "openai-tts-1": ("0.015", None),
    "openai-tts-1-hd": ("0.030", None),
    "elevenlabs-multilingual-v2": ("0.18", None),
    "elevenlabs-turbo-v2-5": ("0.09", None),
    "openai-text-embedding-3-small": ("0.00002", None),
    "openai-text-embedding-3-large": ("0.00013", None),
    "voyage-3": ("0.00006", None),
    "voyage-code-3": ("0.00006", None),
}

#: The first model table's prices, already per 1M tokens: model id -> (platform, input, output).
SEED000_PRICES: dict[str, tuple[str, str, str]] = {
    "gpt-4o-mini": ("direct", "0.15", "0.60"),
    "o1": ("direct", "15.00", "60.00"),
    "o1-pro": ("direct", "150.00", "600.00"),
    "gpt-4o-realtime": ("direct", "5.00", "20.00"),
    "gemini-2.0-pro": ("direct", "1.25", "5.00"),
    "gemini-2.0-ultra": ("direct", "5.00", "15.00"),
    "gemini-2.0-pro-exp": ("direct", "2.50", "10.00"),
    "grok-3-fast": ("direct", "1.00", "5.00"),
    "grok-2-vision": ("direct", "2.00", "10.00"),
    "grok-2-mini": ("direct", "0.20", "1.00"),
    "grok-coder": ("direct", "1.50", "7.50"),
    "grok-analyst": ("direct", "2.00", "10.00"),
    "grok-embed": ("direct", "0.10", "0"),
    "grok-realtime": ("direct", "5.00", "20.00"),
    "mistral-large-2": ("direct", "2.00", "6.00"),
    "claude-4-opus-agents": ("direct", "15.00", "75.00"),
    "qwen-2.5-coder": ("together", "0.30", "0.90"),
    "llama-3.3-70b": ("together", "0.88", "0.88"),
    "phi-4": ("azure_openai", "0.07", "0.14"),
}

#: Per-unit prices: (model id, platform, price field, value in the source's unit).
UNIT_PRICES: tuple[tuple[str, str, str, str], ...] = (
    # per_image / per_second / per_minute / per_request
    ("openai-dall-e-3", "direct", "per_image", "0.04"),
    ("openai-dall-e-3-hd", "direct", "per_image", "0.08"),
    ("stability-sdxl", "direct", "per_image", "0.002"),
    ("stability-sd3-large", "direct", "per_image", "0.065"),
    ("flux-pro-11", "replicate", "per_image", "0.04"),
    ("flux-schnell", "replicate", "per_image", "0.003"),
    ("ideogram-v2-turbo", "direct", "per_image", "0.05"),
    ("midjourney-v6", "direct", "per_image", "0.10"),
    ("runway-gen3-alpha", "direct", "per_second", "0.10"),
    ("luma-dream-machine", "direct", "per_second", "0.032"),
    ("pika-v2", "fal", "per_second", "0.02"),
    ("kling-v15-pro", "direct", "per_second", "0.025"),
    ("google-veo-2", "direct", "per_second", "0.04"),
    ("openai-whisper-1", "direct", "per_minute", "0.006"),
    ("deepgram-nova-2", "direct", "per_minute", "0.0043"),
    ("deepgram-nova-2-medical", "direct", "per_minute", "0.0079"),
    ("assemblyai-best", "direct", "per_minute", "0.0062"),
    ("exa-search", "direct", "per_request", "0.001"),
    ("tavily-search", "direct", "per_request", "0.001"),
    ("meshy-v3", "direct", "per_request", "0.20"),
    ("meshy-v3-turbo", "direct", "per_request", "0.05"),
    ("tripo-v2", "direct", "per_request", "0.10"),
    # surcharges
    ("xai-grok-4", "direct", "per_tool_call", "0.005"),
    ("xai-grok-2", "direct", "per_tool_call", "0.005"),
    ("perplexity-sonar-huge", "direct", "per_search_request", "0.005"),
    ("perplexity-sonar-pro", "direct", "per_search_request", "0.005"),
    ("perplexity-sonar", "direct", "per_search_request", "0.005"),
    # self-hosted (the hourly rate and the per-unit price of the source)
    ("efficientnet-b0", "self_hosted", "per_hour", "1.30"),
    ("efficientnet-b0", "self_hosted", "per_image", "0.001"),
    ("sam-2", "self_hosted", "per_image", "0.008"),
    ("whisper-large-v3", "self_hosted", "per_hour", "2.66"),
    ("whisper-large-v3", "self_hosted", "per_minute", "0.006"),
    ("speecht5-tts", "self_hosted", "per_minute", "0.004"),
    ("alphafold2", "self_hosted", "per_hour", "14.28"),
    ("alphafold2", "self_hosted", "per_request", "2.50"),
    ("rosettafold2", "self_hosted", "per_hour", "57.35"),
    ("rosettafold2", "self_hosted", "per_request", "5.00"),
    ("monai-vista3d", "self_hosted", "per_image", "0.10"),
    ("prithvi-600m", "self_hosted", "per_image", "0.05"),
    ("nerfstudio-nerfacto", "self_hosted", "per_hour", "3.55"),
    ("nerfstudio-nerfacto", "self_hosted", "per_3d_model", "1.00"),
    ("shap-e", "self_hosted", "per_3d_model", "0.25"),
    ("llama-3.3-70b", "self_hosted", "per_hour", "35.63"),
    ("llama-3.3-70b", "self_hosted", "per_request", "0.05"),
    ("bge-large-en", "self_hosted", "per_request", "0.0005"),
    ("gte-qwen2-7b", "self_hosted", "per_request", "0.002"),
)

#: $/1K extras: (model id, price field, value per 1K).
SEED001_EXTRAS_PER_1K: tuple[tuple[str, str, str], ...] = (
    ("openai-gpt-5-2", "cached_input_per_1m", "0.000175"),
    ("anthropic-claude-opus-4-5", "cached_input_per_1m", "0.0005"),
    ("anthropic-claude-sonnet-4-5", "long_context_input_per_1m", "0.006"),
    ("anthropic-claude-sonnet-4-5", "long_context_output_per_1m", "0.0225"),
    ("google-gemini-3-pro", "long_context_output_per_1m", "0.018"),
    ("google-gemini-25-pro", "long_context_input_per_1m", "0.0025"),
    ("deepseek-chat", "cached_input_per_1m", "0.000028"),
    ("deepseek-reasoner", "cached_input_per_1m", "0.000028"),
)

#: Models sold with a batch discount of 0.5.
BATCH_MODELS: tuple[str, ...] = (
    "openai-gpt-5-2",
    "anthropic-claude-opus-4-5",
    "anthropic-claude-sonnet-4-5",
    "anthropic-claude-haiku-4-5",
)

#: Anthropic models listed by name only: Anthropic's list prices per 1M.
LEGACY_ANTHROPIC_PRICES: dict[str, tuple[str, str]] = {
    "anthropic-claude-3-opus": ("15", "75"),
    "anthropic-claude-3-sonnet": ("3", "15"),
    "anthropic-claude-3-haiku": ("0.25", "1.25"),
    "anthropic-claude-3-5-sonnet": ("3", "15"),
}

#: The LiteLLM config's gemini-1.5-pro, $ per token.
GEMINI_15_PRO_PER_TOKEN = ("0.00000125", "0.000005")

#: Merged models: another source's differing value, kept in notes (model id, source, text).
MERGE_NOTES: tuple[tuple[str, str, str], ...] = (
    ("anthropic-claude-haiku-35", "seed 000", "$0.25/$1.25 per 1M"),
    ("google-gemini-2-flash", "seed 000", "$0.075/$0.30 per 1M"),
    ("xai-grok-3-mini", "seed 000", "$0.30/$1.50 per 1M"),
    ("xai-grok-3-mini", "seed 000", "maxOutputTokens 4096"),
    ("deepseek-chat", "seed 000", "$0.14/$0.28 per 1M"),
    ("deepseek-chat", "seed 001 LiteLLM config", "$0.27/$1.10 per 1M"),
    ("deepseek-reasoner", "seed 000", "$0.55/$2.19 per 1M"),
    ("mistral-small", "seed 001 LiteLLM config", "$0.20/$0.60 per 1M"),
    ("anthropic-claude-opus-4", "seed 001 LiteLLM config", "max_tokens 32000"),
    ("perplexity-sonar", "seed 001 search.providers", "context window 128000"),
    ("mistral-codestral", "seed 000", "contextWindow 32000"),
)

#: Every provider of the original provider tables and definitions, plus the additions.
PROVIDERS: tuple[str, ...] = (
    # the provider definitions
    "openai",
    "anthropic",
    "google",
    "xai",
    "deepseek",
    "mistral",
    "cohere",
    "perplexity",
    "openai-images",
    "stability",
    "flux",
    "ideogram",
    "midjourney",
    "runway",
    "luma",
    "pika",
    "kling",
    "veo",
    "openai-audio",
    "elevenlabs",
    "deepgram",
    "assemblyai",
    "openai-embeddings",
    "voyage",
    "exa",
    "tavily",
    "meshy",
    "tripo",
    # the provider table (the rest)
    "together",
    "fireworks",
    "groq",
    "replicate",
    "huggingface",
    "bedrock",
    "azure_openai",
    "vertex_ai",
    # the self-hosted provider, and model makers
    "self_hosted",
    "meta",
    "alibaba",
    "microsoft",
)

PLATFORMS: tuple[str, ...] = (
    "direct",
    "openrouter",
    "local",
    "bedrock",
    "vertex_ai",
    "azure_openai",
    "together",
    "fireworks",
    "groq",
    "replicate",
    "huggingface",
    "self_hosted",
)

SELF_HOSTED_COUNT = 56  # the self-hosted models the catalog lists

# --------------------------------------------------------------------------- helpers


@cache
def catalog() -> Catalog:
    return load_catalog()


def route(model_id: str, platform_id: str) -> Route:
    return catalog().routes[f"{model_id}@{platform_id}"]


def price(model_id: str, platform_id: str) -> PriceSheet:
    sheet = route(model_id, platform_id).price
    assert sheet is not None, f"{model_id}@{platform_id} has no price"
    return sheet


def per_1m(per_1k: str) -> Decimal:
    return Decimal(per_1k) * 1000


# --------------------------------------------------------------------------- 1. loading


def test_catalog_loads() -> None:
    cat = catalog()
    assert cat.name == "radiant-builtin"
    assert cat.models and cat.routes


def test_self_hosted_models_count() -> None:
    hosted = {r.model_id for r in catalog().routes.values() if r.platform_id == "self_hosted"}
    assert len(hosted) == SELF_HOSTED_COUNT


def test_every_seed_001_model_exists() -> None:
    assert len(set(SEED001_IDS)) == 79
    missing = [mid for mid in SEED001_IDS if mid not in catalog().models]
    assert missing == []


# --------------------------------------------------------------------------- 2. names


def test_every_seed_name_resolves() -> None:
    lookup = {
        alias.casefold(): model.id for model in catalog().models.values() for alias in model.names()
    }
    wrong = {
        name: (lookup.get(name.casefold()), expected)
        for name, expected in EXPECTED_NAMES.items()
        if lookup.get(name.casefold()) != expected
    }
    assert wrong == {}


def test_dall_e_3_hd_uses_the_dall_e_3_string() -> None:
    assert "dall-e-3" in catalog().models["openai-dall-e-3"].aliases
    assert "dall-e-3" not in catalog().models["openai-dall-e-3-hd"].aliases
    assert route("openai-dall-e-3-hd", "direct").model_string == "dall-e-3"


# --------------------------------------------------------------------------- 3. prices


def test_seed_001_token_prices() -> None:
    for model_id, (inp, out) in SEED001_TOKEN_PRICES.items():
        sheet = price(model_id, "direct")
        assert sheet.pricing_type.value == "per_token", model_id
        assert sheet.input_per_1m == per_1m(inp), model_id
        expected_out = None if out is None else per_1m(out)
        assert sheet.output_per_1m == expected_out, model_id


def test_exact_decimal_conversion() -> None:
    assert price("openai-gpt-5-2", "direct").input_per_1m == Decimal("1.75")
    assert price("deepseek-chat", "direct").cached_input_per_1m == Decimal("0.028")
    assert price("openai-text-embedding-3-small", "direct").input_per_1m == Decimal("0.02")


def test_seed_001_extras() -> None:
    for model_id, field, per_1k in SEED001_EXTRAS_PER_1K:
        assert getattr(price(model_id, "direct"), field) == per_1m(per_1k), (model_id, field)
    assert price("anthropic-claude-sonnet-4-5", "direct").long_context_threshold == 200000


def test_batch_prices() -> None:
    for model_id in BATCH_MODELS:
        sheet = price(model_id, "direct")
        inp, out = SEED001_TOKEN_PRICES[model_id]
        assert out is not None
        assert sheet.batch_input_per_1m == per_1m(inp) * Decimal("0.5"), model_id
        assert sheet.batch_output_per_1m == per_1m(out) * Decimal("0.5"), model_id


def test_seed_000_prices() -> None:
    for model_id, (platform, inp, out) in SEED000_PRICES.items():
        sheet = price(model_id, platform)
        assert sheet.input_per_1m == Decimal(inp), model_id
        assert sheet.output_per_1m == Decimal(out), model_id


def test_unit_prices() -> None:
    for model_id, platform, field, value in UNIT_PRICES:
        assert getattr(price(model_id, platform), field) == Decimal(value), (model_id, field)


def test_other_prices() -> None:
    for model_id, (inp, out) in LEGACY_ANTHROPIC_PRICES.items():
        sheet = price(model_id, "direct")
        assert (sheet.input_per_1m, sheet.output_per_1m) == (Decimal(inp), Decimal(out))
    gemini = price("gemini-1.5-pro", "direct")
    inp, out = GEMINI_15_PRO_PER_TOKEN
    assert gemini.input_per_1m == Decimal(inp) * 1000000
    assert gemini.output_per_1m == Decimal(out) * 1000000


def test_estimated_routes_copy_the_direct_price() -> None:
    copies = [
        ("anthropic-claude-opus-4-5", "bedrock"),
        ("anthropic-claude-sonnet-4-5", "vertex_ai"),
        ("openai-gpt-5-nano", "openrouter"),
        ("openai-gpt-5-nano", "azure_openai"),
    ]
    for model_id, platform in copies:
        copy, direct = price(model_id, platform), price(model_id, "direct")
        assert copy.is_estimated and not direct.is_estimated
        assert copy.prices() == direct.prices()
    priorities = {
        r.platform_id: r.priority
        for r in catalog().routes.values()
        if r.model_id == "openai-gpt-5-nano"
    }
    assert priorities == {"direct": 1, "openrouter": 2, "azure_openai": 3}


# --------------------------------------------------------------------------- 4. merges


def test_merged_models_keep_the_other_value_in_notes() -> None:
    for model_id, seed, text in MERGE_NOTES:
        notes = catalog().models[model_id].notes
        assert any(seed in note and text in note for note in notes), (model_id, text)


def test_llama_is_one_model_on_two_platforms() -> None:
    llama = catalog().models["llama-3.3-70b"]
    assert llama.provider_id == "meta"
    assert llama.license == "Llama-3.3"
    assert route("llama-3.3-70b", "together").price is not None
    assert route("llama-3.3-70b", "self_hosted").self_hosted is not None


# --------------------------------------------------------------------------- 5. providers


def test_providers_exist() -> None:
    missing = [pid for pid in PROVIDERS if pid not in catalog().providers]
    assert missing == []


def test_platforms_exist() -> None:
    missing = [pid for pid in PLATFORMS if pid not in catalog().platforms]
    assert missing == []
