"""What Neo4j Browser fetches from us: the guide and the style sheet. They hold no data, so
they need no key; Browser fetches them cross-origin, so they carry a CORS header."""

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse

from app.browser_guide import guide_html

router = APIRouter(prefix="/browser", tags=["browser"], include_in_schema=False)
CORS = {"Access-Control-Allow-Origin": "*"}


@router.get("/guide")
def guide() -> HTMLResponse:
    return HTMLResponse(guide_html(), headers=CORS)


@router.get("/mrvtrace.grass")
def style_sheet() -> PlainTextResponse:
    grass = resources.files("cypher").joinpath("mrvtrace.grass").read_text(encoding="utf-8")
    return PlainTextResponse(grass, headers=CORS)
