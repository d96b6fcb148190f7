"""Kling AI video jobs in the shape of OpenAI's Videos API.

Kling signs each call with a short-lived JWT: the credential is ``ACCESS_KEY:SECRET_KEY``,
the token HS256 over ``{"iss": access key, "exp": now + 30 min, "nbf": now - 5 s}`` with
the secret key (PyJWT), sent as a bearer token. ``POST {base}/videos/text2video`` (or
``/image2video`` with ``image`` for a reference image; ``base`` is
``https://api.klingai.com/v1``) takes ``{"model_name", "prompt", "duration": "5",
"aspect_ratio", "mode"}`` (``mode`` ``std``/``pro`` from ``target.options``); every
answer is an envelope ``{"code", "message", "data"}`` whose non-zero ``code`` is an
error. The video's id is ``{kind}/{task_id}`` (``text2video/...``), polled at
``GET {base}/videos/{kind}/{task_id}``: ``submitted``, ``processing``, ``succeed``
(``task_result.videos[0]`` has ``url`` and ``duration``) or ``failed``.
"""

from __future__ import annotations

import time
from typing import ClassVar, cast

import jwt

from radiant.errors import ProviderError, ValidationError
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.media_jobs import (
    download,
    nearest_ratio,
    reference_image,
    requested_seconds,
    size_ratio,
    video_object,
)
from radiant.providers.shapes import JSONObject
from radiant.providers.shapes.kling import Envelope, TaskData, VideoRequest
from radiant.providers.shapes.openai import Video, VideoParams
from radiant.providers.shapes.radiant import JobStatus

__all__ = ["KlingAdapter", "kling_token"]

RATIOS = ("16:9", "9:16", "1:1")
KINDS = frozenset({"text2video", "image2video"})
STATUS: dict[str, JobStatus] = {
    "submitted": "queued",
    "processing": "in_progress",
    "succeed": "completed",
    "failed": "failed",
}
#: how long a token lives (Kling's examples: 30 minutes)
TOKEN_LIFETIME = 1800


def kling_token(credential: str, now: float | None = None) -> str:
    """The bearer token for ``ACCESS_KEY:SECRET_KEY``; raises :class:`ProviderError`
    (``kind="config"``) for a credential of another shape."""
    access, sep, secret = credential.partition(":")
    if not (sep and access and secret):
        raise ProviderError(
            "kling: the credential must be ACCESS_KEY:SECRET_KEY", provider="kling", kind="config"
        )
    issued = int(time.time() if now is None else now)
    claims = {"iss": access, "exp": issued + TOKEN_LIFETIME, "nbf": issued - 5}
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})


class KlingAdapter(WireAdapter):
    wire: ClassVar[str] = "kling"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        video_generation=True, image_to_video=True
    )

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.target.headers)
        if self.target.api_key:
            headers["authorization"] = f"Bearer {kling_token(self.target.api_key)}"
        return headers

    async def _envelope(self, method: str, url: str, body: object = None) -> TaskData:
        payload = await self.call.json(method, url, headers=self.headers, json_body=body)
        envelope = cast("Envelope", payload)
        if envelope.get("code", 0) != 0:
            raise ProviderError(
                f"{self.name}: error {envelope.get('code')}: {envelope.get('message')}",
                provider=self.name,
                kind="http",
                status=400,
                body=str(envelope)[:2000],
                code=str(envelope.get("code")),
            )
        return envelope.get("data") or {}

    async def video_create(self, body: VideoParams) -> Video:
        self.require("video_generation")
        request: VideoRequest = {"model_name": self.target.model}
        if prompt := body.get("prompt"):
            request["prompt"] = str(prompt)
        if mode := self.target.options.get("mode"):
            request["mode"] = str(mode)
        seconds = requested_seconds(body)
        if seconds is not None:
            request["duration"] = str(seconds)
        kind = "text2video"
        if (image := reference_image(body)) is not None:
            self.require("image_to_video")
            kind = "image2video"
            # Kling takes a URL or bare base64, not a data: URL
            request["image"] = image.partition(",")[2] if image.startswith("data:") else image
        elif size := size_ratio(body):
            request["aspect_ratio"] = nearest_ratio(*size, RATIOS)
        request_body: JSONObject = dict(request)
        data = await self._envelope("POST", f"{self.target.base_url}/videos/{kind}", request_body)
        video_id = self.job_id(f"{kind}/{data.get('task_id', '')}")
        return video_object(video_id, self.target.model, "queued", seconds=seconds)

    def _split(self, video_id: str) -> tuple[str, str]:
        kind, _, task = self.job_id(video_id).partition("/")
        if kind not in KINDS or not task:
            raise ValidationError(f"not a Kling video id (text2video/<task>): {video_id!r}")
        return kind, task

    async def video_status(self, video_id: str) -> Video:
        self.require("video_generation")
        kind, task = self._split(video_id)
        data = await self._envelope("GET", f"{self.target.base_url}/videos/{kind}/{task}")
        status = STATUS.get(str(data.get("task_status")), "in_progress")
        videos = (data.get("task_result") or {}).get("videos") or [{}]
        return video_object(
            video_id,
            self.target.model,
            status,
            error=data.get("task_status_msg"),
            url=videos[0].get("url") if status == "completed" else None,
            seconds=videos[0].get("duration"),
        )

    async def video_content(self, video_id: str) -> tuple[bytes, str]:
        self.require("video_generation")
        video = await self.video_status(video_id)
        return await download(self.call, self.name, video.get("url"), "video/mp4")
