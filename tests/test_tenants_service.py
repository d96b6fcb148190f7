"""Tenant services on SQLite and PostgreSQL: tenants, model access, API keys, authentication.

On PostgreSQL the services run as the application role (``radiant_app``), so row-level
security is in force the whole time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import migrate
from radiant.catalog import load_catalog
from radiant.domain.tenant import ApiKeyStatus, TenantStatus
from radiant.errors import (
    ConflictError,
    ModelNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    ValidationError,
)
from radiant.registry.service import Registry
from radiant.security import ROLE_PERMISSIONS, Permission, Principal, PrincipalKind, Role
from radiant.store.engine import make_engine, session_scope
from radiant.sync import sync_catalog
from radiant.tenants import Tenants

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = Principal(
    PrincipalKind.ADMIN,
    subject_id="a1",
    name="admin@example.test",
    role=Role.ADMIN,
    permissions=ROLE_PERMISSIONS[Role.ADMIN],
)
AUDITOR = Principal(
    PrincipalKind.ADMIN,
    subject_id="a2",
    name="auditor@example.test",
    role=Role.AUDITOR,
    permissions=ROLE_PERMISSIONS[Role.AUDITOR],
)


@pytest.fixture
def svc(db_url: str) -> Iterator[Tenants]:
    """The tenant services over a migrated, synced store, as the application runs them."""
    migrate(db_url)
    engine = make_engine(db_url, role="radiant_app")
    sync_catalog(engine, load_catalog(FIXTURES / "catalog_small"))
    yield Tenants.open(Registry(engine))
    engine.dispose()


def test_tenant_lifecycle(svc: Tenants) -> None:
    acme = svc.tenants.create(ADMIN, name="Acme Corp", slug="acme", tier=2)
    assert acme.status is TenantStatus.ACTIVE and acme.row_version == 1
    assert svc.tenants.get(ADMIN, "acme") == svc.tenants.get(ADMIN, acme.id)

    changed = svc.tenants.update(ADMIN, "acme", {"tier": 3}, expected_version=1)
    assert changed.tier == 3 and changed.row_version == 2
    with pytest.raises(PreconditionFailedError) as stale:
        svc.tenants.update(ADMIN, "acme", {"tier": 4}, expected_version=1)
    assert stale.value.current_version == "2"

    suspended = svc.tenants.suspend(ADMIN, "acme")
    assert suspended.status is TenantStatus.SUSPENDED
    assert [t.slug for t in svc.tenants.list(ADMIN, status=TenantStatus.SUSPENDED)] == ["acme"]

    deleted = svc.tenants.delete(ADMIN, "acme", expected_version=suspended.row_version)
    assert deleted.status is TenantStatus.CANCELLED and deleted.deleted_at is not None
    assert svc.tenants.list(ADMIN) == []
    assert [t.slug for t in svc.tenants.list(ADMIN, include_deleted=True)] == ["acme"]
    with pytest.raises(ConflictError, match="deleted"):
        svc.tenants.update(ADMIN, "acme", {"name": "Back"})


def test_bad_tenant_input_stores_nothing(svc: Tenants) -> None:
    svc.tenants.create(ADMIN, name="Acme", slug="acme")
    with pytest.raises(ConflictError, match="slug 'acme' is in use"):
        svc.tenants.create(ADMIN, name="Other", slug="acme")
    for bad in ({"tier": 6}, {"slug": "Not A Slug"}, {"name": ""}, {"colour": "red"}):
        with pytest.raises(ValidationError):
            svc.tenants.update(ADMIN, "acme", bad)
    with pytest.raises(ValidationError, match="deleting"):
        svc.tenants.update(ADMIN, "acme", {"status": "cancelled"})
    with pytest.raises(NotFoundError):
        svc.tenants.get(ADMIN, "nobody")
    with pytest.raises(PermissionDeniedError):
        svc.tenants.create(AUDITOR, name="Sneaky", slug="sneaky")
    [acme] = svc.tenants.list(ADMIN)
    assert (acme.name, acme.tier, acme.row_version) == ("Acme", 1, 1)


def test_model_access(svc: Tenants) -> None:
    svc.tenants.create(ADMIN, name="Acme", slug="acme", tier=2)
    grant = svc.access.grant(
        ADMIN,
        "acme",
        "acme-large",
        custom_input_price_per_1m=Decimal("2.5"),
        custom_markup_percent=Decimal("12.5"),
        rate_limit_rpm=100,
    )
    assert grant.custom_input_price_per_1m == Decimal("2.5") and grant.enabled
    svc.access.grant(ADMIN, "acme", "acme-small")
    with pytest.raises(ConflictError, match="already granted"):
        svc.access.grant(ADMIN, "acme", "acme-small")
    with pytest.raises(ValidationError, match="needs tier 3"):
        svc.access.grant(ADMIN, "acme", "tiny-detector")
    with pytest.raises(ModelNotFoundError):
        svc.access.grant(ADMIN, "acme", "acme-largo")
    with pytest.raises(ValidationError):
        svc.access.grant(ADMIN, "acme", "acme-paint", custom_output_price_per_1m=Decimal(-1))
    acme_id = svc.tenants.get(ADMIN, "acme").id
    assert svc.access.enabled_models(acme_id) == {"acme-large", "acme-small"}

    off = svc.access.update(ADMIN, "acme", "acme-small", {"enabled": False}, expected_version=1)
    assert not off.enabled and off.row_version == 2
    assert svc.access.enabled_models(acme_id) == {"acme-large"}
    with pytest.raises(PreconditionFailedError):
        svc.access.revoke(ADMIN, "acme", "acme-small", expected_version=1)
    svc.access.revoke(ADMIN, "acme", "acme-small", expected_version=2)
    assert [a.model_id for a in svc.access.list(ADMIN, "acme")] == ["acme-large"]
    with pytest.raises(NotFoundError, match="not granted"):
        svc.access.update(ADMIN, "acme", "acme-small", {"enabled": True})

    # lowering the tier hides models above it without losing the grant
    svc.tenants.update(ADMIN, "acme", {"tier": 3})
    svc.access.grant(ADMIN, "acme", "tiny-detector")
    svc.tenants.update(ADMIN, "acme", {"tier": 1})
    assert svc.access.enabled_models(acme_id) == {"acme-large"}
    assert len(svc.access.list(ADMIN, "acme")) == 2


def test_api_keys_and_authentication(svc: Tenants) -> None:
    acme = svc.tenants.create(ADMIN, name="Acme", slug="acme")
    issued = svc.keys.issue(ADMIN, "acme", name="ci", scopes=["chat", "models"])
    assert issued.secret.startswith("rtk_") and len(issued.secret) > 40
    assert issued.secret.startswith(issued.key.key_prefix)
    assert issued.key.scopes == ("chat", "models")
    # no limits of its own: the gateway limits it by its tenant's tier
    assert issued.key.rate_limit_rpm is None and issued.key.rate_limit_tpm is None

    principal = svc.keys.authenticate(issued.secret)
    assert principal is not None and principal.kind is PrincipalKind.TENANT
    assert principal.tenant_id == acme.id and principal.token_id == issued.key.id
    assert principal.permissions == {Permission.REGISTRY_READ}
    [listed] = svc.keys.list(ADMIN, "acme")
    assert listed.usage_count == 1 and listed.last_used_at is not None
    assert listed.row_version == issued.key.row_version  # use does not change the ETag

    assert svc.keys.authenticate(issued.secret[:-1] + "x") is None
    assert svc.keys.authenticate("not-a-tenant-key") is None

    svc.tenants.suspend(ADMIN, "acme")
    assert svc.keys.authenticate(issued.secret) is None
    svc.tenants.update(ADMIN, "acme", {"status": "active"})
    assert svc.keys.authenticate(issued.secret) is not None

    revoked = svc.keys.revoke(ADMIN, "acme", issued.key.id, expected_version=1)
    assert revoked.status is ApiKeyStatus.REVOKED and revoked.revoked_at is not None
    assert svc.keys.authenticate(issued.secret) is None

    own = svc.keys.issue(ADMIN, "acme", name="batch", rate_limit_rpm=30, rate_limit_tpm=9000)
    assert (own.key.rate_limit_rpm, own.key.rate_limit_tpm) == (30, 9000)


def test_key_expiry_and_bad_input(svc: Tenants, db_url: str) -> None:
    svc.tenants.create(ADMIN, name="Acme", slug="acme")
    soon = svc.keys.issue(
        ADMIN, "acme", name="short", expires_at=datetime.now(UTC) + timedelta(hours=1)
    )
    owner = make_engine(db_url)  # the owner (not the app role) moves the clock on
    with session_scope(owner) as session:
        session.execute(
            text("UPDATE tenant_api_keys SET expires_at = :t WHERE id = :id"),
            {"t": datetime.now(UTC) - timedelta(seconds=1), "id": soon.key.id},
        )
    owner.dispose()
    assert svc.keys.authenticate(soon.secret) is None
    assert svc.keys.get(ADMIN, "acme", soon.key.id).status is ApiKeyStatus.EXPIRED

    with pytest.raises(ValidationError, match="future"):
        svc.keys.issue(ADMIN, "acme", name="old", expires_at=datetime.now(UTC) - timedelta(1))
    with pytest.raises(ValidationError, match="unknown scope"):
        svc.keys.issue(ADMIN, "acme", name="x", scopes=["everything"])
    with pytest.raises(ValidationError):
        svc.keys.issue(ADMIN, "acme", name="")
    with pytest.raises(NotFoundError):
        svc.keys.revoke(ADMIN, "acme", "no-such-key")
    assert len(svc.keys.list(ADMIN, "acme")) == 1


def test_deleting_a_tenant_revokes_its_keys(svc: Tenants) -> None:
    svc.tenants.create(ADMIN, name="Acme", slug="acme")
    issued = svc.keys.issue(ADMIN, "acme", name="ci")
    svc.tenants.delete(ADMIN, "acme")
    assert svc.keys.authenticate(issued.secret) is None
    assert svc.keys.get(ADMIN, "acme", issued.key.id).status is ApiKeyStatus.REVOKED
