"""LiteLLM's model cost map (``model_prices_and_context_window.json``).

One JSON object keyed by model. ``litellm_provider`` names the service (see
:mod:`~radiant.catalog.importers.platforms`); the key is ``[variant/][prefix/][region/]name``:
the prefix is LiteLLM's route to the service (``vertex_ai/``, ``deepinfra/``), a region
is Azure's ``eu/`` or a Bedrock region (``us-east-1/``), a variant is an image size or
quality (``1024-x-1024/50-steps/``, ``hd/``) or a Bedrock capacity commitment
(``1-month-commitment/``). What is left is what the platform calls the model.

Prices are USD per token (or per image, second, character, request); tiers live in the key
names: ``*_above_200k_tokens`` (long context, with its threshold), ``*_batches``,
``*_priority``, ``*_flex``, ``cache_read_input_token_cost``,
``cache_creation_input_token_cost``. Per-token prices become per 1M tokens exactly (the
JSON is read with Decimal numbers, so a price is the decimal of the file's own text).
Per-character prices of text-to-speech land in ``input_per_1m`` as the price of 1M
characters (``price_unit="character"``), the unit the registry prices speech in; per-
character prices of any other model stay per character (``per_character``), never passed
off as token prices. An entry without a usable price is still imported, unpriced (a bad
price is named in its ``flags``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from radiant.catalog.importers.base import (
    ImportedEntry,
    ImportResult,
    decimal_or_none,
    first_error_line,
    int_or_none,
    mapping,
    money,
    parse_date,
    strings,
)
from radiant.catalog.importers.names import BEDROCK_REGIONS
from radiant.catalog.importers.platforms import (
    LITELLM_PLATFORMS,
    Target,
    litellm_platform,
    service_facts,
)
from radiant.domain import PriceSheet, PricingType
from radiant.domain.enums import CostSource

__all__ = ["NAME", "import_litellm", "split_key"]

NAME = "litellm"

_TIER = re.compile(
    r"^(?P<base>.+?)(?:_above_(?P<k>\d+)k_tokens)?(?:_(?P<mode>batches|priority|flex))?$"
)

#: (base key, tier mode) -> price sheet field; values are per token, stored per 1M tokens
_PER_TOKEN: dict[tuple[str, str | None], str] = {
    ("input_cost_per_token", None): "input_per_1m",
    ("output_cost_per_token", None): "output_per_1m",
    ("cache_read_input_token_cost", None): "cached_input_per_1m",
    ("cache_creation_input_token_cost", None): "cache_write_per_1m",
    ("input_cost_per_token", "batches"): "batch_input_per_1m",
    ("output_cost_per_token", "batches"): "batch_output_per_1m",
    ("input_cost_per_token", "priority"): "priority_input_per_1m",
    ("output_cost_per_token", "priority"): "priority_output_per_1m",
    ("input_cost_per_token", "flex"): "flex_input_per_1m",
    ("output_cost_per_token", "flex"): "flex_output_per_1m",
    ("output_cost_per_reasoning_token", None): "reasoning_per_1m",
    ("input_cost_per_audio_token", None): "audio_input_per_1m",
    ("output_cost_per_audio_token", None): "audio_output_per_1m",
}
_LONG_CONTEXT = {
    "input_cost_per_token": "long_context_input_per_1m",
    "output_cost_per_token": "long_context_output_per_1m",
}
#: keys priced per unit, taken as they are
_PER_UNIT = {
    "output_cost_per_image": "per_image",
    "input_cost_per_request": "per_request",
    "input_cost_per_query": "per_request",
}
_CAPABILITIES = {
    "supports_vision": "vision",
    "supports_function_calling": "function_calling",
    "supports_parallel_function_calling": "parallel_function_calling",
    "supports_reasoning": "reasoning",
    "supports_prompt_caching": "prompt_caching",
    "supports_response_schema": "structured_output",
    "supports_web_search": "web_search",
    "supports_audio_input": "audio_input",
    "supports_audio_output": "audio_output",
    "supports_pdf_input": "pdf_input",
    "supports_computer_use": "computer_use",
    "supports_system_messages": "system_messages",
    "supports_tool_choice": "tool_choice",
}
_NOT_MODELS = {
    "sample_spec": "documentation of the format, not a model",
    "fallback_generalizations": "routing rules, not a model",
}
#: ``fireworks-ai-up-to-4b``, ``together-ai-21.1b-41b``: prices by model size
_BAND = re.compile(r"^(fireworks-ai|together-ai)-")
#: first key segments that are LiteLLM's route to a service, not part of the name
_PREFIXES = frozenset(
    {name.replace("_", "-") for name in LITELLM_PLATFORMS}
    | {"vertex-ai", "bedrock", "azure", "gemini", "amazon-nova", "fireworks-ai", "together-ai"}
)
_SIZE = re.compile(r"^(?:\d+|max)-x-(?:\d+|max)$|^(?:\d+|max)-steps$")
_QUALITY = frozenset({"hd", "standard", "low", "medium", "high"})
_AZURE_REGIONS = frozenset(
    {"us", "eu", "global", "global-standard", "us-gov", "apac", "data-zone", "datazone"}
)
_AWS_REGION = re.compile(r"^(?:[a-z]{2}(?:-gov)?-[a-z]+-\d|\*)$")
_COMMITMENT = re.compile(r"^\d+-month-commitment$|^claude_platform$|^invoke$")
_MILLION = 6


def import_litellm(document: Any, location: str = "") -> ImportResult:
    """Every entry of the cost map, imported or skipped with its reason."""
    result = ImportResult(NAME, location)
    if not isinstance(document, dict):
        result.skip("(document)", "not a JSON object keyed by model")
        return result
    for key, spec in document.items():
        reason = _NOT_MODELS.get(key)
        if reason is not None:
            result.skip(key, reason)
        elif not isinstance(spec, dict):
            result.skip(key, "not an object")
        else:
            entry = _entry(key, spec, result)
            if entry is not None:
                result.imported.append(entry)
    return result


def _entry(key: str, spec: dict[str, Any], result: ImportResult) -> ImportedEntry | None:
    provider = spec.get("litellm_provider")
    if not isinstance(provider, str) or not provider or " " in provider:
        result.skip(key, "no litellm_provider")
        return None
    if _BAND.match(key) and "/" not in key:
        result.skip(key, "a price band for models by size, not a model")
        return None
    target = litellm_platform(provider)
    platform, our_provider = target
    _remember_service(result, target, provider)
    mode = spec.get("mode") if isinstance(spec.get("mode"), str) else None
    flags: list[str] = []
    try:
        sheet, unmapped, unit, per_character = _sheet(spec, mode)
    except (ValueError, PydanticValidationError) as exc:
        sheet, unmapped, unit, per_character = None, (), "token", ()
        flags.append(f"bad price: {first_error_line(exc)}")
    call, region, variant = split_key(key, provider, platform)
    deprecation = parse_date(spec.get("deprecation_date"))
    max_input = int_or_none(spec.get("max_input_tokens"))
    meta = mapping(spec.get("metadata"))
    successor = meta.get("successor")
    return ImportedEntry(
        source=NAME,
        source_key=key,
        source_provider=provider,
        platform=platform,
        provider=our_provider,
        model_name=call,
        mode=mode,
        price=sheet,
        context_window=max_input,
        max_input_tokens=max_input,
        max_output_tokens=None
        if mode == "embedding"
        else int_or_none(spec.get("max_output_tokens")),
        input_modalities=strings(spec.get("supported_modalities")),
        output_modalities=strings(spec.get("supported_output_modalities")),
        capabilities=tuple(cap for flag, cap in _CAPABILITIES.items() if spec.get(flag) is True),
        denied=tuple(cap for flag, cap in _CAPABILITIES.items() if spec.get(flag) is False),
        deprecation_date=deprecation,
        deprecated=False,
        unmapped_prices=unmapped,
        other_names=(key,) if call != key else (),
        region=region,
        variant=variant,
        successor=successor if isinstance(successor, str) and successor else None,
        embedding_dimensions=int_or_none(spec.get("output_vector_size")),
        per_character=per_character,
        price_unit=unit,
        flags=tuple(flags),
    )


def _remember_service(result: ImportResult, target: Target, provider: str) -> None:
    platform, our_provider = target
    key = platform if platform != "direct" else f"direct:{our_provider}"
    if key not in result.services:
        result.services[key] = service_facts(target, name=provider, source=f"{NAME}:{provider}")


def split_key(key: str, provider: str, platform: str) -> tuple[str, str | None, str | None]:
    """``(what the platform calls it, region, variant)`` of a cost-map key."""
    parts = key.split("/")
    variant: list[str] = []
    region = None
    while len(parts) > 1 and (_SIZE.match(parts[0]) or parts[0] in _QUALITY):
        variant.append(parts.pop(0))
    own = {provider.replace("_", "-"), platform.replace("_", "-")}
    if len(parts) > 1 and (parts[0].replace("_", "-") in own | _PREFIXES):
        parts.pop(0)
    while len(parts) > 1:
        head = parts[0]
        if _SIZE.match(head) or head in _QUALITY or _COMMITMENT.match(head):
            variant.append(parts.pop(0))
        elif _is_region(platform, head):
            region = parts.pop(0)
        elif platform == "azure_openai" and head == "speech":
            parts.pop(0)
        else:
            break
    return "/".join(parts), region, "/".join(variant) or None


def _is_region(platform: str, segment: str) -> bool:
    if platform == "azure_openai":
        return segment in _AZURE_REGIONS
    if platform == "bedrock":
        return bool(_AWS_REGION.match(segment)) or segment in BEDROCK_REGIONS
    return False


def _sheet(
    spec: dict[str, Any], mode: str | None
) -> tuple[PriceSheet | None, tuple[str, ...], str, tuple[tuple[str, Decimal], ...]]:
    values: dict[str, Decimal] = {}
    unmapped: list[str] = []
    long_context: dict[int, dict[str, Decimal]] = {}
    for key, raw in spec.items():
        if "cost" not in key or isinstance(raw, dict | list | str):
            if "cost" in key and raw is not None:
                unmapped.append(key)
            continue
        value = decimal_or_none(raw)
        if value is None:
            continue
        if not _place(key, value, values, long_context):
            unmapped.append(key)
    if long_context:
        threshold = min(long_context)
        values.update(long_context.pop(threshold))
        values["long_context_threshold"] = Decimal(threshold)
        unmapped.extend(f"above {k // 1000}k tokens" for k in sorted(long_context))
    _units(spec, mode, values, unmapped)
    notes = None
    unit = "token"
    per_character: tuple[tuple[str, Decimal], ...] = ()
    chars = _characters(spec)
    if chars and mode == "audio_speech" and not _has_tokens(values):
        values.update(chars)
        notes, unit = "input and output priced per 1M characters", "character"
    elif chars and not _has_tokens(values):
        per_character = tuple(sorted((k, money(v)) for k, v in chars.items()))
    elif chars:
        unmapped.extend(k for k in spec if k.endswith("cost_per_character"))
    return _build(values, notes), tuple(sorted(set(unmapped))), unit, per_character


def _has_tokens(values: dict[str, Decimal]) -> bool:
    return "input_per_1m" in values or "output_per_1m" in values


def _place(
    key: str,
    value: Decimal,
    values: dict[str, Decimal],
    long_context: dict[int, dict[str, Decimal]],
) -> bool:
    match = _TIER.match(key)
    if match is None:  # pragma: no cover - the pattern matches every key
        return False
    base, k, tier = match["base"], match["k"], match["mode"]
    if k is None:
        target = _PER_TOKEN.get((base, tier))
        if target is not None:
            values[target] = value.scaleb(_MILLION)
            return True
        if key in _PER_UNIT and _PER_UNIT[key] not in values:
            values[_PER_UNIT[key]] = value
            return True
        return key in (
            "input_cost_per_second",
            "output_cost_per_second",
            "input_cost_per_character",
            "output_cost_per_character",
        )
    field = _LONG_CONTEXT.get(base)
    if field is None or tier is not None:
        return base.endswith("per_character")  # read with the character prices
    long_context.setdefault(int(k) * 1000, {})[field] = value.scaleb(_MILLION)
    return True


def _units(
    spec: dict[str, Any], mode: str | None, values: dict[str, Decimal], unmapped: list[str]
) -> None:
    """Per-second prices: a transcription bills its input, a generation its output."""
    first, second = "output_cost_per_second", "input_cost_per_second"
    if mode == "audio_transcription":
        first, second = second, first
    for key in (first, second):
        value = decimal_or_none(spec.get(key))
        if value is not None and "per_second" not in values:
            values["per_second"] = value
        elif value is not None and values["per_second"] != value:
            unmapped.append(key)
    if mode == "image_generation" and "per_image" not in values:
        value = decimal_or_none(spec.get("input_cost_per_image"))
        if value is not None:
            values["per_image"] = value
            unmapped[:] = [k for k in unmapped if k != "input_cost_per_image"]


def _characters(spec: dict[str, Any]) -> dict[str, Decimal]:
    """Per-character prices, per 1M characters (fields named as the token ones)."""
    found: dict[str, Decimal] = {}
    for key, field in (
        ("input_cost_per_character", "input_per_1m"),
        ("output_cost_per_character", "output_per_1m"),
    ):
        value = decimal_or_none(spec.get(key))
        if value is not None:
            found[field] = value.scaleb(_MILLION)
    return found


def _build(values: dict[str, Decimal], notes: str | None) -> PriceSheet | None:
    if _has_tokens(values):
        kind = PricingType.PER_TOKEN
    elif "per_image" in values:
        kind = PricingType.PER_IMAGE
    elif "per_second" in values:
        kind = PricingType.PER_SECOND
    elif "per_request" in values:
        kind = PricingType.PER_REQUEST
    else:
        return None
    data: dict[str, Any] = {name: money(value) for name, value in values.items()}
    if "long_context_threshold" in data:
        data["long_context_threshold"] = int(values["long_context_threshold"])
    return PriceSheet(pricing_type=kind, source=CostSource.IMPORTED_CATALOG, notes=notes, **data)
