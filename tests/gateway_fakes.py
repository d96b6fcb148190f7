"""Fake OpenAI-compatible upstreams on 127.0.0.1 and a registry whose routes point at them.

:class:`FakeUpstream` answers like OpenAI and can be told to fail the next calls in the
ways a real provider does (``fail(mode, times)``): ``500``, ``429`` (with a long
``retry-after``), ``slow`` (longer than the route's timeout), ``badjson`` (200 with a
body that is not JSON), ``context`` (400 context_length_exceeded), ``cut`` (a stream cut
after its first chunk), ``early`` (a stream cut before its first chunk), ``drip``
(a long stream, a chunk every 50 ms), ``late`` (a stream whose first chunk comes after
300 ms), ``linger`` (a stream that pauses after its last content chunk, before its finish
and usage chunks, until :attr:`FakeUpstream.gate` is set or 400 ms passed) and ``hold``
(a chat answered once :attr:`FakeUpstream.gate` is set, or after 400 ms).
:func:`reset_server` accepts connections and resets them at once.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from local_server import serve_app

__all__ = ["FakeUpstream", "reset_server", "write_catalog"]


def _usage(prompt: int = 12, completion: int = 5, cached: int = 0) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
    }


class FakeUpstream:
    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[dict[str, Any]] = []
        #: content chunks streamed so far
        self.sent = 0
        self._failures: list[str] = []
        self._lock = threading.Lock()
        #: what a ``hold`` call, and a ``linger`` stream after its content, waits for
        self.gate = threading.Event()
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/embeddings", self.embeddings, methods=["POST"]),
                Route("/v1/images/generations", self.images, methods=["POST"]),
                Route("/v1/audio/speech", self.speech, methods=["POST"]),
                Route("/v1/audio/transcriptions", self.transcription, methods=["POST"]),
            ]
        )

    def fail(self, mode: str, times: int = 1_000_000) -> None:
        with self._lock:
            self._failures = [mode] * times

    def heal(self) -> None:
        self.fail("ok", 0)
        self.gate.clear()

    def _next(self) -> str:
        with self._lock:
            return self._failures.pop(0) if self._failures else "ok"

    async def _failure(self, mode: str) -> Response | None:
        if mode == "500":
            return JSONResponse({"error": {"message": "boom", "type": "server_error"}}, 500)
        if mode == "429":
            body = {"error": {"message": "slow down", "code": "rate_limit_exceeded"}}
            return JSONResponse(body, 429, headers={"retry-after": "30"})
        if mode == "slow":  # far past any route's timeout
            await asyncio.sleep(6)
        if mode == "hold":
            await asyncio.to_thread(self.gate.wait, 0.4)
        if mode == "badjson":
            return Response(b'{"id": "chatcmpl-1", "choices": [', media_type="application/json")
        if mode == "context":
            body = {
                "error": {
                    "message": "This model's maximum context length is 32000 tokens.",
                    "code": "context_length_exceeded",
                    "type": "invalid_request_error",
                }
            }
            return JSONResponse(body, 400)
        if mode == "bad":
            body = {"error": {"message": "messages must not be empty", "code": "invalid_value"}}
            return JSONResponse(body, 400)
        return None

    async def _record(self, request: Request) -> dict[str, Any]:
        body: dict[str, Any] = await request.json()
        self.calls.append(body)
        return body

    async def chat(self, request: Request) -> Response:
        body = await self._record(request)
        mode = self._next()
        if body.get("stream"):
            return await self._stream(body, mode)
        failure = await self._failure(mode)
        if failure is not None:
            return failure
        text = f"hello from {self.name}"
        return JSONResponse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1700000000,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": _usage(cached=2),
            }
        )

    async def _stream(self, body: dict[str, Any], mode: str) -> Response:
        if mode not in ("cut", "early", "ok", "drip", "linger", "late"):
            failure = await self._failure(mode)
            assert failure is not None
            return failure
        words = ["hello", " from", f" {self.name}"] * (40 if mode == "drip" else 1)

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            data = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 1700000000,
                "model": body["model"],
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return b"data: " + json.dumps(data).encode() + b"\n\n"

        async def events() -> AsyncIterator[bytes]:
            if mode == "early":
                raise RuntimeError("cut before the first chunk")
            if mode == "late":
                await asyncio.sleep(0.3)
            yield chunk({"role": "assistant", "content": ""})
            for i, word in enumerate(words):
                if mode == "cut" and i == 1:
                    raise RuntimeError("cut in the middle")
                yield chunk({"content": word})
                self.sent += 1
                await asyncio.sleep(0.05 if mode == "drip" else 0)
            if mode == "linger":
                await asyncio.to_thread(self.gate.wait, 0.4)
            yield chunk({}, "stop")
            if (body.get("stream_options") or {}).get("include_usage"):
                tail = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion.chunk",
                    "created": 1700000000,
                    "model": body["model"],
                    "choices": [],
                    "usage": _usage(),
                }
                yield b"data: " + json.dumps(tail).encode() + b"\n\n"
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    async def embeddings(self, request: Request) -> Response:
        body = await self._record(request)
        failure = await self._failure(self._next())
        if failure is not None:
            return failure
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        return JSONResponse(
            {
                "object": "list",
                "model": body["model"],
                "data": [
                    {"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
                    for i, _ in enumerate(inputs)
                ],
                "usage": {"prompt_tokens": 8, "total_tokens": 8},
            }
        )

    async def images(self, request: Request) -> Response:
        body = await self._record(request)
        n = int(body.get("n") or 1)
        return JSONResponse({"created": 1, "data": [{"url": "http://x/img.png"}] * n})

    async def speech(self, request: Request) -> Response:
        await self._record(request)
        return Response(b"ID3fake-mp3", media_type="audio/mpeg")

    async def transcription(self, request: Request) -> Response:
        raw = await request.body()
        head = b"content-type: " + request.headers["content-type"].encode() + b"\r\n\r\n"
        parts = {
            part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in BytesParser(policy=HTTP).parsebytes(head + raw).iter_parts()
        }
        data = parts["file"]
        assert isinstance(data, bytes) and isinstance(parts["model"], bytes)
        self.calls.append({"model": parts["model"].decode(), "bytes": len(data)})
        return JSONResponse({"text": "hello world", "usage": {"type": "duration", "seconds": 90}})


@contextmanager
def serving_upstreams() -> Iterator[dict[str, FakeUpstream]]:
    """Fake upstreams ``a`` and ``b``, each served on 127.0.0.1, with its ``url``."""
    fakes = {name: FakeUpstream(name) for name in ("a", "b")}
    with serve_app(fakes["a"].app) as a, serve_app(fakes["b"].app) as b:
        fakes["a"].url, fakes["b"].url = f"{a}/v1", f"{b}/v1"  # type: ignore[attr-defined]
        yield fakes


@contextmanager
def reset_server() -> Iterator[int]:
    """A port whose server accepts each connection and resets it at once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.1)
    port: int = sock.getsockname()[1]
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


