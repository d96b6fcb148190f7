"""Tenant API keys: issued once, stored as a SHA-256 hash, revocable, expiring.

A key is ``rtk_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256
is stored (a fast hash is right for a random secret of this size: no dictionary to try)
with its first 12 characters as ``key_prefix`` so a person can tell keys apart. The key
itself is returned once, by :meth:`ApiKeyService.issue`, and never again.

:meth:`ApiKeyService.authenticate` is the API's tenant authenticator: a key that is
unknown, revoked, expired, or whose tenant is suspended or deleted gives ``None``.

Scopes (:class:`~radiant.domain.tenant.KeyScope`) say what a key may be used for; a key
issued without any may do everything, an unknown scope is refused when the key is
issued, and :func:`require_scope` is the check every tenant endpoint makes (403 naming
the scope it needs).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from radiant.core.audit import audit_change
from radiant.domain.tenant import (
    API_KEY_SCOPES,
    DEFAULT_KEY_SCOPES,
    ApiKeyStatus,
    KeyScope,
    TenantApiKey,
    TenantStatus,
    key_allows,
)
from radiant.errors import NotFoundError, PermissionDeniedError, ValidationError
from radiant.security import Permission, Principal, PrincipalKind
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import utcnow
from radiant.store.tenant_tables import TenantApiKeyRow, TenantRow
from radiant.tenants._base import check, expect_version, scoped, tenant_row, validated
from radiant.tenants.scope import key_lookup_scope, tenant_scope

__all__ = [
    "KEY_PREFIX",
    "ApiKeyService",
    "IssuedKey",
    "MissingScopeError",
    "hash_key",
    "require_scope",
]

KEY_PREFIX = "rtk_"
_SHOWN = 12  # characters of the key kept as its prefix


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: TenantApiKey
    #: the whole key: shown once, stored nowhere
    secret: str


def _row_to_key(row: TenantApiKeyRow) -> TenantApiKey:
    return TenantApiKey(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        key_prefix=row.key_prefix,
        scopes=tuple(row.scopes or ()),
        rate_limit_rpm=row.rate_limit_rpm,
        rate_limit_tpm=row.rate_limit_tpm,
        status=ApiKeyStatus(row.status),
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        usage_count=row.usage_count,
        row_version=row.row_version,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def _scopes(scopes: Iterable[str] | None) -> tuple[str, ...]:
    """The scopes to store: none given (or an empty list) is every scope, stored as none."""
    chosen = tuple(dict.fromkeys(s.strip() for s in scopes)) if scopes else DEFAULT_KEY_SCOPES
    unknown = [s for s in chosen if s not in API_KEY_SCOPES]
    if unknown:
        raise ValidationError(
            f"unknown scope(s) {', '.join(repr(s) for s in unknown)}; "
            f"known: {', '.join(sorted(API_KEY_SCOPES))}"
        )
    return chosen


class MissingScopeError(PermissionDeniedError):
    """A valid key used for something its scopes do not include (403)."""

    def __init__(self, scope: KeyScope, what: str) -> None:
        super().__init__(f"this API key lacks the scope {scope.value!r}, which {what} needs")
        self.scope = scope


def require_scope(scopes: tuple[str, ...] | frozenset[str], scope: KeyScope, what: str) -> None:
    """Raise :class:`MissingScopeError` unless a key with ``scopes`` may do ``what``."""
    if not key_allows(scopes, scope):
        raise MissingScopeError(scope, what)


def _permissions(scopes: tuple[str, ...]) -> frozenset[Permission]:
    """A tenant key reads the registry (its tenant's view) when it holds ``models``."""
    if key_allows(scopes, KeyScope.MODELS):
        return frozenset({Permission.REGISTRY_READ})
    return frozenset()


class ApiKeyService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ reads

    def list(self, actor: Principal, tenant: str) -> list[TenantApiKey]:
        with scoped(self.engine, actor) as session:
            trow = tenant_row(session, tenant)
            rows = session.execute(
                select(TenantApiKeyRow)
                .where(TenantApiKeyRow.tenant_id == trow.id)
                .order_by(TenantApiKeyRow.created_at, TenantApiKeyRow.id)
            ).scalars()
            return [_row_to_key(r) for r in rows]

    def get(self, actor: Principal, tenant: str, key_id: str) -> TenantApiKey:
        with scoped(self.engine, actor) as session:
            return _row_to_key(self._key_row(session, tenant_row(session, tenant), key_id))

    # ------------------------------------------------------------------ writes

    def issue(
        self,
        actor: Principal,
        tenant: str,
        *,
        name: str,
        scopes: Iterable[str] | None = None,
        rate_limit_rpm: int | None = None,
        rate_limit_tpm: int | None = None,
        expires_at: datetime | None = None,
    ) -> IssuedKey:
        """A new key for ``tenant``; the returned secret is the only copy there will be."""
        check(actor, Permission.TENANTS_WRITE)
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise ValidationError("expires_at needs a time zone (e.g. 2027-01-01T00:00:00Z)")
            if expires_at <= utcnow():
                raise ValidationError("expires_at must be in the future")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        with scoped(self.engine, actor) as session:
            trow = tenant_row(session, tenant, for_write=True)
            key = validated(
                TenantApiKey,
                {
                    "id": str(uuid.uuid4()),
                    "tenant_id": trow.id,
                    "name": name,
                    "key_prefix": secret[:_SHOWN],
                    "scopes": _scopes(scopes),
                    "rate_limit_rpm": rate_limit_rpm,
                    "rate_limit_tpm": rate_limit_tpm,
                    "expires_at": expires_at,
                },
            )
            row = TenantApiKeyRow(
                id=key.id,
                tenant_id=key.tenant_id,
                name=key.name,
                key_prefix=key.key_prefix,
                key_hash=hash_key(secret),
                scopes=list(key.scopes),
                rate_limit_rpm=key.rate_limit_rpm,
                rate_limit_tpm=key.rate_limit_tpm,
                status=key.status.value,
                expires_at=key.expires_at,
                usage_count=0,
                created_by=actor.name,
            )
            session.add(row)
            session.flush()
            issued = _row_to_key(row)  # never the secret: only its prefix is recorded
            audit_change(session, actor, "tenant.key.issue", "tenant_api_key", row.id, None, issued)
            return IssuedKey(issued, secret)

    def revoke(
        self, actor: Principal, tenant: str, key_id: str, *, expected_version: int | None = None
    ) -> TenantApiKey:
        """Stop a key working for good (revoking a revoked key changes nothing)."""
        check(actor, Permission.TENANTS_WRITE)
        with scoped(self.engine, actor) as session:
            row = self._key_row(session, tenant_row(session, tenant), key_id)
            expect_version("API key", key_id, row.row_version, expected_version)
            if row.status != ApiKeyStatus.REVOKED.value:
                old_status = row.status
                row.status = ApiKeyStatus.REVOKED.value
                row.revoked_at = utcnow()
                session.flush()
                audit_change(
                    session,
                    actor,
                    "tenant.key.revoke",
                    "tenant_api_key",
                    row.id,
                    {"status": old_status},
                    {"status": row.status},
                )
            return _row_to_key(row)

    @staticmethod
    def _key_row(session: Session, trow: TenantRow, key_id: str) -> TenantApiKeyRow:
        row = session.execute(
            select(TenantApiKeyRow).where(
                TenantApiKeyRow.tenant_id == trow.id, TenantApiKeyRow.id == key_id
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFoundError("API key", key_id, f"tenant {trow.slug!r} has no key {key_id!r}")
        return row

    # ------------------------------------------------------------------ authentication

    def authenticate(self, token: str) -> Principal | None:
        """The tenant principal for a valid key, else ``None`` (not ours, or not valid)."""
        if not token.startswith(KEY_PREFIX):
            return None
        digest = hash_key(token)
        now = utcnow()
        with store_errors(), session_scope(self.engine) as session:
            key_lookup_scope(session, digest)  # PostgreSQL shows this one key row, nothing else
            row = session.execute(
                select(TenantApiKeyRow).where(TenantApiKeyRow.key_hash == digest)
            ).scalar_one_or_none()
            if row is None or row.status != ApiKeyStatus.ACTIVE.value:
                return None
            tenant_scope(session, row.tenant_id)
            if row.expires_at is not None and row.expires_at <= now:
                self._touch(session, row.id, status=ApiKeyStatus.EXPIRED.value)
                return None
            tenant = session.get(TenantRow, row.tenant_id)
            if tenant is None or tenant.status != TenantStatus.ACTIVE or tenant.deleted_at:
                return None
            self._touch(session, row.id, last_used_at=now)
            return Principal(
                PrincipalKind.TENANT,
                subject_id=row.id,
                name=f"{tenant.slug}/{row.name}",
                tenant_id=row.tenant_id,
                token_id=row.id,
                permissions=_permissions(tuple(row.scopes or ())),
            )

    @staticmethod
    def _touch(session: Session, key_id: str, **values: object) -> None:
        """Usage bookkeeping without a new row version (a key's ETag is about its settings)."""
        if "last_used_at" in values:
            values["usage_count"] = TenantApiKeyRow.usage_count + 1
        session.execute(
            update(TenantApiKeyRow)
            .where(TenantApiKeyRow.id == key_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
