"""Fake media provider APIs for the image, video and 3D adapter tests (not a test module).

One factory per provider; each returns a Starlette app that serves the provider's own
paths **at its root**, checks the credential header as the real API does (401
otherwise), finishes a job after ``state.polls`` status polls (or fails it when
``state.fails``), serves the finished file from ``/files/{name}`` of its own (URLs are
built from the request, so an app mounted under a prefix links under that prefix) and
records every request in the shared :class:`MediaState`. ``state.script`` queues error
statuses answered before the normal answers (``(429, "2")``: status and Retry-After).

The base URL to give the adapter, for an app served at ``server`` (add the prefix when
the app is mounted, e.g. ``f"{server}/runway/v1"``):

============================  ===================================  ====================
factory                       base URL                             credential
============================  ===================================  ====================
``stability_app(state)``      ``f"{server}"``                      ``KEY`` (bearer)
``replicate_app(state)``      ``f"{server}"``                      ``KEY`` (bearer)
``ideogram_app(state)``       ``f"{server}"``                      ``KEY`` (``Api-Key``)
``runway_app(state)``         ``f"{server}/v1"``                   ``KEY`` (bearer)
``luma_app(state)``           ``f"{server}/dream-machine/v1"``     ``KEY`` (bearer)
``kling_app(state)``          ``f"{server}/v1"``                   ``KLING_KEY`` (JWT)
``fal_app(state)``            ``f"{server}"``                      ``KEY`` (``Key``)
``meshy_app(state)``          ``f"{server}/openapi"``              ``KEY`` (bearer)
``tripo_app(state)``          ``f"{server}/v2/openapi"``           ``KEY`` (bearer)
============================  ===================================  ====================
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from providers_fakes import KEY, Seen, _multipart

__all__ = [
    "KEY",
    "GLB",
    "KLING_KEY",
    "MediaState",
    "PNG",
    "VIDEO",
    "fal_app",
    "ideogram_app",
    "kling_app",
    "luma_app",
    "meshy_app",
    "replicate_app",
    "runway_app",
    "stability_app",
    "tripo_app",
]

#: Kling's credential: ACCESS_KEY:SECRET_KEY
KLING_KEY = "ak-test:sk-test-secret-at-least-32-bytes-long"
VIDEO = b"\x00\x00\x00\x18ftypmp42fake-video"
GLB = b"glTF\x02\x00\x00\x00fake-model"
PNG = b"\x89PNG\r\n\x1a\nfake-image"

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class MediaState:
    """What every fake shares: its knobs and what it received."""

    #: status polls before a job is done
    polls: int = 2
    #: whether a finished job failed
    fails: bool = False
    #: (status, Retry-After or None) answered before normal answers
    script: list[tuple[int, str | None]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    #: job id -> how many times its status was asked
    jobs: dict[str, int] = field(default_factory=dict)
    #: job id -> what it was started with (the body the fake received)
    started: dict[str, Any] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_job(self, prefix: str, body: Any) -> str:
        job = f"{prefix}-{next(self._ids)}"
        self.jobs[job], self.started[job] = 0, body
        return job

    def poll(self, job: str) -> str:
        """``"running"`` until the job has been polled ``polls`` times, then ``"done"`` or
        ``"failed"``; raises KeyError for a job nobody started."""
        self.jobs[job] += 1
        if self.jobs[job] < self.polls:
            return "running"
        return "failed" if self.fails else "done"

    def progress(self, job: str) -> float:
        return min(1.0, self.jobs[job] / max(self.polls, 1))

    def posted(self, path_end: str) -> Seen:
        return next(s for s in self.seen if s.path.endswith(path_end))


def base_of(request: Request) -> str:
    """The URL the app is served at (its mount prefix included)."""
    return f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"


async def _record(request: Request) -> Any:
    state: MediaState = request.app.state.media
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    body: Any = None
    if content_type.startswith("multipart/"):
        body = _multipart(content_type, raw)
    elif raw and content_type.startswith("application/json"):
        body = json.loads(raw)
    state.seen.append(
        Seen(request.url.path, dict(request.headers), dict(request.query_params), body)
    )
    return body


def _app(
    state: MediaState,
    routes: list[tuple[str, Handler, list[str]]],
    authorized: Callable[[Request], bool],
    denied: dict[str, Any],
    file_type: str,
    content: bytes,
) -> Starlette:
    """An app of ``routes`` behind a credential check and the scripted troubles, with
    ``/files/{name}`` serving ``content``."""

    def guard(handler: Handler) -> Handler:
        async def checked(request: Request) -> Response:
            body = await _record(request)
            request.state.body = body
            if not authorized(request):
                return JSONResponse(denied, status_code=401)
            if state.script:
                status, retry_after = state.script.pop(0)
                headers = {"retry-after": retry_after} if retry_after else {}
                return JSONResponse({"message": "trouble"}, status_code=status, headers=headers)
            return await handler(request)

        return checked

    async def files(request: Request) -> Response:
        await _record(request)
        return Response(content, media_type=file_type)

    app = Starlette(
        routes=[Route("/files/{name}", files)]
        + [Route(path, guard(handler), methods=methods) for path, handler, methods in routes]
    )
    app.state.media = state
    return app


def _bearer(key: str) -> Callable[[Request], bool]:
    return lambda request: request.headers.get("authorization") == f"Bearer {key}"


def _file(request: Request, name: str) -> str:
    return f"{base_of(request)}/files/{name}"


# ----------------------------------------------------------------------------- images


def stability_app(state: MediaState) -> Starlette:
    """Stable Image v2beta (multipart, ``accept: application/json``) and v1 SDXL."""

    async def stable_image(request: Request) -> Response:
        form = request.state.body
        if not isinstance(form, dict) or "prompt" not in form:
            return JSONResponse({"errors": ["prompt: required"], "name": "bad_request"}, 400)
        if request.headers.get("accept") != "application/json":
            return Response(PNG, media_type="image/png")
        image = base64.b64encode(PNG + request.path_params["service"].encode()).decode()
        return JSONResponse({"image": image, "finish_reason": "SUCCESS", "seed": 7})

    async def sdxl(request: Request) -> Response:
        samples = int(request.state.body.get("samples", 1))
        artifacts = [
            {"base64": base64.b64encode(PNG).decode(), "seed": i, "finishReason": "SUCCESS"}
            for i in range(samples)
        ]
        return JSONResponse({"artifacts": artifacts})

    return _app(
        state,
        [
            ("/v2beta/stable-image/generate/{service}", stable_image, ["POST"]),
            ("/v1/generation/{engine}/text-to-image", sdxl, ["POST"]),
        ],
        _bearer(KEY),
        {"name": "unauthorized", "errors": ["authorization: invalid"]},
        "image/png",
        PNG,
    )


def replicate_app(state: MediaState) -> Starlette:
    """Predictions: done at once under ``Prefer: wait`` when ``state.polls`` is 0, else
    ``starting`` and polled. FLUX "pro" models answer one URL, the others a list."""

    def prediction(request: Request, job: str, status: str) -> dict[str, Any]:
        started = state.started[job]
        model = started["model"]
        answer: dict[str, Any] = {"id": job, "model": model, "status": status, "error": None}
        answer["urls"] = {"get": f"{base_of(request)}/v1/predictions/{job}"}
        if status == "succeeded":
            count = int(started["input"].get("num_outputs", 1))
            urls = [_file(request, f"{job}-{i}.webp") for i in range(count)]
            answer["output"] = urls[0] if "pro" in model else urls
        elif status == "failed":
            answer["error"] = "NSFW content detected"
        return answer

    async def create(request: Request) -> Response:
        model = f"{request.path_params['owner']}/{request.path_params['name']}"
        job = state.new_job("pred", {**request.state.body, "model": model})
        if request.headers.get("prefer") == "wait" and state.polls == 0:
            return JSONResponse(prediction(request, job, "failed" if state.fails else "succeeded"))
        return JSONResponse(prediction(request, job, "starting"), status_code=201)

    async def get(request: Request) -> Response:
        job = request.path_params["id"]
        if job not in state.jobs:
            return JSONResponse({"detail": "Not found."}, 404)
        done = {"running": "processing", "done": "succeeded", "failed": "failed"}
        return JSONResponse(prediction(request, job, done[state.poll(job)]))

    return _app(
        state,
        [
            ("/v1/models/{owner}/{name}/predictions", create, ["POST"]),
            ("/v1/predictions/{id}", get, ["GET"]),
        ],
        _bearer(KEY),
        {"title": "Unauthenticated", "detail": "You did not pass a valid authentication token"},
        "image/webp",
        PNG,
    )


def ideogram_app(state: MediaState) -> Starlette:
    """``POST /generate`` with ``Api-Key``; ``num_images`` temporary URLs."""

    async def generate(request: Request) -> Response:
        image_request = request.state.body["image_request"]
        count = int(image_request.get("num_images", 1))
        data = [
            {
                "url": _file(request, f"ideo-{i}.png"),
                "prompt": image_request["prompt"],
                "resolution": "1024x1024",
                "seed": i,
                "is_image_safe": True,
            }
            for i in range(count)
        ]
        return JSONResponse({"created": "2024-12-01T00:00:00Z", "data": data})

    return _app(
        state,
        [("/generate", generate, ["POST"])],
        lambda request: request.headers.get("api-key") == KEY,
        {"detail": "Invalid API key"},
        "image/png",
        PNG,
    )


# ----------------------------------------------------------------------------- video


def runway_app(state: MediaState) -> Starlette:
    """``/v1/image_to_video``, ``/v1/text_to_video`` and ``/v1/tasks/{id}``; refuses a call
    without ``X-Runway-Version`` (400) as Runway does."""

    async def create(request: Request) -> Response:
        if not request.headers.get("x-runway-version"):
            return JSONResponse({"error": "X-Runway-Version header is required"}, 400)
        return JSONResponse({"id": state.new_job("task", request.state.body)})

    async def task(request: Request) -> Response:
        job = request.path_params["id"]
        if job not in state.jobs:
            return JSONResponse({"error": "Task not found"}, 404)
        answer: dict[str, Any] = {"id": job, "createdAt": "2024-11-30T07:06:07.912Z"}
        match state.poll(job):
            case "running":
                answer |= {"status": "RUNNING", "progress": state.progress(job)}
            case "done":
                answer |= {"status": "SUCCEEDED", "output": [_file(request, f"{job}.mp4")]}
            case _:
                answer |= {
                    "status": "FAILED",
                    "failure": "Your input was flagged by content moderation",
                    "failureCode": "SAFETY.INPUT.TEXT",
                }
        return JSONResponse(answer)

    return _app(
        state,
        [
            ("/v1/image_to_video", create, ["POST"]),
            ("/v1/text_to_video", create, ["POST"]),
            ("/v1/tasks/{id}", task, ["GET"]),
        ],
        _bearer(KEY),
        {"error": "Invalid API key"},
        "video/mp4",
        VIDEO,
    )


def luma_app(state: MediaState) -> Starlette:
    """``/dream-machine/v1/generations`` and ``/dream-machine/v1/generations/{id}``."""

    def generation(job: str, status: str, request: Request) -> dict[str, Any]:
        started = state.started[job]
        answer: dict[str, Any] = {
            "id": job,
            "state": status,
            "failure_reason": None,
            "created_at": "2024-12-01T00:00:00Z",
            "model": started["model"],
            "assets": None,
            "request": started,
        }
        if status == "completed":
            answer["assets"] = {"video": _file(request, f"{job}.mp4")}
        elif status == "failed":
            answer["failure_reason"] = "prompt not allowed"
        return answer

    async def create(request: Request) -> Response:
        job = state.new_job("gen", request.state.body)
        return JSONResponse(generation(job, "queued", request), status_code=201)

    async def get(request: Request) -> Response:
        job = request.path_params["id"]
        if job not in state.jobs:
            return JSONResponse({"detail": "Generation not found"}, 404)
        states = {"running": "dreaming", "done": "completed", "failed": "failed"}
        return JSONResponse(generation(job, states[state.poll(job)], request))

    return _app(
        state,
        [
            ("/dream-machine/v1/generations", create, ["POST"]),
            ("/dream-machine/v1/generations/{id}", get, ["GET"]),
        ],
        _bearer(KEY),
        {"detail": "Invalid API key"},
        "video/mp4",
        VIDEO,
    )


def _kling_authorized(request: Request) -> bool:
    access, _, secret = KLING_KEY.partition(":")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme != "Bearer":
        return False
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.InvalidTokenError:
        return False
    return bool(claims.get("iss") == access and "nbf" in claims)


def kling_app(state: MediaState) -> Starlette:
    """``/v1/videos/{text2video|image2video}`` and ``/v1/videos/{kind}/{task_id}``; the
    bearer token must be an HS256 JWT of ``KLING_KEY``'s secret with its access key as
    ``iss``. Answers are Kling's ``{"code", "message", "data"}`` envelopes."""

    def envelope(data: dict[str, Any]) -> JSONResponse:
        return JSONResponse({"code": 0, "message": "SUCCEED", "request_id": "r1", "data": data})

    async def create(request: Request) -> Response:
        job = state.new_job(request.path_params["kind"], request.state.body)
        return envelope({"task_id": job, "task_status": "submitted", "created_at": 1733000000})

    async def get(request: Request) -> Response:
        job = request.path_params["task_id"]
        if job not in state.jobs or not job.startswith(request.path_params["kind"]):
            return JSONResponse({"code": 1203, "message": "task not found"}, 404)
        data: dict[str, Any] = {"task_id": job}
        match state.poll(job):
            case "running":
                data["task_status"] = "processing"
            case "done":
                duration = str(state.started[job].get("duration", "5"))
                video = {"id": "v1", "url": _file(request, f"{job}.mp4"), "duration": duration}
                data |= {"task_status": "succeed", "task_result": {"videos": [video]}}
            case _:
                data |= {"task_status": "failed", "task_status_msg": "risk control: prompt"}
        return envelope(data)

    return _app(
        state,
        [
            ("/v1/videos/{kind}", create, ["POST"]),
            ("/v1/videos/{kind}/{task_id}", get, ["GET"]),
        ],
        _kling_authorized,
        {"code": 1000, "message": "Authorization failed"},
        "video/mp4",
        VIDEO,
    )


