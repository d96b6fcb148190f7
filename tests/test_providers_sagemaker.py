"""The SageMaker adapter against a fake SageMaker runtime on 127.0.0.1 (real HTTP, boto3
signing with dummy credentials, AWS event-stream framing), one call per container family,
and the built-in catalog's self-hosted models each resolving to a family."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import pytest

from fakes_sagemaker import MESH, PNG, WAV, FakeSageMaker, serve_sagemaker
from radiant.catalog.loader import load_catalog
from radiant.errors import ProviderError, UnsupportedError
from radiant.http.client import HttpClient
from radiant.providers import UpstreamTarget, adapter_for, target_for
from radiant.providers.sagemaker import SageMakerAdapter
from radiant.providers.sagemaker_errors import COLD, is_cold
from radiant.providers.sagemaker_formats import (
    FAMILIES,
    LineBuffer,
    family_for,
    render_prompt,
)
from radiant.providers.self_hosted import endpoint_name
from radiant.providers.shapes.openai import ChatCompletionChunk, ChatParams
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow

#: a model of each family, named as the catalog names them
MODELS = {
    "tgi": "mistral-7b-v0.3",
    "hf_embeddings": "bge-m3",
    "whisper": "whisper-large-v3",
    "tts": "speecht5-tts",
    "diffusion": "sdxl-self-hosted",
    "mesh_3d": "point-e",
    "json": "esmfold",
}
CHAT: ChatParams = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hello"},
    ],
    "max_tokens": 20,
    "temperature": 0,
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy AWS credentials, no config file, no instance metadata (never the network)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake(aws: None) -> Iterator[FakeSageMaker]:
    endpoints = {endpoint_name(model): family for family, model in MODELS.items()}
    with serve_sagemaker(FakeSageMaker(endpoints=endpoints)) as served:
        yield served


def target(fake: FakeSageMaker, family: str, **options: Any) -> UpstreamTarget:
    extra = {"prompt_template": "mistral"} if family == "tgi" else {}
    return UpstreamTarget(
        platform_id="self_hosted",
        wire="sagemaker",
        base_url=fake.endpoint_url,
        model=MODELS[family],
        region="us-east-1",
        timeout=10,
        options={"format": family, **extra, **options},
    )


def call(target: UpstreamTarget, method: str, *args: Any) -> Any:
    async def go() -> Any:
        async with HttpClient() as client:
            adapter = adapter_for(target, client)
            assert isinstance(adapter, SageMakerAdapter)
            return await getattr(adapter, method)(*args)

    return asyncio.run(go())


def stream(
    target: UpstreamTarget, body: ChatParams, take: int | None = None
) -> tuple[list[ChatCompletionChunk], Exception | None]:
    """The chunks of a streamed chat (the first ``take`` only), and the error that ended it."""
    chunks: list[ChatCompletionChunk] = []

    async def go() -> Exception | None:
        async with HttpClient() as client:
            source: AsyncGenerator[ChatCompletionChunk, None] = adapter_for(
                target, client
            ).chat_stream(body)
            try:
                async with aclosing(source) as events:
                    async for chunk in events:
                        chunks.append(chunk)
                        if take is not None and len(chunks) >= take:
                            return None
            except ProviderError as exc:
                return exc
        return None

    return chunks, asyncio.run(go())


def only(fake: FakeSageMaker) -> Any:
    assert len(fake.seen) == 1
    return fake.seen[0]


# ------------------------------------------------------------------ one call per family


def test_chat_sends_tgi_generate_and_reports_tokens_and_seconds(fake: FakeSageMaker) -> None:
    fake.delay = 0.05
    completion = call(target(fake, "tgi"), "chat", CHAT)
    seen = only(fake)
    assert seen.endpoint == "radiant-mistral-7b-v0-3"
    assert seen.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")
    assert (seen.content_type, seen.accept, seen.stream) == (
        "application/json",
        "application/json",
        False,
    )
    assert seen.json() == {
        "inputs": "<s>[INST] Be brief. [/INST][INST] Say hello [/INST]",
        "parameters": {
            "max_new_tokens": 20,
            "details": True,
            "return_full_text": False,
            "do_sample": False,
            "decoder_input_details": True,
        },
    }
    assert completion["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": fake.reply},
            "finish_reason": "stop",
        }
    ]
    usage = completion["usage"]
    # TGI's own counts: the prompt's prefill (7 words here) and generated_tokens
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (7, 5, 12)
    assert 0.05 <= usage["seconds"] < 5


def test_embeddings_send_inputs_and_answer_vectors(fake: FakeSageMaker) -> None:
    answer = call(target(fake, "hf_embeddings"), "embeddings", {"input": ["abc", "hello"]})
    assert only(fake).json() == {"inputs": ["abc", "hello"]}
    assert [d["embedding"] for d in answer["data"]] == [
        [3.0, 1.0, 0.5, 0.25],
        [5.0, 1.0, 0.5, 0.25],
    ]
    assert answer["usage"]["prompt_tokens"] == 3  # estimated: 1 + 2
    assert answer["usage"]["seconds"] > 0


def test_transcription_sends_the_audio_bytes(fake: FakeSageMaker) -> None:
    audio = b"RIFF....WAVEfmt fake audio"
    answer = call(target(fake, "whisper"), "transcription", audio, "talk.wav", {})
    seen = only(fake)
    assert (seen.body, seen.content_type) == (audio, "audio/x-wav")
    assert answer["text"] == f"heard {len(audio)} bytes"
    assert answer["language"] == "en"
    assert answer["usage"]["type"] == "duration"
    assert answer["usage"]["seconds"] > 0


def test_speech_answers_the_containers_audio(fake: FakeSageMaker) -> None:
    async def go() -> tuple[tuple[bytes, str], float | None]:
        async with HttpClient() as client:
            adapter = adapter_for(target(fake, "tts"), client)
            assert isinstance(adapter, SageMakerAdapter)
            audio = await adapter.speech({"input": "Hi", "voice": "alloy"})
            return audio, adapter.seconds

    (audio, media), seconds = asyncio.run(go())
    seen = only(fake)
    assert seen.json() == {"inputs": "Hi", "parameters": {"voice": "alloy"}}
    assert seen.accept == "audio/wav"
    assert (audio, media) == (WAV + b"Hi", "audio/wav")
    assert seconds is not None and seconds > 0


def test_images_answer_base64_images(fake: FakeSageMaker) -> None:
    body = {"prompt": "a red square", "n": 2, "size": "512x512"}
    answer = call(target(fake, "diffusion"), "images", body)
    assert only(fake).json() == {
        "inputs": "a red square",
        "parameters": {"num_images_per_prompt": 2, "width": 512, "height": 512},
    }
    assert [base64.b64decode(d["b64_json"]) for d in answer["data"]] == [PNG, PNG]
    assert answer["usage"]["seconds"] > 0


def test_model3d_is_answered_completed_with_a_data_url(fake: FakeSageMaker) -> None:
    model = call(target(fake, "mesh_3d"), "model3d_create", {"prompt": "a chair", "format": "ply"})
    seen = only(fake)
    assert seen.json() == {"inputs": "a chair", "parameters": {"output_format": "ply"}}
    assert seen.accept == "application/octet-stream"
    assert (model["object"], model["status"], model["format"]) == ("3d_model", "completed", "ply")
    prefix = "data:application/ply;base64,"
    assert model["url"].startswith(prefix)
    assert base64.b64decode(model["url"][len(prefix) :]) == MESH
    assert model["usage"]["seconds"] > 0
    with pytest.raises(ProviderError) as polled:
        call(target(fake, "mesh_3d"), "model3d_status", model["id"])
    assert polled.value.status == 404


def test_inference_passes_the_json_through(fake: FakeSageMaker) -> None:
    body = {"input": {"sequence": "MKTAYIAKQR"}}
    result = call(target(fake, "json"), "inference", body)
    assert only(fake).json() == {"sequence": "MKTAYIAKQR"}
    assert result["object"] == "inference"
    assert result["output"] == {"received": {"sequence": "MKTAYIAKQR"}, "score": 0.9}
    assert result["usage"]["seconds"] > 0


def test_a_family_offers_its_own_endpoints_only(fake: FakeSageMaker) -> None:
    with pytest.raises(UnsupportedError):
        call(target(fake, "json"), "chat", CHAT)
    with pytest.raises(UnsupportedError):
        call(target(fake, "tgi"), "embeddings", {"input": "x"})
    assert fake.seen == []
    undeclared = UpstreamTarget(
        platform_id="self_hosted", wire="sagemaker", base_url=fake.endpoint_url, model="x"
    )
    with pytest.raises(ProviderError) as missing:
        call(undeclared, "chat", CHAT)
    assert missing.value.kind == "config"


def test_wire_options_may_name_the_endpoint(fake: FakeSageMaker) -> None:
    fake.endpoints["my-own-endpoint"] = "json"
    call(target(fake, "json", endpoint_name="my-own-endpoint"), "inference", {"input": {}})
    assert only(fake).endpoint == "my-own-endpoint"


# ------------------------------------------------------------------ streams


def test_a_streamed_chat_reads_lines_cut_across_payload_parts(fake: FakeSageMaker) -> None:
    fake.part_size = 5  # cuts lines, and the "é" of the reply, between two parts
    chunks, error = stream(target(fake, "tgi"), CHAT)
    assert error is None
    seen = only(fake)
    assert seen.stream and seen.json()["stream"] is True
    assert "decoder_input_details" not in seen.json()["parameters"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == fake.reply
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    usage = chunks[-1]["usage"]
    assert chunks[-1]["choices"] == [] and usage is not None
    assert usage["completion_tokens"] == 6  # TGI's generated_tokens (the </s> included)
    assert usage["seconds"] > 0  # type: ignore[typeddict-item]
    assert fake.streams == [("radiant-mistral-7b-v0-3", "complete")]


def test_leaving_a_stream_early_closes_it(fake: FakeSageMaker) -> None:
    fake.extra_tokens, fake.part_size, fake.part_delay = 2000, 64, 0.005
    started = time.monotonic()
    chunks, error = stream(target(fake, "tgi"), CHAT, take=2)
    assert error is None and len(chunks) == 2
    assert time.monotonic() - started < 5  # not the 10 s of the whole stream
    deadline = time.monotonic() + 5
    while not fake.streams and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.streams == [("radiant-mistral-7b-v0-3", "cut")]


def test_an_error_in_the_middle_of_a_stream(fake: FakeSageMaker) -> None:
    fake.stream_error_after[endpoint_name(MODELS["tgi"])] = 4
    chunks, error = stream(target(fake, "tgi"), CHAT)
    assert isinstance(error, ProviderError)
    assert (error.kind, error.status, error.code) == ("http", 500, "ModelStreamError")
    assert "the model stopped streaming" in str(error)


# ------------------------------------------------------------------ errors


def test_a_cold_endpoint_is_a_recognisable_retryable_error(fake: FakeSageMaker) -> None:
    fake.cold.add(endpoint_name(MODELS["tgi"]))
    with pytest.raises(ProviderError) as cold:
        call(target(fake, "tgi"), "chat", CHAT)
    error = cold.value
    assert (error.kind, error.status, error.code) == (COLD, 503, "ModelNotReadyException")
    assert is_cold(error) and error.retryable
    assert len(fake.seen) == 1  # boto3 does not retry on its own: the gateway decides
    chunks, streamed = stream(target(fake, "tgi"), CHAT)
    assert isinstance(streamed, ProviderError) and is_cold(streamed) and chunks == []


def test_an_absent_endpoint_is_cold_too(fake: FakeSageMaker) -> None:
    with pytest.raises(ProviderError) as absent:
        call(target(fake, "json", endpoint_name="radiant-nowhere"), "inference", {"input": {}})
    assert (absent.value.kind, absent.value.status) == (COLD, 503)
    assert absent.value.code == "EndpointNotFound" and absent.value.retryable


def test_a_container_4xx_is_not_retryable(fake: FakeSageMaker) -> None:
    fake.model_errors[endpoint_name(MODELS["json"])] = (400, "sequence has invalid letters")
    with pytest.raises(ProviderError) as bad:
        call(target(fake, "json"), "inference", {"input": {"sequence": "!!"}})
    error = bad.value
    assert (error.kind, error.status, error.code) == ("http", 400, "ModelError")
    assert error.body == "sequence has invalid letters"
    assert not error.retryable


def test_a_container_5xx_and_throttling_are_retryable(fake: FakeSageMaker) -> None:
    fake.model_errors[endpoint_name(MODELS["json"])] = (503, "busy")
    with pytest.raises(ProviderError) as busy:
        call(target(fake, "json"), "inference", {"input": {}})
    assert busy.value.status == 503 and busy.value.retryable
    fake.throttled.add(endpoint_name(MODELS["tgi"]))
    with pytest.raises(ProviderError) as throttled:
        call(target(fake, "tgi"), "chat", CHAT)
    assert (throttled.value.kind, throttled.value.status) == ("http", 429)
    assert throttled.value.retryable and not is_cold(throttled.value)


def test_no_credentials_is_a_config_error(
    fake: FakeSageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ProviderError) as missing:
        call(target(fake, "json"), "inference", {"input": {}})
    assert missing.value.kind == "config"
    assert fake.seen == []


# ------------------------------------------------------------------ the catalog


def test_every_self_hosted_model_of_the_catalog_has_a_family(aws: None) -> None:
    catalog = load_catalog()
    platform = catalog.platforms["self_hosted"]
    routes = [r for r in catalog.routes.values() if r.platform_id == "self_hosted"]
    assert len(routes) == 56
    families: dict[str, int] = {}
    for route in routes:
        model = catalog.models[route.model_id]
        target = target_for(platform, route, EnvSecretResolver({}))  # no key: self-configured
        assert (target.wire, target.base_url, target.api_key) == ("sagemaker", "", None)
        declared = str(target.options.get("format"))
        assert declared in FAMILIES, route.id
        image = route.self_hosted.container_image if route.self_hosted else None
        # the declaration is what the model's task and container image say
        assert family_for(model.task.value if model.task else "", image) == declared, route.id
        # the adapter calls the endpoint the thermal manager warms
        assert target.model == route.model_id
        families[declared] = families.get(declared, 0) + 1
    assert families == {
        "tgi": 8,
        "hf_embeddings": 14,
        "whisper": 3,
        "tts": 1,
        "mesh_3d": 2,
        "json": 28,
    }


def test_a_catalog_route_is_called_through_the_fake(fake: FakeSageMaker) -> None:
    catalog = load_catalog()
    route = catalog.routes["esmfold@self_hosted"].model_copy(
        update={"endpoint_override": fake.endpoint_url, "regions": ["us-east-1"]}
    )
    target = target_for(catalog.platforms["self_hosted"], route, EnvSecretResolver({}))
    result = call(target, "inference", {"input": {"sequence": "MK"}})
    assert result["output"]["score"] == 0.9
    assert only(fake).endpoint == "radiant-esmfold"


# ------------------------------------------------------------------ pure parts


def test_lines_survive_any_cut() -> None:
    data = 'data:{"token":{"text":"é"}}\n\ndata:{"x":1}\n'.encode()
    for size in range(1, len(data) + 1):
        buffer = LineBuffer()
        lines = []
        for i in range(0, len(data), size):
            lines += buffer.feed(data[i : i + size])
        lines += buffer.close()
        assert [line for line in lines if line] == ['data:{"token":{"text":"é"}}', 'data:{"x":1}']


def test_prompt_templates() -> None:
    messages: ChatParams = {"messages": [{"role": "user", "content": "def f():"}]}
    assert render_prompt(messages["messages"]) == "def f():"
    assert render_prompt(messages["messages"], "chatml") == (
        "<|im_start|>user\ndef f():<|im_end|>\n<|im_start|>assistant\n"
    )
