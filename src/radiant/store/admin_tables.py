"""Administration tables: administrators, tokens, invitations, audit log, approvals."""

from __future__ import annotations

__all__: list[str] = []
