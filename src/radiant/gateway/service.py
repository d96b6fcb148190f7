"""The gateway: a ``/v1`` request from key to response, usage event and route health.

::

    key -> account (cached)      accounts.AccountCache
    the key's scope              tenants.require_scope  (403 naming the scope)
    body -> what it asks for     requests.read_ask  (the OpenAI shape checked: 400)
    names -> routes to try       chain.ChainBuilder (snapshot, routing rules, selection)
    rate limits                  limits.RateLimiter.acquire: key, tenant, grant, rules
                                 (429 + retry-after; x-ratelimit-* on every answer)
    for each route:              breaker closed? (HealthMonitor.allowed)
        call, retried with backoff on a retryable failure (retry.RetryPolicy)
        every upstream answer -> HealthMonitor.record_outcome (feeds the circuit breaker;
        only an upstream's own failure counts against the route: no answer, 5xx, 429,
        our credentials refused; a request the upstream refused as invalid does not)
        retryable failure -> next route; prompt too long -> a larger-context model
    usage -> cost and price      usage.charge (pricing engine, tenant terms)
    one usage event per request  metering.Meter.record (success or not), keyed by our id

A request has our id (``request_ids.new_request_id``, the usage event's key) and maybe
the caller's ``x-request-id`` (stored with the event, never a key). With an
``Idempotency-Key`` (:mod:`radiant.gateway.idempotency`) :meth:`Gateway.begin` holds the
key before the rate limit, or finds the kept answer of the call that held it
(``Call.replay``: the endpoint sends it, nothing is called or billed); the endpoint keeps
the answer of a call that succeeded (:meth:`Gateway.keep`), and :meth:`Gateway.finish`
frees the key of one that failed.

:class:`Gateway` holds what lives as long as the process: the shared pooled HTTP
client, the adapters per route (rebuilt when the registry version changes), the account
cache and the chain cache. Endpoints (:mod:`radiant.gateway.endpoints`) call
:meth:`Gateway.begin`, then :meth:`Gateway.complete` or :meth:`Gateway.open_stream`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from radiant.domain import ThermalState
from radiant.errors import RadiantError, UnsupportedError, ValidationError
from radiant.gateway.accounts import Account, AccountCache
from radiant.gateway.chain import ChainBuilder, Hop
from radiant.gateway.charge import charge
from radiant.gateway.client import gateway_client
from radiant.gateway.errors import (
    BadRequestError,
    GatewayError,
    NoRouteError,
    RateLimitedError,
    UpstreamError,
    redact,
)
from radiant.gateway.idempotency import Answer, Claim, IdempotencyStore, check_key, fingerprint
from radiant.gateway.jobs import JobStore
from radiant.gateway.limits import Bucket, KeyLimits, RateLimiter, buckets_for, decision_headers
from radiant.gateway.metering import Meter
from radiant.gateway.outcomes import Outcome, usage_event
from radiant.gateway.requests import Ask, Endpoint, parse_json, read_ask
from radiant.gateway.retry import RetryPolicy, RouteRefused
from radiant.health import HealthMonitor
from radiant.http.client import HttpClient
from radiant.pricing.service import PricingService
from radiant.pricing.usage import Usage
from radiant.providers import ProviderError, WireAdapter, adapter_for, target_for
from radiant.providers.shapes.openai import ChatCompletionChunk
from radiant.registry import Snapshot
from radiant.registry.service import Registry
from radiant.selection.service import Selector
from radiant.tenants import require_scope

__all__ = ["Call", "Gateway"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
Chunks = AsyncIterator[ChatCompletionChunk]


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
    #: the rate-limit buckets it counts against
    buckets: tuple[Bucket, ...] = ()
    #: the ``x-ratelimit-*`` headers of its answer (set once the limiter has judged it)
    limit_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    #: the caller's ``x-request-id`` (None: it sent none we keep)
    client_request_id: str | None = None
    #: the Idempotency-Key this call holds
    idempotency: Claim | None = None
    #: the kept answer of an earlier call with the same Idempotency-Key: send it, that's all
    replay: Answer | None = None
    #: how it ended, once :meth:`Gateway.finish` recorded it
    outcome: Outcome | None = None
    #: an adapter raised something unexpected (our bug, not the route's)
    crashed: bool = False


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
        idempotency: IdempotencyStore | None = None,
        jobs: JobStore | None = None,
        cold_start: str = "fallback",
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
        self.idempotency = idempotency or IdempotencyStore(registry.engine)
        self.jobs = jobs or JobStore(registry.engine)
        #: ``fallback`` or ``wait`` (``RADIANT_GATEWAY_COLD_START``)
        self.cold_start = cold_start
        self._adapters: dict[str, WireAdapter] = {}
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
        body: bytes | Mapping[str, str],
        request_id: str,
        *,
        size: int | None = None,
        client_request_id: str | None = None,
        idempotency_key: str | None = None,
        file: tuple[bytes, str] | None = None,
    ) -> Call:
        """Authenticate, read the body, build the chain, hold the idempotency key, take the
        rate limit. ``body`` is the raw JSON or, for a form, its fields (and ``file``).
        ``request_id`` is ours; ``client_request_id`` the caller's x-request-id.

        Every error after the key was verified is recorded as a usage event."""
        account = await self.accounts.account(token)
        call = Call(request_id, account, Ask(endpoint, ("",)), self.registry.snapshot(), ())
        call.client_request_id = client_request_id
        call.file = file
        try:
            require_scope(account.scopes, endpoint.scope, f"POST {endpoint.path}")
            fields = parse_json(body) if isinstance(body, bytes) else body
            call.ask = Ask(endpoint, (str(fields.get("model") or ""),))
            length = len(body) if isinstance(body, bytes) else (size or 0)
            call.ask = read_ask(endpoint, fields, length)
            call.hops = self.chains.build(call.snapshot, account, call.ask)
            if idempotency_key is not None:
                await self._hold(call, idempotency_key, fields)
                if call.replay is not None:
                    return call
            await self._acquire(call)
        except Exception as exc:
            self.finish(call, None, None, exc)
            raise
        return call

    async def _hold(self, call: Call, key: str, fields: Mapping[str, object]) -> None:
        """Hold ``key`` for ``call``, or find the answer kept for it (``call.replay``)."""
        check_key(key)
        if call.ask.stream:
            raise BadRequestError(
                "Idempotency-Key cannot be used with stream: true: a stream is relayed as it "
                "comes and not kept, so a repeat could not be answered from it; send the "
                "call without stream to have its answer kept, or without the key",
                code="invalid_idempotency_key",
            )
        endpoint = call.ask.endpoint
        print_ = fingerprint(endpoint.path, fields, call.file)
        try:
            held = await asyncio.to_thread(
                self.idempotency.claim,
                call.account.tenant_id,
                key,
                print_,
                call.request_id,
                endpoint.value,
            )
        except SQLAlchemyError as exc:  # no idempotency without the database: say so
            logger.warning("gateway: cannot check an Idempotency-Key: %s", exc)
            raise GatewayError(
                "the Idempotency-Key cannot be checked now (the database is unreachable); "
                "retry shortly",
                status=503,
                code="idempotency_unavailable",
                retry_after=1.0,
            ) from exc
        if isinstance(held, Answer):
            call.replay = held
        else:
            call.idempotency = held

    async def keep(self, call: Call, answer: Answer) -> None:
        """Keep the answer of a call that holds an Idempotency-Key (before it is sent)."""
        claim = call.idempotency
        if claim is None:
            return
        try:
            await asyncio.to_thread(self.idempotency.complete, claim, answer)
        except Exception:  # the client still gets its answer; a repeat waits for the lease
            logger.exception("gateway: cannot keep the answer of %s", call.request_id)

    async def _acquire(self, call: Call) -> None:
        """Take the request from every limit that applies (one limiter round trip): the
        key's, the tenant's tier, the grant of the model it goes to first, and the
        routing rules' ``rate_limit``; refuse it (429) when one has no room left."""
        if self.limiter is None:
            return
        account = call.account
        model_id = call.hops[0].entry.id if call.hops else None
        grant = account.access.get(model_id) if model_id is not None else None
        call.buckets = buckets_for(
            account.key_id,
            account.tenant_id,
            account.tier,
            _own(account.rate_limit_rpm, account.rate_limit_tpm),
            model_id=model_id,
            grant=_own(grant.rate_limit_rpm, grant.rate_limit_tpm) if grant else None,
            rules=self.chains.rule_limits(call.snapshot, account, call.ask),
        )
        decision = await self.limiter.acquire(call.buckets, call.ask.estimated_tokens)
        call.admitted = decision.allowed
        call.limit_headers = decision.headers()
        if not decision.allowed:
            assert decision.bucket is not None
            raise RateLimitedError(
                f"rate limit exceeded: {decision.bucket.describe()}; "
                f"retry after {decision.retry_after_header} s",
                retry_after=max(decision.retry_after, 1.0),
                headers=decision_headers(decision),
            )

    async def complete(
        self, call: Call, invoke: Callable[[WireAdapter], Awaitable[T]]
    ) -> tuple[Hop, T]:
        """Call the chain until a route answers; raises UpstreamError when none does."""
        return await self._chain(call, invoke)

    async def open_stream(self, call: Call) -> tuple[Hop, ChatCompletionChunk, Chunks]:
        """The first chunk of a streamed chat and the rest of the stream: a failure before
        the first chunk falls back like any other; after it, the stream ends with it."""
        body = call.ask.chat

        async def first(adapter: WireAdapter) -> tuple[ChatCompletionChunk, Chunks]:
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

    async def _chain(
        self, call: Call, invoke: Callable[[WireAdapter], Awaitable[T]]
    ) -> tuple[Hop, T]:
        hops = list(call.hops)
        tried: set[str] = set()
        #: models a prompt did not fit: their other routes would refuse it the same way
        too_small: set[str] = set()
        errors: list[ProviderError] = []
        #: seconds until each refused route's breaker lets a call through
        waits: list[float] = []
        index = 0
        #: cold routes put after the ready ones (their warm-up asked for)
        deferred: set[str] = set()
        while index < len(hops):
            hop = hops[index]
            index += 1
            if hop.route_id in tried or hop.entry.id in too_small:
                continue
            if _cold(hop) and hop.route_id not in deferred:
                deferred.add(hop.route_id)
                self._warm(hop)
                later = hops[index:]
                if self.cold_start == "fallback" and any(not _cold(h) for h in later):
                    hops.append(hop)  # tried once the ready routes have had their turn
                    continue
            tried.add(hop.route_id)
            try:
                return hop, await self._route(call, hop, invoke)
            except RouteRefused as exc:
                call.crashed = call.crashed or isinstance(exc, AdapterFailed)
                call.failures.append(f"{hop.route_id}: {exc}")
                if exc.retry_after is not None:
                    waits.append(exc.retry_after)
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
                    _log_failures(call)
                    raise
        raise _exhausted(call, errors, waits)

    def _warm(self, hop: Hop) -> None:
        """Ask (in the background) for the COLD endpoint of ``hop`` to be warmed."""

        async def ask() -> None:
            try:
                await asyncio.to_thread(self.selector.request_warmup, hop.entry.id)
            except Exception:  # a warm-up not asked is a slower next call, never a failure
                logger.exception("gateway: cannot ask for %s to be warmed", hop.entry.id)

        _in_background(ask())

    async def _route(
        self, call: Call, hop: Hop, invoke: Callable[[WireAdapter], Awaitable[T]]
    ) -> T:
        """Call one route: once, and when that fails in a way worth retrying there, again
        under the retry policy (tenacity: bounded attempts, backoff, retry-after)."""
        adapter = self.adapter(call.snapshot, hop)
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

    async def _attempt(
        self, hop: Hop, adapter: WireAdapter, invoke: Callable[[WireAdapter], Awaitable[T]]
    ) -> T:
        if self.health is not None and not self.health.allowed(hop.route_id):
            wait = self.health.reopens_in(hop.route_id)
            raise RouteRefused("circuit breaker open", retry_after=wait)
        started = time.perf_counter()
        try:
            result = await invoke(adapter)
        except ProviderError as exc:
            await self.feed(hop, started, exc)
            raise
        except UnsupportedError as exc:  # the route cannot do this: skip it, it is not broken
            raise RouteRefused(exc.message) from exc
        except ValidationError:  # an adapter refused the request's shape: the client's 400
            raise
        except Exception as exc:  # an adapter bug: skip the route, never blame it
            logger.exception("gateway: the adapter of route %s failed", hop.route_id)
            raise AdapterFailed(type(exc).__name__) from exc
        await self.feed(hop, started, None)
        return result

    def adapter(self, snapshot: Snapshot, hop: Hop) -> WireAdapter:
        """The adapter of ``hop``'s route (made once per registry version); raises
        :class:`RouteRefused` when the route cannot be called from this process."""
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
        bill: bool | None = None,
        estimated: bool = False,
    ) -> Outcome:
        """Price the usage, record the usage event, settle the rate limit, free the
        idempotency key of a call that failed: every request ends here exactly once,
        successful or not (a second call returns the first outcome and records nothing).

        ``bill``: the tenant pays the price (default: when there is no error);
        ``estimated``: the usage was counted by the gateway."""
        if call.outcome is not None:
            return call.outcome
        usage = usage or Usage(requests=0)
        if hop is not None:
            terms = call.account.terms(hop.entry.id)
            charged = charge(hop, usage, self.pricing.book(call.snapshot), terms)
        else:
            charged = None
        outcome = Outcome.of(
            call, hop, usage, charged, error, status=status, bill=bill, estimated=estimated
        )
        call.outcome = outcome
        try:
            self.meter.record(usage_event(call, outcome))
        except Exception:  # never fail the client for its own record: say so loudly
            logger.exception("gateway: cannot record the usage of %s", call.request_id)
        if self.limiter is not None and call.admitted:
            _in_background(self._settle(call, outcome.tokens))
        if call.idempotency is not None and error is not None:
            _in_background(self._release(call.idempotency))
        return outcome

    async def _release(self, claim: Claim) -> None:
        try:
            await asyncio.to_thread(self.idempotency.release, claim)
        except Exception:  # the key frees itself when its lease ends
            logger.exception("gateway: cannot free the idempotency key of %s", claim.request_id)

    async def _settle(self, call: Call, tokens: int) -> None:
        assert self.limiter is not None
        try:
            await self.limiter.settle(call.buckets, tokens - call.ask.estimated_tokens)
        except Exception:  # pragma: no cover - the limiter logs its own store failures
            logger.exception("gateway: cannot settle the rate limit of %s", call.request_id)


