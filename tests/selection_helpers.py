"""Catalogs for the selection tests, and a plain reference implementation of the ranking.

The reference follows the rules as written in ``radiant.selection.ranking`` and
``radiant.selection.criteria`` with none of the engine's indexes, integer prices or
precomputed orders: prices come from the pricing engine (``cost`` then ``price_usage``).
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from radiant.catalog import load_catalog
from radiant.domain import (
    HealthStatus,
    HostingType,
    LifecycleStatus,
    Model,
    Platform,
    PlatformKind,
    PriceSheet,
    PricingType,
    Provider,
    ProviderHealth,
    Route,
    RouteStatus,
    SelfHostedConfig,
    Task,
    ThermalDefaults,
    ThermalState,
    ThermalStatus,
)
from radiant.errors import ValidationError
from radiant.pricing import cost, price_usage
from radiant.pricing.markup import MarkupBook
from radiant.registry import Snapshot
from radiant.registry.snapshot import RouteCheck
from radiant.selection import HostingPreference, SelectionCriteria
from radiant.selection.prices import request_usage

INF = float("inf")
_THERMAL = {ThermalState.HOT: 0, ThermalState.WARM: 1, ThermalState.COLD: 2}
_HEALTH = {HealthStatus.HEALTHY: 0, HealthStatus.DEGRADED: 1}


def builtin_snapshot(
    health: list[ProviderHealth] | None = None, thermal: list[ThermalStatus] | None = None
) -> Snapshot:
    c = load_catalog()
    return Snapshot.build(
        1,
        c.platforms.values(),
        c.providers.values(),
        c.models.values(),
        c.routes.values(),
        health or [],
        thermal or [],
    )


def random_state(snapshot: Snapshot, rng: random.Random) -> Snapshot:
    """The same registry with random provider health and thermal states."""
    health = [
        ProviderHealth(
            provider_id=pid,
            status=rng.choice(list(HealthStatus)),
            avg_latency_ms=rng.choice([None, 150, 300, 300, 800]),
        )
        for pid in snapshot.providers
        if rng.random() < 0.6
    ]
    thermal = [
        ThermalStatus(model_id=e.id, current_state=rng.choice(list(ThermalState)))
        for e in snapshot.entries
        if any(r.self_hosted for r in e.routes) and rng.random() < 0.8
    ]
    platforms = list(snapshot.platforms.values())
    providers = list(snapshot.providers.values())
    models = [e.model for e in snapshot.entries]
    routes = [r for e in snapshot.entries for r in e.routes]
    # about a quarter of the routes cannot be called from this process
    blocked = {r.id for r in routes if rng.random() < 0.25}
    return Snapshot.build(
        2, platforms, providers, models, routes, health, thermal, route_check=blocking(blocked)
    )


def every_route_callable(platform: Platform, route: Route, provider: Provider | None) -> None:
    """A route check that finds every route callable (for tests about something else)."""
    return


def blocking(route_ids: set[str], reason: str = "no adapter for wire 'test'") -> RouteCheck:
    """A route check: the routes named are not callable, for ``reason``."""

    def check(platform: Platform, route: Route, provider: Provider | None) -> str | None:
        return reason if route.id in route_ids else None

    return check


# ---------------------------------------------------------------------- small catalogs


def platform(pid: str, kind: PlatformKind, regions: list[str] | None = None) -> Platform:
    return Platform(id=pid, name=pid, kind=kind, regions=regions or [])


def provider(pid: str, compliance: list[str] | None = None) -> Provider:
    return Provider(
        id=pid, name=pid, display_name=pid.title(), category="llm", compliance=compliance or []
    )


def model(mid: str, provider_id: str = "acme", **kw: Any) -> Model:
    values: dict[str, Any] = {
        "capabilities": ["chat", "streaming"],
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "category": "llm",
        "context_window": 128_000,
    }
    values.update(kw)
    return Model(id=mid, provider_id=provider_id, name=mid, display_name=mid.upper(), **values)


def token_route(mid: str, pid: str, inp: str, out: str, priority: int = 1, **kw: Any) -> Route:
    estimated = kw.pop("estimated", False)
    sheet = PriceSheet(
        pricing_type=PricingType.PER_TOKEN,
        input_per_1m=Decimal(inp),
        output_per_1m=Decimal(out),
        is_estimated=estimated,
    )
    return Route(
        model_id=mid, platform_id=pid, model_string=mid, priority=priority, price=sheet, **kw
    )


def hosted_route(mid: str, per_request: str, warmup: int = 60, **kw: Any) -> Route:
    sheet = PriceSheet(
        pricing_type=PricingType.PER_HOUR,
        per_hour=Decimal("4"),
        per_request=Decimal(per_request),
    )
    config = SelfHostedConfig(
        container_image="img",
        instance_type="gpu.large",
        gpu_memory_gb=24,
        thermal=ThermalDefaults(warmup_time_seconds=warmup),
    )
    return Route(
        model_id=mid,
        platform_id="self_hosted",
        model_string=mid,
        price=sheet,
        self_hosted=config,
        **kw,
    )


# ---------------------------------------------------------------------- random criteria


def random_criteria(snapshot: Snapshot, rng: random.Random) -> SelectionCriteria:
    entries = snapshot.entries
    sample = rng.choice(entries)
    caps = sorted({c for e in entries for c in e.model.capabilities})
    own_caps = sample.model.capabilities
    values: dict[str, Any] = {
        "task": sample.task if rng.random() < 0.85 else rng.choice(list(Task)),
        "tier": rng.choice([None, 1, 2, 3, 4, 5]),
        "hosting": rng.choice(list(HostingPreference)),
        "limit": rng.choice([1, 3, 10, 25]),
        "estimated_input_tokens": rng.choice([0, 10, 1000, 1000, 50_000]),
        "estimated_output_tokens": rng.choice([0, 1, 500, 500, 8000]),
        "allow_deprecated": rng.random() < 0.2,
        "include_estimated": rng.random() < 0.8,
        "include_uncallable": rng.random() < 0.3,
    }
    optional: list[tuple[float, str, Any]] = [
        (0.5, "input_modalities", lambda: sample.model.input_modalities[:1]),
        (0.2, "output_modalities", lambda: [rng.choice(["text", "image", "audio", "video"])]),
        (
            0.4,
            "required_capabilities",
            lambda: rng.sample(own_caps, k=min(len(own_caps), rng.randint(0, 2))),
        ),
        (0.3, "optional_capabilities", lambda: rng.sample(caps, k=3)),
        (0.15, "excluded_capabilities", lambda: rng.sample(caps, k=2)),
        (0.2, "min_context_window", lambda: rng.choice([8_000, 128_000, 200_000])),
        (0.15, "compliance", lambda: rng.sample(["HIPAA", "SOC2", "GDPR"], k=rng.randint(1, 2))),
        (0.1, "preferred_providers", lambda: rng.sample(sorted(snapshot.providers), k=2)),
        (0.1, "preferred_platforms", lambda: rng.sample(sorted(snapshot.platforms), k=2)),
        (
            0.15,
            "max_price_per_request",
            lambda: Decimal(rng.choice(["0.0005", "0.002", "0.05", "1"])),
        ),
        (0.1, "max_latency_ms", lambda: rng.choice([200, 500, 90_000])),
        (0.05, "region", lambda: "eu-west-1"),
    ]
    for chance, name, make in optional:
        if rng.random() < chance:
            values[name] = make()
    return SelectionCriteria(**values)


# ---------------------------------------------------------------------- reference


def _hosting(snapshot: Snapshot, route: Route) -> HostingType:
    return route.hosting_type(snapshot.platforms[route.platform_id].kind)


def reference_price(
    snapshot: Snapshot, model_obj: Model, route: Route, c: SelectionCriteria, book: MarkupBook
) -> Decimal | None:
    if route.price is None:
        return None
    usage = request_usage(route.price, c.estimated_input_tokens, c.estimated_output_tokens)
    try:
        breakdown = cost(usage, route)
    except ValidationError:  # only tokens of a kind the sheet does not price: they cost 0
        return Decimal(0)
    if not breakdown.lines and route.price.pricing_type is not PricingType.PER_TOKEN:
        return None
    markup = book.resolve(route, model_obj.provider_id, _hosting(snapshot, route))
    return price_usage(breakdown, markup).total_price


def _model_ok(snapshot: Snapshot, m: Model, task: Task, c: SelectionCriteria) -> bool:
    fold = _fold
    return (
        m.enabled
        and m.status is not LifecycleStatus.INACTIVE
        and (c.allow_deprecated or not m.is_deprecated)
        and task is c.task
        and fold(c.input_modalities) <= fold(m.input_modalities)
        and fold(c.output_modalities) <= fold(m.output_modalities)
        and fold(c.required_capabilities) <= fold(m.capabilities)
        and not fold(c.excluded_capabilities) & fold(m.capabilities)
        and (
            c.min_context_window is None
            or (m.context_window is not None and m.context_window >= c.min_context_window)
        )
    )


def _fold(values: list[str]) -> set[str]:
    return {v.casefold() for v in values}


def _slot_facts(
    snapshot: Snapshot, entry: Any, hosting: HostingType, c: SelectionCriteria
) -> tuple[ThermalState | None, HealthStatus, float | None] | None:
    """Thermal state, health and latency of a slot, or None when a slot filter fails."""
    m = entry.model
    if c.hosting is not HostingPreference.ANY and c.hosting.value != hosting.value:
        return None
    if hosting is HostingType.SELF_HOSTED:
        thermal = entry.thermal_state
        ready = thermal in (ThermalState.WARM, ThermalState.HOT)
        health = HealthStatus.HEALTHY if ready else HealthStatus.UNKNOWN
        hosted = snapshot.providers.get("self_hosted")
        compliance = hosted.compliance if hosted else []
        if c.tier is not None and m.min_tier > c.tier:
            return None
        latency = None
    else:
        record = snapshot.health.get(m.provider_id)
        thermal = None
        health = record.status if record else HealthStatus.UNKNOWN
        latency = record.avg_latency_ms if record else None
        owner = snapshot.providers.get(m.provider_id)
        compliance = owner.compliance if owner else []
    if health is HealthStatus.UNHEALTHY or not _fold(c.compliance) <= _fold(compliance):
        return None
    if c.max_latency_ms is not None:
        if latency is not None and latency > c.max_latency_ms:
            return None
        warm = next((r.self_hosted for r in entry.routes if r.self_hosted), None)
        cold = hosting is HostingType.SELF_HOSTED and thermal in (
            ThermalState.COLD,
            ThermalState.OFF,
        )
        if cold and warm and warm.thermal.warmup_time_seconds * 1000 > c.max_latency_ms:
            return None
    return thermal, health, None if latency is None else float(latency)


def _route_of(
    snapshot: Snapshot, m: Model, routes: list[Route], c: SelectionCriteria, book: MarkupBook
) -> tuple[Route, Decimal | None] | None:
    passing = []
    for r in routes:
        if r.status is not RouteStatus.ACTIVE:
            continue
        if not c.include_uncallable and snapshot.not_callable(r) is not None:
            continue
        regions = r.regions or snapshot.platforms[r.platform_id].regions
        if c.region and regions and c.region.casefold() not in _fold(regions):
            continue
        if r.price is not None and r.price.is_estimated and not c.include_estimated:
            continue
        price = reference_price(snapshot, m, r, c, book)
        cap = c.max_price_per_request
        if cap is not None and (price is None or price > cap):
            continue
        passing.append((r, price))
    on = [p for p in passing if p[0].platform_id in c.preferred_platforms]
    passing = on or passing
    return passing[0] if passing else None


def _preferred(snapshot: Snapshot, m: Model, route: Route, c: SelectionCriteria) -> int:
    if not c.preferred_platforms and not c.preferred_providers:
        return 0
    owners = {m.provider_id}
    parent = snapshot.providers.get(m.provider_id)
    if parent is not None and parent.parent_id:
        owners.add(parent.parent_id)
    on = route.platform_id in c.preferred_platforms or bool(owners & set(c.preferred_providers))
    return 0 if on else 1


def reference_select(
    snapshot: Snapshot, c: SelectionCriteria, book: MarkupBook | None = None
) -> list[tuple[str, str, str, Decimal | None]]:
    """(model id, hosting, route id, price) of every candidate, best first (no limit)."""
    book = book or MarkupBook()
    out: list[tuple[tuple[Any, ...], tuple[str, str, str, Decimal | None]]] = []
    for entry in snapshot.entries:
        m = entry.model
        if not _model_ok(snapshot, m, entry.task, c):
            continue
        for hosting in (HostingType.EXTERNAL, HostingType.SELF_HOSTED):
            routes = [r for r in entry.routes if _hosting(snapshot, r) is hosting]
            facts = _slot_facts(snapshot, entry, hosting, c) if routes else None
            chosen = _route_of(snapshot, m, routes, c, book) if facts else None
            if facts is None or chosen is None:
                continue
            thermal, health, latency = facts
            route, price = chosen
            hits = len(_fold(c.optional_capabilities) & _fold(m.capabilities))
            key = (
                _preferred(snapshot, m, route, c),
                _THERMAL.get(thermal, 3) if thermal else 3,
                INF if latency is None else latency,
                _HEALTH.get(health, 2),
                -hits,
                INF if price is None else price,
                INF if m.quality_score is None else -m.quality_score,
                m.id,
                0 if hosting is HostingType.EXTERNAL else 1,
            )
            out.append((key, (m.id, hosting.value, route.id, price)))
    out.sort(key=lambda item: item[0])
    return [item[1] for item in out]


# ---------------------------------------------------------------------- credentials


def catalog_credentials(directory: Any = None) -> dict[str, str]:
    """Environment variables giving every platform and provider of a catalog (the built-in
    one by default) a credential and an endpoint, as a configured deployment has them:
    its routes with an adapter are then callable (none is called by these tests)."""
    from radiant.secrets import env_name

    catalog = load_catalog(directory)
    values: dict[str, str] = {}
    refs: list[Any] = []
    for prov in catalog.providers.values():
        refs += [prov.api_key_env, prov.secret_ref]
    for plat in catalog.platforms.values():
        auth = plat.auth_config
        refs += [auth.get("api_key_env"), auth.get("secret_ref"), auth.get("secret_name")]
        if isinstance(auth.get("endpoint_env"), str):
            values[auth["endpoint_env"]] = f"https://radiant-test.{plat.id}.example.test"
        if isinstance(auth.get("region_env"), str):
            values[auth["region_env"]] = "test-region"
    for ref in refs:
        if isinstance(ref, str) and ref.strip():
            values[env_name(ref)] = "test-key"
    return values