def fal_app(state: MediaState) -> Starlette:
    """fal's queue: ``POST /{model path}``, ``GET /{owner}/{app}/requests/{id}/status`` and
    ``GET /{owner}/{app}/requests/{id}`` (a failed request's result is a 422)."""

    async def status(request: Request) -> Response:
        job = request.path_params["id"]
        if job not in state.jobs:
            return JSONResponse({"detail": "Request not found"}, 404)
        app = f"{request.path_params['owner']}/{request.path_params['app']}"
        urls = _urls(request, app, job)
        if state.poll(job) == "running":
            return JSONResponse({"status": "IN_PROGRESS", "request_id": job, **urls}, 202)
        return JSONResponse({"status": "COMPLETED", "request_id": job, **urls})

    async def result(request: Request) -> Response:
        job = request.path_params["id"]
        if state.fails:
            return JSONResponse({"detail": "content policy violation"}, 422)
        url = _file(request, f"{job}.mp4")
        return JSONResponse({"video": {"url": url, "content_type": "video/mp4"}, "seed": 1})

    async def submit(request: Request) -> Response:
        path = request.path_params["path"]
        job = state.new_job("req", {**request.state.body, "path": path})
        app = "/".join(path.split("/")[:2])
        return JSONResponse({"status": "IN_QUEUE", "request_id": job, **_urls(request, app, job)})

    return _app(
        state,
        [
            ("/{owner}/{app}/requests/{id}/status", status, ["GET"]),
            ("/{owner}/{app}/requests/{id}", result, ["GET"]),
            ("/{path:path}", submit, ["POST"]),
        ],
        lambda request: request.headers.get("authorization") == f"Key {KEY}",
        {"detail": "Unauthorized"},
        "video/mp4",
        VIDEO,
    )


