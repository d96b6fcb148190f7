"""The fal.ai queue wire, typed: ``POST {base}/{model path}`` (``base`` is
``https://queue.fal.run``, ``Authorization: Key <FAL_KEY>``) enqueues the model's own
input and answers a :class:`QueuedRequest`; ``GET {base}/{owner}/{app}/requests/{id}/status``
says where it is and ``GET {base}/{owner}/{app}/requests/{id}`` is its result (the first
two segments of the model path name the app).

Pika has no public API of its own: its models are served here (``fal-ai/pika/...``), and
take :class:`PikaVideoInput`. Field names follow fal's queue docs (docs.fal.ai, Queue) and
each model's schema page (fal.ai/models/fal-ai/pika/.../api).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = ["FalFile", "PikaVideoInput", "QueueStatus", "QueuedRequest", "VideoOutput"]

QueueStatus: TypeAlias = Literal["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]


class PikaVideoInput(TypedDict):
    prompt: str
    #: image-to-video models
    image_url: NotRequired[str]
    aspect_ratio: NotRequired[str]
    resolution: NotRequired[str]
    duration: NotRequired[int]
    negative_prompt: NotRequired[str]
    seed: NotRequired[int]


class QueuedRequest(TypedDict, total=False):
    request_id: str
    status: QueueStatus
    status_url: str
    response_url: str
    cancel_url: str
    queue_position: int
    #: set on a request that failed (with ``error_type``)
    error: str
    error_type: str


class FalFile(TypedDict, total=False):
    url: str
    content_type: str
    file_name: str
    file_size: int


class VideoOutput(TypedDict, total=False):
    video: FalFile
    seed: int
