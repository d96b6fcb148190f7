"""One gateway request's usage (seed 004 ``usage_events``) and its line in a spool file.

A spool line is compact JSON: ``[format, every field in declaration order]``, money and
units as decimal strings (exact), the time in ISO 8601 with its offset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from radiant.gateway.jsonx import dumps

__all__ = ["UsageEvent", "decode", "encode"]

_ZERO = Decimal(0)
_FORMAT = 1


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """One gateway request, successful or not (seed 004 ``usage_events``)."""

    request_id: str
    tenant_id: str
    user_id: str | None
    api_key_id: str | None
    model_id: str
    provider_id: str
    platform_id: str | None
    route_id: str | None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    images: int = 0
    seconds: Decimal = _ZERO
    minutes: Decimal = _ZERO
    #: what the request cost us, USD, unrounded
    base_cost: Decimal = _ZERO
    #: the price the tenant pays, USD, unrounded
    billed_price: Decimal = _ZERO
    latency_ms: int | None = None
    #: ``success`` or ``error``
    status: str = "success"
    error_code: str | None = None
    created_at: datetime = field(default_factory=_now)
    #: ``chat``, ``embeddings``, ``images``, ``speech``, ``transcriptions``, ...
    endpoint: str = "chat"

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}


_FIELDS = tuple(UsageEvent.__dataclass_fields__)
_DECIMALS = frozenset({"seconds", "minutes", "base_cost", "billed_price"})


def encode(event: UsageEvent) -> bytes:
    """One spool line: ``[format, field values in declaration order]``."""
    e = event
    values = [
        _FORMAT, e.request_id, e.tenant_id, e.user_id, e.api_key_id, e.model_id,
        e.provider_id, e.platform_id, e.route_id, e.input_tokens, e.output_tokens,
        e.cached_tokens, e.images, str(e.seconds), str(e.minutes), str(e.base_cost),
        str(e.billed_price), e.latency_ms, e.status, e.error_code,
        e.created_at.isoformat(), e.endpoint,
    ]  # fmt: skip
    return dumps(values) + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """A spool line as a ``usage_events`` row; ``ValueError`` when it is not one."""
    values = json.loads(line)
    if not isinstance(values, list) or values[:1] != [_FORMAT] or len(values) != 22:
        raise ValueError("not a usage event record")
    row = dict(zip(_FIELDS, values[1:], strict=True))
    for name in _DECIMALS:
        row[name] = Decimal(row[name])
    created = datetime.fromisoformat(row["created_at"])
    row["created_at"] = created if created.tzinfo else created.replace(tzinfo=UTC)
    return row
