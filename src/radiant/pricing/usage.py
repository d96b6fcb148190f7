"""What one call used: tokens, units and time. The input of :func:`radiant.pricing.cost`.

Token counts do not overlap: ``input_tokens`` are the prompt tokens billed at the plain
input rate, ``cached_input_tokens`` those read from a prompt cache, ``cache_write_tokens``
those written to it, ``audio_input_tokens`` the audio part of the prompt. Likewise
``output_tokens``, ``reasoning_tokens`` and ``audio_output_tokens`` are three separate
parts of the answer. Providers that report overlapping totals are converted at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from radiant.errors import ValidationError

__all__ = ["Usage"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    audio_input_tokens: int = 0
    audio_output_tokens: int = 0
    #: API calls; per-request fees and self-hosted amortised request costs apply per call
    requests: int = 1
    images: int = 0
    seconds: Decimal = _ZERO
    minutes: Decimal = _ZERO
    video_minutes: Decimal = _ZERO
    #: dedicated instance hours (self-hosted routes reserved by the hour)
    hours: Decimal = _ZERO
    models_3d: int = 0
    tool_calls: int = 0
    search_requests: int = 0
    #: sent through the platform's batch API
    batch: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                continue
            if isinstance(value, float):
                raise ValidationError(f"usage.{f.name} must be an int or Decimal, not a float")
            if value < 0:
                raise ValidationError(f"usage.{f.name} must not be negative")

    @property
    def prompt_tokens(self) -> int:
        """Every token of the prompt: what a long-context threshold is compared with."""
        return (
            self.input_tokens
            + self.cached_input_tokens
            + self.cache_write_tokens
            + self.audio_input_tokens
        )

    def __add__(self, other: Usage) -> Usage:
        """Two usages together (``batch`` must agree: they are priced at one rate)."""
        if self.batch != other.batch:
            raise ValidationError("cannot add a batch usage to a non-batch usage")
        values: dict[str, Any] = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "batch"
        }
        return Usage(**values, batch=self.batch)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        """From JSON-like data: numbers given as strings or ints; floats are refused."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValidationError(f"unknown usage field(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            kind = known[name].type
            if kind == "bool":
                values[name] = bool(value)
            elif kind == "Decimal":
                values[name] = _decimal(name, value)
            else:
                if isinstance(value, bool) or not isinstance(value, int | str):
                    raise ValidationError(f"usage.{name} must be a whole number")
                try:
                    values[name] = int(value)
                except ValueError:
                    raise ValidationError(f"usage.{name} must be a whole number") from None
        return cls(**values)


def _decimal(name: str, value: Any) -> Decimal:
    if isinstance(value, float | bool):
        raise ValidationError(f"usage.{name} must be a whole number or a decimal string")
    try:
        result = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError(f"usage.{name} is not a number: {value!r}") from None
    if not result.is_finite():
        raise ValidationError(f"usage.{name} must be finite")
    return result
