"""A bounded flood from one client against a served API, and `/health`'s latency meanwhile.

Prepares the demo's small dataset on the embedded store (generated, loaded, swept) in a fresh
home, configures five PBKDF2-hashed keys in a keys file (issue 13's reproducer: wrong keys
against them stalled the server) plus a plain one, starts `mrvtrace serve` in a subprocess,
then for --seconds (30) sends from one client, at once:

- 64 MB bodies to `POST /ui/login`, half with a Content-Length and half chunked;
- --wrong-keys (1,000) wrong keys, spread over the flood, alternating the `X-API-Key` header
  of `GET /anomalies` and the sign-in form;

while a prober asks `GET /health` every --probe-ms on its own connection. Writes the probe's
p50/p99/max, the counts of 413, 429 and 401 answers and the target (p99 <= 100 ms) to
bench/results/flood.json. The server and the clients share this machine's cores.

    python -m bench.flood
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

from app.services.access import key_entry
from bench.api import free_port, start_server
from bench.machine import machine_info

RESULTS = Path(__file__).parent / "results" / "flood.json"
TARGET_P99_MS = 100.0
BODY_BYTES = 64 << 20
CHUNK_BYTES = 1 << 20
HASHED_KEYS = 5
STARTUP_TIMEOUT_S = 120.0


def _cli(*args: str, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "app.presentation.cli.main", *args]
    return subprocess.Popen(command, env=env, **kwargs)


def prepare(home: Path) -> tuple[dict[str, str], list[str]]:
    """The environment of a served demo store in `home`, and the ids of its hashed keys."""
    keys = {
        f"regional-{i}": key_entry(secrets.token_urlsafe(32), "national", "pbkdf2_sha256")
        for i in range(HASHED_KEYS)
    }
    keys_file = home / "keys.yaml"
    home.mkdir(parents=True, exist_ok=True)
    keys_file.write_text(yaml.safe_dump(keys), encoding="utf-8")
    env = os.environ | {
        "MRVTRACE_HOME": str(home),
        "MRVTRACE_STORE": "embedded",
        "MRVTRACE_API_KEYS_FILE": str(keys_file),
        "MRVTRACE_API_KEYS": f"national={secrets.token_urlsafe(24)}",
    }
    demo = _cli("demo", "--no-serve", env=env, stdout=subprocess.DEVNULL)
    if demo.wait() != 0:
        raise SystemExit("mrvtrace demo --no-serve failed")
    return env, [entry["id"] for entry in keys.values()]


class Flood:
    """The attacker's threads and the prober, sharing a stop time and the answers' counts."""

    def __init__(
        self, base: str, key_ids: list[str], seconds: float, wrong_keys: int, probe_ms: float
    ) -> None:
        self.base = base
        self.key_ids = key_ids
        self.until = time.monotonic() + seconds
        self.seconds = seconds
        self.wrong_keys = wrong_keys
        self.probe_s = probe_ms / 1000
        self.answers: Counter[str] = Counter()
        self.health_ms: list[float] = []
        self.health_failures = 0
        self.lock = threading.Lock()

    def _count(self, what: str) -> None:
        with self.lock:
            self.answers[what] += 1

    def bodies(self) -> None:
        payload = b"key=" + b"a" * (BODY_BYTES - 4)

        def chunks() -> Iterator[bytes]:
            for start in range(0, BODY_BYTES, CHUNK_BYTES):
                yield payload[start : start + CHUNK_BYTES]

        sent = 0
        while time.monotonic() < self.until:
            content: bytes | Iterator[bytes] = payload if sent % 2 == 0 else chunks()
            sent += 1
            try:
                with httpx.Client(base_url=self.base, timeout=30) as client:
                    reply = client.post("/ui/login", content=content)
                self._count(str(reply.status_code))
            except httpx.HTTPError:
                # The server answered 413 and closed while the body was still on its way.
                self._count("body_cut_off")
        self._count_total("bodies_sent", sent)

    def _count_total(self, what: str, value: int) -> None:
        with self.lock:
            self.answers[what] += value

    def keys(self) -> None:
        # Paced to spread them over the flood, each one on its own schedule.
        started, pause = time.monotonic(), self.seconds / self.wrong_keys
        with httpx.Client(base_url=self.base, timeout=30) as client:
            for attempt in range(self.wrong_keys):
                time.sleep(max(0.0, started + attempt * pause - time.monotonic()))
                # The worst case: a configured key's id, so each checked key costs its hash.
                key_id = self.key_ids[attempt % len(self.key_ids)]
                wrong = f"{key_id}{secrets.token_urlsafe(32)}"
                if attempt % 2 == 0:
                    reply = client.get("/anomalies", headers={"X-API-Key": wrong})
                else:
                    reply = client.post("/ui/login", content=f"key={wrong}".encode())
                self._count(str(reply.status_code))
                self._count("wrong_keys_sent")

    def probe(self) -> None:
        with httpx.Client(base_url=self.base, timeout=10) as client:
            while time.monotonic() < self.until:
                started = time.perf_counter()
                try:
                    ok = client.get("/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                if ok:
                    self.health_ms.append(elapsed)
                else:
                    self.health_failures += 1
                time.sleep(max(0.0, self.probe_s - elapsed / 1000))

    def run(self) -> None:
        threads = [threading.Thread(target=t) for t in (self.bodies, self.keys, self.probe)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def measure(seconds: float, wrong_keys: int, probe_ms: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mrvtrace-flood-") as workdir:
        env, key_ids = prepare(Path(workdir) / "home")
        port = free_port()
        server = start_server(port, env, timeout_s=STARTUP_TIMEOUT_S)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base) as client:
                baseline = [client.get("/health").elapsed.total_seconds() for _ in range(50)]
            flood = Flood(base, key_ids, seconds, wrong_keys, probe_ms)
            flood.run()
        finally:
            server.terminate()
            server.wait(timeout=30)
    ms = np.array(flood.health_ms)
    p99 = float(np.percentile(ms, 99))
    return {
        "machine": machine_info(),
        "seconds": seconds,
        "body_bytes": BODY_BYTES,
        "wrong_keys": wrong_keys,
        "hashed_keys": HASHED_KEYS,
        "health_before_flood_p50_ms": round(float(np.median(baseline)) * 1000, 2),
        "health": {
            "probes": len(ms),
            "failures": flood.health_failures,
            "p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p99_ms": round(p99, 2),
            "max_ms": round(float(ms.max()), 2),
        },
        "answers": dict(sorted(flood.answers.items())),
        "target_p99_ms": TARGET_P99_MS,
        "target_met": p99 <= TARGET_P99_MS and flood.health_failures == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--wrong-keys", type=int, default=1000)
    parser.add_argument("--probe-ms", type=float, default=50.0)
    args = parser.parse_args()
    result = measure(args.seconds, args.wrong_keys, args.probe_ms)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
