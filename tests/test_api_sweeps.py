"""`/sweeps` on both stores: a regional key reads only its own jurisdiction's counts, a sweep
starts only for a national key and at most one at a time (429 otherwise), the list comes in
cursor pages."""

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.infrastructure.stores.contract import Store, SweepRecord, SweepStatus
from app.infrastructure.sweep_lock import sweep_lock
from app.presentation.api.problems import PROBLEM_MEDIA_TYPE
from app.services.access import key_ring_from_environment
from app.settings import Settings
from tests.swept_stores import analyst_app, swept_store

NATIONAL = {"X-API-Key": "k-national"}
PROVINCE = {"X-API-Key": "k-province"}
CITY = {"X-API-Key": "k-city"}
# Regional keys see these counts of their own units, nothing fleet-wide.
REGIONAL_COUNTS = {"unit_months", "flagged", "listed"}


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Store, Settings, dict[str, str]]]:
    """(client, store, settings, the province and city of a flagged unit)."""
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    server = request.getfixturevalue("neo4j_server") if request.param == "neo4j" else None
    store, settings = swept_store(request.param, folder, server)
    with pytest.MonkeyPatch.context() as patch, TestClient(analyst_app(settings, store)) as client:
        patch.setenv("MRVTRACE_API_KEYS", f"national={NATIONAL['X-API-Key']}")
        key_ring_from_environment.cache_clear()
        flag = client.get("/anomalies", params={"limit": 1}, headers=NATIONAL).json()["items"][0]
        place = {"province": flag["province_code"], "city": flag["region_code"]}
        keys = [
            f"national={NATIONAL['X-API-Key']}",
            f"province:{place['province']}={PROVINCE['X-API-Key']}",
            f"city:{place['city']}={CITY['X-API-Key']}",
        ]
        patch.setenv("MRVTRACE_API_KEYS", ",".join(keys))
        key_ring_from_environment.cache_clear()
        yield client, store, settings, place
    key_ring_from_environment.cache_clear()
    if request.param == "neo4j":
        store.close()


def _all_anomalies(client: TestClient, headers: dict[str, str]) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        body = client.get("/anomalies", params=params, headers=headers).json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def _scored_sweep(client: TestClient, headers: dict[str, str]) -> dict:
    """The sweep that scored the whole dataset (later API sweeps may have scored nothing)."""
    items = client.get("/sweeps", params={"limit": 500}, headers=headers).json()["items"]
    return next(i for i in items if i["status"] == "published" and i["periods"])


def test_regional_keys_read_only_their_own_sweep_counts(setup: tuple) -> None:
    client, store, _, place = setup
    national = _scored_sweep(client, NATIONAL)
    record = store.get_sweep(national["sweep_id"])
    for headers, scope in (
        (PROVINCE, f"province:{place['province']}"),
        (CITY, f"city:{place['city']}"),
    ):
        own = _scored_sweep(client, headers)
        assert own["sweep_id"] == national["sweep_id"]
        assert own["counts"] == record.scope_counts[scope]
        assert set(own["counts"]) == REGIONAL_COUNTS
        assert own["counts"]["flagged"] == len(_all_anomalies(client, headers))
        assert 0 < own["counts"]["unit_months"] < national["counts"]["unit_months"]
        assert own["counts"]["flagged"] < national["counts"]["flagged"]
        assert own["patterns"] == []
        one = client.get(f"/sweeps/{own['sweep_id']}", headers=headers).json()
        assert one["counts"] == own["counts"] and one["patterns"] == []
    assert national["counts"]["flagged"] == len(_all_anomalies(client, NATIONAL))


def test_only_one_sweep_runs_at_a_time(setup: tuple) -> None:
    client, store, settings, _ = setup
    before = len(store.list_sweeps())
    with sweep_lock(settings):
        reply = client.post("/sweeps", headers=NATIONAL)
    assert reply.status_code == 429
    assert reply.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert int(reply.headers["retry-after"]) > 0
    assert reply.json()["status"] == 429 and "already running" in reply.json()["detail"]
    assert len(store.list_sweeps()) == before


def test_a_burst_of_sweep_requests_starts_none_within_the_interval(setup: tuple) -> None:
    _, store, settings, _ = setup
    throttled = settings.model_copy(update={"sweep_min_interval_s": 3600.0})
    before = len(store.list_sweeps())
    with TestClient(analyst_app(throttled, store), headers=NATIONAL) as client:
        replies = [client.post("/sweeps") for _ in range(5)]
    assert {r.status_code for r in replies} == {429}
    assert all(0 < int(r.headers["retry-after"]) <= 3600 for r in replies)
    assert len(store.list_sweeps()) == before


def test_shutdown_waits_for_a_sweep_started_over_the_api(setup: tuple) -> None:
    """The upkeep after publishing (pruning old sweeps, re-indexing the knowledge base) still
    uses the store: the app lets its sweep finish before whoever owns the store may close it."""
    _, store, settings, _ = setup
    eager = settings.model_copy(update={"sweep_min_interval_s": 0.0})
    with TestClient(analyst_app(eager, store), headers=NATIONAL) as client:
        reply = client.post("/sweeps")
        assert reply.status_code == 202, reply.text
    assert not [t for t in threading.enumerate() if t.name == "api-sweep"]
    record = store.get_sweep(reply.json()["sweep_id"])
    assert record is not None and record.status == SweepStatus.PUBLISHED


def test_regional_keys_cannot_start_a_sweep(setup: tuple) -> None:
    client, store, _, _ = setup
    before = len(store.list_sweeps())
    for headers in (PROVINCE, CITY):
        assert client.post("/sweeps", headers=headers).status_code == 404
    assert len(store.list_sweeps()) == before


def test_the_sweep_list_comes_in_cursor_pages(setup: tuple) -> None:
    client, store, _, _ = setup
    for day in range(1, 6):
        # Old failed sweeps, so that there are pages to turn (they sort last).
        record = SweepRecord(sweep_id=f"old-{day}", started=f"2000-01-0{day}T00:00:00+00:00")
        if store.get_sweep(record.sweep_id) is None:
            store.begin_sweep(record)
            record.status = SweepStatus.FAILED
            store.fail_sweep(record)
    whole = client.get("/sweeps", params={"limit": 500}, headers=NATIONAL).json()
    assert whole["next_cursor"] is None and len(whole["items"]) >= 6
    paged, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/sweeps", params=params, headers=NATIONAL).json()
        assert len(body["items"]) <= 2
        paged += [i["sweep_id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert paged == [i["sweep_id"] for i in whole["items"]]
    bad = client.get("/sweeps", params={"cursor": "not-a-cursor"}, headers=NATIONAL)
    assert bad.status_code == 404 and bad.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert client.get("/sweeps", params={"limit": 0}, headers=NATIONAL).status_code == 422
