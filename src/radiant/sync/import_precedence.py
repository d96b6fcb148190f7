"""The one precedence of a pricing sync: who decides each field. Not the order of
``--source`` options: the same documents in any order give the same registry.

Per field, first wins:

1. an administrator's value (``admin_fields`` of the row; a route whose ``price`` an
   administrator owns, or whose sheet an administrator entered, is never priced);
2. the built-in or configured catalog (provider documentation): an import fills only what
   the catalog left empty (a catalog's *estimated* sheet is no documentation: a real price
   replaces it whole);
3. the imported sources, in the order of :data:`TRUST` for the field:

   * entries for the route's own model string (**exact**) before entries of another name
     of the same endpoint (**alias**: the undated name of a single snapshot, a regional
     profile ``us.``/``eu.``), whatever their source;
   * then the source order of the field (below); on OpenRouter, OpenRouter's own listing
     speaks first for its prices and limits (a platform's own word over an aggregator's);
   * then the entry key (a stable tie-break).

   For a model's facts (limits, modalities, capabilities, dates), entries of the maker's own
   API (``direct``) come before a cloud's or host's, then exact before alias, then the
   source order of the field.

Entries for another endpoint (a ``-latest`` pointer, a free tier, an image size or a
capacity commitment) never price a route: they are kept as that route's other model
strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "FACT_FIELDS",
    "OWN_LISTING",
    "PRICE_TRUST",
    "TRUST",
    "fact_trust",
    "price_trust",
]

#: the sources in the order they speak for a price, off their own platform
PRICE_TRUST: tuple[str, ...] = ("models-dev", "litellm", "openrouter")
#: platforms whose own listing is one of the sources: it speaks first there
OWN_LISTING: Mapping[str, str] = MappingProxyType({"openrouter": "openrouter"})

#: model facts, per field: the order of the sources (first wins)
TRUST: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # limits and modalities: models.dev lists them per provider as published
        "context_window": ("models-dev", "litellm", "openrouter"),
        "max_input_tokens": ("models-dev", "litellm", "openrouter"),
        "max_output_tokens": ("models-dev", "litellm", "openrouter"),
        "input_modalities": ("models-dev", "litellm", "openrouter"),
        "output_modalities": ("models-dev", "litellm", "openrouter"),
        # the task: LiteLLM states a mode; models.dev and OpenRouter only imply one
        "mode": ("litellm", "models-dev", "openrouter"),
        # capability flags, each one a field of its own
        "capabilities": ("models-dev", "litellm", "openrouter"),
        # names and dates
        "display_name": ("models-dev", "openrouter", "litellm"),
        "family": ("models-dev", "litellm", "openrouter"),
        "release_date": ("models-dev", "openrouter", "litellm"),
        "knowledge_cutoff": ("models-dev", "openrouter", "litellm"),
        "open_weights": ("models-dev", "openrouter", "litellm"),
        # lifecycle: LiteLLM and OpenRouter give dates, models.dev a status
        "deprecation_date": ("litellm", "openrouter", "models-dev"),
        "deprecated": ("models-dev", "litellm", "openrouter"),
        "successor": ("litellm", "models-dev", "openrouter"),
        "embedding_dimensions": ("litellm", "models-dev", "openrouter"),
    }
)
FACT_FIELDS = tuple(TRUST)
_UNKNOWN = 99


def price_trust(source: str, platform: str) -> int:
    """Rank of ``source`` for a price of a route on ``platform`` (lower speaks first)."""
    if OWN_LISTING.get(platform) == source:
        return -1
    try:
        return PRICE_TRUST.index(source)
    except ValueError:
        return _UNKNOWN


_FACT_RANKS: dict[tuple[str, str], int] = {
    (name, source): rank for name, order in TRUST.items() for rank, source in enumerate(order)
}
_OWN_LIMITS = frozenset({"context_window", "max_output_tokens"})


def fact_trust(field: str, source: str, platform: str) -> int:
    """Rank of ``source`` for the model fact ``field`` (lower speaks first)."""
    if field in _OWN_LIMITS and OWN_LISTING.get(platform) == source:
        return -1
    found = _FACT_RANKS.get((field, source))
    if found is not None:
        return found
    try:
        return PRICE_TRUST.index(source)
    except ValueError:
        return _UNKNOWN
