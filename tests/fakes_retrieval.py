"""Fake Cohere, Voyage, Exa, Tavily and AssemblyAI APIs on 127.0.0.1 (not a test module).

Each factory answers its provider's real paths at its own root, checks the credential
header as the real API does (401 otherwise) and records what it received in one shared
:class:`RetrievalState`, so several can be mounted under prefixes of one server
(:func:`retrieval_app` does: ``/cohere``, ``/voyage``, ``/exa``, ``/tavily``,
``/assemblyai``). The base URL each adapter is to be given, for a server at ``server``:

==========================  ===============  ==============================
factory                     serves           adapter base URL
==========================  ===============  ==============================
``cohere_app(state)``       ``/v2/chat``,    ``f"{server}/cohere"``
                            ``/v2/embed``,
                            ``/v2/rerank``
``voyage_app(state)``       ``/v1/embeddings``, ``f"{server}/voyage/v1"``
                            ``/v1/rerank``
``exa_app(state)``          ``/search``      ``f"{server}/exa"``
``tavily_app(state)``       ``/search``      ``f"{server}/tavily"``
``assemblyai_app(state)``   ``/v2/upload``,  ``f"{server}/assemblyai/v2"``
                            ``/v2/transcript[/{id}]``
==========================  ===============  ==============================

The key is :data:`providers_fakes.KEY`. ``state.script`` queues misbehaviour served
before normal answers (:class:`providers_fakes.Trouble`: an error status with
``Retry-After``, a stream cut after n events...); ``state.transcript_polls`` is how many
polls an AssemblyAI job takes, ``state.transcript_error`` makes it fail.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from local_server import serve_app
from providers_fakes import KEY, Seen, Trouble, sse

__all__ = [
    "PREFIXES",
    "RetrievalState",
    "assemblyai_app",
    "cohere_app",
    "exa_app",
    "retrieval_app",
    "serve_retrieval",
    "tavily_app",
    "voyage_app",
]

#: where :func:`retrieval_app` mounts each fake
PREFIXES = ("cohere", "voyage", "exa", "tavily", "assemblyai")
#: the arguments of every tool call the fake Cohere makes
ARGUMENTS = '{"city": "Paris"}'


@dataclass
class RetrievalState:
    base: str = ""
    script: list[Trouble] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    reply: str = "Hello there"
    #: AssemblyAI: polls before a job completes, and the error it fails with instead
    transcript_polls: int = 2
    transcript_error: str | None = None
    #: job id -> polls so far; upload name -> bytes; job id -> its upload
    transcripts: dict[str, int] = field(default_factory=dict)
    uploads: dict[str, int] = field(default_factory=dict)
    upload_of: dict[str, str] = field(default_factory=dict)

    def url(self, prefix: str) -> str:
        return f"{self.base}/{prefix}"

    @property
    def last(self) -> Seen:
        return self.seen[-1]


Handler = Callable[[RetrievalState, Request, Any], Awaitable[Response]]


def _endpoint(
    state: RetrievalState, authorized: Callable[[Request], bool], denied: Any, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """Record the request, check its credential, serve scripted trouble, then answer."""

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        is_json = request.headers.get("content-type", "").startswith("application/json")
        body: Any = json.loads(raw) if raw and is_json else raw
        state.seen.append(
            Seen(request.url.path, dict(request.headers), dict(request.query_params), body)
        )
        if not authorized(request):
            return JSONResponse(denied, 401)
        trouble = state.script.pop(0) if state.script else None
        if trouble is not None and trouble.cut is None and trouble.truncate is None:
            headers = {"retry-after": trouble.retry_after} if trouble.retry_after else {}
            content = trouble.body or b'{"message": "trouble"}'
            return Response(content, trouble.status, headers, media_type="application/json")
        request.state.trouble = trouble
        return await handler(state, request, body)

    return endpoint


def _bearer(request: Request) -> bool:
    return request.headers.get("authorization") == f"Bearer {KEY}"


# ----------------------------------------------------------------------------- Cohere


def _cohere_events(state: RetrievalState, body: Any) -> list[tuple[str | None, Any]]:
    words = [state.reply[:5], state.reply[5:]]
    events: list[dict[str, Any]] = [
        {"type": "message-start", "id": "msg-1", "delta": {"message": {"role": "assistant"}}},
        {
            "type": "content-start",
            "index": 0,
            "delta": {"message": {"content": {"type": "text", "text": ""}}},
        },
    ]
    events += [
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": w}}}}
        for w in words
    ]
    events.append({"type": "content-end", "index": 0})
    if body.get("tools"):
        name = body["tools"][0]["function"]["name"]
        start = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": ""}}
        events += [
            {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will look."}}},
            {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": start}}},
            {
                "type": "tool-call-delta",
                "index": 0,
                "delta": {
                    "message": {"tool_calls": {"function": {"arguments": '{"city": "Paris"}'}}}
                },
            },
            {"type": "tool-call-end", "index": 0},
        ]
    usage = {
        "billed_units": {"input_tokens": 9, "output_tokens": 2},
        "tokens": {"input_tokens": 70, "output_tokens": 3},
    }
    finish = "TOOL_CALL" if body.get("tools") else "COMPLETE"
    events.append(
        {"type": "message-end", "id": "msg-1", "delta": {"finish_reason": finish, "usage": usage}}
    )
    return [(e["type"], e) for e in events]


async def _cohere_chat(state: RetrievalState, request: Request, body: Any) -> Response:
    if body.get("stream"):
        return sse(_cohere_events(state, body), request.state.trouble)
    content = [{"type": "text", "text": state.reply}]
    message: dict[str, Any] = {"role": "assistant", "content": content}
    finish = "COMPLETE"
    if body.get("tools"):
        name = body["tools"][0]["function"]["name"]
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": name, "arguments": '{"city": "Paris"}'},
        }
        message = {"role": "assistant", "tool_plan": "I will look.", "tool_calls": [call]}
        finish = "TOOL_CALL"
    usage = {
        "billed_units": {"input_tokens": 12, "output_tokens": 3},
        "tokens": {"input_tokens": 80, "output_tokens": 4},
    }
    return JSONResponse(
        {"id": "msg-1", "finish_reason": finish, "message": message, "usage": usage}
    )


async def _cohere_embed(state: RetrievalState, request: Request, body: Any) -> Response:
    texts = body["texts"]
    vectors = [[0.5, -0.25, float(len(t))] for t in texts]
    meta = {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 3 * len(texts)}}
    return JSONResponse(
        {
            "id": "emb-1",
            "embeddings": {"float": vectors},
            "texts": texts,
            "meta": meta,
            "response_type": "embeddings_by_type",
        }
    )


def _scores(query: str, documents: list[str]) -> list[dict[str, Any]]:
    """Documents sharing more words with the query first."""
    words = set(query.lower().split())
    scored = [
        {"index": i, "relevance_score": len(words & set(d.lower().split())) / (len(words) or 1)}
        for i, d in enumerate(documents)
    ]
    return sorted(scored, key=lambda r: -float(r["relevance_score"]))


async def _cohere_rerank(state: RetrievalState, request: Request, body: Any) -> Response:
    results = _scores(body["query"], body["documents"])[: body.get("top_n") or None]
    meta = {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}}
    return JSONResponse({"id": "rr-1", "results": results, "meta": meta})


def cohere_app(state: RetrievalState) -> Starlette:
    """Cohere v2: ``POST /v2/chat`` (JSON or SSE), ``/v2/embed``, ``/v2/rerank``."""
    denied = {"id": "e-1", "message": "invalid api token"}

    def route(path: str, handler: Handler) -> Route:
        return Route(path, _endpoint(state, _bearer, denied, handler), methods=["POST"])

    return Starlette(
        routes=[
            route("/v2/chat", _cohere_chat),
            route("/v2/embed", _cohere_embed),
            route("/v2/rerank", _cohere_rerank),
        ]
    )


# ----------------------------------------------------------------------------- Voyage


async def _voyage_embeddings(state: RetrievalState, request: Request, body: Any) -> Response:
    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = [
        {"object": "embedding", "embedding": [0.1, 0.2, float(i)], "index": i}
        for i, _ in enumerate(texts)
    ]
    data.reverse()  # the index, not the order, says which text a vector is for
    return JSONResponse(
        {
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"total_tokens": 5 * len(texts)},
        }
    )


async def _voyage_rerank(state: RetrievalState, request: Request, body: Any) -> Response:
    data = _scores(body["query"], body["documents"])[: body.get("top_k") or None]
    return JSONResponse(
        {"object": "list", "data": data, "model": body["model"], "usage": {"total_tokens": 42}}
    )


def voyage_app(state: RetrievalState) -> Starlette:
    """Voyage: ``POST /v1/embeddings``, ``/v1/rerank``."""
    denied = {"detail": "Provided API key is invalid."}

    def route(path: str, handler: Handler) -> Route:
        return Route(path, _endpoint(state, _bearer, denied, handler), methods=["POST"])

    return Starlette(
        routes=[route("/v1/embeddings", _voyage_embeddings), route("/v1/rerank", _voyage_rerank)]
    )


# ----------------------------------------------------------------------------- search


async def _exa_search(state: RetrievalState, request: Request, body: Any) -> Response:
    count = body.get("numResults", 10)
    results: list[dict[str, Any]] = [
        {
            "id": f"https://example.org/{i}",
            "url": f"https://example.org/{i}",
            "title": f"Result {i}",
            "score": 0.9 - i / 10,
            "publishedDate": "2025-01-02T00:00:00.000Z",
            "author": None,
            "text": f"Page {i} about {body['query']}",
        }
        for i in range(count)
    ]
    if results:
        del results[-1]["text"]
        results[-1]["highlights"] = ["first bit", "second bit"]
        results[-1]["title"] = None
    return JSONResponse(
        {
            "requestId": "req-1",
            "resolvedSearchType": "neural",
            "results": results,
            "costDollars": {"total": 0.005},
        }
    )


def exa_app(state: RetrievalState) -> Starlette:
    """Exa: ``POST /search`` with ``x-api-key``."""
    denied = {"requestId": "r", "error": "Invalid API key", "tag": "INVALID_API_KEY"}
    return Starlette(
        routes=[
            Route(
                "/search",
                _endpoint(state, lambda r: r.headers.get("x-api-key") == KEY, denied, _exa_search),
                methods=["POST"],
            )
        ]
    )


async def _tavily_search(state: RetrievalState, request: Request, body: Any) -> Response:
    results = [
        {
            "title": f"Hit {i}",
            "url": f"https://news.example/{i}",
            "content": f"Snippet {i} on {body['query']}",
            "score": 0.8,
            "raw_content": None,
        }
        for i in range(body.get("max_results", 5))
    ]
    return JSONResponse(
        {
            "query": body["query"],
            "answer": None,
            "images": [],
            "results": results,
            "response_time": 0.42,
            "request_id": "t-1",
        }
    )


def tavily_app(state: RetrievalState) -> Starlette:
    """Tavily: ``POST /search`` with ``Authorization: Bearer``."""
    denied = {"detail": {"error": "Unauthorized: missing or invalid API key."}}
    return Starlette(
        routes=[
            Route("/search", _endpoint(state, _bearer, denied, _tavily_search), methods=["POST"])
        ]
    )


# ----------------------------------------------------------------------------- AssemblyAI


async def _upload(state: RetrievalState, request: Request, body: Any) -> Response:
    name = f"upload-{len(state.uploads) + 1}"
    state.uploads[name] = len(body)
    return JSONResponse({"upload_url": f"https://cdn.assemblyai.test/{name}"})


def _job(state: RetrievalState, job_id: str) -> dict[str, Any]:
    polls = state.transcripts[job_id]
    if polls < state.transcript_polls:
        return {"id": job_id, "status": "queued" if polls == 0 else "processing", "text": None}
    if state.transcript_error:
        return {"id": job_id, "status": "error", "error": state.transcript_error}
    size = state.uploads[state.upload_of[job_id]]
    return {
        "id": job_id,
        "status": "completed",
        "text": f"heard {size} bytes",
        "audio_duration": 90,
        "language_code": "en_us",
        "confidence": 0.93,
    }


async def _transcript(state: RetrievalState, request: Request, body: Any) -> Response:
    job_id = request.path_params.get("job")
    if job_id is None:  # POST /v2/transcript
        upload = str(body.get("audio_url", "")).rsplit("/", 1)[-1]
        if upload not in state.uploads:
            return JSONResponse({"error": "Download error, unable to download audio_url"}, 400)
        job_id = f"job-{len(state.transcripts) + 1}"
        state.transcripts[job_id] = 0
        state.upload_of[job_id] = upload
        return JSONResponse(_job(state, job_id))
    if job_id not in state.transcripts:
        return JSONResponse({"error": "Transcript not found"}, 404)
    state.transcripts[job_id] += 1
    return JSONResponse(_job(state, job_id))


def assemblyai_app(state: RetrievalState) -> Starlette:
    """AssemblyAI: ``POST /v2/upload``, ``POST /v2/transcript``, ``GET /v2/transcript/{id}``
    with ``Authorization: <key>`` (no scheme)."""
    denied = {"error": "Authentication error, API token missing/invalid"}

    def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        return _endpoint(state, lambda r: r.headers.get("authorization") == KEY, denied, handler)

    return Starlette(
        routes=[
            Route("/v2/upload", endpoint(_upload), methods=["POST"]),
            Route("/v2/transcript", endpoint(_transcript), methods=["POST"]),
            Route("/v2/transcript/{job}", endpoint(_transcript), methods=["GET"]),
        ]
    )


# ----------------------------------------------------------------------------- together


def retrieval_app(state: RetrievalState) -> Starlette:
    """Every fake of this module, each mounted under its :data:`PREFIXES` entry."""
    factories = {
        "cohere": cohere_app,
        "voyage": voyage_app,
        "exa": exa_app,
        "tavily": tavily_app,
        "assemblyai": assemblyai_app,
    }
    return Starlette(routes=[Mount(f"/{p}", app=factories[p](state)) for p in PREFIXES])


def serve_retrieval(state: RetrievalState) -> Iterator[RetrievalState]:
    """Run :func:`retrieval_app` in a thread for as long as the generator is open."""
    with serve_app(retrieval_app(state), lifespan="off") as base:
        state.base = base
        yield state
