"""RFC 9457 problem details (`application/problem+json`) for every error the API returns.

Routers raise `Problem` (or HTTPException) and get a uniform body
`{type, title, status, detail, instance}`; validation errors name the offending fields.
"""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import Match

from app.infrastructure.stores.contract import StoreUnavailable

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Problem types are URNs: stable identifiers that do not pretend to be dereferenceable pages.
STORE_UNAVAILABLE = "urn:mrvtrace:problem:store-unavailable"
VALIDATION_FAILED = "urn:mrvtrace:problem:validation-failed"


class ProblemDetail(BaseModel):
    """The body of every error response (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str


class Problem(Exception):
    """Raise in a route to answer with a problem+json response."""

    def __init__(
        self, status: int, detail: str, type_: str = "about:blank", title: str | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.title = title or HTTPStatus(status).phrase
        self.headers: dict[str, str] = {}


def problem_response(
    request: Request,
    status: int,
    detail: str,
    type_: str = "about:blank",
    title: str | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = ProblemDetail(
        type=type_,
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
    ).model_dump()
    return JSONResponse(body | extensions, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


# Declared on routes so OpenAPI documents the error body.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ProblemDetail, "content": {PROBLEM_MEDIA_TYPE: {}}},
    "5XX": {"model": ProblemDetail, "content": {PROBLEM_MEDIA_TYPE: {}}},
}


def _field(location: tuple[Any, ...]) -> str:
    # Drop the leading "body"/"query"/"path" so the name is what the client sent.
    parts = location[1:] if len(location) > 1 else location
    return ".".join(str(part) for part in parts)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    response = problem_response(request, exc.status, exc.detail, exc.type, exc.title)
    response.headers.update(exc.headers)
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette names only the first
    matching route's in a 405)."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.router.routes):
        # A route whose path matches answers PARTIAL for another method.
        match, _ = context.route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(context.methods or ())
    return sorted(methods)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    response = problem_response(request, exc.status_code, str(exc.detail))
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(
        request, 422, detail, VALIDATION_FAILED, "Request validation failed", errors=errors
    )


async def _on_store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 503, str(exc), STORE_UNAVAILABLE, "Store unavailable")


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of `app` with problem+json."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(HTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StoreUnavailable, _on_store_unavailable)
