"""The selection engine: which route a request should go to, and why the others lost.

Pure functions over a :class:`radiant.registry.Snapshot` (see :mod:`.engine`); the
:class:`~radiant.selection.service.Selector` facade adds the registry, the markup book,
the fallback policy and the warm-up requests.
"""

from radiant.selection.criteria import HostingPreference, SelectionCriteria
from radiant.selection.engine import Candidate, Exclusion, Selection, select

__all__ = [
    "Candidate",
    "Exclusion",
    "HostingPreference",
    "Selection",
    "SelectionCriteria",
    "select",
]
