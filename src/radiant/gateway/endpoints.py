"""The ``/v1`` endpoints as plain ASGI apps: no request model, no dependency injection,
no middleware of their own — the hot path is the gateway's work and little else.

* ``POST /v1/chat/completions`` (``stream: true``: server-sent events, chunk by chunk),
  ``/v1/embeddings``, ``/v1/images/generations``, ``/v1/audio/speech`` (audio bytes),
  ``/v1/audio/transcriptions`` (multipart form with a ``file``);
* every answer carries ``x-request-id`` (the caller's, echoed, or else ours),
  ``x-radiant-request-id`` (ours: the key of the request's usage event),
  ``x-radiant-model`` (the model that answered) and ``x-radiant-price`` (the billed
  price in USD); a stream cannot know its price when its headers leave, so it sends it
  as an SSE comment (``: x-radiant-price 0.0012``) right before ``data: [DONE]``.
  ``x-radiant-route`` (the route: ours, not the tenant's business) is added only when
  ``RADIANT_GATEWAY_EXPOSE_ROUTE`` allows it;
* the answer's ``model`` (in every chunk of a stream too) is the name the client asked
  for, not the upstream's model string;
* every answer to a request the rate limiter judged (a success, a 429, an upstream
  error, a stream's first response) carries OpenAI's ``x-ratelimit-limit-requests``,
  ``-remaining-requests``, ``-reset-requests`` and the ``-tokens`` three, for the limit
  closest to being hit (:meth:`radiant.gateway.limits.LimitDecision.headers`); every
  429 and 503 carries ``retry-after``;
* ``Idempotency-Key`` (:mod:`radiant.gateway.idempotency`): a repeat gets the first
  answer, with ``idempotent-replayed: true``;
* a stream is billed for what it delivered, however it ends (the upstream's usage when
  its usage chunk came, else the gateway's count, marked estimated: see
  :mod:`radiant.gateway.stream_usage`), and recorded once;
* bodies are limited to ``RADIANT_GATEWAY_MAX_BODY_BYTES`` (32 MiB: images and audio
  travel inline); errors are OpenAI-shaped (``{"error": {...}}``, inside an RFC 9457
  problem) and a bad body is refused before any upstream hears of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import TypeAlias, cast

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.types import Receive, Scope, Send

from radiant.core.request_ids import caller_request_id, new_request_id
from radiant.errors import NotFoundError, ProviderError, RadiantError
from radiant.gateway.accounts import bearer_token
from radiant.gateway.chain import Hop
from radiant.gateway.charge import response_usage
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
from radiant.gateway.idempotency import Answer
from radiant.gateway.job_endpoints import read_job, start_job
from radiant.gateway.jsonx import dumps
from radiant.gateway.outcomes import Outcome
from radiant.gateway.requests import AUTO, JOB_ENDPOINTS, Endpoint
from radiant.gateway.service import Call, Gateway
from radiant.gateway.stream_usage import StreamTally
from radiant.providers import WireAdapter
from radiant.providers.shapes.openai import (
    ChatCompletion,
    ChatCompletionChunk,
    EmbeddingList,
    ImagesResponse,
    Transcription,
    TranscriptionFields,
    Video,
)
from radiant.providers.shapes.radiant import (
    InferenceResult,
    Model3D,
    RerankResponse,
    SearchResponse,
)

__all__ = ["MAX_BODY_BYTES", "GatewayEndpoint", "dumps"]

logger = logging.getLogger(__name__)

#: what an adapter answers a call of an endpoint that does not stream (speech: the audio
#: and its content type)
Result: TypeAlias = (
    ChatCompletion
    | EmbeddingList
    | ImagesResponse
    | Transcription
    | RerankResponse
    | SearchResponse
    | Video
    | Model3D
    | InferenceResult
    | tuple[bytes, str]
)

#: the endpoints whose answer names the model: the name the client asked for, not the
#: upstream's model string
_NAMED = frozenset(
    {Endpoint.CHAT, Endpoint.EMBEDDINGS, Endpoint.VIDEOS, Endpoint.MODELS_3D, Endpoint.INFERENCE}
)

#: the adapter method that answers each endpoint taking one JSON body (a transcription
#: takes its form's file and fields)
_ADAPTER_METHODS: dict[Endpoint, str] = {
    Endpoint.CHAT: "chat",
    Endpoint.EMBEDDINGS: "embeddings",
    Endpoint.IMAGES: "images",
    Endpoint.SPEECH: "speech",
    Endpoint.RERANK: "rerank",
    Endpoint.SEARCH: "search",
    Endpoint.VIDEOS: "video_create",
    Endpoint.MODELS_3D: "model3d_create",
    Endpoint.INFERENCE: "inference",
}

_SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


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


async def _form(content_type: str, raw: bytes) -> tuple[TranscriptionFields, tuple[bytes, str]]:
    """The fields and the ``file`` of a multipart/form-data body, read by the web
    framework's own multipart parser (its limits on parts and fields apply)."""
    if not content_type.startswith("multipart/form-data"):
        raise BadRequestError("an audio transcription is sent as multipart/form-data")

    async def body() -> AsyncGenerator[bytes, None]:
        yield raw

    try:
        form = await MultiPartParser(Headers({"content-type": content_type}), body()).parse()
    except MultiPartException as exc:
        raise BadRequestError(f"the multipart/form-data body cannot be read: {exc}") from None
    fields: TranscriptionFields = {}
    file: tuple[bytes, str] | None = None
    try:
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields[name] = value
            elif name == "file":
                file = (await value.read(), value.filename or "audio")
    finally:
        await form.close()
    if file is None:
        raise BadRequestError("'file' is required: the audio to transcribe", param="file")
    return fields, file


