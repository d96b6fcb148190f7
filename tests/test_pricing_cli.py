"""The pricing CLI: prices by default, costs only with --admin, for every model; writes
(markups, alerts) as one clear line, errors as one ``error:`` line."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest
from typer.testing import CliRunner

from cli_in_process import run_radiant
from conftest import migrate
from radiant.catalog import load_catalog
from radiant.cli import app
from radiant.errors import AuthenticationError, PermissionDeniedError
from radiant.manage.administrators import AdminService
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog

FORBIDDEN = ("cost", "margin", "markup")
#: database URL -> the token of its super administrator
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'radiant.db'}"
    migrate(db)
    engine = make_engine(db)
    sync_catalog(engine, load_catalog())
    _, TOKENS[db] = AdminService(engine).create_admin(None, "root@example.test", "super_admin")
    engine.dispose()
    return db


def invoke(url: str, *args: str) -> Any:
    result = run_radiant(["--database-url", url, "--token", TOKENS[url], *args])
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout + result.stderr


def keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


#: the catalog's models are shown in this many parts, each a test of its own: one test
#: showing all of them twice (about 300 commands) was the longest of the suite
_PARTS = 4


@pytest.mark.parametrize("part", range(_PARTS))
def test_models_show_without_admin_never_shows_a_cost(url: str, part: int) -> None:
    models = sorted(load_catalog().models)
    assert len(models) > 100
    for model_id in models[part::_PARTS]:
        detail = json.loads(invoke(url, "models", "show", model_id, "--json"))
        found = [k for k in keys(detail) if any(word in k.lower() for word in FORBIDDEN)]
        assert not found, (model_id, found)
        text = invoke(url, "models", "show", model_id)
        assert "cost on" not in text
    if part:
        return
    listing = json.loads(invoke(url, "models", "list", "--limit", "1000", "--json"))
    assert not [k for k in keys(listing) if any(w in k.lower() for w in FORBIDDEN)]


def test_price_and_compare_views(url: str) -> None:
    client = json.loads(
        invoke(
            url,
            "price",
            "gpt-4o",
            "--input-tokens",
            "1000000",
            "--output-tokens",
            "1000000",
            "--json",
        )
    )
    assert client["total_price_usd"] == "17.50" and "total_cost" not in client
    admin = json.loads(
        invoke(
            url,
            "price",
            "gpt-4o",
            "--input-tokens",
            "1000000",
            "--output-tokens",
            "1000000",
            "--json",
            "--admin",
        )
    )
    assert admin["total_cost"] == "12.5" and admin["margin"] == "5"
    compared = json.loads(invoke(url, "pricing", "compare", "--task", "chat", "--json"))
    assert compared and not [k for k in keys(compared) if any(w in k.lower() for w in FORBIDDEN)]
    admin_view = json.loads(
        invoke(url, "pricing", "compare", "--model", "gpt-4o", "--admin", "--json")
    )
    assert admin_view[0]["cost"]["input_per_1m"] == "2.5"


def test_markup_and_alert_commands(url: str) -> None:
    out = invoke(url, "pricing", "markup", "model", "gpt-4o", "25", "--reason", "pilot")
    assert "markup 25% set by root@example.test" in out
    price = json.loads(invoke(url, "price", "gpt-4o", "--input-tokens", "1000000", "--json"))
    assert price["total_price"] == "3.125"
    invoke(url, "pricing", "markup", "model", "gpt-4o", "--remove")
    assert "alerts raised 12" in invoke(url, "pricing", "estimate")
    alerts = json.loads(invoke(url, "alerts", "list", "--json"))
    first = str(alerts[0]["id"])
    assert "acknowledged" in invoke(url, "alerts", "ack", first)
    assert "adjusted" in invoke(url, "alerts", "adjust", first, "--input-per-1m", "3")
    assert "resolved" in invoke(url, "alerts", "resolve", first)


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADIANT_DATABASE_URL": url, "RADIANT_TOKEN": TOKENS[url]}
    return run_radiant(args, env=env)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("price", "no-such-model", "--input-tokens", "5"), 3),
        (("price", "gpt-4o", "--seconds", "abc"), 2),
        (("pricing", "markup", "region", "x", "5"), 2),
        (("alerts", "ack", "999999"), 3),
        (("alerts", "list", "--status", "weird"), 2),
    ],
)
def test_errors_are_one_line(url: str, args: tuple[str, ...], code: int) -> None:
    result = run(url, *args)
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_costs_and_writes_need_a_token_that_allows_them(url: str) -> None:
    runner = CliRunner()
    anonymous = runner.invoke(
        app, ["--database-url", url, "price", "gpt-4o", "--input-tokens", "5", "--admin"]
    )
    assert isinstance(anonymous.exception, AuthenticationError)  # main() prints it, exit 6
    write = runner.invoke(app, ["--database-url", url, "pricing", "markup", "model", "gpt-4o", "9"])
    assert isinstance(write.exception, AuthenticationError)
    engine = make_engine(url)
    admins = AdminService(engine)
    boss = admins.authenticate(TOKENS[url])
    assert boss is not None
    from radiant.core.context import WriteContext

    _, auditor = admins.create_admin(WriteContext(boss), "audit@example.test", "auditor")
    engine.dispose()
    peek = runner.invoke(
        app,
        ["--database-url", url, "--token", auditor, "price", "gpt-4o", "--input-tokens", "5"]
        + ["--admin"],
    )
    assert isinstance(peek.exception, PermissionDeniedError)
    assert "may not read costs" in str(peek.exception)
