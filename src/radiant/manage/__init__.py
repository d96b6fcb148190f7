"""Administration services: registry writes, approvals, administrators.

Interfaces (API routers, CLI commands) call these; each write runs in one transaction
that checks the caller's permission and the resource's version, validates through the
domain model, writes an audit row (:mod:`radiant.core.audit`) and bumps the registry
version.
"""