def _own(rpm: int | None, tpm: int | None) -> KeyLimits | None:
    """A key's or a grant's own limits (None when it sets neither)."""
    return None if rpm is None and tpm is None else KeyLimits(rpm, tpm)


_background: set[asyncio.Task[None]] = set()


def _in_background(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _background.add(task)
    task.add_done_callback(_background.discard)


def _cold(hop: Hop) -> bool:
    """A self-hosted route whose endpoint is COLD or OFF: it needs a warm-up first."""
    return hop.route.self_hosted is not None and hop.entry.thermal_state in _NOT_READY


_NOT_READY = frozenset({ThermalState.COLD, ThermalState.OFF})


class AdapterFailed(RouteRefused):
    """An adapter raised something it should not have: the route is skipped, not blamed."""


def _log_failures(call: Call) -> None:
    """What the client is not told: which routes failed, and what the upstreams said."""
    logger.warning(
        "gateway: request %s (%s) got no answer from the routes tried: %s",
        call.request_id,
        ", ".join(call.ask.models),
        redact("; ".join(call.failures)) or "no route",
    )


def _exhausted(call: Call, errors: list[ProviderError], waits: list[float]) -> Exception:
    """The error a request ends with when no route of its chain answered (the detail goes
    to the log, the client learns what happened, not where); ``waits``: when each route
    whose breaker refused it lets a call through again (the 503's retry-after: the first
    of them)."""
    _log_failures(call)
    if not errors:
        if call.crashed:
            return GatewayError("an unexpected error occurred; the request id identifies it")
        wait = min(waits) if waits else None
        return NoRouteError(
            "no route of the model can be called now; try again later", retry_after=wait
        )
    last = errors[-1]
    if last.context_too_long:
        return last  # no larger model could take it: the client's prompt is too long
    if all(e.status == 429 for e in errors):
        upstream_waits = [e.retry_after for e in errors if e.retry_after is not None]
        return RateLimitedError(
            "the model is rate limited upstream on every route; retry later",
            code="upstream_rate_limited",
            retry_after=min(upstream_waits) if upstream_waits else 1.0,
        )
    if last.kind == "timeout" and len(errors) == 1:
        return UpstreamError(
            "the upstream provider did not answer in time", status=504, code="upstream_timeout"
        )
    return UpstreamError("the upstream provider failed; no other route could serve the model")
