"""Tripo 3D model jobs as Radiant ``3d_model`` objects.

``POST {base}/task`` (``base`` is ``https://api.tripo3d.ai/v2/openapi``, the key a bearer
token) with ``{"type": "text_to_model", "prompt"}`` or ``{"type": "image_to_model",
"file": {"type", "url"}}`` and ``model_version`` (the route's model string,
``v2.0-20240919``); every answer is an envelope ``{"code", "data"}`` whose non-zero
``code`` is an error. ``data.task_id`` is the job's id, polled at
``GET {base}/task/{task_id}``: ``queued``, ``running`` (``progress`` 0 to 100),
``success`` (``output.pbr_model`` or ``output.model``, a GLB) or one of the ends that
failed (``failed``, ``cancelled``, ``banned``, ``expired``, ``unknown``).
"""

from __future__ import annotations

from typing import ClassVar, cast
from urllib.parse import urlparse

from radiant.errors import ProviderError, ValidationError
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.media_jobs import model3d_object, progress_percent
from radiant.providers.shapes import JSONObject
from radiant.providers.shapes.radiant import JobStatus, Model3D, Model3DParams
from radiant.providers.shapes.tripo import Envelope, Task, TaskRequest

__all__ = ["TripoAdapter"]

STATUS: dict[str, JobStatus] = {
    "queued": "queued",
    "running": "in_progress",
    "success": "completed",
}
#: the ends of a task that did not succeed
_FAILED = frozenset({"failed", "cancelled", "unknown", "banned", "expired"})
_IMAGE_TYPES = {"jpg", "jpeg", "png", "webp"}


def _image_type(url: str) -> str:
    suffix = urlparse(url).path.rpartition(".")[2].lower()
    return {"jpeg": "jpg"}.get(suffix, suffix) if suffix in _IMAGE_TYPES else "jpg"


class TripoAdapter(WireAdapter):
    wire: ClassVar[str] = "tripo"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(model_3d=True)

    async def _envelope(self, method: str, url: str, body: JSONObject | None = None) -> Task:
        payload = await self.call.json(method, url, headers=self.headers, json_body=body)
        envelope = cast("Envelope", payload)
        if envelope.get("code", 0) != 0:
            raise ProviderError(
                f"{self.name}: error {envelope.get('code')}: {envelope.get('message')}",
                provider=self.name,
                kind="http",
                status=400,
                body=str(envelope)[:2000],
                code=str(envelope.get("code")),
            )
        return envelope.get("data") or {}

    async def model3d_create(self, body: Model3DParams) -> Model3D:
        self.require("model_3d")
        request: TaskRequest
        if image := body.get("image_url"):
            url = str(image)
            request = {"type": "image_to_model", "file": {"type": _image_type(url), "url": url}}
        elif prompt := body.get("prompt"):
            request = {"type": "text_to_model", "prompt": str(prompt)}
        else:
            raise ValidationError("a 3D model needs a prompt or an image_url")
        request["model_version"] = self.target.model
        task = await self._envelope("POST", f"{self.target.base_url}/task", dict(request))
        return model3d_object(
            self.job_id(str(task.get("task_id", ""))), self.target.model, "queued"
        )

    async def model3d_status(self, job_id: str) -> Model3D:
        self.require("model_3d")
        task = await self._envelope("GET", f"{self.target.base_url}/task/{self.job_id(job_id)}")
        raw = str(task.get("status"))
        status: JobStatus = STATUS.get(raw, "failed" if raw in _FAILED else "in_progress")
        output = task.get("output") or {}
        model = output.get("pbr_model") or output.get("model") or output.get("base_model")
        return model3d_object(
            job_id,
            self.target.model,
            status,
            progress=progress_percent(task.get("progress"), 100),
            error=f"task {raw}" if status == "failed" else None,
            files={"glb": model} if status == "completed" and model else None,
        )
