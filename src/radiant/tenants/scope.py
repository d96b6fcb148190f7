"""Tenant isolation: who a database transaction acts for, and row-level security.

Design (PostgreSQL; migration 0002 creates the objects)::

    application session  --SET ROLE radiant_app-->  NOLOGIN role, no BYPASSRLS
         |                                           (tables FORCE row-level security)
         +-- tenant_scope(s, "t1")  app.current_tenant_id = 't1'   -> tenant t1's rows only
         +-- admin_scope(s)         app.admin_bypass = 'on'        -> every tenant's rows
         +-- key_lookup_scope(s, h) app.api_key_hash = h           -> the one key with hash h
         +-- (nothing)                                             -> no tenant rows at all

* **The role.** Superusers and BYPASSRLS roles ignore row-level security, and the owner
  of a table does too unless the table FORCEs it. So the application's engine runs its
  sessions as ``radiant_app`` (``Settings.database_role``; ``SET ROLE`` on connect, see
  :func:`radiant.store.engine.make_engine`), while migrations run as the owner. In
  production, a login role that is a member of ``radiant_app`` works the same without
  ``SET ROLE`` (then set ``RADIANT_DATABASE_ROLE=``); it is also the stronger choice,
  since a session that could run arbitrary SQL could ``RESET ROLE`` otherwise.
* **Per transaction.** Every setting is written with ``set_config(name, value, true)``
  (``SET LOCAL``): it ends with the transaction, so a pooled connection never carries
  one request's tenant into the next. Each scope also clears the other settings.
* **Fail closed.** Policies read ``tenant_id = current_tenant_id()``; with no setting the
  function is NULL and no row matches. Administrators get an explicit bypass
  (``radiant_admin_bypass()``) rather than the seed's ``current_tenant_id() IS NULL OR``:
  with that, code that forgets to scope its transaction would see every tenant, and a
  tenant-facing path that failed to set its tenant would leak everything. With the
  bypass, forgetting shows nothing, and all-tenant access exists only where trusted
  service code asks for it by name (:func:`scope_for` gives it to administrator
  principals only). Neither setting is a secret: row-level security here protects
  against application mistakes, not against an attacker who can run SQL as the app.
* **Authentication** happens before the tenant is known; rather than the bypass, a
  narrow policy shows a key row only to a transaction that names its SHA-256 hash (that
  is, to whoever holds the key); the transaction then scopes itself to that key's tenant.
* **What a tenant may write.** Its own API keys. Its tenant row and its model access
  (prices, limits) only an administrator changes.

SQLite has no row-level security: there these functions do nothing and the services
filter by tenant themselves (they do so on PostgreSQL too; the policies are the net).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from radiant.errors import PermissionDeniedError
from radiant.security import Principal, PrincipalKind

__all__ = ["admin_scope", "key_lookup_scope", "scope_for", "tenant_scope"]

_SET = text(
    "SELECT set_config('app.current_tenant_id', :tenant, true),"
    " set_config('app.admin_bypass', :bypass, true),"
    " set_config('app.api_key_hash', :key_hash, true)"
)


def _apply(session: Session, *, tenant: str = "", bypass: str = "", key_hash: str = "") -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(_SET, {"tenant": tenant, "bypass": bypass, "key_hash": key_hash})


def tenant_scope(session: Session, tenant_id: str) -> None:
    """Until the transaction ends, ``session`` sees and writes ``tenant_id``'s rows only."""
    if not tenant_id:
        raise ValueError("tenant_scope needs a tenant id")
    _apply(session, tenant=tenant_id)


def admin_scope(session: Session) -> None:
    """Until the transaction ends, ``session`` sees every tenant's rows (trusted code only)."""
    _apply(session, bypass="on")


def key_lookup_scope(session: Session, key_hash: str) -> None:
    """Until the transaction ends, ``session`` sees the one API key whose hash is ``key_hash``."""
    _apply(session, key_hash=key_hash)


def scope_for(session: Session, principal: Principal) -> None:
    """Scope the transaction to what ``principal`` may see: a tenant, or (admins) all."""
    if principal.kind is PrincipalKind.ADMIN and principal.tenant_id is None:
        admin_scope(session)
    elif principal.tenant_id is not None:
        tenant_scope(session, principal.tenant_id)
    else:
        raise PermissionDeniedError(f"{principal.name} may not read tenant data")
