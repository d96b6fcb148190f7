"""The routing-rule repository: rows of ``routing_rules`` in and out as domain rules.

Functions work inside the caller's session (its transaction). They raise
:class:`~radiant.errors.NotFoundError` for an unknown rule id and
:class:`~radiant.errors.PreconditionFailedError` (a :class:`~radiant.errors.ConflictError`)
when the rule's ``row_version`` is not the one the caller expected; a row the database
refuses (a CHECK or a foreign key) surfaces as SQLAlchemy's ``IntegrityError`` for the
service to turn into a conflict.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from radiant.domain.routing_rule import RoutingRule
from radiant.errors import NotFoundError, PreconditionFailedError
from radiant.store.repository import store_errors
from radiant.store.tables import RoutingRuleRow, utcnow

__all__ = [
    "delete_rule",
    "enabled_rules",
    "get_rule",
    "insert_rule",
    "list_rules",
    "row_to_rule",
    "rule_columns",
    "update_rule",
]

_ORDER = (RoutingRuleRow.priority, RoutingRuleRow.name, RoutingRuleRow.id)


def row_to_rule(row: RoutingRuleRow) -> RoutingRule:
    return RoutingRule(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        description=row.description,
        priority=row.priority,
        enabled=row.enabled,
        conditions=row.conditions or {},
        action=row.action,
        target_provider=row.target_provider,
        target_model=row.target_model,
        fallback_models=list(row.fallback_models or []),
        rate_limit_rpm=row.rate_limit_rpm,
        rate_limit_tpm=row.rate_limit_tpm,
        row_version=row.row_version,
        created_by=row.created_by,
        updated_by=row.updated_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def rule_columns(rule: RoutingRule) -> dict[str, Any]:
    """The columns a write sets from a rule (not its id, version, authors or times)."""
    return {
        "tenant_id": rule.tenant_id,
        "name": rule.name,
        "description": rule.description,
        "priority": rule.priority,
        "enabled": rule.enabled,
        "conditions": rule.conditions.model_dump(mode="json", exclude_defaults=True),
        "action": rule.action.value,
        "target_provider": rule.target_provider,
        "target_model": rule.target_model,
        "fallback_models": list(rule.fallback_models),
        "rate_limit_rpm": rule.rate_limit_rpm,
        "rate_limit_tpm": rule.rate_limit_tpm,
    }


def list_rules(
    session: Session,
    *,
    tenant_id: str | None = None,
    scope: str | None = None,
    enabled: bool | None = None,
) -> list[RoutingRule]:
    """Rules in priority order; ``tenant_id``: that tenant's and the global ones, or with
    ``scope`` ``tenant``/``global`` only one kind."""
    query = select(RoutingRuleRow).order_by(*_ORDER)
    if scope == "global":
        query = query.where(RoutingRuleRow.tenant_id.is_(None))
    elif tenant_id is not None and scope == "tenant":
        query = query.where(RoutingRuleRow.tenant_id == tenant_id)
    elif scope == "tenant":
        query = query.where(RoutingRuleRow.tenant_id.is_not(None))
    elif tenant_id is not None:
        query = query.where(
            or_(RoutingRuleRow.tenant_id.is_(None), RoutingRuleRow.tenant_id == tenant_id)
        )
    if enabled is not None:
        query = query.where(RoutingRuleRow.enabled.is_(enabled))
    return [row_to_rule(r) for r in session.scalars(query)]


def enabled_rules(engine: Engine) -> list[RoutingRule]:
    """Every enabled rule (global and every tenant's), for the selection's rule cache."""
    with store_errors(), Session(engine) as session:
        return list_rules(session, enabled=True)


def _row(session: Session, rule_id: str) -> RoutingRuleRow:
    row = session.get(RoutingRuleRow, rule_id, populate_existing=True)
    if row is None:
        raise NotFoundError("routing rule", rule_id)
    return row


def get_rule(session: Session, rule_id: str) -> RoutingRule:
    return row_to_rule(_row(session, rule_id))


def insert_rule(session: Session, rule: RoutingRule, author: str) -> RoutingRule:
    now = utcnow()
    session.execute(
        insert(RoutingRuleRow).values(
            id=rule.id,
            **rule_columns(rule),
            row_version=1,
            created_by=author,
            updated_by=author,
            created_at=now,
            updated_at=now,
        )
    )
    return get_rule(session, rule.id)


def _stale(rule_id: str, current: int) -> PreconditionFailedError:
    return PreconditionFailedError(
        f"routing rule {rule_id!r} changed since you read it (now version {current}); "
        "read it again",
        current_version=str(current),
    )


def update_rule(
    session: Session, rule: RoutingRule, expected_version: int, author: str
) -> RoutingRule:
    """Compare-and-set: write ``rule``'s columns only if the row is at ``expected_version``."""
    result = session.execute(
        update(RoutingRuleRow)
        .where(RoutingRuleRow.id == rule.id, RoutingRuleRow.row_version == expected_version)
        .values(
            **rule_columns(rule),
            row_version=RoutingRuleRow.row_version + 1,
            updated_by=author,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _stale(rule.id, _row(session, rule.id).row_version)
    return get_rule(session, rule.id)


def delete_rule(session: Session, rule_id: str, expected_version: int) -> None:
    result = session.execute(
        delete(RoutingRuleRow)
        .where(RoutingRuleRow.id == rule_id, RoutingRuleRow.row_version == expected_version)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _stale(rule_id, _row(session, rule_id).row_version)
