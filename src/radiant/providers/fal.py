"""Video jobs on fal.ai's queue (Pika and the other video models fal serves) in the shape
of OpenAI's Videos API.

``POST {base}/{model path}`` (``base`` is ``https://queue.fal.run``, the route's model
string the path, e.g. ``fal-ai/pika/v2/turbo/text-to-video``) with
``Authorization: Key <FAL_KEY>`` and the model's input (``prompt``, ``duration``,
``aspect_ratio``; a reference image calls the ``image-to-video`` sibling of a
``text-to-video`` path with ``image_url``) answers a ``request_id``, the video's id. The
request lives under the app (the path's first two segments): ``GET
{base}/{app}/requests/{id}/status`` says ``IN_QUEUE``, ``IN_PROGRESS`` or ``COMPLETED``,
and ``GET {base}/{app}/requests/{id}`` is the result (``video.url``); a result that is an
error (a 4xx other than 429), or a status carrying ``error``, is a failed job.
"""

from __future__ import annotations

from typing import ClassVar, cast

from radiant.errors import ProviderError
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
from radiant.providers.shapes.fal import PikaVideoInput, QueuedRequest, VideoOutput
from radiant.providers.shapes.openai import Video, VideoParams
from radiant.providers.shapes.radiant import JobStatus

__all__ = ["FalAdapter"]

RATIOS = ("16:9", "9:16", "1:1", "4:5", "5:4", "3:2", "2:3")
STATUS: dict[str, JobStatus] = {
    "IN_QUEUE": "queued",
    "IN_PROGRESS": "in_progress",
    "COMPLETED": "completed",
}


class FalAdapter(WireAdapter):
    wire: ClassVar[str] = "fal"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        video_generation=True, image_to_video=True
    )
    key_scheme: ClassVar[str] = "Key "

    @property
    def app(self) -> str:
        """The app a model path belongs to (``fal-ai/pika``): its requests live there."""
        return "/".join(self.job_id(self.target.model).split("/")[:2])

    async def video_create(self, body: VideoParams) -> Video:
        self.require("video_generation")
        path = self.job_id(self.target.model)
        request: PikaVideoInput = {"prompt": str(body.get("prompt", ""))}
        seconds = requested_seconds(body)
        if seconds is not None:
            request["duration"] = seconds
        if (image := reference_image(body)) is not None:
            self.require("image_to_video")
            request["image_url"] = image
            path = path.replace("text-to-video", "image-to-video")
        elif size := size_ratio(body):
            request["aspect_ratio"] = nearest_ratio(*size, RATIOS)
        request_body: JSONObject = dict(request)
        url = f"{self.target.base_url}/{path}"
        queued = cast(
            "QueuedRequest",
            await self.call.json("POST", url, headers=self.headers, json_body=request_body),
        )
        video_id = self.job_id(str(queued.get("request_id", "")))
        return video_object(video_id, self.target.model, "queued", seconds=seconds)

    async def video_status(self, video_id: str) -> Video:
        self.require("video_generation")
        requests = f"{self.target.base_url}/{self.app}/requests/{self.job_id(video_id)}"
        state = cast(
            "QueuedRequest", await self.call.json("GET", f"{requests}/status", headers=self.headers)
        )
        if state.get("error"):
            return video_object(video_id, self.target.model, "failed", error=str(state["error"]))
        status = STATUS.get(str(state.get("status")), "in_progress")
        if status != "completed":
            return video_object(video_id, self.target.model, status)
        try:
            result = await self.call.json("GET", requests, headers=self.headers)
        except ProviderError as exc:
            if exc.status is None or exc.status == 429 or exc.status >= 500:
                raise
            return video_object(video_id, self.target.model, "failed", error=str(exc))
        video = (cast("VideoOutput", result).get("video") or {}).get("url")
        return video_object(video_id, self.target.model, "completed", url=video)

    async def video_content(self, video_id: str) -> tuple[bytes, str]:
        self.require("video_generation")
        video = await self.video_status(video_id)
        return await download(self.call, self.name, video.get("url"), "video/mp4")
