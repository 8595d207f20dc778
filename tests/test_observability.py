"""Observability: JSON logs with request ids, access log, /metrics, and no secret ever logged."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from app.infrastructure.observability import (
    REDACTED,
    configure_logging,
    install_observability,
    record_store_error,
    record_sweep,
)
from app.infrastructure.stores.contract import StoreUnavailable
from app.infrastructure.stores.neo4j import Neo4jStore
from app.settings import Settings

NEO4J_PASSWORD = "Tr0ub4dor-neo4j-pw"
QUERY_SECRET = "qs-7f3a9c1e2b"
BEARER_SECRET = "bearer-5e8d2a7c4f1b"
HEADER_SECRET = "hdr-key-91c4e2d8"
COOKIE_SECRET = "cookie-sess-3b7e"
CONFIGURED_API_KEY = "cfg-key-0d4b8e61"
SECRETS = (NEO4J_PASSWORD, QUERY_SECRET, BEARER_SECRET, HEADER_SECRET, COOKIE_SECRET)

app_log = logging.getLogger("mrvtrace.test_app")


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


@pytest.fixture
def settings() -> Settings:
    return Settings(
        NEO4J_PASSWORD=NEO4J_PASSWORD,
        NEO4J_URI=f"bolt://neo4j:{NEO4J_PASSWORD}@graph.example:7687",
        MRVTRACE_API_KEYS=f"province:11={CONFIGURED_API_KEY}",
    )


@pytest.fixture
def client(settings: Settings) -> TestClient:
    app = FastAPI()

    @app.get("/units/{unit_id}")
    def unit(unit_id: str) -> dict[str, str]:
        app_log.info("unit requested", extra={"unit_id": unit_id})
        return {"unit_id": unit_id}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"cannot reach bolt://neo4j:{NEO4J_PASSWORD}@graph.example:7687")

    install_observability(app, settings)
    return TestClient(app, raise_server_exceptions=False)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    text = stream.getvalue()
    assert text, "nothing was logged"
    return [json.loads(line) for line in text.splitlines()]


def access_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [line for line in lines(stream) if line["logger"] == "mrvtrace.access"]


def test_request_id_is_echoed_and_in_every_log_line(client: TestClient, logs: io.StringIO) -> None:
    response = client.get("/units/00012302", headers={"X-Request-ID": "analyst-req-42"})
    assert response.status_code == 200
    assert response.json() == {"unit_id": "00012302"}
    assert response.headers["X-Request-ID"] == "analyst-req-42"

    records = lines(logs)
    [handler_line] = [r for r in records if r["logger"] == "mrvtrace.test_app"]
    assert handler_line["request_id"] == "analyst-req-42"
    assert handler_line["unit_id"] == "00012302"
    assert set(handler_line) >= {"ts", "level", "logger", "msg", "request_id"}

    [access] = access_lines(logs)
    assert access["request_id"] == "analyst-req-42"
    assert access["method"] == "GET"
    assert access["route"] == "/units/{unit_id}"
    assert access["status"] == 200
    assert isinstance(access["duration_ms"], float)


def test_missing_or_malformed_request_id_is_replaced(client: TestClient, logs: io.StringIO) -> None:
    first = client.get("/units/1")
    second = client.get("/units/2", headers={"X-Request-ID": 'x" injected {"level": "ERROR"}'})
    generated = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", g) for g in generated)
    assert generated[0] != generated[1]
    assert [a["request_id"] for a in access_lines(logs)] == generated


def test_server_error_is_logged_with_status_500(client: TestClient, logs: io.StringIO) -> None:
    response = client.get("/boom", headers={"X-Request-ID": "req-boom"})
    assert response.status_code == 500
    [access] = access_lines(logs)
    assert access["status"] == 500
    assert access["route"] == "/boom"
    assert access["level"] == "WARNING"
    [error] = [r for r in lines(logs) if r["logger"] == "mrvtrace.error"]
    assert error["request_id"] == "req-boom" and error["route"] == "/boom"
    assert "RuntimeError: cannot reach" in str(error["exc"])
    assert NEO4J_PASSWORD not in str(error["exc"])


def route_request_count(client: TestClient, route: str) -> float:
    """The latency histogram's sample count for `route` (0 before its first request)."""
    pattern = (
        rf'^http_request_duration_seconds_count\{{handler="{re.escape(route)}",method="GET"\}} '
        r"([0-9.e+]+)$"
    )
    match = re.search(pattern, client.get("/metrics").text, re.M)
    return float(match.group(1)) if match else 0.0


