"""The selection engine on the built-in catalog and on small catalogs built here."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from radiant.domain import (
    HealthStatus,
    HostingType,
    PlatformKind,
    ProviderHealth,
    RouteStatus,
    Task,
    ThermalState,
    ThermalStatus,
)
from radiant.pricing.markup import MarkupBook, MarkupOverride, MarkupScope
from radiant.registry import Snapshot
from radiant.selection import HostingPreference, SelectionCriteria, select
from radiant.selection.engine import Selection
from selection_helpers import (
    builtin_snapshot,
    hosted_route,
    model,
    platform,
    provider,
    random_criteria,
    random_state,
    reference_select,
    token_route,
)


def _rows(selection: Selection) -> list[tuple[str, str, str, Decimal | None]]:
    return [
        (c.entry.id, c.hosting_type.value, c.route.id, c.price_per_request)
        for c in selection.candidates
    ]


# ---------------------------------------------------------------------- against the reference


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_ranks_like_the_reference_on_the_builtin_catalog(seed: int) -> None:
    rng = random.Random(seed)
    snapshot = random_state(builtin_snapshot(), rng) if seed > 1 else builtin_snapshot()
    compared = 0
    for _ in range(150):
        criteria = random_criteria(snapshot, rng)
        expected = reference_select(snapshot, criteria)
        fast = select(snapshot, criteria)
        again = select(snapshot, criteria)  # the second time, from a cached order if it fits
        explained = select(snapshot, criteria, explain=True)
        assert _rows(fast) == expected[: criteria.limit], criteria
        assert _rows(again) == expected[: criteria.limit], criteria
        assert _rows(explained) == expected[: criteria.limit], criteria
        assert explained.total == len(expected)
        compared += bool(expected)
    assert compared > 50  # most random criteria found something to rank


def test_engine_ranks_like_the_reference_with_markup_overrides() -> None:
    from datetime import UTC, datetime

    snapshot = builtin_snapshot()
    now = datetime.now(UTC)
    book = MarkupBook.from_overrides(
        [
            MarkupOverride(MarkupScope.PROVIDER, "openai", Decimal("12.5"), "admin", now),
            MarkupOverride(MarkupScope.MODEL, "mistral-small", Decimal("333.333"), "admin", now),
        ]
    )
    criteria = SelectionCriteria(task=Task.CHAT, limit=40, estimated_input_tokens=1234)
    assert (
        _rows(select(snapshot, criteria, markups=book))
        == reference_select(snapshot, criteria, book)[:40]
    )
    # the override changes the price a client is quoted
    default = {c.entry.id: c.price_per_request for c in select(snapshot, criteria).candidates}
    marked = {
        c.entry.id: c.price_per_request for c in select(snapshot, criteria, markups=book).candidates
    }
    both = [m for m in default if m in marked and m.startswith("openai")]
    assert both and all(marked[m] < default[m] for m in both)  # type: ignore[operator]


def test_large_selections_walk_the_price_order_and_agree() -> None:
    """Over 2,000 generated models the fast walk and the explained path give the same."""
    rng = random.Random(7)
    platforms = [
        platform("direct", PlatformKind.DIRECT),
        platform("cloud", PlatformKind.CLOUD),
        platform("self_hosted", PlatformKind.SELF_HOSTED),
    ]
    providers = [provider(f"p{i}", ["SOC2"] if i % 3 else []) for i in range(8)]
    models, routes = [], []
    for i in range(2000):
        mid = f"m{i:04d}"
        caps = ["chat", *rng.sample(["vision", "tools", "json", "code"], k=rng.randint(0, 3))]
        models.append(
            model(
                mid,
                f"p{i % 8}",
                capabilities=caps,
                min_tier=rng.randint(1, 5),
                quality_score=rng.choice([None, 50.0, 70.0, 90.0]),
            )
        )
        price = f"{rng.randint(1, 400) / 100}"
        routes.append(token_route(mid, "direct", price, f"{rng.randint(1, 1600) / 100}"))
        if rng.random() < 0.5:
            routes.append(token_route(mid, "cloud", price, "9", priority=2))
        if rng.random() < 0.3:
            routes.append(hosted_route(mid, f"0.00{rng.randint(1, 9)}"))
    snapshot = Snapshot.build(1, platforms, providers, models, routes)
    for criteria in [
        SelectionCriteria(task=Task.CHAT),
        SelectionCriteria(task=Task.CHAT, tier=2, required_capabilities=["vision"]),
        SelectionCriteria(task=Task.CHAT, hosting=HostingPreference.SELF_HOSTED, tier=5),
        SelectionCriteria(task=Task.CHAT, compliance=["soc2"], limit=50),
        SelectionCriteria(task=Task.CHAT, estimated_output_tokens=20_000, limit=3),
        SelectionCriteria(task=Task.CHAT, optional_capabilities=["vision", "json"], limit=30),
        SelectionCriteria(task=Task.CHAT, optional_capabilities=["code", "tools", "x"], tier=4),
    ]:
        expected = reference_select(snapshot, criteria)[: criteria.limit]
        first = select(snapshot, criteria)  # a new estimate: the passing models are ranked
        again = select(snapshot, criteria)  # seen before: the cached price order is walked
        assert len(first.candidates) == criteria.limit
        assert _rows(first) == expected and _rows(again) == expected


# ------------------------------------------------------ the ordering select_model() shares


def _thermal_catalog(states: dict[str, ThermalState]) -> Snapshot:
    platforms = [
        platform("direct", PlatformKind.DIRECT),
        platform("self_hosted", PlatformKind.SELF_HOSTED),
    ]
    providers = [provider("acme", ["SOC2"]), provider("self_hosted")]
    models = [model("ext", "acme")] + [
        model(mid, "self_hosted", min_tier=3) for mid in ("hot", "warm", "cold", "off")
    ]
    routes = [token_route("ext", "direct", "1", "2")] + [
        hosted_route(mid, "0.01", warmup=90) for mid in ("hot", "warm", "cold", "off")
    ]
    thermal = [ThermalStatus(model_id=m, current_state=s) for m, s in states.items()]
    return Snapshot.build(1, platforms, providers, models, routes, [], thermal)


def test_hot_before_warm_before_cold_before_external() -> None:
    snapshot = _thermal_catalog(
        {
            "hot": ThermalState.HOT,
            "warm": ThermalState.WARM,
            "cold": ThermalState.COLD,
            "off": ThermalState.OFF,
        }
    )
    chosen = select(snapshot, SelectionCriteria(task=Task.CHAT, tier=3)).candidates
    assert [c.entry.id for c in chosen] == ["hot", "warm", "cold", "ext", "off"]
    by_id = {c.entry.id: c for c in chosen}
    assert by_id["cold"].warmup_required and by_id["cold"].warmup_time_seconds == 90
    assert not by_id["hot"].warmup_required and by_id["hot"].health is HealthStatus.HEALTHY
    assert by_id["ext"].thermal_state is None and by_id["ext"].warmup_time_seconds is None


def test_tier_gates_self_hosted_but_not_external() -> None:
    snapshot = _thermal_catalog({"hot": ThermalState.HOT})
    selection = select(snapshot, SelectionCriteria(task=Task.CHAT, tier=2), explain=True)
    assert [c.entry.id for c in selection.candidates] == ["ext"]
    codes = {e.model_id: e.code for e in selection.excluded}
    assert codes == {"hot": "tier", "warm": "tier", "cold": "tier", "off": "tier"}


def test_latency_then_health_order_external_candidates_and_unhealthy_is_excluded() -> None:
    platforms = [platform("direct", PlatformKind.DIRECT)]
    providers = [provider(p) for p in ("fast", "slow", "sick", "quiet", "shaky")]
    models = [model(f"m-{p}", p) for p in ("fast", "slow", "sick", "quiet", "shaky")]
    routes = [token_route(m.id, "direct", "1", "1") for m in models]
    health = [
        ProviderHealth(provider_id="fast", status=HealthStatus.DEGRADED, avg_latency_ms=100),
        ProviderHealth(provider_id="slow", status=HealthStatus.HEALTHY, avg_latency_ms=900),
        ProviderHealth(provider_id="sick", status=HealthStatus.UNHEALTHY, avg_latency_ms=10),
        ProviderHealth(provider_id="shaky", status=HealthStatus.DEGRADED, avg_latency_ms=900),
    ]
    snapshot = Snapshot.build(1, platforms, providers, models, routes, health)
    selection = select(snapshot, SelectionCriteria(task=Task.CHAT), explain=True)
    assert [c.entry.id for c in selection.candidates] == ["m-fast", "m-slow", "m-shaky", "m-quiet"]
    assert [(e.model_id, e.code) for e in selection.excluded] == [("m-sick", "health")]
    assert selection.candidates[0].avg_latency_ms == 100


def test_a_hybrid_model_is_a_candidate_once_per_hosting_type() -> None:
    snapshot = builtin_snapshot(
        thermal=[ThermalStatus(model_id="llama-3.3-70b", current_state=ThermalState.WARM)]
    )
    selection = select(snapshot, SelectionCriteria(task=Task.CHAT, tier=5, limit=200))
    llama = [c for c in selection.candidates if c.entry.id == "llama-3.3-70b"]
    assert [(c.hosting_type, c.route.platform_id) for c in llama] == [
        (HostingType.SELF_HOSTED, "self_hosted"),
        (HostingType.EXTERNAL, "together"),
    ]
    assert selection.candidates[0] == llama[0]  # WARM beats every external candidate
    tier3 = select(snapshot, SelectionCriteria(task=Task.CHAT, tier=3, limit=200)).candidates
    assert [c.hosting_type for c in tier3 if c.entry.id == "llama-3.3-70b"] == [
        HostingType.EXTERNAL
    ]


# ---------------------------------------------------------------------- filters, preferences


def _two_platform_catalog() -> Snapshot:
    platforms = [
        platform("direct", PlatformKind.DIRECT, ["us-east-1"]),
        platform("euro", PlatformKind.CLOUD, ["eu-west-1"]),
    ]
    providers = [provider("acme", ["SOC2", "HIPAA"]), provider("beta", ["GDPR"])]
    models = [
        model("a-small", "acme", quality_score=60),
        model("a-big", "acme", quality_score=90, capabilities=["chat", "vision"]),
        model("b-old", "beta", deprecated=True, successor_id="b-new"),
        model("b-new", "beta", capabilities=["chat", "vision", "tools"]),
    ]
    routes = [
        token_route("a-small", "direct", "0.1", "0.4"),
        token_route("a-small", "euro", "0.2", "0.8", priority=2),
        token_route("a-big", "direct", "3", "15"),
        token_route("a-big", "euro", "2", "10", priority=2, estimated=True),
        token_route("b-old", "direct", "0.05", "0.05"),
        token_route("b-new", "euro", "1", "2"),
        token_route("b-new", "direct", "0.5", "1", priority=2, status=RouteStatus.MAINTENANCE),
    ]
    return Snapshot.build(1, platforms, providers, models, routes)


def _ids(snapshot: Snapshot, **kw: object) -> list[str]:
    criteria = SelectionCriteria(task=Task.CHAT, **kw)
    return [f"{c.entry.id}@{c.route.platform_id}" for c in select(snapshot, criteria).candidates]


def test_filters_of_the_criteria() -> None:
    s = _two_platform_catalog()
    assert _ids(s) == ["a-small@direct", "b-new@euro", "a-big@direct"]  # price order
    assert _ids(s, allow_deprecated=True)[0] == "b-old@direct"
    assert _ids(s, required_capabilities=["VISION"]) == ["b-new@euro", "a-big@direct"]
    assert _ids(s, excluded_capabilities=["tools"]) == ["a-small@direct", "a-big@direct"]
    assert _ids(s, compliance=["hipaa"]) == ["a-small@direct", "a-big@direct"]
    assert _ids(s, region="eu-west-1") == ["a-small@euro", "b-new@euro", "a-big@euro"]
    assert _ids(s, region="eu-west-1", include_estimated=False) == ["a-small@euro", "b-new@euro"]
    cap = Decimal("0.0020")  # b-new: (1000 x 1 + 500 x 2) / 1e6 x 1.4 = 0.0028
    assert _ids(s, max_price_per_request=cap) == ["a-small@direct"]
    assert _ids(s, min_context_window=128_001) == []


def test_preferences_rank_first_without_excluding() -> None:
    s = _two_platform_catalog()
    assert _ids(s, preferred_providers=["acme"]) == ["a-small@direct", "a-big@direct", "b-new@euro"]
    # a preferred platform picks that route of a model, and ranks it first
    assert _ids(s, preferred_platforms=["euro"]) == ["a-small@euro", "b-new@euro", "a-big@euro"]
    assert _ids(s, optional_capabilities=["vision", "tools"]) == [
        "b-new@euro",
        "a-big@direct",
        "a-small@direct",
    ]


def test_prices_are_client_prices_of_the_estimated_request() -> None:
    s = _two_platform_catalog()
    criteria = SelectionCriteria(
        task=Task.CHAT, estimated_input_tokens=2000, estimated_output_tokens=100
    )
    best = select(s, criteria).candidates[0]
    # cost (2000 x 0.1 + 100 x 0.4) / 1e6 = 0.00024, marked up 40 %
    assert best.price_per_request == Decimal("0.000336")


def test_explain_gives_the_first_failed_check_of_every_excluded_model() -> None:
    s = _two_platform_catalog()
    criteria = SelectionCriteria(
        task=Task.CHAT,
        required_capabilities=["vision"],
        compliance=["GDPR"],
        include_estimated=False,
        region="eu-west-1",
    )
    selection = select(s, criteria, explain=True)
    assert [c.entry.id for c in selection.candidates] == ["b-new"]
    assert {(e.model_id, e.route_id, e.code) for e in selection.excluded} == {
        ("a-small", None, "capability"),
        ("b-old", None, "deprecated"),
        ("a-big", "a-big@direct", "compliance"),
    }
    reasons = " | ".join(selection.candidates[0].reasons)
    assert "external on euro" in reasons and "$0.0028 per request" in reasons
    deprecated = next(e for e in selection.excluded if e.code == "deprecated")
    assert "successor b-new" in deprecated.reason


def test_bad_criteria_are_refused() -> None:
    from pydantic import ValidationError

    for bad in (
        {"task": "teleport"},
        {"task": "chat", "tier": 9},
        {"task": "chat", "limit": 0},
        {"task": "chat", "max_price_per_request": "-1"},
        {"task": "chat", "hosting": "cloud"},
    ):
        with pytest.raises(ValidationError):
            SelectionCriteria.model_validate(bad)


def test_routes_of_a_model_rank_usable_then_priority_health_success_latency() -> None:
    from radiant.selection.routes import rank_routes

    platforms = [
        platform("direct", PlatformKind.DIRECT),
        platform("openrouter", PlatformKind.AGGREGATOR),
        platform("azure", PlatformKind.CLOUD),
        platform("groq", PlatformKind.HOST),
    ]
    providers = [provider("acme"), provider("openrouter"), provider("azure"), provider("groq")]
    routes = [
        token_route("m", "direct", "1", "1", priority=1, status=RouteStatus.MAINTENANCE),
        token_route("m", "openrouter", "1", "1", priority=2, success_rate=0.90),
        token_route("m", "azure", "1", "1", priority=2, success_rate=0.99, avg_latency_ms=900),
        token_route("m", "groq", "1", "1", priority=3),
    ]
    health = [ProviderHealth(provider_id="groq", status=HealthStatus.UNHEALTHY)]
    snapshot = Snapshot.build(1, platforms, providers, [model("m", "acme")], routes, health)
    ranked = rank_routes(snapshot, snapshot.resolve("m"))
    assert [(r.route.platform_id, r.usable) for r in ranked] == [
        ("azure", True),
        ("openrouter", True),
        ("direct", False),
        ("groq", False),
    ]
    assert ranked[2].reason == "route is maintenance" and ranked[3].reason == "route is unhealthy"
    assert ranked[0].price_per_request == Decimal("0.0021")  # (1000 + 500) / 1e6 x 1.4


def test_a_snapshot_no_longer_used_is_freed_with_its_selection_index() -> None:
    """Each registry change builds a new snapshot: the old one, and the index selection
    built for it, must go (a weak mapping whose value held the snapshot kept them all)."""
    import gc
    import weakref

    snapshot = builtin_snapshot()
    assert select(snapshot, SelectionCriteria(task=Task.CHAT)).candidates
    gone = weakref.ref(snapshot)
    del snapshot
    gc.collect()
    assert gone() is None


def _one_by_one(snapshot: Snapshot, criteria: SelectionCriteria) -> set[tuple[object, ...]]:
    """The exclusions checked the straightforward way: model by model, slot by slot."""
    from radiant.selection.explain import model_failure
    from radiant.selection.index import selection_index
    from radiant.selection.prices import DEFAULT_BOOK
    from radiant.selection.ranked import choose_route, slot_failure

    index = selection_index(snapshot)
    table = index.prices(DEFAULT_BOOK)
    found: set[tuple[object, ...]] = set()
    for pos, entry in enumerate(snapshot.entries):
        failed = model_failure(entry, criteria)
        if failed is None and not index.by_pos[pos]:
            failed = ("no_route", "no route on a known platform")
        if failed is not None:
            found.add((entry.id, None, *failed))
            continue
        for slot in index.by_pos[pos]:
            failed = slot_failure(slot, criteria)
            if failed is None:
                chosen = choose_route(slot, criteria, table, index)
                if chosen[0] is not None:
                    continue
                failed = chosen[1]
            found.add((entry.id, slot.routes[0].id, *failed))
    return found


@pytest.mark.parametrize("seed", [4, 5])
def test_explain_gives_every_exclusion_the_one_by_one_checks_give(seed: int) -> None:
    rng = random.Random(seed)
    snapshot = random_state(builtin_snapshot(), rng)
    for _ in range(60):
        criteria = random_criteria(snapshot, rng)
        explained = select(snapshot, criteria, explain=True)
        got = {(e.model_id, e.route_id, e.code, e.reason) for e in explained.excluded}
        assert len(got) == len(explained.excluded)
        assert got == _one_by_one(snapshot, criteria), criteria
