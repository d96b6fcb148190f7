"""The Runway API wire, typed: ``POST {base}/image_to_video`` (or ``/text_to_video`` for
the models that take no image) with ``X-Runway-Version``; the answer is a task ``id``,
polled at ``GET {base}/tasks/{id}``.

Field names follow Runway's API reference (docs.dev.runwayml.com).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = ["CreatedTask", "Task", "TaskStatus", "VideoRequest"]

TaskStatus: TypeAlias = Literal[
    "PENDING", "THROTTLED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"
]


class VideoRequest(TypedDict):
    model: str
    promptText: NotRequired[str]
    #: an https URL or a data URI (image_to_video only)
    promptImage: NotRequired[str]
    #: ``1280:720``...
    ratio: NotRequired[str]
    duration: NotRequired[int]


class CreatedTask(TypedDict):
    id: str


class Task(TypedDict, total=False):
    id: str
    status: TaskStatus
    createdAt: str
    #: 0 to 1 while it runs
    progress: float | None
    output: list[str]
    failure: str
    failureCode: str
