"""Web search wires behind ``POST /v1/search`` (:class:`SearchParams` in,
:class:`SearchResponse` out; one call is one search request to bill):

* ``exa``: ``POST {base}/search`` with ``x-api-key`` (the base is ``https://api.exa.ai``);
  ``max_results`` as ``numResults``, the domain lists as ``includeDomains`` /
  ``excludeDomains``, page text asked for under ``contents.text`` (at most
  ``wire_options.max_characters``, default :data:`EXA_MAX_CHARACTERS`); the route's model
  string is Exa's search ``type`` when it names one (``auto``, ``neural``, ``fast``...).
  A result's ``content`` is its text, else its highlights, else its summary.
* ``tavily``: ``POST {base}/search`` with ``Authorization: Bearer`` (the base is
  ``https://api.tavily.com``); the names are Radiant's already, and the model string is
  Tavily's ``search_depth`` when it names one (``basic`` or ``advanced``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from radiant.providers.adapter import WireAdapter
from radiant.providers.capabilities import ProviderCapabilities
from radiant.providers.errors import protocol_error
from radiant.providers.shapes import exa, tavily
from radiant.providers.shapes.radiant import SearchParams, SearchResponse, SearchResult

__all__ = ["EXA_MAX_CHARACTERS", "EXA_TYPES", "ExaAdapter", "TavilyAdapter"]

#: the search types Exa takes as ``type``
EXA_TYPES = frozenset({"auto", "neural", "keyword", "fast", "instant", "deep"})
#: page text asked for per Exa result, unless the route says
EXA_MAX_CHARACTERS = 2000
#: Radiant's default number of results
DEFAULT_RESULTS = 5


def _results(provider: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    raw = payload.get("results")
    if not isinstance(raw, list):
        raise protocol_error(provider, "a search answer without results", str(payload)[:500])
    return [r for r in raw if isinstance(r, dict) and isinstance(r.get("url"), str)]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _score(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class _SearchAdapter(WireAdapter):
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(search=True)

    def _answer(self, body: SearchParams, results: list[SearchResult]) -> SearchResponse:
        return {"object": "search.results", "query": body["query"], "results": results}


class ExaAdapter(_SearchAdapter):
    wire: ClassVar[str] = "exa"
    key_header: ClassVar[str] = "x-api-key"
    key_scheme: ClassVar[str] = ""

    def _request(self, body: SearchParams) -> exa.SearchRequest:
        characters = int(self.target.options.get("max_characters") or EXA_MAX_CHARACTERS)
        request: exa.SearchRequest = {
            "query": body["query"],
            "numResults": int(body.get("max_results") or DEFAULT_RESULTS),
            "contents": {"text": {"maxCharacters": characters}},
        }
        if self.target.model in EXA_TYPES:
            request["type"] = self.target.model
        if body.get("include_domains"):
            request["includeDomains"] = list(body["include_domains"])
        if body.get("exclude_domains"):
            request["excludeDomains"] = list(body["exclude_domains"])
        return request

    async def search(self, body: SearchParams) -> SearchResponse:
        self.require("search")
        payload = await self.call.json(
            "POST",
            f"{self.target.base_url}/search",
            headers=self.headers,
            json_body=self._request(body),
        )
        results: list[SearchResult] = []
        for item in _results(self.name, payload):
            highlights = item.get("highlights")
            joined = (
                " … ".join(h for h in highlights if isinstance(h, str))
                if isinstance(highlights, list)
                else ""
            )
            content = _text(item.get("text")) or joined or _text(item.get("summary"))
            results.append(
                {
                    "title": _text(item.get("title")),
                    "url": item["url"],
                    "content": content,
                    "score": _score(item.get("score")),
                    "published_date": item.get("publishedDate") or None,
                }
            )
        return self._answer(body, results)


class TavilyAdapter(_SearchAdapter):
    wire: ClassVar[str] = "tavily"

    def _request(self, body: SearchParams) -> tavily.SearchRequest:
        request: tavily.SearchRequest = {
            "query": body["query"],
            "max_results": int(body.get("max_results") or DEFAULT_RESULTS),
        }
        if self.target.model in ("basic", "advanced"):
            request["search_depth"] = "advanced" if self.target.model == "advanced" else "basic"
        if body.get("include_domains"):
            request["include_domains"] = list(body["include_domains"])
        if body.get("exclude_domains"):
            request["exclude_domains"] = list(body["exclude_domains"])
        return request

    async def search(self, body: SearchParams) -> SearchResponse:
        self.require("search")
        payload = await self.call.json(
            "POST",
            f"{self.target.base_url}/search",
            headers=self.headers,
            json_body=self._request(body),
        )
        results: list[SearchResult] = [
            {
                "title": _text(item.get("title")),
                "url": item["url"],
                "content": _text(item.get("content")),
                "score": _score(item.get("score")),
                "published_date": item.get("published_date") or None,
            }
            for item in _results(self.name, payload)
        ]
        return self._answer(body, results)
