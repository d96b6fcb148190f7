"""The Meshy 3D wire, typed: ``POST {base}/v2/text-to-3d`` (``mode: "preview"``) or
``POST {base}/v1/image-to-3d`` (``base`` is ``https://api.meshy.ai/openapi``) answers
``{"result": task_id}``; ``GET {base}/{version}/{kind}/{task_id}`` is the :class:`Task`.

Field names follow Meshy's API reference (docs.meshy.ai/api/text-to-3d, image-to-3d).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = ["Created", "ImageTo3DRequest", "Task", "TaskError", "TaskStatus", "TextTo3DRequest"]

TaskStatus: TypeAlias = Literal["PENDING", "IN_PROGRESS", "SUCCEEDED", "FAILED", "CANCELED"]


class TextTo3DRequest(TypedDict):
    mode: Literal["preview", "refine"]
    prompt: str
    ai_model: NotRequired[str]
    art_style: NotRequired[str]


class ImageTo3DRequest(TypedDict):
    #: an https URL or a data URI
    image_url: str
    ai_model: NotRequired[str]


class Created(TypedDict):
    result: str


class TaskError(TypedDict, total=False):
    message: str


class Task(TypedDict, total=False):
    id: str
    status: TaskStatus
    #: 0 to 100
    progress: int
    #: ``glb``, ``fbx``, ``obj``, ``usdz``, ``mtl`` -> URL
    model_urls: dict[str, str]
    thumbnail_url: str
    task_error: TaskError | None
    created_at: int
