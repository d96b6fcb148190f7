"""A fake provider server on 127.0.0.1 for the health probes, and a catalog pointing at it
(not a test module)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from local_server import serve_app
from radiant.catalog import load_catalog
from radiant.sync import sync_catalog

KEY = "sk-health-test"


class Upstream:
    """What the fake answers under each path prefix; ``slow_seconds`` for ``/slow``."""

    def __init__(self) -> None:
        self.base = ""
        self.slow_seconds = 2.0
        self.down: set[str] = set()  # prefixes answering 503 right now
        self.seen_auth: dict[str, str | None] = {}


async def _models(request: Request) -> Response:
    upstream: Upstream = request.app.state.upstream
    kind = request.path_params["kind"]
    auth = request.headers.get("authorization") or request.headers.get("x-api-key")
    upstream.seen_auth[kind] = auth
    if kind in upstream.down:
        return JSONResponse({"error": "down"}, status_code=503)
    if kind == "slow":
        await asyncio.sleep(upstream.slow_seconds)
    if kind == "error":
        return JSONResponse({"error": "internal"}, status_code=500)
    if kind == "limited":
        return JSONResponse({"error": "slow down"}, status_code=429, headers={"Retry-After": "7"})
    if kind == "garbage":
        return PlainTextResponse("<html>not a models list", status_code=200)
    if kind == "anthropic" and request.headers.get("anthropic-version") is None:
        return JSONResponse({"error": "anthropic-version missing"}, status_code=400)
    if auth not in (f"Bearer {KEY}", KEY):
        return JSONResponse({"error": "bad key"}, status_code=401)
    return JSONResponse({"data": [{"id": "model-a"}, {"id": "model-b"}]})


@contextmanager
def serve() -> Iterator[Upstream]:
    upstream = Upstream()
    app = Starlette(routes=[Route("/{kind}/v1/models", _models)])
    app.state.upstream = upstream
    with serve_app(app, lifespan="off") as base:
        upstream.base = base
        yield upstream


_CATALOG = "name: health-test-catalog\nas_of: 2025-01-01\n"

_PLATFORMS = """\
platforms:
- id: direct
  name: Direct
  kind: direct
- id: hostco
  name: HostCo
  kind: host
  base_url: {base}/healthy/v1
  openai_compatible: true
  auth_config:
    api_key_env: HOSTCO_API_KEY
- id: brokenco
  name: BrokenCo
  kind: host
  base_url: {base}/error/v1
  openai_compatible: true
  auth_config:
    api_key_env: HOSTCO_API_KEY
- id: nokeyco
  name: NoKeyCo
  kind: host
  base_url: {base}/healthy/v1
  openai_compatible: true
  auth_config:
    api_key_env: NOKEYCO_API_KEY
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
- id: openai
  name: openai
  display_name: OpenAI
  category: text_generation
  api_base_url: {base}/slow/v1
  api_key_env: OPENAI_API_KEY
"""

_MODELS = """\
models:
- id: claude-test
  provider_id: anthropic
  name: claude-test
  display_name: Claude Test
  category: text_generation
  task: chat
  routes:
  - platform_id: direct
    model_string: claude-test
"""


def write_catalog(directory: Path, base: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "catalog.yaml").write_text(_CATALOG)
    (directory / "platforms.yaml").write_text(_PLATFORMS.format(base=base))
    (directory / "providers.yaml").write_text(_PROVIDERS.format(base=base))
    (directory / "models").mkdir(exist_ok=True)
    (directory / "models" / "test.yaml").write_text(_MODELS)
    return directory


def seed(engine: Engine, directory: Path, base: str) -> None:
    sync_catalog(engine, load_catalog(write_catalog(directory, base)), source="test")
