"""What a platform's list-models API said, in one shape for every wire format."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["Listing", "UpstreamModel", "per_token_to_per_1m"]

_MILLION = Decimal(1_000_000)


@dataclass
class UpstreamModel:
    """One model as an upstream listing described it."""

    upstream_id: str
    display_name: str | None = None
    description: str | None = None
    #: the maker, when the id or the listing says (``anthropic`` of ``anthropic/claude-x``)
    provider_hint: str | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    input_modalities: list[str] = field(default_factory=list)
    output_modalities: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    #: USD per 1M tokens
    input_per_1m: Decimal | None = None
    output_per_1m: Decimal | None = None
    cached_input_per_1m: Decimal | None = None
    cache_write_per_1m: Decimal | None = None
    #: OpenRouter: the providers serving the model (from its endpoints API)
    endpoints: list[dict[str, Any]] | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Listing:
    """The outcome of listing one discovery target: models, or why there are none.

    Only a ``complete`` listing (every page fetched, no error) may count a registered route
    as missing upstream.
    """

    target: str
    platform_id: str
    models: list[UpstreamModel] = field(default_factory=list)
    pages: int = 0
    #: why the target was not listed at all (no credentials, no list API)
    skipped: str | None = None
    #: why the listing failed (after retries): HTTP status, timeout, malformed body
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.skipped is None and self.error is None


def per_token_to_per_1m(value: Any) -> Decimal | None:
    """OpenRouter's USD-per-token strings as USD per 1M tokens; None for absent, negative
    (``-1``: variable, priced by the routed model) or malformed values."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    return (number * _MILLION).normalize()
