"""``radiant export litellm-config``: a LiteLLM proxy config.yaml of the built-in catalog."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from conftest import migrate
from radiant.catalog import load_catalog
from radiant.cli import app
from radiant.domain.routing_rule import RoutingRule, RuleAction, RuleConditions
from radiant.registry.litellm_export import litellm_config, to_yaml
from radiant.registry.snapshot import Snapshot
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    c = load_catalog()
    return Snapshot.build(
        1, c.platforms.values(), c.providers.values(), c.models.values(), c.routes.values()
    )


def deployments(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["model_name"]: d for d in config["model_list"]}


def fallbacks(config: dict[str, Any]) -> dict[str, list[str]]:
    return {k: v for item in config["router_settings"]["fallbacks"] for k, v in item.items()}


def per_token(per_1m: str) -> float:
    return float(Decimal(per_1m) / 1_000_000)


def test_the_config_parses_and_names_each_route(snapshot: Snapshot) -> None:
    text = to_yaml(litellm_config(snapshot).config)
    config = yaml.safe_load(text)
    assert set(config) == {"model_list", "router_settings"}
    found = deployments(config)
    assert len(found) == len(config["model_list"])  # every model_name is unique

    nano = found["openai-gpt-5-nano"]
    assert nano["litellm_params"] == {
        "model": "openai/gpt-5-nano",
        "api_key": "os.environ/OPENAI_API_KEY",
    }
    assert nano["model_info"]["mode"] == "chat"
    assert nano["model_info"]["input_cost_per_token"] == per_token("0.05")
    assert nano["model_info"]["output_cost_per_token"] == per_token("0.4")
    assert nano["model_info"]["max_input_tokens"] == 400_000
    # prices are plain decimals, as LiteLLM's own files write them
    assert "input_cost_per_token: 0.00000005\n" in text

    openrouter = found["openai-gpt-5-nano@openrouter"]["litellm_params"]
    assert openrouter == {
        "model": "openrouter/openai/gpt-5-nano",
        "api_base": "https://openrouter.ai/api/v1",
        "api_key": "os.environ/OPENROUTER_API_KEY",
    }
    azure = found["openai-gpt-5-nano@azure_openai"]["litellm_params"]
    assert azure["model"] == "azure/gpt-5-nano"
    assert azure["api_base"] == "os.environ/AZURE_OPENAI_ENDPOINT"
    assert azure["api_key"] == "os.environ/AZURE_OPENAI_API_KEY"

    sonnet = found["anthropic-claude-sonnet-4-5"]
    assert sonnet["litellm_params"]["model"].startswith("anthropic/claude-sonnet-4-5")
    assert sonnet["model_info"]["cache_read_input_token_cost"] == per_token("0.3")
    bedrock = found["anthropic-claude-sonnet-4-5@bedrock"]["litellm_params"]
    assert bedrock["model"].startswith("bedrock/")
    assert bedrock["aws_region_name"] == "os.environ/AWS_REGION"
    assert "api_base" not in bedrock and "api_key" not in bedrock  # AWS credentials

    embedding = found["openai-text-embedding-3-small"]["model_info"]
    assert (embedding["mode"], embedding["input_cost_per_token"]) == ("embedding", 2e-08)
    whisper = found["openai-whisper-1"]["model_info"]
    assert (whisper["mode"], whisper["input_cost_per_second"]) == ("audio_transcription", 1e-4)
    tts = found["openai-tts-1"]["model_info"]
    assert (tts["mode"], tts["input_cost_per_character"]) == ("audio_speech", 1.5e-05)
    assert found["openai-dall-e-3"]["model_info"]["output_cost_per_image"] == 0.04


def test_router_settings_follow_each_models_fallback_chain(snapshot: Snapshot) -> None:
    config = yaml.safe_load(to_yaml(litellm_config(snapshot).config))
    router = config["router_settings"]
    assert (router["allowed_fails"], router["cooldown_time"]) == (3, 60)
    chains = fallbacks(config)
    # the catalog's chain: direct (1), openrouter (2), azure (3)
    assert chains["openai-gpt-5-nano"] == [
        "openai-gpt-5-nano@openrouter",
        "openai-gpt-5-nano@azure_openai",
    ]
    names = set(deployments(config))
    assert all(set(chain) <= names for chain in chains.values())
    assert router["model_group_alias"]["gpt-5-nano"] == "openai-gpt-5-nano"


def test_fallback_rules_on_models_become_litellm_fallbacks(snapshot: Snapshot) -> None:
    rules = [
        RoutingRule(
            id="r-nano",
            name="nano falls back to haiku",
            action=RuleAction.FALLBACK,
            conditions=RuleConditions(models=["openai-gpt-5-n*"]),
            fallback_models=["anthropic-claude-haiku-4-5"],
        ),
        RoutingRule(
            id="r-tier",
            name="only for tier 1",
            action=RuleAction.FALLBACK,
            conditions=RuleConditions(models=["openai-gpt-5-nano"], tenant_tiers=[1]),
            fallback_models=["openai-gpt-5-mini"],
        ),
        RoutingRule(
            id="r-tenant",
            tenant_id="t1",
            name="a tenant's",
            action=RuleAction.FALLBACK,
            fallback_models=["openai-gpt-5-mini"],
        ),
    ]
    export = litellm_config(snapshot, rules, allowed_fails=5, cooldown_time=30.5)
    chains = fallbacks(yaml.safe_load(to_yaml(export.config)))
    assert chains["openai-gpt-5-nano"][-1] == "anthropic-claude-haiku-4-5"
    assert "openai-gpt-5-mini" not in chains["openai-gpt-5-nano"]
    assert sorted(rule for rule, _ in export.skipped_rules) == ["r-tenant", "r-tier"]
    assert export.config["router_settings"]["cooldown_time"] == Decimal("30.5")


def test_the_export_command_writes_the_registry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'radiant.db'}"
    migrate(url)
    engine = make_engine(url)
    sync_catalog(engine, load_catalog())
    engine.dispose()
    target = tmp_path / "config.yaml"
    result = CliRunner().invoke(
        app, ["--database-url", url, "export", "litellm-config", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    config = yaml.safe_load(target.read_text())
    assert "openai-gpt-5-nano" in deployments(config)
    assert "wrote" in result.output

    printed = CliRunner().invoke(app, ["--database-url", url, "export", "litellm-config"])
    assert printed.exit_code == 0
    assert yaml.safe_load(printed.stdout) == config
