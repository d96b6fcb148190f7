"""Request bodies that take JSON types as the OpenAPI document states them.

Pydantic's lax mode turns ``"5"`` or ``true`` into the integer 5 or 1 and ``"yes"`` into
``True``; the API documents ``integer`` and ``boolean`` and must reject those. The
registry's domain objects stay lax (a catalog or a database row may hand them any number
type), and the API takes them through :func:`strict_input`: the same class, with every
integer, boolean and float field (nested objects included) made strict. Validators and
constraints carry over; an integer still passes where a float is asked for. Shapes that
only ever arrive as requests (selection criteria, rule conditions, the API's own bodies)
declare strict types themselves.
"""

from __future__ import annotations

import types
import typing
from copy import copy
from functools import cache
from typing import Annotated, Any, TypeVar, Union

from pydantic import BaseModel, StrictBool, StrictFloat, StrictInt, create_model

__all__ = ["strict_annotation", "strict_input"]

M = TypeVar("M", bound=BaseModel)

_STRICT: dict[Any, Any] = {int: StrictInt, bool: StrictBool, float: StrictFloat}


def strict_annotation(annotation: Any) -> Any:
    """``annotation`` with ``int``, ``bool`` and ``float`` made strict, at any depth."""
    if annotation in _STRICT:
        return _STRICT[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return strict_input(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is None or not args:
        return annotation
    if origin is Annotated:
        return Annotated[(strict_annotation(args[0]), *annotation.__metadata__)]
    strict_args = tuple(strict_annotation(arg) for arg in args)
    if strict_args == args:
        return annotation
    if origin in (Union, types.UnionType):
        return Union[strict_args]  # noqa: UP007 - built at run time from a tuple
    return origin[strict_args]


@cache
def strict_input(model: type[M]) -> type[M]:
    """A subclass of ``model`` (same name) whose number and boolean fields are strict."""
    overrides: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = strict_annotation(info.annotation)
        if annotation is not info.annotation:
            overrides[name] = (annotation, copy(info))
    if not overrides:
        return model
    strict: type[M] = create_model(
        model.__name__, __base__=model, __module__=model.__module__, **overrides
    )
    return strict
