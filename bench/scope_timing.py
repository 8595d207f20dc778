"""Time of a 404 for a unit outside the caller's jurisdiction against one for a unit that does
not exist (issue 13: 7.9 vs 3.8 ms on `/ui/units/{id}`, p < 1e-28), in process.

Generates the small dataset, loads and sweeps it on the embedded store in a temporary home,
then asks with a key of another province, alternating, --requests times each: a flagged unit of
the first province and an unknown id of the same length, on `/ui/units/{id}` (without period),
`/units/{id}` and `/units/{id}/why`. Writes the medians, the ratio and a Mann-Whitney U test's
p-value per route to bench/results/scope_timing.json.

    python -m bench.scope_timing
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from scipy.stats import mannwhitneyu

from app.infrastructure.stores.embedded import EmbeddedStore
from app.presentation.api.main import create_app
from app.services.access import key_ring_from_environment
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from app.settings import Settings, StoreKind
from bench.machine import machine_info
from synthetic.dataset import generate_dataset

RESULTS = Path(__file__).parent / "results" / "scope_timing.json"
NATIONAL_KEY = "scope-timing-national-key-0123456789"
OTHER_KEY = "scope-timing-other-province-key-012345"
ROUTES = ("/ui/units/{unit}", "/units/{unit}", "/units/{unit}/why")


def swept_store(home: Path) -> EmbeddedStore:
    data = home / "small"
    generate_dataset(data, scale="small", seed=0, fault_rate=0.03, months=12)
    store = EmbeddedStore(Settings(MRVTRACE_STORE=StoreKind.EMBEDDED, MRVTRACE_HOME=home))
    store.apply_schema()
    load_dataset(data, store)
    run_sweep(store, full=True)
    return store


def measure(requests: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mrvtrace-scope-") as workdir:
        store = swept_store(Path(workdir))
        os.environ["MRVTRACE_API_KEYS"] = f"national={NATIONAL_KEY}"
        key_ring_from_environment.cache_clear()
        with TestClient(create_app(store.settings, store)) as client:
            flags = client.get("/anomalies?limit=500", headers={"X-API-Key": NATIONAL_KEY}).json()[
                "items"
            ]
            target = flags[0]
            other = next(
                f["province_code"] for f in flags if f["province_code"] != target["province_code"]
            )
            os.environ["MRVTRACE_API_KEYS"] = (
                f"national={NATIONAL_KEY},province:{other}={OTHER_KEY}"
            )
            key_ring_from_environment.cache_clear()
            unit = str(target["unit_id"])
            unknown = "9" * (len(unit) - 1) + "Z"
            figures = {route: _route(client, route, unit, unknown, requests) for route in ROUTES}
        key_ring_from_environment.cache_clear()
    return {"machine": machine_info(), "requests_each": requests, "routes": figures}


def _route(
    client: TestClient, route: str, unit: str, unknown: str, requests: int
) -> dict[str, Any]:
    headers = {"X-API-Key": OTHER_KEY}
    timings: dict[str, list[float]] = {"out_of_scope": [], "unknown": []}
    bodies: dict[str, str] = {}
    for _ in range(requests):
        for name, unit_id in (("out_of_scope", unit), ("unknown", unknown)):
            started = time.perf_counter()
            reply = client.get(route.format(unit=unit_id), headers=headers)
            timings[name].append((time.perf_counter() - started) * 1000)
            bodies[name] = f"{reply.status_code} {reply.text.replace(unit_id, '<id>')}"
    out, unk = np.array(timings["out_of_scope"]), np.array(timings["unknown"])
    return {
        "out_of_scope_median_ms": round(float(np.median(out)), 3),
        "unknown_median_ms": round(float(np.median(unk)), 3),
        "ratio": round(float(np.median(out) / np.median(unk)), 3),
        "mann_whitney_p": float(mannwhitneyu(out, unk).pvalue),
        "identical_bodies": bodies["out_of_scope"] == bodies["unknown"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    result = measure(args.requests)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
