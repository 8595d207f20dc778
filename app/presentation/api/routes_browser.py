"""What Neo4j Browser fetches from us: the guide and the style sheet. They hold no data, so
they need no key. Browser fetches them cross-origin with credentials, so the answer names the
requesting origin (a `*` is refused for credentialed requests)."""

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from app.presentation.browser_guide import guide_html

router = APIRouter(prefix="/browser", tags=["browser"], include_in_schema=False)


def _cors(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    if origin is None:
        return {"Access-Control-Allow-Origin": "*"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


@router.options("/{path:path}")
def preflight(request: Request) -> Response:
    """Browser's fetch sends custom headers, so it asks first (CORS preflight)."""
    allowed = request.headers.get("access-control-request-headers", "")
    headers = _cors(request) | {
        "Access-Control-Allow-Methods": "GET",
        "Access-Control-Allow-Headers": allowed,
    }
    return Response(status_code=204, headers=headers)


@router.get("/guide")
def guide(request: Request) -> HTMLResponse:
    return HTMLResponse(guide_html(), headers=_cors(request))


@router.get("/mrvtrace.grass")
def style_sheet(request: Request) -> PlainTextResponse:
    grass = resources.files("cypher").joinpath("mrvtrace.grass").read_text(encoding="utf-8")
    return PlainTextResponse(grass, headers=_cors(request))
