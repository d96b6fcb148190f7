"""How a request ended, as the usage event the meter stores (the ``usage_events`` columns).

Billing policy: a request that succeeded bills its PRICE; one that failed bills nothing.
A stream the client closed is billed for what it was sent (the upstream charged us for
it); a stream the upstream broke off bills nothing. Either way its cost is recorded,
from the usage the stream reported or, when it reported none, the tokens the gateway
counted (and the event says the usage is estimated).

The event's key is the gateway's own request id; the caller's ``x-request-id`` is
stored beside it (see :mod:`radiant.core.request_ids`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from radiant.errors import ProviderError
from radiant.gateway.accounts import Account
from radiant.gateway.chain import Hop
from radiant.gateway.charge import Charge
from radiant.gateway.errors import error_parts
from radiant.gateway.limits import KeyLimits
from radiant.gateway.metering import UsageEvent
from radiant.pricing.usage import Usage

if TYPE_CHECKING:
    from radiant.gateway.service import Call

__all__ = ["Outcome", "key_limits", "usage_event"]

_ZERO = Decimal(0)
_MINUTE = Decimal(60)


def key_limits(account: Account) -> KeyLimits | None:
    """The key's own RPM/TPM limits (None: the tier's) for the rate limiter."""
    if account.rate_limit_rpm is None and account.rate_limit_tpm is None:
        return None
    return KeyLimits(rpm=account.rate_limit_rpm, tpm=account.rate_limit_tpm)


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    error_code: str | None
    http_status: int
    usage: Usage
    cost: Decimal
    price: Decimal
    latency_ms: int
    hop: Hop | None
    #: the usage was counted by the gateway, not reported by the upstream
    estimated: bool = False

    @property
    def tokens(self) -> int:
        u = self.usage
        return u.input_tokens + u.cached_input_tokens + u.output_tokens + u.reasoning_tokens

    @classmethod
    def of(
        cls,
        call: Call,
        hop: Hop | None,
        usage: Usage,
        charged: Charge | None,
        error: BaseException | None,
        *,
        status: str | None = None,
        bill: bool | None = None,
        estimated: bool = False,
    ) -> Outcome:
        """``bill``: whether the tenant pays the price (default: when there is no error)."""
        latency = round((time.perf_counter() - call.started) * 1000)
        if error is None:
            code, http = None, 200
        elif isinstance(error, ProviderError):
            code, http = error.code or f"upstream_{error.kind}", error.problem_status
        else:
            http, code, _, _ = error_parts(error)
        cost = charged.cost if charged is not None else _ZERO
        if bill is None:
            bill = error is None
        price = charged.price if charged is not None and bill else _ZERO
        if status is None:
            status = "success" if error is None else "error"
        return cls(status, code, http, usage, cost, price, latency, hop, estimated)


def usage_event(call: Call, outcome: Outcome) -> UsageEvent:
    hop = outcome.hop
    usage = outcome.usage
    seconds = usage.seconds
    account = call.account
    entry = hop.entry if hop is not None else (call.hops[0].entry if call.hops else None)
    if entry is None:  # the request failed before a route: the model it named, if known
        entry = call.snapshot.find(call.ask.models[0]) if call.ask.models[0] else None
    return UsageEvent(
        id=call.request_id,
        tenant_id=account.tenant_id,
        user_id=None,
        api_key_id=account.key_id,
        model_id=entry.id if entry is not None else (call.ask.models[0] or "unknown")[:100],
        provider_id=entry.model.provider_id if entry is not None else "unknown",
        platform_id=hop.platform.id if hop is not None else None,
        route_id=hop.route_id if hop is not None else None,
        input_tokens=usage.input_tokens + usage.cached_input_tokens,
        output_tokens=usage.output_tokens + usage.reasoning_tokens,
        cached_tokens=usage.cached_input_tokens,
        images=usage.images,
        seconds=seconds,
        minutes=usage.minutes or seconds / _MINUTE,
        base_cost=outcome.cost,
        billed_price=outcome.price,
        latency_ms=outcome.latency_ms,
        status=outcome.status,
        error_code=outcome.error_code,
        created_at=datetime.now(UTC),
        endpoint=call.ask.endpoint.value,
        request_id=call.client_request_id or "",
        usage_estimated=outcome.estimated,
    )