def test_metrics_expose_latency_by_route_and_mrvtrace_metrics(
    client: TestClient, logs: io.StringIO
) -> None:
    # The registry is process-wide, so earlier tests' requests are counted too.
    before = route_request_count(client, "/units/{unit_id}")
    for unit_id in ("00000001", "00000002", "00000003"):
        assert client.get(f"/units/{unit_id}").status_code == 200
    assert route_request_count(client, "/units/{unit_id}") == before + 3

    record_sweep(12.5, "published", 4)
    record_store_error("read_unit_months")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    text = metrics.text
    # (A bare substring check would trip over floats such as 64.21000000000001.)
    raw_paths = re.findall(r'handler="[^"]*0000000[123]"', text)
    assert not raw_paths, "metrics must be labelled by route template, not raw path"
    assert re.search(r"^mrvtrace_sweep_duration_seconds_count [1-9]", text, re.M)
    assert re.search(r'^mrvtrace_sweeps_total\{status="published"\} [1-9]', text, re.M)
    assert re.search(r"^mrvtrace_flags_current 4\.0$", text, re.M)
    assert re.search(
        r'^mrvtrace_store_errors_total\{operation="read_unit_months"\} [1-9]', text, re.M
    )


def test_no_secret_from_headers_or_query_is_ever_logged(
    client: TestClient, logs: io.StringIO
) -> None:
    response = client.get(
        f"/units/00012302?api_key={QUERY_SECRET}&page=2",
        headers={
            "Authorization": f"Bearer {BEARER_SECRET}",
            "X-API-Key": HEADER_SECRET,
            "Cookie": f"session={COOKIE_SECRET}",
        },
    )
    assert response.status_code == 200
    client.get("/boom")

    captured = logs.getvalue()
    assert len(access_lines(logs)) == 2
    for secret in SECRETS:
        assert secret not in captured


def test_secrets_logged_on_purpose_are_redacted(settings: Settings, logs: io.StringIO) -> None:
    install_observability(FastAPI(), settings)  # registers the settings' secrets
    password = settings.neo4j_password.get_secret_value()
    app_log.info("connecting with password %s", password)
    app_log.info("env NEO4J_PASSWORD=%s", password)
    app_log.info("driver for %s", settings.neo4j_uri)
    app_log.info("settings", extra={"neo4j_password": password, "config": {"auth": password}})
    app_log.info("headers", extra={"headers": {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}})
    app_log.info("request to /x?token=abc123def&page=2")
    app_log.info("presented key %s", CONFIGURED_API_KEY)
    try:
        raise ConnectionError(f"auth failed for neo4j/{password}")
    except ConnectionError:
        app_log.exception("store unreachable")

    captured = logs.getvalue()
    records = lines(logs)
    assert password not in captured
    assert "dXNlcjpwYXNzd29yZA==" not in captured
    assert "abc123def" not in captured
    assert records[0]["msg"] == f"connecting with password {REDACTED}"
    assert records[1]["msg"] == f"env NEO4J_PASSWORD={REDACTED}"
    assert records[2]["msg"] == f"driver for bolt://neo4j:{REDACTED}@graph.example:7687"
    assert records[3]["neo4j_password"] == REDACTED
    assert records[3]["config"] == {"auth": REDACTED}
    assert records[4]["headers"] == {"Authorization": REDACTED}
    assert records[5]["msg"] == f"request to /x?token={REDACTED}&page=2"
    assert records[6]["msg"] == f"presented key {REDACTED}"
    assert CONFIGURED_API_KEY not in captured
    assert "ConnectionError" in str(records[7]["exc"])
    assert REDACTED in str(records[7]["exc"])


def test_ordinary_text_is_left_alone(logs: io.StringIO) -> None:
    app_log.info("scored 1,204 edges of unit 00012302 in 2024-11", extra={"flagged": 3})
    [record] = lines(logs)
    assert record["msg"] == "scored 1,204 edges of unit 00012302 in 2024-11"
    assert record["flagged"] == 3
    assert record["level"] == "INFO"
    assert record["request_id"] is None


def _store_errors(operation: str) -> float:
    sample = REGISTRY.get_sample_value("mrvtrace_store_errors_total", {"operation": operation})
    return sample or 0.0


def test_a_failed_store_operation_is_counted() -> None:
    before = _store_errors("ping")
    # Port 1 on loopback: nothing listens there, so the driver fails to connect at once.
    store = Neo4jStore(Settings(NEO4J_URI="bolt://127.0.0.1:1"))
    try:
        with pytest.raises(StoreUnavailable):
            store.ping()
    finally:
        store.close()
    assert _store_errors("ping") == before + 1
