"""Derived read views over a snapshot: search ranking and the unified registry view."""

from __future__ import annotations

from typing import Any

from radiant.domain import HostingType, Route, ThermalState
from radiant.domain.base import canonical_category
from radiant.errors import ValidationError
from radiant.registry.entry import ModelEntry
from radiant.registry.query import ModelQuery
from radiant.registry.snapshot import Snapshot

__all__ = ["search", "unified_rows"]


def search(snapshot: Snapshot, text: str, limit: int = 20) -> list[ModelEntry]:
    """Models matching ``text``, best first: exact name, name prefix, name, description."""
    needle = text.casefold().strip()
    if not needle:  # the API and the CLI alike: a search for nothing is a mistake
        raise ValidationError("give some words to search for (the query is empty)")
    candidates = snapshot.list(ModelQuery(q=needle, limit=1000)).data

    def rank(entry: ModelEntry) -> tuple[int, str]:
        names = [n.casefold() for n in entry.model.names()]
        if needle in names:
            return (0, entry.id)
        if any(n.startswith(needle) for n in names):
            return (1, entry.id)
        if needle in entry.model.display_name.casefold() or any(needle in n for n in names):
            return (2, entry.id)
        return (3, entry.id)

    return sorted(candidates, key=rank)[:limit]


def _first(routes: tuple[Route, ...], snapshot: Snapshot, hosting: HostingType) -> Route | None:
    for route in routes:
        platform = snapshot.platforms.get(route.platform_id)
        if platform is not None and route.hosting_type(platform.kind) is hosting:
            return route
    return None


def unified_rows(
    snapshot: Snapshot,
    *,
    category: str | None = None,
    hosting_type: HostingType | None = None,
    enabled: bool | None = None,
) -> list[dict[str, Any]]:
    """The unified view (``unified_model_registry``): one row per model and hosting type."""
    rows: list[dict[str, Any]] = []
    for entry in snapshot.entries:
        model = entry.model
        if category is not None and model.category != canonical_category(category):
            continue
        if enabled is not None and model.enabled is not enabled:
            continue
        for hosting in sorted(entry.hosting_types or {HostingType.EXTERNAL}, key=lambda h: h.value):
            if hosting_type is not None and hosting is not hosting_type:
                continue
            rows.append(_row(snapshot, entry, hosting))
    rows.sort(key=lambda r: (r["hosting_type"], r["category"], r["display_name"]))
    return rows


def _row(snapshot: Snapshot, entry: ModelEntry, hosting: HostingType) -> dict[str, Any]:
    model = entry.model
    route = _first(entry.routes, snapshot, hosting)
    price = route.price if route is not None else None
    provider = snapshot.providers.get(model.provider_id)
    self_hosted = hosting is HostingType.SELF_HOSTED
    deploy = route.self_hosted if route is not None else None
    health = snapshot.health.get(model.provider_id)
    thermal = entry.thermal_state if self_hosted else None
    return {
        "id": model.id,
        "model_id": model.id,
        "provider_id": "self_hosted" if self_hosted else model.provider_id,
        "provider_name": "RADIANT Self-Hosted"
        if self_hosted
        else (provider.display_name if provider else model.provider_id),
        "litellm_id": f"sagemaker/{model.id}"
        if self_hosted
        else (route.model_string if route else model.id),
        "name": model.name,
        "display_name": model.display_name,
        "description": model.description,
        "hosting_type": hosting.value,
        "category": model.category,
        "capabilities": list(model.capabilities),
        "input_modalities": list(model.input_modalities),
        "output_modalities": list(model.output_modalities),
        "primary_mode": entry.task.value,
        "context_window": model.context_window,
        "max_output": model.max_output_tokens,
        "platform_id": route.platform_id if route else None,
        "pricing_type": price.pricing_type.value if price else None,
        "input_cost_per_1m": price.input_per_1m if price else None,
        "output_cost_per_1m": price.output_per_1m if price else None,
        "cost_per_request": price.per_request if price else None,
        "cost_per_second": price.per_second if price else None,
        "cost_per_image": price.per_image if price else None,
        "cost_per_minute": price.per_minute if price else None,
        "cost_per_hour": price.per_hour if price else None,
        "is_estimated": bool(price and price.is_estimated),
        "instance_type": deploy.instance_type if deploy else None,
        "gpu_memory_gb": deploy.gpu_memory_gb if deploy else None,
        "thermal_state": thermal.value if thermal else None,
        "warmup_time_seconds": deploy.thermal.warmup_time_seconds if deploy else None,
        "enabled": model.enabled,
        "deprecated": model.is_deprecated,
        "health_status": (
            ("healthy" if thermal in (ThermalState.WARM, ThermalState.HOT) else "unknown")
            if self_hosted
            else (health.status.value if health else None)
        ),
        "avg_latency_ms": health.avg_latency_ms if (health and not self_hosted) else None,
        "error_rate": health.error_rate if (health and not self_hosted) else None,
        "compliance": [] if self_hosted else list(provider.compliance if provider else []),
        "license": model.license,
        "commercial_use_allowed": model.commercial_use_allowed if self_hosted else True,
        "min_tier": model.min_tier if self_hosted else 1,
    }
