"""One value per scalar query parameter: ``?limit=5&limit=50`` is ambiguous, so it is a 422.

FastAPI would silently keep the last value. List parameters (``capability=a&capability=b``)
may repeat as before.
"""

from __future__ import annotations

import collections.abc
import types
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request

from radiant.errors import ValidationError

__all__ = ["single_valued_query"]


#: route id -> names of its scalar query parameters (routes live as long as the app)
_SCALARS: dict[int, frozenset[str]] = {}


def _scalar_names(route: Any) -> frozenset[str]:
    names = _SCALARS.get(id(route))
    if names is None:
        dependant = getattr(route, "dependant", None)
        names = frozenset(
            field.alias
            for field in (_query_fields(dependant) if dependant is not None else ())
            if not _is_sequence(field.field_info.annotation)
        )
        _SCALARS[id(route)] = names
    return names


_SEQUENCES = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Set)


def _is_sequence(annotation: Any) -> bool:
    """``list[str]``, ``list[str] | None``, ``Annotated[list[str], ...]``: yes; scalars: no."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_sequence(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return any(_is_sequence(arg) for arg in get_args(annotation))
    return origin in _SEQUENCES or annotation in _SEQUENCES


def _query_fields(dependant: Any) -> list[Any]:
    fields = list(dependant.query_params)
    for sub in dependant.dependencies:
        fields.extend(_query_fields(sub))
    return fields


def single_valued_query(request: Request) -> None:
    """App-wide dependency: refuse a scalar query parameter given more than once."""
    if not request.query_params:
        return
    scalar = _scalar_names(request.scope.get("route"))
    repeated = sorted(name for name in scalar if len(request.query_params.getlist(name)) > 1)
    if repeated:
        raise ValidationError(f"query parameter(s) {', '.join(repeated)} may be given only once")
