"""Price sheets: what a route COSTS us, per unit, in force from a date.

Token prices are per 1M tokens, as providers publish them. All money is ``Decimal`` in USD.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import Field, ModelWrapValidatorHandler, field_serializer, model_validator

from radiant.domain.base import DomainModel
from radiant.domain.enums import CostSource, PricingType
from radiant.domain.numbers import Money

__all__ = ["MONEY_FIELDS", "Money", "PriceSheet"]

#: Every money field of a price sheet, in display order.
MONEY_FIELDS: tuple[str, ...] = (
    "input_per_1m",
    "output_per_1m",
    "cached_input_per_1m",
    "cache_write_per_1m",
    "batch_input_per_1m",
    "batch_output_per_1m",
    "long_context_input_per_1m",
    "long_context_output_per_1m",
    "reasoning_per_1m",
    "audio_input_per_1m",
    "audio_output_per_1m",
    "per_request",
    "per_search_request",
    "per_tool_call",
    "per_image",
    "per_second",
    "per_minute",
    "per_video_minute",
    "per_hour",
    "per_3d_model",
    "priority_input_per_1m",
    "priority_output_per_1m",
    "flex_input_per_1m",
    "flex_output_per_1m",
)


class PriceSheet(DomainModel):
    """The cost of one route, valid from ``effective_from`` until ``effective_to``."""

    pricing_type: PricingType
    currency: str = "USD"
    # per token, per 1M tokens
    input_per_1m: Money | None = None
    output_per_1m: Money | None = None
    cached_input_per_1m: Money | None = None
    cache_write_per_1m: Money | None = None
    batch_input_per_1m: Money | None = None
    batch_output_per_1m: Money | None = None
    long_context_threshold: int | None = Field(default=None, gt=0)
    long_context_input_per_1m: Money | None = None
    long_context_output_per_1m: Money | None = None
    reasoning_per_1m: Money | None = None
    audio_input_per_1m: Money | None = None
    audio_output_per_1m: Money | None = None
    # per unit
    per_request: Money | None = None
    per_search_request: Money | None = None
    per_tool_call: Money | None = None
    per_image: Money | None = None
    per_second: Money | None = None
    per_minute: Money | None = None
    per_video_minute: Money | None = None
    per_hour: Money | None = None
    per_3d_model: Money | None = None
    # service tiers of providers that sell them (OpenAI, Gemini): faster at a premium,
    # slower at a discount; per 1M tokens
    priority_input_per_1m: Money | None = None
    priority_output_per_1m: Money | None = None
    flex_input_per_1m: Money | None = None
    flex_output_per_1m: Money | None = None
    # provenance
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    source: CostSource = CostSource.PROVIDER_DOCUMENTATION
    is_estimated: bool = False
    last_verified_at: datetime | None = None
    notes: str | None = None

    @field_serializer(*MONEY_FIELDS, when_used="json")
    def _money_as_string(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    @model_validator(mode="wrap")
    @classmethod
    def _checked_once(cls, data: Any, handler: ModelWrapValidatorHandler[PriceSheet]) -> PriceSheet:
        # A sheet given as a sheet (a route's price) was checked when it was made and is
        # immutable: pydantic would run the checks again for every route that holds it.
        if type(data) is cls:
            return data
        return handler(data)._check()

    def _check(self) -> PriceSheet:
        if self.currency != "USD":
            raise ValueError("only USD price sheets are supported")
        if (
            self.long_context_input_per_1m is not None
            or self.long_context_output_per_1m is not None
        ) and self.long_context_threshold is None:
            raise ValueError("a long-context price needs long_context_threshold")
        if (
            self.effective_from is not None
            and self.effective_to is not None
            and self.effective_to <= self.effective_from
        ):
            raise ValueError("effective_to must be after effective_from")
        required = _REQUIRED.get(self.pricing_type, ())
        values = self.__dict__
        if required and not [name for name in required if values[name] is not None]:
            raise ValueError(
                f"a {self.pricing_type.value} sheet needs one of: {', '.join(required)}"
            )
        return self

    def prices(self) -> dict[str, Decimal]:
        """The money fields that are set."""
        return {name: value for name in MONEY_FIELDS if (value := getattr(self, name)) is not None}

    def same_prices(self, other: PriceSheet) -> bool:
        """True when both sheets charge the same for everything (provenance aside)."""
        return (
            self.pricing_type == other.pricing_type
            and self.long_context_threshold == other.long_context_threshold
            and self.is_estimated == other.is_estimated
            and self.prices() == other.prices()
        )


_REQUIRED: dict[PricingType, tuple[str, ...]] = {
    PricingType.PER_TOKEN: ("input_per_1m", "output_per_1m"),
    PricingType.PER_REQUEST: ("per_request", "per_search_request"),
    PricingType.PER_IMAGE: ("per_image",),
    PricingType.PER_SECOND: ("per_second",),
    PricingType.PER_MINUTE: ("per_minute", "per_video_minute"),
    PricingType.PER_HOUR: ("per_hour",),
    PricingType.PER_3D_MODEL: ("per_3d_model", "per_request"),
}
