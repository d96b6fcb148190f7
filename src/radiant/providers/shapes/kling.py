"""The Kling AI video wire, typed: ``POST {base}/videos/{text2video|image2video}`` with a
short-lived HS256 JWT (``iss``: the access key, signed with the secret key) as the
bearer token; each answer is an envelope ``{"code", "message", "data"}`` (``code`` 0 is
success) and a task is polled at ``GET {base}/videos/{kind}/{task_id}``.

Field names follow Kling's API reference (app.klingai.com/global/dev/document-api).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = ["Envelope", "KlingVideo", "TaskData", "TaskResult", "TaskStatus", "VideoRequest"]

TaskStatus: TypeAlias = Literal["submitted", "processing", "succeed", "failed"]


class VideoRequest(TypedDict):
    model_name: str
    prompt: NotRequired[str]
    #: image2video: an https URL or raw base64 (no ``data:`` prefix)
    image: NotRequired[str]
    #: ``std`` or ``pro``
    mode: NotRequired[str]
    #: ``"5"`` or ``"10"`` (a string)
    duration: NotRequired[str]
    aspect_ratio: NotRequired[str]


class KlingVideo(TypedDict, total=False):
    id: str
    url: str
    #: seconds, as a string
    duration: str


class TaskResult(TypedDict, total=False):
    videos: list[KlingVideo]


class TaskData(TypedDict, total=False):
    task_id: str
    task_status: TaskStatus
    task_status_msg: str
    created_at: int
    task_result: TaskResult


class Envelope(TypedDict, total=False):
    code: int
    message: str
    request_id: str
    data: TaskData
