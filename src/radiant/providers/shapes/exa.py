"""The Exa search wire, typed: ``POST {base}/search`` with ``x-api-key`` (the base is
``https://api.exa.ai``).

Field names follow Exa's API reference (exa.ai/docs, Search): camelCase, and page text
asked for under ``contents`` (``text``, ``highlights``, ``summary``).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

__all__ = ["Contents", "Result", "SearchRequest", "SearchResponse", "TextOptions"]


class TextOptions(TypedDict, total=False):
    maxCharacters: int


class Contents(TypedDict, total=False):
    text: bool | TextOptions
    highlights: bool
    summary: bool


class SearchRequest(TypedDict, total=False):
    query: str
    #: ``auto`` (the default), ``neural``, ``keyword``, ``fast``, ``deep``...
    type: str
    numResults: int
    includeDomains: list[str]
    excludeDomains: list[str]
    contents: Contents


class Result(TypedDict):
    url: str
    id: NotRequired[str]
    title: NotRequired[str | None]
    score: NotRequired[float | None]
    publishedDate: NotRequired[str | None]
    author: NotRequired[str | None]
    text: NotRequired[str]
    highlights: NotRequired[list[str]]
    summary: NotRequired[str]


class CostDollars(TypedDict, total=False):
    total: float


class SearchResponse(TypedDict):
    requestId: NotRequired[str]
    resolvedSearchType: NotRequired[str]
    results: list[Result]
    costDollars: NotRequired[CostDollars]
