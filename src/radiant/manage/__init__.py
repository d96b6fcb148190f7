"""Administration services: registry writes, audit log, approvals, administrators.

Interfaces (API routers, CLI commands) call these; each write runs in one transaction
that checks the caller's permission and the resource's version, validates through the
domain model, writes an audit row and bumps the registry version.
"""

from radiant.manage.audit import AuditQuery, list_audit, record_audit
from radiant.manage.context import WriteContext, authorize

__all__ = ["AuditQuery", "WriteContext", "authorize", "list_audit", "record_audit"]
