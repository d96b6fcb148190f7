"""Tenant isolation: who a database transaction acts for, and row-level security.

Design (PostgreSQL; migrations 0002 and 0012 create the objects)::

    application session  --SET ROLE radiant_app-->  NOLOGIN role, no BYPASSRLS
         |                                           (tables FORCE row-level security)
         +-- tenant_scope(s, "t1")  radiant_enter_tenant('t1')  -> tenant t1's rows only,
         |                                                         sealed until commit
         +-- admin_scope(s)         app.admin_bypass = 'on'     -> every tenant's rows
         +-- key_lookup_scope(s, h) app.api_key_hash = h        -> the one key with hash h
         +-- (nothing)                                          -> no tenant rows at all

* **The role.** Superusers and BYPASSRLS roles ignore row-level security, and the owner
  of a table does too unless the table FORCEs it. So the application's engine runs its
  sessions as ``radiant_app`` (``Settings.database_role``; ``SET ROLE`` on connect, see
  :func:`radiant.store.engine.make_engine`), while migrations run as the owner. In
  production, a login role that is a member of ``radiant_app`` works the same without
  ``SET ROLE`` (then set ``RADIANT_DATABASE_ROLE=``); it is also the stronger choice,
  since a session that could run arbitrary SQL could ``RESET ROLE`` to a superuser
  login otherwise.
* **A tenant's transaction is sealed.** :func:`tenant_scope` calls the ``SECURITY
  DEFINER`` function ``radiant_enter_tenant()``, which records the tenant for this server
  process and transaction id in ``transaction_tenants``, a table the application's role
  cannot write. ``current_tenant_id()`` reads that row, and ``radiant_admin_bypass()`` is
  true only in a transaction that acts for no tenant. So SQL running in a tenant's
  transaction can neither switch the bypass on (``SET LOCAL app.admin_bypass``), nor
  name another tenant (a second ``radiant_enter_tenant`` with another id is refused),
  nor drop the seal; ``SET ROLE radiant_app`` changes nothing either. The seal ends with
  the transaction, so a pooled connection never carries one request's tenant into the
  next. What it does not stop: SQL that ends the transaction (``COMMIT``) and runs on
  in a new one, which acts for nobody; and ``RESET ROLE`` when the login role is a
  superuser. The bypass itself is a plain setting: the platform's own code (the meter,
  the billing jobs, administrators) turns it on in transactions that act for no tenant.
* **Fail closed.** Policies read ``tenant_id = current_tenant_id()``; with no seal the
  function is NULL and no row matches. Administrators get an explicit bypass
  (``radiant_admin_bypass()``) rather than a ``current_tenant_id() IS NULL OR`` in each policy:
  with that, code that forgets to scope its transaction would see every tenant, and a
  tenant-facing path that failed to set its tenant would leak everything. With the
  bypass, forgetting shows nothing, and all-tenant access exists only where trusted
  service code asks for it by name (:func:`scope_for` gives it to administrator
  principals only).
* **The platform's tables with tenant rows** (migration 0012): a tenant's transaction
  reads the global routing rules and its own, writes its own only, reads and inserts its
  own audit rows, and sees no administrator, token, invitation, approval request or
  approval policy. A transaction that acts for no tenant sees these tables whole.
* **Authentication** happens before the tenant is known; rather than the bypass, a
  narrow policy shows a key row only to a transaction that names its SHA-256 hash (that
  is, to whoever holds the key); the transaction then scopes itself to that key's tenant.
* **What a tenant may write.** Its own API keys and routing rules. Its tenant row and its
  model access (prices, limits) only an administrator changes.

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
    "SELECT set_config('app.admin_bypass', :bypass, true),"
    " set_config('app.api_key_hash', :key_hash, true)"
)
_ENTER_TENANT = text("SELECT radiant_enter_tenant(:tenant)")


def _apply(session: Session, *, tenant: str = "", bypass: str = "", key_hash: str = "") -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(_SET, {"bypass": bypass, "key_hash": key_hash})
    if tenant:
        session.execute(_ENTER_TENANT, {"tenant": tenant})


def tenant_scope(session: Session, tenant_id: str) -> None:
    """Until the transaction ends, ``session`` sees and writes ``tenant_id``'s rows only;
    on PostgreSQL nothing in that transaction can widen it again (another tenant raises)."""
    if not tenant_id:
        raise ValueError("tenant_scope needs a tenant id")
    _apply(session, tenant=tenant_id)


def admin_scope(session: Session) -> None:
    """Until the transaction ends, ``session`` sees every tenant's rows (trusted code only;
    no effect in a transaction that :func:`tenant_scope` sealed)."""
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
