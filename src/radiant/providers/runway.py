"""Runway video jobs in the shape of OpenAI's Videos API.

``POST {base}/image_to_video`` (``base`` is ``https://api.dev.runwayml.com/v1``) with
``{"model", "promptImage", "promptText", "ratio", "duration"}`` when a reference image is
given, ``POST {base}/text_to_video`` otherwise: only the models in
``target.options["text_to_video_models"]`` (default :data:`TEXT_TO_VIDEO`) take no
image; asking one of the others (``gen3a_turbo``, ``gen4_turbo``) for a video from text
alone is a :class:`ValidationError` before any request. Every call carries the key as a
bearer token and ``X-Runway-Version`` (``target.api_version``, default
:data:`API_VERSION`). The task ``id`` is the video's; ``GET {base}/tasks/{id}`` polls it
(``PENDING``/``THROTTLED`` queued, ``RUNNING`` in progress with ``progress`` 0 to 1,
``SUCCEEDED`` with ``output`` URLs, ``FAILED``/``CANCELLED`` with ``failure``).
"""

from __future__ import annotations

from typing import ClassVar, cast

from radiant.errors import ValidationError
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.media_jobs import (
    download,
    nearest_ratio,
    progress_percent,
    reference_image,
    requested_seconds,
    size_ratio,
    video_object,
)
from radiant.providers.shapes.openai import Video, VideoParams
from radiant.providers.shapes.radiant import JobStatus
from radiant.providers.shapes.runway import CreatedTask, Task, VideoRequest

__all__ = ["API_VERSION", "RunwayAdapter", "TEXT_TO_VIDEO"]

API_VERSION = "2024-11-06"
#: the models that make a video from text alone
TEXT_TO_VIDEO = frozenset({"gen4.5", "veo3", "veo3.1", "veo3.1_fast"})
#: output ratios by model (others: :data:`RATIOS`)
MODEL_RATIOS = {"gen3a_turbo": ("1280:768", "768:1280")}
RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
STATUS: dict[str, JobStatus] = {
    "PENDING": "queued",
    "THROTTLED": "queued",
    "RUNNING": "in_progress",
    "SUCCEEDED": "completed",
    "FAILED": "failed",
    "CANCELLED": "failed",
}


class RunwayAdapter(WireAdapter):
    wire: ClassVar[str] = "runway"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        video_generation=True, image_to_video=True
    )

    @property
    def headers(self) -> dict[str, str]:
        return {**super().headers, "x-runway-version": self.target.api_version or API_VERSION}

    def _request(self, body: VideoParams) -> tuple[str, VideoRequest]:
        model = self.target.model
        request: VideoRequest = {"model": model}
        if prompt := body.get("prompt"):
            request["promptText"] = str(prompt)
        image = reference_image(body)
        if image is not None:
            self.require("image_to_video")
            request["promptImage"] = image
        else:
            allowed = self.target.options.get("text_to_video_models", TEXT_TO_VIDEO)
            if model not in allowed:
                raise ValidationError(
                    f"{self.name}: {model} makes videos from an image only: give "
                    "input_reference.image_url"
                )
        if size := size_ratio(body):
            request["ratio"] = nearest_ratio(*size, MODEL_RATIOS.get(model, RATIOS))
        if (seconds := requested_seconds(body)) is not None:
            request["duration"] = seconds
        return ("image_to_video" if image else "text_to_video"), request

    async def video_create(self, body: VideoParams) -> Video:
        self.require("video_generation")
        endpoint, request = self._request(body)
        url = f"{self.target.base_url}/{endpoint}"
        created = cast(
            "CreatedTask",
            await self.call.json("POST", url, headers=self.headers, json_body=request),
        )
        return video_object(
            self.job_id(str(created.get("id", ""))),
            self.target.model,
            "queued",
            seconds=request.get("duration"),
        )

    async def _task(self, video_id: str) -> Task:
        url = f"{self.target.base_url}/tasks/{self.job_id(video_id)}"
        return cast("Task", await self.call.json("GET", url, headers=self.headers))

    async def video_status(self, video_id: str) -> Video:
        self.require("video_generation")
        return self._video(video_id, await self._task(video_id))

    def _video(self, video_id: str, task: Task) -> Video:
        status = STATUS.get(str(task.get("status")), "in_progress")
        output = task.get("output") or []
        return video_object(
            video_id,
            self.target.model,
            status,
            progress=progress_percent(task.get("progress")),
            error=task.get("failure") or task.get("failureCode"),
            code=str(task.get("failureCode") or "upstream_failed"),
            url=str(output[0]) if status == "completed" and output else None,
        )

    async def video_content(self, video_id: str) -> tuple[bytes, str]:
        self.require("video_generation")
        video = await self.video_status(video_id)
        return await download(self.call, self.name, video.get("url"), "video/mp4")
