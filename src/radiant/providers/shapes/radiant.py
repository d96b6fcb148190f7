"""The bodies of the ``/v1`` endpoints OpenAI has no door for, in the shape Radiant
answers whatever the upstream speaks.

* ``POST /v1/rerank`` — Cohere's v2 rerank shape (:class:`RerankParams` in,
  :class:`RerankResponse` out), which Voyage's answer is translated into;
* ``POST /v1/search`` — a web search (:class:`SearchParams`, :class:`SearchResponse`),
  what Exa and Tavily both answer;
* ``POST /v1/3d`` and ``GET /v1/3d/{id}`` — a 3D model job (:class:`Model3DParams`,
  :class:`Model3D`), polled like a video (Meshy, Tripo, self-hosted Point-E);
* ``POST /v1/inference`` — a self-hosted model's own JSON (:class:`InferenceParams`,
  :class:`InferenceResult`): the scientific, geospatial and medical models whose
  containers take no chat, embedding or image request.
"""

from __future__ import annotations

from typing import Literal, NotRequired, Required, TypeAlias

from typing_extensions import TypedDict

from radiant.providers.shapes import JSONObject

__all__ = [
    "InferenceParams",
    "InferenceResult",
    "JobStatus",
    "Model3D",
    "Model3DParams",
    "RerankParams",
    "RerankResponse",
    "RerankResult",
    "RerankUnits",
    "SearchParams",
    "SearchResponse",
    "SearchResult",
]

#: the states of an asynchronous job (videos, 3D models): the last two do not change
JobStatus: TypeAlias = Literal["queued", "in_progress", "completed", "failed"]


class RerankParams(TypedDict, total=False):
    """``POST /v1/rerank`` (Cohere v2): score ``documents`` against ``query``."""

    model: str
    query: Required[str]
    documents: Required[list[str]]
    #: how many of the best to answer (default: all)
    top_n: int
    max_tokens_per_doc: int


class RerankResult(TypedDict):
    #: the document's position in the request
    index: int
    relevance_score: float


class RerankUnits(TypedDict, total=False):
    #: Cohere bills rerank in search units (a query and up to 100 documents each)
    search_units: int
    #: Voyage bills rerank in tokens
    input_tokens: int


class RerankMeta(TypedDict, total=False):
    billed_units: RerankUnits


class RerankResponse(TypedDict):
    id: str
    #: best first
    results: list[RerankResult]
    meta: NotRequired[RerankMeta]


class SearchParams(TypedDict, total=False):
    """``POST /v1/search``: a web search for an agent or a RAG pipeline."""

    model: str
    query: Required[str]
    #: 1-20 (default 5)
    max_results: int
    include_domains: list[str]
    exclude_domains: list[str]


class SearchResult(TypedDict):
    title: str
    url: str
    #: the page's text or the snippet the search engine chose
    content: str
    score: NotRequired[float | None]
    published_date: NotRequired[str | None]


class SearchResponse(TypedDict):
    object: Literal["search.results"]
    query: str
    results: list[SearchResult]


class Model3DParams(TypedDict, total=False):
    """``POST /v1/3d``: a text prompt or a reference image (URL) to a 3D model."""

    model: str
    prompt: str
    image_url: str
    #: ``glb`` (default), ``fbx``, ``obj``, ``usdz``, ``ply``
    format: str


class Model3DError(TypedDict):
    code: str
    message: str | None


class Model3D(TypedDict):
    """A 3D model job: ``status`` ``queued``, ``in_progress``, ``completed`` or ``failed``;
    a completed one has ``url`` (the upstream's link to the file) and ``format``."""

    id: str
    object: Literal["3d_model"]
    model: str
    status: JobStatus
    created_at: int
    progress: NotRequired[int]
    url: NotRequired[str]
    format: NotRequired[str]
    #: every file the upstream made, by format (``glb``, ``fbx``...)
    files: NotRequired[dict[str, str]]
    error: NotRequired[Model3DError | None]


class InferenceParams(TypedDict, total=False):
    """``POST /v1/inference``: ``input`` is sent to the model's container as it is (the
    JSON its family's format declares)."""

    model: str
    input: Required[JSONObject]


class InferenceResult(TypedDict):
    object: Literal["inference"]
    model: str
    #: what the container answered (a JSON object; other JSON is ``{"result": ...}``)
    output: JSONObject
    #: seconds the endpoint worked on it (self-hosted routes are priced by compute time)
    usage: NotRequired[dict[str, float]]