def _urls(request: Request, app: str, job: str) -> dict[str, str]:
    requests = f"{base_of(request)}/{app}/requests/{job}"
    return {
        "response_url": requests,
        "status_url": f"{requests}/status",
        "cancel_url": f"{requests}/cancel",
    }


# ----------------------------------------------------------------------------- 3D


def meshy_app(state: MediaState) -> Starlette:
    """``/openapi/v2/text-to-3d`` and ``/openapi/v1/image-to-3d`` (and ``/{id}`` of each)."""

    async def create(request: Request) -> Response:
        return JSONResponse({"result": state.new_job("mesh", request.state.body)}, 202)

    async def get(request: Request) -> Response:
        job = request.path_params["id"]
        if job not in state.jobs:
            return JSONResponse({"message": "Task not found"}, 404)
        task: dict[str, Any] = {"id": job, "created_at": 1733000000000, "task_error": None}
        match state.poll(job):
            case "running":
                task |= {"status": "IN_PROGRESS", "progress": round(state.progress(job) * 100)}
            case "done":
                files = {f: _file(request, f"{job}.{f}") for f in ("glb", "fbx", "obj", "usdz")}
                files["mtl"] = _file(request, f"{job}.mtl")
                task |= {"status": "SUCCEEDED", "progress": 100, "model_urls": files}
            case _:
                task |= {"status": "FAILED", "progress": 0, "task_error": {"message": "bad input"}}
        return JSONResponse(task)

    return _app(
        state,
        [
            ("/openapi/v2/text-to-3d", create, ["POST"]),
            ("/openapi/v1/image-to-3d", create, ["POST"]),
            ("/openapi/v2/text-to-3d/{id}", get, ["GET"]),
            ("/openapi/v1/image-to-3d/{id}", get, ["GET"]),
        ],
        _bearer(KEY),
        {"message": "Invalid API key"},
        "model/gltf-binary",
        GLB,
    )


