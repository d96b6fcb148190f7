"""The ``sagemaker`` wire: Radiant's self-hosted models, one SageMaker endpoint each, called
through boto3's ``sagemaker-runtime`` client (extra ``radiant-registry[aws]``; imported only here,
and this module only when the wire is first called).

* ``InvokeEndpoint`` for every answer, ``InvokeEndpointWithResponseStream`` for a streamed
  chat; boto3 blocks, so each call runs in a thread (``asyncio.to_thread``) and a stream's
  events are read one by one in threads, the stream closed when its consumer leaves;
* the endpoint is :func:`~radiant.providers.self_hosted.endpoint_name` of the route's model
  string (``radiant-<model>``, the name the thermal manager warms), unless the route's
  ``wire_options.endpoint_name`` names another;
* credentials and region come from the standard AWS chain; the route's first region wins,
  and ``endpoint_url`` is the route's ``endpoint_override`` (tests: a local fake);
* what the container takes and answers is its family's format
  (:mod:`radiant.providers.sagemaker_formats`, named by ``wire_options.format``), and so
  are the adapter's capabilities on the route;
* self-hosted routes are priced by compute time: every answer carries the wall-clock
  seconds of its invocation as ``usage.seconds`` (chat and embeddings: beside OpenAI's
  tokens; the last chunk of a stream too); :attr:`SageMakerAdapter.seconds` holds it after
  any call, speech included (its answer is only audio);
* errors: :mod:`radiant.providers.sagemaker_errors` (a cold or absent endpoint is
  ``kind="unavailable"``, status 503).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import AsyncGenerator, Iterator, Mapping
from typing import Any, ClassVar, cast

from radiant.errors import ProviderError
from radiant.http.client import HttpClient
from radiant.providers import sagemaker_formats as fmt
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error
from radiant.providers.sagemaker_errors import from_botocore
from radiant.providers.self_hosted import endpoint_name
from radiant.providers.shapes.openai import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatParams,
    CompletionUsage,
    Embedding,
    EmbeddingList,
    EmbeddingParams,
    ImageData,
    ImageParams,
    ImagesResponse,
    SpeechParams,
    Transcription,
    TranscriptionFields,
)
from radiant.providers.shapes.radiant import (
    InferenceParams,
    InferenceResult,
    Model3D,
    Model3DParams,
)
from radiant.providers.target import UpstreamTarget
from radiant.settings import get_settings

__all__ = ["SageMakerAdapter"]

#: what some family offers (a route offers its own family's capabilities only)
_ANY_FAMILY = ProviderCapabilities(
    **{name: True for family in fmt.FAMILIES.values() for name in family.capabilities.supported()}
)


class _Answer:
    """What ``InvokeEndpoint`` answered: the body, its content type, the seconds it took."""

    def __init__(self, body: bytes, content_type: str, seconds: float) -> None:
        self.body = body
        self.content_type = content_type
        self.seconds = seconds


class SageMakerAdapter(WireAdapter):
    wire: ClassVar[str] = "sagemaker"
    capabilities: ClassVar[ProviderCapabilities] = _ANY_FAMILY

    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        super().__init__(target, client)
        self._runtime: Any = None
        #: wall-clock seconds of the last invocation (a stream: until its last event)
        self.seconds: float | None = None

    # ------------------------------------------------------------------ configuration

    @property
    def family(self) -> fmt.Family:
        """The route's family (``wire_options.format``); raises ``kind="config"``."""
        declared = self.target.options.get("format")
        family = fmt.FAMILIES.get(str(declared)) if declared else None
        if family is None:
            known = ", ".join(sorted(fmt.FAMILIES))
            raise ProviderError(
                f"{self.name}: model {self.target.model!r} declares no known container "
                f"format (wire_options.format: {declared!r}; one of {known})",
                provider=self.name,
                kind="config",
            )
        return family

    def require(self, capability: str) -> None:
        self.family.capabilities.require(capability, self.name)

    @property
    def endpoint(self) -> str:
        declared = self.target.options.get("endpoint_name")
        if isinstance(declared, str) and declared:
            return declared
        # named as the thermal manager names it (RADIANT_SAGEMAKER_ENDPOINT_PREFIX)
        return endpoint_name(self.target.model, get_settings().sagemaker_endpoint_prefix)

    def _headers(self, content_type: str | None = None) -> tuple[str, str]:
        options = self.target.options
        family = self.family
        return (
            str(content_type or options.get("content_type") or family.content_type),
            str(options.get("accept") or family.accept),
        )

    def _client(self) -> Any:
        """The boto3 client, made on first use (in a worker thread: it reads files)."""
        if self._runtime is None:
            try:
                import boto3  # an optional extra (``radiant-registry[aws]``): imported when used
                from botocore.config import Config  # with boto3
            except ImportError:
                raise ProviderError(
                    f"{self.name}: the sagemaker wire needs boto3: "
                    "pip install 'radiant-registry[aws]'",
                    provider=self.name,
                    kind="config",
                ) from None
            timeout = self.target.timeout
            config = Config(
                connect_timeout=min(timeout, 10.0),
                read_timeout=timeout,
                # the gateway retries on another route; SageMaker's own retries only if asked
                retries={
                    "mode": "standard",
                    "total_max_attempts": int(self.target.options.get("max_attempts") or 1),
                },
                user_agent_extra="radiant",
            )
            self._runtime = boto3.session.Session().client(
                "sagemaker-runtime",
                region_name=self.target.region or None,
                endpoint_url=self.target.base_url or None,
                config=config,
            )
        return self._runtime

    # ------------------------------------------------------------------ calls

    def _invoke_sync(self, body: bytes, content_type: str, accept: str) -> _Answer:
        started = time.monotonic()
        response = self._client().invoke_endpoint(
            EndpointName=self.endpoint, Body=body, ContentType=content_type, Accept=accept
        )
        content = response["Body"].read()
        seconds = time.monotonic() - started
        return _Answer(content, str(response.get("ContentType") or accept), seconds)

    async def _invoke(self, body: bytes, content_type: str | None = None) -> _Answer:
        sent_type, accept = self._headers(content_type)
        try:
            answer = await asyncio.to_thread(self._invoke_sync, body, sent_type, accept)
        except ProviderError:
            raise
        except Exception as exc:
            raise from_botocore(self.name, exc) from exc
        self.seconds = answer.seconds
        return answer

    async def _invoke_json(self, payload: object) -> tuple[Any, _Answer]:
        answer = await self._invoke(json.dumps(payload).encode())
        return self._json(answer), answer

    def _json(self, answer: _Answer) -> Any:
        try:
            return json.loads(answer.body)
        except ValueError:
            text = answer.body[:2000].decode("utf-8", "replace")
            raise protocol_error(self.name, "the container's answer is not JSON", text) from None

    def _unexpected(self, answer: _Answer, what: str) -> ProviderError:
        text = answer.body[:2000].decode("utf-8", "replace")
        return protocol_error(self.name, f"the container's answer has no {what}", text)

    async def _parts(self, body: bytes) -> AsyncGenerator[bytes, None]:
        """The bytes of a response stream's PayloadParts, as they come."""
        content_type, accept = self._headers()

        def start() -> Iterator[Mapping[str, Any]]:
            response = self._client().invoke_endpoint_with_response_stream(
                EndpointName=self.endpoint, Body=body, ContentType=content_type, Accept=accept
            )
            return cast("Iterator[Mapping[str, Any]]", response["Body"])

        def step(events: Iterator[Mapping[str, Any]]) -> Mapping[str, Any] | None:
            return next(events, None)

        try:
            stream = await asyncio.to_thread(start)
        except ProviderError:
            raise
        except Exception as exc:
            raise from_botocore(self.name, exc) from exc
        events = iter(stream)
        try:
            while True:
                try:
                    event = await asyncio.to_thread(step, events)
                except Exception as exc:
                    raise from_botocore(self.name, exc) from exc
                if event is None:
                    return
                part = event.get("PayloadPart")
                if isinstance(part, Mapping) and part.get("Bytes"):
                    yield bytes(part["Bytes"])
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                await asyncio.to_thread(close)

    # ------------------------------------------------------------------ chat (tgi)

    def _usage(self, prompt: int, completion: int, seconds: float) -> CompletionUsage:
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "seconds": round(seconds, 6),  # Radiant's extension: compute time
        }
        return cast("CompletionUsage", usage)

    async def chat(self, body: ChatParams) -> ChatCompletion:
        self.require("chat")
        request = fmt.tgi_request(body, self.target.options, stream=False)
        payload, answer = await self._invoke_json(request)
        generated = fmt.tgi_answer(payload)
        if generated is None:
            raise self._unexpected(answer, "generated_text")
        prompt, completion = fmt.tgi_usage(generated, request["inputs"])
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.target.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": generated["generated_text"]},
                    "finish_reason": fmt.finish_reason(generated.get("details")),
                }
            ],
            "usage": self._usage(prompt, completion, answer.seconds),
        }

    def _chunk(self, ident: str, created: int, **fields: Any) -> ChatCompletionChunk:
        chunk = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": self.target.model,
            **fields,
        }
        return cast("ChatCompletionChunk", chunk)

    async def chat_stream(self, body: ChatParams) -> AsyncGenerator[ChatCompletionChunk, None]:
        self.require("streaming")
        request = fmt.tgi_request(body, self.target.options, stream=True)
        ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        started = time.monotonic()
        lines = fmt.LineBuffer()
        completion, reason = 0, None
        delta: dict[str, str] = {"role": "assistant", "content": ""}
        parts = self._parts(json.dumps(request).encode())
        try:
            async for part in parts:
                for line in lines.feed(part):
                    event = self._event(line)
                    if event is None:
                        continue
                    token = fmt.token_event(event)
                    completion += 1
                    if token.get("details"):
                        reason = fmt.finish_reason(token.get("details"))
                        done = (token.get("details") or {}).get("generated_tokens")
                        completion = done if isinstance(done, int) else completion
                    if token["token"].get("special"):
                        continue
                    delta["content"] = token["token"]["text"]
                    choice = {"index": 0, "delta": dict(delta), "finish_reason": None}
                    yield self._chunk(ident, created, choices=[choice])
                    delta = {}
            for line in lines.close():
                self._event(line)
        finally:
            await parts.aclose()
        if reason is None:
            raise protocol_error(self.name, "the stream ended before its last token")
        # this stream's own time: the adapter serves concurrent streams of its route
        seconds = self.seconds = time.monotonic() - started
        finish = {"index": 0, "delta": {}, "finish_reason": reason}
        yield self._chunk(ident, created, choices=[finish])
        prompt = fmt.count_tokens(request["inputs"])
        usage = self._usage(prompt, completion, seconds)
        yield self._chunk(ident, created, choices=[], usage=usage)

    def _event(self, line: str) -> dict[str, Any] | None:
        """A token event of a TGI stream line; raises the error an error line reports."""
        try:
            event = fmt.tgi_stream_event(line)
        except ValueError:
            raise protocol_error(self.name, "a stream line is not JSON", line) from None
        if event is None:
            return None
        if "error" in event:
            raise ProviderError(
                f"{self.name}: error in stream: {event.get('error')}",
                provider=self.name,
                kind="http",
                status=500,
                body=json.dumps(event)[:2000],
                code=str(event.get("error_type") or "") or None,
            )
        return event if fmt.is_token_event(event) else None

    # ------------------------------------------------------------------ other endpoints

    async def embeddings(self, body: EmbeddingParams) -> EmbeddingList:
        self.require("embeddings")
        request = fmt.embeddings_request(body)
        payload, answer = await self._invoke_json(request)
        vectors = fmt.embeddings_answer(payload, len(request["inputs"]))
        if vectors is None:
            raise self._unexpected(answer, "vectors")
        as_base64 = body.get("encoding_format") == "base64"
        data: list[Embedding] = [
            {
                "object": "embedding",
                "index": i,
                "embedding": fmt.base64_vector(v) if as_base64 else v,
            }
            for i, v in enumerate(vectors)
        ]
        tokens = fmt.embedding_tokens(body)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens, "seconds": answer.seconds}
        result = {"object": "list", "data": data, "model": self.target.model, "usage": usage}
        return cast("EmbeddingList", result)

    async def transcription(
        self,
        file: bytes,
        filename: str,
        fields: TranscriptionFields,  # noqa: ARG002 (the container takes the audio alone)
    ) -> Transcription:
        self.require("transcription")
        content_type = fmt.audio_content_type(filename, self._headers()[0])
        answer = await self._invoke(file, content_type)
        found = fmt.transcription_text(self._json(answer))
        if found is None:
            raise self._unexpected(answer, "text")
        result: Transcription = {
            "text": found["text"],
            "usage": {"type": "duration", "seconds": answer.seconds},
        }
        if isinstance(found.get("language"), str):
            result["language"] = found["language"]
        return result

    async def speech(self, body: SpeechParams) -> tuple[bytes, str]:
        self.require("speech")
        answer = await self._invoke(json.dumps(fmt.speech_request(body)).encode())
        if not answer.content_type.startswith("application/json"):
            return answer.body, answer.content_type
        payload = self._json(answer)
        if isinstance(payload, list) and payload:
            payload = payload[0]
        audio = payload.get("audio") if isinstance(payload, dict) else None
        try:
            content = base64.b64decode(str(audio), validate=True) if audio else b""
        except ValueError:
            content = b""
        if not content:
            raise self._unexpected(answer, "audio")
        return content, str(payload.get("content_type") or "audio/wav")

    async def images(self, body: ImageParams) -> ImagesResponse:
        self.require("image_generation")
        answer = await self._invoke(json.dumps(fmt.image_request(body)).encode())
        if answer.content_type.startswith("image/"):
            images = [base64.b64encode(answer.body).decode("ascii")]
            media = answer.content_type
        else:
            found = fmt.images_answer(self._json(answer))
            if found is None:
                raise self._unexpected(answer, "images")
            images, media = found, "image/png"
        as_url = body.get("response_format") == "url"
        data: list[ImageData] = [
            {"url": f"data:{media};base64,{b}"} if as_url else {"b64_json": b} for b in images
        ]
        result = {"created": int(time.time()), "data": data, "usage": {"seconds": answer.seconds}}
        return cast("ImagesResponse", result)

    async def model3d_create(self, body: Model3DParams) -> Model3D:
        """One synchronous invocation: the answer is already ``completed``, its mesh a
        ``data:`` URL."""
        self.require("model_3d")
        requested = str(
            body.get("format") or self.target.options.get("mesh_format") or "glb"
        ).lower()
        answer = await self._invoke(json.dumps(fmt.mesh_request(body, requested)).encode())
        if answer.content_type.startswith("application/json"):
            found = fmt.mesh_answer(self._json(answer), requested)
            if found is None:
                raise self._unexpected(answer, "mesh")
            mesh, mesh_format = found
        else:
            mesh, mesh_format = answer.body, requested
        media = fmt.MESH_TYPES.get(mesh_format, "application/octet-stream")
        url = fmt.data_url(mesh, media)
        result = {
            "id": f"3d-{uuid.uuid4().hex}",
            "object": "3d_model",
            "model": self.target.model,
            "status": "completed",
            "created_at": int(time.time()),
            "progress": 100,
            "url": url,
            "format": mesh_format,
            "files": {mesh_format: url},
            "usage": {"seconds": answer.seconds},  # Radiant's extension: compute time
        }
        return cast("Model3D", result)

    async def model3d_status(self, job_id: str) -> Model3D:
        self.require("model_3d")
        raise ProviderError(
            f"{self.name}: 3D models are made synchronously; job {job_id!r} has no status "
            "to poll (model3d_create answered it completed)",
            provider=self.name,
            kind="http",
            status=404,
        )

    async def inference(self, body: InferenceParams) -> InferenceResult:
        self.require("inference")
        answer = await self._invoke(json.dumps(body["input"]).encode())
        if answer.content_type.startswith("application/json") or answer.body[:1] in (b"{", b"["):
            payload = self._json(answer)
            output = payload if isinstance(payload, dict) else {"result": payload}
        else:
            encoded = base64.b64encode(answer.body).decode("ascii")
            output = {"content_type": answer.content_type, "data": encoded}
        return {
            "object": "inference",
            "model": self.target.model,
            "output": output,
            "usage": {"seconds": answer.seconds},
        }
