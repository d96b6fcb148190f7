"""Images (Imagen) and videos (Veo) on the Gemini API.

* Imagen: ``POST {base}/models/{model}:predict`` with ``{"instances": [{"prompt"}],
  "parameters": {"sampleCount", "aspectRatio"}}``; ``predictions[].bytesBase64Encoded``.
* Veo, a long-running operation: ``POST {base}/models/{model}:predictLongRunning`` answers
  an operation ``name``; ``GET {base}/{name}`` is polled until ``done``; the video is at
  ``response.generateVideoResponse.generatedSamples[0].video.uri`` (downloaded with the key).
"""

from __future__ import annotations

import base64
from typing import Any

from radiant.http.client import HttpClient
from radiant.providers.base import BaseImageProvider, BaseVideoProvider, VideoJob
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error
from radiant.providers.openai_format import data_url
from radiant.providers.target import UpstreamTarget
from radiant.providers.transport import Call

__all__ = ["GeminiImageProvider", "GeminiVideoProvider", "aspect_ratio"]

_RATIOS = {"1:1": 1.0, "3:4": 0.75, "4:3": 4 / 3, "9:16": 9 / 16, "16:9": 16 / 9}


def aspect_ratio(width: int, height: int) -> str:
    """The ratio Google accepts that is nearest ``width:height``."""
    wanted = width / height if height else 1.0
    return min(_RATIOS, key=lambda name: abs(_RATIOS[name] - wanted))


class _GeminiMedia:
    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        self.target = target
        self.client = client
        self.provider_name = target.name
        self.call = Call(client, target.name, target.timeout)

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.target.headers)
        if self.target.api_key:
            headers["x-goog-api-key"] = self.target.api_key
        return headers

    def url(self, model: str | None, method: str) -> str:
        name = (model or self.target.model).removeprefix("models/")
        return f"{self.target.base_url}/models/{name}:{method}"


class GeminiImageProvider(_GeminiMedia, BaseImageProvider):
    capabilities = ProviderCapabilities(image_generation=True)

    async def generate(
        self,
        prompt: str,
        model: str | None = None,
        width: int = 1024,
        height: int = 1024,
        **kwargs: Any,
    ) -> bytes:
        parameters = {"sampleCount": 1, "aspectRatio": aspect_ratio(width, height), **kwargs}
        body = {"instances": [{"prompt": prompt}], "parameters": parameters}
        done = await self.call.json(
            "POST", self.url(model, "predict"), headers=self.headers, json_body=body
        )
        for prediction in done.get("predictions") or []:
            if prediction.get("bytesBase64Encoded"):
                return base64.b64decode(prediction["bytesBase64Encoded"])
        raise protocol_error(self.provider_name, "an answer without an image", str(done)[:500])


def _operation(payload: dict[str, Any]) -> VideoJob:
    error = payload.get("error")
    status = ("failed" if error else "completed") if payload.get("done") else "in_progress"
    message = error.get("message") if isinstance(error, dict) else None
    return VideoJob(id=str(payload.get("name", "")), status=status, error=message, raw=payload)


class GeminiVideoProvider(_GeminiMedia, BaseVideoProvider):
    capabilities = ProviderCapabilities(image_to_video=True)

    async def _image(self, image_url: str) -> dict[str, str]:
        inline = data_url(image_url)
        if inline is not None:
            return {"mimeType": inline[0], "bytesBase64Encoded": inline[1]}
        content = await self._get(image_url)
        return {"mimeType": "image/png", "bytesBase64Encoded": base64.b64encode(content).decode()}

    async def submit(self, prompt: str, model: str | None, **kwargs: Any) -> VideoJob:
        instance: dict[str, Any] = {"prompt": prompt}
        if kwargs.get("image_url"):
            instance["image"] = await self._image(str(kwargs["image_url"]))
        parameters: dict[str, Any] = {}
        if kwargs.get("duration_seconds"):
            parameters["durationSeconds"] = int(kwargs["duration_seconds"])
        if kwargs.get("aspect_ratio"):
            parameters["aspectRatio"] = str(kwargs["aspect_ratio"])
        body: dict[str, Any] = {"instances": [instance]}
        if parameters:
            body["parameters"] = parameters
        done = await self.call.json(
            "POST", self.url(model, "predictLongRunning"), headers=self.headers, json_body=body
        )
        return _operation(done)

    async def poll(self, job: VideoJob) -> VideoJob:
        url = f"{self.target.base_url}/{job.id}"
        return _operation(await self.call.json("GET", url, headers=self.headers))

    async def download(self, job: VideoJob) -> bytes:
        response = (job.raw.get("response") or {}).get("generateVideoResponse") or {}
        samples = response.get("generatedSamples") or []
        uri = ((samples[0] if samples else {}).get("video") or {}).get("uri")
        if not uri:
            raise protocol_error(self.provider_name, "a finished video without a URI", str(job.raw))
        return await self._get(str(uri))

    async def _get(self, url: str) -> bytes:
        response = await self.call.send("GET", url, headers=self.headers, follow_redirects=True)
        return response.content
