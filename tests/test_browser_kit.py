"""The Browser guide and style sheet are served cross-origin, and the guide runs our queries."""

from html import unescape
from pathlib import Path

from fastapi.testclient import TestClient

import cypher
from app.api.main import create_app
from app.settings import Settings, StoreKind
from graph_schema.labels import NodeLabel


def _client(tmp_path: Path) -> TestClient:
    return TestClient(
        create_app(Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=tmp_path))
    )


def test_guide_is_served_with_cors_and_runs_the_why_query(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        reply = client.get("/browser/guide")
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.text.count("<slide>") >= 3
    assert cypher.load("why_unit_month") in unescape(reply.text)


def test_style_sheet_is_served_with_a_rule_per_label(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        reply = client.get("/browser/mrvtrace.grass")
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == "*"
    for label in NodeLabel:
        assert f"node.{label.value} {{" in reply.text


def test_browser_preflight_names_the_origin(tmp_path: Path) -> None:
    origin = "http://127.0.0.1:7474"
    with _client(tmp_path) as client:
        reply = client.options(
            "/browser/guide",
            headers={"Origin": origin, "Access-Control-Request-Headers": "x-requested-with"},
        )
    assert reply.status_code == 204
    assert reply.headers["access-control-allow-origin"] == origin
    assert reply.headers["access-control-allow-credentials"] == "true"
    assert "x-requested-with" in reply.headers["access-control-allow-headers"]
