"""What the containers behind SageMaker endpoints take and answer, declared per model
family (:data:`FAMILIES`), never per model.

A self-hosted route names its family in its metadata, ``wire_options: {format: tgi}``
(the built-in catalog declares one on each of its self-hosted routes); :func:`family_for`
derives the same family from a model's task and container image, which is how the
catalog's declarations were chosen and how a test proves every self-hosted model has one.
``wire_options`` may also set ``content_type``/``accept`` (a container that wants other
ones), ``prompt_template`` (:data:`PROMPT_TEMPLATES`, for ``tgi``), ``max_new_tokens``
(the default output budget) and ``mesh_format``.

=============== ============================== =========================================
family          request (content type)         answer
=============== ============================== =========================================
tgi             ``{"inputs", "parameters"}``   ``[{"generated_text", "details"}]``;
                (TGI / LMI ``/generate``)      streamed: ``data:{"token": {"text"}}``
hf_embeddings   ``{"inputs": [texts]}``        vectors (token vectors are mean-pooled)
whisper         the audio bytes (``audio/*``)  ``{"text"}``
tts             ``{"inputs": text}``           audio bytes (or ``{"audio": base64}``)
diffusion       ``{"inputs": prompt}``         ``{"generated_images": [base64]}`` or bytes
mesh_3d         ``{"inputs": prompt}``         mesh bytes (or ``{"mesh": base64}``)
json            ``InferenceParams.input``      the container's JSON
=============== ============================== =========================================

Usage: TGI reports its tokens in ``details`` (``generated_tokens``, the prompt's
``prefill``); where a container reports none they are estimated (:func:`count_tokens`).
The wall-clock seconds of the invocation are added by the adapter.
"""

from __future__ import annotations

import base64
import json
import math
import mimetypes
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.shapes import JSONObject
from radiant.providers.shapes.openai import (
    ChatParams,
    EmbeddingParams,
    FinishReason,
    ImageParams,
    MessageParam,
    SpeechParams,
)
from radiant.providers.shapes.radiant import Model3DParams
from radiant.providers.shapes.sagemaker import (
    InputsRequest,
    TGIDetails,
    TGIGenerated,
    TGIParameters,
    TGIRequest,
    TGIStreamEvent,
)

__all__ = [
    "FAMILIES",
    "FAMILY_RULES",
    "Family",
    "LineBuffer",
    "PROMPT_TEMPLATES",
    "PromptTemplate",
    "count_tokens",
    "family_for",
    "render_prompt",
]

_JSON = "application/json"


@dataclass(frozen=True)
class Family:
    """How the containers of one family are called."""

    name: str
    #: the adapter's capabilities on a route of this family
    capabilities: ProviderCapabilities
    #: ``ContentType`` of the request (``whisper``: the audio's own type wins)
    content_type: str
    #: ``Accept`` of the request
    accept: str
    description: str


FAMILIES: Mapping[str, Family] = MappingProxyType(
    {
        f.name: f
        for f in (
            Family(
                "tgi",
                ProviderCapabilities(chat=True, streaming=True),
                _JSON,
                _JSON,
                "Hugging Face TGI / LMI text generation",
            ),
            Family(
                "hf_embeddings",
                ProviderCapabilities(embeddings=True),
                _JSON,
                _JSON,
                "feature extraction (sentence embeddings, CLIP, protein and geospatial encoders)",
            ),
            Family(
                "whisper",
                ProviderCapabilities(transcription=True, audio_input=True),
                "audio/wav",
                _JSON,
                "speech recognition (Whisper, wav2vec2): audio bytes in, text out",
            ),
            Family(
                "tts",
                ProviderCapabilities(speech=True, audio_output=True),
                _JSON,
                "audio/wav",
                "text to speech: text in, audio out",
            ),
            Family(
                "diffusion",
                ProviderCapabilities(image_generation=True),
                _JSON,
                _JSON,
                "text to image: a prompt in, base64 images out",
            ),
            Family(
                "mesh_3d",
                ProviderCapabilities(model_3d=True),
                _JSON,
                "application/octet-stream",
                "text or image to 3D: a prompt in, a mesh out",
            ),
            Family(
                "json",
                ProviderCapabilities(inference=True),
                _JSON,
                _JSON,
                "scientific, geospatial, medical, vision: the container's own JSON",
            ),
        )
    }
)

