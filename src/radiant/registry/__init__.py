"""The registry: the snapshot, its queries and entries. The facade over the store is
:class:`radiant.registry.service.Registry`, imported from its module: this package's
names load no database library, so a reader of a cached snapshot (the CLI's read
commands) does not pay for one."""

from radiant.registry.entry import ModelEntry
from radiant.registry.query import ModelQuery
from radiant.registry.snapshot import Page, Snapshot

__all__ = ["ModelEntry", "ModelQuery", "Page", "Snapshot"]
