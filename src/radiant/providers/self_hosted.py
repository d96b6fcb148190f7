"""How a self-hosted model's endpoint is named, in one place: the SageMaker adapter calls
the endpoint the thermal manager warms and scales, so both ask :func:`route_endpoint_name`.

The name is ``radiant-<model id>`` made a valid SageMaker name (letters, digits and
``-``, at most 63 characters); a route may name its own endpoint in its metadata,
``wire_options: {endpoint_name: ...}`` (what the adapter sees, in
:attr:`~radiant.providers.target.UpstreamTarget.options`) or, as older catalogs do, a
top-level ``endpoint_name``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ENDPOINT_PREFIX", "declared_endpoint_name", "endpoint_name", "route_endpoint_name"]

ENDPOINT_PREFIX = "radiant-"

_NAME = re.compile(r"[^a-zA-Z0-9]+")


def endpoint_name(model_id: str, prefix: str = ENDPOINT_PREFIX) -> str:
    """``radiant-<model>``, made a valid SageMaker name (letters, digits, ``-``)."""
    return (prefix + _NAME.sub("-", model_id)).strip("-")[:63]


def declared_endpoint_name(metadata: Mapping[str, Any]) -> str | None:
    """The endpoint a route's metadata names: ``wire_options.endpoint_name``, else a
    top-level ``endpoint_name``; None when it names none."""
    options = metadata.get("wire_options")
    for value in (
        options.get("endpoint_name") if isinstance(options, Mapping) else None,
        metadata.get("endpoint_name"),
    ):
        if isinstance(value, str) and value:
            return value
    return None


def route_endpoint_name(
    model_id: str, metadata: Mapping[str, Any], prefix: str = ENDPOINT_PREFIX
) -> str:
    """The endpoint of a self-hosted route of ``model_id``: the one its metadata names,
    else :func:`endpoint_name`."""
    return declared_endpoint_name(metadata) or endpoint_name(model_id, prefix)
