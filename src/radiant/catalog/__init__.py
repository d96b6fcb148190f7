"""Catalog files: the built-in catalog shipped in the package, and the loader for any catalog."""

from radiant.catalog.loader import Catalog, builtin_catalog_dir, load_catalog

__all__ = ["Catalog", "builtin_catalog_dir", "load_catalog"]
