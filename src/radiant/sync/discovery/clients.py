"""List-models clients: OpenAI-compatible platforms, Anthropic and Google Gemini.

Each takes an injected ``httpx2.AsyncClient`` (tests point it at fake servers on
127.0.0.1), the base URL and the key, and returns every model of every page. A body of
an unexpected shape raises :class:`~radiant.sync.discovery.http.UpstreamError`.
OpenRouter has its own module (:mod:`radiant.sync.discovery.openrouter`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2

from radiant.sync.discovery.http import RetryPolicy, UpstreamError, get_json
from radiant.sync.discovery.upstream import UpstreamModel

__all__ = [
    "MAX_PAGES",
    "OnPage",
    "as_int",
    "list_anthropic",
    "list_gemini",
    "list_openai_compatible",
    "model_items",
]

#: a listing longer than this many pages is taken for a loop in the upstream's cursor
MAX_PAGES = 1000
#: called after each page with the number of models it held
OnPage = Callable[[int], None]


def _noop(_count: int) -> None:
    return None


def model_items(body: Any, key: str, url: str, *, bare: bool = False) -> list[dict[str, Any]]:
    """The list of model objects under ``key`` (or, with ``bare``, the body itself when it
    is a list, as Together answers); every item must be an object."""
    items = body.get(key) if isinstance(body, dict) else body if bare else None
    if not isinstance(items, list):
        raise UpstreamError(f"GET {url}: unexpected shape (no {key!r} list)")
    for item in items:
        if not isinstance(item, dict):
            raise UpstreamError(f"GET {url}: unexpected shape (a model is not an object)")
    return items


def _string_id(item: dict[str, Any], field: str, url: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value.strip():
        raise UpstreamError(f"GET {url}: unexpected shape (a model without a string {field!r})")
    return value.strip()


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = int(value)
    return number if 0 < number <= 2**31 - 1 else None


def _text(value: Any) -> str | None:
    return value.strip()[:5000] or None if isinstance(value, str) else None


def _bearer(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


async def list_openai_compatible(
    client: httpx2.AsyncClient,
    base_url: str,
    api_key: str | None,
    *,
    policy: RetryPolicy | None = None,
    on_page: OnPage = _noop,
) -> tuple[list[UpstreamModel], int]:
    """``GET {base_url}/models`` with a bearer key: one page, ``{"data": [...]}``."""
    url = f"{base_url.rstrip('/')}/models"
    body = await get_json(client, url, headers=_bearer(api_key), policy=policy)
    models = []
    for item in model_items(body, "data", url, bare=True):
        upstream_id = _string_id(item, "id", url)
        models.append(
            UpstreamModel(
                upstream_id=upstream_id,
                display_name=_text(item.get("display_name") or item.get("name")),
                provider_hint=upstream_id.split("/", 1)[0] if "/" in upstream_id else None,
                context_window=as_int(item.get("context_length") or item.get("context_window")),
                raw=item,
            )
        )
    on_page(len(models))
    return models, 1


async def list_anthropic(
    client: httpx2.AsyncClient,
    base_url: str,
    api_key: str | None,
    *,
    policy: RetryPolicy | None = None,
    on_page: OnPage = _noop,
    page_size: int = 1000,
) -> tuple[list[UpstreamModel], int]:
    """``GET {base_url}/models`` (``x-api-key``, ``anthropic-version``), following
    ``has_more`` / ``last_id`` with ``after_id``."""
    url = f"{base_url.rstrip('/')}/models"
    headers = {"x-api-key": api_key or "", "anthropic-version": "2023-06-01"}
    models: list[UpstreamModel] = []
    after: str | None = None
    for page in range(1, MAX_PAGES + 1):
        params: dict[str, Any] = {"limit": page_size}
        if after is not None:
            params["after_id"] = after
        body = await get_json(client, url, headers=headers, params=params, policy=policy)
        items = model_items(body, "data", url)
        for item in items:
            models.append(
                UpstreamModel(
                    upstream_id=_string_id(item, "id", url),
                    display_name=_text(item.get("display_name")),
                    provider_hint="anthropic",
                    raw=item,
                )
            )
        on_page(len(items))
        if not body.get("has_more"):
            return models, page
        last = body.get("last_id")
        if not isinstance(last, str) or not last or last == after:
            raise UpstreamError(f"GET {url}: has_more without a new last_id")
        after = last
    raise UpstreamError(f"GET {url}: more than {MAX_PAGES} pages")


_GEMINI_CAPABILITIES = {
    "generateContent": "chat",
    "embedContent": "embedding",
    "predict": "image_generation",
    "bidiGenerateContent": "realtime",
}


def _gemini_model(item: dict[str, Any], url: str) -> UpstreamModel:
    name = _string_id(item, "name", url)
    methods = item.get("supportedGenerationMethods")
    methods = [m for m in methods if isinstance(m, str)] if isinstance(methods, list) else []
    return UpstreamModel(
        upstream_id=name.removeprefix("models/"),
        display_name=_text(item.get("displayName")),
        description=_text(item.get("description")),
        provider_hint="google",
        context_window=as_int(item.get("inputTokenLimit")),
        max_output_tokens=as_int(item.get("outputTokenLimit")),
        capabilities=sorted(
            {_GEMINI_CAPABILITIES[m] for m in methods if m in _GEMINI_CAPABILITIES}
        ),
        raw=item,
    )


async def list_gemini(
    client: httpx2.AsyncClient,
    base_url: str,
    api_key: str | None,
    *,
    policy: RetryPolicy | None = None,
    on_page: OnPage = _noop,
    page_size: int = 1000,
) -> tuple[list[UpstreamModel], int]:
    """``GET {base_url}/models`` (``x-goog-api-key`` header, so the key stays out of URLs
    and logs), following ``nextPageToken`` with ``pageToken``."""
    url = f"{base_url.rstrip('/')}/models"
    headers = {"x-goog-api-key": api_key or ""}
    models: list[UpstreamModel] = []
    token: str | None = None
    seen: set[str] = set()
    for page in range(1, MAX_PAGES + 1):
        params: dict[str, Any] = {"pageSize": page_size}
        if token:
            params["pageToken"] = token
        body = await get_json(client, url, headers=headers, params=params, policy=policy)
        if isinstance(body, dict) and "models" not in body and not body.get("nextPageToken"):
            body = {**body, "models": []}  # Gemini omits the list when it is empty
        items = model_items(body, "models", url)
        models.extend(_gemini_model(item, url) for item in items)
        on_page(len(items))
        token = body.get("nextPageToken")
        if not token:
            return models, page
        if not isinstance(token, str) or token in seen:
            raise UpstreamError(f"GET {url}: a nextPageToken that repeats or is not text")
        seen.add(token)
    raise UpstreamError(f"GET {url}: more than {MAX_PAGES} pages")
