"""models.dev's ``api.json``: ``{provider: {id, name, env, npm, api, doc, models: {id: {...}}}}``.

Each provider is a service (a platform, or a maker's own API): its ``api`` base URL, its
``env`` credential variables and its AI SDK package (``npm``) say how to call it. Each
model entry is one model on that service, under the id the service uses.

Costs are USD per 1M tokens already (``cost.input``, ``output``, ``cache_read``,
``cache_write``, ``reasoning``, ``input_audio``, ``output_audio``; ``tiers[]`` with a
``tier.size`` context threshold; ``image`` and ``request`` per unit). Limits are
``limit.context/input/output``; for an embedding model ``limit.output`` is the vector size,
not a token limit. ``status: deprecated`` marks a deprecated model; ``knowledge``,
``release_date``, ``open_weights``, ``reasoning`` and ``tool_call`` are facts of the model.
An entry without a cost is imported unpriced.
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
from radiant.catalog.importers.platforms import models_dev_platform, service_facts
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
        target = models_dev_platform(provider_id)
        key = target[0] if target[0] != "direct" else f"direct:{target[1]}"
        name = provider.get("name")
        result.services.setdefault(
            key,
            service_facts(
                target,
                name=name if isinstance(name, str) and name else provider_id,
                source=f"{NAME}:{provider_id}",
                api=_text(provider.get("api")),
                env=strings(provider.get("env")),
                npm=_text(provider.get("npm")),
                doc=_text(provider.get("doc")),
            ),
        )
        for model_id, spec in models.items():
            entry_key = f"{provider_id}/{model_id}"
            if not isinstance(spec, dict):
                result.skip(entry_key, "not an object")
            else:
                result.imported.append(_entry(entry_key, provider_id, model_id, spec, target))
    return result


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _mode(model_id: str, spec: dict[str, Any], outputs: tuple[str, ...]) -> str:
    """The task in LiteLLM's words (models.dev states none)."""
    family = spec.get("family") if isinstance(spec.get("family"), str) else ""
    words = f"{model_id} {family}".casefold()
    if "rerank" in words:
        return "rerank"
    if "embed" in words:
        return "embedding"
    if outputs and "text" not in outputs:
        if "image" in outputs:
            return "image_generation"
        if "audio" in outputs:
            return "audio_speech"
        if "video" in outputs:
            return "video_generation"
    return "chat"


def _entry(
    key: str,
    provider_id: str,
    model_id: str,
    spec: dict[str, Any],
    target: tuple[str, str | None],
) -> ImportedEntry:
    flags: list[str] = []
    sheet: PriceSheet | None = None
    unmapped: tuple[str, ...] = ()
    cost = spec.get("cost")
    if isinstance(cost, dict) and cost:
        try:
            sheet, unmapped = _sheet(cost)
        except (ValueError, PydanticValidationError) as exc:
            flags.append(f"bad price: {first_error_line(exc)}")
    limit = mapping(spec.get("limit"))
    modalities = mapping(spec.get("modalities"))
    outputs = strings(modalities.get("output"))
    mode = _mode(model_id, spec, outputs)
    output = int_or_none(limit.get("output"))
    embedding = mode == "embedding"
    open_weights = spec.get("open_weights")
    name = spec.get("name")
    family = spec.get("family")
    return ImportedEntry(
        source=NAME,
        source_key=key,
        source_provider=provider_id,
        platform=target[0],
        provider=target[1],
        model_name=model_id,
        mode=mode,
        price=sheet,
        context_window=int_or_none(limit.get("context")),
        max_input_tokens=int_or_none(limit.get("input")),
        max_output_tokens=None if embedding else output,
        input_modalities=strings(modalities.get("input")),
        output_modalities=outputs,
        capabilities=tuple(cap for flag, cap in _FLAGS.items() if spec.get(flag) is True),
        denied=tuple(cap for flag, cap in _FLAGS.items() if spec.get(flag) is False),
        deprecation_date=None,
        deprecated=spec.get("status") == "deprecated",
        unmapped_prices=unmapped,
        other_names=(),
        display_name=name if isinstance(name, str) and name else None,
        family=family if isinstance(family, str) and family else None,
        release_date=parse_date(spec.get("release_date")),
        knowledge_cutoff=parse_date(_month(spec.get("knowledge"))),
        open_weights=open_weights if isinstance(open_weights, bool) else None,
        embedding_dimensions=output if embedding else None,
        flags=tuple(flags),
    )


def _month(value: Any) -> Any:
    """``2024-04`` (a knowledge cutoff by month) as its first day."""
    if isinstance(value, str) and len(value) == 7 and value[4] == "-":
        return f"{value}-01"
    return value


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