#: (task, container image prefix or None for any image, family), the first match wins
FAMILY_RULES: tuple[tuple[str, str | None, str], ...] = (
    ("chat", "huggingface-llm", "tgi"),
    ("completion", "huggingface-llm", "tgi"),
    ("embedding", None, "hf_embeddings"),
    ("transcription", None, "whisper"),
    ("audio", None, "tts"),
    ("image", None, "diffusion"),
    ("3d", None, "mesh_3d"),
    ("inference", None, "json"),
)


def family_for(task: str, container_image: str | None) -> str | None:
    """The family of a self-hosted model from its task and container image (None: none
    fits; declare ``wire_options.format``)."""
    image = container_image or ""
    for rule_task, prefix, family in FAMILY_RULES:
        if task == rule_task and (prefix is None or image.startswith(prefix)):
            return family
    return None


def count_tokens(text: str) -> int:
    """An estimate for containers that report no tokens: four characters a token."""
    return math.ceil(len(text) / 4) if text else 0


# ------------------------------------------------------------------ tgi


@dataclass(frozen=True)
class PromptTemplate:
    """How a chat becomes one prompt: each turn by role (``{content}``), then the
    opening of the assistant's turn."""

    begin: str
    turns: Mapping[str, str]
    generation: str
    separator: str = ""


PROMPT_TEMPLATES: Mapping[str, PromptTemplate] = MappingProxyType(
    {
        # the turns as they are: a completion model gets a single user message verbatim
        "plain": PromptTemplate(
            "", {"system": "{content}\n", "user": "{content}", "assistant": "{content}"}, "", "\n"
        ),
        "llama3": PromptTemplate(
            "<|begin_of_text|>",
            {
                role: f"<|start_header_id|>{role}<|end_header_id|>\n\n{{content}}<|eot_id|>"
                for role in ("system", "user", "assistant")
            },
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
        ),
        "mistral": PromptTemplate(
            "<s>",
            {
                "system": "[INST] {content} [/INST]",
                "user": "[INST] {content} [/INST]",
                "assistant": " {content}</s>",
            },
            "",
        ),
        "chatml": PromptTemplate(
            "",
            {role: f"<|im_start|>{role}\n{{content}}<|im_end|>\n" for role in ("system", "user")}
            | {"assistant": "<|im_start|>assistant\n{content}<|im_end|>\n"},
            "<|im_start|>assistant\n",
        ),
    }
)


def _text(message: MessageParam) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = cast("list[Mapping[str, Any]]", content)
        return "".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")
    return ""


def render_prompt(messages: list[MessageParam], template: str = "plain") -> str:
    """The prompt of a chat under one of :data:`PROMPT_TEMPLATES` (text parts only)."""
    shape = PROMPT_TEMPLATES.get(template, PROMPT_TEMPLATES["plain"])
    turns = []
    for message in messages:
        role = {"developer": "system", "tool": "user", "function": "user"}.get(
            message["role"], message["role"]
        )
        pattern = shape.turns.get(role, shape.turns["user"])
        turns.append(pattern.replace("{content}", _text(message)))
    return shape.begin + shape.separator.join(turns) + shape.generation


