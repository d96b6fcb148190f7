"""The Tripo 3D wire, typed: ``POST {base}/task`` (``base`` is
``https://api.tripo3d.ai/v2/openapi``) with a ``type`` (``text_to_model``,
``image_to_model``) answers ``{"code": 0, "data": {"task_id"}}``;
``GET {base}/task/{task_id}`` answers the :class:`Task` in the same envelope.

Field names follow Tripo's API reference (platform.tripo3d.ai/docs).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = ["Envelope", "ImageFile", "Task", "TaskOutput", "TaskRequest", "TaskStatus"]

TaskStatus: TypeAlias = Literal[
    "queued", "running", "success", "failed", "cancelled", "unknown", "banned", "expired"
]


class ImageFile(TypedDict):
    #: ``jpg``, ``png``, ``webp``
    type: str
    url: str


class TaskRequest(TypedDict):
    type: Literal["text_to_model", "image_to_model"]
    prompt: NotRequired[str]
    file: NotRequired[ImageFile]
    #: ``v2.0-20240919``, ``v2.5-20250123``...
    model_version: NotRequired[str]


class TaskOutput(TypedDict, total=False):
    model: str
    base_model: str
    pbr_model: str
    rendered_image: str


class Task(TypedDict, total=False):
    task_id: str
    type: str
    status: TaskStatus
    #: 0 to 100
    progress: int
    output: TaskOutput
    create_time: int


class Envelope(TypedDict, total=False):
    code: int
    message: str
    data: Task