def _platform(pid: str, url: str) -> dict[str, Any]:
    return {
        "id": pid,
        "name": pid,
        "kind": "host",
        "base_url": url,
        "openai_compatible": True,
        "auth_type": "none",
        "metadata": {"timeout": 0.5},
    }


def _price(inp: str, out: str) -> dict[str, Any]:
    return {"pricing_type": "per_token", "input_per_1m": inp, "output_per_1m": out}


def write_catalog(directory: Path, urls: dict[str, str]) -> Path:
    """A catalog: platforms named by ``urls`` (id -> base URL, ``.../v1``) and models
    ``chat-small`` (alias ``small``; routes on ``a`` then ``b``), ``chat-big`` (larger
    context, on ``b``), ``embed`` (on ``a`` then ``b``), ``paint`` (images), ``voice``
    (speech), ``ears`` (transcription) and ``chat-secret`` (never granted) on ``a``; and
    for every other platform ``p``, ``chat-p`` on ``p`` then ``b``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "catalog.yaml").write_text("name: gateway-test\nas_of: 2025-01-01\n")
    platforms = [_platform(pid, url) for pid, url in urls.items()]
    (directory / "platforms.yaml").write_text(yaml.safe_dump({"platforms": platforms}))
    providers = [
        {
            "id": "acme",
            "name": "acme",
            "display_name": "Acme",
            "category": "text_generation",
            "auth_type": "none",
        }
    ]
    (directory / "providers.yaml").write_text(yaml.safe_dump({"providers": providers}))

    def model(
        mid: str, category: str, caps: list[str], routes: list[dict[str, Any]], **kw: Any
    ) -> dict[str, Any]:
        return {
            "id": mid,
            "provider_id": "acme",
            "name": mid,
            "display_name": mid,
            "category": category,
            "capabilities": caps,
            "input_modalities": kw.pop("inputs", ["text"]),
            "output_modalities": kw.pop("outputs", ["text"]),
            "routes": routes,
            **kw,
        }

    def route(pid: str, priority: int, price: dict[str, Any], string: str) -> dict[str, Any]:
        return {"platform_id": pid, "model_string": string, "priority": priority, "price": price}

    chat = ["chat", "streaming"]
    others = [p for p in urls if p not in ("a", "b")]
    models = [
        model(
            "chat-small",
            "text_generation",
            chat,
            [
                route("a", 1, _price("1.00", "2.00"), "small-a"),
                route("b", 2, _price("1.50", "3.00"), "small-b"),
            ],
            aliases=["small", "acme/small"],
            context_window=32000,
        ),
        model(
            "chat-big",
            "text_generation",
            chat,
            [route("b", 1, _price("5.00", "10.00"), "big-b")],
            context_window=200000,
        ),
        model(
            "embed",
            "embedding",
            ["embeddings"],
            [
                route("a", 1, _price("0.02", "0"), "embed-a"),
                route("b", 2, _price("0.02", "0"), "embed-b"),
            ],
            outputs=["embedding"],
        ),
        model(
            "paint",
            "image_generation",
            ["text_to_image"],
            [route("a", 1, {"pricing_type": "per_image", "per_image": "0.04"}, "paint-a")],
            outputs=["image"],
        ),
        model(
            "voice",
            "text_to_speech",
            ["text_to_speech"],
            [route("a", 1, _price("15.00", "0"), "voice-a")],
            outputs=["audio"],
        ),
        model(
            "ears",
            "speech_to_text",
            ["speech_to_text"],
            [route("a", 1, {"pricing_type": "per_minute", "per_minute": "0.006"}, "ears-a")],
            inputs=["audio"],
        ),
    ]
    models.append(
        model("chat-secret", "text_generation", chat, [route("a", 1, _price("1", "1"), "s")])
    )
    for other in others:  # its own route first, then b's
        models.append(
            model(
                f"chat-{other}",
                "text_generation",
                chat,
                [
                    route(other, 1, _price("1.00", "2.00"), "other"),
                    route("b", 2, _price("1.00", "2.00"), "other-b"),
                ],
            )
        )
    (directory / "models").mkdir(exist_ok=True)
    (directory / "models" / "acme.yaml").write_text(yaml.safe_dump({"models": models}))
    return directory