def tgi_request(body: ChatParams, options: Mapping[str, Any], *, stream: bool) -> TGIRequest:
    """A chat completions body as a TGI ``/generate`` request."""
    parameters: TGIParameters = {
        "max_new_tokens": int(
            body.get("max_completion_tokens")
            or body.get("max_tokens")
            or options.get("max_new_tokens")
            or 512
        ),
        "details": True,
        "return_full_text": False,
    }
    temperature = body.get("temperature")
    if temperature is not None:
        # TGI refuses 0: greedy decoding is "no sampling"
        if temperature > 0:
            parameters["temperature"] = float(temperature)
            parameters["do_sample"] = True
        else:
            parameters["do_sample"] = False
    top_p = body.get("top_p")
    if top_p is not None and 0 < top_p < 1:
        parameters["top_p"] = float(top_p)
    if (seed := body.get("seed")) is not None:
        parameters["seed"] = int(seed)
    stop = body.get("stop")
    if stop:
        parameters["stop"] = [stop] if isinstance(stop, str) else list(stop)
    if not stream:
        parameters["decoder_input_details"] = True  # the prompt's tokens (TGI: not in streams)
    template = str(options.get("prompt_template") or "plain")
    request: TGIRequest = {
        "inputs": render_prompt(body["messages"], template),
        "parameters": parameters,
    }
    if stream:
        request["stream"] = True
    return request


_FINISH: Mapping[str, FinishReason] = MappingProxyType(
    {"length": "length", "eos_token": "stop", "stop_sequence": "stop"}
)


def finish_reason(details: TGIDetails | None) -> FinishReason:
    reason = (details or {}).get("finish_reason")
    return _FINISH.get(str(reason), "stop")


def tgi_answer(payload: Any) -> TGIGenerated | None:
    """The generation of a TGI answer (a list of one, or one object); None if it is none."""
    if isinstance(payload, list) and payload:
        payload = payload[0]
    if isinstance(payload, dict) and isinstance(payload.get("generated_text"), str):
        return cast("TGIGenerated", payload)
    return None


def tgi_usage(generated: TGIGenerated, prompt: str) -> tuple[int, int]:
    """(prompt tokens, completion tokens): TGI's own counts, else estimates."""
    details = generated.get("details") or {}
    prefill = details.get("prefill")
    prompt_tokens = len(prefill) if isinstance(prefill, list) and prefill else count_tokens(prompt)
    completion = details.get("generated_tokens")
    if not isinstance(completion, int):
        completion = count_tokens(generated["generated_text"])
    return prompt_tokens, completion


class LineBuffer:
    """Lines out of byte chunks cut anywhere (a PayloadPart may end mid-line, even
    mid-character)."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> list[str]:
        data = self._pending + chunk
        *lines, self._pending = data.split(b"\n")
        return [line.decode("utf-8").rstrip("\r") for line in lines]

    def close(self) -> list[str]:
        rest, self._pending = self._pending, b""
        return [rest.decode("utf-8")] if rest.strip() else []


def tgi_stream_event(line: str) -> JSONObject | None:
    """The JSON of one ``data:`` line of a TGI stream (None: a blank or other line)."""
    line = line.strip()
    if not line.startswith("data:"):
        return None
    event = json.loads(line[5:])
    return event if isinstance(event, dict) else None


def is_token_event(event: JSONObject) -> bool:
    token = event.get("token")
    return isinstance(token, dict) and isinstance(token.get("text"), str)


def token_event(event: JSONObject) -> TGIStreamEvent:
    return cast("TGIStreamEvent", event)


# ------------------------------------------------------------------ embeddings


def embeddings_request(body: EmbeddingParams) -> InputsRequest:
    value = body["input"]
    return {"inputs": [value] if isinstance(value, str) else value}


def _vector(value: Any) -> list[float] | None:
    """A flat vector; nested token vectors are mean-pooled."""
    if not isinstance(value, list) or not value:
        return None
    if all(isinstance(x, int | float) and not isinstance(x, bool) for x in value):
        return [float(x) for x in value]
    rows = [_vector(x) for x in value]
    vectors = [r for r in rows if r is not None]
    if len(vectors) != len(rows) or len({len(v) for v in vectors}) != 1:
        return None
    return [sum(column) / len(vectors) for column in zip(*vectors, strict=True)]


def embeddings_answer(payload: Any, count: int) -> list[list[float]] | None:
    """One vector per input from a container's answer (None: not vectors)."""
    if isinstance(payload, dict):
        payload = next(
            (payload[k] for k in ("embeddings", "vectors", "embedding") if k in payload), None
        )
    if not isinstance(payload, list) or not payload:
        return None
    if len(payload) == count and isinstance(payload[0], list):
        vectors = [_vector(item) for item in payload]
        if all(v is not None for v in vectors):
            return cast("list[list[float]]", vectors)
    if count == 1:
        pooled = _vector(payload)  # one vector, or one input's token vectors
        return None if pooled is None else [pooled]
    return None


