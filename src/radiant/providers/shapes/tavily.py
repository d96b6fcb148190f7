"""The Tavily search wire, typed: ``POST {base}/search`` with ``Authorization: Bearer``
(the base is ``https://api.tavily.com``).

Field names follow Tavily's API reference (docs.tavily.com, Search). A ``basic`` search
costs one API credit, an ``advanced`` one two.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

__all__ = ["Result", "SearchRequest", "SearchResponse"]


class SearchRequest(TypedDict, total=False):
    query: str
    search_depth: Literal["basic", "advanced"]
    topic: Literal["general", "news", "finance"]
    #: 0-20 (default 5)
    max_results: int
    include_domains: list[str]
    exclude_domains: list[str]
    include_answer: bool
    include_raw_content: bool


class Result(TypedDict):
    title: str
    url: str
    #: the snippet Tavily chose
    content: str
    score: NotRequired[float]
    raw_content: NotRequired[str | None]
    #: ``topic: news`` only
    published_date: NotRequired[str]


class SearchResponse(TypedDict):
    query: NotRequired[str]
    answer: NotRequired[str | None]
    results: list[Result]
    response_time: NotRequired[float | str]
    request_id: NotRequired[str]
