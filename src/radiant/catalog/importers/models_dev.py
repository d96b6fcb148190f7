"""models.dev's ``api.json``: ``{provider: {id, name, env, doc, models: {id: {...}}}}``.

Costs are USD per 1M tokens already (``cost.input``, ``output``, ``cache_read``,
``cache_write``, ``reasoning``, ``input_audio``, ``output_audio``; ``tiers[]`` with a
``tier.size`` context threshold; ``image`` and ``request`` per unit). Limits are
``limit.context/input/output``; ``status: deprecated`` marks a deprecated model.
"""

from __future__ import annotations

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
from radiant.catalog.importers.platforms import MODELS_DEV_PLATFORMS
from radiant.domain import PriceSheet, PricingType
from radiant.domain.enums import CostSource

__all__ = ["NAME", "import_models_dev"]

NAME = "models-dev"

_COST_FIELDS = {
    "input": "input_per_1m",
    "output": "output_per_1m",
    "cache_read": "cached_input_per_1m",
    "cached_input": "cached_input_per_1m",
    "cache_input": "cached_input_per_1m",
    "cache_write": "cache_write_per_1m",
    "cached_write": "cache_write_per_1m",
    "reasoning": "reasoning_per_1m",
    "input_audio": "audio_input_per_1m",
    "output_audio": "audio_output_per_1m",
    "image": "per_image",
    "request": "per_request",
}
_TIER_FIELDS = {"input": "long_context_input_per_1m", "output": "long_context_output_per_1m"}
_IGNORED = {"tiers", "context_over_200k"}  # read through ``tiers``
_FLAGS = {
    "attachment": "attachment",
    "reasoning": "reasoning",
    "tool_call": "function_calling",
    "structured_output": "structured_output",
    "temperature": "temperature",
    "open_weights": "open_weights",
}


def import_models_dev(document: Any, location: str = "") -> ImportResult:
    result = ImportResult(NAME, location)
    if not isinstance(document, dict):
        result.skip("(document)", "not a JSON object keyed by provider")
        return result
    for provider_id, provider in document.items():
        models = provider.get("models") if isinstance(provider, dict) else None
        if not isinstance(models, dict):
            result.skip(provider_id, "provider without a models object")
            continue
        target = MODELS_DEV_PLATFORMS.get(provider_id)
        for model_id, spec in models.items():
            key = f"{provider_id}/{model_id}"
            if target is None:
                result.skip(key, f"provider not mapped to a platform: {provider_id}")
            elif not isinstance(spec, dict):
                result.skip(key, "not an object")
            else:
                entry = _entry(key, provider_id, model_id, spec, target, result)
                if entry is not None:
                    result.imported.append(entry)
    return result


def _entry(
    key: str,
    provider_id: str,
    model_id: str,
    spec: dict[str, Any],
    target: tuple[str, str | None],
    result: ImportResult,
) -> ImportedEntry | None:
    cost = spec.get("cost")
    if not isinstance(cost, dict) or not cost:
        result.skip(key, "no price")
        return None
    try:
        sheet, unmapped = _sheet(cost)
    except (ValueError, PydanticValidationError) as exc:
        result.skip(key, f"bad price: {first_error_line(exc)}")
        return None
    if sheet is None:
        result.skip(key, "no price")
        return None
    limit = mapping(spec.get("limit"))
    modalities = mapping(spec.get("modalities"))
    status = spec.get("status")
    return ImportedEntry(
        source=NAME,
        source_key=key,
        source_provider=provider_id,
        platform=target[0],
        provider=target[1],
        model_name=model_id,
        mode=None,
        price=sheet,
        context_window=int_or_none(limit.get("context")),
        max_input_tokens=int_or_none(limit.get("input")),
        max_output_tokens=int_or_none(limit.get("output")),
        input_modalities=strings(modalities.get("input")),
        output_modalities=strings(modalities.get("output")),
        capabilities=tuple(cap for flag, cap in _FLAGS.items() if spec.get(flag) is True),
        deprecation_date=None,
        deprecated=status == "deprecated",
        unmapped_prices=unmapped,
        other_names=(),
    )


def _sheet(cost: dict[str, Any]) -> tuple[PriceSheet | None, tuple[str, ...]]:
    values: dict[str, Any] = {}
    unmapped: list[str] = []
    for name, raw in cost.items():
        if name in _IGNORED:
            continue
        field = _COST_FIELDS.get(name)
        if field is None or isinstance(raw, dict | list):
            unmapped.append(name)
            continue
        value = decimal_or_none(raw)
        if value is not None:
            values.setdefault(field, value)
    _tiers(cost.get("tiers"), values, unmapped)
    if "input_per_1m" in values or "output_per_1m" in values:
        kind = PricingType.PER_TOKEN
    elif "per_image" in values:
        kind = PricingType.PER_IMAGE
    elif "per_request" in values:
        kind = PricingType.PER_REQUEST
    else:
        return None, tuple(sorted(set(unmapped)))
    data = {k: (money(v) if isinstance(v, Decimal) else v) for k, v in values.items()}
    sheet = PriceSheet(pricing_type=kind, source=CostSource.IMPORTED_CATALOG, **data)
    return sheet, tuple(sorted(set(unmapped)))


def _tiers(tiers: Any, values: dict[str, Any], unmapped: list[str]) -> None:
    """The smallest context tier becomes the long-context price; others are named."""
    if not isinstance(tiers, list):
        return
    sized = []
    for tier in tiers:
        info = tier.get("tier") if isinstance(tier, dict) else None
        size = int_or_none(info.get("size")) if isinstance(info, dict) else None
        kind = info.get("type", "context") if isinstance(info, dict) else None
        if size is None or kind != "context":
            unmapped.append("tiers")
            continue
        sized.append((size, tier))
    if not sized:
        return
    sized.sort(key=lambda pair: pair[0])
    size, tier = sized[0]
    found = False
    for name, field in _TIER_FIELDS.items():
        value = decimal_or_none(tier.get(name))
        if value is not None:
            values[field] = value
            found = True
    if found:
        values["long_context_threshold"] = size
    unmapped.extend(f"tier above {s} tokens" for s, _ in sized[1:])


_ = parse_date  # models.dev dates are release and update dates, not deprecation dates
