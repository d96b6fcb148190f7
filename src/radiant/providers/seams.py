"""Bedrock and Vertex AI: registered wires whose adapter says clearly that it is not
configured. Radiant does not sign AWS SigV4 requests nor mint Google service-account
tokens itself; to call these clouds, register an adapter for the wire (a
:class:`~radiant.providers.adapter.WireAdapter` subclass taking OpenAI-shaped dicts)::

    from radiant.providers import register_adapter
    register_adapter("bedrock", MyBedrockAdapter)   # MyBedrockAdapter(target, client)

``target.base_url`` is the platform's endpoint and ``target.model`` the route's model
string; credentials are read by the adapter itself (the platform's ``auth_config`` names
the environment variables: ``AWS_ACCESS_KEY_ID``..., ``GOOGLE_APPLICATION_CREDENTIALS``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import ClassVar

from typing_extensions import override

from radiant.errors import ProviderError
from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.shapes.openai import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatParams,
    EmbeddingList,
    EmbeddingParams,
)

__all__ = ["NotConfiguredAdapter", "SEAM_WIRES"]

SEAM_WIRES = ("bedrock", "vertex")


class NotConfiguredAdapter(WireAdapter):
    """Every call raises a ``config`` :class:`ProviderError` naming how to plug one in."""

    calls_upstream: ClassVar[bool] = False

    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        chat=True, streaming=True, embeddings=True
    )

    def _fail(self) -> ProviderError:
        return ProviderError(
            f"{self.name}: the {self.target.wire!r} wire is not configured; register an "
            f"adapter with radiant.providers.register_adapter({self.target.wire!r}, ...)",
            provider=self.name,
            kind="config",
        )

    @override
    async def chat(self, body: ChatParams) -> ChatCompletion:
        raise self._fail()

    @override
    async def chat_stream(self, body: ChatParams) -> AsyncGenerator[ChatCompletionChunk, None]:
        raise self._fail()
        yield  # pragma: no cover - makes this an async generator

    @override
    async def embeddings(self, body: EmbeddingParams) -> EmbeddingList:
        raise self._fail()
