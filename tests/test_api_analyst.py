"""The analyst API on both stores: why, trace, anomaly pages, systemic sources, units, sweeps.

A small generated dataset is loaded and swept once (tests/swept_stores.py); every test reads it
through the HTTP API with a national key.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.presentation.api.problems import PROBLEM_MEDIA_TYPE
from app.services.access import key_ring_from_environment
from tests.swept_stores import analyst_app, dataset, swept_store

SWEEP_TIMEOUT_S = 300.0

NATIONAL_KEY = "national-test-key"
KEYS = f"national={NATIONAL_KEY}"


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def client(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch_module: pytest.MonkeyPatch,
) -> Iterator[TestClient]:
    folder = tmp_path_factory.getbasetemp() / "api-data"
    folder.mkdir(exist_ok=True)
    monkeypatch_module.setenv("MRVTRACE_API_KEYS", KEYS)
    key_ring_from_environment.cache_clear()
    server = request.getfixturevalue("neo4j_server") if request.param == "neo4j" else None
    store, settings = swept_store(request.param, folder, server)
    with TestClient(analyst_app(settings, store), headers={"X-API-Key": NATIONAL_KEY}) as test:
        yield test
    key_ring_from_environment.cache_clear()
    if request.param == "neo4j":
        store.close()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def all_anomalies(client: TestClient, **params: object) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        reply = client.get("/anomalies", params=query)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        assert pages < 1000


def test_anomaly_pages_cover_every_flag_once_in_a_stable_order(client: TestClient) -> None:
    whole = client.get("/anomalies", params={"limit": 500}).json()
    assert whole["next_cursor"] is None and len(whole["items"]) > 20
    paged = all_anomalies(client, limit=7)
    keys = [(i["unit_id"], i["period"]) for i in paged]
    assert keys == [(i["unit_id"], i["period"]) for i in whole["items"]]
    assert len(set(keys)) == len(keys)
    order = [(-i["score"], i["unit_id"], i["period"]) for i in paged]
    assert order == sorted(order)
    assert all_anomalies(client, limit=7) == paged


def test_anomaly_filters_narrow_the_list(client: TestClient) -> None:
    first = client.get("/anomalies", params={"limit": 1}).json()["items"][0]
    for name, field in (
        ("period", "period"),
        ("region", "province_code"),
        ("region", "region_code"),
        ("enterprise", "enterprise_id"),
    ):
        items = all_anomalies(client, limit=100, **{name: first[field]})
        assert items and all(i[field] == first[field] for i in items)
    strong = all_anomalies(client, limit=100, min_score=0.99)
    assert all(i["score"] >= 0.99 for i in strong)


def test_bad_parameters_are_422_naming_the_field(client: TestClient) -> None:
    for params, field in (
        ({"period": "2023-13"}, "period"),
        ({"limit": 0}, "limit"),
        ({"min_score": 2}, "min_score"),
    ):
        reply = client.get("/anomalies", params=params)
        assert reply.status_code == 422
        assert reply.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
        assert field in reply.json()["detail"]
    # Any text is a well-formed cursor (the schema says so): one this service never gave names
    # no page, so 404 naming the cursor.
    reply = client.get("/anomalies", params={"cursor": "not-a-cursor"})
    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert "cursor" in reply.json()["detail"]


def test_why_names_a_root_with_path_evidence_impact_and_browser_query(client: TestClient) -> None:
    first = client.get("/anomalies", params={"limit": 1}).json()["items"][0]
    reply = client.get(f"/units/{first['unit_id']}/why", params={"period": first["period"]})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["unit_id"] == first["unit_id"] and len(body["answers"]) == 1
    answer = body["answers"][0]
    assert answer["flagged"] is True and answer["period"] == first["period"]
    root = answer["root"]
    assert root is not None and root["parameter"]
    assert answer["path"][0]["key"] == root["key"]
    assert answer["path"][-1]["key"].endswith(answer["symptom"]["parameter"])
    assert all(h["score"] is not None for h in answer["path"])
    assert answer["checks"] and all(c["check_id"] and c["reason"] for c in answer["checks"])
    # The test report is evidence only for a carbon or NCV root.
    documented = root["parameter"] in {"coal_carbon_pct", "coal_ncv_gj_t", "report_carbon_pct"}
    assert bool(answer["evidence"]["report_dates"]) == documented
    assert answer["impact"]["price_cny_per_t"] == 90.0
    assert "$unit_id" in answer["browser"]["statement"]
    assert answer["browser"]["parameters"]["unit_id"] == first["unit_id"]
    assert first["period"] in answer["browser"]["parameters"]["periods"]


def test_why_without_period_answers_every_flagged_month(client: TestClient) -> None:
    items = all_anomalies(client, limit=500)
    unit_id = items[0]["unit_id"]
    flagged = sorted(i["period"] for i in items if i["unit_id"] == unit_id)
    body = client.get(f"/units/{unit_id}/why").json()
    assert [a["period"] for a in body["answers"]] == flagged


def test_unknown_unit_month_and_edge_are_404(client: TestClient) -> None:
    assert client.get("/units/NO-SUCH-UNIT/why").status_code == 404
    assert client.get("/units/NO-SUCH-UNIT").status_code == 404
    first = client.get("/anomalies", params={"limit": 1}).json()["items"][0]
    assert (
        client.get(f"/units/{first['unit_id']}/why", params={"period": "1999-01"}).status_code
        == 404
    )
    assert client.get("/edges/nothing/trace").status_code == 404
    missing = f"{first['unit_id']}|1999-01|statistical:coal_ncv_gj_t->coal_carbon_pct"
    assert client.get(f"/edges/{missing}/trace").status_code == 404


def test_trace_from_an_anomalous_edge(client: TestClient) -> None:
    items = all_anomalies(client, limit=500)
    for item in items[:30]:
        why = client.get(f"/units/{item['unit_id']}/why", params={"period": item["period"]}).json()
        edges = [c for c in why["answers"][0]["checks"] if "->" in c["check_id"]]
        if edges:
            break
    else:
        pytest.fail("no data-transfer edge among the checks of the strongest flags")
    edge_id = f"{item['unit_id']}|{item['period']}|{edges[-1]['check_id']}"
    reply = client.get(f"/edges/{edge_id}/trace")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["symptom"]["element"] == "check" and body["symptom"]["key"] == edge_id
    assert body["path"][-1]["parameter"] == body["symptom"]["parameter"]
    assert body["browser"]["parameters"]["unit_id"] == item["unit_id"]


def test_unit_shows_its_entity_chain_and_scores(client: TestClient) -> None:
    first = client.get("/anomalies", params={"limit": 1}).json()["items"][0]
    body = client.get(f"/units/{first['unit_id']}").json()
    assert body["enterprise_id"] == first["enterprise_id"]
    assert body["province_code"] == first["province_code"]
    assert body["region_code"] == first["region_code"]
    assert body["enterprise_name"] and body["province_name"]
    assert first["period"] in body["periods"]
    scores = {s["period"]: s for s in body["scores"]}
    assert scores[first["period"]]["flagged"] is True
    assert scores[first["period"]]["score"] == pytest.approx(first["score"])


def test_systemic_sources_name_the_lab_behind_lowered_carbon(client: TestClient) -> None:
    faults = (dataset(Path(client.app.state.settings.home).parent) / "faults.csv").read_text()
    lab_faults = {
        line.split(",")[6] for line in faults.splitlines()[1:] if "lab_carbon_lowered" in line
    }
    reply = client.get("/systemic-sources")
    assert reply.status_code == 200, reply.text
    items = reply.json()["items"]
    assert items, "no systemic finding"
    labs = {i["entity_id"] for i in items if i["entity_type"] == "lab"}
    assert lab_faults & labs
    finding = items[0]
    unit_id, period = finding["explained_flags"][0]
    why = client.get(f"/units/{unit_id}/why", params={"period": period}).json()
    assert finding["entity_id"] in {s["entity_id"] for s in why["answers"][0]["systemic"]}


def test_sweeps_are_listed_started_and_followed(client: TestClient) -> None:
    before = client.get("/sweeps").json()["items"]
    assert before and before[0]["status"] == "published"
    assert (
        client.get(f"/sweeps/{before[0]['sweep_id']}").json()["sweep_id"] == before[0]["sweep_id"]
    )
    assert client.get("/sweeps/no-such-sweep").status_code == 404
    reply = client.post("/sweeps")
    assert reply.status_code == 202, reply.text
    sweep_id = reply.json()["sweep_id"]
    assert reply.headers["location"] == f"/sweeps/{sweep_id}"
    # Followed to its end (which also keeps the sweep from outliving the store it writes to).
    deadline = time.monotonic() + SWEEP_TIMEOUT_S
    while (status := client.get(f"/sweeps/{sweep_id}").json()["status"]) == "running":
        assert time.monotonic() < deadline, "the sweep did not finish"
        time.sleep(0.2)
    assert status == "published"
