"""Meshy 3D model jobs as Radiant ``3d_model`` objects.

A prompt starts a text-to-3D preview task, ``POST {base}/v2/text-to-3d`` with
``{"mode": "preview", "prompt", "ai_model"}``; an image URL an image-to-3D task,
``POST {base}/v1/image-to-3d`` with ``{"image_url", "ai_model"}`` (``base`` is
``https://api.meshy.ai/openapi``, the key a bearer token, ``ai_model`` the route's model
string). Both answer ``{"result": task_id}``; the job's id is ``{kind}/{task_id}``
(``text-to-3d/...``; ``/{format}`` added when a ``format`` other than GLB is asked, so
that every poll answers that file as ``url``), polled at
``GET {base}/{version}/{kind}/{task_id}``: ``PENDING``, ``IN_PROGRESS`` (``progress``
0 to 100), ``SUCCEEDED`` (``model_urls`` by format) or ``FAILED``/``CANCELED``/
``EXPIRED`` (``task_error.message``).
"""

from __future__ import annotations

from typing import ClassVar, cast

from radiant.errors import ValidationError
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.media_jobs import model3d_object, progress_percent
from radiant.providers.shapes import JSONObject
from radiant.providers.shapes.meshy import Created, ImageTo3DRequest, Task, TextTo3DRequest
from radiant.providers.shapes.radiant import JobStatus, Model3D, Model3DParams

__all__ = ["MeshyAdapter"]

#: each kind of task and the API version that serves it
KINDS = {"text-to-3d": "v2", "image-to-3d": "v1"}
STATUS: dict[str, JobStatus] = {
    "PENDING": "queued",
    "IN_PROGRESS": "in_progress",
    "SUCCEEDED": "completed",
    "FAILED": "failed",
    "CANCELED": "failed",
    "EXPIRED": "failed",
}


class MeshyAdapter(WireAdapter):
    wire: ClassVar[str] = "meshy"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(model_3d=True)

    async def model3d_create(self, body: Model3DParams) -> Model3D:
        self.require("model_3d")
        request: JSONObject
        if image := body.get("image_url"):
            kind = "image-to-3d"
            from_image: ImageTo3DRequest = {"image_url": str(image), "ai_model": self.target.model}
            request = dict(from_image)
        elif prompt := body.get("prompt"):
            kind = "text-to-3d"
            preview: TextTo3DRequest = {
                "mode": "preview",
                "prompt": str(prompt),
                "ai_model": self.target.model,
            }
            request = dict(preview)
        else:
            raise ValidationError("a 3D model needs a prompt or an image_url")
        url = f"{self.target.base_url}/{KINDS[kind]}/{kind}"
        created = cast(
            "Created", await self.call.json("POST", url, headers=self.headers, json_body=request)
        )
        job = f"{kind}/{created.get('result', '')}"
        if (wanted := str(body.get("format") or "glb")) != "glb":
            job += f"/{wanted}"
        return model3d_object(self.job_id(job), self.target.model, "queued")

    async def model3d_status(self, job_id: str) -> Model3D:
        self.require("model_3d")
        kind, _, rest = self.job_id(job_id).partition("/")
        task_id, _, wanted = rest.partition("/")
        if kind not in KINDS or not task_id or "/" in wanted:
            raise ValidationError(f"not a Meshy job id (text-to-3d/<task>): {job_id!r}")
        url = f"{self.target.base_url}/{KINDS[kind]}/{kind}/{task_id}"
        task = cast("Task", await self.call.json("GET", url, headers=self.headers))
        status = STATUS.get(str(task.get("status")), "in_progress")
        urls = task.get("model_urls") or {}
        error = task.get("task_error") or {}
        return model3d_object(
            job_id,
            self.target.model,
            status,
            progress=progress_percent(task.get("progress"), 100),
            error=error.get("message") or None,
            files={k: v for k, v in urls.items() if k != "mtl"} if status == "completed" else None,
            wanted=wanted or None,
        )
