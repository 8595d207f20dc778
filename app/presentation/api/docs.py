"""Interactive API docs that work offline: Swagger UI's assets are served by the app itself;
and an OpenAPI document that names the problem+json body of every error."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from app.presentation.api.problems import PROBLEM_MEDIA_TYPE, ProblemDetail

ASSETS_URL = "/static/swagger-ui"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"


def install_docs(app: FastAPI) -> None:
    """Serve `/docs` from local assets (create the app with docs_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API docs",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
            oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


_PROBLEM_REF = "#/components/schemas/ProblemDetail"


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _PROBLEM_REF}}},
    }


def document_problems(app: FastAPI) -> None:
    """Every operation documents problem+json for 4XX and 5XX (the size limits, the key limit
    and the store's absence may answer any of them), and every error entry names only the
    problem+json body: FastAPI's defaults name JSON bodies the app never sends."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault(
            "ProblemDetail", ProblemDetail.model_json_schema(ref_template=_PROBLEM_REF)
        )
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                responses.setdefault("4XX", _problem("Client Error"))
                responses.setdefault("5XX", _problem("Server Error"))
                for code, response in responses.items():
                    if code[0] in "45":
                        response["content"] = _problem("")["content"]
                if "422" in responses:
                    responses["422"]["description"] = "Request validation failed"
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
