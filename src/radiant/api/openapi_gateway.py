"""The ``/v1`` gateway's operations in the OpenAPI document.

The gateway's endpoints are plain ASGI apps in front of FastAPI's router (the hot path
skips it), so FastAPI cannot see them; their operations are written here from the same
typed shapes the gateway checks bodies against (:data:`radiant.gateway.requests.SHAPES`)
and the answer shapes of :mod:`radiant.providers.openai_wire`. Each takes a tenant API key
(``TenantKey``: ``Authorization: Bearer rtk_...``) and answers errors as problem details
carrying OpenAI's ``error`` object.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from radiant.api.problems import MEDIA_TYPE
from radiant.gateway.requests import JOB_ENDPOINTS, SHAPES, Endpoint
from radiant.providers.openai_wire import (
    ChatCompletion,
    ChatCompletionChunk,
    EmbeddingList,
    ImagesResponse,
    Transcription,
)
from radiant.providers.shapes.openai import Video
from radiant.providers.shapes.radiant import (
    InferenceResult,
    Model3D,
    RerankResponse,
    SearchResponse,
)

__all__ = ["GATEWAY_PROBLEM_SCHEMA", "TENANT_KEY", "document_gateway"]

_JSON = "application/json"
_SSE = "text/event-stream"
#: what ``/v1/audio/speech`` answers with: the upstream's audio, by response_format
_AUDIO = (
    "audio/mpeg",
    "audio/opus",
    "audio/aac",
    "audio/flac",
    "audio/wav",
    "audio/pcm",
    "application/octet-stream",
)

#: the security scheme of the tenant endpoints
TENANT_KEY = "TenantKey"
_SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A tenant API key (rtk_...), issued by `radiant tenants keys create`.",
}

GATEWAY_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "GatewayProblem",
    "type": "object",
    "description": "RFC 9457 problem details that carry OpenAI's error object.",
    "required": ["type", "title", "status", "detail", "error"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "error": {
            "type": "object",
            "required": ["message", "type", "code", "param"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "code": {"type": "string", "description": "stable: see the README's list"},
                "param": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
        },
    },
    "additionalProperties": True,
}

_STREAM_ERROR = {
    "type": "object",
    "description": "The upstream's stream broke off after it started.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "code"],
            "properties": {"message": {"type": "string"}, "code": {"type": "string"}},
        }
    },
}

_HEADERS = {
    "x-request-id": {
        "description": "The request's id (the client's own when it sent a sane one).",
        "schema": {"type": "string"},
    },
    "x-radiant-model": {
        "description": "The model that answered.",
        "schema": {"type": "string"},
    },
    "x-radiant-price": {
        "description": "The price billed, in USD (a stream sends it as an SSE comment).",
        "schema": {"type": "string"},
    },
}

_OPERATIONS: dict[Endpoint, tuple[str, str]] = {
    Endpoint.CHAT: ("create_chat_completion", "Create a chat completion (streamed or not)"),
    Endpoint.EMBEDDINGS: ("create_embeddings", "Create embeddings"),
    Endpoint.IMAGES: ("create_images", "Generate images"),
    Endpoint.SPEECH: ("create_speech", "Turn text into speech (the answer is the audio)"),
    Endpoint.TRANSCRIPTION: ("create_transcription", "Transcribe audio (multipart form)"),
    Endpoint.RERANK: ("create_rerank", "Rerank documents against a query (Cohere's shape)"),
    Endpoint.SEARCH: ("create_search", "Search the web"),
    Endpoint.VIDEOS: ("create_video", "Start a video job (read it back at /v1/videos/{id})"),
    Endpoint.MODELS_3D: ("create_3d_model", "Start a 3D model job (read it at /v1/3d/{id})"),
    Endpoint.INFERENCE: ("create_inference", "Call a self-hosted model with its own JSON"),
}

#: the answers that are typed dicts (no pydantic model of their own)
_TYPED_ANSWERS: dict[Endpoint, Any] = {
    Endpoint.RERANK: RerankResponse,
    Endpoint.SEARCH: SearchResponse,
    Endpoint.VIDEOS: Video,
    Endpoint.MODELS_3D: Model3D,
    Endpoint.INFERENCE: InferenceResult,
}


def document_gateway(schema: dict[str, Any]) -> None:
    """Add the ``/v1`` gateway's operations (and the schemas they use) to ``schema``."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["GatewayProblem"] = GATEWAY_PROBLEM_SCHEMA
    components.setdefault("securitySchemes", {})[TENANT_KEY] = _SECURITY_SCHEME
    json_bodies = [e for e in Endpoint if e is not Endpoint.TRANSCRIPTION]
    answers: list[type[BaseModel]] = [
        ChatCompletion,
        ChatCompletionChunk,
        EmbeddingList,
        ImagesResponse,
        Transcription,
    ]
    shapes = [SHAPES[e] for e in json_bodies] + answers
    refs, defs = models_json_schema(
        [(shape, "validation") for shape in shapes], ref_template="#/components/schemas/{model}"
    )
    _merge(schemas, defs.get("$defs", {}))

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return dict(refs[(model, "validation")])

    bodies: dict[Endpoint, dict[str, Any]] = {
        e: {_JSON: {"schema": ref(SHAPES[e])}} for e in json_bodies
    }
    bodies[Endpoint.TRANSCRIPTION] = {"multipart/form-data": {"schema": _form()}}
    typed = {e: _typed(schemas, shape) for e, shape in _TYPED_ANSWERS.items()}
    answered: dict[Endpoint, dict[str, Any]] = {
        **{e: {_JSON: {"schema": answer}} for e, answer in typed.items()},
        Endpoint.CHAT: {_JSON: {"schema": ref(ChatCompletion)}, _SSE: {"schema": _event(ref)}},
        Endpoint.EMBEDDINGS: {_JSON: {"schema": ref(EmbeddingList)}},
        Endpoint.IMAGES: {_JSON: {"schema": ref(ImagesResponse)}},
        Endpoint.SPEECH: {
            **{media: {"schema": {"type": "string", "format": "binary"}} for media in _AUDIO},
            _SSE: {"schema": {"type": "object"}},
        },
        Endpoint.TRANSCRIPTION: {_JSON: {"schema": ref(Transcription)}},
    }
    paths = schema.setdefault("paths", {})
    for endpoint in Endpoint:
        operation_id, summary = _OPERATIONS[endpoint]
        paths[endpoint.path] = {
            "post": {
                "tags": ["gateway"],
                "summary": summary,
                "description": f"Needs a tenant API key with the `{endpoint.scope.value}` scope.",
                "operationId": operation_id,
                "security": [{TENANT_KEY: []}],
                "requestBody": {"required": True, "content": bodies[endpoint]},
                "responses": {
                    "200": {
                        "description": "The answer",
                        "headers": _HEADERS,
                        "content": answered[endpoint],
                    },
                    "4XX": _problem("The request cannot be served as sent"),
                    "5XX": _problem("No route could serve the request"),
                },
            }
        }
    for endpoint in JOB_ENDPOINTS:
        paths[endpoint.path + "/{id}"] = {"get": _job_read(endpoint, typed[endpoint])}
    content = _job_read(Endpoint.VIDEOS, {"type": "string", "format": "binary"})
    content["operationId"] = "get_video_content"
    content["summary"] = "The finished video (its bytes, as the upstream made them)"
    content["responses"]["200"]["content"] = {"video/mp4": {"schema": {"type": "string"}}}
    paths[Endpoint.VIDEOS.path + "/{id}/content"] = {"get": content}


