"""Two-person approval: policy, requests, a different approver (code and database CHECK)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from manage_helpers import ctx, seed
from radiant.api.app import create_app
from radiant.core.audit import AuditQuery, list_audit
from radiant.core.context import WriteContext
from radiant.errors import ConflictError, PermissionDeniedError, RadiantError
from radiant.manage.approvals import ApprovalService
from radiant.manage.operations import WriteOp
from radiant.manage.policy import get_policy, set_policy
from radiant.manage.registry_writes import RegistryWriter
from radiant.registry.service import Registry
from radiant.security import Role
from radiant.store.admin_tables import ApprovalRequestRow
from radiant.store.tables import utcnow


def test_the_database_refuses_a_self_approval(migrated: Engine) -> None:
    insert = text(
        "INSERT INTO approval_requests (id, app_id, environment, type, title, payload, "
        "risk_level, initiated_by, initiated_by_name, initiated_at, status, approved_by, "
        "expires_at, created_at, updated_at) VALUES (:id, 'radiant', 'prod', 'billing_change', "
        "'t', '{}', 'high', 'alice', 'alice', :now, 'approved', :approver, :now, :now, :now)"
    )
    now = utcnow()
    with pytest.raises(IntegrityError), migrated.begin() as conn:
        conn.execute(insert, {"id": str(uuid.uuid4()), "now": now, "approver": "alice"})
    with migrated.begin() as conn:
        conn.execute(insert, {"id": str(uuid.uuid4()), "now": now, "approver": "bob"})


def test_the_default_policy_needs_no_approval(migrated: Engine) -> None:
    assert not any(p["requires_approval"] for p in get_policy(migrated))


@pytest.fixture
def services(migrated: Engine, small_catalog: Path) -> tuple[RegistryWriter, ApprovalService]:
    seed(migrated, small_catalog)
    writer = RegistryWriter(migrated, Registry(migrated))
    set_policy(migrated, ctx(Role.SUPER_ADMIN), "billing_change", requires_approval=True)
    return writer, ApprovalService(migrated, writer)


def test_a_price_change_waits_for_a_different_administrator(
    services: tuple[RegistryWriter, ApprovalService],
) -> None:
    writer, approvals = services
    alice, bob = ctx(Role.ADMIN, "alice"), ctx(Role.ADMIN, "bob")
    version = writer.get("model", "acme-large").row_version
    queued = writer.set_price("model", "acme-large", {"input_per_1m": "2"}, version, alice)
    assert queued.approval is not None and queued.record is None
    request = queued.approval
    assert request["status"] == "pending" and request["type"] == "billing_change"
    assert request["risk_level"] == "high" and request["impact_analysis"]
    assert request["rollback_plan"] and request["payload"]["data"] == {"input_per_1m": "2"}
    assert request["expires_at"] - request["initiated_at"] == timedelta(hours=24)
    # nothing applied yet
    assert writer.get("model", "acme-large").row_version == version
    with pytest.raises(PermissionDeniedError, match="different administrator"):
        approvals.approve(alice, request["id"])
    with pytest.raises(PermissionDeniedError):
        approvals.approve(ctx(Role.OPERATOR, "carol"), request["id"])
    done, result = approvals.approve(bob, request["id"], "checked the vendor page")
    assert done["status"] == "executed" and done["decided_by"]["id"] == "bob"
    assert done["execution_result"]["registry_version"] == result.registry_version
    route = writer.get("route", "acme-large@direct")
    assert route.obj.price is not None and str(route.obj.price.input_per_1m) == "2"
    with pytest.raises(ConflictError, match="executed"):
        approvals.approve(ctx(Role.ADMIN, "dave"), request["id"])
    actions = [r["action"] for r in list_audit(writer.engine, AuditQuery(limit=20))[0]]
    assert actions[:3] == ["approval.approve", "model.pricing", "approval.request"]
    applied = list_audit(writer.engine, AuditQuery(action="model.pricing"))[0][0]
    assert applied["metadata"]["approval_request"] == request["id"]


def test_reject_cancel_and_expire_are_recorded(
    services: tuple[RegistryWriter, ApprovalService],
) -> None:
    writer, approvals = services
    alice, bob = ctx(Role.ADMIN, "alice"), ctx(Role.ADMIN, "bob")

    def ask() -> dict[str, Any]:
        version = writer.get("route", "acme-large@hostco").row_version
        result = writer.set_price(
            "route", "acme-large@hostco", {"output_per_1m": 1}, version, alice
        )
        assert result.approval is not None
        return result.approval

    rejected = approvals.reject(bob, ask()["id"], "too cheap")
    assert rejected["status"] == "rejected" and rejected["notes"] == "too cheap"
    with pytest.raises(PermissionDeniedError):
        approvals.cancel(bob, ask()["id"])  # only the initiator (or a super_admin)
    cancelled = approvals.cancel(alice, approvals.list(alice, status="pending")[0][0]["id"])
    assert cancelled["status"] == "cancelled"
    stale = ask()
    with Session(writer.engine) as session, session.begin():
        session.execute(
            update(ApprovalRequestRow)
            .where(ApprovalRequestRow.id == stale["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert approvals.get(bob, stale["id"])["status"] == "expired"
    with pytest.raises(ConflictError, match="expired"):
        approvals.approve(bob, stale["id"])
    actions = {r["action"] for r in list_audit(writer.engine, AuditQuery(limit=50))[0]}
    assert {"approval.reject", "approval.cancel", "approval.expire"} <= actions
    price = writer.get("route", "acme-large@hostco").obj.price
    assert price is not None and price.output_per_1m == 16


def test_an_approved_change_that_no_longer_applies_is_closed_with_the_reason(
    services: tuple[RegistryWriter, ApprovalService],
) -> None:
    writer, approvals = services
    alice, bob = ctx(Role.ADMIN, "alice"), ctx(Role.ADMIN, "bob")
    version = writer.get("model", "acme-large").row_version
    queued = writer.set_price("model", "acme-large", {"input_per_1m": "2"}, version, alice)
    assert queued.approval is not None
    writer.update("model", "acme-large", {"description": "moved on"}, version, alice)
    with pytest.raises(ConflictError):
        approvals.approve(bob, queued.approval["id"])
    closed = approvals.get(bob, queued.approval["id"])
    assert closed["status"] == "approved" and "changed since" in closed["execution_result"]["error"]


def test_the_approval_flow_over_http(migrated: Engine, small_catalog: Path) -> None:
    seed(migrated, small_catalog)
    with TestClient(create_app(Registry(migrated))) as client:
        admins = client.app.state.admins  # type: ignore[attr-defined]
        _, root = admins.create_admin(None, "root@example.test", "super_admin")
        boss = {"Authorization": f"Bearer {root}"}
        made = client.post(
            "/api/v2/admin/administrators",
            json={"email": "second@example.test", "role": "admin"},
            headers=boss,
        )
        assert made.status_code == 201 and made.json()["token"].startswith("rad_")
        second = {"Authorization": f"Bearer {made.json()['token']}"}
        policy = client.put(
            "/api/v2/admin/approvals/policy/provider_change",
            json={"requires_approval": True, "risk_level": "medium"},
            headers=boss,
        )
        assert policy.status_code == 200
        assert (
            client.put(
                "/api/v2/admin/approvals/policy/provider_change",
                json={"requires_approval": False},
                headers=second,
            ).status_code
            == 403
        )
        record = client.get("/api/v2/admin/registry/providers/acme", headers=boss)
        queued = client.patch(
            "/api/registry/providers/acme",
            json={"description": "Acme Corp"},
            headers={**boss, "If-Match": record.headers["ETag"]},
        )
        assert queued.status_code == 202, queued.text
        request_id = queued.json()["approval"]["id"]
        assert queued.headers["Location"] == f"/api/v2/admin/approvals/{request_id}"
        own = client.post(f"/api/v2/admin/approvals/{request_id}/approve", headers=boss)
        assert own.status_code == 403
        listed = client.get("/api/v2/admin/approvals", params={"status": "pending"}, headers=second)
        assert listed.json()["total"] == 1
        ok = client.post(
            f"/api/v2/admin/approvals/{request_id}/approve", json={"notes": "ok"}, headers=second
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["approval"]["status"] == "executed"
        assert client.get("/api/registry/providers/acme").json()["description"] == "Acme Corp"


# ------------------------------------------------------------ validated when asked for

#: change type -> an invalid write of that type (by alice), as a function of the writer
_INVALID: dict[str, Callable[[RegistryWriter, WriteContext], object]] = {
    "billing_change": lambda w, c: w.set_price(
        "model", "acme-large", {"input_per_1m": "abc"}, w.get("model", "acme-large").row_version, c
    ),
    "billing_change/markup": lambda w, c: w.execute(
        WriteOp("markup", "model", "acme-large", {"percent": "abc"}), c
    ),
    "model_activation": lambda w, c: w.create("model", {"id": "fresh-model"}, c),
    "provider_change": lambda w, c: w.update(
        "provider", "acme", {"name": ""}, w.get("provider", "acme").row_version, c
    ),
    "security_change": lambda w, c: w.update(
        "platform",
        "hostco",
        {"auth_type": "carrier-pigeon"},
        w.get("platform", "hostco").row_version,
        c,
    ),
}


@pytest.mark.parametrize("case", sorted(_INVALID))
def test_an_invalid_change_is_refused_when_asked_for_not_when_approved(
    migrated: Engine, small_catalog: Path, case: str
) -> None:
    seed(migrated, small_catalog)
    writer = RegistryWriter(migrated, Registry(migrated))
    approvals = ApprovalService(migrated, writer)
    alice = ctx(Role.SUPER_ADMIN, "alice")
    with pytest.raises(RadiantError) as direct:
        _INVALID[case](writer, alice)
    set_policy(migrated, alice, case.split("/")[0], requires_approval=True)
    with pytest.raises(RadiantError) as queued:
        _INVALID[case](writer, alice)
    assert (type(queued.value), queued.value.message) == (type(direct.value), direct.value.message)
    assert approvals.list(alice, status="pending") == ([], 0)
    # the dry run left nothing behind: no audit row of the refused write, no new version
    actions = [r["action"] for r in list_audit(migrated, AuditQuery(limit=5))[0]]
    assert actions[0] == "approval_policy.set"


def test_a_valid_change_still_waits_and_its_dry_run_leaves_nothing(
    services: tuple[RegistryWriter, ApprovalService],
) -> None:
    writer, approvals = services
    alice = ctx(Role.ADMIN, "alice")
    before = writer.registry.snapshot().version if writer.registry else 0
    version = writer.get("route", "acme-large@hostco").row_version
    queued = writer.set_price("route", "acme-large@hostco", {"input_per_1m": "3"}, version, alice)
    assert queued.approval is not None and queued.approval["status"] == "pending"
    route = writer.get("route", "acme-large@hostco")
    assert route.row_version == version and route.obj.price is not None
    assert route.obj.price.input_per_1m != 3
    assert Registry(writer.engine).snapshot().version == before
    actions = [r["action"] for r in list_audit(writer.engine, AuditQuery(limit=5))[0]]
    assert actions[0] == "approval.request" and "route.pricing" not in actions
