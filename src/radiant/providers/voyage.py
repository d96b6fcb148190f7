"""The Voyage AI wire: ``POST {base}/embeddings`` and ``POST {base}/rerank`` with
``Authorization: Bearer`` (the base is ``https://api.voyageai.com/v1``).

Embeddings: OpenAI's ``input`` (texts), ``dimensions`` (``output_dimension``) and
``encoding_format: base64`` go as they are, plus an ``input_type`` when the route's
``wire_options`` name one (``query`` or ``document``); Voyage's ``usage.total_tokens``
become ``usage.prompt_tokens``. Rerank: Radiant's (Cohere-shaped) body becomes Voyage's
(``top_n`` as ``top_k``), its ``data`` Radiant's ``results``, and ``usage.total_tokens``
``meta.billed_units.input_tokens``: Voyage bills rerank per token.
"""

from __future__ import annotations

from typing import ClassVar, cast

from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.embedding_format import embedding_list, texts_of
from radiant.providers.errors import protocol_error
from radiant.providers.openai_format import new_id
from radiant.providers.shapes import voyage as wire
from radiant.providers.shapes.openai import EmbeddingList, EmbeddingParams
from radiant.providers.shapes.radiant import RerankParams, RerankResponse, RerankResult

__all__ = ["VoyageAdapter"]


def _tokens(payload: dict[str, object]) -> int:
    raw = payload.get("usage")
    total = raw.get("total_tokens") if isinstance(raw, dict) else None
    return int(total) if isinstance(total, int | float) else 0


class VoyageAdapter(WireAdapter):
    wire: ClassVar[str] = "voyage"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        embeddings=True, rerank=True
    )

    async def embeddings(self, body: EmbeddingParams) -> EmbeddingList:
        self.require("embeddings")
        texts = texts_of(body, self.name)
        request: wire.EmbeddingsRequest = {"input": texts, "model": self.target.model}
        input_type = self.target.options.get("input_type")
        if input_type in ("query", "document"):
            request["input_type"] = input_type
        if body.get("dimensions") is not None:
            request["output_dimension"] = int(body["dimensions"] or 0)
        if body.get("encoding_format") == "base64":
            request["encoding_format"] = "base64"
        payload = await self.call.json(
            "POST", f"{self.target.base_url}/embeddings", headers=self.headers, json_body=request
        )
        data = payload.get("data")
        if not isinstance(data, list) or len(data) != len(texts):
            raise protocol_error(self.name, "an embeddings answer without data", str(payload)[:500])
        answer = cast("wire.EmbeddingsResponse", payload)
        ordered = sorted(answer["data"], key=lambda item: int(item.get("index", 0)))
        return embedding_list(
            self.target.model, [item["embedding"] for item in ordered], _tokens(payload)
        )

    async def rerank(self, body: RerankParams) -> RerankResponse:
        self.require("rerank")
        request: wire.RerankRequest = {
            "query": body["query"],
            "documents": list(body["documents"]),
            "model": self.target.model,
        }
        if body.get("top_n") is not None:
            request["top_k"] = int(body["top_n"])
        payload = await self.call.json(
            "POST", f"{self.target.base_url}/rerank", headers=self.headers, json_body=request
        )
        data = payload.get("data")
        if not isinstance(data, list):
            raise protocol_error(self.name, "a rerank answer without data", str(payload)[:500])
        results: list[RerankResult] = [
            {"index": int(r["index"]), "relevance_score": float(r["relevance_score"])}
            for r in data
            if isinstance(r, dict) and "index" in r and "relevance_score" in r
        ]
        results.sort(key=lambda r: r["relevance_score"], reverse=True)
        return {
            "id": new_id("rerank"),
            "results": results,
            "meta": {"billed_units": {"input_tokens": _tokens(payload)}},
        }
