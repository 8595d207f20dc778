"""Liveness, readiness (with the database stopped under a running app), offline API docs and
problem+json errors."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from swept_stores import swept_embedded

from app.infrastructure.neo4j_local import LocalNeo4j
from app.infrastructure.sweep_lock import sweep_lock
from app.presentation.api.main import create_app
from app.presentation.api.problems import PROBLEM_MEDIA_TYPE
from app.settings import Settings, StoreKind

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


@pytest.fixture
def embedded_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=tmp_path)
    with TestClient(create_app(settings)) as client:
        yield client


def test_health_says_ok(embedded_client: TestClient) -> None:
    reply = embedded_client.get("/health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


def test_ready_on_the_embedded_store(embedded_client: TestClient) -> None:
    reply = embedded_client.get("/ready")
    assert reply.status_code == 200
    body = reply.json()
    assert body["store"] == "embedded" and body["schema_applied"] is True


def test_ready_reports_the_last_sweep_and_a_running_one(tmp_path: Path) -> None:
    settings = Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=tmp_path)
    store = swept_embedded(tmp_path)
    with TestClient(create_app(settings, store)) as client:
        body = client.get("/ready").json()
        assert body["last_sweep"]["status"] == "published"
        assert body["sweep_running"] is None
        with sweep_lock(settings):
            assert client.get("/ready").json()["sweep_running"]["pid"] == str(os.getpid())


def test_ready_on_neo4j_reports_the_server_version(
    neo4j_settings: Settings, neo4j_server: object
) -> None:
    with TestClient(create_app(neo4j_settings)) as client:
        reply = client.get("/ready")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["store"] == "neo4j"
    assert body["server_version"] == neo4j_server.version  # type: ignore[attr-defined]
    assert body["schema_applied"] is True


def test_docs_page_loads_only_local_assets(embedded_client: TestClient) -> None:
    reply = embedded_client.get("/docs")
    assert reply.status_code == 200
    html = reply.text
    assert re.findall(r"https?://", html) == []
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assets += re.findall(r"""url:\s*["']([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for url in assets:
        assert url.startswith("/"), url
        assert embedded_client.get(url).status_code == 200, url


def test_openapi_is_served(embedded_client: TestClient) -> None:
    spec = embedded_client.get("/openapi.json").json()
    assert {"/health", "/ready"} <= set(spec["paths"])


def test_unknown_path_is_a_problem(embedded_client: TestClient) -> None:
    reply = embedded_client.get("/no-such-thing")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert reply.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/no-such-thing",
    }


def test_ready_turns_503_while_the_database_is_down(
    spare_neo4j: LocalNeo4j, tmp_path: Path
) -> None:
    settings = Settings(
        NEO4J_URI=spare_neo4j.uri, MRVTRACE_STORE=StoreKind.NEO4J, MRVTRACE_HOME=tmp_path
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/ready").status_code == 200

        spare_neo4j.stop()
        down = client.get("/ready")
        assert down.status_code == 503
        assert down.headers["content-type"] == PROBLEM_MEDIA_TYPE
        problem = down.json()
        assert set(problem) == PROBLEM_FIELDS
        assert problem["status"] == 503 and problem["instance"] == "/ready"
        assert spare_neo4j.uri in problem["detail"]
        assert client.get("/health").status_code == 200

        spare_neo4j.start()
        again = client.get("/ready")
        assert again.status_code == 200, again.text
        assert again.json()["schema_applied"] is True
