"""Write what one complete listing taught us, in the caller's transaction.

* New upstream models are stored (or refreshed) as pending review in
  ``discovered_models``; pending ones that are now registered are closed as approved.
* Every route the listing speaks for gets its miss counter: reset when seen, counted up
  when missing. At ``missing_runs`` consecutive misses the route is set inactive and, when
  its model has no other active route, the model is marked deprecated with the date.
  Fields an administrator owns (``admin_fields``) are never touched. A retired route that
  comes back is made active again (and its model, if discovery deprecated it).

Failed or skipped listings never reach this module, so they never count as misses.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from radiant.store.discovery_tables import DiscoveredModelRow, DiscoveryRouteStateRow
from radiant.store.tables import ModelRow, RouteRow
from radiant.sync.discovery.classify import Classified
from radiant.sync.discovery.targets import Target
from radiant.sync.discovery.upstream import UpstreamModel

__all__ = ["AUTHOR_PROVIDERS", "Outcome", "record_listing", "suggest_provider", "suggested_id"]

_NOT_ID = re.compile(r"[^a-z0-9._:/@+-]+")
_BATCH = 500


@dataclass
class Outcome:
    discovered: int = 0
    refreshed: int = 0
    resolved: int = 0
    routes_missing: int = 0
    routes_retired: int = 0
    models_deprecated: int = 0
    routes_revived: int = 0
    models_revived: int = 0

    @property
    def registry_changed(self) -> bool:
        return bool(
            self.routes_retired + self.models_deprecated + self.routes_revived + self.models_revived
        )

    def merge(self, other: Outcome) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def suggested_id(upstream_id: str) -> str:
    """A registry id from an upstream id: ``models/gemini-x`` -> ``gemini-x``,
    ``anthropic/claude-x`` -> ``claude-x``, lower case, only id characters."""
    name = upstream_id.strip().removeprefix("models/").rsplit("/", 1)[-1].casefold()
    name = _NOT_ID.sub("-", name).strip("-._:/@+")
    return (name or "model")[:128]


#: OpenRouter's author slugs that differ from the registry's provider ids
AUTHOR_PROVIDERS = {
    "meta-llama": "meta",
    "mistralai": "mistral",
    "x-ai": "xai",
    "qwen": "alibaba",
    "microsoft": "microsoft",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "perplexity": "perplexity",
}


def suggest_provider(target: Target, model: UpstreamModel, providers: set[str]) -> str | None:
    """The provider that makes ``model``: the one whose own API listed it, else the author
    of an ``author/model`` id when the registry knows that provider."""
    if target.provider_ids is not None:
        owners = sorted(target.provider_ids)
        return model.provider_hint if model.provider_hint in target.provider_ids else owners[0]
    hint = (model.provider_hint or "").casefold()
    hint = AUTHOR_PROVIDERS.get(hint, hint)
    return hint if hint in providers else None


def _columns(target: Target, model: UpstreamModel, providers: set[str]) -> dict[str, Any]:
    return {
        "suggested_provider_id": suggest_provider(target, model, providers),
        "display_name": model.display_name,
        "description": model.description,
        "context_window": model.context_window,
        "max_output_tokens": model.max_output_tokens,
        "input_modalities": model.input_modalities,
        "output_modalities": model.output_modalities,
        "capabilities": model.capabilities,
        "input_per_1m": model.input_per_1m,
        "output_per_1m": model.output_per_1m,
        "cached_input_per_1m": model.cached_input_per_1m,
        "cache_write_per_1m": model.cache_write_per_1m,
        "raw": model.raw,
        "fingerprint": _fingerprint(model.raw),
    }


def _fingerprint(raw: dict[str, Any]) -> str:
    """What upstream said, hashed: a refresh rewrites a pending row only when it changed."""
    text = json.dumps(raw, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class _Reconcile:
    def __init__(
        self, session: Session, target: Target, now: datetime, sync_id: str, missing_runs: int
    ) -> None:
        self.session = session
        self.target = target
        self.now = now
        self.sync_id = sync_id
        self.missing_runs = missing_runs
        self.out = Outcome()

    # ------------------------------------------------------------------ pending review

    def items(self, classified: Classified, providers: set[str]) -> None:
        table = DiscoveredModelRow
        existing = {
            upstream_id: (row_id, status, fingerprint)
            for row_id, upstream_id, status, fingerprint in self.session.execute(
                select(table.id, table.upstream_id, table.status, table.fingerprint).where(
                    table.platform_id == self.target.platform_id
                )
            )
        }
        inserts: list[dict[str, Any]] = []
        seen: list[int] = []
        for model, known_model in classified.new:
            columns = _columns(self.target, model, providers)
            found = existing.get(model.upstream_id)
            if found is None:
                inserts.append(self._new_row(model, known_model, columns))
                continue
            row_id, status, fingerprint = found
            seen.append(row_id)
            if status != "pending":
                continue
            changes: dict[str, Any] = {}
            if fingerprint != columns["fingerprint"]:
                changes.update(columns, known_model_id=known_model)
            if model.endpoints is not None:
                changes["endpoints"] = model.endpoints
            if changes:
                self.session.execute(update(table).where(table.id == row_id).values(**changes))
                self.out.refreshed += 1
        for start in range(0, len(inserts), _BATCH):
            self.session.execute(insert(table), inserts[start : start + _BATCH])
        self.out.discovered += len(inserts)
        for start in range(0, len(seen), _BATCH):
            self.session.execute(
                update(table)
                .where(table.id.in_(seen[start : start + _BATCH]))
                .values(last_seen_at=self.now, last_sync_id=self.sync_id)
            )
        for upstream_id, model_id in classified.known.items():
            found = existing.get(upstream_id)
            if found is not None and found[1] == "pending":
                self.session.execute(
                    update(table)
                    .where(table.id == found[0])
                    .values(
                        status="approved",
                        decided_by="discovery",
                        decided_at=self.now,
                        decision_notes=f"found in the registry as {model_id}",
                        result={"model_id": model_id},
                    )
                )
                self.out.resolved += 1

    def _new_row(
        self, model: UpstreamModel, known_model: str | None, columns: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "platform_id": self.target.platform_id,
            "source_provider_id": _source(self.target),
            "upstream_id": model.upstream_id,
            "status": "pending",
            "known_model_id": known_model,
            "suggested_model_id": known_model or suggested_id(model.upstream_id),
            "endpoints": model.endpoints,
            "first_seen_at": self.now,
            "last_seen_at": self.now,
            "last_sync_id": self.sync_id,
            "decided_by": None,
            "decided_at": None,
            "decision_notes": None,
            "result": {},
            **columns,
        }

    # ------------------------------------------------------------------ missing routes

    def routes(self, classified: Classified) -> None:
        states = {
            row.route_id: row
            for row in self.session.scalars(
                select(DiscoveryRouteStateRow).where(
                    DiscoveryRouteStateRow.platform_id == self.target.platform_id
                )
            )
        }
        for route_id, model_id in sorted(classified.in_scope.items()):
            state = states.get(route_id)
            if state is None:
                state = DiscoveryRouteStateRow(
                    route_id=route_id,
                    platform_id=self.target.platform_id,
                    missing_runs=0,
                    retired_model=False,
                )
                self.session.add(state)
            state.last_checked_at = self.now
            if route_id in classified.seen:
                state.missing_runs = 0
                state.last_seen_at = self.now
                if state.retired_at is not None:
                    self._revive(state, model_id)
                continue
            state.missing_runs = (state.missing_runs or 0) + 1
            self.out.routes_missing += 1
            if state.missing_runs >= self.missing_runs:
                self._retire(state, model_id)

    def _retire(self, state: DiscoveryRouteStateRow, model_id: str) -> None:
        """Idempotent: a catalog sync may have re-activated what an earlier run retired."""
        route = self.session.get(RouteRow, state.route_id)
        if route is None:  # pragma: no cover - the state row cascades with its route
            return
        if state.retired_at is None:
            state.retired_at = self.now
        if route.status == "active" and _set(route, {"status": "inactive"}):
            self.out.routes_retired += 1
        others = self.session.scalar(
            select(RouteRow.id).where(
                RouteRow.model_id == model_id,
                RouteRow.id != route.id,
                RouteRow.status == "active",
            )
        )
        model = self.session.get(ModelRow, model_id)
        if others is not None or model is None:
            return
        if route.status == "active":  # an administrator keeps this route active
            return
        lifecycle: dict[str, Any] = {"deprecated": True, "status": "deprecated"}
        if not model.deprecated or model.deprecation_date is None:
            # the day discovery first found it gone, also when a catalog sync has since
            # re-activated it (the catalog does not know upstream dropped it)
            lifecycle["deprecation_date"] = (state.retired_at or self.now).date()
        if _set(model, lifecycle):
            state.retired_model = True
            self.out.models_deprecated += 1

    def _revive(self, state: DiscoveryRouteStateRow, model_id: str) -> None:
        route = self.session.get(RouteRow, state.route_id)
        if route is not None and route.status == "inactive" and _set(route, {"status": "active"}):
            self.out.routes_revived += 1
        model = self.session.get(ModelRow, model_id)
        if state.retired_model and model is not None and model.deprecated:
            back = {"deprecated": False, "status": "active", "deprecation_date": None}
            if _set(model, back):
                self.out.models_revived += 1
        state.retired_at = None
        state.retired_model = False


def _source(target: Target) -> str | None:
    return None if target.provider_ids is None else target.name.partition(":")[2] or None


def _set(row: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ on fields the catalog owns; True when any changed."""
    owned = set(row.admin_fields or [])
    changed = False
    for name, value in values.items():
        if name in owned or getattr(row, name) == value:
            continue
        setattr(row, name, value)
        changed = True
    if changed:
        row.row_version = (row.row_version or 0) + 1
    return changed


def record_listing(
    session: Session,
    target: Target,
    classified: Classified,
    *,
    providers: set[str],
    now: datetime,
    sync_id: str,
    missing_runs: int,
) -> Outcome:
    work = _Reconcile(session, target, now, sync_id, missing_runs)
    work.items(classified, providers)
    work.routes(classified)
    session.flush()
    return work.out