#: the default limit of a /v1 body (``RADIANT_GATEWAY_MAX_BODY_BYTES``)
MAX_BODY_BYTES = 32 * 1024 * 1024


class GatewayEndpoint:
    """One ``/v1`` endpoint; ``gateway`` gives the process's gateway (built on first use).

    It echoes a client's ``x-request-id`` when it is sane (else ours) and always sends
    ours as ``x-radiant-request-id``; bodies are limited to ``max_body`` bytes;
    ``expose_route`` adds ``x-radiant-route``."""

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
        ours = new_request_id()
        theirs = caller_request_id(_header(scope, b"x-request-id"))
        echo = (theirs or ours).encode()
        reply = _Reply(
            send,
            scope["path"],
            [(b"x-request-id", echo), (b"x-radiant-request-id", ours.encode())],
            self.expose_route,
        )
        try:
            rest = scope["path"][len(self.endpoint.path) :]
            if rest and scope["method"] == "GET":  # /v1/videos/{id}: a job read back
                await self._read(scope, reply, rest.strip("/"))
                return
            if rest:
                raise MethodNotAllowedError(f"{scope['path']} takes GET")
            if scope["method"] != "POST":
                raise MethodNotAllowedError(f"{scope['path']} takes POST")
            await self._serve(scope, receive, reply, ours, theirs)
        except Exception as exc:
            if not isinstance(exc, RadiantError):
                logger.exception("gateway: %s failed", scope["path"])
            await reply.error(exc)

    async def _read(self, scope: Scope, reply: _Reply, rest: str) -> None:
        """``GET <path>/{id}`` (and ``/v1/videos/{id}/content``): the tenant's own job."""
        job_id, _, tail = rest.partition("/")
        content = tail == "content" and self.endpoint is Endpoint.VIDEOS
        if not job_id or (tail and not content):
            raise NotFoundError("path", scope["path"])
        token = bearer_token(_header(scope, b"authorization"))
        answer, media = await read_job(
            self.gateway(), token, self.endpoint, job_id, content=content
        )
        data = answer if isinstance(answer, bytes) else dumps(answer)
        await reply.send(200, data, media, {})

    async def _serve(
        self, scope: Scope, receive: Receive, reply: _Reply, request_id: str, theirs: str | None
    ) -> None:
        gateway = self.gateway()
        token = bearer_token(_header(scope, b"authorization"))
        raw = await _body(scope, receive, self.max_body)
        key = _header(scope, b"idempotency-key")
        if self.endpoint is Endpoint.TRANSCRIPTION:
            fields, file = await _form(_header(scope, b"content-type") or "", raw)
            size = len(raw) - len(file[0])  # the audio is billed by its length, not tokens
            call = await gateway.begin(
                token,
                self.endpoint,
                fields,
                request_id,
                size=size,
                client_request_id=theirs,
                idempotency_key=key,
                file=file,
            )
        else:
            call = await gateway.begin(
                token, self.endpoint, raw, request_id, client_request_id=theirs, idempotency_key=key
            )
        if call.replay is not None:
            await reply.replay(call.replay)
            return
        reply.extra += call.limit_headers
        if call.ask.stream:
            await self._stream(gateway, call, reply, receive)
            return
        try:
            hop, result = await gateway.complete(call, self._invoke(call))
        except BaseException as exc:  # a cancelled call too: the upstream may have charged
            gateway.finish(call, None, None, exc)
            raise
        if isinstance(result, tuple):  # speech
            audio, media = result
            outcome = gateway.finish(
                call, hop, response_usage(self.endpoint, None, call.ask.speech)
            )
            await self._answer(gateway, call, reply, audio, media, outcome)
            return
        usage = response_usage(self.endpoint, result, call.ask.checked)
        if self.endpoint in _NAMED and isinstance(result, dict):
            cast("ChatCompletion", result)["model"] = _asked(call, hop)
        if self.endpoint in JOB_ENDPOINTS:
            try:
                result = await start_job(gateway, call, hop, cast("Video | Model3D", result))
            except BaseException as exc:  # started upstream, not ours to bill: recorded
                gateway.finish(call, hop, usage, exc, bill=False)
                raise
        outcome = gateway.finish(call, hop, usage)
        await self._answer(gateway, call, reply, dumps(result), "application/json", outcome)

    async def _answer(
        self, gateway: Gateway, call: Call, reply: _Reply, data: bytes, media: str, outcome: Outcome
    ) -> None:
        headers = reply.outcome_headers(outcome)
        if call.idempotency is not None:
            await gateway.keep(call, Answer(call.request_id, 200, media, headers, data))
        await reply.send(200, data, media, headers)

    def _invoke(self, call: Call) -> Callable[[WireAdapter], Awaitable[Result]]:
        ask = call.ask
        method = _ADAPTER_METHODS.get(self.endpoint)
        if method is not None:  # one body, checked against the endpoint's shape
            body = ask.checked
            return lambda adapter: getattr(adapter, method)(body)
        assert call.file is not None
        data, filename = call.file
        fields = {k: v for k, v in ask.transcription.items() if k != "model"}
        return lambda adapter: adapter.transcription(data, filename, fields)

    async def _stream(self, gateway: Gateway, call: Call, reply: _Reply, receive: Receive) -> None:
        try:
            hop, first, rest = await gateway.open_stream(call)
        except BaseException as exc:  # a cancelled call too: recorded once all the same
            gateway.finish(call, None, None, exc)
            raise
        tally = StreamTally()
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.sleep(0)  # it runs once now: a client that left meanwhile is seen
            await reply.start(200, _SSE_HEADERS, hop)
            await self._relay(gateway, call, reply, hop, first, rest, gone, tally)
        except BaseException as exc:
            # anything else that ended it (a bug, a cancelled task) is recorded all the same,
            # once, like a stream the upstream broke: at its cost, not billed
            usage, estimated = tally.usage(call.ask.chat)
            gateway.finish(call, hop, usage, exc, bill=False, estimated=estimated)
            raise
        finally:
            gone.cancel()

    async def _relay(
        self,
        gateway: Gateway,
        call: Call,
        reply: _Reply,
        hop: Hop,
        first: ChatCompletionChunk,
        rest: AsyncIterator[ChatCompletionChunk],
        gone: asyncio.Future[None],
        tally: StreamTally,
    ) -> None:
        wanted = call.ask.wants_stream_usage
        asked = _asked(call, hop)
        chunk: ChatCompletionChunk | None = first
        try:
            while chunk is not None:
                if gone.done():  # the client left: stop reading (and paying for) the rest
                    raise ClientGoneError("the client closed the stream")
                usage = chunk.get("usage")
                if usage:
                    if isinstance(usage, dict):
                        tally.reported(usage)
                    if not wanted:
                        chunk = chunk.copy()
                        del chunk["usage"]
                if wanted or chunk.get("choices"):
                    chunk["model"] = asked
                    await reply.body(b"data: " + dumps(chunk) + b"\n\n")
                    tally.delivered(chunk)
                chunk = await anext(rest, None)
        except ClientGoneError as exc:
            await _close(rest)
            # billed for what it was sent: the upstream charged us for it
            delivered, estimated = tally.usage(call.ask.chat)
            gateway.finish(call, hop, delivered, exc, bill=True, estimated=estimated)
            return
        except ProviderError as exc:
            await gateway.feed(hop, call.started, exc)
            delivered, estimated = tally.usage(call.ask.chat)
            gateway.finish(call, hop, delivered, exc, bill=False, estimated=estimated)
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
        whole, estimated = tally.usage(call.ask.chat)
        outcome = gateway.finish(call, hop, whole, estimated=estimated)
        tail = b": x-radiant-price " + format(outcome.price, "f").encode() + b"\n\ndata: [DONE]\n\n"
        await reply.body(tail, more=False)


