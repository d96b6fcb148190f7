"""Video generation on the OpenAI Videos API (Sora): a long-running job.

``POST {base}/videos`` (form fields ``model``, ``prompt``, ``seconds``, ``size``; an
``input_reference`` image for image-to-video) answers a job; ``GET {base}/videos/{id}``
is polled until its ``status`` is ``completed`` or ``failed``; ``GET
{base}/videos/{id}/content`` is the MP4. Polling and the deadline live in
:class:`~radiant.providers.base.BaseVideoProvider`.
"""

from __future__ import annotations

import base64
from typing import Any

from radiant.errors import ProviderError
from radiant.http.client import HttpClient
from radiant.providers.base import BaseVideoProvider, VideoJob
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.openai_format import data_url
from radiant.providers.target import UpstreamTarget
from radiant.providers.transport import Call

__all__ = ["OpenAIVideoProvider"]


def _job(payload: dict[str, Any]) -> VideoJob:
    error = payload.get("error")
    message = error.get("message") if isinstance(error, dict) else error
    progress = payload.get("progress")
    return VideoJob(
        id=str(payload.get("id", "")),
        status=str(payload.get("status", "queued")),
        progress=None if progress is None else float(progress),
        error=None if message is None else str(message),
        raw=payload,
    )


class OpenAIVideoProvider(BaseVideoProvider):
    capabilities = ProviderCapabilities(image_to_video=True)

    def __init__(self, target: UpstreamTarget, client: HttpClient) -> None:
        self.target = target
        self.client = client
        self.provider_name = target.name
        self.call = Call(client, target.name, target.timeout)

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.target.headers)
        if self.target.api_key:
            headers["authorization"] = f"Bearer {self.target.api_key}"
        return headers

    async def _image(self, image_url: str) -> tuple[str, bytes, str]:
        inline = data_url(image_url)
        if inline is not None:
            media_type, data = inline
            return "reference", base64.b64decode(data), media_type
        response = await self.call.request("GET", image_url, headers={})
        if response.status_code >= 400:
            raise ProviderError(
                f"{self.provider_name}: the reference image answered HTTP {response.status_code}",
                provider=self.provider_name,
                status=response.status_code,
            )
        media_type = response.headers.get("content-type", "image/png")
        return "reference", response.content, media_type

    async def submit(self, prompt: str, model: str | None, **kwargs: Any) -> VideoJob:
        fields: dict[str, str] = {"model": model or self.target.model, "prompt": prompt}
        seconds = kwargs.get("duration_seconds")
        if seconds is not None:
            fields["seconds"] = str(seconds)
        if kwargs.get("size"):
            fields["size"] = str(kwargs["size"])
        # multipart, also without a file (plain fields as parts without a file name)
        files: dict[str, tuple[Any, ...]] = {k: (None, v) for k, v in fields.items()}
        if kwargs.get("image_url"):
            files["input_reference"] = await self._image(str(kwargs["image_url"]))
        payload = await self.call.json(
            "POST", f"{self.target.base_url}/videos", headers=self.headers, files=files
        )
        return _job(payload)

    async def poll(self, job: VideoJob) -> VideoJob:
        url = f"{self.target.base_url}/videos/{job.id}"
        return _job(await self.call.json("GET", url, headers=self.headers))

    async def download(self, job: VideoJob) -> bytes:
        url = f"{self.target.base_url}/videos/{job.id}/content"
        return (await self.call.send("GET", url, headers=self.headers)).content
