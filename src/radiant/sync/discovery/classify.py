"""Which upstream models the registry already knows, which routes a listing saw, and
which models are new: a pure function over a snapshot.

An upstream id is known when it is the model string of a route on that platform (of a
provider the listing covers), or any name of a model (id, alias, ``provider/name``, a
dated id of an undated model: :meth:`Snapshot.find`) that has a route there. A known
model without a route there is new as a route; anything else is a new model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from radiant.sync.discovery.targets import Target
from radiant.sync.discovery.upstream import Listing, UpstreamModel

if TYPE_CHECKING:
    from radiant.registry.snapshot import Snapshot

__all__ = ["Classified", "classify", "normalize"]


def normalize(model_string: str) -> str:
    """Upstream ids and model strings compared case-insensitively, Gemini's ``models/``
    prefix dropped."""
    return model_string.strip().removeprefix("models/").casefold()


@dataclass
class Classified:
    #: every route on the platform this listing speaks for: route id -> model id
    in_scope: dict[str, str] = field(default_factory=dict)
    #: route ids the listing named (directly or through a model name)
    seen: set[str] = field(default_factory=set)
    #: new upstream models, each with the id of a known model when only the route is new
    new: list[tuple[UpstreamModel, str | None]] = field(default_factory=list)
    #: upstream ids that are registered: upstream id -> model id
    known: dict[str, str] = field(default_factory=dict)


def classify(target: Target, listing: Listing, snapshot: Snapshot) -> Classified:
    out = Classified()
    by_string: dict[str, list[str]] = {}
    route_of_model: dict[str, str] = {}
    for entry in snapshot.entries:
        if not target.covers(entry.model.provider_id):
            continue
        for route in entry.routes:
            if route.platform_id != target.platform_id:
                continue
            out.in_scope[route.id] = route.model_id
            by_string.setdefault(normalize(route.model_string), []).append(route.id)
            route_of_model[route.model_id] = route.id
    for model in listing.models:
        routes = by_string.get(normalize(model.upstream_id))
        if routes:
            out.seen.update(routes)
            out.known[model.upstream_id] = out.in_scope[routes[0]]
            continue
        match = snapshot.find(model.upstream_id) or snapshot.find(normalize(model.upstream_id))
        if match is not None and match.model.id in route_of_model:
            out.seen.add(route_of_model[match.model.id])
            out.known[model.upstream_id] = match.model.id
            continue
        out.new.append((model, None if match is None else match.model.id))
    return out
