"""Stability AI images behind OpenAI's ``POST /images/generations``.

The route's model string picks the API: ``stable-image-ultra`` and ``stable-image-core``
(or ``ultra``, ``core``) call v2beta Stable Image ``/generate/{ultra|core}``; an ``sd3``
or ``sd3.5`` model (``sd3-large``, ``sd3.5-large-turbo``...) calls ``/generate/sd3`` with
that ``model``; any other string is a v1 engine (``stable-diffusion-xl-1024-v1-0``) on
``/v1/generation/{engine}/text-to-image``. v2beta makes one image per call (``n`` calls
for ``n`` images), a multipart form answered with base64 JSON (``accept:
application/json``); the base URL is ``https://api.stability.ai`` and the key a bearer
token. The answer is OpenAI's ``{"created", "data": [{"b64_json"}]}``.
"""

from __future__ import annotations

import time
from typing import ClassVar, cast

from radiant.http.client import FilePart
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error
from radiant.providers.media_jobs import image_size, nearest_ratio
from radiant.providers.shapes.openai import ImageData, ImageParams, ImagesResponse
from radiant.providers.shapes.stability import (
    StableImageForm,
    StableImageResponse,
    TextToImageRequest,
    TextToImageResponse,
)

__all__ = ["StabilityAdapter"]

#: the aspect ratios Stable Image renders
RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
#: model strings naming a v2beta service directly
SERVICES = {
    "stable-image-ultra": "ultra",
    "ultra": "ultra",
    "stable-image-core": "core",
    "core": "core",
}


class StabilityAdapter(WireAdapter):
    wire: ClassVar[str] = "stability"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(image_generation=True)

    @property
    def headers(self) -> dict[str, str]:
        return {**super().headers, "accept": "application/json"}

    def _service(self) -> tuple[str, str | None] | None:
        """(v2beta service, sd3 model) for the route's model, None for a v1 engine."""
        model = self.target.model
        if model in SERVICES:
            return SERVICES[model], None
        if model.startswith("sd3"):
            return "sd3", (None if model == "sd3" else model)
        return None

    async def images(self, body: ImageParams) -> ImagesResponse:
        self.require("image_generation")
        count = int(body.get("n") or 1)
        service = self._service()
        if service is None:
            images = await self._v1(body, count)
        else:
            images = [await self._stable_image(body, *service) for _ in range(count)]
        return {"created": int(time.time()), "data": images}

    async def _stable_image(self, body: ImageParams, service: str, model: str | None) -> ImageData:
        form: StableImageForm = {"prompt": str(body.get("prompt", ""))}
        if size := image_size(body.get("size")):
            form["aspect_ratio"] = nearest_ratio(*size, RATIOS)
        if output := body.get("output_format"):
            form["output_format"] = str(output)
        if model:
            form["model"] = model
        # every field a form part: the API takes multipart/form-data only
        parts: dict[str, FilePart] = {k: (None, str(v)) for k, v in form.items()}
        url = f"{self.target.base_url}/v2beta/stable-image/generate/{service}"
        payload = await self.call.json("POST", url, headers=self.headers, files=parts)
        done = cast("StableImageResponse", payload)  # checked just below
        image = done.get("image")
        if not isinstance(image, str) or not image:
            raise protocol_error(self.name, "an answer without an image", str(done)[:500])
        return {"b64_json": image}

    async def _v1(self, body: ImageParams, count: int) -> list[ImageData]:
        request: TextToImageRequest = {
            "text_prompts": [{"text": str(body.get("prompt", ""))}],
            "samples": count,
        }
        if size := image_size(body.get("size")):
            request["width"], request["height"] = size
        url = f"{self.target.base_url}/v1/generation/{self.target.model}/text-to-image"
        payload = await self.call.json("POST", url, headers=self.headers, json_body=request)
        done = cast("TextToImageResponse", payload)  # checked just below
        images: list[ImageData] = [
            {"b64_json": str(a["base64"])}
            for a in done.get("artifacts") or []
            if isinstance(a, dict) and a.get("base64")
        ]
        if not images:
            raise protocol_error(self.name, "an answer without images", str(done)[:500])
        return images
