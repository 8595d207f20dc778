"""Issue 13's limits at the edge, each with its reproducer: oversized bodies and headers, wrong
keys, the UI's session cookie, cross-origin reads of /browser/* and the Allow header of a 405.
An app over an empty embedded store is enough: none of this needs data."""

import asyncio
import json
import socket
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest
import uvicorn
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from served_app import serving

from app.infrastructure.neo4j_local import free_port
from app.presentation.api import security
from app.presentation.api.main import create_app
from app.presentation.api.problems import PROBLEM_MEDIA_TYPE
from app.presentation.cli.http_protocol import BoundedHttpTools
from app.services.access import ApiKey, KeyRing, key_entry, key_ring_from_environment
from app.settings import Settings, StoreKind, get_settings

KEY = "edge-test-national-key-0123456789abcdef"
FAILURES_PER_MINUTE = 3
BROWSER_ORIGIN = "http://localhost:7474"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("MRVTRACE_API_KEYS", f"national={KEY}")
    monkeypatch.delenv("MRVTRACE_API_KEYS_FILE", raising=False)
    key_ring_from_environment.cache_clear()
    yield Settings(
        MRVTRACE_STORE=StoreKind.EMBEDDED,
        MRVTRACE_HOME=tmp_path / "home",
        MRVTRACE_KEY_FAILURES_PER_MINUTE=FAILURES_PER_MINUTE,
        MRVTRACE_BROWSER_ORIGINS=BROWSER_ORIGIN,
    )
    key_ring_from_environment.cache_clear()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def assert_problem(reply: object, status: int) -> None:
    assert reply.status_code == status, reply.text  # type: ignore[attr-defined]
    assert reply.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)  # type: ignore[attr-defined]
    assert reply.json()["status"] == status  # type: ignore[attr-defined]


