"""Request ids (``X-Request-ID`` in and out) and the write context of a request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from radiant.api.auth import PrincipalDep
from radiant.core.context import RequestInfo, WriteContext, current_request
from radiant.core.request_ids import caller_request_id, new_request_id
from radiant.errors import AuthenticationError

__all__ = ["ContextDep", "RequestIdMiddleware", "authenticated"]


class RequestIdMiddleware:
    """Keep a client's ``X-Request-ID`` (when sane) or make one of ours (the format the
    gateway's are in: :mod:`radiant.core.request_ids`); echo it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                incoming = value.decode("latin-1").strip()
                break
        request_id = caller_request_id(incoming) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        client = scope.get("client")
        agent = dict(scope.get("headers") or []).get(b"user-agent")
        token = current_request.set(
            RequestInfo(
                request_id,
                client[0] if client else None,
                agent.decode("latin-1") if agent else None,
            )
        )

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request.reset(token)


def write_context(request: Request, principal: PrincipalDep) -> WriteContext:
    return WriteContext(
        principal=principal,
        request_id=getattr(request.state, "request_id", None) or new_request_id(),
        client_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


ContextDep = Annotated[WriteContext, Depends(write_context)]


def _authenticated(principal: PrincipalDep) -> Any:
    if principal.subject_id is None:
        raise AuthenticationError("this action needs an administrator's token")
    return principal


#: Route dependency: 401 before anything else (even body validation) for anonymous callers.
authenticated = Depends(_authenticated)
