"""Pricing over HTTP: admin and client views, estimates, markup overrides, and the proof
that no client-facing payload, for any model, carries a cost or a margin."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert

from conftest import migrate
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.registry.service import Registry
from radiant.security import Permission, Principal, PrincipalKind, Role
from radiant.store.engine import make_engine
from radiant.store.tenant_tables import TenantModelAccessRow, TenantRow
from radiant.sync import sync_catalog

PROBLEM = "application/problem+json"
Bearer = Callable[[FastAPI, "Role | Principal"], dict[str, str]]
TENANT = Principal(
    PrincipalKind.TENANT,
    subject_id="key-1",
    name="acme key",
    tenant_id="t-acme",
    permissions=frozenset({Permission.REGISTRY_READ}),
)


def add_tenant(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(TenantRow).values(id="t-acme", name="Acme", slug="acme", tier=3))
        conn.execute(
            insert(TenantModelAccessRow).values(
                tenant_id="t-acme",
                model_id="openai-gpt-4o",
                custom_input_price_per_1m=Decimal("3.00"),
                custom_output_price_per_1m=Decimal("12.00"),
            )
        )


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('pricing') / 'radiant.db'}"
    migrate(url)
    eng = make_engine(url)
    sync_catalog(eng, load_catalog())
    add_tenant(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def app(engine: Engine) -> FastAPI:
    return create_app(Registry(engine))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def test_admin_sees_cost_markup_margin_client_sees_prices(
    client: TestClient, app: FastAPI, bearer: Bearer
) -> None:
    admin = client.get("/api/registry/models/gpt-4o/pricing", headers=bearer(app, Role.ADMIN))
    view = admin.json()["data"][0]
    assert admin.json()["view"] == "admin"
    assert view["cost"]["input_per_1m"] == "2.5" and view["price"]["input_per_1m"] == "3.5"
    assert view["markup"] == {
        "percent": "40",
        "source": "default",
        "is_overridden": False,
        "overridden_by": None,
        "overridden_at": None,
        "reason": None,
        "expires_at": None,
    }
    assert view["margin"]["output_per_1m"] == "4"
    assert Decimal(view["margin"]["percent_of_price"]).quantize(Decimal("0.01")) == Decimal("28.57")
    assert view["actions"]["can_override_markup"] is True
    client_view = client.get("/api/registry/models/gpt-4o/pricing").json()
    assert client_view["view"] == "client"
    prices = client_view["data"][0]["prices"]
    assert prices["input_per_1m"] == "3.5"
    assert prices["display"]["input_per_1m"] == "$3.50 / 1M tokens"
    assert client_view["data"][0]["price_tier"] in ("budget", "standard", "premium")


def test_client_savings_options_and_estimated_badge(client: TestClient) -> None:
    opus = client.get("/api/registry/models/anthropic-claude-opus-4-5/pricing").json()["data"]
    direct = next(v for v in opus if v["platform"] == "direct")
    assert direct["savings_options"]["caching"]["savings_percent"] == "90"
    assert direct["savings_options"]["batch"]["description"] == "50% off with batch API (24h)"
    assert direct["estimated_price"] == {"is_estimated": False, "badge": None}
    bedrock = next(v for v in opus if v["platform"] == "bedrock")
    badge = bedrock["estimated_price"]["badge"]
    assert badge["text"] == "Estimated" and badge["variant"] == "warning"


def test_estimate_endpoint_itemises_price(client: TestClient, app: FastAPI, bearer: Bearer) -> None:
    body = {"model": "gpt-4o", "usage": {"input_tokens": 1_000_000, "output_tokens": 1_000_000}}
    anonymous = client.post("/api/registry/pricing/estimate", json=body).json()
    assert anonymous["total_price"] == "17.5" and anonymous["total_price_usd"] == "17.50"
    assert "total_cost" not in anonymous and "margin" not in anonymous
    admin = client.post(
        "/api/registry/pricing/estimate", json=body, headers=bearer(app, Role.ADMIN)
    ).json()
    assert admin["total_cost"] == "12.5" and admin["markup"]["source"] == "default"
    tenant = client.post(
        "/api/registry/pricing/estimate", json=body, headers=bearer(app, TENANT)
    ).json()
    assert tenant["total_price"] == "15" and tenant["tenant_id"] == "t-acme"
    assert "total_cost" not in tenant
    bad = client.post(
        "/api/registry/pricing/estimate",
        json={"model": "gpt-4o", "usage": {"input_tokens": -5}},
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    assert (
        client.post(
            "/api/registry/pricing/estimate", json={"model": "nope", "usage": {}}
        ).status_code
        == 404
    )
    other = client.post(
        "/api/registry/pricing/estimate",
        json={**body, "tenant": "someone"},
        headers=bearer(app, TENANT),
    )
    assert other.status_code == 403


def test_markup_override_through_the_api(client: TestClient, app: FastAPI, bearer: Bearer) -> None:
    url = "/api/registry/pricing/markups/model/gpt-4o-mini"
    assert client.put(url, json={"percent": "20"}).status_code == 401
    assert (
        client.put(url, json={"percent": "20"}, headers=bearer(app, Role.OPERATOR)).status_code
        == 403
    )
    admin = bearer(app, Role.ADMIN)
    assert client.put(url, json={"percent": "-1"}, headers=admin).status_code == 422
    missing = client.put(
        "/api/registry/pricing/markups/model/no-such-model", json={"percent": "5"}, headers=admin
    )
    assert missing.status_code == 404
    done = client.put(url, json={"percent": "20", "reason": "launch promo"}, headers=admin)
    assert done.status_code == 200 and done.json()["set_by"] == "admin@example.test"
    view = client.get("/api/registry/models/gpt-4o-mini/pricing", headers=admin).json()["data"][0]
    assert view["markup"]["source"] == "model" and view["markup"]["reason"] == "launch promo"
    assert view["price"]["input_per_1m"] == "0.18"
    listed = client.get("/api/registry/pricing/markups", headers=admin).json()
    assert listed["count"] == 1 and listed["defaults"]["external_percent"] == "40"
    assert client.delete(url, headers=admin).status_code == 204
    assert client.delete(url, headers=admin).status_code == 404
    view = client.get("/api/registry/models/gpt-4o-mini/pricing").json()["data"][0]
    assert view["prices"]["input_per_1m"] == "0.21"


def test_cost_readers_get_the_seed_unified_view_with_costs(
    client: TestClient, app: FastAPI, bearer: Bearer
) -> None:
    rows = client.get("/api/v2/admin/registry/models", headers=bearer(app, Role.ADMIN)).json()
    gpt = next(r for r in rows["models"] if r["id"] == "openai-gpt-4o")
    assert Decimal(gpt["input_cost_per_1m"]) == Decimal("2.5")


def test_comparison_filters_and_sorting(client: TestClient) -> None:
    body = client.get(
        "/api/registry/pricing", params={"task": "chat", "sort": "input_price", "limit": 500}
    ).json()
    prices = [
        Decimal(v["prices"]["input_per_1m"]) for v in body["data"] if v["prices"]["input_per_1m"]
    ]
    assert prices == sorted(prices) and body["count"] >= len(prices) > 20
    claude = client.get(
        "/api/registry/pricing", params={"model": "claude-sonnet-4-5", "platform": "bedrock"}
    ).json()
    assert [v["route_id"] for v in claude["data"]] == ["anthropic-claude-sonnet-4-5@bedrock"]
    estimated = client.get("/api/registry/pricing", params={"estimated": "true"}).json()
    assert estimated["count"] == 12
    history = client.get("/api/registry/models/gpt-4o/pricing/history").json()
    assert history["data"][0]["prices"]["input_per_1m"] == "3.5"
    assert "cost" not in history["data"][0]


# ----------------------------------------------------------------------------- no leaks

_FORBIDDEN_KEYS = ("cost", "margin", "markup")
#: where a payload carries money: the cost values must not show up there
_MONEY_PATH = re.compile(r"price|savings|\.lines\[|\.per_")
#: a decimal written as Python's str() writes a small one ("0E-8", "1.5E-7")
_E_NOTATION = re.compile(r"-?\d+(\.\d+)?E[-+]?\d+")


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    else:
        yield path, value


def assert_client_payload(payload: Any, costs: set[str], where: str) -> None:
    """No cost, margin or markup in ``payload`` (no such key, no value of ``costs`` where
    a price goes), and every decimal written out in plain digits."""
    for path, value in _walk(payload):
        if isinstance(value, str) and _E_NOTATION.fullmatch(value):
            raise AssertionError(f"{where}: {value} at {path} (a decimal in E notation)")
        if isinstance(value, str) and path.endswith(f".{value}"):  # a key
            lowered = value.lower()
            assert not any(word in lowered for word in _FORBIDDEN_KEYS), f"{where}: key {path}"
        elif isinstance(value, str) and value in costs and _MONEY_PATH.search(path):
            raise AssertionError(f"{where}: cost value {value} at {path}")


def _route_costs(route: Any) -> set[str]:
    """The cost values of a route's sheet that no price of it may equal (markup > 0)."""
    if route.price is None:
        return set()
    return {format(v.normalize(), "f") for v in route.price.prices().values() if v}


