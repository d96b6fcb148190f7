"""Luma Dream Machine video jobs in the shape of OpenAI's Videos API.

``POST {base}/generations`` (``base`` is ``https://api.lumalabs.ai/dream-machine/v1``,
the key a bearer token) with ``{"prompt", "model", "aspect_ratio", "duration": "5s"}``
and, for a reference image, ``keyframes.frame0 = {"type": "image", "url"}`` (Luma takes
image URLs, not data); the answer is the generation, whose ``id`` is the video's.
``GET {base}/generations/{id}`` polls it: ``state`` ``queued``, ``dreaming`` (in
progress), ``completed`` (``assets.video`` is the file) or ``failed``
(``failure_reason``). ``resolution`` comes from ``target.options`` when set.
"""

from __future__ import annotations

from typing import ClassVar, cast

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
from radiant.providers.shapes.luma import Generation, GenerationRequest
from radiant.providers.shapes.openai import Video, VideoParams
from radiant.providers.shapes.radiant import JobStatus

__all__ = ["LumaAdapter"]

RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21")
STATE: dict[str, JobStatus] = {
    "queued": "queued",
    "dreaming": "in_progress",
    "completed": "completed",
    "failed": "failed",
}


class LumaAdapter(WireAdapter):
    wire: ClassVar[str] = "luma"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        video_generation=True, image_to_video=True
    )

    async def video_create(self, body: VideoParams) -> Video:
        self.require("video_generation")
        request: GenerationRequest = {
            "prompt": str(body.get("prompt", "")),
            "model": self.target.model,
        }
        if size := size_ratio(body):
            request["aspect_ratio"] = nearest_ratio(*size, RATIOS)
        seconds = requested_seconds(body)
        if seconds is not None:
            request["duration"] = f"{seconds}s"
        if resolution := self.target.options.get("resolution"):
            request["resolution"] = str(resolution)
        if (image := reference_image(body)) is not None:
            self.require("image_to_video")
            request["keyframes"] = {"frame0": {"type": "image", "url": image}}
        url = f"{self.target.base_url}/generations"
        generation = cast(
            "Generation", await self.call.json("POST", url, headers=self.headers, json_body=request)
        )
        video = self._video(self.job_id(str(generation.get("id", ""))), generation)
        if seconds is not None:
            video["seconds"] = str(seconds)
        return video

    def _video(self, video_id: str, generation: Generation) -> Video:
        status = STATE.get(str(generation.get("state")), "in_progress")
        assets = generation.get("assets") or {}
        return video_object(
            video_id,
            self.target.model,
            status,
            error=generation.get("failure_reason"),
            url=assets.get("video") if status == "completed" else None,
        )

    async def video_status(self, video_id: str) -> Video:
        self.require("video_generation")
        url = f"{self.target.base_url}/generations/{self.job_id(video_id)}"
        generation = cast("Generation", await self.call.json("GET", url, headers=self.headers))
        return self._video(video_id, generation)

    async def video_content(self, video_id: str) -> tuple[bytes, str]:
        self.require("video_generation")
        video = await self.video_status(video_id)
        return await download(self.call, self.name, video.get("url"), "video/mp4")
