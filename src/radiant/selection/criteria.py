"""What a request needs: the criteria of a selection.

Filters (a candidate failing any one is excluded) and preferences (they only rank):

* ``task``, ``input_modalities``, ``output_modalities`` (requested ⊆ the model's),
  ``tier`` (self-hosted candidates need ``min_tier <= tier``; external candidates are open
  to every tier), ``hosting``, ``required_capabilities``,
  ``excluded_capabilities``, ``min_context_window``, ``compliance`` (⊆ the provider's),
  ``region`` (a route listing regions must list it), ``max_latency_ms`` (a known average
  latency above it, or a warm-up longer than it, excludes), ``max_price_per_request``
  (a route with no price for the request, or a dearer one, is skipped),
  ``allow_deprecated``, ``include_estimated`` (estimated prices) and
  ``exclude_imported`` (models a pricing sync created from a public catalog) — all filters;
* routes this process cannot call (no adapter serves their wire, or their credential is
  not set: :mod:`radiant.providers.callability`) are never chosen, unless
  ``include_uncallable`` (for an administrator looking at the whole registry);
* ``preferred_providers`` and ``preferred_platforms`` — preferences: candidates from a
  preferred provider or on a preferred platform rank ahead of the others (and a model's
  route on a preferred platform is chosen over its other routes); they never exclude;
* ``optional_capabilities`` — a preference: more of them rank higher.

The price of a request is estimated from ``estimated_input_tokens`` (default 1,000) and
``estimated_output_tokens`` (default 500): a short chat turn.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field, StrictBool, StrictInt, field_validator

from radiant.domain import Task
from radiant.domain.base import DomainModel

__all__ = [
    "DEFAULT_INPUT_TOKENS",
    "DEFAULT_OUTPUT_TOKENS",
    "HostingPreference",
    "SelectionCriteria",
]

DEFAULT_INPUT_TOKENS = 1000
DEFAULT_OUTPUT_TOKENS = 500


class HostingPreference(StrEnum):
    ANY = "any"
    EXTERNAL = "external"
    SELF_HOSTED = "self_hosted"


class SelectionCriteria(DomainModel):
    task: Task
    input_modalities: list[str] = Field(default_factory=list)
    output_modalities: list[str] = Field(default_factory=list)
    #: The tenant's tier (1-5); None: no tier filter.
    tier: StrictInt | None = Field(default=None, ge=1, le=5)
    hosting: HostingPreference = HostingPreference.ANY
    preferred_providers: list[str] = Field(default_factory=list)
    preferred_platforms: list[str] = Field(default_factory=list)
    required_capabilities: list[str] = Field(default_factory=list)
    optional_capabilities: list[str] = Field(default_factory=list)
    excluded_capabilities: list[str] = Field(default_factory=list)
    min_context_window: StrictInt | None = Field(default=None, ge=0)
    #: Certifications the provider must hold (HIPAA, SOC2, GDPR), compared case-insensitively.
    compliance: list[str] = Field(default_factory=list)
    region: str | None = None
    max_latency_ms: StrictInt | None = Field(default=None, ge=0)
    max_price_per_request: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    estimated_input_tokens: StrictInt = Field(default=DEFAULT_INPUT_TOKENS, ge=0, le=100_000_000)
    estimated_output_tokens: StrictInt = Field(default=DEFAULT_OUTPUT_TOKENS, ge=0, le=100_000_000)
    allow_deprecated: StrictBool = False
    include_estimated: StrictBool = True
    #: also routes this process cannot call (no adapter for the wire, no credential)
    include_uncallable: StrictBool = False
    exclude_imported: StrictBool = False
    limit: StrictInt = Field(default=10, ge=1, le=1000)

    @field_validator(
        "input_modalities",
        "output_modalities",
        "preferred_providers",
        "preferred_platforms",
        "required_capabilities",
        "optional_capabilities",
        "excluded_capabilities",
        "compliance",
    )
    @classmethod
    def _clean(cls, values: list[str]) -> list[str]:
        seen: dict[str, None] = {}
        for value in values:
            value = value.strip()  # noqa: PLW2901 - normalised in place
            if value:
                seen.setdefault(value, None)
        return list(seen)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return value or None

    @property
    def has_route_filters(self) -> bool:
        """True when the route of a model may differ from its first active one."""
        return bool(
            self.preferred_platforms
            or self.region
            or not self.include_estimated
            or self.max_price_per_request is not None
        )