CLIENTS = {
    "anonymous": None,
    "tenant": TENANT,
    "auditor": Role.AUDITOR,
    "operator": Role.OPERATOR,
}


@pytest.mark.parametrize("who", list(CLIENTS))
def test_no_client_payload_carries_a_cost_or_margin(
    client: TestClient, app: FastAPI, bearer: Bearer, who: str
) -> None:
    principal = CLIENTS[who]
    headers = {} if principal is None else bearer(app, principal)
    registry: Registry = app.state.registry
    snapshot = registry.snapshot()
    listing = client.get("/api/registry/models", params={"limit": 1000}, headers=headers).json()
    assert_client_payload(listing, set(), f"{who} /models")
    comparison = client.get("/api/registry/pricing", params={"limit": 1000}, headers=headers).json()
    assert comparison["view"] == "client" and comparison["count"] == len(load_catalog().routes)
    assert_client_payload(comparison, set(), f"{who} /pricing")
    unified = client.get("/api/v2/admin/registry/models", headers=headers)
    if who in ("anonymous", "tenant"):  # administrators' view: not for them at all
        assert unified.status_code in (401, 403)
    else:
        assert unified.status_code == 200
        assert_client_payload(unified.json(), set(), f"{who} unified view")
    for url in ("/v1/models", "/api/registry/search?q=gpt"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert_client_payload(response.json(), set(), f"{who} {url}")
    for entry in snapshot.entries:
        costs = set().union(*(_route_costs(r) for r in entry.routes))
        base = f"/api/registry/models/{entry.id}"
        for url in (base, f"{base}/routes", f"{base}/pricing", f"{base}/pricing/history"):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            assert_client_payload(response.json(), costs, f"{who} {url}")
        usage = {"input_tokens": 1000, "output_tokens": 100, "images": 1, "seconds": "2"}
        body = {"model": entry.id, "usage": usage}
        quote = client.post("/api/registry/pricing/estimate", json=body, headers=headers)
        if quote.status_code == 200:
            assert_client_payload(quote.json(), set(), f"{who} estimate {entry.id}")
        else:
            assert quote.status_code in (404, 422), quote.text


@pytest.mark.parametrize("who", ["anonymous", "tenant"])
def test_no_selection_payload_carries_a_cost_or_margin(
    client: TestClient, app: FastAPI, bearer: Bearer, who: str
) -> None:
    """The selection and routing endpoints answer clients: prices only, for every model
    (every route: ``include_uncallable``, whether this server can call it or not)."""
    principal = CLIENTS[who]
    headers = {} if principal is None else bearer(app, principal)
    registry: Registry = app.state.registry
    snapshot = registry.snapshot()
    for task in sorted({e.task.value for e in snapshot.entries}):
        for url, body in (
            ("/api/registry/select", {"task": task, "limit": 200, "explain": True}),
            ("/api/registry/select", {"task": task, "fallback": True, "tier": 5}),
            ("/api/registry/recommend", {"task": task, "limit": 200}),
            ("/api/registry/routes/cheapest", {"task": task, "prompt_tokens": 900, "limit": 100}),
        ):
            body = {**body, "include_uncallable": True}  # noqa: PLW2901
            response = client.post(url, json=body, headers=headers)
            assert response.status_code == 200, (url, body, response.text)
            assert_client_payload(response.json(), set(), f"{who} {url} {task}")
    for entry in snapshot.entries:
        costs = set().union(*(_route_costs(r) for r in entry.routes))
        base = f"/api/registry/models/{entry.id}"
        for suffix in ("routes/best", "fallbacks", "availability", "alternatives"):
            every = {"include_uncallable": "true"} if suffix != "alternatives" else {}
            response = client.get(f"{base}/{suffix}", params=every, headers=headers)
            assert response.status_code in (200, 404), response.text
            assert_client_payload(response.json(), costs, f"{who} {base}/{suffix}")


def test_estimate_uses_the_sheet_in_force_at_a_time(client: TestClient) -> None:
    usage = {"input_tokens": 1_000_000}
    now = client.post(
        "/api/registry/pricing/estimate",
        json={"model": "gpt-4o", "usage": usage, "at": "2025-06-01T00:00:00Z"},
    )
    assert now.status_code == 200 and now.json()["total_price"] == "3.5"
    before = client.post(
        "/api/registry/pricing/estimate",
        json={"model": "gpt-4o", "usage": usage, "at": "2020-01-01T00:00:00Z"},
    )
    assert before.status_code == 404  # the catalog's sheets are in force from 2024-12-01
    assert "no price sheet at 2020-01-01" in before.json()["detail"]


def test_tenant_terms_in_views(client: TestClient, app: FastAPI, bearer: Bearer) -> None:
    own = client.get("/api/registry/models/gpt-4o/pricing", headers=bearer(app, TENANT)).json()
    assert own["view"] == "client" and own["data"][0]["prices"]["input_per_1m"] == "3"
    admin = bearer(app, Role.ADMIN)
    view = client.get(
        "/api/registry/pricing", params={"model": "gpt-4o", "tenant": "acme"}, headers=admin
    ).json()["data"][0]
    assert view["markup"]["source"] == "tenant" and view["price"]["output_per_1m"] == "12"
    assert view["cost"]["output_per_1m"] == "10"
    assert client.get("/api/registry/pricing", params={"tenant": "acme"}).status_code == 401
    missing = client.get("/api/registry/pricing", params={"tenant": "nobody"}, headers=admin)
    assert missing.status_code == 404


_junk = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.none(),
    st.booleans(),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    model=st.sampled_from(["gpt-4o", "dall-e-3", "llama-3.3-70b", "nope", ""]),
    usage=st.dictionaries(
        st.sampled_from(["input_tokens", "output_tokens", "seconds", "images", "batch", "x"]),
        _junk,
        max_size=4,
    ),
    platform=st.sampled_from([None, "direct", "self_hosted", "zzz"]),
)
def test_bad_estimate_bodies_are_4xx_never_5xx(
    client: TestClient, model: str, usage: dict[str, Any], platform: str | None
) -> None:
    body: dict[str, Any] = {"model": model, "usage": usage}
    if platform is not None:
        body["platform"] = platform
    response = client.post("/api/registry/pricing/estimate", json=body)
    assert response.status_code in (200, 404, 422), response.text
    if response.status_code != 200:
        assert response.headers["content-type"] == PROBLEM
