"""`mrvtrace serve --workers 2` for real: every worker writes redacted JSON log lines (access
lines and 500s included, no bare traceback), `/metrics` from any worker counts the requests of
all of them, and an answer one worker built is served by the other as it was built."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.infrastructure.neo4j_local import free_port
from tests.review_setup import session_folder
from tests.swept_stores import swept_embedded

API_KEY = "sk-worker-test-0123456789"
# How many requests at most to spread over both workers (new connection each).
MAX_REQUESTS = 400
SERVE = "from app.presentation.cli.main import main; main()"


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path, tmp: Path) -> None:
        self.process, self.url, self.log, self.tmp = process, url, log, tmp

    def metrics_dirs(self) -> list[Path]:
        return list(self.tmp.glob("mrvtrace-serve-*/metrics"))

    def lines(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if line.strip()]

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.lines()]

    def access_line(self, request_id: str, timeout_s: float = 10.0) -> dict:
        """The access line of one request: a worker writes it after the reply has gone."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = [r for r in _access(self.records()) if r["request_id"] == request_id]
            if found or time.monotonic() > deadline:
                assert found, f"no access line for request {request_id}"
                return found[0]
            time.sleep(0.01)


@contextmanager
def _serve(home: Path, tmp_path: Path) -> Iterator[Served]:
    """`mrvtrace serve --workers 2` on the embedded store at `home`, until the block ends."""
    port = free_port()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(tmp),
        "MRVTRACE_STORE": "embedded",
        "MRVTRACE_HOME": str(home),
        "MRVTRACE_API_KEYS": f"national={API_KEY}",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("MRVTRACE_ANSWER_CACHE_SHARED_PATH", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            cwd=tmp_path,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the server never answered: {log.read_text()[-2000:]}")
        yield Served(process, url, log, tmp)
    finally:
        process.terminate()
        process.wait(timeout=60)
    assert not list(tmp.glob("mrvtrace-serve-*")), "the run's folder outlived the server"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    home = tmp_path / "home"
    # A sweep record that cannot be read (its status is the key): listing sweeps fails with
    # the key in the exception text, so the 500's traceback must be redacted.
    broken = home / "sweeps" / "broken"
    broken.mkdir(parents=True)
    (broken / "sweep.json").write_text(json.dumps({"sweep_id": "broken", "status": API_KEY}))
    with _serve(home, tmp_path) as found:
        yield found


@pytest.fixture
def served_swept(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Two workers on a copy of the session's swept store."""
    home = tmp_path / "home"
    shutil.copytree(swept_embedded(session_folder(tmp_path_factory)).home, home)
    with _serve(home, tmp_path) as found:
        yield found


def _access(records: list[dict], route: str | None = None) -> list[dict]:
    return [
        r for r in records if r["logger"] == "mrvtrace.access" and route in (None, r.get("route"))
    ]


def _health_count(metrics: str) -> float:
    pattern = r'^http_requests_total\{[^}]*handler="/health"[^}]*status="200"[^}]*\} (\S+)$'
    return sum(float(m) for m in re.findall(pattern, metrics, re.M))


def test_every_worker_logs_json_with_redaction_and_a_500_is_a_json_line(served: Served) -> None:
    reply = httpx.get(f"{served.url}/sweeps", headers={"X-API-Key": API_KEY}, timeout=30)
    assert reply.status_code == 500
    pids: set[int] = set()
    for _ in range(MAX_REQUESTS):
        with httpx.Client() as client:
            assert client.get(f"{served.url}/health", params={"token": API_KEY}).status_code == 200
        time.sleep(0.01)
        pids = {r["pid"] for r in _access(served.records(), "/health")}
        if len(pids) == 2:
            break
    assert len(pids) == 2, "the requests never reached both workers"
    lines = served.lines()
    records = [json.loads(line) for line in lines]  # every line is JSON: no bare traceback
    assert not any(API_KEY in line for line in lines)
    failed = _access(records, "/sweeps")
    assert [r["status"] for r in failed] == [500]
    # The request's traceback once, as a JSON line with its request id and the key hidden.
    errors = [r for r in records if r.get("exc") and "SweepStatus" in r["exc"]]
    errors = [r for r in errors if r["logger"] != "app.services.sweep_upkeep"]  # start-up
    assert [r["logger"] for r in errors] == ["mrvtrace.error"]
    assert errors[0]["request_id"] == failed[0]["request_id"]
    assert "'[REDACTED]' is not a valid SweepStatus" in errors[0]["exc"]


def test_metrics_count_the_requests_of_every_worker(served: Served) -> None:
    sent = 0
    while sent < MAX_REQUESTS:
        with httpx.Client() as client:
            assert client.get(f"{served.url}/health").status_code == 200
        sent += 1
        pids = {r["pid"] for r in _access(served.records(), "/health")}
        if len(pids) == 2 and sent >= 20:
            break
    assert len(pids) == 2, "the requests never reached both workers"
    (metrics_dir,) = served.metrics_dirs()
    assert list(metrics_dir.glob("*.db"))
    # Several scrapes, each answered by whichever worker accepts it: all give the whole count.
    for _ in range(6):
        with httpx.Client() as client:
            metrics = client.get(f"{served.url}/metrics").text
        assert _health_count(metrics) == sent + 1  # the start-up probe included


def _answer_counts(metrics: str) -> dict[str, float]:
    found = re.findall(r'^mrvtrace_answer_cache_total\{outcome="(\w+)"\} (\S+)$', metrics, re.M)
    return {outcome: float(value) for outcome, value in found}


def test_an_answer_one_worker_built_is_served_by_the_other(served_swept: Served) -> None:
    auth = {"X-API-Key": API_KEY}
    flagged = httpx.get(
        f"{served_swept.url}/anomalies", params={"limit": 1}, headers=auth, timeout=30
    ).json()["items"][0]
    path = f"{served_swept.url}/units/{flagged['unit_id']}/why"
    bodies: dict[int, bytes] = {}
    for _ in range(MAX_REQUESTS):
        with httpx.Client() as client:  # a new connection each time: any worker may take it
            reply = client.get(path, params={"period": flagged["period"]}, headers=auth)
        assert reply.status_code == 200
        line = served_swept.access_line(reply.headers["X-Request-ID"])
        bodies.setdefault(line["pid"], reply.content)
        if len(bodies) == 2:
            break
    assert len(bodies) == 2, "the requests never reached both workers"
    first, second = bodies.values()
    assert first == second
    counts = _answer_counts(httpx.get(f"{served_swept.url}/metrics", headers=auth).text)
    assert counts["built"] == 1 and counts["shared"] >= 1
