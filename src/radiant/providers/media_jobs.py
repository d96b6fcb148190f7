"""What the media job wires share (Runway, Luma, Kling, fal.ai, Meshy, Tripo): the
OpenAI ``video`` and Radiant ``3d_model`` objects they answer, the upstream's states
mapped onto ``queued``/``in_progress``/``completed``/``failed``, and downloading a
finished file through the adapter's own client."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from radiant.errors import ValidationError
from radiant.providers.errors import protocol_error
from radiant.providers.shapes.openai import Video, VideoParams
from radiant.providers.shapes.radiant import JobStatus, Model3D
from radiant.providers.transport import Call

__all__ = [
    "download",
    "image_size",
    "model3d_object",
    "nearest_ratio",
    "progress_percent",
    "reference_image",
    "requested_seconds",
    "size_ratio",
    "video_object",
]


def progress_percent(value: Any, scale: float = 1.0) -> int | None:
    """A progress number (``scale`` is what the upstream calls done: 1 or 100) in percent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0, min(100, round(float(value) * 100 / scale)))


def video_object(
    job_id: str,
    model: str,
    status: JobStatus,
    *,
    progress: int | None = None,
    error: str | None = None,
    code: str = "upstream_failed",
    url: str | None = None,
    seconds: float | str | None = None,
) -> Video:
    """An OpenAI ``video`` object (``url`` and ``seconds`` are Radiant's extensions)."""
    video: Video = {
        "id": job_id,
        "object": "video",
        "model": model,
        "status": status,
        "created_at": int(time.time()),
    }
    if status == "completed":
        progress = 100
    if progress is not None:
        video["progress"] = progress
    if status == "failed":
        video["error"] = {"code": code, "message": error or "the upstream gave no reason"}
    if url:
        video["url"] = url
    if seconds not in (None, ""):
        video["seconds"] = f"{float(str(seconds)):g}"
    return video


def model3d_object(
    job_id: str,
    model: str,
    status: JobStatus,
    *,
    progress: int | None = None,
    error: str | None = None,
    files: Mapping[str, str] | None = None,
    wanted: str | None = None,
) -> Model3D:
    """A ``3d_model`` object; ``url`` is the file in the ``wanted`` format (else GLB, else
    the first the upstream made)."""
    job: Model3D = {
        "id": job_id,
        "object": "3d_model",
        "model": model,
        "status": status,
        "created_at": int(time.time()),
    }
    if status == "completed":
        progress = 100
    if progress is not None:
        job["progress"] = progress
    if status == "failed":
        job["error"] = {"code": "upstream_failed", "message": error or "no reason given"}
    kept = {k: v for k, v in (files or {}).items() if isinstance(v, str) and v}
    if kept:
        job["files"] = kept
        fmt = next((f for f in (wanted, "glb") if f and f in kept), next(iter(kept)))
        job["url"], job["format"] = kept[fmt], fmt
    return job


def nearest_ratio(width: int, height: int, names: Sequence[str], sep: str = ":") -> str:
    """The one of ``names`` (``"16:9"``, or ``"1280:768"`` with ``sep``) nearest
    ``width:height``."""
    wanted = width / height if height else 1.0

    def ratio(name: str) -> float:
        a, _, b = name.partition(sep)
        return float(a) / float(b)

    return min(names, key=lambda name: abs(ratio(name) - wanted))


def image_size(value: object) -> tuple[int, int] | None:
    """An OpenAI ``size`` (``"1024x1536"``; ``"auto"`` and None: no size) as numbers."""
    width, _, height = str(value or "").lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        return None
    return int(width), int(height)


def requested_seconds(body: VideoParams, default: int | None = None) -> int | None:
    """The length asked for, in whole seconds (None: the upstream's default)."""
    seconds = body.get("seconds")
    if seconds in (None, ""):
        return default
    try:
        return int(float(str(seconds)))
    except ValueError:
        raise ValidationError(f"seconds must be a number, not {seconds!r}") from None


def size_ratio(body: VideoParams) -> tuple[int, int] | None:
    """``size`` (``"1280x720"``) as (width, height), or None."""
    size = body.get("size")
    if not size:
        return None
    width, _, height = str(size).lower().partition("x")
    try:
        return int(width), int(height or width)
    except ValueError:
        raise ValidationError(f"size must look like 1280x720, not {size!r}") from None


def reference_image(body: VideoParams) -> str | None:
    """The URL (https or ``data:``) of the first frame, when one is given."""
    reference = body.get("input_reference")
    if isinstance(reference, dict) and reference.get("image_url"):
        return str(reference["image_url"])
    return None


async def download(call: Call, name: str, url: str | None, default_type: str) -> tuple[bytes, str]:
    """A finished file's bytes and type, fetched from the link the upstream gave (signed
    links: no credential goes with it)."""
    if not url:
        raise protocol_error(name, "no finished file to download")
    response = await call.send("GET", url, headers={}, follow_redirects=True)
    return response.content, response.headers.get("content-type", default_type)
