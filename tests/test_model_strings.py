"""Route model strings are the platforms' own ids: the rule of each platform accepts the ids
its list-models API returns and refuses the short names a catalog might invent, every
route of the built-in catalog fits its platform's rule, and a user's catalog that does
not fit loads with a warning the sync run reports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from radiant.catalog import load_catalog
from radiant.catalog.model_strings import RULES, model_string_problem
from radiant.settings import Settings
from radiant.sync.runner import run_job

#: ids as each platform's models list (and its documentation) gives them
REAL: dict[str, list[str]] = {
    "together": [
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "Qwen/Qwen2.5-Coder-32B-Instruct",
        "deepseek-ai/DeepSeek-V3",
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
    ],
    "fireworks": [
        "accounts/fireworks/models/llama-v3p3-70b-instruct",
        "accounts/fireworks/models/qwen2p5-coder-32b-instruct",
        "accounts/fireworks/models/SSD-1B",
        "accounts/fireworks/routers/kimi-k2p6-turbo",
    ],
    "groq": [
        "llama-3.3-70b-versatile",
        "meta-llama/llama-4-scout-17b-16e-instruct",
        "openai/gpt-oss-120b",
        "whisper-large-v3-turbo",
    ],
    "bedrock": [
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "us.anthropic.claude-opus-4-20250514-v1:0",
        "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "meta.llama3-3-70b-instruct-v1:0",
        "amazon.nova-pro-v1:0",
        "anthropic.claude-opus-4-6-v1",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x-v1:0",
    ],
    "vertex_ai": [
        "claude-sonnet-4-5@20250929",
        "claude-opus-4@20250514",
        "claude-opus-4-6@default",
        "gemini-2.5-pro",
        "meta/llama-3.3-70b-instruct-maas",
    ],
    "openrouter": ["openai/gpt-5-nano", "meta-llama/llama-3.3-70b-instruct:free"],
    "replicate": ["black-forest-labs/flux-schnell", "meta/llama-3-70b-instruct"],
}
#: what a catalog might write instead, and each platform would refuse
WRONG: dict[str, list[str]] = {
    "together": ["llama-3.3-70b", "qwen-2.5-coder"],
    "fireworks": ["llama-v3p3-70b-instruct", "fireworks/llama-v3p3-70b-instruct"],
    "groq": ["Llama-3.3-70B-Versatile", "llama 3.3"],
    "bedrock": ["claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "claude-sonnet-4-5@20250929"],
    "vertex_ai": ["Gemini-2.5-Pro", "models/gemini 2.5"],
    "openrouter": ["gpt-5-nano", "OpenAI/GPT-5"],
    "replicate": ["flux-schnell"],
}


def test_the_five_hosts_and_clouds_have_a_rule() -> None:
    assert {"together", "fireworks", "groq", "bedrock", "vertex_ai"} <= set(RULES)
    assert set(REAL) == set(WRONG) == set(RULES)


@pytest.mark.parametrize("platform", sorted(RULES))
def test_a_rule_takes_the_platforms_ids_and_refuses_invented_ones(platform: str) -> None:
    for model_string in REAL[platform]:
        assert model_string_problem(platform, model_string) is None, model_string
    for model_string in WRONG[platform]:
        problem = model_string_problem(platform, model_string)
        assert problem is not None and repr(model_string) in problem, model_string


def test_claude_on_vertex_needs_its_version() -> None:
    assert model_string_problem("vertex_ai", "claude-opus-4", "anthropic") is not None
    assert model_string_problem("vertex_ai", "claude-opus-4@20250514", "anthropic") is None
    assert model_string_problem("vertex_ai", "gemini-2.5-pro", "google") is None
    # platforms without a rule name models as their owner chooses
    assert model_string_problem("direct", "anything at all") is None
    assert model_string_problem("azure_openai", "my-gpt-deployment") is None


def test_every_route_of_the_builtin_catalog_uses_its_platforms_ids() -> None:
    catalog = load_catalog()
    checked: dict[str, int] = {}
    for route in catalog.routes.values():
        provider = catalog.models[route.model_id].provider_id
        problem = model_string_problem(route.platform_id, route.model_string, provider)
        assert problem is None, (route.id, problem)
        if route.platform_id in RULES:
            checked[route.platform_id] = checked.get(route.platform_id, 0) + 1
    assert {"together", "bedrock", "vertex_ai"} <= set(checked)  # the rules had routes to check
    assert catalog.warnings == []
    together = catalog.routes["llama-3.3-70b@together"]
    assert together.model_string == "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    assert catalog.routes["qwen-2.5-coder@together"].model_string == (
        "Qwen/Qwen2.5-Coder-32B-Instruct"
    )
    # the ids tenants' grants name are unchanged
    assert {"llama-3.3-70b", "qwen-2.5-coder"} <= set(catalog.models)


def _with_route(catalog_dir: Path, platform: str, model_string: str) -> None:
    """Give the small catalog's acme-small a route on ``platform``."""
    platforms = catalog_dir / "platforms.yaml"
    data = yaml.safe_load(platforms.read_text())
    data["platforms"].append(
        {"id": platform, "name": platform.title(), "kind": "host", "auth_type": "api_key"}
    )
    platforms.write_text(yaml.safe_dump(data))
    models = catalog_dir / "models" / "acme.yaml"
    data = yaml.safe_load(models.read_text())
    small = next(m for m in data["models"] if m["id"] == "acme-small")
    small["routes"].append({"platform_id": platform, "model_string": model_string})
    models.write_text(yaml.safe_dump(data))


def test_a_users_catalog_with_a_wrong_string_loads_with_a_warning(
    small_catalog: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert load_catalog(small_catalog).warnings == []
    _with_route(small_catalog, "together", "acme-small")
    with caplog.at_level("WARNING", logger="radiant.catalog.loader"):
        catalog = load_catalog(small_catalog)
    [warning] = catalog.warnings
    assert warning.startswith("models/acme.yaml: entry 'acme-small': ")
    assert "'acme-small' is not of the platform's form: organisation/Model-Name" in warning
    assert warning in caplog.text
    assert "acme-small@together" in catalog.routes  # it still loads: a warning, not an error


def test_a_catalog_sync_reports_the_warnings(migrated: Engine, small_catalog: Path) -> None:
    _with_route(small_catalog, "groq", "Acme Small")
    run = run_job(
        migrated,
        "catalog",
        options={"directory": str(small_catalog), "estimates": False},
        settings=Settings(database_url="sqlite://"),
    )
    assert run.ok
    [warning] = run.errors
    assert "field 'routes.groq.model_string'" in warning and "'Acme Small'" in warning