def tripo_app(state: MediaState) -> Starlette:
    """``/v2/openapi/task`` and ``/v2/openapi/task/{id}``, in Tripo's ``{"code", "data"}``
    envelopes."""

    async def create(request: Request) -> Response:
        return JSONResponse(
            {"code": 0, "data": {"task_id": state.new_job("tr", request.state.body)}}
        )

    async def get(request: Request) -> Response:
        job = request.path_params["id"]
        if job not in state.jobs:
            return JSONResponse({"code": 2001, "message": "task not found"}, 404)
        started = state.started[job]
        task: dict[str, Any] = {"task_id": job, "type": started["type"], "create_time": 1733000000}
        match state.poll(job):
            case "running":
                task |= {"status": "running", "progress": round(state.progress(job) * 100)}
            case "done":
                output = {
                    "model": _file(request, f"{job}.glb"),
                    "pbr_model": _file(request, f"{job}-pbr.glb"),
                    "rendered_image": _file(request, f"{job}.webp"),
                }
                task |= {"status": "success", "progress": 100, "output": output}
            case _:
                task |= {"status": "banned", "progress": 0}
        return JSONResponse({"code": 0, "data": task})

    return _app(
        state,
        [("/v2/openapi/task", create, ["POST"]), ("/v2/openapi/task/{id}", get, ["GET"])],
        _bearer(KEY),
        {"code": 1002, "message": "Authentication failed"},
        "model/gltf-binary",
        GLB,
    )
