"""The ``/v1`` endpoints as plain ASGI apps: no request model, no dependency injection,
no middleware of their own — the hot path is the gateway's work and little else.

* ``POST /v1/chat/completions`` (``stream: true``: server-sent events, chunk by chunk),
  ``/v1/embeddings``, ``/v1/images/generations``, ``/v1/audio/speech`` (audio bytes),
  ``/v1/audio/transcriptions`` (multipart form with a ``file``);
* every answer carries ``x-request-id``, ``x-radiant-model`` (the model that answered)
  and ``x-radiant-price`` (the billed price in USD); a stream cannot know its price when
  its headers leave, so it sends it as an SSE comment (``: x-radiant-price 0.0012``)
  right before ``data: [DONE]``. ``x-radiant-route`` (the route: ours, not the tenant's
  business) is added only when ``RADIANT_GATEWAY_EXPOSE_ROUTE`` allows it;
* the answer's ``model`` (in every chunk of a stream too) is the name the client asked
  for, not the upstream's model string;
* bodies are limited to ``RADIANT_GATEWAY_MAX_BODY_BYTES`` (32 MiB: images and audio
  travel inline); errors are OpenAI-shaped (``{"error": {...}}``, inside an RFC 9457
  problem) and a bad body is refused before any upstream hears of it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from starlette.types import Receive, Scope, Send

from radiant.errors import ProviderError, RadiantError
from radiant.gateway.accounts import bearer_token
from radiant.gateway.chain import Hop
from radiant.gateway.errors import (
    MEDIA_TYPE,
    BadRequestError,
    ClientGoneError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    error_body,
    error_parts,
    redact,
)
from radiant.gateway.jsonx import dumps
from radiant.gateway.records import Outcome
from radiant.gateway.requests import AUTO, Endpoint
from radiant.gateway.service import Call, Gateway
from radiant.gateway.usage import response_usage, tokens_usage
from radiant.pricing.usage import Usage

__all__ = ["MAX_BODY_BYTES", "GatewayEndpoint", "dumps"]

logger = logging.getLogger(__name__)

_JSON = b"application/json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,100}$")
_SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


class _RequestIds:
    """Request ids: a random prefix per process and a counter (unique without a syscall
    each; a forked child draws its own prefix, or two workers would share ids)."""

    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self.prefix = uuid.uuid4().hex[:20]
        self.counter = itertools.count(1)

    def new(self) -> str:
        return f"{self.prefix}{next(self.counter):012x}"


_IDS = _RequestIds()
os.register_at_fork(after_in_child=_IDS.reseed)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _too_large(limit: int) -> PayloadTooLargeError:
    mib = f" ({limit / 1048576:g} MiB)" if limit >= 1048576 else ""
    return PayloadTooLargeError(f"request bodies here are limited to {limit} bytes{mib}")


async def _body(scope: Scope, receive: Receive, limit: int) -> bytes:
    declared = _header(scope, b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _too_large(limit)
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BadRequestError("the client went away before sending its body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _asked(call: Call, hop: Hop) -> str:
    """The name the client used for the model that answered (its first one when the
    answer came from ``auto`` or from a model a routing rule put first)."""
    names = call.ask.models
    if len(names) > 1:
        for name in names:
            entry = call.snapshot.find(name) if name != AUTO else None
            if entry is not None and entry.id == hop.entry.id:
                return name
    return names[0]


def _form(content_type: str, raw: bytes) -> tuple[dict[str, Any], tuple[bytes, str]]:
    """The fields and the ``file`` of a multipart/form-data body."""
    if not content_type.startswith("multipart/form-data"):
        raise BadRequestError("an audio transcription is sent as multipart/form-data")
    message = BytesParser(policy=HTTP).parsebytes(
        b"content-type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    fields: dict[str, Any] = {}
    file: tuple[bytes, str] | None = None
    if not message.is_multipart():
        raise BadRequestError("the multipart/form-data body cannot be read")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(data, bytes):
            continue
        filename = part.get_filename()
        if name == "file":
            file = (data, filename or "audio")
        else:
            fields[name] = data.decode("utf-8", "replace")
    if file is None:
        raise BadRequestError("'file' is required: the audio to transcribe", param="file")
    return fields, file


#: the default limit of a /v1 body (``RADIANT_GATEWAY_MAX_BODY_BYTES``)
MAX_BODY_BYTES = 32 * 1024 * 1024


class GatewayEndpoint:
    """One ``/v1`` endpoint; ``gateway`` gives the process's gateway (built on first use).

    It keeps a client's ``x-request-id`` when it is sane (else makes one) and echoes it;
    bodies are limited to ``max_body`` bytes; ``expose_route`` adds ``x-radiant-route``."""

    def __init__(
        self,
        gateway: Callable[[], Gateway],
        endpoint: Endpoint,
        max_body: int | None = None,
        *,
        expose_route: bool = False,
    ) -> None:
        self.gateway = gateway
        self.endpoint = endpoint
        self.max_body = max_body or MAX_BODY_BYTES
        self.expose_route = expose_route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else _IDS.new()
        reply = _Reply(
            send, scope["path"], [(b"x-request-id", request_id.encode())], self.expose_route
        )
        try:
            if scope["method"] != "POST":
                raise MethodNotAllowedError(f"{scope['path']} takes POST")
            await self._serve(scope, receive, reply, request_id)
        except Exception as exc:
            if not isinstance(exc, RadiantError):
                logger.exception("gateway: %s failed", scope["path"])
            await reply.error(exc)

    async def _serve(self, scope: Scope, receive: Receive, reply: _Reply, request_id: str) -> None:
        gateway = self.gateway()
        token = bearer_token(_header(scope, b"authorization"))
        raw = await _body(scope, receive, self.max_body)
        if self.endpoint is Endpoint.TRANSCRIPTION:
            fields, file = _form(_header(scope, b"content-type") or "", raw)
            size = len(raw) - len(file[0])  # the audio is billed by its length, not tokens
            call = await gateway.begin(token, self.endpoint, fields, request_id, size=size)
            call.file = file
        else:
            call = await gateway.begin(token, self.endpoint, raw, request_id)
        if call.ask.stream:
            await self._stream(gateway, call, reply, receive)
            return
        try:
            hop, result = await gateway.complete(call, self._invoke(call))
        except Exception as exc:
            gateway.finish(call, None, None, exc)
            raise
        if self.endpoint is Endpoint.SPEECH:
            audio, media = result
            outcome = gateway.finish(call, hop, response_usage(self.endpoint, None, call.ask.body))
            await reply.send(200, audio, media.encode("latin-1"), outcome)
            return
        usage = response_usage(self.endpoint, result, call.ask.body)
        outcome = gateway.finish(call, hop, usage)
        if self.endpoint in (Endpoint.CHAT, Endpoint.EMBEDDINGS) and isinstance(result, dict):
            result["model"] = _asked(call, hop)
        await reply.send(200, dumps(result), _JSON, outcome)

    def _invoke(self, call: Call) -> Callable[[Any], Any]:
        body = call.ask.body
        endpoint = self.endpoint
        if endpoint is Endpoint.CHAT:
            return lambda adapter: adapter.chat(body)
        if endpoint is Endpoint.EMBEDDINGS:
            return lambda adapter: adapter.embeddings(body)
        if endpoint is Endpoint.IMAGES:
            return lambda adapter: adapter.images(body)
        if endpoint is Endpoint.SPEECH:
            return lambda adapter: adapter.speech(body)
        assert call.file is not None
        data, filename = call.file
        fields = {k: v for k, v in body.items() if k != "model"}
        return lambda adapter: adapter.transcription(data, filename, fields)

    async def _stream(self, gateway: Gateway, call: Call, reply: _Reply, receive: Receive) -> None:
        try:
            hop, first, rest = await gateway.open_stream(call)
        except Exception as exc:
            gateway.finish(call, None, None, exc)
            raise
        await reply.start(200, _SSE_HEADERS, hop)
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await self._relay(gateway, call, reply, hop, first, rest, gone)
        finally:
            gone.cancel()

    async def _relay(
        self,
        gateway: Gateway,
        call: Call,
        reply: _Reply,
        hop: Hop,
        first: dict[str, Any],
        rest: AsyncIterator[dict[str, Any]],
        gone: asyncio.Future[None],
    ) -> None:
        wanted = call.ask.wants_stream_usage
        asked = _asked(call, hop)
        usage: dict[str, Any] | None = None
        chunks = 1
        chunk: dict[str, Any] | None = first
        try:
            while chunk is not None:
                if gone.done():  # the client left: stop reading (and paying for) the rest
                    raise ClientGoneError("the client closed the stream")
                if chunk.get("usage"):
                    usage = chunk["usage"]
                    if not wanted:
                        chunk = {k: v for k, v in chunk.items() if k != "usage"}
                if wanted or chunk.get("choices"):
                    chunk["model"] = asked
                    await reply.body(b"data: " + dumps(chunk) + b"\n\n")
                chunk = await anext(rest, None)
                chunks += chunk is not None
        except ClientGoneError as exc:
            await _close(rest)
            cut = tokens_usage(usage) if usage else _estimate(call, chunks)
            gateway.finish(call, hop, cut, exc, bill=False)
            return
        except ProviderError as exc:
            await gateway.feed(hop, call.started, exc)
            cut = tokens_usage(usage) if usage else _estimate(call, chunks)
            gateway.finish(call, hop, cut, exc, bill=False)
            logger.warning(
                "gateway: the stream of request %s on %s broke off: %s",
                call.request_id,
                hop.route_id,
                redact(exc.message),
            )
            _, code, _, _ = error_parts(exc)
            text = "the upstream provider's stream broke off after it started"
            event = {"error": {"message": text, "type": "api_error", "code": code}}
            await reply.body(b"data: " + dumps(event) + b"\n\n", more=False)
            return
        outcome = gateway.finish(call, hop, tokens_usage(usage) if usage else _estimate(call, 0))
        tail = b": x-radiant-price " + format(outcome.price, "f").encode() + b"\n\ndata: [DONE]\n\n"
        await reply.body(tail, more=False)


async def _disconnected(receive: Receive) -> None:
    """Returns once the client has gone (the body was read before the stream started)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _close(chunks: AsyncIterator[dict[str, Any]]) -> None:
    close = getattr(chunks, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:  # closing a broken upstream stream: nothing more to learn
            logger.debug("gateway: closing an abandoned stream failed", exc_info=True)


def _estimate(call: Call, output_chunks: int) -> Usage:
    """Tokens of a stream that reported none: the prompt estimate, a token per chunk."""
    prompt = call.ask.estimated_tokens
    return Usage(input_tokens=prompt, output_tokens=output_chunks)


class _Reply:
    def __init__(
        self, send: Send, path: str, extra: list[tuple[bytes, bytes]], expose_route: bool
    ) -> None:
        self._send = send
        self.path = path
        self.extra = extra
        self.expose_route = expose_route
        self.started = False

    def _hop_headers(self, hop: Hop) -> list[tuple[bytes, bytes]]:
        headers = [(b"x-radiant-model", hop.entry.id.encode())]
        if self.expose_route:
            headers.append((b"x-radiant-route", hop.route_id.encode()))
        return headers

    async def start(self, status: int, headers: list[tuple[bytes, bytes]], hop: Hop) -> None:
        self.started = True
        await self._send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*headers, *self.extra, *self._hop_headers(hop)],
            }
        )

    async def body(self, data: bytes, *, more: bool = True) -> None:
        await self._send({"type": "http.response.body", "body": data, "more_body": more})

    async def send(self, status: int, data: bytes, media: bytes, outcome: Outcome) -> None:
        headers = [
            (b"content-type", media),
            (b"content-length", str(len(data)).encode()),
            *self.extra,
            (b"x-radiant-price", format(outcome.price, "f").encode()),
        ]
        if outcome.hop is not None:
            headers.extend(self._hop_headers(outcome.hop))
        self.started = True
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": data})

    async def error(self, exc: BaseException) -> None:
        if self.started:  # pragma: no cover - the stream reports its own errors
            return
        status, code, message, headers = error_parts(exc)
        param = getattr(exc, "param", None)
        extra: dict[str, Any] = {}
        suggestions = getattr(exc, "suggestions", None)
        if suggestions is not None:
            extra["suggestions"] = suggestions
        data = error_body(status, code, message, self.path, param, **extra)
        raw = [
            (b"content-type", MEDIA_TYPE.encode()),
            (b"content-length", str(len(data)).encode()),
            *self.extra,
            *((k.encode(), v.encode()) for k, v in headers.items()),
        ]
        self.started = True
        await self._send({"type": "http.response.start", "status": status, "headers": raw})
        await self._send({"type": "http.response.body", "body": data})
