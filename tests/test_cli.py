"""``radiant`` commands, run as a user would (in this process, as a fresh one would run
them: ``cli_in_process``), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_in_process import run_radiant
from database_copies import built_once, copy_of


def run(url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADIANT_DATABASE_URL": url, "COLUMNS": "200"}
    result = run_radiant(args, env=env)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def as_json(url: str, *args: str) -> Any:
    return json.loads(run(url, *args, "--json").stdout)


def load(url: str) -> None:
    run(url, "db", "upgrade")
    run(url, "sync", "catalog")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def loaded_template(request: pytest.FixtureRequest) -> str:
    return built_once(request, load)


@pytest.fixture(scope="module", params=["sqlite"])
def loaded_sqlite_template(request: pytest.FixtureRequest) -> str:
    return built_once(request, load)


@pytest.fixture
def loaded(loaded_template: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database with the built-in catalog synced, on each backend."""
    with copy_of(loaded_template, tmp_path) as url:
        yield url


@pytest.fixture
def loaded_sqlite(loaded_sqlite_template: str, tmp_path: Path) -> Iterator[str]:
    with copy_of(loaded_sqlite_template, tmp_path) as url:
        yield url


def test_models_show_json(loaded: str) -> None:
    model = as_json(loaded, "models", "show", "gpt-4o")
    for key in (
        "id",
        "aliases",
        "provider",
        "hosting_type",
        "capabilities",
        "context_window",
        "routes",
    ):
        assert key in model
    assert model["id"] == "openai-gpt-4o"
    assert model["provider"] == "openai" and model["hosting_type"] == "external"
    route = model["routes"][0]
    assert route["platform"] == "direct" and route["model_string"] == "gpt-4o-2024-08-06"
    # prices (the 2.50 / 10.00 cost with the 40 % markup), decimal strings, never floats
    assert route["price"]["input_per_1m"] == "3.5"
    assert route["price"]["output_per_1m"] == "14"
    assert "cost" not in route

    self_hosted = as_json(loaded, "models", "show", "sagemaker/alphafold2")
    route = self_hosted["routes"][0]
    assert self_hosted["hosting_type"] == "self_hosted"
    # self-hosted: the 75 % markup; the cost only with --admin
    assert route["price"]["per_hour"] == "24.99" and route["price"]["per_request"] == "4.375"
    assert "cost" not in route and "markup_percent" not in route["self_hosted"]
    created = run(loaded, "admin", "create", "root@example.test").stdout
    token = created.split("token: ", 1)[1].split()[0]
    admin = as_json(loaded, "--token", token, "models", "show", "sagemaker/alphafold2", "--admin")[
        "routes"
    ][0]
    assert admin["cost"]["per_hour"] == "14.28" and admin["markup_percent"] == "75"


def test_listing_search_and_overviews(loaded: str) -> None:
    listing = as_json(
        loaded,
        "models",
        "list",
        "--capability",
        "vision",
        "--provider",
        "anthropic",
        "--limit",
        "100",
    )
    assert listing["count"] == len(listing["data"]) > 0
    assert all("vision" in m["capabilities"] for m in listing["data"])
    audio = as_json(
        loaded,
        "models",
        "list",
        "--input-modality",
        "audio",
        "--exclude-capability",
        "vision",
        "--sort",
        "context_window",
        "--descending",
        "--limit",
        "100",
    )
    assert audio["data"] and all("audio" in m["input_modalities"] for m in audio["data"])
    assert all("vision" not in m["capabilities"] for m in audio["data"])
    windows = [m["context_window"] for m in audio["data"] if m["context_window"] is not None]
    assert windows == sorted(windows, reverse=True)
    found = as_json(loaded, "models", "search", "alphafold")
    blank = run(loaded, "models", "search", " ", ok=False)  # as the API: a mistake, said so
    assert blank.returncode != 0 and blank.stderr.strip().endswith("(the query is empty)")
    assert len(blank.stderr.strip().splitlines()) == 1
    assert found["data"][0]["id"] == "alphafold2"
    providers = as_json(loaded, "providers", "list")
    assert "xai" in {p["id"] for p in providers["data"]}
    platforms = as_json(loaded, "platforms", "list")
    assert {p["id"] for p in platforms["data"]} >= {"direct", "openrouter", "local"}
    stats = as_json(loaded, "stats")
    hosting = stats["by_hosting_type"]  # one kind a model: the counts add up
    assert sum(hosting.values()) == stats["models"]
    assert hosting["self_hosted"] + hosting["hybrid"] == 56  # one has both kinds

    table = run(loaded, "models", "list", "--provider", "xai").stdout
    assert "xai-grok-4-1-fast" in table  # whole ids, even when piped
    assert "$0.28 / $0.7 per 1M" in table  # prices: the 0.20 / 0.50 cost + 40 %
    shown = run(loaded, "models", "show", "grok-4").stdout
    assert "Grok 4" in shown and "direct" in shown


def test_second_sync_reports_no_change(loaded: str) -> None:
    report = as_json(loaded, "sync", "catalog")
    assert report["status"] == "completed"
    assert report["models_added"] == report["models_updated"] == report["prices_changed"] == 0


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("models", "show", "gpt-4-o"), 3, "did you mean"),
        (("models", "show"), 2, "Missing argument"),
        (("models", "list", "--limit", "0"), 2, "limit"),
        (("models", "list", "--hosting-type", "cloudy"), 2, "hosting_type"),
        (("models", "list", "--limit", "many"), 2, "--limit"),
        (("sync", "catalog", "--dir", "/nonexistent/catalog"), 2, "is not a directory"),
        (("frobnicate",), 2, "No such command"),
    ],
)
def test_bad_input_gives_one_line_and_non_zero_exit(
    loaded_sqlite: str, args: tuple[str, ...], code: int, fragment: str
) -> None:
    result = run(loaded_sqlite, *args, ok=False)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0]


def test_unmigrated_database_says_what_to_do(tmp_path: Path) -> None:
    result = run(f"sqlite:///{tmp_path / 'empty.db'}", "stats", ok=False)
    assert result.returncode == 5
    assert "radiant db upgrade" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_sync_from_a_directory(tmp_path: Path, sqlite_db: str) -> None:
    small = Path(__file__).parent / "fixtures" / "catalog_small"
    run(sqlite_db, "db", "upgrade")
    report = as_json(sqlite_db, "sync", "catalog", "--dir", str(small))
    assert report["models_added"] == 4
    assert as_json(sqlite_db, "models", "show", "acme/large")["id"] == "acme-large"
