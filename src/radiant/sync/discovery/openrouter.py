"""OpenRouter: ``GET {base}/models`` (prices as USD-per-token strings) and the per-model
endpoints API ``GET {base}/models/{author}/{slug}/endpoints`` (the providers serving a
model, each with its prices and context length)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2

from radiant.sync.discovery.clients import OnPage, as_int, model_items
from radiant.sync.discovery.http import RetryPolicy, UpstreamError, get_json
from radiant.sync.discovery.upstream import UpstreamModel, per_token_to_per_1m

__all__ = ["add_endpoints", "list_openrouter", "parse_model"]

#: endpoint lookups in flight at once
_CONCURRENCY = 8


def _noop(_count: int) -> None:
    return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _prices(pricing: Any) -> dict[str, Any]:
    pricing = pricing if isinstance(pricing, dict) else {}
    return {
        "input_per_1m": per_token_to_per_1m(pricing.get("prompt")),
        "output_per_1m": per_token_to_per_1m(pricing.get("completion")),
        "cached_input_per_1m": per_token_to_per_1m(pricing.get("input_cache_read")),
        "cache_write_per_1m": per_token_to_per_1m(pricing.get("input_cache_write")),
    }


def parse_model(item: dict[str, Any], url: str) -> UpstreamModel:
    upstream_id = item.get("id")
    if not isinstance(upstream_id, str) or not upstream_id.strip():
        raise UpstreamError(f"GET {url}: unexpected shape (a model without a string 'id')")
    architecture = _object(item.get("architecture"))
    top = _object(item.get("top_provider"))
    parameters = _strings(item.get("supported_parameters"))
    capabilities = ["chat"]
    if "tools" in parameters:
        capabilities.append("function_calling")
    if "structured_outputs" in parameters or "response_format" in parameters:
        capabilities.append("json_mode")
    if "reasoning" in parameters:
        capabilities.append("reasoning")
    inputs = _strings(architecture.get("input_modalities"))
    if "image" in inputs:
        capabilities.append("vision")
    name = item.get("name")
    description = item.get("description")
    return UpstreamModel(
        upstream_id=upstream_id.strip(),
        display_name=name.strip()[:200] or None if isinstance(name, str) else None,
        description=description.strip()[:5000] or None if isinstance(description, str) else None,
        provider_hint=upstream_id.split("/", 1)[0] if "/" in upstream_id else None,
        context_window=as_int(item.get("context_length")) or as_int(top.get("context_length")),
        max_output_tokens=as_int(top.get("max_completion_tokens")),
        input_modalities=inputs,
        output_modalities=_strings(architecture.get("output_modalities")),
        capabilities=capabilities,
        raw=item,
        **_prices(item.get("pricing")),
    )


async def list_openrouter(
    client: httpx2.AsyncClient,
    base_url: str,
    api_key: str | None,
    *,
    policy: RetryPolicy | None = None,
    on_page: OnPage = _noop,
) -> tuple[list[UpstreamModel], int]:
    url = f"{base_url.rstrip('/')}/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    body = await get_json(client, url, headers=headers, policy=policy)
    models = [parse_model(item, url) for item in model_items(body, "data", url)]
    on_page(len(models))
    return models, 1


def _endpoint(entry: dict[str, Any]) -> dict[str, Any]:
    prices = {k: (None if v is None else str(v)) for k, v in _prices(entry.get("pricing")).items()}
    return {
        "name": entry.get("name"),
        "provider_name": entry.get("provider_name"),
        "tag": entry.get("tag"),
        "context_length": as_int(entry.get("context_length")),
        "max_completion_tokens": as_int(entry.get("max_completion_tokens")),
        "quantization": entry.get("quantization"),
        "status": entry.get("status"),
        **prices,
    }


async def _endpoints_of(
    client: httpx2.AsyncClient,
    base_url: str,
    headers: dict[str, str],
    model: UpstreamModel,
    policy: RetryPolicy | None,
) -> list[dict[str, Any]]:
    author, _, slug = model.upstream_id.partition("/")
    if not author or not slug:
        return []
    url = f"{base_url.rstrip('/')}/models/{author}/{slug}/endpoints"
    body = await get_json(client, url, headers=headers, policy=policy)
    data = body.get("data") if isinstance(body, dict) else None
    entries = data.get("endpoints") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UpstreamError(f"GET {url}: unexpected shape (no data.endpoints list)")
    return [_endpoint(e) for e in entries if isinstance(e, dict)]


async def add_endpoints(
    client: httpx2.AsyncClient,
    base_url: str,
    api_key: str | None,
    models: list[UpstreamModel],
    *,
    policy: RetryPolicy | None = None,
) -> list[str]:
    """Fill ``endpoints`` of ``models`` (those kept for review); the errors, one per model
    whose lookup failed (its ``endpoints`` stays None and is tried again next run)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    gate = asyncio.Semaphore(_CONCURRENCY)
    errors: list[str] = []

    async def one(model: UpstreamModel) -> None:
        async with gate:
            try:
                model.endpoints = await _endpoints_of(client, base_url, headers, model, policy)
            except UpstreamError as exc:
                errors.append(str(exc))

    await asyncio.gather(*(one(m) for m in models))
    return errors
