"""Who is calling: a tenant API key, verified once and then remembered for a few seconds.

:meth:`AccountCache.account` answers from memory on the hot path. A key not seen in the
last ``ttl`` seconds is verified by :meth:`radiant.tenants.ApiKeyService.authenticate`
(revoked, expired, suspended tenants: no account) and its tenant's tier, the key's rate
limits and the tenant's model grants (with their terms and rpm/tpm limits) are read with
it, in a worker thread. A revoked key
therefore stops working within ``ttl`` seconds (default 10). Only the key's SHA-256 is
kept in memory, never the key.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from radiant.domain.tenant import TenantModelAccess
from radiant.errors import AuthenticationError
from radiant.pricing import store as pricing_store
from radiant.registry import ModelEntry
from radiant.security import Principal
from radiant.store.repository import store_errors
from radiant.store.tenant_tables import TenantApiKeyRow, TenantRow
from radiant.tenants import ApiKeyService, admin_scope, hash_key

__all__ = ["Account", "AccountCache", "bearer_token"]


@dataclass(frozen=True, slots=True)
class Account:
    """A verified tenant key, with what the gateway needs to serve and bill it."""

    principal: Principal
    key_id: str
    tenant_id: str
    tenant_slug: str
    tier: int
    rate_limit_rpm: int | None
    rate_limit_tpm: int | None
    #: the tenant's grants by model id (enabled or not), with their rpm/tpm limits
    access: Mapping[str, TenantModelAccess]
    #: what the key may be used for (empty: every scope)
    scopes: frozenset[str] = frozenset()

    def may_use(self, entry: ModelEntry) -> bool:
        """Granted, enabled, and within the tenant's tier."""
        grant = self.access.get(entry.id)
        return grant is not None and grant.enabled and entry.model.min_tier <= self.tier

    def terms(self, model_id: str) -> TenantModelAccess | None:
        return self.access.get(model_id)


def bearer_token(authorization: str | None) -> str:
    """The key of an ``Authorization: Bearer ...`` header; 401 without one."""
    if not authorization:
        raise AuthenticationError("an API key is required: Authorization: Bearer rtk_...")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("the Authorization header must be 'Bearer <API key>'")
    return token


class AccountCache:
    def __init__(
        self, engine: Engine, *, ttl: float = 10.0, negative_ttl: float = 2.0, size: int = 10_000
    ) -> None:
        self.engine = engine
        self.keys = ApiKeyService(engine)
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self.size = size
        self._known: dict[str, tuple[float, Account | None]] = {}
        self._pending: dict[str, asyncio.Future[Account | None]] = {}

    async def account(self, token: str) -> Account:
        """The account of ``token``; AuthenticationError (401) for a key that is not valid."""
        digest = hash_key(token)
        now = time.monotonic()
        hit = self._known.get(digest)
        if hit is not None and hit[0] > now:
            found = hit[1]
        else:
            found = await self._verify(digest, token)
        if found is None:
            raise AuthenticationError("the API key is not valid (unknown, revoked or expired)")
        return found

    async def _verify(self, digest: str, token: str) -> Account | None:
        pending = self._pending.get(digest)
        if pending is not None:  # another request is verifying this key: wait for it
            return await asyncio.shield(pending)
        future: asyncio.Future[Account | None] = asyncio.get_running_loop().create_future()
        self._pending[digest] = future
        try:
            found = await asyncio.to_thread(self.load, token)
            ttl = self.ttl if found is not None else self.negative_ttl
            if len(self._known) >= self.size:
                self._known.clear()
            self._known[digest] = (time.monotonic() + ttl, found)
            future.set_result(found)
            return found
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            del self._pending[digest]

    def forget(self) -> None:
        """Verify every key again on its next use (e.g. after a grant changed)."""
        self._known.clear()

    def load(self, token: str) -> Account | None:
        """Verify ``token`` and read its account (blocking: the database)."""
        principal = self.keys.authenticate(token)
        if principal is None or principal.tenant_id is None:
            return None
        with store_errors(), Session(self.engine) as session:
            admin_scope(session)  # trusted: the key was verified above
            key = session.get(TenantApiKeyRow, principal.token_id)
            tenant = session.get(TenantRow, principal.tenant_id)
            if key is None or tenant is None:
                return None
            limits = (key.rate_limit_rpm, key.rate_limit_tpm)
            slug, tier = tenant.slug, tenant.tier
            key_id, scopes = key.id, frozenset(key.scopes or ())
        access = pricing_store.tenant_access_all(self.engine, principal.tenant_id)
        return Account(principal, key_id, principal.tenant_id, slug, tier, *limits, access, scopes)
