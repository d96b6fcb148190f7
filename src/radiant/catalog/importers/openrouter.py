"""OpenRouter's ``GET /api/v1/models`` response: ``{"data": [...]}``.

Prices are strings in USD per token (``pricing.prompt``, ``completion``,
``input_cache_read``, ``input_cache_write``, ``internal_reasoning``, ``audio``) or per unit
(``request``, ``image``, ``web_search``), read as the decimals they spell. ``-1`` marks a
price OpenRouter does not know (its router models, which are not models): such entries are
skipped. Every entry is on the ``openrouter`` platform; its id is ``vendor/model`` (what
OpenRouter calls it), ``:free`` a free endpoint of a model, ``~vendor/...-latest`` a moving
pointer. ``knowledge_cutoff``, ``created`` (the release), ``expiration_date`` (the
deprecation date), ``hugging_face_id`` (open weights) and ``supported_parameters``
(``tools``: function calling, ``reasoning``, ``structured_outputs``) are model facts; a
parameter OpenRouter does not list is a capability it denies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
from radiant.catalog.importers.platforms import service_facts
from radiant.domain import PriceSheet, PricingType
from radiant.domain.enums import CostSource

__all__ = ["NAME", "import_openrouter"]

NAME = "openrouter"

_PER_TOKEN = {
    "prompt": "input_per_1m",
    "completion": "output_per_1m",
    "input_cache_read": "cached_input_per_1m",
    "input_cache_write": "cache_write_per_1m",
    "internal_reasoning": "reasoning_per_1m",
    "audio": "audio_input_per_1m",
}
_PER_UNIT = {"request": "per_request", "image": "per_image", "web_search": "per_search_request"}
_PARAMETERS = {
    "tools": "function_calling",
    "reasoning": "reasoning",
    "structured_outputs": "structured_output",
    "response_format": "json_mode",
    "web_search_options": "web_search",
}


def import_openrouter(document: Any, location: str = "") -> ImportResult:
    result = ImportResult(NAME, location)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        result.skip("(document)", 'not an object with a "data" list')
        return result
    result.services["openrouter"] = service_facts(
        ("openrouter", None), name="OpenRouter", source=f"{NAME}:api/v1/models"
    )
    for index, spec in enumerate(data):
        key = spec.get("id") if isinstance(spec, dict) else None
        if not isinstance(key, str) or not key:
            result.skip(f"data[{index}]", "entry without an id")
            continue
        entry = _entry(key, spec, result)
        if entry is not None:
            result.imported.append(entry)
    return result


def _entry(key: str, spec: dict[str, Any], result: ImportResult) -> ImportedEntry | None:
    pricing = spec.get("pricing")
    pricing = pricing if isinstance(pricing, dict) else {}
    if any(str(v).strip() == "-1" for v in pricing.values()):
        result.skip(key, "price decided per request (a router, not a model)")
        return None
    flags: list[str] = []
    sheet: PriceSheet | None = None
    unmapped: tuple[str, ...] = ()
    try:
        sheet, unmapped = _sheet(pricing)
    except (ValueError, PydanticValidationError) as exc:
        flags.append(f"bad price: {first_error_line(exc)}")
    vendor, _, name = key.lstrip("~").partition("/")
    arch = mapping(spec.get("architecture"))
    top = mapping(spec.get("top_provider"))
    raw_params = spec.get("supported_parameters")
    params = [p for p in raw_params if isinstance(p, str)] if isinstance(raw_params, list) else []
    expires = parse_date(spec.get("expiration_date"))
    slug = spec.get("canonical_slug")
    inputs = strings(arch.get("input_modalities"))
    outputs = strings(arch.get("output_modalities"))
    capabilities = tuple(cap for param, cap in _PARAMETERS.items() if param in params)
    denied = tuple(cap for param, cap in _PARAMETERS.items() if params and param not in params)
    return ImportedEntry(
        source=NAME,
        source_key=key,
        source_provider=vendor,
        platform="openrouter",
        provider=None,
        model_name=key,
        mode=_mode(outputs),
        price=sheet,
        context_window=int_or_none(spec.get("context_length"))
        or int_or_none(top.get("context_length")),
        max_input_tokens=None,
        max_output_tokens=int_or_none(top.get("max_completion_tokens")),
        input_modalities=inputs,
        output_modalities=outputs,
        capabilities=capabilities + (("vision",) if "image" in inputs else ()),
        denied=denied,
        deprecation_date=expires,
        deprecated=False,
        unmapped_prices=unmapped,
        other_names=tuple(n for n in (slug,) if isinstance(n, str) and n and n != key),
        vendor=vendor if name else None,
        display_name=_display(spec.get("name")),
        release_date=_created(spec.get("created")),
        knowledge_cutoff=parse_date(spec.get("knowledge_cutoff")),
        open_weights=True if spec.get("hugging_face_id") else None,
        flags=tuple(flags),
    )


def _mode(outputs: tuple[str, ...]) -> str:
    if outputs and "text" not in outputs:
        if "image" in outputs:
            return "image_generation"
        if "audio" in outputs:
            return "audio_speech"
        if "embeddings" in outputs or "embedding" in outputs:
            return "embedding"
    return "chat"


def _display(value: Any) -> str | None:
    """``Anthropic: Claude Opus 4.7`` without the vendor's name in front."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.partition(": ")[2].strip() or value.strip()


def _created(value: Any) -> date | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def _sheet(pricing: dict[str, Any]) -> tuple[PriceSheet | None, tuple[str, ...]]:
    values: dict[str, Decimal] = {}
    unmapped: list[str] = []
    for name, raw in pricing.items():
        value = decimal_or_none(raw)
        if value is None:
            continue
        if name in _PER_TOKEN:
            values[_PER_TOKEN[name]] = money(value.scaleb(6))
        elif name in _PER_UNIT:
            if value:
                values[_PER_UNIT[name]] = money(value)
        elif value:
            unmapped.append(name)
    if "input_per_1m" in values or "output_per_1m" in values:
        kind = PricingType.PER_TOKEN
        if values.pop("per_image", None) is not None:  # an input image, not an output
            unmapped.append("image")
    elif "per_image" in values:
        kind = PricingType.PER_IMAGE
    elif "per_request" in values:
        kind = PricingType.PER_REQUEST
    else:
        return None, tuple(unmapped)
    sheet = PriceSheet(pricing_type=kind, source=CostSource.IMPORTED_CATALOG, **values)
    return sheet, tuple(sorted(unmapped))
