"""Selection and routing over HTTP, on SQLite and PostgreSQL, with the built-in catalog.

The server has a credential for every platform (``catalog_credentials``), as a configured
deployment would: routes with an adapter are callable, the others (self-hosted endpoints,
providers without an adapter, the Bedrock and Vertex seams) are not, and the tests of
self-hosted warm-ups ask with ``include_uncallable``, as an administrator would.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, update

from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.domain import HostingType
from radiant.pricing import cost, price_usage
from radiant.pricing.markup import MarkupBook
from radiant.registry.service import Registry
from radiant.security import Permission, Principal, PrincipalKind, Role
from radiant.selection import SelectionCriteria
from radiant.selection import select as engine_select
from radiant.selection.prices import request_usage
from radiant.store.tables import ThermalStateRow
from radiant.store.tenant_tables import TenantRow
from radiant.sync import sync_catalog
from selection_helpers import catalog_credentials

PROBLEM = "application/problem+json"
TENANT = Principal(
    PrincipalKind.TENANT,
    subject_id="key-sel",
    name="tier-3 key",
    tenant_id="t-three",
    permissions=frozenset({Permission.REGISTRY_READ}),
)


@pytest.fixture
def synced(migrated: Engine) -> Engine:
    sync_catalog(migrated, load_catalog())
    with migrated.begin() as conn:
        conn.execute(insert(TenantRow).values(id="t-three", name="Three", slug="three", tier=3))
    return migrated


@pytest.fixture
def client(synced: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    for name, value in catalog_credentials().items():
        monkeypatch.setenv(name, value)
    with TestClient(create_app(Registry(synced))) as test_client:
        yield test_client


def _select(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/registry/select", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_select_returns_the_engine_ranking_with_prices(client: TestClient) -> None:
    body = {"task": "chat", "input_modalities": ["text"], "tier": 2, "limit": 5}
    result = _select(client, **body)
    registry: Registry = client.app.state.registry  # type: ignore[attr-defined]
    expected = engine_select(registry.snapshot(), SelectionCriteria.model_validate(body))
    assert [c["route_id"] for c in result["data"]] == [c.route.id for c in expected.candidates]
    assert result["count"] == 5 and result["total"] == expected.total
    first = result["data"][0]
    assert first["rank"] == 1 and first["hosting_type"] == "external"
    assert Decimal(first["price_per_request"]) == expected.candidates[0].price_per_request
    assert result["excluded"] is None and first["reasons"] == []


def test_explain_names_why_each_model_lost(client: TestClient) -> None:
    result = _select(
        client,
        task="chat",
        required_capabilities=["vision"],
        compliance=["HIPAA"],
        tier=1,
        explain=True,
        limit=1000,
    )
    assert result["data"] and all(c["reasons"] for c in result["data"])
    codes = {e["code"] for e in result["excluded"]}
    assert {"task", "capability", "compliance"} <= codes
    ids = {c["model_id"] for c in result["data"]} | {e["model_id"] for e in result["excluded"]}
    assert len(ids) == len(load_catalog().models)  # every model is accounted for
    xai = [e for e in result["excluded"] if e["model_id"].startswith("xai-grok-4")]
    assert xai and all("HIPAA" in e["reason"] for e in xai if e["code"] == "compliance")


def _thermal(engine: Engine, model_id: str) -> tuple[str, str | None, bool]:
    with engine.connect() as conn:
        row = conn.execute(
            select(
                ThermalStateRow.current_state,
                ThermalStateRow.target_state,
                ThermalStateRow.is_transitioning,
            ).where(ThermalStateRow.model_id == model_id)
        ).one()
    return row[0], row[1], row[2]


def test_fallback_serves_a_ready_external_model_and_warms_the_cold_one(
    client: TestClient, synced: Engine, bearer: Any
) -> None:
    # a COLD self-hosted endpoint outranks external routes (COLD ranks before external);
    # with no AWS credentials here, SageMaker cannot be called: only an administrator's view
    # shows them
    body = {"task": "chat", "tier": 5, "fallback": True, "include_uncallable": True}
    assert all(c["hosting_type"] == "external" for c in _select(client, task="chat")["data"])
    plain = _select(client, task="chat", tier=5, include_uncallable=True)
    assert plain["data"][0]["hosting_type"] == "self_hosted"
    assert plain["data"][0]["warmup_required"] is True
    cold = plain["data"][0]["model_id"]
    assert _thermal(synced, cold) == ("COLD", None, False)

    anonymous = _select(client, **body)  # told, but starts nothing
    assert anonymous["warmup"] == {"model_id": cold, "requested": False}
    assert _thermal(synced, cold) == ("COLD", None, False)
    headers = bearer(client.app, Role.OPERATOR)
    response = client.post("/api/registry/select", json=body, headers=headers)
    result = response.json()
    assert result["path"] == "ready_alternative"
    assert result["choice"]["hosting_type"] == "external"
    assert result["choice"]["warmup_required"] is False
    assert result["warmup"] == {"model_id": cold, "requested": True}
    assert _thermal(synced, cold) == ("COLD", "WARM", True)
    again = client.post("/api/registry/select", json=body, headers=headers).json()
    # already warming: not asked twice
    assert again["warmup"] == {"model_id": cold, "requested": False}


def test_fallback_paths_when_nothing_ready_or_nothing_fits(
    client: TestClient, synced: Engine
) -> None:
    only_hosted = _select(
        client, task="chat", tier=5, hosting="self_hosted", fallback=True, include_uncallable=True
    )
    assert only_hosted["path"] == "primary_needs_warmup"
    assert only_hosted["choice"]["hosting_type"] == "self_hosted"

    with synced.begin() as conn:
        conn.execute(update(ThermalStateRow).values(current_state="WARM"))
        conn.execute(text_bump())
    client.app.state.registry.refresh()  # type: ignore[attr-defined]
    warm = _select(client, task="chat", tier=5, fallback=True, include_uncallable=True)
    assert warm["path"] == "primary" and warm["warmup"] is None

    nothing = _select(client, task="chat", required_capabilities=["teleportation"], fallback=True)
    assert nothing["path"] == "task_default" and nothing["data"] == []
    assert nothing["choice"]["model_id"] == "gpt-4o-mini"

    embedding = _select(client, task="embedding", compliance=["NONE"], fallback=True)
    assert embedding["choice"]["model_id"] == "openai-text-embedding-3-small"


def text_bump() -> Any:
    """The registry version bump that makes the API see a direct database write."""
    from radiant.store.tables import RegistryStateRow

    return update(RegistryStateRow).values(version=RegistryStateRow.version + 1)


def test_routes_of_a_model(client: TestClient) -> None:
    best = client.get("/api/registry/models/llama-3.3-70b/routes/best").json()
    assert best["route_id"] == "llama-3.3-70b@together" and best["usable"] is True
    chain = client.get("/api/registry/models/llama-3.3-70b/fallbacks").json()
    assert [r["platform_id"] for r in chain["data"]] == ["together"]  # self-hosted: no adapter
    everything = "/api/registry/models/llama-3.3-70b/fallbacks?include_uncallable=true"
    chain = client.get(everything).json()
    assert [r["platform_id"] for r in chain["data"]] == ["together", "self_hosted"]
    assert [r["rank"] for r in chain["data"]] == [1, 2]
    assert [r["callable"] for r in chain["data"]] == [True, False]
    by_alias = client.get("/api/registry/models/gpt-4o/availability").json()
    assert by_alias["model_id"] == "openai-gpt-4o" and by_alias["available_on"] == ["direct"]
    route = by_alias["platforms"]["direct"][0]
    assert route["status"] == "active" and Decimal(route["price_per_request"]) > 0


def test_cheapest_routes_for_a_prompt(client: TestClient) -> None:
    response = client.post(
        "/api/registry/routes/cheapest",
        json={"prompt_tokens": 3000, "max_output_tokens": 200, "required_capabilities": ["vision"]},
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    prices = [Decimal(r["price"]) for r in data]
    assert len(data) == 5 and prices == sorted(prices)
    registry: Registry = client.app.state.registry  # type: ignore[attr-defined]
    snapshot = registry.snapshot()
    for row in data:  # the price is the pricing engine's, marked up by default
        entry = snapshot.resolve(row["model_id"])
        route = next(r for r in entry.routes if r.id == row["route_id"])
        assert route.price is not None
        usage = request_usage(route.price, 3000, 200)
        markup = MarkupBook().resolve(
            route, entry.model.provider_id, HostingType(row["hosting_type"])
        )
        assert price_usage(cost(usage, route), markup).total_price == Decimal(row["price"])
        assert "vision" in entry.model.capabilities


def test_recommendations_and_alternatives(client: TestClient) -> None:
    response = client.post("/api/registry/recommend", json={"task": "chat", "limit": 3})
    recs = response.json()
    assert recs["count"] == 3 and all(
        any("per request" in r for r in c["reasons"]) for c in recs["data"]
    )
    old = client.get("/api/registry/models/anthropic-claude-3-opus/alternatives").json()
    assert old["deprecated"] is True and old["count"] == 5
    ids = [a["model_id"] for a in old["data"]]
    assert "anthropic-claude-3-opus" not in ids
    assert all("chat" in a["shared_capabilities"] for a in old["data"])


def test_a_tenant_key_selects_within_its_tier(client: TestClient, bearer: Any) -> None:
    headers = bearer(client.app, TENANT)
    body = {"task": "chat", "tier": 5, "limit": 200, "include_uncallable": True}
    everyone = _select(client, **body)["data"]
    tier3 = _select(client, **{**body, "tier": 3})["data"]
    response = client.post("/api/registry/select", json=body, headers=headers)
    mine = response.json()["data"]
    assert mine == tier3 and len(mine) < len(everyone)  # the tenant is tier 3
    assert any(
        c["model_id"] == "llama-3.3-70b" and c["hosting_type"] == "self_hosted" for c in everyone
    )


_BAD: list[tuple[str, str, Any, int]] = [
    ("post", "/api/registry/select", {"task": "teleport"}, 422),
    ("post", "/api/registry/select", {"task": "chat", "tier": 9}, 422),
    ("post", "/api/registry/select", {"task": "chat", "max_price_per_request": "x"}, 422),
    ("post", "/api/registry/select", {"task": "chat", "bogus": 1}, 422),
    ("post", "/api/registry/routes/cheapest", {"prompt_tokens": -1}, 422),
    ("post", "/api/registry/recommend", {}, 422),
    ("get", "/api/registry/models/gpt-4x/routes/best", None, 404),
    ("get", "/api/registry/models/nope/fallbacks", None, 404),
    ("get", "/api/registry/models/nope/availability", None, 404),
    ("get", "/api/registry/models/nope/alternatives", None, 404),
    ("get", "/api/registry/models/gpt-4o/alternatives?tier=0", None, 422),
]


def test_bad_requests_get_problem_details(client: TestClient) -> None:
    for method, url, body, status in _BAD:
        response = client.request(method.upper(), url, json=body)
        assert response.status_code == status, (url, body, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
    problem = client.get("/api/registry/models/gpt-4x/routes/best").json()
    assert "did you mean" in problem["detail"]


def test_a_missing_task_default_is_a_clear_not_found(migrated: Engine, small_catalog: Any) -> None:
    from radiant.catalog import load_catalog as load

    sync_catalog(migrated, load(small_catalog))
    with TestClient(create_app(Registry(migrated))) as client:
        response = client.post(
            "/api/registry/select",
            json={"task": "chat", "required_capabilities": ["teleportation"], "fallback": True},
        )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert (
        "default model for task 'chat', 'gpt-4o-mini', is not in the registry"
        in (response.json()["detail"])
    )
