"""Images from models on Replicate (the FLUX family) behind OpenAI's
``POST /images/generations``.

A prediction: ``POST {base}/v1/models/{owner}/{name}/predictions`` (the route's model
string is ``owner/name``; ``base`` is ``https://api.replicate.com``) with ``{"input"}``
and ``Prefer: wait``, which holds the answer until the model is done (up to a minute);
one that is still ``starting`` or ``processing`` is polled at
``GET {base}/v1/predictions/{id}`` every ``poll_interval`` seconds (``target.options``,
default 1) for at most ``poll_deadline`` (default 300). The output's URLs become OpenAI's
``data: [{"url"}]``.
"""

from __future__ import annotations

import asyncio
import time
from typing import ClassVar, cast

from radiant.errors import ProviderError
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error
from radiant.providers.media_jobs import image_size, nearest_ratio
from radiant.providers.shapes.openai import ImageData, ImageParams, ImagesResponse
from radiant.providers.shapes.replicate import FluxInput, Prediction, PredictionRequest

__all__ = ["ReplicateAdapter"]

#: the aspect ratios the FLUX models take
RATIOS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16", "9:21")
_DONE = frozenset({"succeeded", "failed", "canceled"})


class ReplicateAdapter(WireAdapter):
    wire: ClassVar[str] = "replicate"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(image_generation=True)

    async def images(self, body: ImageParams) -> ImagesResponse:
        self.require("image_generation")
        model = self.job_id(self.target.model)
        flux: FluxInput = {"prompt": str(body.get("prompt", ""))}
        if size := image_size(body.get("size")):
            flux["aspect_ratio"] = nearest_ratio(*size, RATIOS)
        if (n := body.get("n")) and int(n) > 1:
            flux["num_outputs"] = int(n)
        if output := body.get("output_format"):
            flux["output_format"] = str(output)
        request: PredictionRequest = {"input": flux}
        headers = {**self.headers, "prefer": "wait"}
        url = f"{self.target.base_url}/v1/models/{model}/predictions"
        prediction = cast(
            "Prediction", await self.call.json("POST", url, headers=headers, json_body=request)
        )
        prediction = await self._finish(prediction)
        return {"created": int(time.time()), "data": self._images(prediction)}

    async def _finish(self, prediction: Prediction) -> Prediction:
        interval = float(self.target.options.get("poll_interval", 1.0))
        give_up = time.monotonic() + float(self.target.options.get("poll_deadline", 300.0))
        while prediction.get("status") not in _DONE:
            if time.monotonic() >= give_up:
                raise ProviderError(
                    f"{self.name}: prediction {prediction.get('id')} not done in time",
                    provider=self.name,
                    kind="timeout",
                )
            await asyncio.sleep(interval)
            job = self.job_id(str(prediction.get("id", "")))
            url = f"{self.target.base_url}/v1/predictions/{job}"
            prediction = cast("Prediction", await self.call.json("GET", url, headers=self.headers))
        if prediction["status"] != "succeeded":
            raise ProviderError(
                f"{self.name}: prediction {prediction.get('id')} {prediction['status']}: "
                f"{prediction.get('error') or 'no reason given'}",
                provider=self.name,
                body=str(prediction)[:2000],
            )
        return prediction

    def _images(self, prediction: Prediction) -> list[ImageData]:
        output = prediction.get("output")
        urls = [output] if isinstance(output, str) else output or []
        images: list[ImageData] = [{"url": u} for u in urls if isinstance(u, str) and u]
        if not images:
            raise protocol_error(self.name, "a prediction without images", str(prediction)[:500])
        return images