def embedding_tokens(body: EmbeddingParams) -> int:
    value = body["input"]
    if isinstance(value, str):
        return count_tokens(value)
    total = 0
    for item in value:
        if isinstance(item, str):
            total += count_tokens(item)
        elif isinstance(item, list):
            total += len(item)
        else:
            total += 1
    return total


def base64_vector(vector: list[float]) -> str:
    """OpenAI's ``encoding_format: base64``: little-endian float32."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


# ------------------------------------------------------------------ audio


def audio_content_type(filename: str, default: str) -> str:
    guessed, _ = mimetypes.guess_type(filename)
    if guessed and guessed.startswith("audio/"):
        return guessed
    return default


def transcription_text(payload: Any) -> JSONObject | None:
    """``{"text", ...}`` from a speech recognition answer (a list of one, or one)."""
    if isinstance(payload, list) and payload:
        payload = payload[0]
    if isinstance(payload, dict) and isinstance(payload.get("text"), str):
        return payload
    return None


def speech_request(body: SpeechParams) -> InputsRequest:
    parameters: dict[str, object] = {}
    voice = body.get("voice")
    if voice:
        parameters["voice"] = voice if isinstance(voice, str) else voice["id"]
    if (speed := body.get("speed")) is not None:
        parameters["speed"] = speed
    request: InputsRequest = {"inputs": body["input"]}
    if parameters:
        request["parameters"] = parameters
    return request


# ------------------------------------------------------------------ images and meshes


def image_request(body: ImageParams) -> InputsRequest:
    parameters: dict[str, object] = {"num_images_per_prompt": int(body.get("n") or 1)}
    size = body.get("size")
    if size and "x" in size:
        width, _, height = size.partition("x")
        if width.isdigit() and height.isdigit():
            parameters["width"], parameters["height"] = int(width), int(height)
    return {"inputs": body["prompt"], "parameters": parameters}


def images_answer(payload: Any) -> list[str] | None:
    """Base64 images from a diffusion container's JSON."""
    if isinstance(payload, dict):
        payload = next(
            (payload[k] for k in ("generated_images", "images", "image") if k in payload), None
        )
    if isinstance(payload, str):
        payload = [payload]
    if isinstance(payload, list) and payload and all(isinstance(x, str) for x in payload):
        return cast("list[str]", payload)
    return None


#: the MIME type of each mesh format (a ``data:`` URL names it)
MESH_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "glb": "model/gltf-binary",
        "gltf": "model/gltf+json",
        "obj": "model/obj",
        "ply": "application/ply",
        "stl": "model/stl",
        "fbx": "application/octet-stream",
        "usdz": "model/vnd.usdz+zip",
    }
)


def mesh_request(body: Model3DParams, mesh_format: str) -> InputsRequest:
    parameters: dict[str, object] = {"output_format": mesh_format}
    if image := body.get("image_url"):
        parameters["image_url"] = image
    return {"inputs": str(body.get("prompt") or ""), "parameters": parameters}


def mesh_answer(payload: Any, requested: str) -> tuple[bytes, str] | None:
    """(mesh bytes, format) from a 3D container's JSON answer."""
    if not isinstance(payload, dict):
        return None
    data = next((payload[k] for k in ("mesh", "data", "model") if k in payload), None)
    if not isinstance(data, str):
        return None
    try:
        mesh = base64.b64decode(data, validate=True)
    except ValueError:
        return None
    found = payload.get("format")
    return mesh, str(found) if isinstance(found, str) and found else requested


def data_url(content: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"
