"""The discrepancy report: which prices and limits the catalogs (and the registry) disagree
on, by how much, largest first; through the function, ``radiant catalog diff`` and the API."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from conftest import Bearer, migrate
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.catalog.importers import load_source
from radiant.cli import app as cli_app
from radiant.errors import AuthenticationError, ValidationError
from radiant.manage.administrators import AdminService
from radiant.registry.service import Registry
from radiant.security import Permission, Principal, PrincipalKind, Role
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog
from radiant.sync.discrepancy import discrepancy_report

CATALOGS = Path(__file__).parent / "fixtures" / "catalogs"
WORLD_SOURCES = [
    (kind, str(CATALOGS / "world" / name))
    for kind, name in (
        ("litellm", "litellm.json"),
        ("models-dev", "models_dev.json"),
        ("openrouter", "openrouter.json"),
    )
]
SOURCES = [
    ("litellm", CATALOGS / "litellm.json"),
    ("models-dev", CATALOGS / "models_dev.json"),
    ("openrouter", CATALOGS / "openrouter.json"),
]


@pytest.fixture(scope="module")
def builtin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The built-in catalog in a SQLite database (the report only reads it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('builtin') / 'radiant.db'}"
    migrate(url)
    engine = make_engine(url)
    sync_catalog(engine, load_catalog())
    yield engine
    engine.dispose()


def _rows(report: Any) -> dict[tuple[str, str, str], Any]:
    return {(d.model, d.platform, d.field): d for d in report.discrepancies}


def test_disagreements_with_their_size_largest_spread_first(builtin: Engine) -> None:
    results = [load_source(kind, str(path)) for kind, path in SOURCES]
    report = discrepancy_report(builtin, results)
    rows = _rows(report)

    cached = rows[("google-gemini-25-pro", "direct", "cached_input_per_1m")]
    assert cached.values == {"models-dev": Decimal("0.31"), "litellm": Decimal("0.125")}
    assert cached.missing == ("registry",)  # the registry knows the route, not this price
    assert (cached.low, cached.high, cached.difference) == (
        Decimal("0.125"),
        Decimal("0.31"),
        Decimal("0.185"),
    )
    assert cached.percent == Decimal("148.00")

    o3 = rows[("openai-o3", "direct", "input_per_1m")]
    assert o3.values == {
        "models-dev": Decimal("2"),
        "litellm": Decimal("1"),
        "registry": Decimal("2"),
    }
    assert (o3.difference, o3.percent) == (Decimal("1"), Decimal("100.00"))
    assert o3.in_registry and o3.provider == "openai"
    window = rows[("google-gemini-25-pro", "direct", "context_window")]
    assert window.values["registry"] == Decimal(1_000_000)
    assert window.percent == Decimal("4.86")
    output = rows[("google-gemini-25-pro", "direct", "max_output_tokens")]
    assert output.percent == Decimal("0.0015")  # 65535 against 65536
    # the same values everywhere are no discrepancy; nor is a model known from one source
    assert ("google-gemini-25-pro", "direct", "input_per_1m") not in rows
    assert not any(d.model == "mystery-model-1" for d in report.discrepancies)
    # the gpt-4o pointers of LiteLLM and models.dev are not the 2024-08-06 snapshot the
    # registry's route calls: nothing pairs them with it
    assert not any(d.model == "openai-gpt-4o" for d in report.discrepancies)

    # a zero is a zero (its spread has no percentage); prices before limits, the largest
    # spread first
    free = rows[("deepseek-chat", "direct", "input_per_1m")]
    assert free.values == {"litellm": Decimal(0), "registry": Decimal("0.28")}
    assert (free.difference, free.percent) == (Decimal("0.28"), None)
    prices = [d for d in report.discrepancies if d.field.endswith(("_per_1m", "request", "image"))]
    assert report.discrepancies[: len(prices)] == prices
    spreads = [d.difference for d in prices]
    assert spreads == sorted(spreads, reverse=True)
    summary = report.summary()
    assert summary["input_per_1m"] == {"count": 3, "largest_spread": "1", "models": 3}
    assert list(summary)[-1] == "max_output_tokens"
    disagreeing = {(d.model, d.platform) for d in report.discrepancies}
    assert report.models_compared > len(disagreeing)


def test_min_percent_filters_and_the_registrys_costs(builtin: Engine) -> None:
    results = [load_source(kind, str(path)) for kind, path in SOURCES[:2]]
    big = discrepancy_report(builtin, results, min_percent=Decimal(50))
    assert {d.field for d in big.discrepancies} == {
        "cached_input_per_1m",
        "input_per_1m",
        "output_per_1m",
        "max_output_tokens",
        "per_request",  # tavily: 0.008 against the registry's 0.001
    }
    # a spread over zero counts as larger than any percentage: it stays
    assert all(d.percent is None or d.percent >= 50 for d in big.discrepancies)
    assert any(d.percent is None for d in big.discrepancies)
    without = discrepancy_report(builtin, results, registry_prices=False)
    for row in without.discrepancies:
        if row.field.endswith("_per_1m"):
            assert "registry" not in row.values
    limits = _rows(without)[("google-gemini-25-pro", "direct", "context_window")]
    assert "registry" in limits.values
    only = discrepancy_report(builtin, results, fields=["input_per_1m"], providers=["google"])
    assert {(d.model, d.field) for d in only.discrepancies} <= {
        ("google-gemini-25-pro", "input_per_1m")
    }
    assert all(d.provider == "google" for d in only.discrepancies)
    with pytest.raises(ValidationError, match="unknown field 'price'"):
        discrepancy_report(builtin, results, fields=["price"])


def test_only_the_same_endpoint_is_paired(builtin: Engine) -> None:
    world = [load_source(kind, path) for kind, path in WORLD_SOURCES]
    report = discrepancy_report(builtin, world)
    # mistral-large: LiteLLM's "latest" (0.5) never meets models.dev's 2411 (2)
    for row in report.discrepancies:
        if row.model == "mistral-large" and row.field == "input_per_1m":
            assert Decimal("0.5") not in row.values.values()
    # OpenRouter's copy in models.dev (16) against OpenRouter's own listing (15)
    opus = _rows(report)[("claude-opus-4-1", "openrouter", "input_per_1m")]
    assert opus.values == {"models-dev": Decimal(16), "openrouter": Decimal(15)}
    assert not opus.in_registry
    known = discrepancy_report(builtin, world, in_registry=True)
    assert known.discrepancies and all(d.in_registry for d in known.discrepancies)


# ----------------------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('diff') / 'radiant.db'}"
    migrate(url)
    engine = make_engine(url)
    sync_catalog(engine, load_catalog())
    _, token = AdminService(engine).create_admin(None, "root@example.test", "super_admin")
    engine.dispose()
    return url, token


def _diff_args(*extra: str) -> list[str]:
    args = ["catalog", "diff"]
    for kind, path in SOURCES:
        args += ["--source", f"{kind}={path}"]
    return [*args, *extra]


def test_catalog_diff_command(cli_db: tuple[str, str]) -> None:
    url, token = cli_db
    runner = CliRunner()
    plain = runner.invoke(cli_app, ["--database-url", url, *_diff_args("--json")])
    assert plain.exit_code == 0, plain.output
    data = json.loads(plain.output)
    rows = {(d["model"], d["field"]): d for d in data["discrepancies"]}
    assert rows[("openai-o3", "input_per_1m")]["values"] == {"litellm": "1", "models-dev": "2"}
    assert rows[("openai-o3", "input_per_1m")]["percent"] == "100"
    assert data["sources"] == ["litellm", "models-dev", "openrouter", "registry"]
    assert data["summary"]["input_per_1m"]["count"] >= 1
    filtered = runner.invoke(
        cli_app,
        [
            "--database-url",
            url,
            *_diff_args("--json", "--field", "max_output_tokens", "--in-registry"),
        ],
    )
    assert filtered.exit_code == 0, filtered.output
    picked = json.loads(filtered.output)["discrepancies"]
    assert picked and {d["field"] for d in picked} == {"max_output_tokens"}
    assert all(d["in_registry"] for d in picked)

    admin = runner.invoke(
        cli_app,
        [
            "--database-url",
            url,
            "--token",
            token,
            *_diff_args("--admin", "--json", "--min-percent", "50"),
        ],
    )
    assert admin.exit_code == 0, admin.output
    admin_rows = {(d["model"], d["field"]): d for d in json.loads(admin.output)["discrepancies"]}
    assert admin_rows[("openai-o3", "input_per_1m")]["values"]["registry"] == "2"
    assert all(Decimal(d["percent"]) >= 50 for d in admin_rows.values() if d["percent"])

    table = runner.invoke(cli_app, ["--database-url", url, *_diff_args("--limit", "3")])
    assert table.exit_code == 0, table.output
    assert "disagreement(s)" in table.output and "more (--limit" in table.output
    assert "input_per_1m: " in table.output and "largest spread" in table.output
    assert "openai-o3" in table.output or "gemini" in table.output


def test_catalog_diff_bad_input(cli_db: tuple[str, str]) -> None:
    url, _ = cli_db
    runner = CliRunner()
    anonymous = runner.invoke(cli_app, ["--database-url", url, *_diff_args("--admin")])
    assert isinstance(anonymous.exception, AuthenticationError)
    bad = runner.invoke(cli_app, ["--database-url", url, *_diff_args("--min-percent", "lots")])
    assert isinstance(bad.exception, ValidationError)
    assert "--min-percent must be a number" in str(bad.exception)
    field = runner.invoke(cli_app, ["--database-url", url, *_diff_args("--field", "price")])
    assert isinstance(field.exception, ValidationError)
    assert "unknown field 'price'" in str(field.exception)
    wrong = runner.invoke(
        cli_app, ["--database-url", url, "catalog", "diff", "--source", "helicone=x.json"]
    )
    assert isinstance(wrong.exception, ValidationError)
    missing = runner.invoke(
        cli_app, ["--database-url", url, "catalog", "diff", "--source", "litellm=/nope.json"]
    )
    assert isinstance(missing.exception, ValidationError)
    assert "no such file: /nope.json" in str(missing.exception)


# ----------------------------------------------------------------------------- API


class _Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = CATALOGS / self.path.lstrip("/")
        if not path.is_file():
            self.send_response(404)
            self.end_headers()
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def files() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api(migrated: Engine) -> Iterator[tuple[FastAPI, TestClient]]:
    sync_catalog(migrated, load_catalog())
    app = create_app(Registry(migrated))
    with TestClient(app) as client:
        yield app, client


@pytest.mark.slow
def test_diff_endpoint(api: tuple[FastAPI, TestClient], bearer: Bearer, files: str) -> None:
    app, client = api
    body = {
        "sources": [
            {"name": "litellm", "url": f"{files}/litellm.json"},
            {"name": "models-dev", "url": f"{files}/models_dev.json"},
        ],
        "min_percent": "10",
    }
    assert client.post("/api/v2/admin/catalog/diff", json=body).status_code == 401

    # the server fetches what the caller names: an auditor may not make it do that
    auditor = client.post(
        "/api/v2/admin/catalog/diff", json=body, headers=bearer(app, Role.AUDITOR)
    )
    assert auditor.status_code == 403, auditor.text
    syncer = Principal(
        PrincipalKind.ADMIN,
        subject_id="test-syncer",
        name="syncer@example.test",
        role=Role.OPERATOR,
        permissions=frozenset({Permission.ADMIN_READ, Permission.SYNC_RUN}),
    )
    no_cost = client.post("/api/v2/admin/catalog/diff", json=body, headers=bearer(app, syncer))
    assert no_cost.status_code == 200, no_cost.text
    rows = {(d["model"], d["field"]): d for d in no_cost.json()["discrepancies"]}
    prices = [d for d in rows.values() if d["field"].endswith("_per_1m")]
    assert prices and all("registry" not in d["values"] for d in prices)  # costs: not for them
    assert rows[("openai-o3", "input_per_1m")]["values"] == {"litellm": "1", "models-dev": "2"}
    assert all(Decimal(d["percent"]) >= 10 for d in rows.values() if d["percent"] is not None)

    admin = client.post("/api/v2/admin/catalog/diff", json=body, headers=bearer(app, Role.ADMIN))
    admin_rows = {(d["model"], d["field"]): d for d in admin.json()["discrepancies"]}
    assert admin_rows[("openai-o3", "input_per_1m")]["values"]["registry"] == "2"
    narrow = {**body, "fields": ["input_per_1m"], "in_registry": True, "providers": ["openai"]}
    only = client.post("/api/v2/admin/catalog/diff", json=narrow, headers=bearer(app, Role.ADMIN))
    assert only.status_code == 200, only.text
    assert {(d["field"], d["provider"]) for d in only.json()["discrepancies"]} == {
        ("input_per_1m", "openai")
    }
    bad = client.post(
        "/api/v2/admin/catalog/diff",
        json={**body, "fields": ["price"]},
        headers=bearer(app, Role.ADMIN),
    )
    assert bad.status_code == 422 and "unknown field 'price'" in bad.json()["detail"]


@pytest.mark.slow
def test_diff_endpoint_refuses_paths_and_bad_sources(
    api: tuple[FastAPI, TestClient], bearer: Bearer, files: str
) -> None:
    app, client = api
    headers = bearer(app, Role.ADMIN)
    path = {"sources": [{"name": "litellm", "url": str(CATALOGS / "litellm.json")}]}
    refused = client.post("/api/v2/admin/catalog/diff", json=path, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "must start with http" in refused.json()["detail"]
    missing = {"sources": [{"name": "openrouter", "url": f"{files}/nope.json"}]}
    gone = client.post("/api/v2/admin/catalog/diff", json=missing, headers=headers)
    assert gone.status_code == 422 and "HTTP 404" in gone.json()["detail"]
    unknown = {"sources": [{"name": "helicone", "url": f"{files}/litellm.json"}]}
    assert (
        client.post("/api/v2/admin/catalog/diff", json=unknown, headers=headers).status_code == 422
    )
