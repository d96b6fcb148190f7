"""Ideogram images behind OpenAI's ``POST /images/generations``: ``POST {base}/generate``
(``base`` is ``https://api.ideogram.ai``) with the key in ``Api-Key`` and
``{"image_request": {"prompt", "model", "aspect_ratio", "num_images"}}``; the route's
model string is Ideogram's (``V_2``, ``V_2_TURBO``). The answer's temporary URLs become
OpenAI's ``data: [{"url"}]``.
"""

from __future__ import annotations

import time
from typing import ClassVar, cast

from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error
from radiant.providers.media_jobs import image_size, nearest_ratio
from radiant.providers.shapes.ideogram import GenerateRequest, GenerateResponse, ImageRequest
from radiant.providers.shapes.openai import ImageData, ImageParams, ImagesResponse

__all__ = ["IdeogramAdapter"]

#: the aspect ratios Ideogram renders (``ASPECT_16_9``...)
RATIOS = ("10:16", "16:10", "9:16", "16:9", "3:2", "2:3", "4:3", "3:4", "1:1", "1:3", "3:1")


class IdeogramAdapter(WireAdapter):
    wire: ClassVar[str] = "ideogram"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(image_generation=True)
    key_header: ClassVar[str] = "api-key"
    key_scheme: ClassVar[str] = ""

    async def images(self, body: ImageParams) -> ImagesResponse:
        self.require("image_generation")
        image: ImageRequest = {"prompt": str(body.get("prompt", "")), "model": self.target.model}
        if size := image_size(body.get("size")):
            ratio = nearest_ratio(*size, RATIOS)
            image["aspect_ratio"] = "ASPECT_" + ratio.replace(":", "_")
        if n := body.get("n"):
            image["num_images"] = int(n)
        request: GenerateRequest = {"image_request": image}
        url = f"{self.target.base_url}/generate"
        done = cast(
            "GenerateResponse",
            await self.call.json("POST", url, headers=self.headers, json_body=request),
        )
        images: list[ImageData] = [
            {"url": str(d["url"])}
            for d in done.get("data") or []
            if isinstance(d, dict) and d.get("url")
        ]
        if not images:
            raise protocol_error(self.name, "an answer without images", str(done)[:500])
        return {"created": int(time.time()), "data": images}