_JOB_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _job_read(endpoint: Endpoint, answer: dict[str, Any]) -> dict[str, Any]:
    """``GET <path>/{id}``: a job the same tenant started (404 for any other)."""
    return {
        "tags": ["gateway"],
        "summary": f"Read back a job of {endpoint.path} (its status, and its result once done)",
        "description": f"Needs a tenant API key with the `{endpoint.scope.value}` scope.",
        "operationId": f"get_{_OPERATIONS[endpoint][0].removeprefix('create_')}",
        "security": [{TENANT_KEY: []}],
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "200": {"description": "The job", "content": {_JSON: {"schema": answer}}},
            "4XX": _problem("No such job of this tenant's, or the request is wrong"),
            "5XX": _problem("The upstream could not say how the job is going"),
        },
    }


def _typed(schemas: dict[str, Any], shape: Any) -> dict[str, Any]:
    """The schema of a typed-dict answer (its nested shapes added to ``schemas``)."""
    found = TypeAdapter(shape).json_schema(ref_template="#/components/schemas/{model}")
    _merge(schemas, found.pop("$defs", {}))
    return found


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/GatewayProblem"}}},
    }


def _event(ref: Any) -> dict[str, Any]:
    """One server-sent event of a streamed chat: a chunk, an error, or ``[DONE]``."""
    payload = {"anyOf": [ref(ChatCompletionChunk), _STREAM_ERROR]}
    return {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "string",
                "if": {"const": "[DONE]"},
                "else": {"contentMediaType": _JSON, "contentSchema": payload},
            }
        },
    }


def _form() -> dict[str, Any]:
    """The transcription form: the audio ``file`` and the text fields."""
    fields = SHAPES[Endpoint.TRANSCRIPTION].model_json_schema()
    fields.pop("title", None)
    fields.pop("description", None)
    audio = {"type": "string", "format": "binary", "description": "The audio to transcribe."}
    texts = {name: _sent(field) for name, field in fields["properties"].items()}
    fields["properties"] = {"file": audio, **texts}
    fields["required"] = ["file", *fields.get("required", [])]
    return fields


def _sent(field: dict[str, Any]) -> dict[str, Any]:
    """A form field as it can be sent: a form has no null (an optional field is left out)."""
    options = [o for o in field.get("anyOf", ()) if o != {"type": "null"}]
    if len(options) == 1:
        field = {**{k: v for k, v in field.items() if k != "anyOf"}, **options[0]}
    if field.get("default", 0) is None:
        field = {k: v for k, v in field.items() if k != "default"}
    return field


def _merge(schemas: dict[str, Any], defs: dict[str, Any]) -> None:
    for name, definition in defs.items():
        known = schemas.get(name)
        if known is not None and known != definition:
            raise ValueError(f"two different schemas are named {name!r} in the OpenAPI document")
        schemas[name] = definition
