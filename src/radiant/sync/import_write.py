"""Write an import plan into the store, in the caller's transaction, in bulk.

New platforms, providers, models, aliases and routes are inserted as ``origin="imported"``
(one multi-row INSERT per table); models an earlier import created are brought up to date
except the fields an administrator owns; catalog models only get what the catalog left
empty; a route whose prices changed gets a new sheet (the one in force closes at the same
instant). Nothing is deleted. The registry version moves only when something was written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.orm import Session

from radiant.catalog.importers.names import parse_name
from radiant.catalog.importers.platforms import Service
from radiant.domain import (
    AuthType,
    Model,
    Platform,
    PlatformKind,
    PriceSheet,
    Provider,
    RouteStatus,
)
from radiant.providers.target import PLATFORM_WIRES, PROVIDER_WIRES
from radiant.store.mapping import (
    model_columns,
    platform_columns,
    price_columns,
    provider_columns,
)
from radiant.store.repository import bump_version
from radiant.store.tables import (
    ModelAliasRow,
    ModelRow,
    PlatformRow,
    PriceHistoryRow,
    ProviderRow,
    RouteRow,
)
from radiant.sync.import_identity import Placed
from radiant.sync.import_plan import ALIAS, ImportPlan, RoutePlan
from radiant.sync.model_facts import Facts, catalog_fills, gather_facts, imported_model
from radiant.sync.price_merge import ADMIN_OWNED, merge_prices

__all__ = ["ImportReport", "apply_plan"]

IMPORTED = "imported"
#: changes listed one by one in a run's details (the counts cover all of them)
LISTED = 200
#: a new route's priority by where it is: the maker's API, a platform the catalog knows,
#: a platform an import added (catalog routes come first: they have priority 1-9)
_PRIORITY = {"direct": 10, "known": 20, "imported": 30}
#: model columns an import keeps current on the models it created
_MODEL_UPDATES = (
    "provider_id",
    "display_name",
    "category",
    "task",
    "capabilities",
    "input_modalities",
    "output_modalities",
    "context_window",
    "max_output",
    "max_input",
    "knowledge_cutoff",
    "open_weights",
    "release_date",
    "family",
    "status",
    "deprecated",
    "deprecation_date",
    "successor_id",
    "is_latest",
    "is_preview",
    "meta",
)


@dataclass
class ImportReport:
    platforms_added: int = 0
    providers_added: int = 0
    models_added: int = 0
    models_updated: int = 0
    aliases_added: int = 0
    routes_added: int = 0
    routes_updated: int = 0
    #: routes whose sheet in force was replaced
    prices_changed: int = 0
    #: routes that had no sheet and got one
    prices_added: int = 0
    unchanged: int = 0
    #: routes whose price an administrator owns
    admin_kept: list[str] = field(default_factory=list)
    estimates_replaced: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    #: catalog models whose missing facts an import filled
    model_changes: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    version: int | None = None

    @property
    def routes_priced(self) -> int:
        return self.prices_changed + self.prices_added

    @property
    def written(self) -> bool:
        return bool(
            self.platforms_added
            + self.providers_added
            + self.models_added
            + self.models_updated
            + self.aliases_added
            + self.routes_added
            + self.routes_updated
            + self.routes_priced
            + len(self.model_changes)
        )


def apply_plan(session: Session, plan: ImportPlan, now: datetime) -> ImportReport:
    writer = _Writer(session, plan, now)
    writer.run()
    if writer.report.written:
        writer.report.version = bump_version(session)
    return writer.report


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Multi-row INSERTs (Core, so the driver batches them: one statement per thousand
    rows rather than per row); rows are keyed by attribute name, as the mapping writes."""
    if not rows:
        return
    columns = {attr.key: attr.columns[0].key for attr in inspect(table).column_attrs}
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    connection = session.connection()
    for group in groups.values():
        values = [{columns[k]: v for k, v in row.items()} for row in group]
        connection.execute(insert(inspect(table).local_table), values)


