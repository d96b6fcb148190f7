"""Reviewing discovered models: list and read them (``admin:read``), approve or ignore
them (``registry:write``).

Approving creates the model (unless upstream named a model the registry already has) and
its route on the platform that listed it, through the registry writer's own steps: the
permission check, the approval policy (a change type that needs a second administrator
turns both creates into approval requests), the audit log and the version bump, in one
transaction. Catalog fields come from what upstream said, overridden by the body's
``model``, ``route`` and ``price`` objects. Only the fields the administrator overrode are
theirs (``admin_fields``); the rest stay catalog-owned, so a later discovery may deprecate
the model when upstream drops it.

Ignoring is final for that upstream id on that platform: it is never suggested again
(its row keeps being refreshed, and an administrator may still approve it later).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from radiant.core.audit import audit_write, jsonable
from radiant.core.context import WriteContext, authorize
from radiant.errors import ConflictError, NotFoundError, ValidationError
from radiant.manage.operations import WriteOp, change_types, required_permissions
from radiant.manage.policy import create_request, policy_for, request_dict
from radiant.security import Permission, Principal
from radiant.store.admin_tables import ApprovalRequestRow
from radiant.store.discovery_tables import DISCOVERY_STATUSES, DiscoveredModelRow
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import ModelRow, RouteRow, utcnow

if TYPE_CHECKING:
    from radiant.manage.registry_writes import RegistryWriter

__all__ = ["DiscoveryQuery", "DiscoveryReview", "item_dict"]

_PRICE_FIELDS = ("input_per_1m", "output_per_1m", "cached_input_per_1m", "cache_write_per_1m")
_COLUMN = {"max_output_tokens": "max_output", "version": "version_label", "metadata": "meta"}
_OVERRIDE_KEYS = {"model", "route", "price", "notes"}


@dataclass
class DiscoveryQuery:
    status: str | None = "pending"
    platform: str | None = None
    provider: str | None = None
    #: text in the upstream id or the suggested name
    q: str | None = None
    limit: int = 50
    offset: int = 0


def item_dict(row: DiscoveredModelRow, *, sees_cost: bool) -> dict[str, Any]:
    """An item as JSON; upstream prices (a cost) only for those who may read costs."""
    raw = dict(row.raw or {})
    endpoints = row.endpoints
    prices: dict[str, Any] | None = {f: getattr(row, f) for f in _PRICE_FIELDS}
    if not sees_cost:
        raw.pop("pricing", None)
        prices = None
        if endpoints is not None:
            endpoints = [
                {k: v for k, v in e.items() if not k.endswith("_per_1m")} for e in endpoints
            ]
    body: dict[str, Any] = jsonable(
        {
            "id": row.id,
            "status": row.status,
            "platform_id": row.platform_id,
            "source_provider_id": row.source_provider_id,
            "upstream_id": row.upstream_id,
            "known_model_id": row.known_model_id,
            "suggested": {
                "model_id": row.suggested_model_id,
                "provider_id": row.suggested_provider_id,
                "display_name": row.display_name,
                "description": row.description,
                "context_window": row.context_window,
                "max_output_tokens": row.max_output_tokens,
                "input_modalities": row.input_modalities,
                "output_modalities": row.output_modalities,
                "capabilities": row.capabilities,
            },
            "prices_per_1m": prices,
            "endpoints": endpoints,
            "raw": raw,
            "first_seen_at": row.first_seen_at,
            "last_seen_at": row.last_seen_at,
            "decided_by": row.decided_by,
            "decided_at": row.decided_at,
            "decision_notes": row.decision_notes,
            "result": row.result,
        }
    )
    return body


def _category(capabilities: Iterable[str], outputs: Iterable[str]) -> str:
    caps, outs = set(capabilities), set(outputs)
    if "embedding" in caps or "embeddings" in outs:
        return "embedding"
    if outs and outs <= {"image"}:
        return "image_generation"
    if outs and outs <= {"audio"}:
        return "text_to_speech"
    return "text_generation"


def _model_data(row: DiscoveredModelRow, overrides: dict[str, Any]) -> dict[str, Any]:
    model_id = overrides.get("id") or row.suggested_model_id
    context, output = row.context_window, row.max_output_tokens
    if context and output and output > 2 * context:
        output = None
    data: dict[str, Any] = {
        "id": model_id,
        "provider_id": row.suggested_provider_id,
        "name": model_id,
        "display_name": row.display_name or model_id,
        "description": row.description or "",
        "category": _category(row.capabilities, row.output_modalities),
        "capabilities": list(row.capabilities or []) or ["chat"],
        "input_modalities": list(row.input_modalities or []) or ["text"],
        "output_modalities": list(row.output_modalities or []) or ["text"],
        "context_window": context,
        "max_output_tokens": output,
        "metadata": {"discovered": {"platform": row.platform_id, "upstream_id": row.upstream_id}},
    }
    data.update(overrides)
    if not data.get("provider_id"):
        raise ValidationError(
            f"upstream did not say who makes {row.upstream_id!r}: give model.provider_id"
        )
    return data


def _price(row: DiscoveredModelRow, overrides: Any) -> dict[str, Any] | None:
    found = {f: getattr(row, f) for f in _PRICE_FIELDS if getattr(row, f) is not None}
    base = {"pricing_type": "per_token", "source": "provider_api", **found} if found else None
    if overrides is None:
        return base
    if not isinstance(overrides, dict):
        raise ValidationError("price must be an object of price fields")
    return {**(base or {"pricing_type": "per_token", "source": "admin_manual_entry"}), **overrides}


def _object(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key) or {}
    if not isinstance(value, dict):
        raise ValidationError(f"{key} must be an object of fields")
    return dict(value)


class DiscoveryReview:
    def __init__(self, engine: Engine, writer: RegistryWriter) -> None:
        self.engine = engine
        self.writer = writer

    # ------------------------------------------------------------------ reads

    def list_items(
        self, principal: Principal, query: DiscoveryQuery
    ) -> tuple[list[dict[str, Any]], int]:
        authorize(principal, [Permission.ADMIN_READ])
        if query.status is not None and query.status not in DISCOVERY_STATUSES:
            raise ValidationError(f"status must be one of {', '.join(DISCOVERY_STATUSES)}")
        where = []
        if query.status is not None:
            where.append(DiscoveredModelRow.status == query.status)
        if query.platform:
            where.append(DiscoveredModelRow.platform_id == query.platform)
        if query.provider:
            where.append(DiscoveredModelRow.suggested_provider_id == query.provider)
        if query.q:
            needle = f"%{query.q.casefold()}%"
            where.append(
                func.lower(DiscoveredModelRow.upstream_id).like(needle)
                | func.lower(DiscoveredModelRow.suggested_model_id).like(needle)
            )
        with store_errors(), Session(self.engine) as session:
            total = int(
                session.scalar(select(func.count()).select_from(DiscoveredModelRow).where(*where))
                or 0
            )
            rows = session.scalars(
                select(DiscoveredModelRow)
                .where(*where)
                .order_by(DiscoveredModelRow.first_seen_at.desc(), DiscoveredModelRow.id.desc())
                .limit(query.limit)
                .offset(query.offset)
            ).all()
            return [item_dict(r, sees_cost=principal.sees_cost) for r in rows], total

    def get(self, principal: Principal, item_id: int) -> dict[str, Any]:
        authorize(principal, [Permission.ADMIN_READ])
        with store_errors(), Session(self.engine) as session:
            return item_dict(_load(session, item_id), sees_cost=principal.sees_cost)

    # ------------------------------------------------------------------ decisions

    def ignore(self, ctx: WriteContext, item_id: int, notes: str | None = None) -> dict[str, Any]:
        authorize(ctx.principal, [Permission.REGISTRY_WRITE])
        with store_errors(), session_scope(self.engine) as session:
            row = _load(session, item_id)
            if row.status == "approved":
                raise ConflictError(f"discovered model {item_id} is already approved")
            old = row.status
            row.status = "ignored"
            row.decided_by = ctx.principal.name[:200]
            row.decided_at = utcnow()
            row.decision_notes = notes
            audit_write(
                session,
                ctx,
                "discovery.ignore",
                "discovered_model",
                str(item_id),
                {"status": old},
                {"status": "ignored", "upstream_id": row.upstream_id, "notes": notes},
            )
            session.flush()
            return item_dict(row, sees_cost=ctx.principal.sees_cost)

    def approve(self, ctx: WriteContext, item_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Create the model and route (or the approval requests for them); the new state."""
        unknown = set(body) - _OVERRIDE_KEYS
        if unknown:
            raise ValidationError(
                f"unknown field(s) {', '.join(sorted(unknown))}; use model, route, price, notes"
            )
        authorize(ctx.principal, [Permission.REGISTRY_WRITE])
        with store_errors(), session_scope(self.engine) as session:
            row = _load(session, item_id)
            if row.status == "approved":
                raise ConflictError(f"discovered model {item_id} is already approved")
            _not_waiting(session, row)
            ops, model_keys, route_keys = self._operations(session, row, body)
            for op in ops:
                authorize(ctx.principal, required_permissions(op))
            types = [t for op in ops for t in change_types(op)]
            if policy_for(session, types) is not None:
                self.writer.dry_run(session, ops, ctx)  # only valid changes wait
                return self._queue(session, ctx, row, ops, body.get("notes"))
            version = None
            for op in ops:
                result = self.writer.apply(session, op, ctx, metadata={"discovery_item": item_id})
                version = result.registry_version or version
            model_id = ops[-1].data["model_id"]
            route_id = f"{model_id}@{row.platform_id}"
            if ops[0].kind == "model":
                _own(session, ModelRow, model_id, model_keys)
            _own(session, RouteRow, route_id, route_keys)
            old = row.status
            self._decide(row, ctx, body.get("notes"), {"model_id": model_id, "route_id": route_id})
            audit_write(
                session,
                ctx,
                "discovery.approve",
                "discovered_model",
                str(item_id),
                {"status": old},
                {"status": "approved", **row.result},
            )
            session.flush()
            out = item_dict(row, sees_cost=ctx.principal.sees_cost)
        if version is not None and self.writer.registry is not None:
            self.writer.registry.invalidate(version)
        return out

    # ------------------------------------------------------------------ helpers

    def _operations(
        self, session: Session, row: DiscoveredModelRow, body: dict[str, Any]
    ) -> tuple[list[WriteOp], set[str], set[str]]:
        model_over, route_over = _object(body, "model"), _object(body, "route")
        ops: list[WriteOp] = []
        model_id = row.known_model_id
        if model_id is not None and session.get(ModelRow, model_id) is None:
            model_id = None  # the model it matched is gone: create one again
        if model_id is None:
            data = _model_data(row, model_over)
            model_id = str(data["id"])
            ops.append(WriteOp("create", "model", model_id, data))
        elif model_over:
            raise ValidationError(f"{row.upstream_id!r} is model {model_id!r}: only a route is new")
        route: dict[str, Any] = {
            "model_id": model_id,
            "platform_id": row.platform_id,
            "model_string": row.upstream_id,
            "metadata": {"discovered": {"upstream_id": row.upstream_id}},
            **route_over,
        }
        price = _price(row, body.get("price"))
        if price is not None:
            route["price"] = price
        route["model_id"], route["platform_id"] = model_id, row.platform_id
        ops.append(WriteOp("create", "route", f"{model_id}@{row.platform_id}", route))
        route_keys = {_COLUMN.get(k, k) for k in route_over} | (
            {"price"} if "price" in body else set()
        )
        return ops, {_COLUMN.get(k, k) for k in model_over}, route_keys

    def _queue(
        self,
        session: Session,
        ctx: WriteContext,
        row: DiscoveredModelRow,
        ops: list[WriteOp],
        notes: Any,
    ) -> dict[str, Any]:
        requests = []
        for op in ops:
            policy = policy_for(session, change_types(op)) or policy_for(
                session, [t for o in ops for t in change_types(o)]
            )
            assert policy is not None
            request = create_request(
                session,
                ctx,
                op,
                policy,
                old_values=None,
                description=f"discovered {row.upstream_id!r} on {row.platform_id} "
                f"(discovery item {row.id}); approve the model before its route",
            )
            requests.append(request_dict(request))
        row.result = {"approval_requests": [r["id"] for r in requests]}
        row.decision_notes = None if notes is None else str(notes)
        audit_write(
            session,
            ctx,
            "discovery.approve",
            "discovered_model",
            str(row.id),
            {"status": row.status},
            {"status": "pending_approval", **row.result},
        )
        session.flush()
        out = item_dict(row, sees_cost=ctx.principal.sees_cost)
        return {**out, "approvals": jsonable(requests)}

    def _decide(
        self, row: DiscoveredModelRow, ctx: WriteContext, notes: Any, result: dict[str, Any]
    ) -> None:
        row.status = "approved"
        row.decided_by = ctx.principal.name[:200]
        row.decided_at = utcnow()
        row.decision_notes = None if notes is None else str(notes)
        row.result = result


def _not_waiting(session: Session, row: DiscoveredModelRow) -> None:
    """409 while approval requests an earlier approval opened still wait for a decision."""
    ids = (row.result or {}).get("approval_requests") or []
    waiting = session.scalars(
        select(ApprovalRequestRow.id).where(
            ApprovalRequestRow.id.in_(ids), ApprovalRequestRow.status == "pending"
        )
    ).all()
    if waiting:
        raise ConflictError(
            f"discovered model {row.id} waits for approval request(s) {', '.join(waiting)}"
        )


def _load(session: Session, item_id: int) -> DiscoveredModelRow:
    row = session.get(DiscoveredModelRow, item_id)
    if row is None:
        raise NotFoundError("discovered model", str(item_id))
    return row


def _own(session: Session, table: Any, key: str, fields: set[str]) -> None:
    """Leave in ``admin_fields`` only what the administrator chose; the rest came from
    upstream and stays the catalog's (the writer marks a whole created object as admin's)."""
    row = session.get(table, key)
    if row is not None:
        row.admin_fields = sorted(fields)
