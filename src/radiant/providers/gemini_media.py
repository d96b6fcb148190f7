"""Images (Imagen) and videos (Veo) on the Gemini API, in OpenAI's shapes.

* Imagen: ``POST {base}/models/{model}:predict`` with ``{"instances": [{"prompt"}],
  "parameters": {"sampleCount", "aspectRatio"}}``; ``predictions[].bytesBase64Encoded``.
* Veo, a long-running operation: ``POST {base}/models/{model}:predictLongRunning`` answers
  an operation ``name`` (the video's id); ``GET {base}/{name}`` says whether it is
  ``done``; the video is at ``response.generateVideoResponse.generatedSamples[0].video.uri``
  (downloaded with the key). Operations become OpenAI ``video`` objects.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from radiant.providers.shapes.gemini import InlineImage, Operation, VeoParameters, VeoRequest
from radiant.providers.shapes.openai import Video, VideoParams

__all__ = ["VEO_RATIOS", "aspect_ratio", "veo_request", "video_object", "video_uri"]

_RATIOS = {"1:1": 1.0, "3:4": 0.75, "4:3": 4 / 3, "9:16": 9 / 16, "16:9": 16 / 9}
#: the ratios Veo renders
VEO_RATIOS = ("16:9", "9:16")


def aspect_ratio(width: int, height: int, ratios: Sequence[str] = tuple(_RATIOS)) -> str:
    """The ratio of ``ratios`` (Google's names) nearest ``width:height``."""
    wanted = width / height if height else 1.0
    return min(ratios, key=lambda name: abs(_RATIOS[name] - wanted))


def veo_request(body: VideoParams, image: InlineImage | None) -> VeoRequest:
    """A ``predictLongRunning`` body for an OpenAI ``POST /videos`` body; ``image`` is the
    reference image inline."""
    request: VeoRequest = {"instances": [{"prompt": str(body.get("prompt", ""))}]}
    if image is not None:
        request["instances"][0]["image"] = image
    parameters: VeoParameters = {}
    if seconds := body.get("seconds"):
        parameters["durationSeconds"] = int(seconds)
    if size := body.get("size"):
        width, _, height = str(size).partition("x")
        parameters["aspectRatio"] = aspect_ratio(int(width), int(height or width), VEO_RATIOS)
    if parameters:
        request["parameters"] = parameters
    return request


def video_object(operation: Operation, model: str) -> Video:
    """The OpenAI ``video`` object of a Veo operation (an upstream's: read leniently)."""
    video: Video = {
        "id": str(operation.get("name", "")),
        "object": "video",
        "model": model,
        "status": "in_progress",
        "created_at": int(time.time()),
    }
    if operation.get("done"):
        error = operation.get("error")
        if error:
            message = error.get("message") if isinstance(error, dict) else str(error)
            code = error.get("code") if isinstance(error, dict) else None
            video["status"] = "failed"
            video["error"] = {"code": str(code), "message": message}
        else:
            video["status"] = "completed"
            video["progress"] = 100
    return video


def video_uri(operation: Operation) -> str | None:
    """Where the finished video of an operation is, or None."""
    response = (operation.get("response") or {}).get("generateVideoResponse") or {}
    samples = response.get("generatedSamples") or []
    uri = ((samples[0] if samples else {}).get("video") or {}).get("uri")
    return str(uri) if uri else None
