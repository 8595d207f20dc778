"""What Neo4j Browser fetches from us: the guide and the style sheet. They hold no data, so
they need no key. Browser fetches them cross-origin: only the configured Browser origins
(`MRVTRACE_BROWSER_ORIGINS`, by default the local Neo4j's) are allowed, and never with
credentials, so no page elsewhere reads anything through a visitor's cookies."""

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from app.presentation.browser_guide import guide_html

router = APIRouter(prefix="/browser", tags=["browser"], include_in_schema=False)


def _cors(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    allowed: frozenset[str] = request.app.state.browser_origins
    if origin is None or origin.rstrip("/") not in allowed:
        return {"Vary": "Origin"}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


@router.options("/{path:path}")
def preflight(request: Request) -> Response:
    """Browser's fetch sends custom headers, so it asks first (CORS preflight)."""
    headers = _cors(request)
    if "Access-Control-Allow-Origin" in headers:
        asked = request.headers.get("access-control-request-headers", "")
        headers |= {"Access-Control-Allow-Methods": "GET", "Access-Control-Allow-Headers": asked}
    return Response(status_code=204, headers=headers)


@router.get("/guide")
def guide(request: Request) -> HTMLResponse:
    return HTMLResponse(guide_html(), headers=_cors(request))


@router.get("/mrvtrace.grass")
def style_sheet(request: Request) -> PlainTextResponse:
    grass = resources.files("cypher").joinpath("mrvtrace.grass").read_text(encoding="utf-8")
    return PlainTextResponse(grass, headers=_cors(request))
