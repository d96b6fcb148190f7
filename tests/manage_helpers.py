"""Helpers shared by the administration tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from radiant.catalog import load_catalog
from radiant.core.context import WriteContext
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.sync import sync_catalog


def admin(role: Role = Role.ADMIN, subject: str | None = None) -> Principal:
    return Principal(
        PrincipalKind.ADMIN,
        subject_id=subject or f"id-{role.value}",
        name=f"{subject or role.value}@example.test",
        role=role,
        permissions=ROLE_PERMISSIONS[role],
    )


def ctx(role: Role = Role.ADMIN, subject: str | None = None) -> WriteContext:
    return WriteContext(admin(role, subject), client_address="127.0.0.1")


def seed(engine: Engine, catalog_dir: Path) -> None:
    sync_catalog(engine, load_catalog(catalog_dir), source="test")