class _Writer:
    def __init__(self, session: Session, plan: ImportPlan, now: datetime) -> None:
        self.session = session
        self.plan = plan
        self.state = plan.state
        self.now = now
        self.today: date = now.date()
        self.report = ImportReport()
        self.categories: dict[str, str] = {
            mid: str(row.get("category") or "") for mid, row in self.state.models.items()
        }
        #: services of the platforms and makers' APIs this run adds
        self._new_platforms: dict[str, Service] = {}
        self._new_makers: dict[str, Service] = {}

    def run(self) -> None:
        self._platforms()
        models, updates, fills = self._models()
        self._providers(models)
        self.session.flush()
        _insert(self.session, ModelRow, models)
        self._update_models(updates, fills)
        self._aliases()
        self._routes()
        self._prices()

    # ------------------------------------------------------------------ platforms

    def _services(self) -> dict[str, list[Service]]:
        found: dict[str, list[Service]] = {}
        for result in self.plan.results:
            for key, service in result.services.items():
                found.setdefault(key, []).append(service)
        for key, service in self.plan.placement.hosts.items():
            found.setdefault(key, []).append(service)
        return found

    @staticmethod
    def _best(services: Iterable[Service]) -> Service:
        return min(services, key=lambda s: (s.base_url is None, s.api_key_env is None, s.source))

    def _platforms(self) -> None:
        services = self._services()
        wanted = sorted({r.platform for r in self.plan.routes.values()} - set(self.state.platforms))
        rows = []
        for platform_id in wanted:
            service = self._best(services.get(platform_id) or [_bare(platform_id)])
            self._new_platforms[platform_id] = service
            platform = _platform(platform_id, service)
            rows.append({**platform_columns(platform), "origin": IMPORTED, "admin_fields": []})
        _insert(self.session, PlatformRow, rows)
        self.report.platforms_added = len(rows)

    def _providers(self, models: list[dict[str, Any]]) -> None:
        services = self._services()
        makers = {m["provider_id"] for m in models}
        makers |= {
            s.provider for group in services.values() for s in group if s.provider is not None
        }
        rows = []
        for maker in sorted(makers - set(self.state.providers)):
            own = [s for s in services.get(f"direct:{maker}", [])]
            if own:
                self._new_makers[maker] = self._best(own)
            rows.append(
                {
                    **provider_columns(_provider(maker, self._best(own) if own else None)),
                    "origin": IMPORTED,
                    "admin_fields": [],
                }
            )
        _insert(self.session, ProviderRow, rows)
        self.report.providers_added = len(rows)

    # ------------------------------------------------------------------ models

    def _facts(self, model_id: str) -> Facts:
        """Facts from the entries for the model's own endpoints (its other endpoints only
        when it has nothing else)."""
        routes = [self.plan.routes[rid] for rid in self.plan.model_routes.get(model_id, [])]
        entries = [pair for route in routes for pair in route.ranked()]
        return gather_facts(entries or [pair for route in routes for pair in route.entries])

    def _successor(self, facts: Facts) -> str | None:
        key = facts.values.get("successor")
        source = facts.sources.get("successor", "").partition(":")[0]
        return self.plan.placement.model_of(source, key) if key else None

    def _model(
        self, model_id: str, provider_id: str, latest: bool, known: str | None = None
    ) -> Model | None:
        """The model an import makes of ``model_id``'s entries; None when its facts digest
        is ``known`` (nothing changed since the import that wrote it)."""
        facts = self._facts(model_id)
        successor = self._successor(facts)
        retired = facts.values.get("deprecation_date")
        past = retired is not None and retired <= self.today
        digest = _digest(provider_id, latest, self.state.review_imports, successor, past, facts)
        if digest == known:
            return None
        model, notes = imported_model(
            model_id,
            provider_id,
            facts,
            successor=successor,
            review=self.state.review_imports,
            latest=latest,
            today=self.today,
            aliases=[],
        )
        model.metadata["imported"]["digest"] = digest
        self.report.flags.extend({"model": model_id, "issue": n} for n in notes)
        return model

    def _models(
        self,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        inserts: list[dict[str, Any]] = []
        for model_id in sorted(self.plan.placement.new_models):
            new = self.plan.placement.new_models[model_id]
            latest = bool(new.members) and all(m.name.latest for m in new.members)
            model = self._model(model_id, new.provider_id, latest)
            assert model is not None  # no digest to compare with
            self.categories[model_id] = model.category
            inserts.append(
                {**model_columns(model), "origin": IMPORTED, "admin_fields": [], "row_version": 1}
            )
        updates: list[dict[str, Any]] = []
        fills: list[dict[str, Any]] = []
        for model_id in sorted(self.plan.model_routes):
            row = self.state.models.get(model_id)
            if row is None:
                continue
            if row.get("imported") and row.get("origin") == IMPORTED:
                change = self._refresh(model_id, row)
                if change:
                    updates.append(change)
            else:
                fill = self._fill(model_id, row)
                if fill:
                    fills.append(fill)
        self.report.models_added = len(inserts)
        return inserts, updates, fills

    def _refresh(self, model_id: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """The changed columns of a model an earlier import created (admin's aside)."""
        meta = row.get("meta") or {}
        known = (meta.get("imported") or {}).get("digest")
        model = self._model(model_id, str(row["provider_id"]), bool(row.get("is_latest")), known)
        if model is None:
            return None
        columns = model_columns(model)
        owned = set(row.get("admin_fields") or [])  # (``enabled`` is a review: never updated)
        changed = {
            k: columns[k] for k in _MODEL_UPDATES if k not in owned and columns.get(k) != row.get(k)
        }
        if not changed:
            return None
        self.categories[model_id] = str(columns.get("category") or "")
        changed["row_version"] = (row.get("row_version") or 1) + 1
        return {"b_id": model_id, **changed}

    def _fill(self, model_id: str, row: dict[str, Any]) -> dict[str, Any] | None:
        entries = [
            pair
            for rid in self.plan.model_routes.get(model_id, [])
            for pair in self.plan.routes[rid].ranked()
        ]
        filled = catalog_fills(row, gather_facts(entries, direct_only=True))
        if not filled:
            return None
        provenance = dict(row.get("imported_fields") or {})
        provenance.update({k: source for k, (_, source) in filled.items()})
        self.report.model_changes.append(
            {
                "model": model_id,
                "fields": {
                    k: v.isoformat() if isinstance(v, date) else v for k, (v, _) in filled.items()
                },
            }
        )
        return {
            "b_id": model_id,
            **{k: v for k, (v, _) in filled.items()},
            "imported_fields": provenance,
            "row_version": (row.get("row_version") or 1) + 1,
        }

    def _update_models(self, updates: list[dict[str, Any]], fills: list[dict[str, Any]]) -> None:
        for group in _by_columns(updates + fills):
            names = [k for k in group[0] if k != "b_id"]
            statement = (
                update(ModelRow)
                .where(ModelRow.id == bindparam("b_id"))
                .values({k: bindparam(f"v_{k}") for k in names})
            )
            rows = [{"b_id": r["b_id"], **{f"v_{k}": r[k] for k in names}} for r in group]
            self.session.connection().execute(statement, rows)
        self.report.models_updated = len(updates)

    # ------------------------------------------------------------------ aliases

    def _aliases(self) -> None:
        ids = {m.casefold() for m in self.state.models} | {
            m.casefold() for m in self.plan.placement.new_models
        }
        taken = dict(self.state.aliases)
        rows = []
        for model_id in sorted(self.plan.model_routes):
            for rid in self.plan.model_routes[model_id]:
                for _, placed in self.plan.routes[rid].ranked():
                    entry = placed.entry
                    for name in (entry.model_name, entry.source_key, *entry.other_names):
                        key = name.casefold()
                        if len(name) > 200 or key in taken or key in ids or _GENERIC.fullmatch(key):
                            continue
                        if name is not entry.model_name and not _same_model(placed, name):
                            continue  # another name the source gives (a slug of a release)
                        taken[key] = (name, model_id)
                        rows.append(
                            {
                                "alias_key": key,
                                "alias": name,
                                "model_id": model_id,
                                "origin": IMPORTED,
                            }
                        )
        _insert(self.session, ModelAliasRow, rows)
        self.report.aliases_added = len(rows)

    # ------------------------------------------------------------------ routes

    def _callable(self, route: RoutePlan) -> bool:
        """The gateway has a wire and an address for the route (its key is the operator's
        to set): a platform the catalog defines, or an imported one with an
        OpenAI-compatible base URL; on ``direct``, the maker's API with both."""
        if route.platform == "direct":
            maker = self._maker_of(route.model_id)
            known = self.state.providers.get(maker)
            if known is not None:
                meta = known.get("meta") or {}
                wire = PROVIDER_WIRES.get(maker) or PROVIDER_WIRES.get(
                    str(known.get("parent_id") or "")
                )
                return bool(known.get("api_base_url")) and bool(wire or meta.get("wire"))
            own = self._new_makers.get(maker)
            return own is not None and own.base_url is not None and own.openai_compatible
        row = self.state.platforms.get(route.platform)
        if row is not None and row.get("origin") != IMPORTED:
            return True
        if route.platform in PLATFORM_WIRES:
            return True
        if row is not None:
            return bool(row.get("base_url")) and bool(row.get("openai_compatible"))
        service = self._new_platforms.get(route.platform)
        return service is not None and service.base_url is not None and service.openai_compatible

    def _maker_of(self, model_id: str) -> str:
        row = self.state.models.get(model_id)
        if row is not None:
            return str(row["provider_id"])
        return self.plan.placement.new_models[model_id].provider_id

    def _routes(self) -> None:
        inserts = []
        updates = []
        for rid, route in sorted(self.plan.routes.items()):
            callable_ = self._callable(route)
            metadata = _route_metadata(route, callable_)
            row = self.state.routes.get(rid)
            if row is None:
                priority = (
                    _PRIORITY["direct"]
                    if route.platform == "direct"
                    else (
                        _PRIORITY["known"]
                        if route.platform in self.state.platforms
                        else _PRIORITY["imported"]
                    )
                )
                inserts.append(_route_row(route, priority, metadata, callable_))
            elif _ours(row):
                status = row.get("status")
                if "status" not in (row.get("admin_fields") or []) and status in _STATUSES:
                    status = (RouteStatus.ACTIVE if callable_ else RouteStatus.INACTIVE).value
                if row.get("meta") != metadata or row.get("status") != status:
                    updates.append({"b_id": rid, "b_meta": metadata, "b_status": status})
        _insert(self.session, RouteRow, inserts)
        if updates:
            statement = (
                update(RouteRow)
                .where(RouteRow.id == bindparam("b_id"))
                .values(meta=bindparam("b_meta"), status=bindparam("b_status"))
            )
            self.session.connection().execute(statement, updates)
        self.report.routes_added = len(inserts)
        self.report.routes_updated = len(updates)

    # ------------------------------------------------------------------ prices

    def _prices(self) -> None:
        closes: list[dict[str, Any]] = []
        opens: list[dict[str, Any]] = []
        for rid, route in sorted(self.plan.routes.items()):
            row = self.state.routes.get(rid)
            owned = row is not None and "price" in (row.get("admin_fields") or [])
            current = self.state.prices.get(rid)
            merged = merge_prices(
                route,
                current,
                admin_owned=owned,
                speech=self.categories.get(route.model_id) == "text_to_speech",
                now=self.now,
            )
            self.report.flags.extend({"route": rid, **f} for f in merged.flags)
            if merged.reason == ADMIN_OWNED:
                self.report.admin_kept.append(rid)
            sheet = merged.sheet
            if sheet is None:
                continue
            if current is not None and current.sheet.same_prices(sheet):
                self.report.unchanged += 1
                continue
            start = self.now
            if current is not None:
                closes.append({"b_id": current.row_id, "b_to": start})
                self.report.prices_changed += 1
                if current.sheet.is_estimated:
                    self.report.estimates_replaced.append(rid)
            else:
                self.report.prices_added += 1
            lead = merged.lead.entry.source if merged.lead is not None else "import"
            columns = price_columns(sheet)
            columns.update(
                route_id=rid,
                effective_from=start,
                effective_to=None,
                recorded_by=f"pricing-sync:{lead}",
                field_sources=merged.field_sources,
            )
            opens.append(columns)
            if len(self.report.changes) < LISTED:
                self.report.changes.append(_change(rid, current.sheet if current else None, sheet))
        if closes:
            statement = (
                update(PriceHistoryRow)
                .where(PriceHistoryRow.id == bindparam("b_id"))
                .values(effective_to=bindparam("b_to"))
            )
            self.session.connection().execute(statement, closes)
        _insert(self.session, PriceHistoryRow, opens)


_GENERIC = re.compile(r"[a-z]+")


def _digest(
    provider_id: str,
    latest: bool,
    review: bool,
    successor: str | None,
    past: bool,
    facts: Facts,
) -> str:
    """What a model an import made depends on, as one digest: the same digest, the same
    model (``past``: its deprecation date has come, which changes it too)."""
    text = repr(
        (
            provider_id,
            latest,
            review,
            successor,
            past,
            sorted((k, repr(v)) for k, v in facts.values.items()),
            sorted(facts.sources.items()),
            sorted(facts.capabilities.items()),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _same_model(placed: Placed, name: str) -> bool:
    """``name`` stands for the model ``placed`` stands for (its key, its dated key)."""
    other = parse_name(name, bedrock=placed.entry.platform in ("bedrock", "oci"))
    return other.key == placed.name.key and other.date in (None, placed.name.date)


def _route_row(
    route: RoutePlan, priority: int, metadata: dict[str, Any], callable_: bool
) -> dict[str, Any]:
    """A new route's columns (its ids come from rows the registry validated: the model's,
    the platform's; a Route would check nothing more, at a price per row)."""
    return {
        "id": route.id,
        "model_id": route.model_id,
        "platform_id": route.platform,
        "model_string": route.model_string[:300],
        "endpoint_override": None,
        "regions": [],
        "priority": priority,
        "status": (RouteStatus.ACTIVE if callable_ else RouteStatus.INACTIVE).value,
        "success_rate": None,
        "avg_latency_ms": None,
        "secret_ref": None,
        "meta": metadata,
        "origin": IMPORTED,
        "admin_fields": [],
        "row_version": 1,
    }


#: route statuses an import sets (an administrator's ``maintenance`` stays)
_STATUSES = frozenset({RouteStatus.ACTIVE.value, RouteStatus.INACTIVE.value})


def _ours(row: dict[str, Any]) -> bool:
    """A route an import created, whose metadata no administrator took over."""
    return row.get("origin") == IMPORTED and "metadata" not in (row.get("admin_fields") or [])


def _by_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())


def _bare(platform_id: str) -> Service:
    return Service(platform=platform_id, provider=None, name=platform_id, kind="host")


def _platform(platform_id: str, service: Service) -> Platform:
    kind = {"aggregator": PlatformKind.AGGREGATOR, "cloud": PlatformKind.CLOUD}.get(
        service.kind, PlatformKind.HOST
    )
    auth = {"api_key_env": service.api_key_env} if service.api_key_env else {}
    metadata: dict[str, Any] = {"imported": {"source": service.source}}
    if service.env:
        metadata["imported"]["env"] = list(service.env)
    if service.doc:
        metadata["imported"]["doc"] = service.doc
    return Platform(
        id=platform_id,
        name=service.name[:200] or platform_id,
        description=f"imported from {service.source}" if service.source else "imported",
        kind=kind,
        base_url=service.base_url,
        auth_type=AuthType.BEARER if service.api_key_env else AuthType.API_KEY,
        auth_config=auth,
        openai_compatible=service.openai_compatible,
        metadata=metadata,
    )


def _provider(maker: str, own: Service | None) -> Provider:
    metadata: dict[str, Any] = {"imported": {"source": own.source if own else ""}}
    if own is not None and own.openai_compatible:
        metadata["wire"] = "openai"
    return Provider(
        id=maker,
        name=maker,
        display_name=(own.name if own is not None else maker)[:200],
        category="text_generation",
        api_base_url=own.base_url if own is not None else None,
        api_key_env=own.api_key_env if own is not None else None,
        auth_type=AuthType.BEARER,
        metadata=metadata,
    )


def _route_metadata(route: RoutePlan, callable_: bool) -> dict[str, Any]:
    entries = sorted(
        f"{p.entry.source}:{p.entry.source_key}" for rank, p in route.entries if rank <= ALIAS
    )
    found: dict[str, Any] = {"entries": entries}
    if not callable_:
        found["not_callable"] = "no wire or base URL known for this platform: kept inactive"
    regional = sorted(
        {
            f"{p.entry.region or p.name.region}={p.entry.model_name}"
            for rank, p in route.entries
            if rank <= ALIAS and (p.entry.region or p.name.region)
        }
    )
    if regional:
        found["regional"] = regional
    if route.other_strings:
        found["other_model_strings"] = route.other_strings
    per_character = {
        k: format(v.normalize(), "f") for _, p in route.ranked() for k, v in p.entry.per_character
    }
    if per_character:
        found["per_character_prices"] = per_character
    return {"imported": found}


def _change(rid: str, old: PriceSheet | None, new: PriceSheet) -> dict[str, Any]:
    before = old.prices() if old is not None else {}
    after = new.prices()
    fields = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {
        "route": rid,
        "was_estimated": bool(old is not None and old.is_estimated),
        "fields": {k: [_text(before.get(k)), _text(after.get(k))] for k in fields},
    }


def _text(value: Any) -> str | None:
    return None if value is None else format(value.normalize(), "f")
