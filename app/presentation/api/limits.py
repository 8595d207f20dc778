"""Limits at the edge: headers over the limit get 431, bodies over it 413 (problem+json), and a
query parameter given twice 422.

The size limits are a pure ASGI middleware, so a declared `Content-Length` over the limit is
refused before any of the body is read, and a body sent without one (chunked) is cut off once it
passes the limit. (Starlette's own body limit answers in plain text, and only once the route
reads the body.)
"""

from fastapi.exceptions import RequestValidationError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.presentation.api.problems import problem_response


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the limit of {limit} bytes")


def header_bytes(scope: Scope) -> int:
    """The request line and headers as sent on the wire (HTTP/1.1), near enough."""
    lines = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
    return len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") + lines


class SizeLimits:
    """Refuse headers over `max_header_bytes` and bodies over `max_body_bytes`."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_header_bytes: int) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_headers = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if header_bytes(scope) > self.max_headers:
            detail = f"the request headers are over the limit of {self.max_headers} bytes"
            await problem_response(Request(scope), 431, detail)(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._too_large(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            # Read outside a route (whose handler answers it itself): answer here if we still can.
            if started:
                raise
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is over the limit of {self.max_body} bytes"
        response = problem_response(Request(scope), 413, detail)
        # The client may still be sending: tell it this connection ends with this answer.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


async def single_valued_query(request: Request) -> None:
    """Every query parameter of the API takes one value: a repeated one is ambiguous (each
    layer may read another of its values), so it is refused rather than silently picked."""
    keys = [key for key, _ in request.query_params.multi_items()]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise RequestValidationError(
            [
                {"loc": ("query", key), "msg": "given more than once", "type": "value_error"}
                for key in repeated
            ]
        )
