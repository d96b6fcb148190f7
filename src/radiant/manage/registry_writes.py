"""Registry writes: create, update and delete platforms, providers, models and routes;
prices, capabilities, lifecycle status and route priorities.

Each write is one transaction:

1. check the caller's permission (401/403) and the approval policy (a change that needs a
   second administrator becomes an approval request instead, once a dry run of steps 2-5
   in a savepoint, rolled back, has shown it would apply: an invalid change is refused at
   once with the error the direct write gives, and only valid ones wait);
2. read the row and compare its ``row_version`` with ``If-Match`` (412 when stale);
3. merge the change and validate the whole object with the domain model (422);
4. compare-and-set: ``UPDATE ... WHERE row_version = :expected`` (412 when another write
   won the race), adding the changed columns to the row's ``admin_fields`` so a catalog
   sync never overwrites them;
5. close and open price sheets for price changes; write the audit row;
6. bump the registry version (NOTIFY on PostgreSQL) and commit; refresh this process's
   snapshot. Other processes see the change within a second (NOTIFY or version check).

Deletes are soft (the object is retired: inactive, disabled) while anything refers to it
or while a catalog owns it (a hard delete would come back with the next sync).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radiant.core.audit import audit_write
from radiant.core.context import WriteContext, authorize
from radiant.domain import CostSource, PriceSheet
from radiant.errors import ConflictError, NotFoundError, PreconditionFailedError, ValidationError
from radiant.manage.operations import WriteOp, change_types, required_permissions
from radiant.manage.policy import create_request, policy_for, request_dict
from radiant.manage.resources import (
    KINDS,
    Kind,
    Record,
    canonical_key,
    check_links,
    kind_named,
    model_id_of,
    validate,
)
from radiant.pricing import store as pricing_store
from radiant.pricing.markup import MarkupScope
from radiant.registry.service import Registry
from radiant.store.engine import session_scope
from radiant.store.mapping import price_columns, row_to_price, self_hosted_columns
from radiant.store.repository import bump_version, route_models, store_errors
from radiant.store.tables import (
    ModelAliasRow,
    ModelRow,
    PriceHistoryRow,
    RouteRow,
    SelfHostedModelRow,
    utcnow,
)

__all__ = ["RegistryWriter", "WriteResult"]

_FIXED = {"route": ("model_id", "platform_id", "price", "self_hosted"), "model": ("self_hosted",)}


@dataclass
class WriteResult:
    record: Record | None = None
    registry_version: int | None = None
    #: the object is gone (hard delete)
    deleted: bool = False
    #: a delete kept the object, retired, because something refers to it
    retired: bool = False
    #: the write waits for a second administrator: the approval request
    approval: dict[str, Any] | None = None
    changed: bool = True


class RegistryWriter:
    def __init__(self, engine: Engine, registry: Registry | None = None) -> None:
        self.engine = engine
        self.registry = registry
        #: the registry whose snapshot resolves names (``registry``, else one of our own,
        #: built the first time a name is neither a stored id nor an alias)
        self._resolver: Registry | None = registry

    def model_names(self, name: str) -> str | None:
        """The id of the model ``name`` names, by the registry's one resolver
        (:meth:`~radiant.registry.snapshot.Snapshot.find`), or None."""
        if self._resolver is None:
            self._resolver = Registry(self.engine)
        entry = self._resolver.snapshot().find(name)
        return None if entry is None else entry.id

    # ------------------------------------------------------------------ reads

    def get(self, kind: str, key: str) -> Record:
        k = kind_named(kind)
        with store_errors(), Session(self.engine) as session:
            row, obj = k.load(session, canonical_key(session, k.name, key, self.model_names))
            return _record(k, row, obj)

    # ------------------------------------------------------------------ the verbs

    def create(self, kind: str, data: dict[str, Any], ctx: WriteContext) -> WriteResult:
        k = kind_named(kind)
        key = _route_key(data) if k.name == "route" else data.get("id")
        return self.execute(WriteOp("create", k.name, key, data), ctx)

    def update(
        self,
        kind: str,
        key: str,
        changes: dict[str, Any],
        expected_version: int,
        ctx: WriteContext,
        *,
        action: str = "",
    ) -> WriteResult:
        k = kind_named(kind)
        if not changes:
            raise ValidationError("nothing to change: the body names no field")
        fixed = [name for name in (*_FIXED.get(k.name, ()), "id") if name in changes]
        if fixed:
            raise ValidationError(f"cannot change {', '.join(fixed)} of a {k.name} with PATCH")
        return self.execute(WriteOp("update", k.name, key, changes, expected_version, action), ctx)

    def delete(self, kind: str, key: str, expected_version: int, ctx: WriteContext) -> WriteResult:
        k = kind_named(kind)
        return self.execute(WriteOp("delete", k.name, key, {}, expected_version), ctx)

    def set_price(
        self, kind: str, key: str, changes: dict[str, Any], expected_version: int, ctx: WriteContext
    ) -> WriteResult:
        """Change the price sheet of a route, or of a model's route (``platform_id``, else its
        primary route). The old sheet is closed, a new one opened (price history)."""
        k = kind_named(kind)
        if k.name not in ("model", "route"):
            raise ValidationError("prices belong to models and routes")
        return self.execute(WriteOp("pricing", k.name, key, changes, expected_version), ctx)

    def set_status(
        self, kind: str, key: str, changes: dict[str, Any], expected_version: int, ctx: WriteContext
    ) -> WriteResult:
        changes = dict(changes)
        if kind_named(kind).name == "model" and "status" in changes:
            changes.setdefault("deprecated", changes["status"] == "deprecated")
            if changes["status"] != "deprecated":
                changes.setdefault("deprecation_date", None)
        return self.update(kind, key, changes, expected_version, ctx, action=f"{kind}.status")

    def change_capability(
        self, model_id: str, operation: str, capability: str, expected: int, ctx: WriteContext
    ) -> WriteResult:
        capability = capability.strip()
        if operation not in ("add", "remove") or not capability:
            raise ValidationError("operation must be 'add' or 'remove', with a capability")
        current = self.get("model", model_id)
        if current.row_version != expected:
            raise _stale("model", model_id, current.row_version)
        caps = list(current.obj.capabilities)
        if operation == "add" and capability not in caps:
            caps.append(capability)
        elif operation == "remove":
            if capability not in caps:
                raise ValidationError(f"model {model_id!r} has no capability {capability!r}")
            caps.remove(capability)
        return self.update(
            "model", model_id, {"capabilities": caps}, expected, ctx, action="model.capabilities"
        )

    # ------------------------------------------------------------------ the transaction

    def execute(self, op: WriteOp, ctx: WriteContext) -> WriteResult:
        """Authorise, then either queue ``op`` for approval or apply it, in one transaction."""
        authorize(ctx.principal, required_permissions(op))
        with store_errors(), session_scope(self.engine) as session:
            op = self._canonical(session, op)
            policy = policy_for(session, change_types(op))
            if policy is not None:
                self.dry_run(session, [op], ctx)
                old = self._peek(session, op)
                row = create_request(session, ctx, op, policy, old_values=old)
                return WriteResult(approval=request_dict(row), changed=False)
            result = self.apply(session, op, ctx)
        self._refresh(result)
        return result

    def apply(
        self, session: Session, op: WriteOp, ctx: WriteContext, *, metadata: Any = None
    ) -> WriteResult:
        """Apply ``op`` inside the caller's transaction (the approval service uses this)."""
        k = KINDS[op.kind]
        try:
            written = _models_written(session, op)
            if op.operation == "create":
                result = self._create(session, k, op, ctx, metadata)
            elif op.operation == "pricing":
                result = self._pricing(session, k, op, ctx, metadata)
            elif op.operation == "markup":
                result = _markup(session, op, ctx)
            elif op.operation == "delete":
                result = self._delete(session, k, op, ctx, metadata)
            else:
                result = self._update(session, k, op, ctx, metadata, op.data)
            if result.changed:
                result.registry_version = bump_version(session, models=written)
            session.flush()
        except IntegrityError as exc:
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise ConflictError(f"the write collides with stored data: {detail}") from None
        return result

    def dry_run(self, session: Session, ops: list[WriteOp], ctx: WriteContext) -> None:
        """Apply ``ops`` in order in a savepoint and roll it back: every check of the writes
        themselves (validation, links, versions, conflicts) runs and raises as they would,
        nothing of them is kept (audit rows, the version bump and its NOTIFY go with the
        savepoint). What an approval request runs before it waits."""
        savepoint = session.begin_nested()
        try:
            for op in ops:
                self.apply(session, op, ctx)
        finally:
            savepoint.rollback()

    def _canonical(self, session: Session, op: WriteOp) -> WriteOp:
        """Names as a user gives them (aliases) turned into stored ids."""
        names = self.model_names
        key = None if op.key is None else canonical_key(session, op.kind, op.key, names)
        data = op.data
        if op.kind == "model" and isinstance(data.get("successor_id"), str):
            data = {**data, "successor_id": model_id_of(session, data["successor_id"], names)}
        if op.kind == "route" and isinstance(data.get("model_id"), str):
            data = {**data, "model_id": model_id_of(session, data["model_id"], names)}
            key = _route_key(data) if op.operation == "create" else key
        if key == op.key and data is op.data:
            return op
        return replace(op, key=key, data=data)

    def _refresh(self, result: WriteResult) -> None:
        if self.registry is not None and result.registry_version is not None:
            self.registry.invalidate(result.registry_version)

    def _peek(self, session: Session, op: WriteOp) -> Any:
        if op.key is None or op.operation == "create":
            return None
        if op.operation == "markup":
            return _current_markup(session, op)
        try:
            _, obj = KINDS[op.kind].load(session, op.key)
        except NotFoundError:
            return None
        return obj.model_dump(mode="json")

    # ------------------------------------------------------------------ create

    def _create(
        self, session: Session, k: Kind, op: WriteOp, ctx: WriteContext, metadata: Any
    ) -> WriteResult:
        obj = validate(k.domain, op.data)
        key = obj.id
        if session.get(k.table, key) is not None:
            raise ConflictError(f"{k.name} {key!r} already exists")
        check_links(session, k, obj)
        columns = k.columns(obj)
        columns.pop("id", None)
        owned = sorted({*columns, *(["aliases"] if k.name == "model" else [])})
        if k.name == "route":
            owned.append("price")
        session.execute(
            insert(k.table).values(
                id=key, **columns, origin="admin", admin_fields=owned, row_version=1
            )
        )
        if k.name == "model":
            self._write_aliases(session, key, obj.aliases)
            sh = self_hosted_columns(obj, None)
            if sh is not None:
                session.execute(insert(SelfHostedModelRow).values(**sh))
        if k.name == "route" and obj.price is not None:
            self._open_sheet(session, key, obj.price, ctx, utcnow())
        audit_write(
            session,
            ctx,
            op.action,
            k.name,
            key,
            None,
            obj,
            metadata=metadata,
        )
        row, obj = k.load(session, key)
        return WriteResult(record=_record(k, row, obj))

    # ------------------------------------------------------------------ update

    def _update(
        self,
        session: Session,
        k: Kind,
        op: WriteOp,
        ctx: WriteContext,
        metadata: Any,
        changes: dict[str, Any],
        *,
        action: str | None = None,
    ) -> WriteResult:
        key = _key(op)
        row, current = k.load(session, key)
        _check_version(k, key, row.row_version, op.expected_version)
        merged = {**current.model_dump(mode="python"), **changes}
        new = validate(k.domain, merged)
        check_links(session, k, new)
        old_cols, new_cols = k.columns(current), k.columns(new)
        diff = {c: v for c, v in new_cols.items() if old_cols.get(c) != v}
        aliases_changed = k.name == "model" and list(current.aliases) != list(new.aliases)
        if not diff and not aliases_changed:
            return WriteResult(record=_record(k, row, current), changed=False)
        owned = sorted(
            {*(row.admin_fields or []), *diff, *(["aliases"] if aliases_changed else [])}
        )
        self._compare_and_set(session, k, key, op.expected_version, diff, owned)
        if aliases_changed:
            self._write_aliases(session, key, new.aliases)
        old_values = {f: v for f, v in current.model_dump(mode="json").items() if f in changes}
        new_values = {f: v for f, v in new.model_dump(mode="json").items() if f in changes}
        audit_write(
            session,
            ctx,
            action or op.action,
            k.name,
            key,
            old_values,
            new_values,
            metadata=metadata,
        )
        row, obj = k.load(session, key)
        return WriteResult(record=_record(k, row, obj))

    def _compare_and_set(
        self,
        session: Session,
        k: Kind,
        key: str,
        expected: int | None,
        values: dict[str, Any],
        owned: list[str],
    ) -> None:
        statement = update(k.table).where(k.table.id == key)
        if expected is not None:
            statement = statement.where(k.table.row_version == expected)
        result = session.execute(
            statement.values(
                **values,
                admin_fields=owned,
                row_version=k.table.row_version + 1,
                updated_at=utcnow(),
            ).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            now = session.scalar(select(k.table.row_version).where(k.table.id == key))
            if now is None:
                raise NotFoundError(k.name, key)
            raise _stale(k.name, key, int(now))

    def _write_aliases(self, session: Session, model_id: str, aliases: list[str]) -> None:
        keys = {a.casefold(): a for a in aliases}
        if keys:
            taken = session.execute(
                select(ModelAliasRow.alias, ModelAliasRow.model_id).where(
                    ModelAliasRow.alias_key.in_(list(keys)), ModelAliasRow.model_id != model_id
                )
            ).all()
            if taken:
                names = ", ".join(f"{a!r} (of {m!r})" for a, m in taken)
                raise ConflictError(f"alias already in use: {names}")
            clash = session.scalar(select(ModelRow.id).where(ModelRow.id.in_(list(aliases))))
            if clash is not None:
                raise ConflictError(f"alias {clash!r} is the id of another model")
        session.execute(delete(ModelAliasRow).where(ModelAliasRow.model_id == model_id))
        for alias_key, alias in keys.items():
            session.execute(
                insert(ModelAliasRow).values(alias_key=alias_key, alias=alias, model_id=model_id)
            )

    # ------------------------------------------------------------------ delete

    def _delete(
        self, session: Session, k: Kind, op: WriteOp, ctx: WriteContext, metadata: Any
    ) -> WriteResult:
        key = _key(op)
        row, current = k.load(session, key)
        _check_version(k, key, row.row_version, op.expected_version)
        refs = k.references(session, row)
        if refs or row.origin != "admin":
            why = "; ".join(refs) if refs else "the catalog would bring it back"
            result = self._update(
                session,
                k,
                op,
                ctx,
                {"reason": why, **(metadata or {})},
                dict(k.retire),
                action=f"{k.name}.retire",
            )
            result.retired = True
            return result
        gone = session.execute(
            delete(k.table)
            .where(k.table.id == key, k.table.row_version == op.expected_version)
            .execution_options(synchronize_session=False)
        )
        if gone.rowcount != 1:  # type: ignore[attr-defined]
            raise _stale(k.name, key, row.row_version + 1)
        audit_write(
            session,
            ctx,
            op.action,
            k.name,
            key,
            current,
            None,
            metadata=metadata,
        )
        return WriteResult(deleted=True)

    # ------------------------------------------------------------------ prices

    def _pricing(
        self, session: Session, k: Kind, op: WriteOp, ctx: WriteContext, metadata: Any
    ) -> WriteResult:
        key = _key(op)
        changes = dict(op.data)
        platform_id = changes.pop("platform_id", None)
        for old_name, new_name in (
            ("input_cost", "input_per_1m"),
            ("output_cost", "output_per_1m"),
        ):
            if old_name in changes:
                changes.setdefault(new_name, changes.pop(old_name))
        for name in ("effective_from", "effective_to"):
            if name in changes:
                raise ValidationError(f"{name} is set by the write itself (now)")
        row, _ = k.load(session, key)
        _check_version(k, key, row.row_version, op.expected_version)
        route_row = row if k.name == "route" else self._route_of(session, key, platform_id)
        current_row = session.scalars(
            select(PriceHistoryRow).where(
                PriceHistoryRow.route_id == route_row.id, PriceHistoryRow.effective_to.is_(None)
            )
        ).first()
        current = None if current_row is None else row_to_price(current_row)
        base = {} if current is None else current.model_dump(mode="python")
        now = utcnow()
        base.update(effective_from=None, effective_to=None, last_verified_at=now)
        base.setdefault("source", CostSource.ADMIN_MANUAL_ENTRY)
        if "source" not in changes:
            base["source"] = CostSource.ADMIN_MANUAL_ENTRY
        sheet: PriceSheet = validate(PriceSheet, {**base, **changes})
        if current is not None and current.same_prices(sheet) and current.notes == sheet.notes:
            route_obj = KINDS["route"].to_domain(session, route_row)
            return WriteResult(record=_record(KINDS["route"], route_row, route_obj), changed=False)
        if current_row is not None and current_row.effective_from > now:
            # a sheet announced for later: it ends as soon as it starts, replaced by this one
            now = current_row.effective_from + timedelta(microseconds=1)
        route_owned = sorted({*(route_row.admin_fields or []), "price"})
        if k.name == "model":
            self._compare_and_set(
                session, k, key, op.expected_version, {}, list(row.admin_fields or [])
            )
            self._compare_and_set(session, KINDS["route"], route_row.id, None, {}, route_owned)
        else:
            self._compare_and_set(session, k, key, op.expected_version, {}, route_owned)
        if current_row is not None:
            session.execute(
                update(PriceHistoryRow)
                .where(PriceHistoryRow.id == current_row.id)
                .values(effective_to=now)
                .execution_options(synchronize_session=False)
            )
        self._open_sheet(session, route_row.id, sheet, ctx, now)
        audit_write(
            session,
            ctx,
            op.action,
            "route",
            route_row.id,
            current,
            sheet.model_copy(update={"effective_from": now}),
            metadata={"via": k.name, "key": key, **(metadata or {})},
        )
        row, obj = k.load(session, key)
        return WriteResult(record=_record(k, row, obj))

    def _route_of(self, session: Session, model_id: str, platform_id: str | None) -> RouteRow:
        query = select(RouteRow).where(RouteRow.model_id == model_id)
        if platform_id is not None:
            query = query.where(RouteRow.platform_id == platform_id)
        route = session.scalars(
            query.order_by(
                (RouteRow.status != "active"), RouteRow.priority, RouteRow.id
            ).execution_options(populate_existing=True)
        ).first()
        if route is None:
            where = f" on platform {platform_id!r}" if platform_id else ""
            raise NotFoundError(
                "route",
                f"{model_id}{'@' + platform_id if platform_id else ''}",
                f"model {model_id!r} has no route{where} to price",
            )
        return route

    def _open_sheet(
        self, session: Session, route_id: str, sheet: PriceSheet, ctx: WriteContext, now: datetime
    ) -> None:
        columns = price_columns(sheet)
        columns.update(effective_from=now, effective_to=None)
        session.execute(
            insert(PriceHistoryRow).values(
                route_id=route_id, recorded_by=ctx.principal.name[:100], **columns
            )
        )


def _models_written(session: Session, op: WriteOp) -> list[str] | None:
    """The models whose rows ``op`` writes, as :func:`bump_version` takes them (read
    before it runs); None where it may reach further: a delete (references to what goes
    are cleared) or a platform or provider (their models and routes hang on them)."""
    if op.operation == "markup":
        return []  # markups are not in a snapshot
    if op.operation == "delete" or op.kind not in ("model", "route"):
        return None
    if op.kind == "model":
        model_id = op.key if op.key is not None else op.data.get("id")
        return [model_id] if isinstance(model_id, str) else None
    models = {m for m in [op.data.get("model_id")] if isinstance(m, str)}
    if op.key is not None:
        models.update(route_models(session, op.key))
    return sorted(models) if models else None


def _key(op: WriteOp) -> str:
    if op.key is None:
        raise ValidationError(f"{op.operation} needs the id of the {op.kind}")
    return op.key


def _route_key(data: dict[str, Any]) -> str | None:
    model, platform = data.get("model_id"), data.get("platform_id")
    return f"{model}@{platform}" if model and platform else None


def _check_version(k: Kind, key: str, current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise _stale(k.name, key, current)


def _stale(kind: str, key: str, current: int) -> PreconditionFailedError:
    return PreconditionFailedError(
        f"{kind} {key!r} changed since you read it (now version {current}); read it again",
        current_version=str(current),
    )


def _record(k: Kind, row: Any, obj: Any) -> Record:
    return Record(
        kind=k.name,
        id=row.id,
        obj=obj,
        row_version=int(row.row_version),
        origin=row.origin,
        admin_fields=list(row.admin_fields or []),
    )


def _markup(session: Session, op: WriteOp, ctx: WriteContext) -> WriteResult:
    """Set or remove a markup override (the pricing store does it, audited)."""

    scope, key = MarkupScope(op.kind), _key(op)
    if op.data.get("remove"):
        pricing_store.remove_markup_override(session, ctx.principal, scope, key)
        return WriteResult(deleted=True)
    try:
        percent = Decimal(str(op.data["percent"]))
        expires = op.data.get("expires_at")
        expires_at = datetime.fromisoformat(expires) if isinstance(expires, str) else expires
    except (KeyError, InvalidOperation, ValueError) as exc:
        raise ValidationError(f"a markup needs a percent and an ISO expiry: {exc}") from None
    pricing_store.write_markup_override(
        session, ctx.principal, scope, key, percent, op.data.get("reason"), expires_at
    )
    return WriteResult()


def _current_markup(session: Session, op: WriteOp) -> Any:

    row = pricing_store.find_markup_override(session, MarkupScope(op.kind), _key(op))
    return None if row is None else {"percent": row.percent, "reason": row.reason}
