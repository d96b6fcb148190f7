"""A small catalog whose platforms and providers point at a fake upstream (not a test module)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from radiant.catalog import load_catalog
from radiant.sync import sync_catalog

_CATALOG = """\
name: discovery-test-catalog
as_of: 2025-01-01
"""

_PLATFORMS = """\
platforms:
- id: direct
  name: Direct
  kind: direct
- id: openrouter
  name: OpenRouter
  kind: aggregator
  base_url: {base}/openrouter/api/v1
  openai_compatible: true
  auth_config:
    api_key_env: OPENROUTER_API_KEY
- id: hostco
  name: HostCo
  kind: host
  base_url: {base}/openai/v1
  openai_compatible: true
  auth_config:
    api_key_env: HOSTCO_API_KEY
- id: bedrock
  name: Bedrock
  kind: cloud
  base_url: https://bedrock-runtime.amazonaws.com
  auth_type: iam
"""

_PROVIDERS = """\
providers:
- id: anthropic
  name: anthropic
  display_name: Anthropic
  category: text_generation
  api_base_url: {base}/anthropic/v1
  api_key_env: ANTHROPIC_API_KEY
- id: google
  name: google
  display_name: Google
  category: text_generation
  api_base_url: {base}/gemini/v1beta
  secret_ref: radiant/providers/google
- id: acme
  name: acme
  display_name: Acme
  category: text_generation
"""

_MODELS = """\
models:
- id: claude-one
  provider_id: anthropic
  name: claude-one
  display_name: Claude One
  category: text_generation
  capabilities: [chat]
  routes:
  - platform_id: direct
    model_string: claude-one-20250101
  - platform_id: openrouter
    model_string: anthropic/claude-one
    priority: 2
- id: claude-two
  provider_id: anthropic
  name: claude-two
  display_name: Claude Two
  description: from the catalog
  category: text_generation
  capabilities: [chat]
  routes:
  - platform_id: direct
    model_string: claude-two
- id: gemini-pro
  provider_id: google
  name: gemini-pro
  display_name: Gemini Pro
  category: text_generation
  capabilities: [chat]
  routes:
  - platform_id: direct
    model_string: gemini-pro
- id: acme-llama
  provider_id: acme
  name: acme-llama
  display_name: Acme Llama
  category: text_generation
  capabilities: [chat]
  routes:
  - platform_id: hostco
    model_string: llama-3-70b
"""


def write_catalog(directory: Path, base: str) -> Path:
    (directory / "models").mkdir(parents=True, exist_ok=True)
    (directory / "catalog.yaml").write_text(_CATALOG)
    (directory / "platforms.yaml").write_text(_PLATFORMS.format(base=base))
    (directory / "providers.yaml").write_text(_PROVIDERS.format(base=base))
    (directory / "models" / "all.yaml").write_text(_MODELS)
    return directory


def seed_catalog(engine: Engine, directory: Path, base: str) -> None:
    sync_catalog(engine, load_catalog(write_catalog(directory, base)), source="test")
