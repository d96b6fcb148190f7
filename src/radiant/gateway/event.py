"""One gateway request's usage (a ``usage_events`` row) and its line in a spool file.

A spool line is compact JSON: ``[format, every field in declaration order]``, money and
units as decimal strings (exact), the time in ISO 8601 with its offset. Lines of format 1
(written before events had an id of their own: their request id was the key) are still
read, so a spool left by an older version is flushed after an upgrade.
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
_FORMAT = 2


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """One gateway request, successful or not (a ``usage_events`` row)."""

    #: the gateway's own id of the request: the event's key
    id: str
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
    #: the ``x-request-id`` the response carried: the caller's (stored, never a key);
    #: empty: the caller sent none, so it is :attr:`id`
    request_id: str = ""
    #: the tokens were counted by the gateway: the upstream never reported them
    usage_estimated: bool = False

    def as_row(self) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in _FIELDS}
        row["request_id"] = self.request_id or self.id
        return row


_FIELDS = tuple(UsageEvent.__dataclass_fields__)
_DECIMALS = frozenset({"seconds", "minutes", "base_cost", "billed_price"})
#: format 1: no id (the request id was the key), no estimated flag
_FIELDS_1 = ("request_id", *_FIELDS[1:-2])


def encode(event: UsageEvent) -> bytes:
    """One spool line: ``[format, field values in declaration order]``."""
    e = event
    values = [
        _FORMAT, e.id, e.tenant_id, e.user_id, e.api_key_id, e.model_id,
        e.provider_id, e.platform_id, e.route_id, e.input_tokens, e.output_tokens,
        e.cached_tokens, e.images, str(e.seconds), str(e.minutes), str(e.base_cost),
        str(e.billed_price), e.latency_ms, e.status, e.error_code,
        e.created_at.isoformat(), e.endpoint, e.request_id or e.id, e.usage_estimated,
    ]  # fmt: skip
    return dumps(values) + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """A spool line as a ``usage_events`` row; ``ValueError`` when it is not one."""
    values = json.loads(line)
    if not isinstance(values, list):
        raise ValueError("not a usage event record")
    if values[:1] == [_FORMAT] and len(values) == len(_FIELDS) + 1:
        row = dict(zip(_FIELDS, values[1:], strict=True))
    elif values[:1] == [1] and len(values) == len(_FIELDS_1) + 1:
        row = dict(zip(_FIELDS_1, values[1:], strict=True))
        row["id"] = row["request_id"]
        row["usage_estimated"] = False
    else:
        raise ValueError("not a usage event record")
    if not isinstance(row["usage_estimated"], bool):
        raise ValueError("usage_estimated is not true or false")
    for name in _DECIMALS:
        row[name] = Decimal(row[name])
    created = datetime.fromisoformat(row["created_at"])
    row["created_at"] = created if created.tzinfo else created.replace(tzinfo=UTC)
    return row
