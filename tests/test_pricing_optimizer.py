"""The price optimizer: selection by preference, filters, the summary and the warnings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import migrate
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.domain import ThermalState
from radiant.errors import NotFoundError
from radiant.pricing import Markup, MarkupSource
from radiant.pricing.optimizer import (
    BudgetConstraints,
    OptimizationRequest,
    RequestShape,
    analyse,
    optimize,
)
from radiant.pricing.service import PricingService
from radiant.providers.callability import CallabilityCheck
from radiant.registry.service import Registry
from radiant.secrets import EnvSecretResolver
from radiant.security import Principal, Role
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog
from selection_helpers import catalog_credentials

Bearer = Callable[[FastAPI, "Role | Principal"], dict[str, str]]
SHAPE = RequestShape(estimated_input_tokens=20_000, estimated_output_tokens=2_000)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('optimizer') / 'radiant.db'}"
    migrate(url)
    eng = make_engine(url)
    sync_catalog(eng, load_catalog())
    yield eng
    eng.dispose()


def _configured() -> CallabilityCheck:
    """Callability as in a deployment with every platform's credential set."""
    return CallabilityCheck(EnvSecretResolver(catalog_credentials()))


@pytest.fixture(scope="module")
def service(engine: Engine) -> PricingService:
    return PricingService(Registry(engine, route_check=_configured))


def test_minimize_selects_the_cheapest_and_explains(service: PricingService) -> None:
    req = OptimizationRequest(request=SHAPE, required_capabilities=["chat", "function_calling"])
    result = service.optimize(req)
    prices = [c.calculated_prices.total_price for c in result.all_candidates]
    assert result.summary.selected_price == min(prices) == result.summary.cheapest_price
    assert result.selected_model.rankings is not None and result.selected_model.rankings.is_cheapest
    assert "lowest price" in result.selection_reason
    assert "optimized for minimum price" in result.selection_reason
    assert result.summary.average_price == sum(prices, Decimal(0)) / len(prices)
    assert result.summary.savings_vs_average == result.summary.average_price - min(prices)
    assert all({"chat", "function_calling"} <= set(c.capabilities) for c in result.all_candidates)


def test_balance_and_ignore_preferences(service: PricingService) -> None:
    base = {"request": SHAPE, "required_capabilities": ["chat", "reasoning"]}
    balance = service.optimize(OptimizationRequest(**base, price_preference="balance"))
    best = balance.selected_model
    assert best.rankings is not None and best.rankings.is_best_value
    assert "balanced price and quality" in balance.selection_reason
    ignore = service.optimize(OptimizationRequest(**base, price_preference="ignore"))
    top = max(c.quality_score or 0 for c in ignore.all_candidates)
    assert ignore.selected_model.quality_score == top


def test_filters_quality_budget_estimated(service: PricingService) -> None:
    req = OptimizationRequest(request=SHAPE, required_capabilities=["chat"], min_quality_score=80)
    result = service.optimize(req)
    assert all((c.quality_score or 0) >= 80 for c in result.all_candidates)
    budget = BudgetConstraints(max_price_per_request=Decimal("0.01"))
    cheap = service.optimize(
        OptimizationRequest(
            request=SHAPE, required_capabilities=["chat"], budget_constraints=budget
        )
    )
    assert all(c.calculated_prices.total_price <= Decimal("0.01") for c in cheap.all_candidates)
    no_estimates = service.optimize(
        OptimizationRequest(
            request=SHAPE, required_capabilities=["chat"], include_estimated_pricing=False
        )
    )
    assert not any(c.flags.is_estimated_price for c in no_estimates.all_candidates)
    with pytest.raises(NotFoundError):
        service.optimize(
            OptimizationRequest(request=SHAPE, required_capabilities=["teleportation"])
        )


def test_caching_batch_breakdown_and_warmup(service: PricingService) -> None:
    shape = RequestShape(
        estimated_input_tokens=100_000,
        estimated_output_tokens=10_000,
        can_use_caching=True,
        cached_token_count=80_000,
        can_use_batch=True,
    )
    opus = service.registry.snapshot().resolve("claude-opus-4-5")
    route = opus.routes[0]
    markup = Markup(Decimal(40), MarkupSource.DEFAULT)
    found = analyse(opus, route, markup, shape, None)
    assert found is not None
    prices = found.calculated_prices
    # standard: 100k x 5 + 10k x 25 per 1M = 0.75 cost -> 1.05 price
    assert prices.standard_price == Decimal("1.05")
    # caching: 20k x 5 + 80k x 0.5 + 10k x 25 = 0.39 -> 0.546
    assert prices.with_caching_price == Decimal("0.546")
    assert prices.breakdown.caching_discount == Decimal("1.05") - Decimal("0.546")
    assert prices.with_batch_price is not None and prices.total_price < Decimal("0.546")
    llama = service.registry.snapshot().resolve("llama-3.3-70b")
    own = next(r for r in llama.routes if r.platform_id == "self_hosted")
    cold = analyse(llama, own, markup, SHAPE, ThermalState.COLD)
    assert cold is not None and cold.flags.requires_warmup and cold.flags.warmup_wait_seconds == 60
    assert cold.calculated_prices.thermal_overhead_price is not None
    result = optimize([cold], OptimizationRequest(request=SHAPE))
    assert [w.type for w in result.client_warnings] == ["warmup_delay"]
    assert result.client_warnings[0].message == "Model requires ~60s warm-up"


def test_low_margin_and_estimated_admin_warnings(service: PricingService) -> None:
    snapshot = service.registry.snapshot()
    entry = snapshot.resolve("claude-sonnet-4-5")
    bedrock = next(r for r in entry.routes if r.platform_id == "bedrock")  # estimated sheet
    found = analyse(entry, bedrock, Markup(Decimal(10), MarkupSource.MODEL), SHAPE, None)
    assert found is not None
    result = optimize([found], OptimizationRequest(request=SHAPE))
    assert [w.type for w in result.admin_warnings] == ["low_margin", "estimated_cost"]
    assert result.admin_warnings[0].message.startswith("Low margin (9.1%)")
    assert [w.type for w in result.client_warnings] == ["estimated_price"]


def test_optimize_endpoint_hides_costs_from_clients(engine: Engine, bearer: Bearer) -> None:
    app = create_app(Registry(engine, route_check=_configured))
    body = {
        "request": {"estimated_input_tokens": 5000, "estimated_output_tokens": 500},
        "required_capabilities": ["chat"],
        "price_preference": "balance",
    }
    with TestClient(app) as client:
        anonymous = client.post("/api/registry/pricing/optimize", json=body).json()
        assert "admin_warnings" not in anonymous
        assert "admin_cost_info" not in anonymous["selected_model"]
        assert all("admin_cost_info" not in c for c in anonymous["all_candidates"])
        assert anonymous["selection_reason"].startswith("Selected ")
        admin = client.post(
            "/api/registry/pricing/optimize", json=body, headers=bearer(app, Role.ADMIN)
        ).json()
        assert "admin_cost_info" in admin["selected_model"] and "admin_warnings" in admin
        bad = client.post("/api/registry/pricing/optimize", json={"request": {}})
        assert bad.status_code == 422
        none = client.post(
            "/api/registry/pricing/optimize", json={**body, "required_capabilities": ["nope"]}
        )
        assert none.status_code == 404