def test_a_32_mb_form_to_the_login_is_refused_unread(client: TestClient) -> None:
    """Issue 13: a 32 MB form body to POST /ui/login blocked the event loop 9.6 s."""
    body = b"key=" + b"a" * (32 << 20)
    reply = client.post(
        "/ui/login", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert_problem(reply, 413)
    assert client.get("/health").status_code == 200


def test_a_body_streamed_without_a_length_is_cut_off(
    client: TestClient, settings: Settings
) -> None:
    chunk = b"a" * (64 << 10)
    chunks = settings.max_body_bytes // len(chunk) + 2
    reply = client.post("/ui/login", content=(chunk for _ in range(chunks)))
    assert_problem(reply, 413)
    # Under the limit the form is read as usual.
    assert client.post("/ui/login", content=b"key=wrong").status_code == 303


def test_a_48_mb_header_is_refused(client: TestClient) -> None:
    """Issue 13: a 48 MB header was accepted."""
    reply = client.get("/health", headers={"X-Padding": "a" * (48 << 20)})
    assert_problem(reply, 431)


def test_wrong_keys_are_limited_per_client_before_any_hash(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: 24 wrong logins against PBKDF2 keys stalled /health; now past the limit a
    client gets 429 with Retry-After and its keys are not checked at all."""
    looked_up: list[str] = []
    ring = key_ring_from_environment()
    monkeypatch.setattr(
        security,
        "key_ring_from_environment",
        lambda: looked_up.append("ring") or ring,  # type: ignore[func-returns-value]
    )
    for attempt in range(FAILURES_PER_MINUTE):
        assert_problem(client.get("/anomalies", headers={"X-API-Key": f"wrong-{attempt}"}), 401)
    assert len(looked_up) == FAILURES_PER_MINUTE
    for attempt in range(24):
        reply = client.post("/ui/login", content=f"key=wrong-{attempt}".encode())
        assert_problem(reply, 429)
        assert int(reply.headers["retry-after"]) >= 1
    assert_problem(client.get("/anomalies", headers={"X-API-Key": KEY}), 429)
    assert len(looked_up) == FAILURES_PER_MINUTE
    assert client.get("/health").status_code == 200


def _record_whether_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Where each key lookup runs: True on the event loop, False in a thread."""
    on_loop: list[bool] = []
    find = KeyRing.find

    def recording_find(ring: KeyRing, presented_key: str | None) -> ApiKey | None:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return find(ring, presented_key)

    monkeypatch.setattr(KeyRing, "find", recording_find)
    return on_loop


def test_a_pbkdf2_key_and_the_login_form_are_checked_off_the_event_loop(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PBKDF2 hash (and the login form's parsing) run where no event loop runs."""
    slow_key = "edge-test-pbkdf2-key-0123456789abcdef"
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"slow": key_entry(slow_key, "national", "pbkdf2_sha256")}))
    monkeypatch.setenv("MRVTRACE_API_KEYS_FILE", str(keys_file))
    key_ring_from_environment.cache_clear()
    on_loop = _record_whether_on_the_loop(monkeypatch)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        assert client.post("/ui/login", content=f"key={slow_key}".encode()).status_code == 303
        assert client.get("/anomalies", headers={"X-API-Key": slow_key}).status_code == 200
    assert on_loop == [False, False]


def test_a_plain_key_is_checked_without_a_trip_to_the_thread_pool(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key of the environment costs one HMAC: the request's dependency checks it on the
    loop, where a thread-pool trip would cost more than the check."""
    on_loop = _record_whether_on_the_loop(monkeypatch)
    assert client.get("/anomalies", headers={"X-API-Key": KEY}).status_code == 200
    assert client.get("/anomalies", headers={"X-API-Key": "wrong"}).status_code == 401
    assert on_loop == [True, True]


def test_the_ui_cookie_holds_a_session_not_the_key(settings: Settings) -> None:
    """Issue 13: the UI cookie held the raw key, without Secure."""
    with TestClient(
        create_app(settings), base_url="https://testserver", follow_redirects=False
    ) as client:
        reply = client.post("/ui/login", content=f"key={KEY}&next=/ui/".encode())
        assert reply.status_code == 303
        cookie = reply.headers["set-cookie"]
        assert KEY not in cookie
        assert "mrvtrace_session=" in cookie
        for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/ui"):
            assert attribute.lower() in cookie.lower(), cookie
        page = client.get("/ui/")
        assert page.status_code == 200
        assert "Scope: national" in page.text
        assert client.post("/ui/logout").status_code == 303
        client.cookies.clear()
        assert client.get("/ui/").status_code == 303
    with TestClient(create_app(settings), follow_redirects=False) as plain:
        reply = plain.post("/ui/login", content=f"key={KEY}".encode())
        assert "secure" not in reply.headers["set-cookie"].lower()


def test_a_session_ends_when_its_key_is_no_longer_configured(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        client.post("/ui/login", content=f"key={KEY}".encode())
        assert client.get("/ui/").status_code == 200
        monkeypatch.setenv("MRVTRACE_API_KEYS", "public=another-key")
        key_ring_from_environment.cache_clear()
        assert client.get("/ui/").status_code == 303


def test_browser_assets_are_shared_only_with_browser_origins(client: TestClient) -> None:
    """Issue 13: /browser/* echoed any Origin, with credentials."""
    for path in ("/browser/guide", "/browser/mrvtrace.grass"):
        foreign = client.get(path, headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 200
        assert "access-control-allow-origin" not in foreign.headers
        assert "access-control-allow-credentials" not in foreign.headers
        allowed = client.get(path, headers={"Origin": BROWSER_ORIGIN})
        assert allowed.headers["access-control-allow-origin"] == BROWSER_ORIGIN
        assert "access-control-allow-credentials" not in allowed.headers
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    reply = client.options("/browser/guide", headers=preflight)
    assert "access-control-allow-origin" not in reply.headers
    assert "access-control-allow-methods" not in reply.headers


def test_a_405_allows_every_method_of_its_path(client: TestClient) -> None:
    """Issue 13: OPTIONS /sweeps answered without GET in Allow. Every path of the app, asked
    with a method none of its routes serves, names all the methods they do."""
    contexts = [c for c in iter_route_contexts(client.app.routes) if c.methods]  # type: ignore[attr-defined]
    served = {
        path: {m for c in contexts if c.route.path_regex.match(path) for m in c.methods or ()}
        for path in {c.path for c in contexts if "{" not in c.path}
    }
    assert {"GET", "POST"} <= served["/sweeps"]
    for path, methods in served.items():
        unused = next(m for m in ("DELETE", "PATCH", "PUT", "OPTIONS") if m not in methods)
        reply = client.request(unused, path)
        assert_problem(reply, 405)
        assert set(reply.headers["allow"].split(", ")) == methods, path


def test_a_repeated_query_parameter_is_refused(client: TestClient) -> None:
    reply = client.get("/anomalies?enterprise=a&enterprise=b", headers={"X-API-Key": KEY})
    assert_problem(reply, 422)
    assert reply.json()["errors"] == [{"field": "enterprise", "message": "given more than once"}]


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[str, int]]:
    """The app under uvicorn with the protocol `mrvtrace serve` uses, on a free local port."""
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=free_port(),
        http=BoundedHttpTools,
        log_level="warning",
    )
    with serving(config) as port:
        yield "127.0.0.1", port


def raw_request(address: tuple[str, int], request: bytes) -> bytes:
    with socket.create_connection(address, timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and b"connection: close" not in answer.lower():
                break
        return answer


def test_the_server_refuses_overlong_headers_before_reading_them_whole(
    served: tuple[str, int], settings: Settings
) -> None:
    """Issue 13: httptools read a 48 MB header whole; past the limit the server answers 431
    problem+json and closes, before the app (or the rest of the header) is reached."""
    padding = b"a" * (2 * get_settings().max_header_bytes)
    answer = raw_request(served, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + padding)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431"), head
    assert b"application/problem+json" in head
    assert json.loads(body)["status"] == 431
    # A body longer than the header limit, in the same packets as its headers, is no header.
    form = b"key=" + b"a" * (settings.max_header_bytes * 2)
    login = (
        b"POST /ui/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(form)).encode() + b"\r\n\r\n" + form
    )
    assert raw_request(served, login).startswith(b"HTTP/1.1 303")
    assert raw_request(served, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").startswith(
        b"HTTP/1.1 200"
    )


def test_a_keep_alive_connection_is_closed_after_its_request_cap(served: tuple[str, int]) -> None:
    """Several workers: a connection stays with the worker that accepted it, so after
    `keep_alive_max_requests` the server answers `connection: close` and the client reconnects
    (to whichever worker is free), and every request before that keeps the connection open."""
    cap = get_settings().keep_alive_max_requests
    connection = HTTPConnection(*served, timeout=10)
    try:
        for _ in range(cap - 1):
            connection.request("GET", "/health")
            reply = connection.getresponse()
            reply.read()
            assert reply.status == 200 and reply.getheader("connection") is None
        connection.request("GET", "/health")
        last = connection.getresponse()
        last.read()
        assert last.status == 200 and last.getheader("connection") == "close"
        assert connection.sock is None
        # The next request opens a fresh connection and is answered.
        connection.request("GET", "/health")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
