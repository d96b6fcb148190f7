"""PostgreSQL row-level security: one tenant's session cannot read or write another's rows.

The application's engine runs as ``radiant_app`` (what ``radiant serve`` and the CLI use);
the checks below send raw SQL through that engine's sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from conftest import migrate
from radiant.bootstrap import open_registry
from radiant.catalog import load_catalog
from radiant.errors import NotFoundError, PermissionDeniedError
from radiant.registry.service import Registry
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.settings import Settings
from radiant.store.admin_tables import AdministratorRow, AdminTokenRow, AuditLogRow
from radiant.store.billing_tables import UsageEventRow
from radiant.store.engine import make_engine, session_scope
from radiant.store.tables import RoutingRuleRow
from radiant.sync import sync_catalog
from radiant.tenants import Tenants, admin_scope, tenant_scope

pytestmark = pytest.mark.postgres
FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = Principal(
    PrincipalKind.ADMIN,
    subject_id="a1",
    name="admin@example.test",
    role=Role.ADMIN,
    permissions=ROLE_PERMISSIONS[Role.ADMIN],
)


@dataclass
class World:
    url: str
    app: Engine  # the application's engine (role radiant_app)
    svc: Tenants
    a: str
    b: str
    b_key: str


@pytest.fixture
def world(postgres_db: str) -> Iterator[World]:
    migrate(postgres_db)
    app = make_engine(postgres_db, role="radiant_app", pool_size=1, max_overflow=0)
    sync_catalog(app, load_catalog(FIXTURES / "catalog_small"))
    svc = Tenants.open(Registry(app))
    a = svc.tenants.create(ADMIN, name="Tenant A", slug="tenant-a").id
    b = svc.tenants.create(ADMIN, name="Tenant B", slug="tenant-b").id
    for tenant, model in ((a, "acme-large"), (b, "acme-small"), (b, "acme-paint")):
        svc.access.grant(ADMIN, tenant, model)
    svc.keys.issue(ADMIN, a, name="a-key")
    b_key = svc.keys.issue(ADMIN, b, name="b-key").key.id
    yield World(postgres_db, app, svc, a, b, b_key)
    app.dispose()


def _rows(engine: Engine, sql: str, tenant: str | None) -> list[dict[str, object]]:
    with session_scope(engine) as session:
        if tenant is not None:
            tenant_scope(session, tenant)
        return [dict(r._mapping) for r in session.execute(text(sql))]


def test_the_application_runs_as_a_role_rls_applies_to(world: World) -> None:
    with world.app.connect() as conn:
        user, super_, bypass = conn.execute(
            text(
                "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles"
                " WHERE rolname = current_user"
            )
        ).one()
    assert (user, super_, bypass) == ("radiant_app", False, False)
    registry = open_registry(Settings(database_url=world.url))  # what `radiant serve` opens
    with registry.engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == "radiant_app"
    registry.engine.dispose()


def test_tenant_a_cannot_read_tenant_b_with_raw_sql(world: World) -> None:
    access = _rows(world.app, "SELECT * FROM tenant_model_access", world.a)
    assert {(r["tenant_id"], r["model_id"]) for r in access} == {(world.a, "acme-large")}
    keys = _rows(world.app, "SELECT * FROM tenant_api_keys", world.a)
    assert [r["name"] for r in keys] == ["a-key"]
    assert [r["id"] for r in _rows(world.app, "SELECT * FROM tenants", world.a)] == [world.a]
    # naming B's rows outright changes nothing
    sql = f"SELECT * FROM tenant_api_keys WHERE tenant_id = '{world.b}'"
    assert _rows(world.app, sql, world.a) == []
    # B sees its own two grants
    assert len(_rows(world.app, "SELECT * FROM tenant_model_access", world.b)) == 2
    # the registry's tables are global
    assert len(_rows(world.app, "SELECT id FROM models", world.a)) == 4


def test_no_scope_sees_no_tenant_rows(world: World) -> None:
    for table in ("tenants", "tenant_model_access", "tenant_api_keys"):
        assert _rows(world.app, f"SELECT * FROM {table}", None) == []
    with session_scope(world.app) as session:
        admin_scope(session)
        assert session.execute(text("SELECT count(*) FROM tenant_api_keys")).scalar() == 2


def test_the_tenant_setting_ends_with_its_transaction(world: World) -> None:
    # pool_size=1: the next transaction reuses the very same connection
    assert len(_rows(world.app, "SELECT * FROM tenant_api_keys", world.a)) == 1
    assert _rows(world.app, "SELECT * FROM tenant_api_keys", None) == []


def test_tenant_a_cannot_write_tenant_b_rows(world: World) -> None:
    insert_key = text(
        "INSERT INTO tenant_api_keys (id, tenant_id, name, key_prefix, key_hash, scopes,"
        " status, usage_count, row_version, created_at, updated_at)"
        " VALUES ('k-evil', :tenant, 'evil', 'rtk_x', 'h-evil', '[]', 'active', 0, 1, now(),"
        " now())"
    )
    with (  # noqa: PT012 - the statement needs its tenant's session
        pytest.raises(ProgrammingError, match="row-level security"),
        session_scope(world.app) as session,
    ):
        tenant_scope(session, world.a)
        session.execute(insert_key, {"tenant": world.b})
    insert_access = text(
        "INSERT INTO tenant_model_access (tenant_id, model_id, enabled, row_version,"
        " created_at, updated_at) VALUES (:tenant, 'acme-paint', true, 1, now(), now())"
    )
    for tenant in (world.b, world.a):  # model access is written by administrators only
        with (  # noqa: PT012 - the statement needs its tenant's session
            pytest.raises(ProgrammingError, match="row-level security"),
            session_scope(world.app) as session,
        ):
            tenant_scope(session, world.a)
            session.execute(insert_access, {"tenant": tenant})
    with session_scope(world.app) as session:
        tenant_scope(session, world.a)
        conn = session.connection()
        hit = conn.execute(
            text("UPDATE tenant_api_keys SET status = 'revoked' WHERE id = :id"),
            {"id": world.b_key},
        )
        assert hit.rowcount == 0
        gone = conn.execute(
            text("DELETE FROM tenant_model_access WHERE tenant_id = :t"), {"t": world.b}
        )
        assert gone.rowcount == 0
        # a tenant may not raise its own tier either
        raised = conn.execute(text("UPDATE tenants SET tier = 5 WHERE id = :t"), {"t": world.a})
        assert raised.rowcount == 0
    assert len(_rows(world.app, "SELECT * FROM tenant_model_access", world.b)) == 2


def test_tenant_principals_see_only_their_tenant_through_the_services(world: World) -> None:
    alice = Principal(PrincipalKind.TENANT, subject_id="k", name="a", tenant_id=world.a)
    assert [t.id for t in world.svc.tenants.list(alice)] == [world.a]
    with pytest.raises(NotFoundError):
        world.svc.keys.list(alice, world.b)
    assert [k.name for k in world.svc.keys.list(alice, world.a)] == ["a-key"]
    nobody = Principal(PrincipalKind.ANONYMOUS)
    with pytest.raises(PermissionDeniedError):
        world.svc.tenants.list(nobody)


def test_later_migrations_tables_are_granted_to_the_app_role(world: World) -> None:
    owner = make_engine(world.url)
    with session_scope(owner) as session:
        session.execute(text("CREATE TABLE later_table (id serial PRIMARY KEY, note text)"))
    owner.dispose()
    with session_scope(world.app) as session:
        session.execute(text("INSERT INTO later_table (note) VALUES ('ok')"))
        assert session.execute(text("SELECT note FROM later_table")).scalar() == "ok"
    with (
        pytest.raises(ProgrammingError, match="permission denied"),
        session_scope(world.app) as session,
    ):
        session.execute(text("DELETE FROM alembic_version"))


# ------------------------------------------------------------ tenant-scoped platform tables


def _seed_platform_rows(world: World) -> None:
    """As the owner (a superuser here, so no row-level security): rows of A, B and nobody."""
    owner = make_engine(world.url)
    with session_scope(owner) as session:
        for tenant in (world.a, world.b):
            session.add(
                UsageEventRow(
                    id=f"ev-{tenant}",
                    request_id=f"req-{tenant}",
                    tenant_id=tenant,
                    model_id="acme-large",
                    provider_id="acme",
                    endpoint="chat",
                )
            )
        for rule_id, owner_id in (("r-global", None), ("r-a", world.a), ("r-b", world.b)):
            session.add(
                RoutingRuleRow(id=rule_id, tenant_id=owner_id, name=rule_id, action="block")
            )
        for audit_tenant in (None, world.a, world.b):
            session.add(
                AuditLogRow(
                    tenant_id=audit_tenant,
                    actor_kind="admin",
                    actor_name="someone",
                    action="probe",
                    resource_type="probe",
                )
            )
        session.add(AdministratorRow(id="adm-1", email="root@example.test", role="super_admin"))
        session.flush()
        session.add(
            AdminTokenRow(id="tok-1", admin_id="adm-1", name="t", prefix="rat_", token_hash="h1")
        )
    owner.dispose()


def test_a_tenant_transaction_cannot_turn_the_administrator_bypass_on(world: World) -> None:
    _seed_platform_rows(world)
    attempts = (
        "SET LOCAL app.admin_bypass = 'on'",
        "SELECT set_config('app.admin_bypass', 'on', true)",
        f"SELECT set_config('app.current_tenant_id', '{world.b}', true)",
        "SET LOCAL ROLE radiant_app",
    )
    with session_scope(world.app) as session:
        tenant_scope(session, world.a)
        for sql in attempts:
            session.execute(text(sql))
        tenants = session.execute(text("SELECT DISTINCT tenant_id FROM usage_events")).scalars()
        assert list(tenants) == [world.a]
        assert session.execute(text("SELECT count(*) FROM tenant_api_keys")).scalar() == 1
        assert [r for (r,) in session.execute(text("SELECT id FROM tenants"))] == [world.a]
    # nor can it re-scope itself to another tenant, or forget whom it acts for
    for sql in (
        f"SELECT radiant_enter_tenant('{world.b}')",
        "DELETE FROM transaction_tenants",
        "UPDATE transaction_tenants SET tenant_id = NULL",
    ):
        with pytest.raises(ProgrammingError), session_scope(world.app) as session:  # noqa: PT012 - the statement needs its tenant's session
            tenant_scope(session, world.a)
            session.execute(text(sql))
    # the trusted administrator path keeps working, on the same pooled connection
    with session_scope(world.app) as session:
        admin_scope(session)
        assert session.execute(text("SELECT count(*) FROM usage_events")).scalar() == 2


def test_a_tenant_sees_its_own_routing_rules_and_audit_rows_and_no_administrators(
    world: World,
) -> None:
    _seed_platform_rows(world)
    rules = {r["id"] for r in _rows(world.app, "SELECT id FROM routing_rules", world.a)}
    assert rules == {"r-global", "r-a"}
    audit = _rows(world.app, "SELECT tenant_id FROM audit_logs WHERE action = 'probe'", world.a)
    assert [r["tenant_id"] for r in audit] == [world.a]
    for table in ("administrators", "admin_tokens", "invitations", "approval_requests"):
        assert _rows(world.app, f"SELECT * FROM {table}", world.a) == [], table
    # platform code (no tenant) still sees the platform's tables whole
    assert len(_rows(world.app, "SELECT id FROM routing_rules", None)) == 3
    assert len(_rows(world.app, "SELECT id FROM admin_tokens", None)) == 1
    # a tenant writes its own rules only: not another tenant's, not a global one
    insert_rule = text(
        "INSERT INTO routing_rules (id, tenant_id, name, priority, enabled, conditions, action,"
        " fallback_models, row_version, created_at, updated_at)"
        " VALUES (:id, :tenant, 'x', 1, true, '{}', 'block', '[]', 1, now(), now())"
    )
    for rule_id, tenant in (("r-evil", world.b), ("r-evil-global", None)):
        with (  # noqa: PT012 - the statement needs its tenant's session
            pytest.raises(ProgrammingError, match="row-level security"),
            session_scope(world.app) as session,
        ):
            tenant_scope(session, world.a)
            session.execute(insert_rule, {"id": rule_id, "tenant": tenant})
    with session_scope(world.app) as session:
        tenant_scope(session, world.a)
        session.execute(insert_rule, {"id": "r-a2", "tenant": world.a})
        hit = session.execute(text("UPDATE routing_rules SET priority = 0 WHERE id = 'r-b'"))
        assert hit.rowcount == 0  # type: ignore[attr-defined]
        hit = session.execute(text("UPDATE routing_rules SET priority = 0 WHERE id = 'r-global'"))
        assert hit.rowcount == 0  # type: ignore[attr-defined]