async def _disconnected(receive: Receive) -> None:
    """Returns once the client has gone (the body was read before the stream started)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _close(chunks: AsyncIterator[ChatCompletionChunk]) -> None:
    close = getattr(chunks, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:  # closing a broken upstream stream: nothing more to learn
            logger.debug("gateway: closing an abandoned stream failed", exc_info=True)


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

    def outcome_headers(self, outcome: Outcome) -> dict[str, str]:
        """The headers an answer carries of how it was served and billed (kept with an
        idempotent answer, so a replay says the same)."""
        headers = {"x-radiant-price": format(outcome.price, "f")}
        if outcome.hop is not None:
            headers.update((k.decode(), v.decode()) for k, v in self._hop_headers(outcome.hop))
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

    async def send(
        self,
        status: int,
        data: bytes,
        media: str,
        own: dict[str, str],
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        headers = [
            (b"content-type", media.encode("latin-1")),
            (b"content-length", str(len(data)).encode()),
            *(extra or self.extra),
            *((k.encode("latin-1"), v.encode("latin-1")) for k, v in own.items()),
        ]
        self.started = True
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": data})

    async def replay(self, answer: Answer) -> None:
        """A kept answer: this request's ``x-request-id``, the answering call's own id."""
        ids = [(k, v) for k, v in self.extra if k != b"x-radiant-request-id"]
        ids.append((b"x-radiant-request-id", answer.request_id.encode()))
        ids.append((b"idempotent-replayed", b"true"))
        await self.send(answer.status, answer.body, answer.media_type, answer.headers, ids)

    async def error(self, exc: BaseException) -> None:
        if self.started:  # pragma: no cover - the stream reports its own errors
            return
        status, code, message, headers = error_parts(exc)
        param = getattr(exc, "param", None)
        extra: dict[str, object] = {}
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
