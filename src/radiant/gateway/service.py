"""The gateway: a ``/v1`` request from key to response, usage event and route health.

::

    key -> account (cached)      accounts.AccountCache
    body -> what it asks for     requests.read_ask
    names -> routes to try       chain.ChainBuilder (snapshot, routing rules, selection)
    rate limits                  limits.RateLimiter.acquire  (429 + retry-after)
    for each route:              breaker closed? (HealthMonitor.allowed)
        call, retried with backoff on a retryable failure (retry.RetryPolicy)
        every outcome -> HealthMonitor.record_outcome (feeds the circuit breaker)
        retryable failure -> next route; prompt too long -> a larger-context model
    usage -> cost and price      usage.charge (pricing engine, tenant terms)
    one usage event per request  metering.Meter.record (success or not)

:class:`Gateway` holds what lives as long as the process: the shared pooled HTTP
client, the adapters per route (rebuilt when the registry version changes), the account
cache and the chain cache. Endpoints (:mod:`radiant.gateway.endpoints`) call
:meth:`Gateway.begin`, then :meth:`Gateway.complete` or :meth:`Gateway.open_stream`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from radiant.errors import RadiantError, UnsupportedError
from radiant.gateway.accounts import Account, AccountCache
from radiant.gateway.chain import ChainBuilder, Hop
from radiant.gateway.client import gateway_client
from radiant.gateway.errors import NoRouteError, RateLimitedError, UpstreamError
from radiant.gateway.limits import RateLimiter
from radiant.gateway.metering import Meter
from radiant.gateway.records import Outcome, key_limits, usage_event
from radiant.gateway.requests import Ask, Endpoint, parse_json, read_ask
from radiant.gateway.retry import RetryPolicy, RouteRefused
from radiant.gateway.usage import charge
from radiant.health import HealthMonitor
from radiant.http.client import HttpClient
from radiant.pricing.service import PricingService
from radiant.pricing.usage import Usage
from radiant.providers import ProviderError, adapter_for, target_for
from radiant.registry import Registry, Snapshot
from radiant.selection.service import Selector

__all__ = ["Call", "Gateway"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
Chunks = AsyncIterator[dict[str, Any]]


@dataclass
class Call:
    """One request on its way through the gateway."""

    request_id: str
    account: Account
    ask: Ask
    snapshot: Snapshot
    hops: tuple[Hop, ...]
    started: float = field(default_factory=time.perf_counter)
    #: routes that failed, in order, with why (for the error a client gets)
    failures: list[str] = field(default_factory=list)
    #: a transcription's audio: (bytes, file name)
    file: tuple[bytes, str] | None = None
    #: the rate limiter admitted it (its estimate is to be settled)
    admitted: bool = False


class Gateway:
    def __init__(
        self,
        registry: Registry,
        *,
        meter: Meter,
        limiter: RateLimiter | None = None,
        health: HealthMonitor | None = None,
        client: HttpClient | None = None,
        pricing: PricingService | None = None,
        selector: Selector | None = None,
        retry: RetryPolicy | None = None,
        accounts: AccountCache | None = None,
        secrets: Any = None,
    ) -> None:
        self.registry = registry
        self.meter = meter
        self.limiter = limiter
        self.health = health
        self.client = client or gateway_client()
        self._own_client = client is None
        self.pricing = pricing or PricingService(registry)
        self.selector = selector or Selector(registry, markups=self.pricing.book)
        self.retry = retry or RetryPolicy()
        self.accounts = accounts or AccountCache(registry.engine)
        self.chains = ChainBuilder(self.selector)
        self.secrets = secrets
        self._adapters: dict[str, Any] = {}
        self._adapters_version = -1

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self.meter.start()

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()
        if self.limiter is not None:
            await self.limiter.close()
        await asyncio.to_thread(self.meter.close)

    # ------------------------------------------------------------------ a request

    async def begin(
        self,
        token: str,
        endpoint: Endpoint,
        body: bytes | dict[str, Any],
        request_id: str,
        *,
        size: int | None = None,
    ) -> Call:
        """Authenticate, read the body, build the chain, take the rate limit. ``body`` is
        the raw JSON or, for a form, its fields.

        Every error after the key was verified is recorded as a usage event."""
        account = await self.accounts.account(token)
        call = Call(request_id, account, Ask(endpoint, ("",), {}), self.registry.snapshot(), ())
        try:
            fields = parse_json(body) if isinstance(body, bytes) else body
            call.ask = Ask(endpoint, (str(fields.get("model") or ""),), fields)
            length = len(body) if isinstance(body, bytes) else (size or 0)
            call.ask = read_ask(endpoint, fields, length)
            call.hops = self.chains.build(call.snapshot, account, call.ask)
            await self._acquire(call)
        except Exception as exc:
            self.finish(call, None, None, exc)
            raise
        return call

    async def _acquire(self, call: Call) -> None:
        if self.limiter is None:
            return
        account = call.account
        decision = await self.limiter.acquire(
            account.key_id,
            account.tenant_id,
            account.tier,
            call.ask.estimated_tokens,
            overrides=key_limits(account),
        )
        call.admitted = decision.allowed
        if not decision.allowed:
            raise RateLimitedError(
                f"rate limit exceeded: {decision.which} of {decision.limit} per minute; "
                f"retry after {decision.retry_after_header} s",
                retry_after=max(decision.retry_after, 1.0),
            )

    async def complete(self, call: Call, invoke: Callable[[Any], Awaitable[T]]) -> tuple[Hop, T]:
        """Call the chain until a route answers; raises UpstreamError when none does."""
        return await self._chain(call, invoke)

    async def open_stream(self, call: Call) -> tuple[Hop, dict[str, Any], Chunks]:
        """The first chunk of a streamed chat and the rest of the stream: a failure before
        the first chunk falls back like any other; after it, the stream ends with it."""
        body = call.ask.body

        async def first(adapter: Any) -> tuple[dict[str, Any], Chunks]:
            chunks: Chunks = adapter.chat_stream(body).__aiter__()
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                raise ProviderError(
                    f"{adapter.name}: the stream ended before its first chunk",
                    provider=str(adapter.name),
                    kind="protocol",
                ) from None
            return chunk, chunks

        hop, (chunk, rest) = await self._chain(call, first)
        return hop, chunk, rest

    # ------------------------------------------------------------------ the chain

    async def _chain(self, call: Call, invoke: Callable[[Any], Awaitable[T]]) -> tuple[Hop, T]:
        hops = list(call.hops)
        tried: set[str] = set()
        #: models a prompt did not fit: their other routes would refuse it the same way
        too_small: set[str] = set()
        errors: list[ProviderError] = []
        index = 0
        while index < len(hops):
            hop = hops[index]
            index += 1
            if hop.route_id in tried or hop.entry.id in too_small:
                continue
            tried.add(hop.route_id)
            try:
                return hop, await self._route(call, hop, invoke)
            except RouteRefused as exc:
                call.failures.append(f"{hop.route_id}: {exc}")
            except ProviderError as exc:
                errors.append(exc)
                call.failures.append(f"{hop.route_id}: {exc.message}")
                if exc.context_too_long:
                    too_small.add(hop.entry.id)
                    bigger = self.chains.larger_context(
                        call.snapshot, call.account, call.ask, hop.entry
                    )
                    hops[index:index] = [h for h in bigger if h.route_id not in tried]
                elif not exc.retryable:
                    raise
        raise _exhausted(call, errors)

    async def _route(self, call: Call, hop: Hop, invoke: Callable[[Any], Awaitable[T]]) -> T:
        """Call one route: once, and when that fails in a way worth retrying there, again
        under the retry policy (tenacity: bounded attempts, backoff, retry-after)."""
        adapter = self._adapter(call.snapshot, hop)
        try:
            return await self._attempt(hop, adapter, invoke)
        except ProviderError as exc:
            if self.retry.attempts_per_route < 2 or not self.retry.same_route(exc):
                raise
            first: ProviderError = exc
        retrying = self.retry.retrying(after=first)
        async for attempt in retrying:
            with attempt:
                return await self._attempt(hop, adapter, invoke)
        raise AssertionError("unreachable")  # pragma: no cover - tenacity reraises

    async def _attempt(self, hop: Hop, adapter: Any, invoke: Callable[[Any], Awaitable[T]]) -> T:
        if self.health is not None and not self.health.allowed(hop.route_id):
            raise RouteRefused("circuit breaker open")
        started = time.perf_counter()
        try:
            result = await invoke(adapter)
        except ProviderError as exc:
            await self.feed(hop, started, exc)
            raise
        except UnsupportedError as exc:  # the route cannot do this: skip it, it is not broken
            raise RouteRefused(exc.message) from exc
        except Exception as exc:  # an adapter bug must not take the request down
            logger.exception("gateway: route %s failed unexpectedly", hop.route_id)
            error = ProviderError(
                f"{hop.route_id}: {type(exc).__name__}", provider=hop.platform.id, kind="protocol"
            )
            await self.feed(hop, started, error)
            raise error from exc
        await self.feed(hop, started, None)
        return result

    def _adapter(self, snapshot: Snapshot, hop: Hop) -> Any:
        if snapshot.version != self._adapters_version:
            self._adapters = {}
            self._adapters_version = snapshot.version
        adapter = self._adapters.get(hop.route_id)
        if adapter is None:
            try:
                provider = snapshot.providers.get(hop.entry.model.provider_id)
                target = target_for(hop.platform, hop.route, self.secrets, provider=provider)
                adapter = adapter_for(target, self.client)
            except RadiantError as exc:
                raise RouteRefused(f"cannot be called: {exc.message}") from exc
            self._adapters[hop.route_id] = adapter
        return adapter

    async def feed(self, hop: Hop, started: float, error: ProviderError | None) -> None:
        """Report one upstream call to the health monitor (and so to the breaker)."""
        if self.health is None:
            return
        latency = (time.perf_counter() - started) * 1000
        if error is None:
            self.health.record_outcome(hop.route_id, True, latency)
            return
        broken = error.retryable or error.status in (401, 403)
        if not broken:  # the route answered: the request was at fault, not the route
            self.health.record_outcome(hop.route_id, True, latency)
            return
        # a failure updates the shared breaker (a store write): off the event loop
        await asyncio.to_thread(
            self.health.record_outcome,
            hop.route_id,
            False,
            latency,
            error.message[:200],
            error.status,
        )

    # ------------------------------------------------------------------ the end

    def finish(
        self,
        call: Call,
        hop: Hop | None,
        usage: Usage | None,
        error: BaseException | None = None,
        *,
        status: str | None = None,
        bill: bool = True,
    ) -> Outcome:
        """Price the usage, record the usage event, settle the rate limit: every request
        ends here exactly once, successful or not."""
        usage = usage or Usage(requests=0)
        if hop is not None:
            terms = call.account.terms(hop.entry.id)
            charged = charge(hop, usage, self.pricing.book(call.snapshot), terms)
        else:
            charged = None
        outcome = Outcome.of(call, hop, usage, charged, error, status=status, bill=bill)
        try:
            self.meter.record(usage_event(call, outcome))
        except Exception:  # never fail the client for its own record: say so loudly
            logger.exception("gateway: cannot record the usage of %s", call.request_id)
        if self.limiter is not None and call.admitted:
            task = asyncio.get_running_loop().create_task(self._settle(call, outcome.tokens))
            _background.add(task)
            task.add_done_callback(_background.discard)
        return outcome

    async def _settle(self, call: Call, tokens: int) -> None:
        assert self.limiter is not None
        account = call.account
        try:
            await self.limiter.settle(
                account.key_id,
                account.tenant_id,
                account.tier,
                call.ask.estimated_tokens,
                tokens,
                key_limits(account),
            )
        except Exception:  # pragma: no cover - the limiter logs its own store failures
            logger.exception("gateway: cannot settle the rate limit of %s", call.request_id)


_background: set[asyncio.Task[None]] = set()


def _exhausted(call: Call, errors: list[ProviderError]) -> Exception:
    """The error a request ends with when no route of its chain answered."""
    text = "; ".join(call.failures)
    if not errors:
        return NoRouteError(f"no route can be called now: {text}")
    last = errors[-1]
    if last.context_too_long:
        return last  # no larger model could take it: the client's prompt is too long
    if all(e.status == 429 for e in errors):
        waits = [e.retry_after for e in errors if e.retry_after is not None]
        return RateLimitedError(
            f"every route is rate-limited upstream: {text}",
            code="upstream_rate_limited",
            retry_after=min(waits) if waits else 1.0,
        )
    if last.kind == "timeout" and len(errors) == 1:
        return UpstreamError(f"the upstream timed out: {last.message}", status=504)
    return UpstreamError(f"every route failed: {text}")
