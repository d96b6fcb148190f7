"""The ``discovery`` sync job: list the models of every platform (concurrently), store the
new ones for review, count and retire the vanished ones.

Options (``JobContext.options``): ``platforms`` (names of platforms, providers or targets
such as ``direct:anthropic``; a list or a comma-separated string) limits the run, and a
name that matches nothing is a ValidationError before anything is listed; from code also
``secrets`` (a :class:`SecretResolver`), ``retry`` (a :class:`RetryPolicy`), ``timeout``
(seconds), ``missing_runs`` and ``endpoint_lookups``. Settings give the defaults
(``RADIANT_DISCOVERY_*``).

Each listing is written in a transaction of its own, with the run's counts so far
(``context.record``; the last one final). ``providers_updated`` counts the platforms whose
registry entries changed (a route retired or revived, a model deprecated or revived), not
the platforms listed: a run that changes nothing reports none.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import httpx2
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from radiant.errors import ValidationError
from radiant.http.config import HttpConfig, httpx2_client
from radiant.registry.service import build_snapshot
from radiant.secrets import EnvSecretResolver, SecretResolver
from radiant.settings import get_settings
from radiant.store.discovery_tables import DiscoveredModelRow
from radiant.store.engine import session_scope
from radiant.store.repository import bump_version, store_errors
from radiant.store.tables import utcnow
from radiant.sync.discovery.classify import Classified, classify
from radiant.sync.discovery.clients import list_anthropic, list_gemini, list_openai_compatible
from radiant.sync.discovery.http import RetryPolicy, UpstreamError
from radiant.sync.discovery.openrouter import add_endpoints, list_openrouter
from radiant.sync.discovery.reconcile import Outcome, record_listing
from radiant.sync.discovery.targets import Target, build_targets
from radiant.sync.discovery.upstream import Listing, UpstreamModel
from radiant.sync.jobs import JobContext, JobResult, Progress, register_job

if TYPE_CHECKING:
    from radiant.registry.snapshot import Snapshot

__all__ = ["DiscoveryConfig", "discovery_job", "list_target"]

log = logging.getLogger("radiant.sync.discovery")
T = TypeVar("T")

Lister = Callable[..., Awaitable[tuple[list[UpstreamModel], int]]]
LISTERS: dict[str, Lister] = {
    "openai": list_openai_compatible,
    "anthropic": list_anthropic,
    "gemini": list_gemini,
    "openrouter": list_openrouter,
}


@dataclass
class DiscoveryConfig:
    secrets: SecretResolver
    retry: RetryPolicy
    timeout: float
    missing_runs: int
    endpoint_lookups: int
    only: list[str] | None = None
    #: CAs and connection limits (proxies come from the environment)
    http: HttpConfig = HttpConfig()

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> DiscoveryConfig:

        settings = get_settings()
        only = options.get("platforms") or options.get("platform")
        if isinstance(only, str):
            only = [p.strip() for p in only.split(",") if p.strip()]
        return cls(
            secrets=options.get("secrets") or EnvSecretResolver(),
            retry=options.get("retry") or RetryPolicy(attempts=settings.discovery_attempts),
            timeout=float(options.get("timeout") or settings.discovery_timeout_seconds),
            missing_runs=int(options.get("missing_runs") or settings.discovery_missing_runs),
            endpoint_lookups=int(
                options.get("endpoint_lookups", settings.discovery_endpoint_lookups)
            ),
            only=list(only) if only else None,
            http=HttpConfig.from_settings(settings),
        )


async def list_target(
    client: httpx2.AsyncClient,
    target: Target,
    *,
    retry: RetryPolicy | None = None,
    progress: Progress | None = None,
) -> Listing:
    """List one target; failures become ``listing.error``, never an exception."""
    listing = Listing(target=target.name, platform_id=target.platform_id)
    if target.skipped is not None:
        listing.skipped = target.skipped
        return listing

    def on_page(count: int) -> None:
        listing.pages += 1
        if progress is not None:
            progress.advance(0, f"{target.name}: page {listing.pages} ({count} models)")

    lister = LISTERS[target.protocol]
    try:
        models, _ = await lister(
            client, target.base_url or "", target.api_key, policy=retry, on_page=on_page
        )
    except (UpstreamError, httpx2.HTTPError, ValueError) as exc:
        listing.error = str(exc) or type(exc).__name__
        return listing
    unique: dict[str, UpstreamModel] = {}
    for model in models:
        unique.setdefault(model.upstream_id, model)
    listing.models = list(unique.values())
    return listing


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to the end, also when called from inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _list_all(
    targets: list[Target], config: DiscoveryConfig, progress: Progress
) -> list[Listing]:
    async with httpx2_client(config.http, timeout=config.timeout) as client:

        async def one(target: Target) -> Listing:
            listing = await list_target(client, target, retry=config.retry, progress=progress)
            status = listing.skipped or listing.error or f"{len(listing.models)} models"
            progress.advance(1, f"{target.name}: {status}")
            return listing

        return list(await asyncio.gather(*(one(t) for t in targets)))


async def _endpoints(
    jobs: list[tuple[Target, list[UpstreamModel]]], config: DiscoveryConfig
) -> list[str]:
    errors: list[str] = []
    async with httpx2_client(config.http, timeout=config.timeout) as client:
        for target, models in jobs:
            errors += await add_endpoints(
                client, target.base_url or "", target.api_key, models, policy=config.retry
            )
    return errors


def _needs_endpoints(
    engine: Engine, target: Target, classified: Classified, budget: int
) -> list[UpstreamModel]:
    if budget <= 0 or not classified.new:
        return []
    with store_errors(), session_scope(engine) as session:
        done = set(
            session.scalars(
                select(DiscoveredModelRow.upstream_id).where(
                    DiscoveredModelRow.platform_id == target.platform_id,
                    (DiscoveredModelRow.endpoints.is_not(None))
                    | (DiscoveredModelRow.status != "pending"),
                )
            )
        )
    return [m for m, _ in classified.new if m.upstream_id not in done][:budget]


def _snapshot(engine: Engine) -> Snapshot:

    return build_snapshot(engine)


def _record(
    engine: Engine,
    target: Target,
    classified: Classified,
    providers: set[str],
    sync_id: str,
    config: DiscoveryConfig,
    on_commit: Callable[[Session, Outcome], None],
) -> Outcome:
    with store_errors(), session_scope(engine) as session:
        outcome = record_listing(
            session,
            target,
            classified,
            providers=providers,
            now=utcnow(),
            sync_id=sync_id,
            missing_runs=config.missing_runs,
        )
        if outcome.registry_changed:
            bump_version(session)
        on_commit(session, outcome)
    return outcome


def _summary(listing: Listing, classified: Classified | None, outcome: Outcome | None) -> Any:
    if listing.skipped is not None:
        return {"status": "skipped", "reason": listing.skipped}
    if listing.error is not None:
        return {"status": "failed", "error": listing.error, "pages": listing.pages}
    assert classified is not None and outcome is not None
    return {
        "status": "listed",
        "pages": listing.pages,
        "models": len(listing.models),
        "new": len(classified.new),
        "routes_checked": len(classified.in_scope),
        "routes_missing": outcome.routes_missing,
    }


@register_job("discovery")
def discovery_job(engine: Engine, context: JobContext) -> JobResult:
    config = DiscoveryConfig.from_options(context.options)
    snapshot = _snapshot(engine)
    targets, unsupported = build_targets(
        snapshot.platforms.values(), snapshot.providers.values(), config.secrets, only=config.only
    )
    _check_filter(config.only, targets, unsupported)
    result = JobResult(source="discovery", details={"targets": {}, "unsupported": unsupported})
    context.progress.start(len(targets), "listing models upstream")
    listings = _run(_list_all(targets, config, context.progress))
    classified = {
        t.name: classify(t, lst, snapshot)
        for t, lst in zip(targets, listings, strict=True)
        if lst.complete
    }
    budget, lookups = config.endpoint_lookups, []
    for target in targets:
        if target.protocol == "openrouter" and target.name in classified:
            wanted = _needs_endpoints(engine, target, classified[target.name], budget)
            budget -= len(wanted)
            lookups.append((target, wanted))
    if any(models for _, models in lookups):
        result.errors += _run(_endpoints(lookups, config))
    listed = _complete(result, targets, listings)
    total = Outcome()
    providers = set(snapshot.providers)
    for index, (target, listing) in enumerate(listed):
        found = classified[target.name]
        last = index == len(listed) - 1
        commit = _committer(context, result, total, target, listing, found, last=last)
        outcome = _record(engine, target, found, providers, context.sync_id, config, commit)
        _tally(result, total, target, listing, found, outcome)
    _count(result, total)
    return result


def _complete(
    result: JobResult, targets: list[Target], listings: list[Listing]
) -> list[tuple[Target, Listing]]:
    """The complete listings; the skipped and failed ones become errors of the run."""
    listed: list[tuple[Target, Listing]] = []
    for target, listing in zip(targets, listings, strict=True):
        if listing.skipped is not None:
            log.info("discovery skipped %s: %s", target.name, listing.skipped)
            result.errors.append(f"{target.name}: skipped: {listing.skipped}")
        elif listing.error is not None:
            log.warning("discovery of %s failed: %s", target.name, listing.error)
            result.errors.append(f"{target.name}: {listing.error}")
        else:
            listed.append((target, listing))
            continue
        result.details["targets"][target.name] = _summary(listing, None, None)
    return listed


def _check_filter(only: list[str] | None, targets: list[Target], unsupported: list[str]) -> None:
    """A platform filter naming nothing discovery can list is the caller's mistake."""
    if not only:
        return
    matched = {n for t in targets for n in (t.name, t.platform_id, *(t.provider_ids or ()))}
    unknown = [name for name in only if name.strip() not in matched]
    if not unknown:
        return
    without = [name for name in unknown if name in unsupported]
    if without:
        raise ValidationError(
            f"no list-models API to discover {', '.join(without)} with "
            "(discovery lists OpenAI-compatible platforms, OpenRouter and direct providers)"
        )
    raise ValidationError(
        f"no platform to discover matches {', '.join(unknown)}; "
        "name a platform, a provider or a target such as direct:anthropic"
    )


