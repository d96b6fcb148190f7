"""Fake provider APIs on 127.0.0.1 for the provider adapter tests (not a test module).

One Starlette app answers like OpenAI (``/openai/v1/...``), Azure OpenAI
(``/openai/deployments/{deployment}/...``), Anthropic (``/anthropic/v1/messages``) and
Gemini (``/gemini/v1beta/models/{model}:generateContent``). Each checks its credential
header as the real API does and records what it received. ``script`` queues misbehaviour
served before normal answers: an error status (with ``Retry-After``), a delay, a body that
is not JSON, a stream cut in the middle (``cut``) or ended without its last event
(``truncate``). :func:`resetting_server` is a socket that resets every connection.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default
from typing import Any, TypeVar

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from local_server import serve_app
from radiant.errors import ProviderError
from radiant.http.client import HttpClient
from radiant.providers import UpstreamTarget, WireAdapter, adapter_for
from radiant.providers.shapes.openai import ChatCompletionChunk, ChatParams

KEY = "sk-test-key"


@dataclass
class Trouble:
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    retry_after: str | None = None
    #: for streams: send this many events, then break the connection
    cut: int | None = None
    #: for streams: send this many events, then end the body cleanly (no final event)
    truncate: int | None = None
    #: for streams: send this many events, then ``error_event``, then end
    error_at: int | None = None
    error_event: Any = None
    #: for streams: send this many events, then stall for ``stall`` seconds
    stall_at: int | None = None
    stall: float = 0.0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: Any


@dataclass
class Upstream:
    base: str = ""
    script: list[Trouble] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    #: what the chat endpoints say (text) unless the request asks for tools
    reply: str = "Hello there"
    #: video jobs: how many polls before a job completes, and whether it then fails
    video_polls: int = 2
    video_fails: bool = False
    videos: dict[str, int] = field(default_factory=dict)

    def url(self, prefix: str) -> str:
        return f"{self.base}/{prefix}"

    @property
    def last(self) -> Seen:
        return self.seen[-1]


class _Cut(Exception):
    """Raised inside a streaming body: uvicorn drops the connection mid-response."""


def _multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    """Form fields; files as ``{"filename", "size"}`` (stdlib parser, no extra package)."""
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        filename = part.get_filename()
        fields[str(name)] = (
            {"filename": filename, "size": len(payload)} if filename else payload.decode()
        )
    return fields


async def record(request: Request) -> tuple[Upstream, Any]:
    upstream: Upstream = request.app.state.upstream
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("multipart/"):
        body: Any = _multipart(request.headers["content-type"], raw)
    else:
        content_type = request.headers.get("content-type", "")
        body = json.loads(raw) if raw and content_type.startswith("application/json") else None
    upstream.seen.append(
        Seen(request.url.path, dict(request.headers), dict(request.query_params), body)
    )
    return upstream, body


async def trouble_response(upstream: Upstream) -> tuple[Response | None, Trouble | None]:
    """An error response for the next scripted trouble, or the trouble for a stream."""
    if not upstream.script:
        return None, None
    trouble = upstream.script.pop(0)
    if trouble.delay:
        await asyncio.sleep(trouble.delay)
    if any(
        x is not None for x in (trouble.cut, trouble.truncate, trouble.error_at, trouble.stall_at)
    ):
        return None, trouble
    if trouble.status == 200 and trouble.body is None:
        return None, None
    headers = {"retry-after": trouble.retry_after} if trouble.retry_after else {}
    body = trouble.body if trouble.body is not None else b'{"error": {"message": "trouble"}}'
    return Response(
        body, status_code=trouble.status, headers=headers, media_type="application/json"
    ), None


def _event(name: str | None, data: Any) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data)
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {text}\n\n".encode()


def sse(
    events: list[tuple[str | None, Any]], trouble: Trouble | None, error_name: str | None = None
) -> StreamingResponse:
    """A text/event-stream of ``(event name, data)``; data ``"[DONE]"`` is sent raw."""

    async def body() -> AsyncIterator[bytes]:
        for i, (name, data) in enumerate(events):
            if trouble is not None and trouble.cut == i:
                raise _Cut("cut")
            if trouble is not None and trouble.truncate == i:
                return
            if trouble is not None and trouble.stall_at == i:
                await asyncio.sleep(trouble.stall)
            if trouble is not None and trouble.error_at == i:
                yield _event(error_name, trouble.error_event)
                return
            yield _event(name, data)
            await asyncio.sleep(0)

    return StreamingResponse(body(), media_type="text/event-stream")


# ----------------------------------------------------------------------------- OpenAI


def _openai_completion(upstream: Upstream, body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": upstream.reply}
    finish = "stop"
    if body.get("tools"):
        name = body["tools"][0]["function"]["name"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": name, "arguments": '{"city": "Paris"}'},
                }
            ],
        }
        finish = "tool_calls"
    elif (body.get("response_format") or {}).get("type") == "json_object":
        message["content"] = '{"ok": true}'
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": body["model"],
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
    }


def _openai_chunks(upstream: Upstream, body: dict[str, Any]) -> list[tuple[str | None, Any]]:
    base = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": body["model"],
    }
    words = [upstream.reply[:3], upstream.reply[3:]]
    chunks: list[dict[str, Any]] = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
    ]
    chunks += [{**base, "choices": [{"index": 0, "delta": {"content": w}}]} for w in words]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}
        chunks.append({**base, "choices": [], "usage": usage})
    return [(None, c) for c in chunks] + [(None, "[DONE]")]


def _openai_authorized(request: Request) -> bool:
    if "/deployments/" in request.url.path:
        return request.headers.get("api-key") == KEY and "api-version" in request.query_params
    return request.headers.get("authorization") == f"Bearer {KEY}"


async def _openai(request: Request) -> Response:
    upstream, body = await record(request)
    if not _openai_authorized(request):
        return JSONResponse(
            {"error": {"message": "Incorrect API key", "code": "invalid_api_key"}}, 401
        )
    response, trouble = await trouble_response(upstream)
    if response is not None:
        return response
    endpoint = request.path_params["endpoint"]
    if endpoint == "chat/completions":
        if body.get("stream"):
            return sse(_openai_chunks(upstream, body), trouble)
        return JSONResponse(_openai_completion(upstream, body))
    if endpoint == "embeddings":
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
            for i, _ in enumerate(inputs)
        ]
        usage = {"prompt_tokens": 4 * len(inputs), "total_tokens": 4 * len(inputs)}
        return JSONResponse(
            {"object": "list", "data": data, "model": body["model"], "usage": usage}
        )
    if endpoint.startswith("videos"):
        return _video(upstream, endpoint, body)
    if endpoint == "images/generations" and (
        body.get("response_format") == "b64_json" or body["model"].startswith("gpt-image")
    ):
        return JSONResponse({"created": 1, "data": [{"b64_json": "iVBORw0KGgo="}]})
    if endpoint == "images/generations":
        return JSONResponse(
            {"created": 1, "data": [{"url": "http://127.0.0.1/cat.png"}] * body.get("n", 1)}
        )
    if endpoint == "audio/speech":
        return Response(b"ID3fake-mp3-bytes", media_type="audio/mpeg")
    if endpoint == "audio/transcriptions":
        if body.get("response_format") == "text":
            return Response("hello world\n", media_type="text/plain")
        return JSONResponse(
            {
                "text": f"heard {body['file']['size']} bytes",
                "usage": {"type": "duration", "seconds": 3},
            }
        )
    return JSONResponse({"error": {"message": "no such endpoint"}}, 404)


def _video(upstream: Upstream, endpoint: str, body: Any) -> Response:
    parts = endpoint.split("/")
    if len(parts) == 1:  # POST /videos
        job_id = f"video_{len(upstream.videos) + 1}"
        upstream.videos[job_id] = 0
        return JSONResponse({"id": job_id, "object": "video", "status": "queued", "progress": 0})
    job_id = parts[1]
    if job_id not in upstream.videos:
        return JSONResponse({"error": {"message": "no such video"}}, 404)
    if len(parts) == 3:  # GET /videos/{id}/content
        return Response(b"\x00\x00\x00\x18ftypmp42fake", media_type="video/mp4")
    upstream.videos[job_id] += 1
    polls = upstream.videos[job_id]
    if polls < upstream.video_polls:
        job = {"id": job_id, "status": "in_progress", "progress": 50}
    elif upstream.video_fails:
        job = {"id": job_id, "status": "failed", "error": {"message": "moderation blocked"}}
    else:
        job = {"id": job_id, "status": "completed", "progress": 100}
    return JSONResponse(job)


# ----------------------------------------------------------------------------- calling adapters

T = TypeVar("T")


def run(
    target: UpstreamTarget, call: Callable[[WireAdapter], Awaitable[T]], timeout: float = 5
) -> T:
    async def go() -> T:
        async with HttpClient() as client:
            return await call(adapter_for(target, client))

    return asyncio.run(go())


def collect(
    target: UpstreamTarget, body: ChatParams
) -> tuple[list[ChatCompletionChunk], Exception | None]:
    """The chunks a stream yielded, and the error that ended it (None: it finished)."""
    chunks: list[ChatCompletionChunk] = []

    async def go(adapter: WireAdapter) -> Exception | None:
        try:
            async for chunk in adapter.chat_stream(body):
                chunks.append(chunk)
        except ProviderError as exc:
            return exc
        return None

    error = run(target, go)
    return chunks, error


def fail(target: UpstreamTarget, call: Callable[[WireAdapter], Awaitable[Any]]) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        run(target, call)
    return info.value


# ----------------------------------------------------------------------------- the app


def build_app(upstream: Upstream) -> Starlette:
    from providers_vendor_fakes import (
        anthropic,
        deepgram,
        elevenlabs,
        gemini,
        gemini_file,
        gemini_operation,
    )

    app = Starlette(
        routes=[
            Route("/openai/v1/{endpoint:path}", _openai, methods=["POST", "GET"]),
            Route(
                "/azure/openai/deployments/{deployment}/{endpoint:path}", _openai, methods=["POST"]
            ),
            Route("/anthropic/v1/messages", anthropic, methods=["POST"]),
            Route("/gemini/v1beta/models/{model_method}", gemini, methods=["POST"]),
            Route("/gemini/v1beta/models/{model}/operations/{op}", gemini_operation),
            Route("/gemini/v1beta/files/{file}", gemini_file),
            Route("/elevenlabs/v1/text-to-speech/{voice}", elevenlabs, methods=["POST"]),
            Route("/elevenlabs/v1/text-to-speech/{voice}/stream", elevenlabs, methods=["POST"]),
            Route("/deepgram/v1/listen", deepgram, methods=["POST"]),
        ]
    )
    app.state.upstream = upstream
    return app


def serve(upstream: Upstream) -> Iterator[Upstream]:
    """Run the fake upstream in a thread for as long as the generator is open."""
    with serve_app(build_app(upstream), lifespan="off") as base:
        upstream.base = base
        yield upstream


@contextmanager
def resetting_server() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a socket that reads a request, then resets the connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            with suppress(OSError):
                conn.recv(65536)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()
