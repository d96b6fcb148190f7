"""What every service needs and nothing above it: who acts and in which request
(:mod:`radiant.core.context`: the write context, permission checks) and the audit log
that records what they did (:mod:`radiant.core.audit`).

It sits just above the store: pricing, tenants, selection, health, sync and
administration all import it, and it imports none of them.
"""

from radiant.core.audit import AuditQuery, list_audit, record_audit
from radiant.core.context import WriteContext, authorize

__all__ = ["AuditQuery", "WriteContext", "authorize", "list_audit", "record_audit"]
