"""Fake upstream list-models APIs on 127.0.0.1 for the discovery tests (not a test module).

One Starlette app serves every wire format under its own prefix: ``/openai/v1``,
``/anthropic/v1``, ``/gemini/v1beta`` and ``/openrouter/api/v1``. Each checks its
credential header as the real API does. ``script`` queues misbehaviour per prefix
(a status, a Retry-After, a delay, a malformed body) served before normal answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from local_server import serve_app

KEY = "sk-test-key"


@dataclass
class Trouble:
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    retry_after: str | None = None


@dataclass
class Upstream:
    openai: list[dict[str, Any]] = field(default_factory=list)
    anthropic: list[dict[str, Any]] = field(default_factory=list)
    gemini: list[dict[str, Any]] = field(default_factory=list)
    openrouter: list[dict[str, Any]] = field(default_factory=list)
    #: OpenRouter endpoints by model id
    endpoints: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: the most models one page holds, whatever the client asks
    page_cap: int = 1000
    script: dict[str, list[Trouble]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def url(self, prefix: str) -> str:
        return f"{self.base}/{prefix}"

    def hits(self, path_part: str) -> int:
        return sum(1 for path, _, _ in self.requests if path_part in path)


def anthropic_model(name: str) -> dict[str, Any]:
    return {
        "type": "model",
        "id": name,
        "display_name": f"Claude {name}",
        "created_at": "2025-01-01T00:00:00Z",
    }


def gemini_model(name: str, context: int = 1_000_000) -> dict[str, Any]:
    return {
        "name": f"models/{name}",
        "displayName": name.title(),
        "description": f"{name} by Google",
        "inputTokenLimit": context,
        "outputTokenLimit": 8192,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
    }


def openai_model(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 1700000000, "owned_by": "acme"}


def openrouter_model(
    name: str, prompt: str = "0.000003", completion: str = "0.000015"
) -> dict[str, Any]:
    return {
        "id": name,
        "name": f"Vendor: {name}",
        "description": "a model",
        "context_length": 200000,
        "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["text"]},
        "pricing": {"prompt": prompt, "completion": completion, "input_cache_read": "0.0000003"},
        "top_provider": {"context_length": 200000, "max_completion_tokens": 8192},
        "supported_parameters": ["tools", "temperature"],
    }


async def _trouble(upstream: Upstream, prefix: str) -> Response | None:
    queue = upstream.script.get(prefix)
    if not queue:
        return None
    trouble = queue.pop(0)
    if trouble.delay:
        await asyncio.sleep(trouble.delay)
    if trouble.status == 200 and trouble.body is None:
        return None
    headers = {"retry-after": trouble.retry_after} if trouble.retry_after else {}
    return Response(
        trouble.body or b'{"error": "trouble"}',
        status_code=trouble.status,
        headers=headers,
        media_type="application/json",
    )


def _page(items: list[dict[str, Any]], start: int, size: int) -> list[dict[str, Any]]:
    return items[start : start + size]


def _state(request: Request) -> Upstream:
    upstream: Upstream = request.app.state.upstream
    upstream.requests.append((request.url.path, dict(request.headers), dict(request.query_params)))
    return upstream


async def _openai(request: Request) -> Response:
    upstream = _state(request)
    if request.headers.get("authorization") != f"Bearer {KEY}":
        return JSONResponse({"error": "bad key"}, status_code=401)
    return await _trouble(upstream, "openai") or JSONResponse(
        {"object": "list", "data": upstream.openai}
    )


async def _anthropic(request: Request) -> Response:
    upstream = _state(request)
    if request.headers.get("x-api-key") != KEY or not request.headers.get("anthropic-version"):
        return JSONResponse({"type": "error"}, status_code=401)
    if (trouble := await _trouble(upstream, "anthropic")) is not None:
        return trouble
    size = min(int(request.query_params.get("limit", 20)), upstream.page_cap)
    ids = [m["id"] for m in upstream.anthropic]
    after = request.query_params.get("after_id")
    start = ids.index(after) + 1 if after in ids else 0
    page = _page(upstream.anthropic, start, size)
    return JSONResponse(
        {
            "data": page,
            "has_more": start + size < len(ids),
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
        }
    )


async def _gemini(request: Request) -> Response:
    upstream = _state(request)
    if request.headers.get("x-goog-api-key") != KEY:
        return JSONResponse({"error": {"code": 403}}, status_code=403)
    if (trouble := await _trouble(upstream, "gemini")) is not None:
        return trouble
    size = min(int(request.query_params.get("pageSize", 50)), upstream.page_cap)
    start = int(request.query_params.get("pageToken") or 0)
    body: dict[str, Any] = {"models": _page(upstream.gemini, start, size)}
    if start + size < len(upstream.gemini):
        body["nextPageToken"] = str(start + size)
    return JSONResponse(body)


async def _openrouter(request: Request) -> Response:
    upstream = _state(request)
    if request.headers.get("authorization") != f"Bearer {KEY}":
        return JSONResponse({"error": "bad key"}, status_code=401)
    return await _trouble(upstream, "openrouter") or JSONResponse({"data": upstream.openrouter})


async def _endpoints(request: Request) -> Response:
    upstream = _state(request)
    model = f"{request.path_params['author']}/{request.path_params['slug']}"
    if (trouble := await _trouble(upstream, "endpoints")) is not None:
        return trouble
    if model not in upstream.endpoints:
        return JSONResponse({"error": "no such model"}, status_code=404)
    return JSONResponse(
        {"data": {"id": model, "name": model, "endpoints": upstream.endpoints[model]}}
    )


def build_app(upstream: Upstream) -> Starlette:
    app = Starlette(
        routes=[
            Route("/openai/v1/models", _openai),
            Route("/anthropic/v1/models", _anthropic),
            Route("/gemini/v1beta/models", _gemini),
            Route("/openrouter/api/v1/models", _openrouter),
            Route("/openrouter/api/v1/models/{author}/{slug}/endpoints", _endpoints),
        ]
    )
    app.state.upstream = upstream
    return app


def serve(upstream: Upstream) -> Iterator[Upstream]:
    """Run the fake upstream in a thread for as long as the generator is open."""
    with serve_app(build_app(upstream)) as base:
        upstream.base = base
        yield upstream
