"""A fake SageMaker runtime on 127.0.0.1 (not a test module): the two doors of the real
service, ``POST /endpoints/{name}/invocations`` and
``POST /endpoints/{name}/invocations-response-stream`` (answered in AWS event-stream
framing), with endpoints that answer like the containers of each model family.

:func:`sagemaker_app` builds the Starlette app of a :class:`FakeSageMaker`; it works
mounted under a path prefix (``Mount("/sagemaker", app=...)``): give boto3
``endpoint_url=f"{server}/sagemaker"`` (botocore keeps the prefix of an endpoint URL).
:func:`serve_sagemaker` serves it so, in a thread, and sets ``fake.endpoint_url``.

Every request must be SigV4-signed (an ``Authorization: AWS4-HMAC-SHA256 ...`` header);
the fake records what it got (:attr:`FakeSageMaker.seen`) and answers errors as the real
service does (status, ``x-amzn-ErrorType``, JSON ``message``) so botocore parses them:
an endpoint it does not know is a ``ValidationError`` "Endpoint ... not found", one in
:attr:`~FakeSageMaker.cold` a ``ModelNotReadyException`` (429), one in
:attr:`~FakeSageMaker.model_errors` a ``ModelError`` (424, the container's status kept in
``OriginalStatusCode``); a stream in :attr:`~FakeSageMaker.stream_error_after` sends a
``ModelStreamError`` exception event after that many parts.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import struct
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

from local_server import serve_app

__all__ = [
    "FakeSageMaker",
    "Invocation",
    "encode_event",
    "sagemaker_app",
    "serve_sagemaker",
]

ACCOUNT = "123456789012"
LOGS = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints"
CORAL = "http://internal.amazon.com/coral/com.amazon.sagemaker/"
#: a tiny PNG, what the diffusion endpoints answer
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
MESH = b"ply\nformat ascii 1.0\nelement vertex 0\nend_header\n"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt "


@dataclass
class Invocation:
    endpoint: str
    stream: bool
    content_type: str
    accept: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeSageMaker:
    #: endpoint name -> the family its container speaks
    endpoints: dict[str, str] = field(default_factory=dict)
    #: endpoints scaled to zero / still loading: ModelNotReadyException
    cold: set[str] = field(default_factory=set)
    #: endpoint -> (the container's status, its message): a ModelError
    model_errors: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: endpoint -> how many PayloadParts to send before a ModelStreamError
    stream_error_after: dict[str, int] = field(default_factory=dict)
    #: endpoints that answer ThrottlingException
    throttled: set[str] = field(default_factory=set)
    #: what the text generation endpoints say, one token a word
    reply: str = "Héllo there, from the fake"
    #: how many more tokens a stream generates after the reply (a long stream)
    extra_tokens: int = 0
    #: how many bytes a PayloadPart carries (small: lines and characters are cut)
    part_size: int = 7
    #: seconds between two PayloadParts
    part_delay: float = 0.0
    #: seconds each invocation takes
    delay: float = 0.0
    seen: list[Invocation] = field(default_factory=list)
    #: endpoint -> "complete" or "cut" for each stream, once it ended
    streams: list[tuple[str, str]] = field(default_factory=list)
    endpoint_url: str = ""


# ------------------------------------------------------------------ event-stream framing

_STRING = 7  # header value type: a UTF-8 string


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return (
        struct.pack("!B", len(raw_name))
        + raw_name
        + struct.pack("!BH", _STRING, len(raw_value))
        + raw_value
    )


def encode_event(headers: dict[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: the prelude (total length, headers length, their
    CRC32), the headers, the payload, the CRC32 of all that came before."""
    encoded = b"".join(_header(k, v) for k, v in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded))
    prelude += struct.pack("!I", binascii.crc32(prelude))
    message = prelude + encoded + payload
    return message + struct.pack("!I", binascii.crc32(message))


