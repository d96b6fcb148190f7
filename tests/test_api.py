"""The read API over a real, synced SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import Bearer, migrate
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.registry.service import Registry
from radiant.security import Role
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'radiant.db'}"
    migrate(url)
    engine = make_engine(url)
    sync_catalog(engine, load_catalog())
    with TestClient(create_app(Registry(engine))) as test_client:
        yield test_client
    engine.dispose()


def test_health_and_docs(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["models"] == len(load_catalog().models)
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/registry/models" in spec["paths"]


def test_platforms_and_providers(client: TestClient) -> None:
    platforms = client.get("/api/registry/platforms").json()
    assert {"direct", "openrouter", "local", "bedrock", "self_hosted"} <= {
        p["id"] for p in platforms["data"]
    }
    assert platforms["count"] == len(platforms["data"])
    assert client.get("/api/registry/platforms/openrouter").json()["kind"] == "aggregator"
    providers = client.get("/api/registry/providers", params={"platform": "bedrock"}).json()
    assert "anthropic" in {p["id"] for p in providers["data"]}
    anthropic = client.get("/api/registry/providers/anthropic").json()
    assert anthropic["secret_ref"] == "radiant/providers/anthropic"  # a reference, not a secret


def test_list_models_with_filters_and_pages(client: TestClient) -> None:
    body = client.get(
        "/api/registry/models",
        params={"capability": "vision,function_calling", "provider": "openai", "limit": 3},
    ).json()
    assert body["count"] >= len(body["data"]) > 0
    assert len(body["data"]) <= 3
    for model in body["data"]:
        assert {"vision", "function_calling"} <= set(model["capabilities"])
    cheap = client.get(
        "/api/registry/models", params={"task": "chat", "max_input_price": "0.1", "limit": 100}
    ).json()
    assert cheap["data"]
    assert all(Decimal(m["input_price_per_1m"]) <= Decimal("0.1") for m in cheap["data"])
    self_hosted = client.get(
        "/api/registry/models", params={"hosting_type": "self_hosted", "limit": 1}
    ).json()
    assert self_hosted["count"] == 56


def test_model_detail_routes_and_aliases(client: TestClient) -> None:
    model = client.get("/api/registry/models/claude-3.5-haiku").json()
    assert model["id"] == "anthropic-claude-haiku-35"
    assert "claude-3-5-haiku-20241022" in model["aliases"]
    direct = next(r for r in model["routes"] if r["platform"] == "direct")
    assert direct["price"]["input_per_1m"] == "1.12"  # the 0.8 cost with the 40 % markup
    assert "cost" not in direct
    assert direct["price"]["output_per_1m"] == "5.6"
    assert model["notes"] == []  # the catalog's notes quote costs: administrators only

    dated = client.get("/api/registry/models/anthropic/claude-sonnet-4-5-20250929/routes").json()
    assert {r["platform"] for r in dated["data"]} == {"direct", "bedrock", "vertex_ai"}
    bedrock = next(r for r in dated["data"] if r["platform"] == "bedrock")
    assert bedrock["price"]["is_estimated"] is True


def test_unknown_model_is_a_404_problem_with_suggestions(client: TestClient) -> None:
    response = client.get("/api/registry/models/gpt-4-o")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == 404 and problem["title"] == "Not found"
    assert "did you mean" in problem["detail"]
    assert "openai-gpt-4o" in problem["suggestions"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/registry/models", {"limit": "0"}),
        ("/api/registry/models", {"limit": "lots"}),
        ("/api/registry/models", {"hosting_type": "cloudy"}),
        ("/api/registry/models", {"max_input_price": "-1"}),
        ("/api/registry/models", {"tier": "9"}),
        ("/api/registry/models", {"sort": "colour"}),
        ("/api/registry/search", {}),
        ("/api/v2/admin/registry/models", {"hostingType": "x"}),
    ],
)
def test_bad_input_is_a_422_problem(
    client: TestClient, bearer: Bearer, path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params, headers=bearer(client.app, Role.AUDITOR))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["errors"] and body["detail"]


def test_unknown_path_is_a_problem(client: TestClient) -> None:
    response = client.get("/api/registry/nothing-here/at-all")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/registry/providers/nobody").status_code == 404
    assert client.get("/api/registry/platforms/nowhere").status_code == 404


def test_search_and_capabilities(client: TestClient) -> None:
    found = client.get("/api/registry/search", params={"q": "whisper"}).json()
    assert found["data"][0]["id"] in {"openai-whisper-1", "whisper-large-v3"}
    assert all("whisper" in m["id"] or "whisper" in m["name"].lower() for m in found["data"][:3])
    for blank in ("", "   "):  # a search for nothing: 422 on the API, as on the CLI
        refused = client.get("/api/registry/search", params={"q": blank})
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    matrix = client.get("/api/registry/capabilities").json()["data"]
    assert "openai-gpt-4o" in matrix["vision"]


def test_admin_unified_view_stats_and_history(client: TestClient, bearer: Bearer) -> None:
    auditor = bearer(client.app, Role.AUDITOR)
    assert client.get("/api/v2/admin/registry/models").status_code == 401
    unified = client.get("/api/v2/admin/registry/models", headers=auditor).json()
    assert unified["selfHosted"] == 56
    assert unified["total"] == unified["external"] + unified["selfHosted"]
    row = next(r for r in unified["models"] if r["model_id"] == "alphafold2")
    assert row["hosting_type"] == "self_hosted" and row["min_tier"] == 4
    assert row["litellm_id"] == "sagemaker/alphafold2" and row["thermal_state"] == "COLD"
    llama = [r for r in unified["models"] if r["model_id"] == "llama-3.3-70b"]
    assert sorted(r["hosting_type"] for r in llama) == ["external", "self_hosted"]
    only_vision = client.get(
        "/api/v2/admin/registry/models",
        params={"category": "vision", "hostingType": "self_hosted"},
        headers=auditor,
    ).json()
    assert only_vision["total"] == 13

    stats = client.get("/api/v2/admin/registry/stats", headers=auditor).json()
    hosting = stats["by_hosting_type"]  # one kind a model: the counts add up
    assert sum(hosting.values()) == stats["models"]
    assert hosting["self_hosted"] + hosting["hybrid"] == 56  # one has both kinds
    assert stats["by_thermal_state"]["COLD"] == 56
    history = client.get("/api/v2/admin/registry/sync/history", headers=auditor).json()
    assert history["count"] == 1 and history["data"][0]["status"] == "completed"


def test_openai_model_list(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    card = next(m for m in body["data"] if m["id"] == "openai-gpt-4o")
    assert set(card) == {"id", "object", "created", "owned_by"}  # no prices for clients
    assert card["owned_by"] == "openai" and card["object"] == "model"
    assert client.get("/v1/models/gpt-4o").json()["id"] == "openai-gpt-4o"
    missing = client.get("/v1/models/nope-nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"]


def test_api_on_postgres(postgres_db: str, tmp_path: Path) -> None:
    migrate(postgres_db)
    engine = make_engine(postgres_db)
    sync_catalog(engine, load_catalog())
    with TestClient(create_app(Registry(engine))) as pg_client:
        model = pg_client.get("/api/registry/models/grok-3-mini").json()
        assert model["id"] == "xai-grok-3-mini"
        direct = next(r for r in model["routes"] if r["platform"] == "direct")
        assert direct["price"]["input_per_1m"] == "0.42"  # cost 0.30 + 40 %
        assert direct["price"]["output_per_1m"] == "0.7"
        assert pg_client.get("/api/registry/models/nope").status_code == 404
    engine.dispose()


def test_a_scalar_query_parameter_given_twice_is_422(client: TestClient) -> None:
    twice = client.get("/api/registry/models", params=[("limit", "1"), ("limit", "50")])
    assert twice.status_code == 422 and "limit" in twice.json()["detail"]
    lists = client.get(
        "/api/registry/models", params=[("capability", "vision"), ("capability", "chat")]
    )
    assert lists.status_code == 200 and lists.json()["count"] > 0
