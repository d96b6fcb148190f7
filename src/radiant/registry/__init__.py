"""The registry service: snapshot, queries and the facade."""

from radiant.registry.entry import ModelEntry
from radiant.registry.query import ModelQuery
from radiant.registry.service import Registry, build_snapshot
from radiant.registry.snapshot import Page, Snapshot

__all__ = ["ModelEntry", "ModelQuery", "Page", "Registry", "Snapshot", "build_snapshot"]
