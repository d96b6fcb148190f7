"""A registry write, as data: what to do, to which object, expecting which version.

Being plain data, an operation can wait in an approval request and be applied later,
exactly as it was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from radiant.core.audit import jsonable
from radiant.errors import ValidationError
from radiant.security import Permission

__all__ = ["OPERATIONS", "STATUS_FIELDS", "WriteOp", "change_types", "required_permissions"]

#: ``markup`` sets (or with ``data["remove"]``, removes) the markup override of a
#: provider or a model: a billing change, like ``pricing``.
OPERATIONS = ("create", "update", "delete", "pricing", "markup")

#: Fields an operator may change (``status:write``).
STATUS_FIELDS = frozenset(
    {"status", "enabled", "deprecated", "deprecation_date", "migration_guide", "successor_id"}
)
#: Fields holding where credentials live or where requests go: a security change.
SECURITY_FIELDS = {
    "platform": frozenset({"auth_type", "auth_config", "base_url"}),
    "provider": frozenset({"auth_type", "secret_ref", "api_key_env", "api_base_url"}),
    "route": frozenset({"secret_ref", "endpoint_override"}),
    "model": frozenset(),
}
_ACTIVE = {"active", "beta", "preview"}


@dataclass(frozen=True)
class WriteOp:
    operation: str
    kind: str
    key: str | None
    data: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None
    #: the audit action; ``<kind>.<operation>`` unless a narrower one is given
    action: str = ""

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ValidationError(f"unknown operation {self.operation!r}")
        if not self.action:
            object.__setattr__(self, "action", f"{self.kind}.{self.operation}")

    def payload(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "kind": self.kind,
            "key": self.key,
            "data": jsonable(self.data),
            "expected_version": self.expected_version,
            "action": self.action,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> WriteOp:
        return cls(
            operation=payload["operation"],
            kind=payload["kind"],
            key=payload.get("key"),
            data=dict(payload.get("data") or {}),
            expected_version=payload.get("expected_version"),
            action=payload.get("action", ""),
        )


def required_permissions(op: WriteOp) -> set[Permission]:
    """What the caller must hold: by operation, and for updates by the fields it touches."""
    if op.operation in ("pricing", "markup"):
        return {Permission.PRICING_WRITE}
    if op.operation in ("create", "delete"):
        needed = {Permission.REGISTRY_WRITE}
        if op.operation == "create" and op.data.get("price") is not None:
            needed.add(Permission.PRICING_WRITE)
        return needed
    needed = set()
    for name in op.data:
        if name in STATUS_FIELDS:
            needed.add(Permission.STATUS_WRITE)
        elif name == "priority" and op.kind == "route":
            needed.add(Permission.PRIORITY_WRITE)
        else:
            needed.add(Permission.REGISTRY_WRITE)
    return needed or {Permission.REGISTRY_WRITE}


def change_types(op: WriteOp) -> list[str]:
    """The approval change types (``approval_requests.type``) an operation falls under."""
    found: list[str] = []
    data = op.data
    if op.operation == "markup":
        return ["billing_change"]
    if op.kind == "model" and (
        op.operation == "create"
        or (op.operation == "update" and (data.get("status") in _ACTIVE or data.get("enabled")))
    ):
        found.append("model_activation")
    if op.kind == "provider":
        found.append("provider_change")
    if op.operation == "pricing" or (op.kind == "route" and data.get("price") is not None):
        found.append("billing_change")
    if SECURITY_FIELDS[op.kind] & set(data):
        found.append("security_change")
    return found