def _tally(
    result: JobResult,
    total: Outcome,
    target: Target,
    listing: Listing,
    classified: Classified,
    outcome: Outcome,
) -> None:
    """Add one written listing to the run: its outcome, its summary, its platform when the
    registry changed."""
    total.merge(outcome)
    if outcome.registry_changed:
        result.add("providers_updated")
    result.details["targets"][target.name] = _summary(listing, classified, outcome)


def _committer(
    context: JobContext,
    result: JobResult,
    total: Outcome,
    target: Target,
    listing: Listing,
    classified: Classified,
    *,
    last: bool,
) -> Callable[[Session, Outcome], None]:
    """What a listing's transaction records: the run so far with this listing in it."""

    def commit(session: Session, outcome: Outcome) -> None:
        so_far = JobResult(
            counts=dict(result.counts),
            errors=list(result.errors),
            details={**result.details, "targets": dict(result.details["targets"])},
            source=result.source,
        )
        running = Outcome()
        running.merge(total)
        _tally(so_far, running, target, listing, classified, outcome)
        _count(so_far, running)
        context.record(session, so_far, final=last)

    return commit


def _count(result: JobResult, total: Outcome) -> None:
    result.add("providers_updated", 0)
    result.add("models_discovered", total.discovered)
    result.add("models_deprecated", total.models_deprecated)
    result.add("models_updated", total.models_revived)
    result.add("routes_updated", total.routes_retired + total.routes_revived)
    result.add("routes_missing", total.routes_missing)
    result.details["pending_resolved"] = total.resolved
    result.details["routes_retired"] = total.routes_retired
    result.details["routes_revived"] = total.routes_revived