def payload_part(data: bytes) -> bytes:
    return encode_event(
        {
            ":event-type": "PayloadPart",
            ":message-type": "event",
            ":content-type": "application/octet-stream",
        },
        data,
    )


def stream_exception(kind: str, message: str, code: str = "StreamBroken") -> bytes:
    return encode_event(
        {
            ":exception-type": kind,
            ":message-type": "exception",
            ":content-type": "application/json",
        },
        json.dumps({"Message": message, "ErrorCode": code}).encode(),
    )


# ------------------------------------------------------------------ errors as AWS sends them


def aws_error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"message": message, **extra},
        status_code=status,
        headers={
            "x-amzn-ErrorType": f"{kind}:{CORAL}",
            "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000",
        },
    )


def _trouble(fake: FakeSageMaker, request: Request, name: str) -> Response | None:
    auth = request.headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 Credential=") or "Signature=" not in auth:
        return aws_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    if name not in fake.endpoints:
        return aws_error(400, "ValidationError", f"Endpoint {name} of account {ACCOUNT} not found.")
    if name in fake.cold:
        return aws_error(
            429,
            "ModelNotReadyException",
            f"Model for endpoint {name} is not ready. Please try again later.",
        )
    if name in fake.throttled:
        return aws_error(429, "ThrottlingException", "Rate exceeded")
    if name in fake.model_errors:
        status, message = fake.model_errors[name]
        side = "client" if status < 500 else "server"
        return JSONResponse(
            {
                "ErrorCode": f"{side.upper()}_ERROR_FROM_MODEL",
                "LogStreamArn": f"{LOGS}/{name}",
                "Message": f"Received {side} error ({status}) from primary with message "
                f'"{message}".',
                "OriginalMessage": message,
                "OriginalStatusCode": status,
            },
            status_code=424,
            headers={"x-amzn-ErrorType": f"ModelError:{CORAL}"},
        )
    return None


# ------------------------------------------------------------------ the containers


def _tokens(fake: FakeSageMaker) -> list[str]:
    words = fake.reply.split(" ")
    tokens = [w if i == 0 else f" {w}" for i, w in enumerate(words)]
    return tokens + [" more"] * fake.extra_tokens


def _tgi(fake: FakeSageMaker, request: dict[str, Any]) -> tuple[bytes, str]:
    parameters = request.get("parameters") or {}
    tokens = _tokens(fake)
    answer: dict[str, Any] = {"generated_text": "".join(tokens)}
    if parameters.get("details"):
        details: dict[str, Any] = {"finish_reason": "eos_token", "generated_tokens": len(tokens)}
        if parameters.get("decoder_input_details"):
            prompt = str(request["inputs"]).split()
            details["prefill"] = [{"id": i, "text": w} for i, w in enumerate(prompt)]
        answer["details"] = details
    return json.dumps([answer]).encode(), "application/json"


def _tgi_lines(fake: FakeSageMaker) -> bytes:
    """The ``data:`` lines TGI streams: a token each, the last with the whole text."""
    tokens = _tokens(fake)
    lines = []
    for i, token in enumerate(tokens):
        event = {
            "index": i,
            "token": {"id": i, "text": token, "logprob": -0.1, "special": False},
            "generated_text": None,
            "details": None,
        }
        lines.append(json.dumps(event, ensure_ascii=False))
    final = {
        "index": len(tokens),
        "token": {"id": 2, "text": "</s>", "logprob": 0.0, "special": True},
        "generated_text": "".join(tokens),
        "details": {"finish_reason": "eos_token", "generated_tokens": len(tokens) + 1},
    }
    lines.append(json.dumps(final, ensure_ascii=False))
    return "".join(f"data:{line}\n\n" for line in lines).encode()


