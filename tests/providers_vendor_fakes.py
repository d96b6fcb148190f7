"""The Anthropic and Gemini halves of the fake provider app (see ``providers_fakes``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from providers_fakes import KEY, Upstream, record, sse, trouble_response

#: the usage the fake Anthropic reports: 10 fresh input tokens, 100 read from the cache,
#: 20 written to it, 5 output tokens
ANTHROPIC_USAGE = {
    "input_tokens": 10,
    "cache_read_input_tokens": 100,
    "cache_creation_input_tokens": 20,
    "output_tokens": 5,
}
GEMINI_USAGE = {
    "promptTokenCount": 120,
    "cachedContentTokenCount": 100,
    "candidatesTokenCount": 5,
    "thoughtsTokenCount": 7,
    "totalTokenCount": 132,
}


def _anthropic_message(upstream: Upstream, body: dict[str, Any]) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": upstream.reply}]
    if body.get("thinking"):
        content.insert(0, {"type": "thinking", "thinking": "Hmm.", "signature": "EqQBsig"})
    stop = "end_turn"
    if body.get("tools"):
        name = body["tools"][0]["name"]
        content.append(
            {"type": "tool_use", "id": "toolu_1", "name": name, "input": {"city": "Paris"}}
        )
        stop = "tool_use"
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": ANTHROPIC_USAGE,
    }


def _anthropic_events(upstream: Upstream, body: dict[str, Any]) -> list[tuple[str | None, Any]]:
    start_usage = {**ANTHROPIC_USAGE, "output_tokens": 1}
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [],
        "stop_reason": None,
        "usage": start_usage,
    }
    text = upstream.reply
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        ("ping", {"type": "ping"}),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": text[:3]},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": text[3:]},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ]
    if body.get("thinking"):
        events[1:1] = [
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "thinking", "thinking": ""},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "thinking_delta", "thinking": "Hmm."},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "signature_delta", "signature": "EqQBsig"},
                },
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ]
    stop = "end_turn"
    if body.get("tools"):
        name = body["tools"][0]["name"]
        events += [
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 1,
                    "content_block": {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": name,
                        "input": {},
                    },
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 1,
                    "delta": {"type": "input_json_delta", "partial_json": '{"city": '},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 1,
                    "delta": {"type": "input_json_delta", "partial_json": '"Paris"}'},
                },
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        ]
        stop = "tool_use"
    events += [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 5},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return list(events)


async def anthropic(request: Request) -> Response:
    upstream, body = await record(request)
    if request.headers.get("x-api-key") != KEY or not request.headers.get("anthropic-version"):
        error = {
            "type": "error",
            "error": {"type": "authentication_error", "message": "invalid x-api-key"},
        }
        return JSONResponse(error, 401)
    response, trouble = await trouble_response(upstream)
    if response is not None:
        return response
    if body.get("stream"):
        return sse(_anthropic_events(upstream, body), trouble, error_name="error")
    return JSONResponse(_anthropic_message(upstream, body))


def _gemini_parts(upstream: Upstream, body: dict[str, Any]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [
        {"text": "thinking...", "thought": True},
        {"text": upstream.reply},
    ]
    if body.get("tools"):
        name = body["tools"][0]["functionDeclarations"][0]["name"]
        parts.append(
            {
                "functionCall": {"name": name, "args": {"city": "Paris"}},
                "thoughtSignature": "c2lnLTE=",
            }
        )
    return parts


def _gemini_response(parts: list[dict[str, Any]], finish: str | None, model: str) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": GEMINI_USAGE,
        "modelVersion": model,
        "responseId": "resp-1",
    }


async def gemini(request: Request) -> Response:
    upstream, body = await record(request)
    if request.headers.get("x-goog-api-key") != KEY:
        error = {
            "error": {"code": 403, "message": "API key not valid", "status": "PERMISSION_DENIED"}
        }
        return JSONResponse(error, 403)
    model, _, method = request.path_params["model_method"].partition(":")
    response, trouble = await trouble_response(upstream)
    if response is not None:
        return response
    if method == "predict":
        image = {"bytesBase64Encoded": "iVBORw0KGgo=", "mimeType": "image/png"}
        return JSONResponse({"predictions": [image]})
    if method == "predictLongRunning":
        job_id = f"op{len(upstream.videos) + 1}"
        upstream.videos[job_id] = 0
        return JSONResponse({"name": f"models/{model}/operations/{job_id}"})
    if method == "batchEmbedContents":
        vectors = [{"values": [0.5, float(i)]} for i, _ in enumerate(body["requests"])]
        return JSONResponse({"embeddings": vectors})
    parts = _gemini_parts(upstream, body)
    if method == "generateContent":
        return JSONResponse(_gemini_response(parts, "STOP", model))
    if method == "streamGenerateContent":
        if request.query_params.get("alt") != "sse":
            # without alt=sse Gemini streams one JSON array
            return Response(
                json.dumps([_gemini_response(parts, "STOP", model)]), media_type="application/json"
            )
        text = upstream.reply
        events: list[tuple[str | None, Any]] = [
            (None, _gemini_response(parts[:1], None, model)),
            (None, _gemini_response([{"text": text[:3]}], None, model)),
            (None, _gemini_response([{"text": text[3:]}, *parts[2:]], "STOP", model)),
        ]
        return sse(events, trouble)
    return JSONResponse({"error": {"code": 404, "message": "no such method"}}, 404)


async def elevenlabs(request: Request) -> Response:
    upstream, body = await record(request)
    if request.headers.get("xi-api-key") != KEY:
        return JSONResponse({"detail": {"status": "invalid_api_key", "message": "bad key"}}, 401)
    response, _ = await trouble_response(upstream)
    if response is not None:
        return response
    audio = f"mp3:{request.path_params['voice']}:{body['text']}".encode()
    if request.url.path.endswith("/stream"):

        async def pieces() -> AsyncIterator[bytes]:
            for i in range(0, len(audio), 4):
                yield audio[i : i + 4]

        return StreamingResponse(pieces(), media_type="audio/mpeg")
    return Response(audio, media_type="audio/mpeg")


async def deepgram(request: Request) -> Response:
    upstream, _ = await record(request)
    if request.headers.get("authorization") != f"Token {KEY}":
        return JSONResponse({"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."}, 401)
    response, _ = await trouble_response(upstream)
    if response is not None:
        return response
    size = len(await request.body())
    alternative = {"transcript": f"heard {size} bytes", "confidence": 0.98}
    channel: dict[str, Any] = {"alternatives": [alternative]}
    if "detect_language" in request.query_params:
        channel["detected_language"] = "en"
    return JSONResponse(
        {"metadata": {"duration": 2.5, "channels": 1}, "results": {"channels": [channel]}}
    )


async def gemini_operation(request: Request) -> Response:
    upstream, _ = await record(request)
    if request.headers.get("x-goog-api-key") != KEY:
        return JSONResponse({"error": {"code": 403, "message": "API key not valid"}}, 403)
    job_id = request.path_params["op"]
    name = f"models/{request.path_params['model']}/operations/{job_id}"
    upstream.videos[job_id] += 1
    if upstream.videos[job_id] < upstream.video_polls:
        return JSONResponse({"name": name})
    if upstream.video_fails:
        error = {"code": 3, "message": "prompt blocked by safety filters"}
        return JSONResponse({"name": name, "done": True, "error": error})
    uri = f"{upstream.base}/gemini/v1beta/files/{job_id}:download?alt=media"
    samples = [{"video": {"uri": uri}}]
    response = {"generateVideoResponse": {"generatedSamples": samples}}
    return JSONResponse({"name": name, "done": True, "response": response})


async def gemini_file(request: Request) -> Response:
    await record(request)
    if request.headers.get("x-goog-api-key") != KEY:
        return JSONResponse({"error": {"code": 403, "message": "API key not valid"}}, 403)
    return Response(b"\x00\x00\x00\x18ftypveo", media_type="video/mp4")