def _answer(fake: FakeSageMaker, family: str, body: bytes, content_type: str) -> Response:
    if family == "whisper":
        if not content_type.startswith("audio/"):
            return JSONResponse({"error": "not audio"}, status_code=424)
        text = {"text": f"heard {len(body)} bytes", "language": "en"}
        return Response(json.dumps(text), media_type="application/json")
    request = json.loads(body)
    if family == "tgi":
        content, media = _tgi(fake, request)
        return Response(content, media_type=media)
    if family == "hf_embeddings":
        inputs = request["inputs"]
        vectors = [[float(len(str(x))), 1.0, 0.5, 0.25] for x in inputs]
        return Response(json.dumps(vectors), media_type="application/json")
    if family == "tts":
        return Response(WAV + str(request["inputs"]).encode(), media_type="audio/wav")
    if family == "diffusion":
        count = int((request.get("parameters") or {}).get("num_images_per_prompt") or 1)
        images = [base64.b64encode(PNG).decode()] * count
        return Response(json.dumps({"generated_images": images}), media_type="application/json")
    if family == "mesh_3d":
        return Response(MESH, media_type="application/octet-stream")
    return Response(json.dumps({"received": request, "score": 0.9}), media_type="application/json")


def sagemaker_app(fake: FakeSageMaker) -> Starlette:
    """The fake runtime's app; mount it anywhere (``Mount("/sagemaker", app=...)``)."""

    async def record(request: Request, stream: bool) -> tuple[str, bytes, Response | None]:
        name = request.path_params["name"]
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        fake.seen.append(
            Invocation(
                name,
                stream,
                content_type,
                request.headers.get("x-amzn-sagemaker-accept") or request.headers.get("accept", ""),
                dict(request.headers),
                body,
            )
        )
        if fake.delay:
            await asyncio.sleep(fake.delay)
        return name, body, _trouble(fake, request, name)

    async def invoke(request: Request) -> Response:
        name, body, trouble = await record(request, stream=False)
        if trouble is not None:
            return trouble
        return _answer(fake, fake.endpoints[name], body, request.headers.get("content-type", ""))

    async def invoke_stream(request: Request) -> Response:
        name, _, trouble = await record(request, stream=True)
        if trouble is not None:
            return trouble
        if fake.endpoints[name] != "tgi":
            return aws_error(400, "ValidationError", "This model does not support streaming.")
        data = _tgi_lines(fake)
        parts = [data[i : i + fake.part_size] for i in range(0, len(data), fake.part_size)]
        fail_after = fake.stream_error_after.get(name)

        async def events() -> AsyncIterator[bytes]:
            ended = "cut"
            try:
                for i, part in enumerate(parts):
                    if fail_after is not None and i == fail_after:
                        yield stream_exception("ModelStreamError", "the model stopped streaming")
                        ended = "complete"
                        return
                    yield payload_part(part)
                    if fake.part_delay:
                        await asyncio.sleep(fake.part_delay)
                ended = "complete"
            finally:
                fake.streams.append((name, ended))

        return StreamingResponse(
            events(),
            media_type="application/vnd.amazon.eventstream",
            headers={
                "X-Amzn-SageMaker-Content-Type": "text/event-stream",
                "x-Amzn-Invoked-Production-Variant": "AllTraffic",
            },
        )

    return Starlette(
        routes=[
            Route("/endpoints/{name}/invocations", invoke, methods=["POST"]),
            Route("/endpoints/{name}/invocations-response-stream", invoke_stream, methods=["POST"]),
        ]
    )


@contextmanager
def serve_sagemaker(fake: FakeSageMaker, prefix: str = "/sagemaker") -> Iterator[FakeSageMaker]:
    """Serve ``fake`` under ``prefix`` on 127.0.0.1 for as long as the block runs; sets
    ``fake.endpoint_url`` (what boto3's ``endpoint_url`` should be)."""
    app = Starlette(routes=[Mount(prefix, app=sagemaker_app(fake))])
    with serve_app(app, lifespan="off") as base:
        fake.endpoint_url = f"{base}{prefix}"
        yield fake
